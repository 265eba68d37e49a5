// Send Message: hands the message to the channel; `sent` when accepted, `failed` when the send
// request fails (Studio's "Failed to Send").
import { buildOutbound, outboundOutputs } from './messaging.ts';
import { awaitEffect, effectResult, type WidgetHandler } from './widget.ts';

export const sendMessage: WidgetHandler = {
  enter(env) {
    const built = buildOutbound(env, { to: '{{contact.channel.address}}' });
    if (!built.ok) return { type: 'error', code: built.code, message: built.message, failureEvent: 'failed' };
    return awaitEffect({ type: 'send-message', effectId: env.newId('EF'), widget: env.state.name, message: built.message });
  },
  resume(_env, wait, event) {
    const result = effectResult(wait, event);
    if (!result) return null;
    if (result.kind === 'message-sent') return { type: 'transition', event: 'sent', outputs: { outbound: outboundOutputs(result.message) } };
    if (result.kind === 'message-failed') {
      return { type: 'error', code: 81011, message: result.message, failureEvent: 'failed', outputs: { outbound: { ErrorCode: result.code, ErrorMessage: result.message } } };
    }
    return null;
  },
};
