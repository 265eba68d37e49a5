// A flow's revisions and a side-by-side diff of any two of their definitions.
import { Fragment, useEffect, useMemo, useRef, useState } from 'react';
import { useLocation } from 'wouter';
import { errorMessage } from '../api/client.ts';
import type { Flow, Revision } from '../api/types.ts';
import { useApi } from '../auth/session.tsx';
import { formatDate } from '../ui/format.ts';
import { useAsync } from '../ui/use-async.ts';
import { usePageTitle } from '../ui/page-title.ts';
import { ErrorNotice, StatusBadge } from '../ui/status.tsx';
import { LoadProblem } from '../ui/problem-page.tsx';
import { FlowBreadcrumb } from './flow-breadcrumb.tsx';
import { collapseUnchanged, prettyJson, sideBySide, widgetOfLine, type DiffRow } from './line-diff.ts';

/**
 * One side of a diff row. A changed line is marked by more than its colour: a − or + in the gutter,
 * and "removed:" or "added:" for a screen reader (the sign is hidden from it, and from copying).
 */
function DiffCode({ cell, change }: { cell: { text: string } | null; change: 'removed' | 'added' | null }) {
  return (
    <td className={`diff-code ${change === 'removed' ? 'diff-del' : change === 'added' ? 'diff-ins' : ''}`}>
      {change && (
        <>
          <span className="diff-sign" aria-hidden="true">
            {change === 'removed' ? '−' : '+'}
          </span>
          <span className="visually-hidden">{change}: </span>
        </>
      )}
      <pre>{cell?.text ?? ''}</pre>
    </td>
  );
}

function DiffTable({ before, after, leftTitle, rightTitle }: { before: unknown; after: unknown; leftTitle: string; rightTitle: string }) {
  const { rows, widgetAt } = useMemo(() => {
    const [beforeText, afterText] = [prettyJson(before), prettyJson(after)];
    const [beforeLines, afterLines] = [beforeText.split('\n'), afterText.split('\n')];
    /** The widget a shown row is in, from the side that has it. */
    const widgetAt = (row: DiffRow) => (row.right ? widgetOfLine(afterLines, row.right.number - 1) : row.left ? widgetOfLine(beforeLines, row.left.number - 1) : null);
    return { rows: collapseUnchanged(sideBySide(beforeText, afterText)), widgetAt };
  }, [before, after]);
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
              <Fragment key={i}>
                {/* Each run of lines shown starts with the widget it is in: line numbers alone did not say whose "body" changed. */}
                {(i === 0 || rows[i - 1]!.kind === 'gap') && widgetAt(row) !== null && (
                  <tr className="diff-where">
                    <th colSpan={4} scope="rowgroup">
                      Widget <code>{widgetAt(row)}</code>
                    </th>
                  </tr>
                )}
                <tr className={`diff-${row.kind}`}>
                <td className="diff-num">{row.left?.number ?? ''}</td>
                <DiffCode cell={row.left} change={row.left && row.kind !== 'same' ? 'removed' : null} />
                <td className="diff-num">{row.right?.number ?? ''}</td>
                <DiffCode cell={row.right} change={row.right && row.kind !== 'same' ? 'added' : null} />
                </tr>
              </Fragment>
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
  // A page that could not be loaded shows a ProblemPage, which names itself.
  usePageTitle(flow.errorStatus === 404 ? null : ['Revisions', flow.data?.friendly_name]);

  // Two revisions to compare, once there are two: a flow of one revision shows no diff, so reads none.
  useEffect(() => {
    const list = revisions.data;
    if (!list || list.length < 2 || right !== null) return;
    const newest = Math.max(...list.map((r) => r.revision));
    setRight(newest);
    setLeft(list.some((r) => r.revision === newest - 1) ? newest - 1 : newest);
  }, [revisions.data, right]);

  // A revision never changes, so each is read once while the page is open: both sides of the diff
  // (the same revision on both, or one kept while the other is changed) and Restore share the read.
  // Reads still under way when the page is left are dropped.
  const revisionReads = useRef<{ reads: Map<number, Promise<Revision>>; abort: AbortController } | null>(null);
  useEffect(() => {
    const cache = { reads: new Map<number, Promise<Revision>>(), abort: new AbortController() };
    revisionReads.current = cache;
    return () => {
      cache.abort.abort();
      if (revisionReads.current === cache) revisionReads.current = null;
    };
  }, []);
  const readRevision = (revision: number): Promise<Revision> => {
    const cache = revisionReads.current;
    if (!cache) return api.get<Revision>(`/v2/Flows/${flowSid}/Revisions/${revision}`);
    let read = cache.reads.get(revision);
    if (!read) {
      read = api.get<Revision>(`/v2/Flows/${flowSid}/Revisions/${revision}`, cache.abort.signal);
      cache.reads.set(revision, read);
      // A failed read is not kept: choosing the revision again tries again.
      read.catch(() => cache.reads.delete(revision));
    }
    return read;
  };

  const leftRevision = useAsync(() => (left === null ? Promise.resolve(null) : readRevision(left)), [flowSid, left]);
  const rightRevision = useAsync(() => (right === null ? Promise.resolve(null) : readRevision(right)), [flowSid, right]);

  const restore = async (revision: number) => {
    // It adds a revision for good (a later restore can only add another): ask first, as deleting a flow does.
    if (!window.confirm(`Restore revision ${revision} as a new draft? It becomes the flow's latest revision; what is published stays live until you publish again.`)) return;
    try {
      const full = await readRevision(revision);
      await api.post(`/v2/Flows/${flowSid}`, { Status: 'draft', Definition: JSON.stringify(full.definition), CommitMessage: `Restored revision ${revision}` });
      navigate(`/flows/${flowSid}`);
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };

  // A flow of another account (signed in as another since), deleted, or a wrong link: said as the editor says it.
  if (flow.errorStatus === 404) return <LoadProblem what="flow" sid={flowSid} error={flow.error ?? ''} status={404} />;

  const onlyOne = revisions.data?.length === 1;
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
      {revisions.error ? <ErrorNotice error={revisions.error} retry={revisions.reload} /> : <ErrorNotice error={error} />}
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
                {/* The flow's current revision is said in words, not only by the row's colour. */}
                <td>
                  {r.revision}
                  {r.revision === flow.data?.revision && <span className="muted small"> (current)</span>}
                </td>
                <td>
                  <StatusBadge status={r.status} />
                </td>
                <td className="commit-cell">{r.commit_message ?? <span className="muted">—</span>}</td>
                <td className="col-optional">{formatDate(r.date_created)}</td>
                <td className="row-action">
                  {/* The current revision is what the editor has already: restoring it would add the same again. Said, not
                      hidden, so the column does not look broken; aria-disabled keeps it focusable, with its reason. */}
                  {r.revision === flow.data?.revision ? (
                    <>
                      <button
                        type="button"
                        className="link-button"
                        aria-disabled="true"
                        title={`Revision ${r.revision} is the current one: the editor has it already.`}
                        aria-describedby={`restore-why-${r.revision}`}
                      >
                        Restore as draft<span className="visually-hidden"> (revision {r.revision})</span>
                      </button>
                      <span id={`restore-why-${r.revision}`} className="visually-hidden">
                        Revision {r.revision} is the current one: the editor has it already.
                      </span>
                    </>
                  ) : (
                    <button type="button" className="link-button" onClick={() => void restore(r.revision)}>
                      Restore as draft<span className="visually-hidden"> (revision {r.revision})</span>
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <section aria-labelledby="diff-title" className="card">
        <header className="row wrap">
          <h2 id="diff-title">Compare</h2>
          {!onlyOne && (
            <>
              <label className="field inline compare-picker">
                <span className="field-label">From</span>
                {/* The name starts with the word shown beside the list, so that it can be spoken to select it. */}
                <select aria-label="From (older revision)" value={left ?? ''} onChange={(e) => setLeft(Number(e.target.value))}>
                  {options}
                </select>
              </label>
              <label className="field inline compare-picker">
                <span className="field-label">To</span>
                <select aria-label="To (newer revision)" value={right ?? ''} onChange={(e) => setRight(Number(e.target.value))}>
                  {options}
                </select>
              </label>
            </>
          )}
        </header>
        {onlyOne ? (
          // Revision 1 against itself ("identical", every line unchanged) would say nothing.
          <p className="muted">This flow has one revision, so there is nothing to compare yet: each Save draft or Publish in the editor adds one.</p>
        ) : leftRevision.data && rightRevision.data ? (
          <DiffTable
            before={leftRevision.data.definition}
            after={rightRevision.data.definition}
            leftTitle={`Revision ${leftRevision.data.revision}`}
            rightTitle={`Revision ${rightRevision.data.revision}`}
          />
        ) : revisions.error || leftRevision.error || rightRevision.error ? (
          // Said, not left "Loading…": the list's failure is in the notice above, a revision's is here.
          <p className="error-text">
            Nothing to compare: {leftRevision.error || rightRevision.error ? `a revision could not be read: ${leftRevision.error || rightRevision.error}` : 'the revisions could not be read.'}
          </p>
        ) : (
          <p className="muted">Loading…</p>
        )}
      </section>
    </main>
  );
}
