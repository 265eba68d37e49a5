// Connect Virtual Agent (v1, legacy Dialogflow ES): <Connect><VirtualAgent connectorName language
// sentimentAnalysis statusCallback>. The Connect action callback leaves by `return` with its
// parameters as outputs; the caller hanging up leaves by `hangup`. As for v2, Twilio requests the action
// also at a hangup (CallStatus completed), before or after the final status: after the status the
// widget waits a moment for it (hangupAwaitingAction), and either order leaves by `hangup`.
import { callbackFor, callbackOutputs, callWait, cancelHangupTimer, hangupAwaitingAction, renderedBoolProp, renderProps, requireCall, withWarnings } from './voice.ts';
import type { WidgetHandler } from './widget.ts';

export const connectVirtualAgent: WidgetHandler = {
  enter(env) {
    const refused = requireCall(env);
    if (refused) return refused;
    const props = renderProps(env, ['connector', 'language', 'status_callback']);
    if (!props.ok) return props.outcome;
    if (!props.values.connector) return { type: 'error', code: 81003, message: 'Connect Virtual Agent needs a connector' };
    const attributes: Record<string, string | boolean> = { connectorName: props.values.connector };
    if (props.values.language) attributes.language = props.values.language;
    // A string (§2.14), so Liquid is rendered; an unusable value is off (the default), with 81028.
    const sentiment = renderedBoolProp(env, 'sentiment_analysis', 'Connect Virtual Agent sentiment_analysis', false);
    if (sentiment.value) attributes.sentimentAnalysis = true;
    if (props.values.status_callback) attributes.statusCallback = props.values.status_callback;
    return withWarnings(callWait(env, [{ verb: 'Connect', attributes: { method: 'POST' }, children: [{ verb: 'VirtualAgent', attributes }], callback: { attribute: 'action' } }]), sentiment);
  },
  resume(env, wait, event) {
    const hangup = hangupAwaitingAction(env, wait, event);
    if (hangup) return hangup;
    const callback = callbackFor(wait, event);
    if (!callback || wait.kind !== 'call') return null;
    // The session ended because the caller hung up: `hangup` (with the action's outputs), not `return`.
    const callerGone = callback.params.CallStatus === 'completed' || wait.hungUp !== undefined;
    return { type: 'transition', event: callerGone ? 'hangup' : 'return', outputs: callbackOutputs(callback.params), effects: cancelHangupTimer(wait) };
  },
};
