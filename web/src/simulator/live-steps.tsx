// The simulators' steps panel: the execution being simulated (link, status, an optional End
// button), how it ended once it has, and its steps as they arrive.
import { Link } from 'wouter';
import type { Execution, Step } from '../api/types.ts';
import { StatusBadge } from '../ui/status.tsx';
import { ExecutionEndNotice, type ExecutionEnd } from './execution-end.tsx';
import { StepList } from './step-list.tsx';

export function LiveSteps({
  id,
  flowSid,
  execution,
  steps,
  label,
  end,
  onEnd,
}: {
  /** The heading's id (the two simulators can be on one page). */
  id: string;
  flowSid: string;
  execution: Execution | null | undefined;
  steps: Step[];
  label: string;
  /** How the execution ended (useExecutionEnd), said once it has. */
  end: ExecutionEnd;
  /** Shown as an End button while the execution is active. */
  onEnd?: () => void;
}) {
  return (
    <section className="live-steps" aria-labelledby={id}>
      <header className="row">
        <h3 id={id}>Steps</h3>
        {execution && (
          <span className="row wrap small">
            {/* The whole SID: they are time-ordered, so the executions of one session share their first characters. */}
            <Link href={`/flows/${flowSid}/executions/${execution.sid}`}>
              <span className="visually-hidden">Execution </span>
              <code className="sid">{execution.sid}</code>
            </Link>
            <span className="live-steps-state">
              <StatusBadge status={execution.status} />
              {onEnd && execution.status === 'active' && (
                <button type="button" className="small-button" onClick={onEnd}>
                  End
                </button>
              )}
            </span>
          </span>
        )}
      </header>
      <ExecutionEndNotice end={end} />
      <StepList steps={steps} label={label} />
    </section>
  );
}
