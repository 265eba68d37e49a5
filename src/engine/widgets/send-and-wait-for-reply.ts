// Send & Wait For Reply: send, then park until the contact replies (`incomingMessage`), the
// timer fires (`timeout`, default 3600 s) or delivery fails (`deliveryFailure`).
import { isDeliveryFailure } from '../delivery.ts';
import type { JsonObject } from '../types.ts';
import { buildOutbound, outboundOutputs } from './messaging.ts';
import { awaitEffect, effectResult, type Outcome, type WidgetHandler, type WidgetEnv } from './widget.ts';

function timeoutSeconds(env: WidgetEnv): number {
  const raw = env.state.properties.timeout;
  const seconds = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  return Number.isFinite(seconds) && seconds > 0 ? seconds : env.limits.defaultReplyTimeoutSeconds;
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
        return { type: 'transition', event: 'deliveryFailure', outputs: { outbound: { ErrorCode: result.code, ErrorMessage: result.message } } };
      }
      if (result.kind !== 'message-sent') return null;
      const timerId = env.newId('TM');
      const outbound = outboundOutputs(result.message);
      return {
        type: 'wait',
        wait: { kind: 'reply', timerId, outbound },
        effects: [{ type: 'set-timer', timerId, dueAt: env.now + timeoutSeconds(env) * 1000 }],
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
    if (event.type === 'delivery-status' && event.messageSid === wait.outbound.Sid && isDeliveryFailure(event.status)) {
      const outbound: JsonObject = { ...wait.outbound, Status: event.status, ...(event.errorCode ? { ErrorCode: event.errorCode } : {}) };
      return { type: 'transition', event: 'deliveryFailure', outputs: { outbound }, effects: cancel };
    }
    return null;
  },
};
