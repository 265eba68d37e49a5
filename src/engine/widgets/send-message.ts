// Send Message: hands the message to the channel; `sent` when accepted, `failed` when the send
// request fails (Studio's "Failed to Send").
import { buildOutbound, outboundOutputs } from './messaging.ts';
import type { WidgetHandler } from './widget.ts';

export const sendMessage: WidgetHandler = {
  enter(env) {
    const built = buildOutbound(env, { to: '{{contact.channel.address}}' });
    if (!built.ok) return { type: 'error', code: built.code, message: built.message, failureEvent: 'failed' };
    const effectId = env.newId('EF');
    return {
      type: 'wait',
      wait: { kind: 'effect', effectId },
      effects: [{ type: 'send-message', effectId, widget: env.state.name, message: built.message }],
    };
  },
  resume(_env, wait, event) {
    if (event.type !== 'effect-result' || wait.kind !== 'effect' || event.effectId !== wait.effectId) return null;
    const result = event.result;
    if (result.kind === 'message-sent') return { type: 'transition', event: 'sent', outputs: { outbound: outboundOutputs(result.message) } };
    if (result.kind === 'message-failed') {
      return { type: 'error', code: 81011, message: result.message, failureEvent: 'failed', outputs: { outbound: { ErrorCode: result.code, ErrorMessage: result.message } } };
    }
    return null;
  },
};
