// Flows: list with paging, create, import a Studio JSON export, export, delete.
import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { ApiError, errorMessage } from '../api/client.ts';
import type { Flow, PageMeta, ValidationIssue } from '../api/types.ts';
import { useApi } from '../auth/session.tsx';
import { newFlowDefinition } from '../editor/definition-ops.ts';
import { definitionFromImport, nameAfterChoosing } from './import.ts';
import { Dialog } from '../ui/dialog.tsx';
import { downloadJson, formatDate, slug } from '../ui/format.ts';
import { useAsync } from '../ui/use-async.ts';
import { usePageTitle } from '../ui/page-title.ts';
import { Pager } from '../ui/pager.tsx';
import { ErrorNotice, StatusBadge } from '../ui/status.tsx';
import { atPosition, consoleSearch, pageOf, positionIn } from '../ui/page-query.ts';

const PAGE_SIZE = 25;

function CreateFlowForm({ onCreated, mode }: { onCreated: (flow: Flow) => void; mode: 'create' | 'import' }) {
  const api = useApi();
  const [name, setName] = useState('');
  const [json, setJson] = useState('');
  const [error, setError] = useState<string | null>(null);
  /** What the server's validator found in a definition it refused. */
  const [findings, setFindings] = useState<ValidationIssue[]>([]);
  const [busy, setBusy] = useState(false);

  const nameField = useRef<HTMLInputElement>(null);
  /** The file chosen last, whose name the name field may hold. */
  const [fileName, setFileName] = useState<string | null>(null);

  // The error is the form's (the server names the parameter in it): read with every field. The
  // validator's findings are about the definition: read with the JSON and the file it came from.
  const errorId = useId();
  const findingsId = `${errorId}-findings`;
  const describedBy = (withFindings: boolean) => [error ? errorId : '', withFindings && findings.length > 0 ? findingsId : ''].filter(Boolean).join(' ') || undefined;

  const readFile = async (file: File | undefined) => {
    if (!file) return;
    setJson(await file.text());
    setName(nameAfterChoosing(name, fileName, file.name));
    setFileName(file.name);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    setFindings([]);
    // A name of spaces passes the browser's `required`: said here, in words, as Rename does, rather than sent for the API's 400.
    if (name.trim() === '') {
      setError('Enter a name for the flow: it cannot be blank.');
      nameField.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const definition = mode === 'import' ? definitionFromImport(json) : newFlowDefinition(name);
      const flow = await api.post<Flow>('/v2/Flows', {
        FriendlyName: name.trim(),
        Status: 'draft',
        Definition: JSON.stringify(definition),
        CommitMessage: mode === 'import' ? 'Imported' : 'Created',
      });
      onCreated(flow);
    } catch (caught) {
      setError(errorMessage(caught));
      if (caught instanceof ApiError) setFindings(caught.body.details?.errors ?? []);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="stack" onSubmit={submit}>
      <label className="field">
        <span className="field-label">Name</span>
        <input
          ref={nameField}
          name="friendlyName"
          required
          value={name}
          onChange={(e) => setName(e.target.value)}
          aria-invalid={(error !== null && name.trim() === '') || undefined}
          aria-describedby={describedBy(false)}
          data-autofocus
        />
      </label>
      {mode === 'import' && (
        <>
          <label className="field">
            <span className="field-label">Studio export (JSON file)</span>
            <input name="file" type="file" accept="application/json,.json" onChange={(e) => void readFile(e.target.files?.[0])} aria-describedby={describedBy(true)} />
          </label>
          <label className="field">
            <span className="field-label">…or paste the JSON</span>
            <textarea
              name="definition"
              className="code"
              rows={8}
              value={json}
              onChange={(e) => setJson(e.target.value)}
              required
              aria-invalid={findings.length > 0 || undefined}
              aria-describedby={describedBy(true)}
            />
          </label>
        </>
      )}
      {error && (
        <p id={errorId} role="alert" className="error-text">
          {error}
        </p>
      )}
      {findings.length > 0 && (
        <ul id={findingsId} className="notice notice-error issue-list import-findings" aria-label="Validation errors">
          {findings.map((issue, i) => (
            <li key={i}>
              <code>{issue.property_path}</code> {issue.message}
            </li>
          ))}
        </ul>
      )}
      <div className="row end">
        {/* aria-disabled, not disabled: a disabled button would drop focus to <body> while the flow is created. */}
        <button type="submit" className="primary" aria-disabled={busy}>
          {mode === 'import' ? 'Import' : 'Create'}
        </button>
      </div>
    </form>
  );
}

export function FlowListPage() {
  const api = useApi();
  const [location, navigate] = useLocation();
  // The page is in the query string, so Back, reload and links keep it.
  const search = useSearch();
  const pageUrl = useMemo(() => atPosition(`/v2/Flows?PageSize=${PAGE_SIZE}`, positionIn(new URLSearchParams(search))), [search]);
  const setPageUrl = (url: string) => navigate(location + consoleSearch({ ...pageOf(url) }));
  const list = useAsync((signal) => api.get<{ flows: Flow[]; meta: PageMeta }>(pageUrl, signal), [pageUrl]);

  // A later page that comes back empty (its last flow deleted, here or elsewhere) steps back a page
  // rather than saying there are no flows; it replaces the empty page in the history.
  const emptyLaterPage = list.data !== undefined && list.data.flows.length === 0 && list.data.meta.page > 0;
  const previousPage = list.data ? String(list.data.meta.page - 1) : null;
  useEffect(() => {
    if (emptyLaterPage) navigate(location + consoleSearch({ page: previousPage === '0' ? null : previousPage }), { replace: true });
  }, [emptyLaterPage, previousPage, location, navigate]);
  const [dialog, setDialog] = useState<'create' | 'import' | null>(null);
  usePageTitle(['Flows']);
  const [error, setError] = useState<string | null>(null);

  const exportFlow = async (flow: Flow) => {
    try {
      const full = await api.get<Flow>(`/v2/Flows/${flow.sid}`);
      downloadJson(`${slug(flow.friendly_name)}.json`, full.definition);
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };

  const deleteFlow = async (flow: Flow) => {
    if (!window.confirm(`Delete “${flow.friendly_name}” and all its executions?`)) return;
    try {
      await api.delete(`/v2/Flows/${flow.sid}`);
      list.reload();
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };

  return (
    <main className="page">
      <header className="page-header">
        <h1>Flows</h1>
        <div className="row">
          <button type="button" onClick={() => setDialog('import')}>
            Import JSON
          </button>
          <button type="button" className="primary" onClick={() => setDialog('create')}>
            New flow
          </button>
        </div>
      </header>
      {list.error ? <ErrorNotice error={list.error} retry={list.reload} /> : <ErrorNotice error={error} />}
      {list.data && list.data.flows.length === 0 && !emptyLaterPage && (
        <div className="card empty-state">
          <p>No flows yet. Create one, or import a flow exported from Twilio Studio.</p>
        </div>
      )}
      {list.data && list.data.flows.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Flows</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" className="col-optional">SID</th>
                <th scope="col">Status</th>
                <th scope="col" className="col-wide">Revision</th>
                <th scope="col" className="col-optional">Updated</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.flows.map((flow) => (
                <tr key={flow.sid}>
                  <td>
                    <Link href={`/flows/${flow.sid}`} className="clip" title={flow.friendly_name}>
                      {flow.friendly_name}
                    </Link>
                  </td>
                  <td className="col-optional">
                    {/* Cut with "…" where the column is narrow, on screen only: the title and a copy give the whole SID. */}
                    <code className="sid clip-sid" title={flow.sid}>
                      {flow.sid}
                    </code>
                  </td>
                  <td>
                    <StatusBadge status={flow.status} />
                  </td>
                  <td className="col-wide">{flow.revision}</td>
                  <td className="col-optional">{formatDate(flow.date_updated ?? flow.date_created)}</td>
                  <td>
                    {/* The grid inside the cell: a td set to display:grid stops being a table cell, and its border and height part from the row. */}
                    <div className="actions">
                      <Link href={`/flows/${flow.sid}/executions`}>Executions</Link>
                      <Link href={`/flows/${flow.sid}/revisions`}>Revisions</Link>
                      <button type="button" className="link-button" onClick={() => void exportFlow(flow)} aria-label={`Export ${flow.friendly_name}`}>
                        Export
                      </button>
                      <button type="button" className="link-button danger-text" onClick={() => void deleteFlow(flow)} aria-label={`Delete ${flow.friendly_name}`}>
                        Delete
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.data && <Pager meta={list.data.meta} onPage={setPageUrl} />}
      <Dialog title={dialog === 'import' ? 'Import a Studio flow' : 'New flow'} open={dialog !== null} onClose={() => setDialog(null)}>
        {dialog && <CreateFlowForm mode={dialog} onCreated={(flow) => navigate(`/flows/${flow.sid}`)} />}
      </Dialog>
    </main>
  );
}
