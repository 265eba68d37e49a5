// TwiML Redirect: answers the call (or the inbound message's webhook) with <Redirect> to the
// widget's URL. The external app hands control back by redirecting to the flow webhook with
// `FlowEvent=return`; every other query parameter on that request becomes an output
// (`widgets.X.foo`). `timeout` (Liquid; 0–14400 s, default 14400) leaves by `timeout`; a URL that is
// not an absolute http(s) URL after Liquid leaves by `fail`. After a timeout the call cannot come back
// (Studio says the same). `timeout` "0" means Studio does not wait for control to return (§2.19): the
// <Redirect> is the answer and the execution ends (see HANDOFF_GRACE_MS). Messages: only an execution
// started by an inbound message can redirect, and only while that message's webhook is being
// answered; REST executions leave by `fail`.
import type { Transition } from '../../definition/types.ts';
import type { JsonObject } from '../types.ts';
import { callbackFor, callWait, isHttpUrl, renderedIntProp, renderProp, requireCall, withWarnings } from './voice.ts';
import { stringProp, type WidgetHandler } from './widget.ts';

/** Studio's default and largest `timeout` (§2.19). */
const MAX_TIMEOUT_SECONDS = 14400;

/** Query parameters Switchboard or Twilio put on the return request: not outputs. */
const NOT_OUTPUTS = new Set(['FlowEvent']);

/**
 * With `timeout` "0" the widget still parks this long: the webhook being answered (the call's, or the
 * inbound message's) reads the <Redirect> from the parked widget, and it polls for up to 5 s. Then the
 * execution ends; a hangup before that ends it too.
 */
export const HANDOFF_GRACE_MS = 5_000;

/**
 * The step a handed-off execution ends with. Not one of the widget's events (none fits, and which one
 * Studio logs is unknown), so no wired transition is followed: the execution ends here.
 */
export const HANDED_OFF_EVENT = 'handedOff';
const HANDED_OFF: Transition = { event: HANDED_OFF_EVENT };

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
    // A string property (§1.3): Liquid is rendered; an unusable value waits the default, with 81028.
    const timeout = renderedIntProp(env, 'timeout', 'TwiML Redirect timeout', { min: 0, max: MAX_TIMEOUT_SECONDS }, MAX_TIMEOUT_SECONDS);
    const seconds = timeout.value!;
    const twiml = [{ verb: 'Redirect', attributes: { method }, text: url.value }];
    const timerId = env.newId('TM');
    if (seconds === 0) {
      // A call now belongs to the app, which cannot hand it back (no FlowEvent=return is taken). A message
      // execution stays returnable: that is what the message webhook's answer looks for.
      const dueAt = env.now + HANDOFF_GRACE_MS;
      const handoff = { returnable: messaging, handoff: true, timerId, dueAt };
      return callWait(env, twiml, handoff, [{ type: 'set-timer', timerId, dueAt }]);
    }
    const dueAt = env.now + seconds * 1000;
    return withWarnings(callWait(env, twiml, { returnable: true, timerId, dueAt }, [{ type: 'set-timer', timerId, dueAt }]), timeout);
  },
  resume(_env, wait, event) {
    if (wait.kind !== 'call') return null;
    if (event.type === 'timer' && event.timerId === wait.timerId) {
      if (wait.handoff) return { type: 'transition', event: HANDED_OFF.event, outputs: {}, transition: HANDED_OFF };
      return { type: 'transition', event: 'timeout', outputs: {} };
    }
    const callback = callbackFor(wait, event);
    if (!callback) return null;
    const query = (callback.params.query ?? {}) as JsonObject;
    const outputs: JsonObject = {};
    for (const [key, value] of Object.entries(query)) if (!NOT_OUTPUTS.has(key)) outputs[key] = value;
    const effects = wait.timerId ? [{ type: 'cancel-timer' as const, timerId: wait.timerId }] : [];
    return { type: 'transition', event: 'return', outputs, effects };
  },
};
