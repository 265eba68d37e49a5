// Why a step left its widget by a failure transition, as `simulate` prints it under the step
// (src/cli/flow-file.ts): the widget's error, the failed effect (an unmocked or failed request, a
// refused message…) or the HTTP status and the start of the body. The test runner shows it for the
// failure steps of a failing test, so a `failed` in a diff comes with its reason.
import { FAILURE_EVENTS } from '../engine/interpreter.ts';
import type { EffectResult, JsonObject } from '../engine/types.ts';

/** The events by which a widget fails (the engine's failure events, `error`, and the widget-specific ones). */
export const FAILURE_STEP_NAMES: ReadonlySet<string> = new Set([...FAILURE_EVENTS, 'error', 'failedToEnqueue', 'callFailure', 'failure', 'providerError']);

/** Why an effect failed, or null when it did not: the engine keeps no trace of it in the widget's outputs. */
export function effectFailure(result: EffectResult): string | null {
  switch (result.kind) {
    case 'http-failed':
    case 'subflow-missing':
      return result.message;
    case 'message-failed':
    case 'conversation-failed':
    case 'task-failed':
    case 'call-failed':
      return `${result.message} (error ${result.code})`;
    default:
      return null;
  }
}

/**
 * Why a step with event `event` and outputs `outputs` failed; `effect`: what its widget's last effect
 * failure said. Null when the step is no failure or nothing says why.
 */
export function failureReason(event: string, outputs: JsonObject, effect: string | undefined): string | null {
  if (!FAILURE_STEP_NAMES.has(event)) return null;
  const error = outputs.error as { code?: unknown; message?: unknown } | undefined;
  if (error && typeof error === 'object' && typeof error.message === 'string') return typeof error.code === 'number' ? `${error.message} (error ${error.code})` : error.message;
  if (effect) return effect;
  if (typeof outputs.status_code === 'number') {
    const body = typeof outputs.body === 'string' ? outputs.body.replace(/\s+/g, ' ').trim() : '';
    return `HTTP ${outputs.status_code}${body ? `: ${body.length > 200 ? `${body.slice(0, 200)}…` : body}` : ''}`;
  }
  return null;
}
