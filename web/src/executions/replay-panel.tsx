// Replay an execution's recorded inputs against another revision (the server's /replay endpoint,
// a Switchboard extension) and show where the path, the messages and the widgets' outputs diverge.
import { useState, type FormEvent } from 'react';
import { errorMessage } from '../api/client.ts';
import type { ReplayReport, Revision } from '../api/types.ts';
import { useApi } from '../auth/session.tsx';
import { effectDifferenceTitle, outputDifferenceLines, replayVerdict } from './replay-summary.ts';
import { replayTargetOptions } from './replay-targets.ts';

function DiffLines({ lines, label }: { lines: string[]; label: string }) {
  return (
    <pre className="replay-diff" aria-label={label}>
      {lines.map((line, i) => (
        <span key={i} className={line.startsWith('+') ? 'diff-ins' : line.startsWith('-') ? 'diff-del' : ''}>
          {line}
          {'\n'}
        </span>
      ))}
    </pre>
  );
}

/** `revisionsError`: why the flow's revisions could not be read (the picker then offers only the two named targets). */
export function ReplayPanel({ flowSid, executionSid, revisions, revisionsError = null }: { flowSid: string; executionSid: string; revisions: Revision[]; revisionsError?: string | null }) {
  const api = useApi();
  const [target, setTarget] = useState('LatestRevision');
  const [report, setReport] = useState<ReplayReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setReport(await api.get<ReplayReport>(`/replay/Flows/${flowSid}/Executions/${executionSid}?Revision=${encodeURIComponent(target)}`));
    } catch (caught) {
      setReport(null);
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card replay" aria-labelledby="replay-title">
      <form className="row wrap" onSubmit={run}>
        <h2 id="replay-title">Replay</h2>
        <label className="field inline">
          <span className="field-label">against</span>
          <select aria-label="Revision to replay against" value={target} onChange={(e) => setTarget(e.target.value)}>
            {replayTargetOptions(revisions).map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={busy}>
          Replay
        </button>
      </form>
      <p className="muted small">The recorded inputs (messages, HTTP answers) are fed to the other revision on the engine alone; nothing is sent.</p>
      {revisionsError && (
        <p className="error-text small" data-testid="replay-revisions-error">
          The flow's revisions could not be read, so only the latest and the published revision can be picked: {revisionsError}
        </p>
      )}
      {error && (
        <p role="alert" className="error-text">
          {error}
        </p>
      )}
      {report && (
        <div className="stack" role="status" aria-label="Replay result">
          <p className={report.diverged ? 'error-text' : 'ok-text'}>
            {replayVerdict(report)} <span className="muted">Replay ends: {report.replay.end}</span>
          </p>
          <DiffLines lines={report.step_diff} label="Steps, original (-) and replay (+)" />
          {report.message_diff.length > 0 && <DiffLines lines={report.message_diff} label="Messages, original (-) and replay (+)" />}
          {report.output_differences.map((d) => (
            <div key={d.widget} className="stack">
              <p className="small">
                {d.widget === 'flow.variables' ? 'Flow variables' : <>Outputs of <code>{d.widget}</code></>} differ:
              </p>
              <DiffLines lines={outputDifferenceLines(d)} label={`${d.widget === 'flow.variables' ? 'Flow variables' : `Outputs of ${d.widget}`}, original (-) and replay (+)`} />
            </div>
          ))}
          {(report.effect_differences ?? []).map((d) => (
            <div key={`${d.kind} ${d.widget} ${d.occurrence}`} className="stack">
              <p className="small">{effectDifferenceTitle(d)} differs:</p>
              <DiffLines lines={outputDifferenceLines(d)} label={`${effectDifferenceTitle(d)}, original (-) and replay (+)`} />
            </div>
          ))}
          {report.notes.length > 0 && (
            <ul className="small muted">
              {report.notes.map((note, i) => (
                <li key={i}>{note}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
