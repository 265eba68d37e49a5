// A flow's executions with status, date and contact filters and paging (the API's own PageToken URLs).
// The filters and the page are in the query string (page-query.ts): Back, reload and links keep them.
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import type { Execution, Flow, PageMeta } from '../api/types.ts';
import { useApi } from '../auth/session.tsx';
import { formatDate } from '../ui/format.ts';
import { useAsync } from '../ui/use-async.ts';
import { usePageTitle } from '../ui/page-title.ts';
import { Pager } from '../ui/pager.tsx';
import { ErrorNotice, StatusBadge } from '../ui/status.tsx';
import { FlowBreadcrumb } from '../flows/flow-breadcrumb.tsx';
import { atPosition, consoleSearch, pageOf, positionIn } from '../ui/page-query.ts';
import { executionHref } from './list-link.ts';
import { LoadProblem } from '../ui/problem-page.tsx';
import { endedWords, type ExecutionSummary } from './waiting.ts';
import { emptyExecutions, type EmptyExecutions, type ExecutionFilters } from './empty-list.ts';

const PAGE_SIZE = 20;
/** What the status filter takes (the API refuses any other). */
const EXECUTION_STATUSES = ['active', 'ended'] as const;

export function executionsQuery(flowSid: string, filters: ExecutionFilters, pageSize = PAGE_SIZE): string {
  const params = new URLSearchParams({ PageSize: String(pageSize) });
  if (filters.status) params.set('status', filters.status);
  // Switchboard's ContactAddress (exact match); a pasted address's stray spaces are not part of it.
  const contact = filters.contact.trim();
  if (contact) params.set('ContactAddress', contact);
  // datetime-local values are local times; the API wants ISO 8601.
  if (filters.from) params.set('DateCreatedFrom', new Date(filters.from).toISOString());
  if (filters.to) params.set('DateCreatedTo', new Date(filters.to).toISOString());
  return `/v2/Flows/${flowSid}/Executions?${params}`;
}

/** Beside the status: how an ended execution ended, the widget an active one waits at (its page says more). */
function Standing({ summary, status }: { summary: ExecutionSummary | undefined; status: Execution['status'] }) {
  // Read with an older list (a refresh moved it on): said once both agree.
  if (!summary || summary.status !== status) return null;
  if (summary.waiting_at) {
    const { widget, subflow_path: path } = summary.waiting_at;
    return (
      <span className="standing small" data-testid="standing">
        waiting at <code>{widget}</code>
        {path.length > 0 && (
          <>
            {' '}
            in the subflow run by <code>{path.join(' › ')}</code>
          </>
        )}
      </span>
    );
  }
  const words = endedWords(summary.end_reason);
  if (!words) return null;
  return (
    <span className={`standing small ${summary.end_reason?.kind === 'error' ? 'error-text' : 'muted'}`} data-testid="standing" title={words.full}>
      {words.short}
    </span>
  );
}

function NoExecutions({ flowSid, why }: { flowSid: string; why: EmptyExecutions }) {
  // Filtered (or paged) to nothing: the way back to the whole list is a link, not clearing each field.
  if (why === 'backwards')
    return (
      <p className="card empty-state">
        No executions: “Created from” is later than “to”, so no date is in between. <Link href={`/flows/${flowSid}/executions`}>Show all executions</Link>
      </p>
    );
  if (why === 'past-end')
    return (
      <p className="card empty-state">
        No executions on this page: the list ends before it. <Link href={`/flows/${flowSid}/executions`}>Go to the first page</Link>
      </p>
    );
  if (why === 'none-match')
    return (
      <p className="card empty-state">
        No executions match. <Link href={`/flows/${flowSid}/executions`}>Show all executions</Link>
      </p>
    );
  return (
    <p className="card empty-state">
      No executions. Text or call the flow from the Chat or Phone beside <Link href={`/flows/${flowSid}`}>its canvas</Link>, or start one with the
      REST API (<code>POST /v2/Flows/{flowSid}/Executions</code>).
    </p>
  );
}

export function ExecutionListPage({ flowSid }: { flowSid: string }) {
  const api = useApi();
  const flow = useAsync((signal) => api.get<Flow>(`/v2/Flows/${flowSid}`, signal), [flowSid]);
  const search = useSearch();
  const [location, navigate] = useLocation();
  const query = useMemo(() => new URLSearchParams(search), [search]);
  const filters = useMemo(
    () => ({ status: query.get('status') ?? '', from: query.get('from') ?? '', to: query.get('to') ?? '', contact: query.get('contact') ?? '' }),
    [query],
  );
  const [draft, setDraft] = useState(filters);
  // Back and Forward change the query string: the form follows it.
  useEffect(() => setDraft(filters), [filters]);
  const pageUrl = useMemo(() => {
    try {
      return atPosition(executionsQuery(flowSid, filters), positionIn(query));
    } catch {
      // A hand-edited date that is no date: the list unfiltered by date.
      return atPosition(executionsQuery(flowSid, { ...filters, from: '', to: '' }), positionIn(query));
    }
  }, [flowSid, filters, query]);
  const setPageUrl = (url: string) => {
    const { page, token } = pageOf(url);
    navigate(location + consoleSearch({ ...filters, page, token }));
  };
  // A status the list cannot filter by (a hand-edited or old link): said in the console's words, not read (the API's
  // refusal named its query parameter), with a way back to the whole list.
  const unknownStatus = filters.status !== '' && !(EXECUTION_STATUSES as readonly string[]).includes(filters.status) ? filters.status : null;
  const list = useAsync(
    (signal) => (unknownStatus !== null ? Promise.resolve(null) : api.get<{ executions: Execution[]; meta: PageMeta }>(pageUrl, signal)),
    [pageUrl, unknownStatus],
  );
  // The list's 404 says the same as the flow's: the flow was deleted while this page was open (a refresh found it gone).
  const flowGone = flow.errorStatus === 404 || list.errorStatus === 404;
  // A page that could not be loaded shows a ProblemPage, which names itself.
  usePageTitle(flowGone ? null : ['Executions', flow.data?.friendly_name]);
  // How each ended, or where each waits (the Execution resources say only active or ended): one request
  // for the page, made again with every read of the list (a refresh too: executions move on).
  const standings = useAsync((signal) => {
    const executions = list.data?.executions ?? [];
    if (executions.length === 0) return Promise.resolve({ summaries: [] });
    const query = executions.map((execution) => `Sid=${execution.sid}`).join('&');
    return api.get<{ summaries: ExecutionSummary[] }>(`/console/api/Flows/${flowSid}/ExecutionSummaries?${query}`, signal);
  }, [flowSid, list.data]);
  const standing = useMemo(() => new Map((standings.data?.summaries ?? []).map((summary) => [summary.sid, summary])), [standings.data]);

  const [autoRefresh, setAutoRefresh] = useState(false);
  const { reload } = list;
  useEffect(() => {
    // A flow found gone is not read again every 3 s.
    if (!autoRefresh || flowGone) return;
    const timer = setInterval(reload, 3000);
    return () => clearInterval(timer);
  }, [autoRefresh, flowGone, reload]);

  const apply = (event: FormEvent) => {
    event.preventDefault();
    navigate(location + consoleSearch(draft));
  };

  // A flow of another account (signed in as another since), deleted, or a wrong link: said as the editor says it.
  if (flowGone) return <LoadProblem what="flow" sid={flowSid} error={flow.error ?? list.error ?? ''} status={404} />;

  return (
    <main className="page">
      <header className="page-header">
        <div>
          <FlowBreadcrumb flowSid={flowSid} flowName={flow.data?.friendly_name} />
          <h1>Executions</h1>
        </div>
        <div className="row">
          <label className="checkbox small">
            <input type="checkbox" checked={autoRefresh} onChange={(e) => setAutoRefresh(e.target.checked)} />
            Refresh every 3 s
          </label>
          <button type="button" onClick={list.reload}>
            Refresh
          </button>
        </div>
      </header>
      <form className="filters row wrap" onSubmit={apply} aria-label="Filter executions">
        <label className="field inline">
          <span className="field-label">Status</span>
          <select name="status" value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.target.value })}>
            <option value="">Any</option>
            <option value="active">Active</option>
            <option value="ended">Ended</option>
          </select>
        </label>
        <label className="field inline">
          <span className="field-label">Created from</span>
          <input name="from" type="datetime-local" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
        </label>
        {/* Shown as "Created from … to …"; named "Created to", which makes sense read alone (a screen reader's list of fields), where "to" did not. */}
        <label className="field inline">
          <span className="field-label">
            <span className="visually-hidden">Created </span>to
          </span>
          <input name="to" type="datetime-local" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
        </label>
        <label className="field inline">
          <span className="field-label">Contact</span>
          <input
            name="contact"
            type="search"
            placeholder="+15551234567"
            title="The contact's address exactly as stored (contact.channel.address), e.g. +15551234567 or whatsapp:+15551234567"
            autoComplete="off"
            spellCheck={false}
            value={draft.contact}
            onChange={(e) => setDraft({ ...draft, contact: e.target.value })}
          />
        </label>
        <button type="submit">Apply</button>
      </form>
      <ErrorNotice error={list.error} />
      {unknownStatus !== null && (
        <p role="alert" className="notice notice-error" data-testid="unknown-status">
          The link asks for executions whose status is “{unknownStatus}”, which is not a status: an execution is Active or Ended.{' '}
          <Link href={location + consoleSearch({ ...filters, status: '' })}>Show executions of any status</Link>
        </p>
      )}
      {standings.error && <ErrorNotice error={`How the executions ended and where the active ones wait could not be read: ${standings.error}`} />}
      {list.data && list.data.executions.length === 0 && <NoExecutions flowSid={flowSid} why={emptyExecutions(filters, list.data.meta.page)} />}
      {list.data && list.data.executions.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Executions</caption>
            <thead>
              <tr>
                {/* Status first: in a phone-sized window the table scrolls sideways and the first columns are what shows. */}
                <th scope="col">Status</th>
                <th scope="col">Execution</th>
                <th scope="col">Contact</th>
                <th scope="col" className="col-optional">Revision</th>
                <th scope="col">Created</th>
                <th scope="col" className="col-optional">Updated</th>
              </tr>
            </thead>
            <tbody>
              {list.data.executions.map((execution) => (
                <tr key={execution.sid}>
                  <td>
                    <StatusBadge status={execution.status} />
                    <Standing summary={standing.get(execution.sid)} status={execution.status} />
                  </td>
                  <td>
                    <Link href={executionHref(flowSid, execution.sid, search)}>
                      <code className="sid">{execution.sid}</code>
                    </Link>
                  </td>
                  <td>{execution.contact_channel_address}</td>
                  <td className="col-optional">{execution.flow_version}</td>
                  <td>{formatDate(execution.date_created)}</td>
                  <td className="col-optional">{formatDate(execution.date_updated)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.data && <Pager meta={list.data.meta} onPage={setPageUrl} />}
    </main>
  );
}
