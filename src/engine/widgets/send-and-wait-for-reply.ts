// Send & Wait For Reply: send, then park until the contact replies (`incomingMessage`), the
// timer fires (`timeout`, default 3600 s) or delivery fails (`deliveryFailure`).
import { isDeliveryFailure } from '../delivery.ts';
import { REPLY_TIMEOUT_RULE, replyTimeoutSeconds } from '../../definition/reply-timeout.ts';
import type { Diagnostic, EngineEvent, JsonObject, Wait } from '../types.ts';
import { buildOutbound, outboundOutputs } from './messaging.ts';
import { awaitEffect, effectResult, type Outcome, type WidgetHandler, type WidgetEnv } from './widget.ts';

/** Studio's warning for a property that is invalid after Liquid and replaced by its default (§6.7). */
export const INVALID_TIMEOUT_WARNING = 81028;

/** Studio's error for a send the channel refused (§6.7), as Send Message raises it. */
const SEND_FAILED = 81011;

export interface ReplyTimeout {
  seconds: number;
  /** Set when the configured value was unusable and the default is used instead. */
  warning?: Diagnostic;
}

/**
 * The reply timeout in seconds. `timeout` is a string property (§1.3), so Liquid in it is rendered
 * ("{{flow.variables.t}}"); exports also hold plain integers. The result must be a whole number of
 * seconds from 1 to REPLY_TIMEOUT_MAX_SECONDS (reply-timeout.ts); anything else ("0", "-5", "1h", "90.5", an empty render, a Liquid error)
 * falls back to the default (`limits.defaultReplyTimeoutSeconds`, 3600) with a warning naming the
 * value. An absent or empty property is the Console default, silently.
 */
export function replyTimeout(env: WidgetEnv, label = 'Send & Wait For Reply timeout'): ReplyTimeout {
  const fallback = env.limits.defaultReplyTimeoutSeconds;
  const raw = env.state.properties.timeout;
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return { seconds: fallback };
  let text: string;
  if (typeof raw === 'number') text = String(raw);
  else if (typeof raw === 'string') {
    const rendered = env.render(raw);
    if (!rendered.ok) return withWarning(env, label, fallback, `could not be rendered (${rendered.error.message})`);
    text = rendered.value.trim();
  } else text = JSON.stringify(raw);
  const seconds = replyTimeoutSeconds(text);
  if (seconds !== null) return { seconds };
  const shown = typeof raw === 'string' && raw.trim() !== text ? `'${raw}' (rendered '${text}')` : `'${text}'`;
  return withWarning(env, label, fallback, `${shown} is not ${REPLY_TIMEOUT_RULE}`);
}

function withWarning(env: WidgetEnv, label: string, seconds: number, why: string): ReplyTimeout {
  return {
    seconds,
    warning: {
      level: 'warning',
      code: INVALID_TIMEOUT_WARNING,
      message: `${label} ${why}; the default ${seconds} seconds is used`,
      widget: env.state.name,
    },
  };
}

/**
 * `outbound.ErrorCode` is a number whichever way the failure came: a refused send gives Twilio's
 * numeric `code`, and the Message resource's `error_code` is an integer, but a status callback's form
 * field is text ("30003"). A code that is not a whole number (a webhook gateway's own) stays text.
 */
function errorCodeOutput(code: string): number | string {
  return /^\d{1,9}$/.test(code) ? Number(code) : code;
}

/**
 * Whether a delivery report is on the question this widget waits after. By the send's effect when both
 * name it: a webhook gateway may answer every send with the same id, and a late report on a question
 * already answered must not fail the next one (or this widget entered again). Else by the message SID: a
 * wait kept before the effect was (an execution waiting across an upgrade), a channel that names no effect.
 */
function reportsOn(wait: Extract<Wait, { kind: 'reply' }>, event: Extract<EngineEvent, { type: 'delivery-status' }>): boolean {
  if (wait.effectId !== undefined && event.effectId !== undefined) return event.effectId === wait.effectId;
  return event.messageSid === wait.outbound.Sid;
}

export const sendAndWaitForReply: WidgetHandler = {
  enter(env) {
    const built = buildOutbound(env, { to: '{{contact.channel.address}}' });
    if (!built.ok) return { type: 'error', code: built.code, message: built.message, failureEvent: 'deliveryFailure' };
    return awaitEffect({ type: 'send-message', effectId: env.newId('EF'), widget: env.state.name, message: built.message });
  },
  resume(env, wait, event): Outcome | null {
    if (wait.kind === 'effect') {
      const result = effectResult(wait, event);
      if (!result) return null;
      if (result.kind === 'message-failed') {
        // The send itself was refused (an invalid To, an unsubscribed recipient…): Studio's 81011 "Failed to
        // send Message", as Send Message raises, kept in the context as `error`. A delivery failure reported
        // later by status callback (below) is the message's, and raises nothing.
        const error = { code: SEND_FAILED, message: result.message };
        const diagnostic: Diagnostic = { level: 'error', ...error, widget: env.state.name };
        const outputs: JsonObject = { outbound: { ErrorCode: result.code, ErrorMessage: result.message }, error };
        return { type: 'transition', event: 'deliveryFailure', outputs, diagnostics: [diagnostic], error };
      }
      if (result.kind !== 'message-sent') return null;
      const timerId = env.newId('TM');
      const outbound = outboundOutputs(result.message);
      const timeout = replyTimeout(env);
      const dueAt = env.now + timeout.seconds * 1000;
      return {
        type: 'wait',
        // The due time is kept in the wait too: a reply that comes after it loses to the timeout (interpreter's catchUp).
        // The send's effect too: a delivery report names it, where a message SID may be shared (reportsOn).
        wait: { kind: 'reply', timerId, outbound, dueAt, effectId: wait.effectId },
        effects: [{ type: 'set-timer', timerId, dueAt }],
        ...(timeout.warning ? { diagnostics: [timeout.warning] } : {}),
      };
    }
    if (wait.kind !== 'reply') return null;
    const cancel = [{ type: 'cancel-timer' as const, timerId: wait.timerId }];
    if (event.type === 'inbound-message') {
      return { type: 'transition', event: 'incomingMessage', outputs: { outbound: wait.outbound, inbound: event.message }, effects: cancel };
    }
    if (event.type === 'timer' && event.timerId === wait.timerId) {
      return { type: 'transition', event: 'timeout', outputs: { outbound: wait.outbound } };
    }
    if (event.type === 'delivery-status' && reportsOn(wait, event) && isDeliveryFailure(event.status)) {
      const outbound: JsonObject = { ...wait.outbound, Status: event.status, ...(event.errorCode ? { ErrorCode: errorCodeOutput(event.errorCode) } : {}) };
      return { type: 'transition', event: 'deliveryFailure', outputs: { outbound }, effects: cancel };
    }
    return null;
  },
};
