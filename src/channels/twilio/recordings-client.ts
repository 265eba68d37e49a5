// Call Recordings API client for the record-call widget on the Twilio carrier: starts a recording
// of a live call (POST …/Calls/{CA}/Recordings.json) or stops the current one (POST
// …/Calls/{CA}/Recordings/Twilio.CURRENT.json, Status=stopped). Same auth, per-account API base
// URL and retry rule as every other create (rest-client.ts): retried only when Twilio surely did
// not act; an unknown outcome is reported as failed, never repeated.
import type { Json, JsonObject } from '../../engine/types.ts';
import type { VoiceResult } from '../../runtime/ports/voice.ts';
import type { TwilioUpstream } from './carrier-config.ts';
import { TwilioRestClient, type CreateOutcome, type FormParams, type RestClientOptions } from './rest-client.ts';

/** Stops whichever recording is in progress on the call (Twilio's alias for it). */
export const CURRENT_RECORDING = 'Twilio.CURRENT';

const RE_SID = /^RE[0-9a-fA-F]{32}$/;

function text(value: Json | undefined): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return typeof value === 'string' ? value : String(value);
}

/**
 * The start form from the widget's options (PascalCase, as the record-call widget emits them), in
 * twilio-node's wire order. The callback events are space- (or comma-) separated in the widget and
 * a repeated field on the wire, as twilio-node sends a list.
 */
export function startRecordingParams(options: JsonObject): FormParams {
  const params: FormParams = [];
  for (const event of (text(options.RecordingStatusCallbackEvent) ?? '').split(/[\s,]+/)) {
    if (event) params.push(['RecordingStatusCallbackEvent', event]);
  }
  const fields = ['RecordingStatusCallback', 'RecordingStatusCallbackMethod', 'Trim', 'RecordingChannels', 'RecordingTrack'] as const;
  for (const name of fields) {
    const value = text(options[name]);
    if (value !== undefined) params.push([name, value]);
  }
  return params;
}

/** A Recording resource (snake_case JSON) → the widget's outputs (AccountSid, CallSid, Sid, Status, Uri…). */
export function recordingOutputs(resource: JsonObject): JsonObject {
  const outputs: JsonObject = {};
  for (const [key, value] of Object.entries(resource)) {
    outputs[key.replace(/(^|_)([a-z0-9])/g, (_m, _sep, c: string) => c.toUpperCase())] = value;
  }
  return outputs;
}

export class RecordingsClient {
  readonly #rest: TwilioRestClient;

  constructor(upstream: TwilioUpstream, options: Partial<RestClientOptions> = {}) {
    this.#rest = new TwilioRestClient(upstream, options);
  }

  #recordingsUrl(callSid: string, recording?: string): string {
    const { apiBaseUrl, accountSid } = this.#rest.upstream;
    const base = `${apiBaseUrl}/2010-04-01/Accounts/${accountSid}/Calls/${encodeURIComponent(callSid)}/Recordings`;
    return recording === undefined ? `${base}.json` : `${base}/${encodeURIComponent(recording)}.json`;
  }

  /** POST /2010-04-01/Accounts/{AC}/Calls/{CA}/Recordings.json */
  start(callSid: string, options: JsonObject): Promise<CreateOutcome> {
    return this.#rest.createAt(this.#recordingsUrl(callSid), startRecordingParams(options));
  }

  /** POST /2010-04-01/Accounts/{AC}/Calls/{CA}/Recordings/{RE…|Twilio.CURRENT}.json with Status=stopped */
  stop(callSid: string, recordingSid: string = CURRENT_RECORDING): Promise<CreateOutcome> {
    return this.#rest.createAt(this.#recordingsUrl(callSid, recordingSid), [['Status', 'stopped']]);
  }
}

/**
 * record-call on the carrier: start, or stop (the recording named by `options.RecordingSid` when
 * it is a RE SID, else the current one). Twilio's refusal keeps its code and message for the
 * widget's `failed` outputs.
 */
export async function recordCallThroughTwilio(
  upstream: TwilioUpstream,
  callSid: string,
  start: boolean,
  options: JsonObject,
  rest: Partial<RestClientOptions> = {},
): Promise<VoiceResult<'recording'>> {
  const client = new RecordingsClient(upstream, rest);
  const named = text(options.RecordingSid);
  const outcome = start ? await client.start(callSid, options) : await client.stop(callSid, named && RE_SID.test(named) ? named : CURRENT_RECORDING);
  if (outcome.kind === 'rejected') return { ok: false, code: outcome.code, message: outcome.message };
  if (outcome.kind === 'unknown') {
    return { ok: false, code: 20500, message: `Twilio did not confirm the recording ${start ? 'start' : 'stop'} (${outcome.reason}); it may or may not have taken effect` };
  }
  return { ok: true, recording: recordingOutputs(outcome.resource) };
}
