// TwiML Redirect: answers the call (or the inbound message's webhook) with <Redirect> to the
// widget's URL. The external app hands control back by redirecting to the flow webhook with
// `FlowEvent=return`; every other query parameter on that request becomes an output
// (`widgets.X.foo`). `timeout` (default 14400 s, "0" = no timer) leaves by `timeout`; a URL that is
// not an absolute http(s) URL after Liquid leaves by `fail`. After a timeout the call cannot come back
// (Studio says the same). Messages: only an execution started by an inbound message can redirect,
// and only while that message's webhook is being answered; REST executions leave by `fail`.
import type { JsonObject } from '../types.ts';
import { callbackFor, callWait, intProp, isHttpUrl, renderProp, requireCall } from './voice.ts';
import { stringProp, type WidgetHandler } from './widget.ts';

/** Query parameters Switchboard or Twilio put on the return request: not outputs. */
const NOT_OUTPUTS = new Set(['FlowEvent']);

export const addTwimlRedirect: WidgetHandler = {
  enter(env) {
    const messaging = !env.callSid && env.frame.trigger.message !== undefined;
    if (!messaging) {
      const refused = requireCall(env, 'fail');
      if (refused) return refused;
    }
    const url = renderProp(env, 'url', 'fail');
    if (!url.ok) return url.outcome;
    if (!isHttpUrl(url.value)) {
      return { type: 'transition', event: 'fail', outputs: { error: { code: 81003, message: `TwiML Redirect URL '${url.value ?? ''}' is not an absolute http(s) URL` } } };
    }
    const method = (stringProp(env, 'method') ?? 'POST').toUpperCase() === 'GET' ? 'GET' : 'POST';
    const seconds = intProp(env, 'timeout', 14400)!;
    const twiml = [{ verb: 'Redirect', attributes: { method }, text: url.value }];
    if (seconds <= 0) return callWait(env, twiml, { returnable: true });
    const timerId = env.newId('TM');
    return callWait(env, twiml, { returnable: true, timerId }, [{ type: 'set-timer', timerId, dueAt: env.now + seconds * 1000 }]);
  },
  resume(_env, wait, event) {
    if (wait.kind !== 'call') return null;
    if (event.type === 'timer' && event.timerId === wait.timerId) return { type: 'transition', event: 'timeout', outputs: {} };
    const callback = callbackFor(wait, event);
    if (!callback) return null;
    const query = (callback.params.query ?? {}) as JsonObject;
    const outputs: JsonObject = {};
    for (const [key, value] of Object.entries(query)) if (!NOT_OUTPUTS.has(key)) outputs[key] = value;
    const effects = wait.timerId ? [{ type: 'cancel-timer' as const, timerId: wait.timerId }] : [];
    return { type: 'transition', event: 'return', outputs, effects };
  },
};
