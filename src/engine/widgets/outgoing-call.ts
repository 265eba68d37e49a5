// Shared by Make Outgoing Call v2 and v1 (legacy): asks the voice channel to place a call (Calls API
// parameters, machine detection options included). Once placed, the widget waits: the call being answered
// posts to the execution's callback (and the answered call becomes this execution's call); the final status
// callback of a call that never connected decides how it leaves. The two versions differ only in their
// event names and in when machine detection is asked for (`OutgoingCallEvents`).
// Outputs: AccountSid, AnsweredBy, CallSid, CallStatus, From, To, MachineDetectionDuration.
import type { JsonObject } from '../types.ts';
import { boolProp, callbackFor, intProp, renderedIntProp, renderProps, withWarnings, type RenderedInt } from './voice.ts';
import { awaitEffect, effectResult, stringProp, type WidgetEnv, type WidgetHandler } from './widget.ts';

/** Machine detection settings → Calls API parameter, with the ranges Twilio takes (§2.7). */
const MACHINE_DETECTION = [
  ['machine_detection_timeout', 'MachineDetectionTimeout', 3, 120],
  ['machine_detection_speech_threshold', 'MachineDetectionSpeechThreshold', 1000, 6000],
  ['machine_detection_speech_end_threshold', 'MachineDetectionSpeechEndThreshold', 500, 5000],
  ['machine_detection_silence_timeout', 'MachineDetectionSilenceTimeout', 2000, 10000],
] as const;

const OUTPUT_KEYS = ['AccountSid', 'AnsweredBy', 'CallSid', 'CallStatus', 'From', 'To', 'MachineDetectionDuration', 'Direction', 'ApiVersion'];

function outputsOf(params: JsonObject): JsonObject {
  const outputs: JsonObject = {};
  for (const key of OUTPUT_KEYS) if (params[key] !== undefined) outputs[key] = params[key]!;
  return outputs;
}

/** What tells one version of the widget from the other. */
export interface OutgoingCallEvents {
  /** Whether to ask the Calls API for machine detection (v2: `detect_answering_machine`). */
  detectMachine(env: WidgetEnv): boolean;
  /** The event for the answered call, from the answer's parameters (AnsweredBy). */
  answered(env: WidgetEnv, params: JsonObject): string;
  /** The event for a call that never connected, from its final CallStatus. */
  ended(env: WidgetEnv, status: unknown): string;
}

/** A Make Outgoing Call widget leaving by `events`; a call the channel cannot place takes `failed`. */
export function outgoingCall(events: OutgoingCallEvents): WidgetHandler {
  return {
    enter(env) {
      const props = renderProps(env, ['send_digits', 'recording_status_callback', 'sip_auth_username', 'sip_auth_password'], 'failed');
      if (!props.ok) return props.outcome;
      // The Console fixes to/from to the contact and flow addresses; exports may still carry others.
      const to = env.render(stringProp(env, 'to') ?? '{{contact.channel.address}}');
      const from = env.render(stringProp(env, 'from') ?? '{{flow.channel.address}}');
      if (!to.ok) return { type: 'error', code: 84003, message: to.error.message, failureEvent: 'failed' };
      if (!from.ok) return { type: 'error', code: 84003, message: from.error.message, failureEvent: 'failed' };
      const toValue = to.value.trim();
      const fromValue = from.value.trim();
      if (!toValue || !fromValue) return { type: 'error', code: 81003, message: "Make Outgoing Call needs 'to' and 'from'", failureEvent: 'failed' };
      const options: Record<string, string> = {};
      const read: RenderedInt[] = [];
      if (events.detectMachine(env)) {
        options.MachineDetection = stringProp(env, 'machine_detection') ?? 'Enable';
        // Strings (§2.7), Liquid rendered; a value outside Twilio's range is left out (its default), with 81028.
        for (const [prop, param, min, max] of MACHINE_DETECTION) {
          const value = renderedIntProp(env, prop, `Make Outgoing Call ${prop}`, { min, max });
          read.push(value);
          if (value.value !== undefined) options[param] = String(value.value);
        }
      }
      if (props.values.send_digits) options.SendDigits = props.values.send_digits;
      const record = boolProp(env, 'record', false);
      if (record) {
        options.RecordingChannels = stringProp(env, 'recording_channels') ?? 'mono';
        if (props.values.recording_status_callback) options.RecordingStatusCallback = props.values.recording_status_callback;
      }
      // Studio's widget defaults to do-not-trim; left out, the Calls API would trim silence instead.
      const trim = stringProp(env, 'trim') ?? (record ? 'do-not-trim' : undefined);
      if (trim) options.Trim = trim;
      if (props.values.sip_auth_username) options.SipAuthUsername = props.values.sip_auth_username;
      if (props.values.sip_auth_password) options.SipAuthPassword = props.values.sip_auth_password;
      return withWarnings(awaitEffect({ type: 'place-call', effectId: env.newId('EF'), widget: env.state.name, call: { to: toValue, from: fromValue, timeout: intProp(env, 'timeout', 60)!, record, options } }), ...read);
    },
    resume(env, wait, event) {
      if (wait.kind === 'effect') {
        const result = effectResult(wait, event);
        if (!result) return null;
        if (result.kind === 'call-failed') return { type: 'transition', event: 'failed', outputs: { CallStatus: 'failed', ErrorCode: result.code, ErrorMessage: result.message } };
        if (result.kind !== 'call-placed') return null;
        // Ringing: the answer arrives as this wait's callback; nothing to tell a caller yet.
        // The callback URL the call was placed with names the effect: it becomes the wait's callback id.
        return { type: 'wait', wait: { kind: 'call', callbackId: wait.effectId, twiml: [], outputs: outputsOf(result.call) }, effects: [] };
      }
      if (wait.kind !== 'call') return null;
      // Another call's end (the execution's own inbound call) is not this widget's business.
      if (event.type === 'call-ended' && event.params.CallSid !== undefined && wait.outputs?.CallSid !== undefined && event.params.CallSid !== wait.outputs.CallSid) return null;
      if (event.type === 'call-ended') return { type: 'transition', event: events.ended(env, event.params.CallStatus), outputs: { ...wait.outputs, ...outputsOf(event.params) } };
      const callback = callbackFor(wait, event);
      if (!callback) return null;
      return { type: 'transition', event: events.answered(env, callback.params), outputs: { ...wait.outputs, ...outputsOf(callback.params) } };
    },
  };
}
