// Run ConversationRelay on a call: <Connect action><ConversationRelay url …/></Connect>, the widget's
// settings as the noun's attributes (Liquid rendered) and its `parameters` as <Parameter> children. Twilio
// connects the call to the app's WebSocket (`url`, wss://) and, when the session ends, requests the Connect
// action with SessionId, SessionStatus, SessionDuration and the app's HandoffData (its `end` message): those
// parameters, with the call's, are the widget's outputs (HandoffData parsed when it is JSON, as Connect
// Virtual Agent's provider data is). Events (reference §2.22, UNCONFIRMED): `failed` when the session
// failed (SessionStatus=failed) or the action reports an error (ErrorCode), else `success`.
// The caller hanging up ends the session too: Twilio requests the action (the call then over) at about the
// time of the final status, in either order; after the status the widget waits a moment for the action
// (hangupAwaitingAction), and without one the execution ends with the call (a step named `hangup`: the
// widget has no event for it). Outside a call it fails with 81003, as every voice widget does.
import type { JsonObject } from '../types.ts';
import { callbackFor, callbackOutputs, callWait, cancelHangupTimer, hangupAwaitingAction, parameterNodes, renderProps, requireCall } from './voice.ts';
import { parseJsonOutput, type WidgetHandler } from './widget.ts';

/** Widget property → <ConversationRelay> attribute (Twilio's TwiML names). */
const ATTRIBUTES = [
  ['welcome_greeting', 'welcomeGreeting'],
  ['tts_provider', 'ttsProvider'],
  ['voice', 'voice'],
  ['language', 'language'],
  ['transcription_provider', 'transcriptionProvider'],
  ['speech_model', 'speechModel'],
  ['dtmf_detection', 'dtmfDetection'],
  ['interruptible', 'interruptible'],
] as const;

/** ConversationRelay takes a WebSocket URL (wss://; ws:// is accepted for local tunnels, as Twilio's TwiML does not check it). */
function isWebSocketUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'wss:' || url.protocol === 'ws:';
  } catch {
    return false;
  }
}

export const runConversationRelay: WidgetHandler = {
  enter(env) {
    const refused = requireCall(env, 'failed');
    if (refused) return refused;
    const props = renderProps(env, ['url', ...ATTRIBUTES.map(([name]) => name)], 'failed');
    if (!props.ok) return props.outcome;
    const url = props.values.url;
    if (!url || !isWebSocketUrl(url)) {
      const why = url ? `'${url}' is not a WebSocket URL (wss://)` : 'needs a WebSocket URL (wss://)';
      return { type: 'error', code: 81003, message: `Run ConversationRelay ${why}`, failureEvent: 'failed' };
    }
    const attributes: Record<string, string> = { url };
    // A boolean exported as JSON true/false (dtmf_detection) is rendered as "true"/"false" by renderProps.
    for (const [name, attribute] of ATTRIBUTES) if (props.values[name] !== undefined) attributes[attribute] = props.values[name]!;
    const parameters = parameterNodes(env, 'parameters');
    if (!parameters.ok) return parameters.outcome;
    const relay = { verb: 'ConversationRelay', attributes, ...(parameters.nodes.length ? { children: parameters.nodes } : {}) };
    return callWait(env, [{ verb: 'Connect', attributes: { method: 'POST' }, children: [relay], callback: { attribute: 'action' } }]);
  },
  resume(env, wait, event) {
    const hangup = hangupAwaitingAction(env, wait, event);
    if (hangup) return hangup;
    const callback = callbackFor(wait, event);
    if (!callback || wait.kind !== 'call') return null;
    const outputs: JsonObject = callbackOutputs(callback.params);
    parseJsonOutput(outputs, 'HandoffData');
    const status = typeof outputs.SessionStatus === 'string' ? outputs.SessionStatus.toLowerCase() : '';
    const error = outputs.ErrorCode !== undefined && outputs.ErrorCode !== null && outputs.ErrorCode !== '';
    return { type: 'transition', event: status === 'failed' || error ? 'failed' : 'success', outputs, effects: cancelHangupTimer(wait) };
  },
};
