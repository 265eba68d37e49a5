// How the simulated execution ended, in the execution page's words (executions/waiting.ts): the
// server's end reason (an error with its code and message, ended manually, its maximum age), and the
// error alerts raised on the way, which a flow can end after without an error of its own (a failed
// Function, 81010, leaves by `fail`, often straight to the end). Read once the execution has ended.
import type { Execution, Step } from '../api/types.ts';
import { useApi } from '../auth/session.tsx';
import { alertsOf, alertsUrl, readAlerts, type AlertPage, type ExecutionAlert } from '../executions/alerts.ts';
import { endedHow, endedSentence, type EndedHow, type EndReasonResponse } from '../executions/waiting.ts';
import { WhereItStands } from '../executions/execution-page.tsx';
import { useAsync } from '../ui/use-async.ts';

/** Error alerts shown in a panel at most, the newest; the execution page lists them all. */
const SHOWN_ALERTS = 3;
/** Alerts read: enough to find the errors among a loop's warnings. */
const READ_ALERTS = 200;

export interface ExecutionEnd {
  /** How it ended; null while it is active, and until the server says. */
  how: EndedHow | null;
  /** Its error alerts, oldest first, but for the one its end reason already names. */
  errors: ExecutionAlert[];
}

const NOT_ENDED: ExecutionEnd = { how: null, errors: [] };

export function useExecutionEnd(flowSid: string, execution: Execution | null | undefined, steps: readonly Step[]): ExecutionEnd {
  const api = useApi();
  const ended = execution?.status === 'ended' ? execution.sid : null;
  const read = useAsync(
    async (signal) => {
      if (!ended) return null;
      const [reason, alerts] = await Promise.all([
        api.get<EndReasonResponse>(`/console/api/Flows/${flowSid}/Executions/${ended}/EndReason`, signal),
        // Only an explanation: the end reason stands without them.
        readAlerts((url) => api.get<AlertPage>(url, signal), alertsUrl(ended), READ_ALERTS).catch(() => null),
      ]);
      return { sid: ended, reason: reason.end_reason, alerts: alerts ? alertsOf(alerts.alerts, ended) : null };
    },
    [api, flowSid, ended],
  );
  const data = read.data;
  // An earlier execution's answer (a new one has just ended) does not count.
  if (!ended || !execution || data?.sid !== ended) return NOT_ENDED;
  const own = steps.filter((step) => step.execution_sid === ended);
  const how = endedHow(own, data.alerts ?? [], execution.context, data.reason);
  const named = how?.kind === 'error' ? String(how.code) : null;
  const errors = (data.alerts ?? []).filter((alert) => alert.level === 'error' && alert.code !== named);
  return { how, errors };
}

/** The end's sentence for a line of its own (the Phone's transcript); null for an end the flow itself reached. */
export function endLine(how: EndedHow | null): string | null {
  if (!how || how.kind === 'completed' || how.kind === 'call-ended') return null;
  return endedSentence(how);
}

/** The end as the execution page says it, and the errors raised on the way there. */
export function ExecutionEndNotice({ end }: { end: ExecutionEnd }) {
  if (!end.how) return null;
  const shown = end.errors.slice(-SHOWN_ALERTS);
  const more = end.errors.length - shown.length;
  return (
    <div className="execution-end" role="status">
      <WhereItStands waiting={null} ended={end.how} endedHere={false} />
      {shown.length > 0 && (
        <ul className="execution-end-errors small" aria-label="Errors on the way">
          {shown.map((alert) => (
            <li key={alert.sid}>
              Error {alert.code}: {alert.message}
              {alert.widget && !alert.message.includes(alert.widget) && (
                <>
                  {' '}
                  (at <code>{alert.widget}</code>)
                </>
              )}
            </li>
          ))}
          {more > 0 && <li className="muted">and {more} more, listed on the execution's page</li>}
        </ul>
      )}
    </div>
  );
}
