// Which steps of an execution failed, for the timeline to mark them: a step left by a failure event
// (a Function's `fail`, a message's `failed`, a call's `callFailure`…) or one an error alert was raised
// on (81010 for a failed Function, 84003 for a message body that could not be rendered…). An alert names
// its widget, not its step: it goes to the step leaving that widget nearest to it in time (a widget a
// loop runs again has several). A `timeout` (of a Gather, a reply) is a path the flow expects, not a
// failure, unless an error alert says otherwise. Pure; test/web/execution-page.test.ts.
import type { ExecutionAlert } from './alerts.ts';

/** Events that leave a widget because what it did failed (widget-specs.ts). */
export const FAILURE_EVENTS: ReadonlySet<string> = new Set([
  'fail',
  'failed',
  'failure',
  'deliveryFailure',
  'callFailure',
  'failedToEnqueue',
  'providerError',
  'maxFailedAttempts',
  'validationError',
]);

export interface FailureStep {
  sid: string;
  name: string;
  transitioned_from: string;
  date_created: string;
}

export interface StepFailure {
  /** The step's event is a failure event. */
  byEvent: boolean;
  /** The error alerts raised on it, oldest first. */
  alerts: Pick<ExecutionAlert, 'code' | 'message'>[];
}

/** The failed steps by SID; a step that did not fail is not in it. */
export function stepFailures(steps: readonly FailureStep[], alerts: readonly ExecutionAlert[]): Map<string, StepFailure> {
  const failures = new Map<string, StepFailure>();
  const entry = (sid: string) => {
    let failure = failures.get(sid);
    if (!failure) failures.set(sid, (failure = { byEvent: false, alerts: [] }));
    return failure;
  };
  for (const step of steps) if (FAILURE_EVENTS.has(step.name)) entry(step.sid).byEvent = true;
  for (const alert of alerts) {
    if (alert.level !== 'error' || !alert.widget) continue;
    const at = Date.parse(alert.date);
    let nearest: FailureStep | null = null;
    let distance = Number.POSITIVE_INFINITY;
    for (const step of steps) {
      if (step.transitioned_from !== alert.widget) continue;
      const d = Math.abs(Date.parse(step.date_created) - at);
      // Ties (the same second) go to the later step: an alert is written with the step it explains, after the ones before it.
      if (d <= distance) {
        nearest = step;
        distance = d;
      }
    }
    if (nearest) entry(nearest.sid).alerts.push({ code: alert.code, message: alert.message });
  }
  return failures;
}

/** What the timeline adds after a failed step's "Failed" mark: the codes of its alerts (`error 81010`), or null (its event says it). */
export function failureText(failure: StepFailure): string | null {
  const codes = [...new Set(failure.alerts.map((alert) => alert.code))];
  return codes.length > 0 ? `error ${codes.join(', ')}` : null;
}
