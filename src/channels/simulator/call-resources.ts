// A simulated call as the phone describes it to the app, in Twilio Voice's shapes: the parameters of
// every call request, the Call resource placeCall answers with, the Recording resource of record-call,
// and the Recording… and Dial… parameters of a Record's or Dial's action. Kept out of the phone's state
// machine (phone.ts) so that each shape stands in one place, to be held against Twilio's.
import type { JsonObject } from '../../engine/types.ts';
import { randomSid } from '../../runtime/ids.ts';
import type { PhoneCall, Waiting } from './phone.ts';

/**
 * How long an outbound call rings before it ends as no-answer: the widget's `timeout` (seconds), or
 * Twilio's default of 60 when it gives none that rings. Flow tests ring their no-answer mocks as long.
 */
export function ringSeconds(timeout: number): number {
  return Number.isFinite(timeout) && timeout > 0 ? timeout : 60;
}

/** The parameters Twilio sends with every call request. */
export function callParams(call: PhoneCall): Record<string, string> {
  return {
    AccountSid: call.accountSid,
    ApiVersion: '2010-04-01',
    CallSid: call.sid,
    CallStatus: call.status,
    Called: call.to,
    Caller: call.from,
    Direction: call.direction,
    From: call.from,
    To: call.to,
  };
}

/** The Call resource placeCall answers with. */
export function callResource(call: PhoneCall): JsonObject {
  return { CallSid: call.sid, AccountSid: call.accountSid, From: call.from, To: call.to, CallStatus: call.status, Direction: call.direction, ApiVersion: '2010-04-01' };
}

/** A Recording resource for the call, in progress from `now` (record-call's answer, Twilio.CURRENT). */
export function recordingResource(call: PhoneCall, channels: 1 | 2, source: string, now: number): JsonObject {
  const recordingSid = randomSid('RE');
  const at = new Date(now).toUTCString();
  return {
    AccountSid: call.accountSid,
    ApiVersion: '2010-04-01',
    CallSid: call.sid,
    Channels: channels,
    ConferenceSid: null,
    DateCreated: at,
    DateUpdated: at,
    Duration: '-1',
    EncryptionDetails: null,
    ErrorCode: null,
    Price: null,
    PriceUnit: 'USD',
    Sid: recordingSid,
    Source: source,
    StartTime: at,
    Status: 'in-progress',
    Uri: `/2010-04-01/Accounts/${call.accountSid}/Calls/${call.sid}/Recordings/${recordingSid}.json`,
  };
}

/** A recording of the call's (RecordingSid, RecordingUrl, RecordingDuration), as a Record or Dial action carries it. */
export function recordingParams(call: PhoneCall, seconds: number): Record<string, string> {
  const recordingSid = randomSid('RE');
  return {
    RecordingSid: recordingSid,
    RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${call.accountSid}/Recordings/${recordingSid}`,
    RecordingDuration: String(seconds),
  };
}

/**
 * A Dial's action parameters: the dialled call, and its recording when the Dial asked to record
 * (record="record-from-answer" and the like) and the call was answered.
 */
export function dialParams(call: PhoneCall, waiting: Extract<Waiting, { kind: 'dial' }>, status: string, seconds: number): Record<string, string> {
  const answered = status === 'completed';
  return {
    DialCallStatus: status,
    DialCallSid: randomSid('CA'),
    DialCallDuration: String(seconds),
    DialBridged: String(answered),
    ...(answered && waiting.record ? recordingParams(call, seconds) : {}),
  };
}
