// Record Voicemail: a <Record> whose action callback leaves by `recordingComplete`; when Twilio
// records nothing it skips the action and reaches the <Redirect> after it: `noAudio`. The caller
// hanging up leaves by `hangup`, unless Twilio then requests the action with what was recorded
// (Digits=hangup), which it does when a caller hangs up after leaving a message. Outputs: the callback's parameters (RecordingUrl,
// RecordingDuration, RecordingSid, Digits, …) plus the Recording resource fields §2.8 lists that they
// determine (recordingOutputs); Price, PriceUnit, DateCreated and DateUpdated would need the Recording
// resource fetched, so they are absent.
import type { JsonObject } from '../types.ts';
import { boolProp, callbackFor, callbackOutputs, callWait, cancelHangupTimer, hangupAwaitingAction, intProp, redirectBack, renderedBoolProp, renderProps, requireCall, withWarnings } from './voice.ts';
import { stringProp, type WidgetHandler } from './widget.ts';

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * The <Record> action's parameters with the Recording resource fields (§2.8) they determine without a
 * fetch: Sid, Uri, Channels (<Record> records mono), Source, CallSid, AccountSid, Duration, Status. A
 * parameter the request carried is never replaced. Without a recording (no audio) only the call's are added.
 */
export function recordingOutputs(params: JsonObject, callSid: string | undefined): JsonObject {
  const derived: JsonObject = {};
  const callSidOf = text(params.CallSid) ?? callSid;
  if (callSidOf) derived.CallSid = callSidOf;
  const accountSid = text(params.AccountSid);
  if (accountSid) derived.AccountSid = accountSid;
  const recordingSid = text(params.RecordingSid);
  const recordingUrl = text(params.RecordingUrl);
  if (recordingSid) {
    derived.Sid = recordingSid;
    if (accountSid) derived.Uri = `/2010-04-01/Accounts/${accountSid}/Recordings/${recordingSid}.json`;
  }
  if (recordingSid || recordingUrl) {
    derived.Channels = text(params.RecordingChannels) ?? '1';
    derived.Source = 'RecordVerb';
    const duration = text(params.RecordingDuration);
    if (duration !== undefined) derived.Duration = duration;
  }
  if (recordingUrl) derived.Status = 'completed';
  const added = Object.entries(derived).filter(([key]) => !Object.hasOwn(params, key));
  return callbackOutputs(params, Object.fromEntries(added));
}

export const recordVoicemail: WidgetHandler = {
  enter(env) {
    const refused = requireCall(env);
    if (refused) return refused;
    const props = renderProps(env, ['transcription_callback_url', 'recording_status_callback_url']);
    if (!props.ok) return props.outcome;
    // A string (§1.3), so Liquid is rendered; an unusable value beeps (the default), with 81028.
    const playBeep = renderedBoolProp(env, 'play_beep', 'Record Voicemail play_beep', true);
    const attributes: Record<string, string | number | boolean> = {
      method: 'POST',
      timeout: intProp(env, 'timeout', 5)!,
      maxLength: intProp(env, 'max_length', 3600)!,
      playBeep: playBeep.value,
      trim: stringProp(env, 'trim') === 'do-not-trim' ? 'do-not-trim' : 'trim-silence',
    };
    const finishOnKey = stringProp(env, 'finish_on_key');
    if (finishOnKey) attributes.finishOnKey = finishOnKey;
    if (boolProp(env, 'transcribe', false)) {
      attributes.transcribe = true;
      if (props.values.transcription_callback_url) attributes.transcribeCallback = props.values.transcription_callback_url;
    }
    if (props.values.recording_status_callback_url) attributes.recordingStatusCallback = props.values.recording_status_callback_url;
    return withWarnings(callWait(env, [{ verb: 'Record', attributes, callback: { attribute: 'action' } }, redirectBack(true)]), playBeep);
  },
  resume(env, wait, event) {
    const hangup = hangupAwaitingAction(env, wait, event);
    if (hangup) return hangup;
    const callback = callbackFor(wait, event);
    if (!callback || wait.kind !== 'call') return null;
    // A message left before hanging up (Digits=hangup) is a recording like any other: recordingComplete.
    return { type: 'transition', event: callback.fallthrough ? 'noAudio' : 'recordingComplete', outputs: recordingOutputs(callback.params, env.callSid), effects: cancelHangupTimer(wait) };
  },
};
