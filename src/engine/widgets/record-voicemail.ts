// Record Voicemail: a <Record> whose action callback leaves by `recordingComplete`; when Twilio
// records nothing it skips the action and reaches the <Redirect> after it: `noAudio`. The caller
// hanging up leaves by `hangup`. Outputs: the callback's parameters (RecordingUrl,
// RecordingDuration, RecordingSid, Digits, …).
import { boolProp, callbackFor, callbackOutputs, callWait, intProp, redirectBack, renderProps, requireCall } from './voice.ts';
import { stringProp, type WidgetHandler } from './widget.ts';

export const recordVoicemail: WidgetHandler = {
  enter(env) {
    const refused = requireCall(env);
    if (refused) return refused;
    const props = renderProps(env, ['transcription_callback_url', 'recording_status_callback_url']);
    if (!props.ok) return props.outcome;
    const attributes: Record<string, string | number | boolean> = {
      method: 'POST',
      timeout: intProp(env, 'timeout', 5)!,
      maxLength: intProp(env, 'max_length', 3600)!,
      playBeep: boolProp(env, 'play_beep', true),
      trim: stringProp(env, 'trim') === 'do-not-trim' ? 'do-not-trim' : 'trim-silence',
    };
    const finishOnKey = stringProp(env, 'finish_on_key');
    if (finishOnKey) attributes.finishOnKey = finishOnKey;
    if (boolProp(env, 'transcribe', false)) {
      attributes.transcribe = true;
      if (props.values.transcription_callback_url) attributes.transcribeCallback = props.values.transcription_callback_url;
    }
    if (props.values.recording_status_callback_url) attributes.recordingStatusCallback = props.values.recording_status_callback_url;
    return callWait(env, [{ verb: 'Record', attributes, callback: { attribute: 'action' } }, redirectBack(true)]);
  },
  resume(_env, wait, event) {
    if (event.type === 'call-ended' && wait.kind === 'call') return { type: 'transition', event: 'hangup', outputs: callbackOutputs(event.params) };
    const callback = callbackFor(wait, event);
    if (!callback) return null;
    return { type: 'transition', event: callback.fallthrough ? 'noAudio' : 'recordingComplete', outputs: callbackOutputs(callback.params) };
  },
};
