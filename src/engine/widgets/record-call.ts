// Call Recording: starts (record_call true) or stops the recording of the current call through the
// voice channel (Studio uses the Call Recordings REST API, not TwiML). `success` with the Recording
// resource's fields as outputs, or `failed`.
import type { JsonObject } from '../types.ts';
import { boolProp, renderProps, requireCall } from './voice.ts';
import { awaitEffect, effectResult, stringProp, type WidgetHandler } from './widget.ts';

export const recordCall: WidgetHandler = {
  enter(env) {
    const refused = requireCall(env, 'failed');
    if (refused) return refused;
    const props = renderProps(env, ['recording_status_callback'], 'failed');
    if (!props.ok) return props.outcome;
    const options: JsonObject = {
      RecordingChannels: stringProp(env, 'recording_channels') ?? 'dual',
      Trim: stringProp(env, 'trim') ?? 'do-not-trim',
      RecordingStatusCallbackMethod: stringProp(env, 'recording_status_callback_method') ?? 'POST',
      RecordingStatusCallbackEvent: stringProp(env, 'recording_status_callback_events') ?? 'completed',
    };
    if (props.values.recording_status_callback) options.RecordingStatusCallback = props.values.recording_status_callback;
    const start = boolProp(env, 'record_call', false);
    return awaitEffect({ type: 'call-recording', effectId: env.newId('EF'), widget: env.state.name, callSid: env.callSid!, start, options });
  },
  resume(_env, wait, event) {
    const result = effectResult(wait, event);
    if (!result) return null;
    if (result.kind === 'call-recording') return { type: 'transition', event: 'success', outputs: result.recording };
    if (result.kind === 'call-failed') return { type: 'transition', event: 'failed', outputs: { ErrorCode: result.code, ErrorMessage: result.message } };
    return null;
  },
};
