// A flow's revisions and a side-by-side diff of any two of their definitions.
import { useEffect, useMemo, useState } from 'react';
import { useLocation } from 'wouter';
import { errorMessage } from '../api/client.ts';
import type { Flow, Revision } from '../api/types.ts';
import { useApi } from '../auth/session.tsx';
import { formatDate } from '../ui/format.ts';
import { useAsync } from '../ui/use-async.ts';
import { ErrorNotice, StatusBadge } from '../ui/status.tsx';
import { FlowBreadcrumb } from './flow-breadcrumb.tsx';
import { collapseUnchanged, prettyJson, sideBySide } from './line-diff.ts';

function DiffTable({ before, after, leftTitle, rightTitle }: { before: unknown; after: unknown; leftTitle: string; rightTitle: string }) {
  const rows = useMemo(() => collapseUnchanged(sideBySide(prettyJson(before), prettyJson(after))), [before, after]);
  const changes = rows.filter((r) => r.kind !== 'same' && r.kind !== 'gap').length;
  return (
    <div className="diff-wrap">
      <p className="muted small" role="status">
        {changes === 0 ? 'The definitions are identical.' : `${changes} changed line${changes > 1 ? 's' : ''}.`}
      </p>
      <table className="diff" aria-label={`Differences between ${leftTitle} and ${rightTitle}`}>
        <colgroup>
          <col className="diff-num-col" />
          <col />
          <col className="diff-num-col" />
          <col />
        </colgroup>
        <thead>
          <tr>
            <th colSpan={2} scope="colgroup">
              {leftTitle}
            </th>
            <th colSpan={2} scope="colgroup">
              {rightTitle}
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) =>
            row.kind === 'gap' ? (
              <tr key={i} className="diff-gap">
                <td colSpan={4}>… {row.hidden} unchanged line{row.hidden > 1 ? 's' : ''} …</td>
              </tr>
            ) : (
              <tr key={i} className={`diff-${row.kind}`}>
                <td className="diff-num">{row.left?.number ?? ''}</td>
                <td className={`diff-code ${row.left && row.kind !== 'same' ? 'diff-del' : ''}`}>
                  <pre>{row.left?.text ?? ''}</pre>
                </td>
                <td className="diff-num">{row.right?.number ?? ''}</td>
                <td className={`diff-code ${row.right && row.kind !== 'same' ? 'diff-ins' : ''}`}>
                  <pre>{row.right?.text ?? ''}</pre>
                </td>
              </tr>
            ),
          )}
        </tbody>
      </table>
    </div>
  );
}

export function RevisionsPage({ flowSid }: { flowSid: string }) {
  const api = useApi();
  const [, navigate] = useLocation();
  const flow = useAsync((signal) => api.get<Flow>(`/v2/Flows/${flowSid}`, signal), [flowSid]);
  const revisions = useAsync(() => api.all<Revision>(`/v2/Flows/${flowSid}/Revisions?PageSize=200`, 'revisions'), [flowSid]);
  const [left, setLeft] = useState<number | null>(null);
  const [right, setRight] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const list = revisions.data;
    if (!list || list.length === 0 || right !== null) return;
    const newest = Math.max(...list.map((r) => r.revision));
    setRight(newest);
    setLeft(list.some((r) => r.revision === newest - 1) ? newest - 1 : newest);
  }, [revisions.data, right]);

  const leftRevision = useAsync(
    (signal) => (left === null ? Promise.resolve(null) : api.get<Revision>(`/v2/Flows/${flowSid}/Revisions/${left}`, signal)),
    [flowSid, left],
  );
  const rightRevision = useAsync(
    (signal) => (right === null ? Promise.resolve(null) : api.get<Revision>(`/v2/Flows/${flowSid}/Revisions/${right}`, signal)),
    [flowSid, right],
  );

  const restore = async (revision: number) => {
    // It adds a revision for good (a later restore can only add another): ask first, as deleting a flow does.
    if (!window.confirm(`Restore revision ${revision} as a new draft? It becomes the flow's latest revision; what is published stays live until you publish again.`)) return;
    try {
      const full = await api.get<Revision>(`/v2/Flows/${flowSid}/Revisions/${revision}`);
      await api.post(`/v2/Flows/${flowSid}`, { Status: 'draft', Definition: JSON.stringify(full.definition), CommitMessage: `Restored revision ${revision}` });
      navigate(`/flows/${flowSid}`);
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };

  const options = (revisions.data ?? []).map((r) => (
    <option key={r.revision} value={r.revision}>
      {`Revision ${r.revision} · ${r.status}${r.commit_message ? ` · ${r.commit_message}` : ''}`}
    </option>
  ));

  return (
    <main className="page">
      <header className="page-header">
        <div>
          <FlowBreadcrumb flowSid={flowSid} flowName={flow.data?.friendly_name} />
          <h1>Revisions</h1>
        </div>
      </header>
      <ErrorNotice error={revisions.error || error} />
      <div className="table-wrap">
        <table className="table">
          <caption className="visually-hidden">Revisions</caption>
          <thead>
            <tr>
              <th scope="col">Revision</th>
              <th scope="col">Status</th>
              <th scope="col">Commit message</th>
              <th scope="col" className="col-optional">Created</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(revisions.data ?? []).map((r) => (
              <tr key={r.revision} className={r.revision === flow.data?.revision ? 'is-current-row' : ''}>
                <td>{r.revision}</td>
                <td>
                  <StatusBadge status={r.status} />
                </td>
                <td className="commit-cell">{r.commit_message ?? <span className="muted">—</span>}</td>
                <td className="col-optional">{formatDate(r.date_created)}</td>
                <td className="row-action">
                  <button type="button" className="link-button" onClick={() => void restore(r.revision)}>
                    Restore as draft
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <section aria-labelledby="diff-title" className="card">
        <header className="row wrap">
          <h2 id="diff-title">Compare</h2>
          <label className="field inline compare-picker">
            <span className="field-label">From</span>
            <select aria-label="Older revision" value={left ?? ''} onChange={(e) => setLeft(Number(e.target.value))}>
              {options}
            </select>
          </label>
          <label className="field inline compare-picker">
            <span className="field-label">To</span>
            <select aria-label="Newer revision" value={right ?? ''} onChange={(e) => setRight(Number(e.target.value))}>
              {options}
            </select>
          </label>
        </header>
        {leftRevision.data && rightRevision.data ? (
          <DiffTable
            before={leftRevision.data.definition}
            after={rightRevision.data.definition}
            leftTitle={`Revision ${leftRevision.data.revision}`}
            rightTitle={`Revision ${rightRevision.data.revision}`}
          />
        ) : (
          <p className="muted">Loading…</p>
        )}
      </section>
    </main>
  );
}
