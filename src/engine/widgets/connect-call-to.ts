// Connect Call To: a <Dial> to a number (or up to 10 for simulring), a client, a conference, a SIM
// or a SIP endpoint. The Dial action callback leaves by `callCompleted` (the other party hung up,
// no answer, failed); the caller hanging up leaves by `hangup`, with the Dial action's outputs when
// Twilio requests it (it does at a hangup, before or after the final status). Outputs:
// the callback's parameters (DialCallStatus, DialCallSid, DialCallDuration, RecordingUrl, …).
import type { TwimlNode } from '../types.ts';
import { boolProp, callbackFor, callbackOutputs, callWait, cancelHangupTimer, hangupAwaitingAction, intProp, renderedIntProp, renderProps, requireCall, withWarnings } from './voice.ts';
import { stringProp, type Outcome, type WidgetHandler } from './widget.ts';

function nouns(noun: string, to: string, sip: Record<string, string | undefined>): TwimlNode[] | string {
  switch (noun) {
    case 'number':
      return [{ verb: 'Number', text: to }];
    case 'number-multi': {
      const numbers = to.split(',').map((n) => n.trim()).filter(Boolean);
      if (numbers.length > 10) return 'number-multi dials at most 10 numbers';
      return numbers.map((n) => ({ verb: 'Number', text: n }));
    }
    case 'client':
      return [{ verb: 'Client', text: to.replace(/^client:/, '') }];
    case 'conference':
      return [{ verb: 'Conference', text: to }];
    case 'sim':
      return [{ verb: 'Sim', text: to }];
    case 'sip': {
      const attributes: Record<string, string> = {};
      if (sip.sip_username) attributes.username = sip.sip_username;
      if (sip.sip_password) attributes.password = sip.sip_password;
      return [{ verb: 'Sip', attributes, text: sip.sip_endpoint ?? to }];
    }
    default:
      return `unknown noun '${noun}'`;
  }
}

export const connectCallTo: WidgetHandler = {
  enter(env) {
    const refused = requireCall(env);
    if (refused) return refused;
    const props = renderProps(env, ['to', 'caller_id', 'sip_endpoint', 'sip_username', 'sip_password']);
    if (!props.ok) return props.outcome;
    const noun = stringProp(env, 'noun') ?? 'number';
    const to = props.values.to ?? '';
    const children = nouns(noun, to, props.values);
    if (typeof children === 'string' || (children.length === 0 || (!to && !props.values.sip_endpoint))) {
      const why = typeof children === 'string' ? children : "nothing to dial ('to' is empty)";
      const outcome: Outcome = { type: 'error', code: 81003, message: `Connect Call To '${env.state.name}': ${why}` };
      return outcome;
    }
    const attributes: Record<string, string | number | boolean> = { method: 'POST', timeout: intProp(env, 'timeout', 30)! };
    if (props.values.caller_id) attributes.callerId = props.values.caller_id;
    if (boolProp(env, 'record', false)) attributes.record = 'record-from-answer';
    // A string (§2.6), Liquid rendered; unusable → Twilio's 4 h default, with 81028. Dial takes up to 24 h.
    const limit = renderedIntProp(env, 'time_limit', 'Connect Call To time_limit', { min: 1, max: 86_400 });
    if (limit.value !== undefined) attributes.timeLimit = limit.value;
    return withWarnings(callWait(env, [{ verb: 'Dial', attributes, children, callback: { attribute: 'action' } }]), limit);
  },
  resume(env, wait, event) {
    const hangup = hangupAwaitingAction(env, wait, event);
    if (hangup) return hangup;
    const callback = callbackFor(wait, event);
    if (!callback || wait.kind !== 'call') return null;
    // Twilio requests the Dial action also when the caller hangs up; the caller's call is then over
    // (CallStatus completed), which Studio reports as `hangup`, not "Connected Call Ended".
    const callerGone = callback.params.CallStatus === 'completed';
    return { type: 'transition', event: callerGone || wait.hungUp ? 'hangup' : 'callCompleted', outputs: callbackOutputs(callback.params), effects: cancelHangupTimer(wait) };
  },
};
