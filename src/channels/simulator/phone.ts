// The simulator's phone network: it plays Twilio Voice's part for simulated calls. It posts the
// call webhooks Twilio posts (signed with X-Twilio-Signature), reads the TwiML that comes back with
// a real XML parser and carries it out verb by verb: what the caller hears goes into the call's
// transcript, and a verb that needs the caller (Gather, Record, Dial, Enqueue, Pay, a virtual agent,
// an outbound call ringing) leaves the call waiting for a caller action from the simulator API.
// It is also the simulator's VoiceChannel: make-outgoing-call-v2 rings a simulated phone here.
import { DOMParser, type Element } from '@xmldom/xmldom';
import { randomBytes } from 'node:crypto';
import type { JsonObject, OutboundCall } from '../../engine/types.ts';
import type { VoiceChannel, VoiceContext, VoiceResult } from '../../runtime/ports/voice.ts';
import { evictOldest } from '../../lib/evict-oldest.ts';

export type CallStatus = 'queued' | 'ringing' | 'in-progress' | 'completed' | 'busy' | 'no-answer' | 'failed' | 'canceled';

export interface CallLine {
  at: number;
  /** flow: what the caller hears or is asked; caller: what the caller did; network: what the phone network did. */
  who: 'flow' | 'caller' | 'network';
  kind: string;
  text: string;
}

/** What the call waits for from the caller (or the simulated far end). */
export type Waiting =
  | { kind: 'input'; input: string[]; numDigits?: number; finishOnKey: string; action: string; method: string; actionOnEmptyResult: boolean }
  | { kind: 'record'; finishOnKey: string; action: string; method: string; startedAt: number }
  | { kind: 'dial'; to: string[]; action: string | null; method: string }
  | { kind: 'queue'; queue: string; action: string | null; method: string; startedAt: number }
  | { kind: 'payment'; action: string; method: string }
  | { kind: 'virtual-agent'; connector: string; action: string; method: string }
  | { kind: 'answer' }
  | { kind: 'hold'; url: string; method: string };

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
  /** Where the call's status changes go (the flow webhook for inbound calls). */
  statusCallback: string;
  /** Outbound: the URL fetched on answer. */
  answerUrl: string | null;
  /** The verbs of the current document after the one the call waits on. */
  remaining: Element[];
  /** The URL the current document came from (relative action/redirect URLs resolve against it). */
  documentUrl: string | null;
  machineDetection: boolean;
}

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
  | { type: 'answer'; answeredBy?: string }
  | { type: 'reject'; status: 'busy' | 'no-answer' | 'failed' | 'canceled' }
  | { type: 'hangup' }
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

export class CallError extends Error {
  readonly code: 'not-found' | 'not-waiting' | 'ended';
  constructor(code: 'not-found' | 'not-waiting' | 'ended', message: string) {
    super(message);
    this.code = code;
  }
}

const MAX_REQUESTS_PER_ACTION = 200;
const FINAL: CallStatus[] = ['completed', 'busy', 'no-answer', 'failed', 'canceled'];

function sid(prefix: string): string {
  return prefix + randomBytes(16).toString('hex');
}

function elements(parent: Element): Element[] {
  const out: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) if (node.nodeType === 1) out.push(node as Element);
  return out;
}

function textOf(element: Element): string {
  return (element.textContent ?? '').trim();
}

function attr(element: Element, name: string, fallback = ''): string {
  return element.hasAttribute(name) ? element.getAttribute(name)! : fallback;
}

/** Parses a TwiML document; throws when it is not well-formed XML with a <Response> root. */
export function parseTwiml(xml: string): Element[] {
  const errors: string[] = [];
  const document = new DOMParser({ onError: (level, message) => { if (level !== 'warning') errors.push(message); } }).parseFromString(xml, 'text/xml');
  if (errors.length > 0) throw new Error(`invalid TwiML: ${errors[0]}`);
  const root = document.documentElement;
  if (!root || root.tagName !== 'Response') throw new Error(`invalid TwiML: the root element is <${root?.tagName ?? 'none'}>, not <Response>`);
  return elements(root);
}

export class SimulatorPhone implements VoiceChannel {
  readonly name = 'simulator';
  readonly #calls = new Map<string, PhoneCall>();
  readonly #transport: PhoneTransport;
  readonly #now: () => number;
  /** Serialises actions per call, as a real call handles one request at a time. */
  readonly #queues = new Map<string, Promise<unknown>>();
  /**
   * Outbound calls ringing, by SID: each gives up as no-answer when its ring timeout runs out, as the
   * network does. A plain timer is enough: the calls themselves live in this process's memory only.
   */
  readonly #ringing = new Map<string, NodeJS.Timeout>();

  constructor(transport: PhoneTransport, now: () => number = Date.now) {
    this.#transport = transport;
    this.#now = now;
  }

  get(callSid: string): PhoneCall | undefined {
    return this.#calls.get(callSid);
  }

  list(accountSid: string, flowSid?: string): PhoneCall[] {
    return [...this.#calls.values()].filter((c) => c.accountSid === accountSid && (!flowSid || c.flowSid === flowSid));
  }

  /** A simulated caller dials the flow: the flow webhook gets the incoming call. */
  async dial(accountSid: string, flowSid: string, webhookUrl: string, from: string, to: string): Promise<PhoneCall> {
    const call = this.#newCall({ accountSid, flowSid, from, to, direction: 'inbound', executionSid: null, statusCallback: webhookUrl, answerUrl: null, machineDetection: false });
    call.status = 'ringing';
    await this.#serial(call, async () => {
      await this.#fetchAndRun(call, webhookUrl, 'POST', {});
    });
    return call;
  }

  /** A caller action; resolves once the call waits again or has ended. */
  async act(callSid: string, action: CallerAction): Promise<PhoneCall> {
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
    await this.#serial(call, () => this.#act(call, action));
    return call;
  }

  // ---- VoiceChannel (make-outgoing-call-v2 and record-call in the simulator)

  async placeCall(context: VoiceContext & { answerUrl?: string; statusCallback?: string }, spec: OutboundCall): Promise<VoiceResult<'call'>> {
    if (!context.answerUrl || !context.statusCallback) return { ok: false, code: 21205, message: 'the simulator phone needs callback URLs to place a call' };
    if (!spec.to || !spec.from) return { ok: false, code: 21201, message: 'To and From are required' };
    const call = this.#newCall({
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
    call.waiting = { kind: 'answer' };
    const ringSeconds = Number.isFinite(spec.timeout) && spec.timeout > 0 ? spec.timeout : 60;
    this.#line(call, 'network', 'ringing', `calling ${spec.to} from ${spec.from} (rings up to ${ringSeconds} s)`);
    const timer = setTimeout(() => {
      this.#ringing.delete(call.sid);
      void this.#serial(call, async () => {
        if (call.waiting?.kind === 'answer') await this.#end(call, 'no-answer', `nobody answered within ${ringSeconds} s`);
      }).catch(() => undefined);
    }, ringSeconds * 1000);
    timer.unref();
    this.#ringing.set(call.sid, timer);
    return { ok: true, call: this.#resource(call) };
  }

  async recordCall(_context: Omit<VoiceContext, 'callbackId'>, callSid: string, start: boolean, options: JsonObject): Promise<VoiceResult<'recording'>> {
    const call = this.#calls.get(callSid);
    if (!call || FINAL.includes(call.status)) return { ok: false, code: 21220, message: `call ${callSid} is not in progress` };
    call.recording = start;
    this.#line(call, 'network', 'recording', start ? 'call recording started' : 'call recording stopped');
    const recordingSid = sid('RE');
    const at = new Date(this.#now()).toUTCString();
    return {
      ok: true,
      recording: {
        AccountSid: call.accountSid,
        ApiVersion: '2010-04-01',
        CallSid: call.sid,
        Channels: options.RecordingChannels === 'mono' ? 1 : 2,
        ConferenceSid: null,
        DateCreated: at,
        DateUpdated: at,
        Duration: '-1',
        EncryptionDetails: null,
        ErrorCode: null,
        Price: null,
        PriceUnit: 'USD',
        Sid: recordingSid,
        Source: 'StartCallRecordingAPI',
        StartTime: at,
        Status: start ? 'in-progress' : 'stopped',
        Uri: `/2010-04-01/Accounts/${call.accountSid}/Calls/${call.sid}/Recordings/${recordingSid}.json`,
      },
    };
  }

  // ---- internals

  #newCall(init: Pick<PhoneCall, 'accountSid' | 'flowSid' | 'from' | 'to' | 'direction' | 'executionSid' | 'statusCallback' | 'answerUrl' | 'machineDetection'>): PhoneCall {
    const call: PhoneCall = {
      sid: sid('CA'),
      ...init,
      status: 'queued',
      dateCreated: this.#now(),
      answeredAt: null,
      endedAt: null,
      lines: [],
      waiting: null,
      recording: false,
      remaining: [],
      documentUrl: null,
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

  #resource(call: PhoneCall): JsonObject {
    return { CallSid: call.sid, AccountSid: call.accountSid, From: call.from, To: call.to, CallStatus: call.status, Direction: call.direction, ApiVersion: '2010-04-01' };
  }

  /** The parameters Twilio sends with every call request. */
  #params(call: PhoneCall): Record<string, string> {
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

  #line(call: PhoneCall, who: CallLine['who'], kind: string, text: string): void {
    call.lines.push({ at: this.#now(), who, kind, text });
  }

  async #act(call: PhoneCall, action: CallerAction): Promise<void> {
    if (action.type === 'refresh') {
      if (call.waiting?.kind === 'hold') await this.#follow(call, call.waiting.url, call.waiting.method, {});
      return;
    }
    if (FINAL.includes(call.status)) throw new CallError('ended', `call ${call.sid} has ended (${call.status})`);
    if (action.type === 'hangup') return this.#hangUp(call);
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
          if (action.type === 'silence') {
            this.#line(call, 'caller', 'silence', '(no audio)');
            return this.#continue(call);
          }
          if (action.type === 'digits') return this.#recorded(call, waiting, 5, action.digits.slice(0, 1));
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
          return this.#afterVerb(call, waiting.action, waiting.method, { DialCallStatus: action.status, DialCallSid: sid('CA'), DialCallDuration: String(seconds), DialBridged: String(action.status === 'completed') });
        }
        break;
      case 'queue-result':
        if (waiting.kind === 'queue') {
          this.#line(call, 'network', 'queue', `left the queue: ${action.result}`);
          // The caller hung up in the queue: the action learns it, and nothing more is played.
          if (action.result === 'hangup') return this.#hangUp(call, action.seconds);
          return this.#afterVerb(call, waiting.action, waiting.method, { QueueResult: action.result, QueueSid: sid('QU'), QueueTime: String(action.seconds ?? 10) });
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
    }
    throw new CallError('not-waiting', `call ${call.sid} is waiting for ${waiting.kind}, not ${action.type}`);
  }

  async #gatherInput(call: PhoneCall, waiting: Extract<Waiting, { kind: 'input' }>, action: Extract<CallerAction, { type: 'digits' | 'speech' | 'silence' }>): Promise<void> {
    const extra: Record<string, string> = {};
    if (action.type === 'digits' && waiting.input.includes('dtmf')) {
      let digits = action.digits;
      const finish = waiting.finishOnKey ? digits.indexOf(waiting.finishOnKey) : -1;
      if (finish >= 0) digits = digits.slice(0, finish);
      if (waiting.numDigits) digits = digits.slice(0, waiting.numDigits);
      this.#line(call, 'caller', 'digits', action.digits);
      extra.Digits = digits;
      extra.FinishedOnKey = finish >= 0 ? waiting.finishOnKey : '';
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
   * The caller hangs up. During a Record (having said something), a Dial or an Enqueue, Twilio first
   * requests the verb's action, as the call ends (its TwiML is not run), then sends the final status.
   * Gather, Pay and Connect request nothing: the flow learns of the hangup from the final status.
   * `queueSeconds`: how long the caller was in the queue, when the simulator API says.
   */
  async #hangUp(call: PhoneCall, queueSeconds?: number): Promise<void> {
    const waiting = call.waiting;
    let extra: Record<string, string> | null = null;
    if (waiting?.kind === 'record' && waiting.action) {
      const recordingSid = sid('RE');
      const seconds = Math.max(1, Math.round((this.#now() - waiting.startedAt) / 1000));
      this.#line(call, 'caller', 'recording', `recorded ${seconds} s, then hung up`);
      extra = { RecordingSid: recordingSid, RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${call.accountSid}/Recordings/${recordingSid}`, RecordingDuration: String(seconds), Digits: 'hangup' };
    } else if (waiting?.kind === 'dial' && waiting.action) {
      extra = { DialCallStatus: 'completed', DialCallSid: sid('CA'), DialCallDuration: '0', DialBridged: 'true' };
    } else if (waiting?.kind === 'queue' && waiting.action) {
      const seconds = queueSeconds ?? Math.round((this.#now() - waiting.startedAt) / 1000);
      extra = { QueueResult: 'hangup', QueueSid: sid('QU'), QueueTime: String(seconds) };
    }
    if (waiting && extra && 'action' in waiting && waiting.action) {
      call.waiting = null;
      try {
        const url = new URL(waiting.action, call.documentUrl ?? undefined).toString();
        const answer = await this.#transport.request(call.accountSid, url, waiting.method, { ...this.#params(call), CallStatus: 'completed', ...extra });
        if (answer.status >= 400) this.#line(call, 'network', 'error', `${url} answered HTTP ${answer.status}: ${answer.body.slice(0, 200)}`);
      } catch (error) {
        this.#line(call, 'network', 'error', `the action request after the hangup failed: ${(error as Error).message}`);
      }
    }
    return this.#end(call, 'completed', 'caller hung up');
  }

  async #recorded(call: PhoneCall, waiting: Extract<Waiting, { kind: 'record' }>, seconds: number, finishKey: string): Promise<void> {
    if (seconds <= 0) {
      this.#line(call, 'caller', 'silence', '(no audio)');
      return this.#continue(call);
    }
    const recordingSid = sid('RE');
    this.#line(call, 'caller', 'recording', `recorded ${seconds} s${finishKey ? `, finished with ${finishKey}` : ''}`);
    return this.#afterVerb(call, waiting.action, waiting.method, {
      RecordingSid: recordingSid,
      RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${call.accountSid}/Recordings/${recordingSid}`,
      RecordingDuration: String(seconds),
      Digits: finishKey || 'hangup',
    });
  }

  /** After a verb with an action: Twilio requests it and runs the new document; without one it goes on. */
  async #afterVerb(call: PhoneCall, action: string | null, method: string, extra: Record<string, string>): Promise<void> {
    call.waiting = null;
    if (!action) return this.#continue(call);
    return this.#follow(call, action, method, extra);
  }

  async #continue(call: PhoneCall): Promise<void> {
    call.waiting = null;
    await this.#run(call, call.remaining, 0);
  }

  async #follow(call: PhoneCall, url: string, method: string, extra: Record<string, string>): Promise<void> {
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
      answer = await this.#transport.request(call.accountSid, url, method, { ...this.#params(call), ...extra });
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
          call.waiting = {
            kind: 'input',
            input: attr(verb, 'input', 'dtmf').split(/\s+/),
            ...(Number.isFinite(numDigits) && numDigits > 0 ? { numDigits } : {}),
            finishOnKey: attr(verb, 'finishOnKey', '#'),
            action: attr(verb, 'action'),
            method,
            actionOnEmptyResult: attr(verb, 'actionOnEmptyResult') === 'true',
          };
          this.#line(call, 'flow', 'gather', `waiting for ${call.waiting.input.join(' or ')} (timeout ${attr(verb, 'timeout', '5')} s)`);
          return;
        }
        case 'Record':
          if (attr(verb, 'playBeep', 'true') !== 'false') this.#line(call, 'flow', 'beep', 'beep');
          call.remaining = rest;
          call.waiting = { kind: 'record', finishOnKey: attr(verb, 'finishOnKey', '1234567890*#'), action: attr(verb, 'action'), method, startedAt: this.#now() };
          this.#line(call, 'flow', 'record', `recording (max ${attr(verb, 'maxLength', '3600')} s)`);
          return;
        case 'Dial': {
          const targets = elements(verb).map((n) => `${n.tagName.toLowerCase()}:${textOf(n)}`);
          if (targets.length === 0 && textOf(verb)) targets.push(`number:${textOf(verb)}`);
          call.remaining = rest;
          call.waiting = { kind: 'dial', to: targets, action: attr(verb, 'action') || null, method };
          this.#line(call, 'flow', 'dial', `connecting to ${targets.join(', ')}`);
          return;
        }
        case 'Enqueue': {
          const task = elements(verb).find((n) => n.tagName === 'Task');
          const queue = attr(verb, 'workflowSid') ? `workflow ${attr(verb, 'workflowSid')}${task ? ` task ${textOf(task)}` : ''}` : textOf(verb);
          call.remaining = rest;
          call.waiting = { kind: 'queue', queue, action: attr(verb, 'action') || null, method, startedAt: this.#now() };
          this.#line(call, 'flow', 'enqueue', `waiting in ${queue}`);
          return;
        }
        case 'Pay':
          call.remaining = rest;
          call.waiting = { kind: 'payment', action: attr(verb, 'action'), method };
          this.#line(call, 'flow', 'pay', `payment of ${attr(verb, 'chargeAmount', '0')} ${attr(verb, 'currency', 'usd')} via ${attr(verb, 'paymentConnector', 'Default')}`);
          return;
        case 'Connect': {
          const agent = elements(verb).find((n) => n.tagName === 'VirtualAgent');
          call.remaining = rest;
          call.waiting = { kind: 'virtual-agent', connector: agent ? attr(agent, 'connectorName') : '', action: attr(verb, 'action'), method };
          this.#line(call, 'flow', 'virtual-agent', `talking to virtual agent ${call.waiting.connector}`);
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
            call.waiting = { kind: 'hold', url, method };
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
    clearTimeout(this.#ringing.get(call.sid));
    this.#ringing.delete(call.sid);
  }

  async #end(call: PhoneCall, status: CallStatus, why: string): Promise<void> {
    if (FINAL.includes(call.status)) return;
    this.#stopRinging(call);
    const wasRinging = call.status === 'ringing' || call.status === 'queued';
    call.status = status;
    call.waiting = null;
    call.remaining = [];
    call.endedAt = this.#now();
    this.#line(call, 'network', 'ended', `call ${status}: ${why}`);
    const duration = call.answeredAt && !wasRinging ? Math.max(0, Math.round((call.endedAt - call.answeredAt) / 1000)) : 0;
    try {
      await this.#transport.request(call.accountSid, call.statusCallback, 'POST', { ...this.#params(call), CallDuration: String(duration), Timestamp: new Date(call.endedAt).toUTCString() });
    } catch (error) {
      this.#line(call, 'network', 'error', `status callback failed: ${(error as Error).message}`);
    }
  }
}
