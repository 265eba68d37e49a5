// The simulator's phone network: it plays Twilio Voice's part for simulated calls. It posts the
// call webhooks Twilio posts (signed with X-Twilio-Signature), reads the TwiML that comes back with
// a real XML parser and carries it out verb by verb: what the caller hears goes into the call's
// transcript, and a verb that needs the caller (Gather, Record, Dial, Enqueue, Pay, a virtual agent, a
// ConversationRelay session, an outbound call ringing) leaves the call waiting for a caller action from the simulator API.
// It is also the simulator's VoiceChannel: make-outgoing-call-v2 rings a simulated phone here.
// This module is the calls' state machine; twiml-parse.ts reads the documents, call-sids.ts makes and
// reads the CallSids, call-resources.ts holds the parameters and resources it sends.
import type { Element } from '@xmldom/xmldom';
import { randomBytes } from 'node:crypto';
import type { JsonObject, OutboundCall } from '../../engine/types.ts';
import type { VoiceChannel, VoiceContext, VoiceResult } from '../../runtime/ports/voice.ts';
import type { CallWhereabouts } from '../../runtime/calls.ts';
import { randomSid } from '../../runtime/ids.ts';
import { evictOldest } from '../../lib/evict-oldest.ts';
import { withoutPhoneFormatting } from '../../lib/phone-format.ts';
import { INVALID_TO_CODE, isMessageAddress } from './simulator-channel.ts';
import { attr, elements, parseTwiml, textOf } from './twiml-parse.ts';
import { BOOT_ID, PROCESS_KEY, SIMULATOR_SID, isEarlierSimulatorSid, simulatorCallOrigin, simulatorCallSid, type SimulatorCallOrigin } from './call-sids.ts';
import { callParams, callResource, dialParams, recordingParams, recordingResource, ringSeconds as ringSecondsOf } from './call-resources.ts';

export type CallStatus = 'queued' | 'ringing' | 'in-progress' | 'completed' | 'busy' | 'no-answer' | 'failed' | 'canceled';

export interface CallLine {
  at: number;
  /** flow: what the caller hears or is asked; caller: what the caller did; network: what the phone network did. */
  who: 'flow' | 'caller' | 'network';
  kind: string;
  text: string;
}

/**
 * What the call waits for from the caller (or the simulated far end). `timeout` (seconds): how long a
 * Gather waits for input, and a Record for the caller to start speaking (at most maxLength), before
 * the network moves on without the caller, as Twilio does.
 */
export type WaitFor =
  | { kind: 'input'; input: string[]; numDigits?: number; finishOnKey: string; action: string; method: string; actionOnEmptyResult: boolean; timeout: number }
  | { kind: 'record'; finishOnKey: string; action: string; method: string; startedAt: number; timeout: number }
  | { kind: 'dial'; to: string[]; action: string | null; method: string; record: boolean }
  | { kind: 'queue'; queue: string; action: string | null; method: string; startedAt: number }
  | { kind: 'payment'; action: string; method: string }
  | { kind: 'virtual-agent'; connector: string; action: string; method: string }
  /**
   * A <Connect><ConversationRelay>: a session with the app at `url` (its WebSocket URL), whose end the action
   * reports (SessionId, SessionStatus, SessionDuration since `startedAt`, the app's HandoffData).
   */
  | { kind: 'conversation-relay'; url: string; action: string; method: string; startedAt: number }
  | { kind: 'answer' }
  | { kind: 'hold'; url: string; method: string };

/**
 * A wait of the call: `id` tells it from the call's other waits (an action may name the wait it
 * answers, so one sent after a timeout moved the call on is refused, not taken by the next wait);
 * `timesOutAt`, when its timeout runs out (null: it waits for the caller however long it takes).
 */
export type Waiting = WaitFor & { id: number; timesOutAt: number | null };

/** Starts a timer; returns what cancels it. Tests pass their own, which they run by hand, instead of waiting real seconds. */
export type StartTimer = (ms: number, fire: () => void) => () => void;

/** Node's timers, which do not keep the process alive (the calls live in this process's memory only). */
const realTimer: StartTimer = (ms, fire) => {
  const timer = setTimeout(fire, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

/** Twilio's default `timeout` of Gather and of Record (seconds). */
export const DEFAULT_WAIT_TIMEOUT = 5;

export interface PhoneCall {
  sid: string;
  accountSid: string;
  flowSid: string;
  from: string;
  to: string;
  direction: 'inbound' | 'outbound-api';
  /** Outbound: the execution that placed it (an inbound call's is the runtime's to say, once it starts one). */
  executionSid: string | null;
  status: CallStatus;
  dateCreated: number;
  answeredAt: number | null;
  endedAt: number | null;
  lines: CallLine[];
  waiting: Waiting | null;
  recording: boolean;
  /** The recording in progress (Twilio.CURRENT): what a stop answers with. */
  currentRecording: JsonObject | null;
  /** Where the call's status changes go (the flow webhook for inbound calls). */
  statusCallback: string;
  /** Outbound: the URL fetched on answer. */
  answerUrl: string | null;
  /** The verbs of the current document after the one the call waits on. */
  remaining: Element[];
  /** The URL the current document came from (relative action/redirect URLs resolve against it). */
  documentUrl: string | null;
  machineDetection: boolean;
  /**
   * Whether a Gather or Record times out by itself, as on a phone (the default), or waits for the
   * caller's Silence (step-by-step debugging in the console).
   */
  timeouts: boolean;
  /** The waits the call has had (the last one's id). */
  waits: number;
}

/** How a ConversationRelay session can end (the ConversationRelay caller action's SessionStatus): failed takes the widget's failed. */
export const RELAY_SESSION_STATUSES = ['completed', 'ended', 'failed'] as const;

/** A caller action from the simulator API. */
export type CallerAction =
  | { type: 'digits'; digits: string }
  | { type: 'speech'; text: string; confidence?: number }
  | { type: 'silence' }
  | { type: 'recording'; seconds: number; finishKey?: string }
  | { type: 'dial-result'; status: 'completed' | 'busy' | 'no-answer' | 'failed' | 'canceled'; seconds?: number }
  | { type: 'queue-result'; result: string; seconds?: number }
  | { type: 'payment'; result: string; fields?: Record<string, string> }
  | { type: 'virtual-agent'; status: string; fields?: Record<string, string> }
  /** The ConversationRelay session ends with SessionStatus `status`; `fields` such as HandoffData go with it. */
  | { type: 'conversation-relay'; status: string; fields?: Record<string, string> }
  | { type: 'answer'; answeredBy?: string }
  | { type: 'reject'; status: 'busy' | 'no-answer' | 'failed' | 'canceled' }
  /**
   * The caller hangs up. `recordedSeconds`: during a Record, the length of the message left before
   * hanging up (none or 0: hung up before saying anything, so no recording and no action request).
   */
  | { type: 'hangup'; recordedSeconds?: number }
  | { type: 'refresh' };

export interface HttpAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** How the phone reaches URLs: our own server in-process, anything else over HTTP. Requests are signed. */
export interface PhoneTransport {
  request(accountSid: string, url: string, method: string, params: Record<string, string>): Promise<HttpAnswer>;
}

/**
 * Whether the simulator phone calls `to`, as Twilio's Calls API takes it: a phone number or an address
 * the simulator messages (isMessageAddress: `client:<identity>` among them), or a `sip:` URI. Anything
 * else (`not a number`, a bare name, a short code) is refused with 21211 instead of ringing.
 */
export function isCallAddress(to: string): boolean {
  const address = to.trim();
  return isMessageAddress(address) || /^sip:\S+$/i.test(address);
}

/**
 * Why Twilio's Calls API refuses a call before anything rings, as the phone (and flow tests) refuse it:
 * no To is 21201, no From 21213, a To it cannot call 21211 (the widget takes `failed`); null when it places it.
 */
export function refusedCall(to: string, from: string): { fail: number; message: string } | null {
  if (!to) return { fail: 21201, message: "No 'To' number is specified" };
  if (!from) return { fail: 21213, message: "No 'From' number is specified" };
  if (!isCallAddress(to)) return { fail: INVALID_TO_CODE, message: `The 'To' number ${to} is not a valid phone number.` };
  return null;
}

/**
 * A Gather's or Record's timeout attribute in whole seconds: Twilio's default (5 s) when it is absent
 * or not a positive number (Twilio warns 13611 of such a Record timeout; what it does with a Gather's is
 * not documented).
 */
function waitSeconds(value: string, fallback = DEFAULT_WAIT_TIMEOUT): number {
  const seconds = Number(value);
  return value.trim() !== '' && Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds) : fallback;
}

export class CallError extends Error {
  readonly code: 'not-found' | 'not-waiting' | 'ended';
  constructor(code: 'not-found' | 'not-waiting' | 'ended', message: string) {
    super(message);
    this.code = code;
  }
}

const MAX_REQUESTS_PER_ACTION = 200;
const FINAL: CallStatus[] = ['completed', 'busy', 'no-answer', 'failed', 'canceled'];

/** This process's phones by id: a live one (weakly held), or null once closed. */
const phonesOfThisProcess = new Map<string, WeakRef<SimulatorPhone> | null>();

export interface SimulatorPhoneOptions {
  now?: () => number;
  /**
   * The key of the check in an account's simulator CallSids (null: no such account). It must be the same
   * for every process using the store and survive restarts (app.ts: CallService.accountKey); without it
   * the phone keys them with a key of this process's, so no other process recognises them.
   */
  callSidKey?: (accountSid: string) => Promise<Buffer | null>;
  /**
   * The keys a CallSid's check is accepted under: callSidKey's, then keys being rotated out (the
   * account's or the server's previous callback secret: CallService.acceptedAccountKeys), so a rotation
   * does not turn the calls in progress into strangers. Default: callSidKey's alone.
   */
  acceptedCallSidKeys?: (accountSid: string) => Promise<readonly Buffer[]>;
  /**
   * Whether this process uses the store alone (SQLite under the data directory's lock): another
   * process's simulator call is then certainly gone if that process used it alone too. False (the
   * default): another process's call may be live (PostgreSQL nodes, a guest of a server's store).
   */
  soleStoreUser?: boolean;
  /** How the phone times a ringing call and a Gather or Record waiting for the caller (Node's timers by default). */
  startTimer?: StartTimer;
}

export class SimulatorPhone implements VoiceChannel {
  readonly name = 'simulator';
  readonly #calls = new Map<string, PhoneCall>();
  /** This phone's part of its CallSids, and the counter of its calls. */
  readonly #id: string;
  #lastSerial = randomBytes(3).readUIntBE(0, 3);
  readonly #transport: PhoneTransport;
  readonly #now: () => number;
  readonly #callSidKey: (accountSid: string) => Promise<Buffer | null>;
  readonly #acceptedCallSidKeys: (accountSid: string) => Promise<readonly Buffer[]>;
  readonly #soleStoreUser: boolean;
  /** Serialises actions per call, as a real call handles one request at a time. */
  readonly #queues = new Map<string, Promise<unknown>>();
  /**
   * Outbound calls ringing, by SID: each gives up as no-answer when its ring timeout runs out, as the
   * network does. A plain timer is enough: the calls themselves live in this process's memory only.
   */
  readonly #ringing = new Map<string, () => void>();
  /** The timeout of each call's Gather or Record, by SID: what cancels it. */
  readonly #waitTimers = new Map<string, () => void>();
  readonly #startTimer: StartTimer;

  constructor(transport: PhoneTransport, options: SimulatorPhoneOptions = {}) {
    this.#transport = transport;
    this.#now = options.now ?? Date.now;
    const callSidKey = options.callSidKey ?? (async () => PROCESS_KEY);
    this.#callSidKey = callSidKey;
    this.#acceptedCallSidKeys = options.acceptedCallSidKeys ?? (async (accountSid) => [await callSidKey(accountSid)].filter((key) => key !== null));
    this.#soleStoreUser = options.soleStoreUser ?? false;
    this.#startTimer = options.startTimer ?? realTimer;
    let id: string;
    do id = randomBytes(3).toString('hex').slice(1); while (phonesOfThisProcess.has(id));
    this.#id = id;
    phonesOfThisProcess.set(id, new WeakRef(this));
  }

  /**
   * What this process can tell of a call of the account's by its SID (CallWhereabouts): `null`, not a
   * simulator call of the account (a carrier's; a forged SID fails the check); `here`, a call a phone of
   * this process made and still has (live, or ended with its final status sent to the flow); `lost`, a
   * simulator call whose phone is certainly gone (a phone of this process closed since; an earlier
   * process that used the store alone, as this one does: a restart) or that its phone dropped (it keeps
   * the 5,000 most recent calls): nobody can drive it or send its final status any more; `elsewhere`, a
   * simulator call of another process this one cannot ask (another node, a guest such as `switchboard
   * call`, a server on a store this process only visits, a call made by an earlier version): it may be live.
   */
  async whereabouts(callSid: string, accountSid: string): Promise<CallWhereabouts> {
    if (!SIMULATOR_SID.test(callSid)) return null;
    let origin: SimulatorCallOrigin | null = null;
    for (const key of await this.#acceptedCallSidKeys(accountSid)) if ((origin = simulatorCallOrigin(callSid, key))) break;
    if (!origin) return isEarlierSimulatorSid(callSid) ? 'elsewhere' : null;
    if (origin.boot === BOOT_ID) {
      // Every phone of this process is registered: an unknown one would be a SID forged with the key.
      if (!phonesOfThisProcess.has(origin.phone)) return 'elsewhere';
      return phonesOfThisProcess.get(origin.phone)?.deref()?.get(callSid) ? 'here' : 'lost';
    }
    return origin.sole && this.#soleStoreUser ? 'lost' : 'elsewhere';
  }

  /**
   * The server is closing: its calls can no longer be driven, and no final status of theirs will reach
   * a flow. Their executions are then judged lost (whereabouts), as after a restart. Returns the calls
   * that were still live, whose executions the runtime ends (CallService.endDroppedCalls).
   */
  close(): PhoneCall[] {
    phonesOfThisProcess.set(this.#id, null);
    for (const cancel of [...this.#ringing.values(), ...this.#waitTimers.values()]) cancel();
    this.#ringing.clear();
    this.#waitTimers.clear();
    return [...this.#calls.values()].filter((call) => !FINAL.includes(call.status));
  }

  get(callSid: string): PhoneCall | undefined {
    return this.#calls.get(callSid);
  }

  list(accountSid: string, flowSid?: string): PhoneCall[] {
    return [...this.#calls.values()].filter((c) => c.accountSid === accountSid && (!flowSid || c.flowSid === flowSid));
  }

  /**
   * A simulated caller dials the flow: the flow webhook gets the incoming call. `timeouts` false: its
   * Gathers and Records wait for the caller's Silence instead of timing out (step-by-step debugging).
   */
  async dial(accountSid: string, flowSid: string, webhookUrl: string, from: string, to: string, options: { timeouts?: boolean } = {}): Promise<PhoneCall> {
    const call = await this.#newCall({ accountSid, flowSid, from, to, direction: 'inbound', executionSid: null, statusCallback: webhookUrl, answerUrl: null, machineDetection: false });
    call.timeouts = options.timeouts ?? true;
    call.status = 'ringing';
    await this.#serial(call, async () => {
      await this.#fetchAndRun(call, webhookUrl, 'POST', {});
    });
    return call;
  }

  /**
   * A caller action; resolves once the call waits again or has ended. `waitId`: the wait the action
   * answers; when the call has moved on from it (its timeout ran out first), the action is refused
   * ('not-waiting') instead of reaching the next wait. A hangup is taken whatever the call waits for.
   */
  async act(callSid: string, action: CallerAction, waitId?: number): Promise<PhoneCall> {
    const call = this.#calls.get(callSid);
    if (!call) throw new CallError('not-found', `call ${callSid} does not exist`);
    // A caller hangs up at once, whatever the call is doing: not after the request in flight (a flow
    // in a slow HTTP request holds it for seconds), whose answer is then dropped unheard. The flow
    // learns it from the final status, as from Twilio.
    if (action.type === 'hangup' && this.#queues.has(call.sid)) {
      if (FINAL.includes(call.status)) throw new CallError('ended', `call ${call.sid} has ended (${call.status})`);
      await this.#end(call, 'completed', 'caller hung up');
      return call;
    }
    await this.#serial(call, async () => {
      if (waitId !== undefined && action.type !== 'hangup' && action.type !== 'refresh' && !FINAL.includes(call.status) && call.waiting?.id !== waitId) {
        throw new CallError('not-waiting', `call ${call.sid} has moved on from the wait this answers (${call.waiting ? `it now waits for ${call.waiting.kind}` : 'it waits for nothing now'}): nothing was sent`);
      }
      await this.#act(call, action);
    });
    return call;
  }

  /**
   * Turns the timeouts of a call's Gathers and Records on or off. On, the wait in progress gets its
   * full timeout from now; off, it waits for the caller.
   */
  async setTimeouts(callSid: string, on: boolean): Promise<PhoneCall> {
    const call = this.#calls.get(callSid);
    if (!call) throw new CallError('not-found', `call ${callSid} does not exist`);
    await this.#serial(call, async () => {
      if (call.timeouts === on) return;
      call.timeouts = on;
      this.#disarm(call);
      if (call.waiting && !FINAL.includes(call.status)) this.#arm(call, call.waiting);
    });
    return call;
  }

  /** Milliseconds until the call's Gather or Record times out; null when it waits for the caller. */
  timeLeft(call: PhoneCall): number | null {
    const at = call.waiting?.timesOutAt;
    return at === null || at === undefined ? null : Math.max(0, at - this.#now());
  }

  /** Resolves once the call has no work in progress (a timeout that fired has run its course). */
  async settled(callSid: string): Promise<void> {
    while (this.#queues.has(callSid)) await this.#queues.get(callSid)!.catch(() => undefined);
  }

  // ---- VoiceChannel (make-outgoing-call-v2 and record-call in the simulator)

  async placeCall(context: VoiceContext & { answerUrl?: string; statusCallback?: string }, spec: OutboundCall): Promise<VoiceResult<'call'>> {
    if (!context.answerUrl || !context.statusCallback) return { ok: false, code: 21205, message: 'the simulator phone needs callback URLs to place a call' };
    // As Twilio's Calls API: no To is 21201, no From 21213, a To it cannot call 21211 (the widget takes `failed`).
    const refused = refusedCall(spec.to, spec.from);
    if (refused) return { ok: false, code: refused.fail, message: refused.message };
    // As Twilio's Calls API keeps them: a phone number written for people as its E.164 (the call's To and Called).
    spec = { ...spec, from: withoutPhoneFormatting(spec.from), to: withoutPhoneFormatting(spec.to) };
    const call = await this.#newCall({
      accountSid: context.accountSid,
      flowSid: context.flowSid,
      from: spec.from,
      to: spec.to,
      direction: 'outbound-api',
      executionSid: context.executionSid,
      statusCallback: context.statusCallback,
      answerUrl: context.answerUrl,
      machineDetection: !!spec.options.MachineDetection,
    });
    call.status = 'ringing';
    call.recording = spec.record;
    this.#wait(call, { kind: 'answer' });
    const ringSeconds = ringSecondsOf(spec.timeout);
    this.#line(call, 'network', 'ringing', `calling ${spec.to} from ${spec.from} (rings up to ${ringSeconds} s)`);
    const cancel = this.#startTimer(ringSeconds * 1000, () => {
      this.#ringing.delete(call.sid);
      void this.#serial(call, async () => {
        if (call.waiting?.kind === 'answer') await this.#end(call, 'no-answer', `nobody answered within ${ringSeconds} s`);
      }).catch(() => undefined);
    });
    this.#ringing.set(call.sid, cancel);
    return { ok: true, call: callResource(call) };
  }

  /**
   * record-call, as Twilio's Call Recordings API answers it: a start makes a recording, which becomes
   * the call's current one (Twilio.CURRENT); a stop stops that one and answers with it (same Sid,
   * Channels and StartTime, Status stopped), or fails with 20404 when nothing is being recorded, as
   * Twilio does. Only a call in progress can be recorded (21220 otherwise): an incoming call is answered
   * once the first TwiML verb runs, so record-call as an incoming call's first widget (still ringing:
   * the flow webhook is being answered) fails, as on Twilio; an outbound call once it is answered.
   */
  async recordCall(_context: Omit<VoiceContext, 'callbackId'>, callSid: string, start: boolean, options: JsonObject): Promise<VoiceResult<'recording'>> {
    const call = this.#calls.get(callSid);
    if (!call || call.status !== 'in-progress') {
      return { ok: false, code: 21220, message: `Call ${callSid} is not in progress (${call?.status ?? 'unknown'}): it cannot be recorded` };
    }
    if (!start) {
      const current = call.currentRecording;
      if (!current) {
        return { ok: false, code: 20404, message: `The requested resource /2010-04-01/Accounts/${call.accountSid}/Calls/${call.sid}/Recordings/Twilio.CURRENT.json was not found` };
      }
      call.currentRecording = null;
      call.recording = false;
      this.#line(call, 'network', 'recording', `call recording ${String(current.Sid)} stopped`);
      return { ok: true, recording: { ...current, DateUpdated: new Date(this.#now()).toUTCString(), Status: 'stopped' } };
    }
    const recording = recordingResource(call, options.RecordingChannels === 'mono' ? 1 : 2, 'StartCallRecordingAPI', this.#now());
    call.currentRecording = recording;
    call.recording = true;
    this.#line(call, 'network', 'recording', `call recording ${String(recording.Sid)} started`);
    return { ok: true, recording: { ...recording } };
  }

  // ---- internals

  async #newCall(init: Pick<PhoneCall, 'accountSid' | 'flowSid' | 'from' | 'to' | 'direction' | 'executionSid' | 'statusCallback' | 'answerUrl' | 'machineDetection'>): Promise<PhoneCall> {
    const key = (await this.#callSidKey(init.accountSid)) ?? PROCESS_KEY;
    this.#lastSerial = (this.#lastSerial + 1) % 0x1000000;
    const call: PhoneCall = {
      sid: simulatorCallSid(key, this.#soleStoreUser, this.#id, this.#lastSerial),
      ...init,
      status: 'queued',
      dateCreated: this.#now(),
      answeredAt: null,
      endedAt: null,
      lines: [],
      waiting: null,
      recording: false,
      currentRecording: null,
      remaining: [],
      documentUrl: null,
      timeouts: true,
      waits: 0,
    };
    this.#calls.set(call.sid, call);
    evictOldest(this.#calls, 5000);
    return call;
  }

  async #serial(call: PhoneCall, work: () => Promise<void>): Promise<void> {
    const previous = this.#queues.get(call.sid) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.#queues.set(call.sid, next);
    try {
      await next;
    } finally {
      if (this.#queues.get(call.sid) === next) this.#queues.delete(call.sid);
    }
  }

  #line(call: PhoneCall, who: CallLine['who'], kind: string, text: string): void {
    call.lines.push({ at: this.#now(), who, kind, text });
  }

  async #act(call: PhoneCall, action: CallerAction): Promise<void> {
    if (action.type === 'refresh') {
      if (call.waiting?.kind === 'hold') await this.#follow(call, call.waiting.url, call.waiting.method, {});
      return;
    }
    if (FINAL.includes(call.status)) throw new CallError('ended', `call ${call.sid} has ended (${call.status})`);
    if (action.type === 'hangup') return this.#hangUp(call, action.recordedSeconds);
    const waiting = call.waiting;
    if (!waiting) throw new CallError('not-waiting', `call ${call.sid} is not waiting for the caller`);
    switch (action.type) {
      case 'answer':
      case 'reject': {
        if (waiting.kind !== 'answer') break;
        if (action.type === 'reject') return this.#end(call, action.status, `the callee did not answer (${action.status})`);
        this.#stopRinging(call);
        call.status = 'in-progress';
        call.answeredAt = this.#now();
        // Placed with Record=true: Twilio records from the answer (mono, the Calls API's default); a
        // record-call stop then stops that recording.
        if (call.recording) call.currentRecording = recordingResource(call, 1, 'OutboundAPI', this.#now());
        call.waiting = null;
        const extra: Record<string, string> = {};
        if (call.machineDetection) {
          extra.AnsweredBy = action.answeredBy ?? 'human';
          extra.MachineDetectionDuration = '1200';
        }
        this.#line(call, 'caller', 'answer', `answered${extra.AnsweredBy ? ` (${extra.AnsweredBy})` : ''}`);
        return this.#follow(call, call.answerUrl!, 'POST', extra);
      }
      case 'digits':
      case 'speech':
      case 'silence': {
        if (waiting.kind === 'input') return this.#gatherInput(call, waiting, action);
        if (waiting.kind === 'record') {
          if (action.type === 'silence') return this.#silentRecording(call);
          if (action.type === 'digits') {
            // Only a key of the Record's finishOnKey ends it (Twilio's default: any key); others are recorded over.
            const key = [...action.digits].find((digit) => waiting.finishOnKey.includes(digit));
            if (key) return this.#recorded(call, waiting, 5, key);
            this.#line(call, 'caller', 'digits', `${action.digits} (not a finish key: the recording goes on)`);
            return;
          }
        }
        break;
      }
      case 'recording':
        if (waiting.kind === 'record') return this.#recorded(call, waiting, action.seconds, action.finishKey ?? '');
        break;
      case 'dial-result':
        if (waiting.kind === 'dial') {
          this.#line(call, 'network', 'dial', `dialled call ${action.status}`);
          const seconds = action.status === 'completed' ? (action.seconds ?? 30) : 0;
          return this.#afterVerb(call, waiting.action, waiting.method, dialParams(call, waiting, action.status, seconds));
        }
        break;
      case 'queue-result':
        if (waiting.kind === 'queue') {
          this.#line(call, 'network', 'queue', `left the queue: ${action.result}`);
          // The caller hung up in the queue: the action learns it, and nothing more is played.
          if (action.result === 'hangup') return this.#hangUp(call, undefined, action.seconds);
          return this.#afterVerb(call, waiting.action, waiting.method, { QueueResult: action.result, QueueSid: randomSid('QU'), QueueTime: String(action.seconds ?? 10) });
        }
        break;
      case 'payment':
        if (waiting.kind === 'payment') {
          this.#line(call, 'caller', 'payment', `payment ${action.result}`);
          return this.#afterVerb(call, waiting.action, waiting.method, { Result: action.result, ...(action.fields ?? {}) });
        }
        break;
      case 'virtual-agent':
        if (waiting.kind === 'virtual-agent') {
          this.#line(call, 'network', 'virtual-agent', `virtual agent ${action.status}`);
          return this.#afterVerb(call, waiting.action, waiting.method, { VirtualAgentProvider: 'DialogflowCX', VirtualAgentStatus: action.status, ...(action.fields ?? {}) });
        }
        break;
      case 'conversation-relay':
        if (waiting.kind === 'conversation-relay') {
          const handoff = action.fields?.HandoffData;
          this.#line(call, 'network', 'conversation-relay', `ConversationRelay session ${action.status}${handoff ? `, handing off: ${handoff}` : ''}`);
          return this.#afterVerb(call, waiting.action, waiting.method, { ...this.#relayEnded(waiting, action.status), ...(action.fields ?? {}) });
        }
        break;
    }
    throw new CallError('not-waiting', `call ${call.sid} is waiting for ${waiting.kind}, not ${action.type}`);
  }

  /**
   * The parameters a ConversationRelay session's Connect action reports as it ends with `status`: its
   * SessionId, SessionStatus and SessionDuration (whole seconds since it began, by the phone's clock).
   */
  #relayEnded(waiting: Extract<Waiting, { kind: 'conversation-relay' }>, status: string): Record<string, string> {
    const seconds = Math.max(0, Math.round((this.#now() - waiting.startedAt) / 1000));
    return { SessionId: randomSid('VX'), SessionStatus: status, SessionDuration: String(seconds) };
  }

  async #gatherInput(call: PhoneCall, waiting: Extract<Waiting, { kind: 'input' }>, action: Extract<CallerAction, { type: 'digits' | 'speech' | 'silence' }>): Promise<void> {
    const extra: Record<string, string> = {};
    if (action.type === 'digits' && waiting.input.includes('dtmf')) {
      // Key by key, as Twilio reads them: the finish key ends the input (and is not part of it), and so does
      // the numDigits-th key, before any finish key pressed after it.
      let digits = '';
      let finishedOnKey = '';
      for (const key of action.digits) {
        if (waiting.finishOnKey && key === waiting.finishOnKey) {
          finishedOnKey = key;
          break;
        }
        digits += key;
        if (waiting.numDigits && digits.length >= waiting.numDigits) break;
      }
      this.#line(call, 'caller', 'digits', action.digits);
      extra.Digits = digits;
      extra.FinishedOnKey = finishedOnKey;
    } else if (action.type === 'speech' && waiting.input.includes('speech')) {
      this.#line(call, 'caller', 'speech', action.text);
      extra.SpeechResult = action.text;
      extra.Confidence = String(action.confidence ?? 0.9);
    } else {
      this.#line(call, 'caller', 'silence', '(no input)');
    }
    if ((extra.Digits ?? '') === '' && (extra.SpeechResult ?? '') === '') {
      if (!waiting.actionOnEmptyResult) return this.#continue(call);
      extra.Digits = '';
    }
    return this.#afterVerb(call, waiting.action, waiting.method, extra);
  }

  /**
   * The caller hangs up. As Twilio does, the verb the call waits on has its action requested as the
   * call ends (CallStatus completed; its TwiML is not run), then the final status is sent: a Record with
   * the message left (Digits=hangup; `recordedSeconds`), a Dial (the call was connected), an Enqueue
   * (QueueResult=hangup), a Pay (Result=caller-hung-up) and a Connect (the virtual agent's or the
   * ConversationRelay session ended, completed). A Record the caller said nothing to has no recording, so no action (Twilio skips the action
   * of an empty recording); a Gather requests nothing. The flow learns the rest from the final status.
   * `queueSeconds`: how long the caller was in the queue, when the simulator API says.
   */
  async #hangUp(call: PhoneCall, recordedSeconds?: number, queueSeconds?: number): Promise<void> {
    const waiting = call.waiting;
    let extra: Record<string, string> | null = null;
    if (waiting?.kind === 'record' && waiting.action) {
      const seconds = Math.round(recordedSeconds ?? 0);
      if (seconds > 0) {
        this.#line(call, 'caller', 'recording', `recorded ${seconds} s, then hung up`);
        extra = { ...recordingParams(call, seconds), Digits: 'hangup' };
      } else {
        this.#line(call, 'caller', 'silence', '(no audio: hung up before saying anything)');
      }
    } else if (waiting?.kind === 'dial' && waiting.action) {
      extra = dialParams(call, waiting, 'completed', 0);
    } else if (waiting?.kind === 'queue' && waiting.action) {
      const seconds = queueSeconds ?? Math.round((this.#now() - waiting.startedAt) / 1000);
      extra = { QueueResult: 'hangup', QueueSid: randomSid('QU'), QueueTime: String(seconds) };
    } else if (waiting?.kind === 'payment' && waiting.action) {
      extra = { Result: 'caller-hung-up' };
    } else if (waiting?.kind === 'virtual-agent' && waiting.action) {
      extra = { VirtualAgentProvider: 'DialogflowCX', VirtualAgentStatus: 'completed' };
    } else if (waiting?.kind === 'conversation-relay' && waiting.action) {
      extra = this.#relayEnded(waiting, 'completed');
    }
    if (waiting && extra && 'action' in waiting && waiting.action) {
      call.waiting = null;
      try {
        const url = new URL(waiting.action, call.documentUrl ?? undefined).toString();
        const answer = await this.#transport.request(call.accountSid, url, waiting.method, { ...callParams(call), CallStatus: 'completed', ...extra });
        if (answer.status >= 400) this.#line(call, 'network', 'error', `${url} answered HTTP ${answer.status}: ${answer.body.slice(0, 200)}`);
      } catch (error) {
        this.#line(call, 'network', 'error', `the action request after the hangup failed: ${(error as Error).message}`);
      }
    }
    return this.#end(call, 'completed', 'caller hung up');
  }

  /** A Record the caller said nothing to: no recording, so Twilio skips its action and goes on. */
  async #silentRecording(call: PhoneCall): Promise<void> {
    this.#line(call, 'caller', 'silence', '(no audio)');
    return this.#continue(call);
  }

  async #recorded(call: PhoneCall, waiting: Extract<Waiting, { kind: 'record' }>, seconds: number, finishKey: string): Promise<void> {
    if (seconds <= 0) {
      this.#line(call, 'caller', 'silence', '(no audio)');
      return this.#continue(call);
    }
    this.#line(call, 'caller', 'recording', `recorded ${seconds} s${finishKey ? `, finished with ${finishKey}` : ''}`);
    // Digits is "the key (if any) pressed to end the recording or 'hangup' if the caller hung up" (Twilio's
    // <Record>): a recording the silence timeout or maxLength ended, on a call that goes on, has none.
    return this.#afterVerb(call, waiting.action, waiting.method, { ...recordingParams(call, seconds), ...(finishKey ? { Digits: finishKey } : {}) });
  }

  /** After a verb with an action: Twilio requests it and runs the new document; without one it goes on. */
  async #afterVerb(call: PhoneCall, action: string | null, method: string, extra: Record<string, string>): Promise<void> {
    this.#disarm(call);
    call.waiting = null;
    if (!action) return this.#continue(call);
    return this.#follow(call, action, method, extra);
  }

  async #continue(call: PhoneCall): Promise<void> {
    this.#disarm(call);
    call.waiting = null;
    await this.#run(call, call.remaining, 0);
  }

  async #follow(call: PhoneCall, url: string, method: string, extra: Record<string, string>): Promise<void> {
    this.#disarm(call);
    call.waiting = null;
    await this.#fetchAndRun(call, url, method, extra, 0);
  }

  async #fetchAndRun(call: PhoneCall, relative: string, method: string, extra: Record<string, string>, depth = 0): Promise<void> {
    if (depth > MAX_REQUESTS_PER_ACTION) return this.#end(call, 'failed', 'too many TwiML requests in a row (a redirect loop?)');
    let url: string;
    try {
      url = new URL(relative, call.documentUrl ?? undefined).toString();
    } catch {
      this.#line(call, 'network', 'error', `'${relative}' is not a URL`);
      return this.#end(call, 'failed', 'an application error has occurred');
    }
    call.documentUrl = url;
    let answer: HttpAnswer;
    try {
      answer = await this.#transport.request(call.accountSid, url, method, { ...callParams(call), ...extra });
    } catch (error) {
      if (FINAL.includes(call.status)) return; // hung up meanwhile
      this.#line(call, 'network', 'error', `request to ${url} failed: ${(error as Error).message}`);
      return this.#end(call, 'failed', 'an application error has occurred');
    }
    // The caller hung up while the request was out: nobody hears its answer.
    if (FINAL.includes(call.status)) return;
    if (answer.status === 204) return this.#end(call, 'completed', 'the application answered no content');
    if (answer.status >= 400) {
      this.#line(call, 'network', 'error', `${url} answered HTTP ${answer.status}: ${answer.body.slice(0, 200)}`);
      return this.#end(call, 'failed', 'an application error has occurred');
    }
    let verbs: Element[];
    try {
      verbs = parseTwiml(answer.body);
    } catch (error) {
      this.#line(call, 'network', 'error', (error as Error).message);
      return this.#end(call, 'failed', 'an application error has occurred');
    }
    if (call.status === 'ringing' || call.status === 'queued') {
      call.status = 'in-progress';
      call.answeredAt ??= this.#now();
    }
    await this.#run(call, verbs, depth);
  }

  /** Carries out verbs until one needs the caller, a new document is fetched, or the call ends. */
  async #run(call: PhoneCall, verbs: Element[], depth: number): Promise<void> {
    for (let i = 0; i < verbs.length; i++) {
      if (FINAL.includes(call.status)) return;
      const verb = verbs[i]!;
      const rest = verbs.slice(i + 1);
      const method = attr(verb, 'method', 'POST').toUpperCase();
      switch (verb.tagName) {
        case 'Say':
        case 'Play':
        case 'Pause':
          this.#hear(call, verb);
          break;
        case 'Gather': {
          for (const child of elements(verb)) this.#hear(call, child);
          const numDigits = Number(attr(verb, 'numDigits'));
          call.remaining = rest;
          const timeout = waitSeconds(attr(verb, 'timeout'));
          const input = attr(verb, 'input', 'dtmf').split(/\s+/);
          this.#line(call, 'flow', 'gather', `waiting for ${input.join(' or ')} (timeout ${timeout} s)`);
          this.#wait(call, {
            kind: 'input',
            input,
            ...(Number.isFinite(numDigits) && numDigits > 0 ? { numDigits } : {}),
            finishOnKey: attr(verb, 'finishOnKey', '#'),
            action: attr(verb, 'action'),
            method,
            actionOnEmptyResult: attr(verb, 'actionOnEmptyResult') === 'true',
            timeout,
          });
          return;
        }
        case 'Record': {
          if (attr(verb, 'playBeep', 'true') !== 'false') this.#line(call, 'flow', 'beep', 'beep');
          call.remaining = rest;
          const maxLength = waitSeconds(attr(verb, 'maxLength'), 3600);
          // A caller who never speaks: the silence timeout ends the recording, or maxLength first.
          const timeout = Math.min(waitSeconds(attr(verb, 'timeout')), maxLength);
          this.#line(call, 'flow', 'record', `recording (max ${maxLength} s)`);
          this.#wait(call, { kind: 'record', finishOnKey: attr(verb, 'finishOnKey', '1234567890*#'), action: attr(verb, 'action'), method, startedAt: this.#now(), timeout });
          return;
        }
        case 'Dial': {
          const targets = elements(verb).map((n) => `${n.tagName.toLowerCase()}:${textOf(n)}`);
          if (targets.length === 0 && textOf(verb)) targets.push(`number:${textOf(verb)}`);
          call.remaining = rest;
          // record="record-from-answer" (Studio's), -dual, record-from-ringing(-dual), or the legacy "true".
          const record = !['', 'false', 'do-not-record'].includes(attr(verb, 'record').toLowerCase());
          this.#wait(call, { kind: 'dial', to: targets, action: attr(verb, 'action') || null, method, record });
          this.#line(call, 'flow', 'dial', `connecting to ${targets.join(', ')}`);
          return;
        }
        case 'Enqueue': {
          const task = elements(verb).find((n) => n.tagName === 'Task');
          const queue = attr(verb, 'workflowSid') ? `workflow ${attr(verb, 'workflowSid')}${task ? ` task ${textOf(task)}` : ''}` : textOf(verb);
          call.remaining = rest;
          this.#wait(call, { kind: 'queue', queue, action: attr(verb, 'action') || null, method, startedAt: this.#now() });
          this.#line(call, 'flow', 'enqueue', `waiting in ${queue}`);
          return;
        }
        case 'Pay':
          call.remaining = rest;
          this.#wait(call, { kind: 'payment', action: attr(verb, 'action'), method });
          this.#line(call, 'flow', 'pay', `payment of ${attr(verb, 'chargeAmount', '0')} ${attr(verb, 'currency', 'usd')} via ${attr(verb, 'paymentConnector', 'Default')}`);
          return;
        case 'Connect': {
          const agent = elements(verb).find((n) => n.tagName === 'VirtualAgent');
          const relay = elements(verb).find((n) => n.tagName === 'ConversationRelay');
          call.remaining = rest;
          if (relay) {
            const url = attr(relay, 'url');
            this.#wait(call, { kind: 'conversation-relay', url, action: attr(verb, 'action'), method, startedAt: this.#now() });
            const greeting = attr(relay, 'welcomeGreeting');
            this.#line(call, 'flow', 'conversation-relay', `talking to the ConversationRelay app at ${url}${greeting ? `: ${greeting}` : ''}`);
            return;
          }
          const connector = agent ? attr(agent, 'connectorName') : '';
          this.#wait(call, { kind: 'virtual-agent', connector, action: attr(verb, 'action'), method });
          this.#line(call, 'flow', 'virtual-agent', `talking to virtual agent ${connector}`);
          return;
        }
        case 'Start':
        case 'Stop':
          for (const child of elements(verb)) this.#line(call, 'network', verb.tagName.toLowerCase(), `${verb.tagName.toLowerCase()} ${child.tagName} ${attr(child, 'name') || attr(child, 'url') || attr(child, 'connectorName')}`.trim());
          break;
        case 'Redirect': {
          const url = textOf(verb);
          const previous = verbs[i - 1];
          // Our hold answer (<Pause/> then <Redirect>): the call waits until the simulator asks again.
          if (previous?.tagName === 'Pause' && url.includes('sb=') && url.includes('.hold.c.')) {
            this.#wait(call, { kind: 'hold', url, method });
            call.remaining = [];
            return;
          }
          return this.#fetchAndRun(call, url, method, {}, depth + 1);
        }
        case 'Hangup':
        case 'Reject':
          return this.#end(call, verb.tagName === 'Reject' ? 'busy' : 'completed', 'the flow hung up');
        case 'Leave':
          break;
        default:
          this.#line(call, 'network', 'error', `unknown TwiML verb <${verb.tagName}> ignored`);
      }
    }
    // No verb left: Twilio ends the call.
    if (!FINAL.includes(call.status) && !call.waiting) await this.#end(call, 'completed', 'end of TwiML');
  }

  #hear(call: PhoneCall, verb: Element): void {
    const loop = Number(attr(verb, 'loop', '1'));
    const times = Number.isFinite(loop) && loop > 1 ? ` (×${loop})` : '';
    if (verb.tagName === 'Say') this.#line(call, 'flow', 'say', textOf(verb) + times);
    else if (verb.tagName === 'Play' && verb.hasAttribute('digits')) this.#line(call, 'flow', 'tones', attr(verb, 'digits'));
    else if (verb.tagName === 'Play') this.#line(call, 'flow', 'play', textOf(verb) + times);
    else if (verb.tagName === 'Pause') this.#line(call, 'flow', 'pause', `${attr(verb, 'length', '1')} s of silence`);
  }

  #stopRinging(call: PhoneCall): void {
    this.#ringing.get(call.sid)?.();
    this.#ringing.delete(call.sid);
  }

  /** The call waits for `spec`: a new wait, whose timeout starts now (a Gather's or Record's, when the call has them). */
  #wait(call: PhoneCall, spec: WaitFor): Waiting {
    this.#disarm(call);
    const waiting: Waiting = { ...spec, id: ++call.waits, timesOutAt: null };
    call.waiting = waiting;
    this.#arm(call, waiting);
    return waiting;
  }

  /**
   * Twilio moves on from a Gather or Record the caller leaves silent once its timeout runs out: the
   * Gather with no input (its action with empty Digits when actionOnEmptyResult, else the next verb),
   * the Record with no audio (the next verb). The first of the timeout and a caller action wins: the
   * timer does nothing once the call waits for anything else, and any move off the wait cancels it.
   */
  #arm(call: PhoneCall, waiting: Waiting): void {
    if (!call.timeouts || (waiting.kind !== 'input' && waiting.kind !== 'record')) return;
    const ms = waiting.timeout * 1000;
    waiting.timesOutAt = this.#now() + ms;
    const cancel = this.#startTimer(ms, () => {
      if (this.#waitTimers.get(call.sid) === cancel) this.#waitTimers.delete(call.sid);
      void this.#serial(call, async () => {
        if (call.waiting !== waiting || FINAL.includes(call.status)) return;
        this.#line(call, 'network', 'timeout', `no ${waiting.kind === 'record' ? 'audio' : 'input'} within ${waiting.timeout} s`);
        if (waiting.kind === 'input') return this.#gatherInput(call, waiting, { type: 'silence' });
        return this.#silentRecording(call);
      }).catch(() => undefined);
    });
    this.#waitTimers.set(call.sid, cancel);
  }

  #disarm(call: PhoneCall): void {
    this.#waitTimers.get(call.sid)?.();
    this.#waitTimers.delete(call.sid);
    if (call.waiting) call.waiting.timesOutAt = null;
  }

  async #end(call: PhoneCall, status: CallStatus, why: string): Promise<void> {
    if (FINAL.includes(call.status)) return;
    this.#stopRinging(call);
    this.#disarm(call);
    const wasRinging = call.status === 'ringing' || call.status === 'queued';
    call.status = status;
    call.waiting = null;
    call.remaining = [];
    call.endedAt = this.#now();
    this.#line(call, 'network', 'ended', `call ${status}: ${why}`);
    const duration = call.answeredAt && !wasRinging ? Math.max(0, Math.round((call.endedAt - call.answeredAt) / 1000)) : 0;
    try {
      await this.#transport.request(call.accountSid, call.statusCallback, 'POST', { ...callParams(call), CallDuration: String(duration), Timestamp: new Date(call.endedAt).toUTCString() });
    } catch (error) {
      this.#line(call, 'network', 'error', `status callback failed: ${(error as Error).message}`);
    }
  }
}
