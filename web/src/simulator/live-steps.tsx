// The simulators' steps panel: the execution being simulated (link, status, an optional End
// button) and its steps as they arrive.
import { Link } from 'wouter';
import type { Execution, Step } from '../api/types.ts';
import { StatusBadge } from '../ui/status.tsx';
import { StepList } from './step-list.tsx';

export function LiveSteps({
  id,
  flowSid,
  execution,
  steps,
  label,
  onEnd,
}: {
  /** The heading's id (the two simulators can be on one page). */
  id: string;
  flowSid: string;
  execution: Execution | null | undefined;
  steps: Step[];
  label: string;
  /** Shown as an End button while the execution is active. */
  onEnd?: () => void;
}) {
  return (
    <section className="live-steps" aria-labelledby={id}>
      <header className="row">
        <h3 id={id}>Steps</h3>
        {execution && (
          <span className="row small">
            <Link href={`/flows/${flowSid}/executions/${execution.sid}`}>{execution.sid.slice(0, 10)}…</Link>
            <StatusBadge status={execution.status} />
            {onEnd && execution.status === 'active' && (
              <button type="button" className="small-button" onClick={onEnd}>
                End
              </button>
            )}
          </span>
        )}
      </header>
      <StepList steps={steps} label={label} />
    </section>
  );
}
