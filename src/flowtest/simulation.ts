// Drives the pure engine the way the runtime would, with a simulated clock and every outside
// answer (HTTP, Functions, the channel, subflow loads) coming from a Responder: mocks for tests,
// recorded answers for replay. Nothing here performs I/O or reads the real clock, so a run is
// deterministic and takes microseconds. An answer that takes time (a mock's `delay`, a call that
// rings until its timeout) is on its way meanwhile: it arrives when the clock reaches it, and what
// the script does before then (a text, a hang-up) meets the flow still waiting for it, as on a server.
import { threadCpuMs } from '../lib/thread-cpu.ts';
import { withoutPhoneFormatting } from '../lib/phone-format.ts';
import { executionContext, handleEvent, startExecution } from '../engine/interpreter.ts';
import type {
  CallWait,
  Effect,
  EffectResult,
  EngineEvent,
  EngineInput,
  EngineLimits,
  ExecutionState,
  JsonObject,
  SprintResult,
  TriggerEvent,
  TwimlNode,
  VariableTyping,
} from '../engine/types.ts';
import type { FlowDefinition } from '../definition/types.ts';
import type { LiquidAllowance } from '../engine/liquid/limits.ts';
import { buildRequest } from '../channels/http/fetch-http.ts';
import { outboundPolicy, type OutboundPolicy } from '../channels/http/outbound-policy.ts';
import { DEFAULT_RUNTIME_OPTIONS } from '../runtime/runtime-context.ts';
import type { RecordedStep } from './derive.ts';
import type { EndState, Mocks, Observation, ObservedMessage, ObservedRequest, ObservedStep } from './types.ts';
import { effectFailure, failureReason } from './failure-reason.ts';
import { parseDuration } from './duration.ts';

export type Payload = Extract<Effect, { effectId: string }>;
type HttpEffect = Extract<Effect, { type: 'http-request' }>;
type SendEffect = Extract<Effect, { type: 'send-message' }>;
type SubflowEffect = Extract<Effect, { type: 'load-subflow' }>;
type PlaceCallEffect = Extract<Effect, { type: 'place-call' }>;

/**
 * How an outbound call goes: refused by the API, or answered (by a person or a machine: `answeredBy`
 * when the widget detects machines) or ended unanswered, with the call's status. `params`: more
 * parameters of the answer's request (a test's); a replay gives the recorded call's SID and `action`,
 * the answer's own parameters as they came (AnsweredBy, MachineDetectionDuration), sent instead of made up.
 */
export type CallOutcome =
  | { fail: number; message?: string }
  | {
      answer: 'human' | 'machine' | 'busy' | 'no-answer' | 'failed' | 'canceled' | 'completed';
      answeredBy?: string;
      params?: JsonObject;
      callSid?: string;
      action?: JsonObject;
      /** How long the call rang before it ended unanswered (a test's no-answer: the widget's timeout); none: at once. */
      ringMs?: number;
    };

export type HttpAnswer = { result: EffectResult; delayMs: number };
export type SendAnswer = { result: EffectResult; undelivered?: string };

/** The mocks that decide how a call verb the flow waits on goes (see #driveCall). */
export type CallVerbMockKey = 'dial' | 'enqueue' | 'record' | 'pay' | 'virtualAgent' | 'conversationRelay';
/**
 * A call verb's mock. A replay also gives `action`, the action's parameters as Twilio sent them (its
 * SIDs), sent as they came instead of the ones the mock's fields make up, and `callerHangsUp` when the
 * call was over by then (CallStatus completed).
 */
export type CallVerbAnswer<K extends CallVerbMockKey> = NonNullable<Mocks[K]>[number] & { action?: JsonObject; callerHangsUp?: boolean };
/**
 * A responder's answer for a call verb: how it goes, `hangup` (the caller hangs up during it and Twilio
 * requests no action: the final status only), or undefined for the simulation's default.
 */
export type CallVerbOutcome<K extends CallVerbMockKey> = CallVerbAnswer<K> | 'hangup' | undefined;

/** Where a message a flow sends goes: into a Conversation (its SID, the message's Index there, when), or not. */
export interface SendContext {
  inConversation: boolean;
  conversation?: { sid: string; index: number; at: number };
}

/** Where a simulation gets the outside world's answers. */
export interface Responder {
  http(effect: HttpEffect, problems: string[]): HttpAnswer;
  /**
   * `context.conversation`: the execution is in that Conversation, where the message goes whatever `to` says, as
   * its message number `index` (the Conversations resource's Index), at `at`.
   */
  send(effect: SendEffect, context?: SendContext): SendAnswer;
  /** A subflow the responder cannot answer for is reported in `problems` (tests), not only as missing. */
  subflow(effect: SubflowEffect, problems: string[]): EffectResult;
  /** Optional: outbound calls (default: answered by a person) and Conversations (default: created). */
  call?(effect: PlaceCallEffect): CallOutcome;
  conversationFailure?(): number | undefined;
  /**
   * Optional: how a widget's Dial, Enqueue, Record, Pay or Connect (a virtual agent, a ConversationRelay
   * session) goes (default: completed, bridged, a message left, a relay session completed; Pay and a virtual
   * agent's Connect an action with no parameters of theirs). `context.conversation`: a virtual agent in a
   * conversation (Connect Virtual Agent, Conversations channel), whose session never ends unmocked.
   */
  callVerb?<K extends CallVerbMockKey>(kind: K, widget: string, context?: { conversation?: boolean }): CallVerbOutcome<K>;
  /**
   * Optional: the answer to a Flex task, Conversation, call recording or virtual agent connection the responder
   * knows (a replay's recorded one, with its SIDs); undefined lets the simulation make one up.
   */
  answer?(effect: Payload): EffectResult | undefined;
}

export interface StartSpec {
  trigger: TriggerEvent;
  triggerData: JsonObject;
  data: JsonObject;
  channelAddress: string;
  contactAddress: string;
  /** The execution's and flow's SIDs (a replay runs as the execution it replays); fixed ones otherwise. */
  executionSid?: string;
  flowSid?: string;
}

export interface SimulationOptions {
  startAt?: number;
  limits?: Partial<EngineLimits>;
  /** Make HTTP Request and Run Function time out as the runtime's do (DEFAULT_RUNTIME_OPTIONS.http: Studio's 10 s). */
  httpTimeoutMs?: number;
  /** Studio ends executions 30 days after they start. */
  maxExecutionAgeMs?: number;
  /** Liquid work all the simulation's sprints share (a replay's budget), besides each sprint's own. */
  liquidAllowance?: LiquidAllowance;
  /**
   * The server's outbound HTTP policy, which a flow test's mocked requests are under (serve's --dev,
   * --http-allow, --http-deny; default: serve's, not in dev mode). A replay's recorded answers are not.
   */
  outboundPolicy?: OutboundPolicy;
}

export const DEFAULT_START = Date.UTC(2030, 0, 7, 9, 0, 0); // a Monday, 09:00 UTC

/** Studio's runtime rules as a Switchboard configuration sets them (SwitchboardConfig has these keys). */
export interface ConfiguredRules {
  maxSteps: number;
  maxSameWidget: number;
  /** JSON bytes of an execution's context (--max-context-bytes). */
  maxContextBytes: number;
  /** JSON bytes of the steps one execution records (--max-step-bytes). */
  maxStepBytes: number;
  /** Seconds. */
  defaultReplyTimeout: number;
  timezone: string;
  /** How Liquid prints an object (--liquid-object-format). */
  liquidObjectFormat: 'json' | 'map';
  /** Set Variables value typing (--set-variables-typing). */
  setVariablesTyping: VariableTyping;
  /** How Liquid's date filters read "03/10/2026" (--liquid-slash-dates). */
  liquidSlashDates: 'month-first' | 'day-first';
  /** The release of Shopify's Liquid taken as Studio's (--liquid-version). */
  liquidVersion: string;
  /** Keep liquidjs' filters and tags Studio's Liquid lacks (--liquid-extras). */
  liquidExtras: boolean;
  /** Seconds. */
  executionMaxAge: number;
  /** The outbound HTTP policy's settings (--dev, --http-allow, --http-deny). */
  dev: boolean;
  httpAllow: readonly string[];
  httpDeny: readonly string[];
}

/** The options that run a simulation under the rules a server with this configuration runs executions under (as `serve` does). */
export function simulationOptionsFrom(rules: ConfiguredRules): SimulationOptions {
  return {
    limits: {
      maxSteps: rules.maxSteps,
      maxSameWidgetInARow: rules.maxSameWidget,
      maxContextBytes: rules.maxContextBytes,
      maxStepBytes: rules.maxStepBytes,
      defaultReplyTimeoutSeconds: rules.defaultReplyTimeout,
      timezone: rules.timezone,
      objectFormat: rules.liquidObjectFormat,
      variableTyping: rules.setVariablesTyping,
      slashDates: rules.liquidSlashDates,
      liquidVersion: rules.liquidVersion,
      liquidExtras: rules.liquidExtras,
    },
    maxExecutionAgeMs: rules.executionMaxAge * 1000,
    outboundPolicy: outboundPolicy(rules),
  };
}
/**
 * The URL the runtime's HTTP client requests for a widget's request (buildRequest, which performs no
 * I/O): GET parameters appended to the query. A URL that does not parse is kept as it is (the
 * server fails such a request; a test answers it from its mocks).
 */
export function requestedUrl(spec: HttpEffect['request']): string {
  try {
    return buildRequest(spec).url.href;
  } catch {
    return spec.url;
  }
}

const CONVERSATION_SID = /^CH[0-9a-fA-F]{32}$/;

/** The account a simulated execution runs in (its trigger's and messages' AccountSid). */
export const SIMULATED_ACCOUNT_SID = 'AC' + '0'.repeat(31) + '1';
const IDS = { executionSid: 'FN' + '0'.repeat(31) + '1', accountSid: SIMULATED_ACCOUNT_SID, flowSid: 'FW' + '0'.repeat(31) + '1' };
/**
 * The call a Dial places, the recordings a Record and a recorded Dial make, the queue an Enqueue joins:
 * fixed, so other generated SIDs do not shift.
 */
const DIAL_CALL_SID = 'CA' + '0'.repeat(31) + '2';
const RECORDING_SID = 'RE' + '0'.repeat(31) + '1';
const DIAL_RECORDING_SID = 'RE' + '0'.repeat(31) + '2';
const QUEUE_SID = 'QU' + '0'.repeat(31) + '1';
const API_VERSION = '2010-04-01';
/** How long machine detection took, as the simulator phone reports it (ms). */
const MACHINE_DETECTION_DURATION = '1200';

/** An outside answer on its way to the execution: a response a mock `delay`s, the end of a call ringing out. */
export interface InFlight {
  /**
   * What it answers: a Make HTTP Request's or Run Function's request, a call Make Outgoing Call placed, or the
   * end of a virtual agent's session in a conversation (the flow takes the contact's messages meanwhile).
   */
  what: 'request' | 'call' | 'session';
  widget: string;
  /** When the request went out or the call was placed, and when the answer arrives (simulated ms). */
  since: number;
  dueAt: number;
  event: EngineEvent;
}

export class Simulation {
  readonly definition: FlowDefinition;
  readonly responder: Responder;
  readonly options: Required<Omit<SimulationOptions, 'limits' | 'liquidAllowance' | 'outboundPolicy'>> & { limits: Partial<EngineLimits>; liquidAllowance?: LiquidAllowance };
  now: number;
  state: ExecutionState | null = null;
  readonly steps: ObservedStep[] = [];
  /** The steps as the Steps API stores them (type and outputs), for replay and recording. */
  readonly recordedSteps: RecordedStep[] = [];
  readonly messages: ObservedMessage[] = [];
  readonly requests: ObservedRequest[] = [];
  readonly heard: string[] = [];
  readonly diagnostics: Observation['diagnostics'] = [];
  readonly problems: string[] = [];
  readonly #pending: Payload[] = [];
  readonly #timers = new Map<string, number>();
  /** Answers on their way, by when they arrive (see InFlight). */
  readonly #inFlight: InFlight[] = [];
  readonly #messageSids = new Map<string, ObservedMessage>();
  #counter = 0;
  #expiresAt = Infinity;
  #activeSubflow: string | null = null;
  /** Why each widget's last effect failed (a failed widget's outputs often do not say), for the step's reason. */
  readonly #effectFailures = new Map<string, string>();
  /** The widget whose effect is being carried out. */
  #performing: string | null = null;
  /** Voice: call waits whose prompts the caller has already heard, and when the open Gather started listening. */
  readonly #heardWaits = new Set<string>();
  #gather: { callbackId: string; since: number; timeoutMs: number; finishOnKey: string; numDigits: number; actionOnEmptyResult: boolean; speech: boolean } | null = null;
  /** The call make-outgoing-call placed, once answered (its From, To and SID), and when the execution's call was answered. */
  #placed: { CallSid: string; From: string; To: string } | null = null;
  #answeredAt: number | null = null;

  constructor(definition: FlowDefinition, responder: Responder, options: SimulationOptions = {}) {
    this.definition = definition;
    this.responder = responder;
    this.options = {
      startAt: options.startAt ?? DEFAULT_START,
      limits: options.limits ?? {},
      httpTimeoutMs: options.httpTimeoutMs ?? DEFAULT_RUNTIME_OPTIONS.http.timeoutMs,
      maxExecutionAgeMs: options.maxExecutionAgeMs ?? 30 * 86_400_000,
      ...(options.liquidAllowance ? { liquidAllowance: options.liquidAllowance } : {}),
    };
    this.now = this.options.startAt;
  }

  get active(): boolean {
    return this.state?.status === 'active';
  }

  /** The contact's messages into a Conversation so far (the trigger's included): they count in a sent one's Index. */
  #conversationMessagesIn = 0;

  #id(prefix: string): string {
    return prefix + (++this.#counter).toString(16).padStart(32, '0');
  }

  #input(): EngineInput {
    const allowance = this.options.liquidAllowance;
    return { definition: this.definition, now: this.now, newId: (prefix) => this.#id(prefix), limits: this.options.limits, cpuClock: threadCpuMs, ...(allowance ? { liquidAllowance: allowance } : {}) };
  }

  start(spec: StartSpec): void {
    const result = startExecution(
      this.#input(),
      {
        ...IDS,
        ...(spec.executionSid !== undefined ? { executionSid: spec.executionSid } : {}),
        ...(spec.flowSid !== undefined ? { flowSid: spec.flowSid } : {}),
        revision: 1,
        channelAddress: spec.channelAddress,
        contactAddress: spec.contactAddress,
      },
      spec.trigger,
      spec.triggerData,
      spec.data,
    );
    this.#expiresAt = this.now + this.options.maxExecutionAgeMs;
    if (result.state.callSid) this.#answeredAt = this.now;
    if (spec.trigger === 'incomingConversationMessage') this.#conversationMessagesIn = 1;
    this.#take(result);
    this.settle();
  }

  /** Applies an event (the state is not shared with the engine: it copies what it is given). */
  deliver(event: EngineEvent): void {
    if (!this.state) throw new Error('the execution has not started');
    if (event.type === 'effect-result' && this.#performing !== null) {
      const why = effectFailure(event.result);
      if (why) this.#effectFailures.set(this.#performing, why);
      else this.#effectFailures.delete(this.#performing);
    }
    this.#take(handleEvent(this.#input(), this.state, event));
  }

  inbound(message: JsonObject): void {
    if (typeof message.ConversationSid === 'string') this.#conversationMessagesIn++;
    this.deliver({ type: 'inbound-message', message });
    this.settle();
  }

  end(reason: 'manual' | 'expired'): void {
    this.deliver({ type: 'end', reason });
    this.settle();
  }

  /** Moves the clock on, firing every timer that falls due on the way, in order. */
  advance(ms: number): void {
    const target = this.now + ms;
    for (;;) {
      const gather = this.#gather;
      const wait = this.#callWait();
      if (gather && wait?.callbackId === gather.callbackId && gather.since + gather.timeoutMs <= target) {
        // Silence: the Gather times out and calls its action with no input (an empty Digits when
        // actionOnEmptyResult asked for the action, as the simulator phone sends it).
        this.now = Math.max(this.now, gather.since + gather.timeoutMs);
        this.#callback(wait, gather.actionOnEmptyResult ? { Digits: '' } : {});
        this.settle();
        continue;
      }
      const due = [...this.#timers].filter(([, at]) => at <= target).sort((a, b) => a[1] - b[1])[0];
      const arriving = this.#nextInFlight();
      const answer = arriving && arriving.dueAt <= target ? arriving : undefined;
      const expiryFirst = this.#expiresAt <= target && (!due || this.#expiresAt <= due[1]) && (!answer || this.#expiresAt <= answer.dueAt);
      if (expiryFirst && this.active) {
        this.now = Math.max(this.now, this.#expiresAt);
        this.#expiresAt = Infinity;
        this.end('expired');
        continue;
      }
      // A timer due when an answer arrives fires first, as the server's sprint applies it first.
      if (answer && this.active && (!due || answer.dueAt < due[1])) {
        this.#arrive(answer);
        continue;
      }
      if (!due || !this.active) break;
      this.#timers.delete(due[0]);
      this.now = Math.max(this.now, due[1]);
      this.deliver({ type: 'timer', timerId: due[0] });
      this.settle();
    }
    this.now = target;
  }

  /** The answers on their way now, soonest first. */
  inFlight(): readonly InFlight[] {
    return [...this.#inFlight].sort((a, b) => a.dueAt - b.dueAt);
  }

  /**
   * Lets the answers on their way arrive, the clock moving to each in turn (with what falls due on the
   * way), until none is left or, with `untilCallerAsked`, the flow talks to its caller again (a caller
   * on hold acts once asked). The script's end does this: a server gets them too once the test stops acting.
   */
  finishInFlight(options: { untilCallerAsked?: boolean } = {}): void {
    for (;;) {
      const next = this.#nextInFlight();
      if (!next || !this.active || (options.untilCallerAsked && this.#callWait()?.twiml.length)) return;
      this.advance(Math.max(0, next.dueAt - this.now));
    }
  }

  #nextInFlight(): InFlight | undefined {
    let next: InFlight | undefined;
    for (const entry of this.#inFlight) if (!next || entry.dueAt < next.dueAt) next = entry;
    return next;
  }

  /** An answer on its way arrives: at its time, as the result of the widget's effect or the call's end. */
  #arrive(entry: InFlight): void {
    this.#inFlight.splice(this.#inFlight.indexOf(entry), 1);
    this.now = Math.max(this.now, entry.dueAt);
    this.#performing = entry.widget;
    try {
      this.deliver(entry.event);
    } finally {
      this.#performing = null;
    }
    this.settle();
  }

  /** `event` arrives `ms` from now (at once when 0): meanwhile the execution waits for it. */
  #answerIn(ms: number, entry: Omit<InFlight, 'since' | 'dueAt'>): void {
    if (ms <= 0) {
      this.deliver(entry.event);
      return;
    }
    this.#inFlight.push({ ...entry, since: this.now, dueAt: this.now + ms });
  }

  /** When the next pending timer falls due (ms), or undefined when none is pending. */
  nextTimerAt(): number | undefined {
    const times = [...this.#timers.values()];
    return times.length ? Math.min(...times) : undefined;
  }

  /** Moves the clock to the next pending timer and fires it; false when none is pending. */
  fireNextTimer(): boolean {
    const next = [...this.#timers].sort((a, b) => a[1] - b[1])[0];
    if (!next || !this.active) return false;
    this.advance(Math.max(0, next[1] - this.now));
    return true;
  }

  #take(result: SprintResult): void {
    this.state = result.state;
    for (const step of result.steps) {
      if (!step.parentStepSid) this.#activeSubflow = null;
      const reason = failureReason(step.name, step.context, this.#effectFailures.get(step.transitionedFrom));
      this.#effectFailures.delete(step.transitionedFrom);
      this.steps.push({
        from: step.transitionedFrom,
        event: step.name,
        to: step.transitionedTo,
        ...(step.parentStepSid && this.#activeSubflow ? { subflow: this.#activeSubflow } : {}),
        at: step.at,
        ...(step.transitionIndex !== undefined ? { transition: step.transitionIndex } : {}),
        ...(reason ? { reason } : {}),
      });
      this.recordedSteps.push({ from: step.transitionedFrom, event: step.name, to: step.transitionedTo, type: step.type, context: step.context, parentStepSid: step.parentStepSid });
    }
    for (const d of result.diagnostics) this.diagnostics.push({ level: d.level, code: d.code, message: d.message, ...(d.widget ? { widget: d.widget } : {}) });
    for (const effect of result.effects) {
      if (effect.type === 'set-timer') this.#timers.set(effect.timerId, effect.dueAt);
      else if (effect.type === 'cancel-timer') this.#timers.delete(effect.timerId);
      else this.#pending.push(effect as Payload);
    }
    if (this.state.status === 'ended') {
      // An execution that ended never sees an answer still on its way (a server drops it).
      this.#timers.clear();
      this.#inFlight.length = 0;
    }
  }

  /** Carries out pending effects, oldest first, until the execution waits on the outside world or ends. */
  settle(): void {
    while (this.active) {
      const effect = this.#pending.shift();
      if (effect) this.#perform(effect);
      else if (!this.#driveCall()) return;
    }
  }

  // ---- voice: a simulated caller on the TwiML the engine asks for

  #callWait(): CallWait | null {
    const wait = this.state?.frames.at(-1)?.wait;
    return wait && wait.kind === 'call' ? wait : null;
  }

  /**
   * The parameters Twilio sends with every request about the execution's call, as the simulator phone
   * sends them: the inbound call's (its trigger's), or the call make-outgoing-call placed once answered.
   */
  #callParams(extra: JsonObject = {}): JsonObject {
    const placed = this.#placed && this.#placed.CallSid === this.state?.callSid ? this.#placed : null;
    const call = placed ?? ((this.state?.frames[0]?.trigger.call ?? {}) as JsonObject);
    const from = call.From ?? this.state?.contactAddress ?? '';
    const to = call.To ?? this.state?.channelAddress ?? '';
    return {
      AccountSid: IDS.accountSid,
      ApiVersion: API_VERSION,
      CallSid: this.state?.callSid ?? String(call.CallSid ?? ''),
      CallStatus: 'in-progress',
      Called: (!placed && (call as JsonObject).Called) || to,
      Caller: (!placed && (call as JsonObject).Caller) || from,
      Direction: placed ? 'outbound-api' : 'inbound',
      From: from,
      To: to,
      ...extra,
    };
  }

  /** The call's final status (the caller hung up), with its duration and when it ended, as Twilio posts it. */
  #finalStatus(): JsonObject {
    const seconds = this.#answeredAt === null ? 0 : Math.max(0, Math.round((this.now - this.#answeredAt) / 1000));
    return this.#callParams({ CallStatus: 'completed', CallDuration: String(seconds), Timestamp: new Date(this.now).toUTCString() });
  }

  #hear(nodes: TwimlNode[]): void {
    for (const node of nodes) {
      if (node.verb === 'Say' && node.text) this.heard.push(node.text);
      else if (node.verb === 'Play' && node.attributes?.digits !== undefined) this.heard.push(`[digits ${node.attributes.digits}]`);
      else if (node.verb === 'Play' && node.text) this.heard.push(`[play ${node.text}]`);
      if (node.verb === 'Gather' && node.children) this.#hear(node.children);
    }
  }

  #callback(wait: CallWait, params: JsonObject, fallthrough = false): void {
    this.#gather = null;
    this.deliver({ type: 'call-callback', callbackId: wait.callbackId, params: this.#callParams(params), ...(fallthrough ? { fallthrough: true } : {}) });
  }

  /** The caller hangs up: the call's final status, as Twilio reports it. */
  #callEnded(): void {
    this.deliver({ type: 'call-ended', params: this.#finalStatus() });
  }

  /**
   * The caller hangs up and Twilio requests no action, only the final status: a widget that waits a
   * moment for an action after it (Record, Dial, Enqueue, Pay, Connect) leaves by `hangup` once that
   * grace has passed (see #driveCall).
   */
  #hangUpInSilence(): true {
    this.#gather = null;
    this.#callEnded();
    return true;
  }

  /** After an action that came with the call over (CallStatus completed): the final status first, then the action, if the widget still waits for it. */
  #actionAfterHangup(wait: CallWait, params: JsonObject): void {
    this.#callEnded();
    if (this.#callWait()?.callbackId === wait.callbackId) this.#callback(wait, { ...params, CallStatus: 'completed' });
  }

  /**
   * A ConversationRelay session ends as the `conversationRelay` mock says (unmocked: completed after 0 s):
   * the Connect action reports SessionId, SessionStatus, SessionDuration and the app's HandoffData (an
   * object as the JSON text Twilio sends); `hangup`, the caller hangs up and no action comes.
   */
  #relaySession(wait: CallWait, widget: string): true {
    const mock = this.responder.callVerb?.('conversationRelay', widget);
    if (mock === 'hangup' || mock?.status === 'hangup') return this.#hangUpInSilence();
    const data = mock?.handoffData;
    const session = mock?.action ?? {
      SessionId: this.#id('VX'),
      SessionStatus: mock?.status ?? 'completed',
      SessionDuration: String(mock?.duration ?? 0),
      ...(data !== undefined ? { HandoffData: typeof data === 'string' ? data : JSON.stringify(data) } : {}),
      ...mock?.params,
    };
    if (mock?.callerHangsUp) this.#actionAfterHangup(wait, session);
    else this.#callback(wait, session);
    return true;
  }

  /**
   * Plays the waiting TwiML up to the first verb that needs the caller; true when it moved the call on.
   * Dial, Enqueue, Record, Pay and Connect end as the responder says (a test's `dial`, `enqueue`,
   * `record`, `pay`, `virtualAgent` and `conversationRelay` mocks: answered and completed, bridged, a message
   * left, a relay session completed by default; a replay's recorded outcomes), each action callback with its
   * own verb's parameters.
   */
  #driveCall(): boolean {
    const wait = this.#callWait();
    if (!wait) return false;
    if (wait.hungUp) {
      // The caller has hung up and the widget waits a moment for the action Twilio may still request
      // (hangupAwaitingAction). Whatever the simulation sends for a verb it has sent by now, and a call
      // that is over runs no more TwiML: no action comes, so the clock lets that grace pass, as the
      // server's timer would, and the widget leaves by its hang-up.
      if (wait.timerId === undefined || wait.dueAt === undefined || !this.#timers.has(wait.timerId)) return false;
      this.advance(Math.max(0, wait.dueAt - this.now));
      return true;
    }
    if (wait.twiml.length === 0) return false;
    const widget = this.state?.frames.at(-1)?.current ?? '';
    if (!this.#heardWaits.has(wait.callbackId)) {
      this.#heardWaits.add(wait.callbackId);
      this.#hear(wait.twiml);
    }
    for (const node of wait.twiml) {
      switch (node.verb) {
        case 'Say':
        case 'Play':
        case 'Pause':
        case 'Parameter':
          continue;
        case 'Gather': {
          if (this.#gather?.callbackId !== wait.callbackId) {
            const timeout = Number(node.attributes?.timeout ?? 5);
            const numDigits = Number(node.attributes?.numDigits);
            this.#gather = {
              callbackId: wait.callbackId,
              since: this.now,
              timeoutMs: (Number.isFinite(timeout) ? timeout : 5) * 1000,
              finishOnKey: String(node.attributes?.finishOnKey ?? '#'),
              numDigits: Number.isInteger(numDigits) && numDigits > 0 ? numDigits : 0,
              actionOnEmptyResult: node.attributes?.actionOnEmptyResult === true || node.attributes?.actionOnEmptyResult === 'true',
              speech: String(node.attributes?.input ?? 'dtmf').split(/\s+/).includes('speech'),
            };
          }
          return false; // the caller's keys, speech, silence (wait) or hang-up come from the script
        }
        case 'Hangup':
          this.deliver({ type: 'call-ended', params: this.#finalStatus() });
          return true;
        case 'Record': {
          if (!node.callback) continue;
          const mock = this.responder.callVerb?.('record', widget);
          if (mock === 'hangup') return this.#hangUpInSilence();
          const result = mock?.result ?? 'completed';
          // Nothing recorded: Twilio skips the action and goes on to the <Redirect> after it (noAudio).
          if (result === 'noAudio') continue;
          // Hung up without a message: no action, the final status only.
          if (result === 'hangup') return this.#hangUpInSilence();
          const recording = mock?.action ?? {
            RecordingUrl: mock?.url ?? `https://api.twilio.com/2010-04-01/Accounts/${IDS.accountSid}/Recordings/${RECORDING_SID}`,
            RecordingSid: RECORDING_SID,
            RecordingDuration: String(mock?.duration ?? 5),
            ...(mock?.digits !== undefined ? { Digits: mock.digits } : {}),
          };
          // Digits=hangup: the caller hung up after the message; the action comes with the call over.
          if (mock?.callerHangsUp ?? mock?.digits === 'hangup') this.#actionAfterHangup(wait, recording);
          else this.#callback(wait, recording);
          return true;
        }
        case 'Dial': {
          if (!node.callback) continue;
          const mock = this.responder.callVerb?.('dial', widget);
          if (mock === 'hangup') return this.#hangUpInSilence();
          const status = mock?.status ?? 'completed';
          const seconds = status === 'completed' ? (mock?.duration ?? 30) : 0;
          // A Dial that records (record-from-answer…) reports the recording of an answered call.
          const recorded = typeof node.attributes?.record === 'string' && node.attributes.record !== 'do-not-record' && status === 'completed';
          const dialed = mock?.action ?? {
            DialCallStatus: status,
            DialCallSid: DIAL_CALL_SID,
            DialCallDuration: String(seconds),
            DialBridged: String(status === 'completed'),
            ...(recorded
              ? { RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${IDS.accountSid}/Recordings/${DIAL_RECORDING_SID}`, RecordingSid: DIAL_RECORDING_SID, RecordingDuration: String(seconds) }
              : {}),
          };
          // The caller's call is over (CallStatus completed) when Twilio requests the action: `hangup`.
          if (mock?.callerHangsUp) this.#actionAfterHangup(wait, dialed);
          else this.#callback(wait, dialed);
          return true;
        }
        case 'Enqueue': {
          if (!node.callback) continue;
          const mock = this.responder.callVerb?.('enqueue', widget);
          if (mock === 'hangup') return this.#hangUpInSilence();
          if (mock?.fail !== undefined) {
            this.problems.push(`mocks.enqueue for widget '${widget}' says fail, which only Send to Flex outside a call (a task TaskRouter refuses) takes; a caller leaves the queue as its result says (queue-full: failedToEnqueue)`);
          }
          const result = mock?.result ?? 'bridged';
          const queued = mock?.action ?? { QueueResult: result, QueueSid: QUEUE_SID, QueueTime: String(mock?.time ?? 0) };
          // A caller who hung up in the queue: the action (the call over), then the final status; the
          // call is gone for what the flow does next.
          const gone = result === 'hangup' || mock?.callerHangsUp === true;
          this.#callback(wait, gone ? { ...queued, CallStatus: 'completed' } : queued);
          if (gone && this.active) this.#callEnded();
          return true;
        }
        case 'Pay': {
          if (!node.callback) continue;
          const mock = this.responder.callVerb?.('pay', widget);
          if (mock === 'hangup') return this.#hangUpInSilence();
          // Unmocked: an action with no Result (the responder notes it), which Capture Payments takes for providerError.
          const result = mock?.result ?? 'success';
          const paid = mock ? (mock.action ?? { Result: result, ...mock.params }) : {};
          // caller-hung-up: the call is over when the action comes, unless a replay says it came first.
          const hungUp = result === 'caller-hung-up';
          if (mock?.callerHangsUp ?? hungUp) {
            this.#actionAfterHangup(wait, paid);
          } else {
            this.#callback(wait, paid);
            if (hungUp && this.active) this.#callEnded();
          }
          return true;
        }
        case 'Connect': {
          if (!node.callback) continue;
          if (node.children?.some((child) => child.verb === 'ConversationRelay')) return this.#relaySession(wait, widget);
          const mock = this.responder.callVerb?.('virtualAgent', widget);
          if (mock === 'hangup') return this.#hangUpInSilence();
          if (mock?.fail !== undefined) {
            // Twilio answers a Connect on a call with the session's action: no connection is refused before it.
            const code = typeof mock.fail === 'number' ? mock.fail : mock.fail.code;
            this.problems.push(`mocks.virtualAgent for widget '${widget}' says fail: ${code}, which only a connection in a conversation (channel: conversations) can be refused with; on a call the session goes as the rest of the mock says`);
          }
          // Unmocked: an action with no status (the responder notes it): v2 takes it for failed. A caller
          // who hangs up ends the session: its action (completed) comes with the call over.
          const hungUp = mock?.status === 'hangup';
          const status = !mock?.status || hungUp ? 'completed' : mock.status;
          const session = mock ? (mock.action ?? { VirtualAgentProvider: 'DialogflowCX', VirtualAgentStatus: status, ...mock.params }) : {};
          if (mock?.callerHangsUp ?? hungUp) this.#actionAfterHangup(wait, session);
          else this.#callback(wait, session);
          return true;
        }
        default:
          // TwiML Redirect to another app: the call stays up under it until the app hands it back
          // (`return:` in a test) or the widget's timer fires (`wait:`), as on Twilio.
          if (node.verb === 'Redirect' && !node.callback && wait.returnable) return false;
          if (node.callback) {
            // Redirect back (after a Record with nothing recorded, the fall-through), or another verb whose
            // action reports it finished: no parameters of another verb's.
            this.#callback(wait, {}, node.callback.fallthrough === true);
            return true;
          }
      }
    }
    // The TwiML ran out without coming back: the call is over.
    this.deliver({ type: 'call-ended', params: this.#finalStatus() });
    return true;
  }


  /**
   * The caller presses keys or speaks into the open Gather; false when nothing is listening. Keys end
   * as Twilio ends them: at the Gather's finishOnKey (left out of Digits, reported as FinishedOnKey)
   * or after numDigits keys. `confidence` is the speech recognizer's (a replay passes the recorded one).
   * Words into a Gather that listens for keys only are not heard: it times out, as on Twilio. `unheard`
   * is told of what the Gather did not take (keys past its end, words it does not listen for).
   */
  callerInput(input: { digits: string } | { speech: string; confidence?: string }, unheard?: (what: string) => void): boolean {
    const wait = this.#callWait();
    const gather = this.#gather;
    if (!wait || !gather || gather.callbackId !== wait.callbackId) return false;
    if ('speech' in input && !gather.speech) {
      unheard?.("the Gather listens for keys only (its flow wires no 'speech' transition), so the words were not heard and it timed out");
      this.advance(Math.max(0, gather.since + gather.timeoutMs - this.now));
      return true;
    }
    let params: JsonObject;
    if ('digits' in input) {
      const finish = gather.finishOnKey ? input.digits.indexOf(gather.finishOnKey) : -1;
      const digits = finish >= 0 ? input.digits.slice(0, finish) : input.digits;
      // The Gather ends at its number of digits when they come before the finish key.
      const byCount = gather.numDigits > 0 && digits.length >= gather.numDigits;
      const taken = byCount ? digits.slice(0, gather.numDigits) : digits;
      const byKey = !byCount && finish >= 0;
      const rest = input.digits.slice(taken.length + (byKey ? 1 : 0));
      // A finish key pressed after a Gather that ended at its number of digits changes nothing worth saying.
      if (rest && rest !== gather.finishOnKey) {
        const end = byCount ? `${gather.numDigits} key${gather.numDigits === 1 ? '' : 's'} (its number of digits)` : `its finish key '${gather.finishOnKey}'`;
        unheard?.(`the Gather ended after ${end}: '${rest}' was not heard (give the next Gather its keys in a digits step of their own)`);
      }
      params = { Digits: taken, FinishedOnKey: byKey ? gather.finishOnKey : '' };
    } else {
      params = { SpeechResult: input.speech, Confidence: input.confidence ?? '0.92' };
    }
    this.#callback(wait, params);
    this.settle();
    return true;
  }

  /**
   * The app a TwiML Redirect handed the call (or the message's execution) to hands it back, as its
   * request to the flow webhook with `FlowEvent=return` does: `query`'s other parameters become the
   * widget's outputs. False when no TwiML Redirect is waiting.
   */
  redirectReturn(query: Record<string, string>): boolean {
    const wait = this.#callWait();
    if (!wait?.returnable) return false;
    const params = this.state?.callSid ? this.#callParams() : { From: this.state?.contactAddress ?? '', To: this.state?.channelAddress ?? '' };
    this.deliver({ type: 'call-callback', callbackId: wait.callbackId, params: { ...params, query: { ...query, FlowEvent: 'return' } } });
    this.settle();
    return true;
  }

  /** The caller hangs up; false when there is no call. */
  hangup(): boolean {
    if (!this.state?.callSid && !this.#callWait()) return false;
    this.#hangUpInSilence();
    this.settle();
    return true;
  }

  #perform(effect: Payload): void {
    this.#performing = effect.widget;
    try {
      this.#carryOut(effect);
    } finally {
      this.#performing = null;
    }
  }

  #carryOut(effect: Payload): void {
    if (effect.type === 'create-task' || effect.type === 'start-conversation' || effect.type === 'resume-conversation' || effect.type === 'call-recording' || effect.type === 'connect-virtual-agent') {
      const known = this.responder.answer?.(effect);
      if (known) {
        this.deliver({ type: 'effect-result', effectId: effect.effectId, result: known });
        return;
      }
    }
    switch (effect.type) {
      case 'send-message': {
        // In a Conversation (it started one, or a conversation message started it) a message goes into it.
        const conversationSid = CONVERSATION_SID.test(effect.message.from) ? effect.message.from : CONVERSATION_SID.test(this.state?.channelAddress ?? '') ? this.state!.channelAddress : undefined;
        // Its Index: the contact's messages in it so far and the flow's sent ones count, as for the contact's next.
        const index = this.#conversationMessagesIn + this.messages.filter((m) => m.status !== 'failed').length;
        const answer = this.responder.send(effect, conversationSid ? { inConversation: true, conversation: { sid: conversationSid, index, at: this.now } } : { inConversation: false });
        const m = effect.message;
        const observed: ObservedMessage = { widget: effect.widget, from: m.from, to: m.to, body: m.body, ...(m.mediaUrl ? { media: m.mediaUrl } : {}), status: 'sent' };
        this.messages.push(observed);
        if (answer.result.kind === 'message-failed') {
          observed.status = 'failed';
          observed.errorCode = answer.result.code;
        }
        const sid = answer.result.kind === 'message-sent' ? String(answer.result.message.Sid ?? '') : '';
        if (sid) this.#messageSids.set(sid, observed);
        this.deliver({ type: 'effect-result', effectId: effect.effectId, result: answer.result });
        if (answer.undelivered !== undefined && sid && this.active) {
          observed.status = 'undelivered';
          observed.errorCode = answer.undelivered;
          this.deliver({ type: 'delivery-status', messageSid: sid, effectId: effect.effectId, status: 'undelivered', errorCode: answer.undelivered });
        }
        return;
      }
      case 'http-request': {
        const r = effect.request;
        // What the server requests: a GET's parameters in the query, credentials out of the URL.
        const url = requestedUrl(r);
        this.requests.push({
          widget: effect.widget,
          purpose: effect.purpose,
          method: r.method,
          url,
          ...(r.body !== undefined ? { body: r.body } : {}),
          parameters: Object.fromEntries(r.parameters.map((p) => [p.key, p.value])),
        });
        const answer = this.responder.http(url === r.url ? effect : { ...effect, request: { ...r, url } }, this.problems);
        // A timeout (an answer `delay`ed to the timeout or past it, or `fail: timeout`) is known only once the
        // runtime's timeout has run out, whatever the delay said: the widget fails that much later.
        const timedOut = answer.delayMs >= this.options.httpTimeoutMs || (answer.result.kind === 'http-failed' && answer.result.reason === 'timeout');
        const result: EffectResult = timedOut ? { kind: 'http-failed', reason: 'timeout', message: `no response within ${this.options.httpTimeoutMs / 1000} s` } : capped(answer.result);
        // The request is out meanwhile: what the script does, and what falls due (the execution's age cap),
        // comes first, in order; an execution that ended on the way never sees the answer (as a server drops it).
        this.#answerIn(timedOut ? this.options.httpTimeoutMs : answer.delayMs, { what: 'request', widget: effect.widget, event: { type: 'effect-result', effectId: effect.effectId, result } });
        return;
      }
      case 'load-subflow': {
        const result = this.responder.subflow(effect, this.problems);
        if (result.kind === 'subflow-loaded') this.#activeSubflow = result.flowSid;
        this.deliver({ type: 'effect-result', effectId: effect.effectId, result });
        return;
      }
      case 'place-call': {
        const outcome = this.responder.call?.(effect) ?? { answer: 'human' };
        if ('fail' in outcome) {
          this.deliver({ type: 'effect-result', effectId: effect.effectId, result: { kind: 'call-failed', code: outcome.fail, message: outcome.message ?? `Simulated Calls API error ${outcome.fail}` } });
          return;
        }
        const callSid = outcome.callSid ?? 'CA' + (++this.#counter).toString(16).padStart(32, '0');
        // The parameters of every request about the call, as the simulator phone sends them.
        // A phone number written for people as its E.164, as Twilio's Calls API (and the simulator phone) keeps it.
        const [from, to] = [withoutPhoneFormatting(effect.call.from), withoutPhoneFormatting(effect.call.to)];
        const base = { AccountSid: IDS.accountSid, ApiVersion: API_VERSION, CallSid: callSid, Called: to, Caller: from, Direction: 'outbound-api', From: from, To: to };
        this.deliver({ type: 'effect-result', effectId: effect.effectId, result: { kind: 'call-placed', call: { ...base, CallStatus: 'ringing' } } });
        if (outcome.answer === 'human' || outcome.answer === 'machine') {
          this.#placed = { CallSid: callSid, From: from, To: to };
          this.#answeredAt = this.now;
          // AnsweredBy only when the widget asked for machine detection (§2.7): machine_start under Enable,
          // machine_end_beep once the greeting ends under DetectMessageEnd.
          const detection = effect.call.options.MachineDetection;
          const machine = detection === 'DetectMessageEnd' ? 'machine_end_beep' : 'machine_start';
          const detected: JsonObject = !detection ? {} : { AnsweredBy: outcome.answeredBy ?? (outcome.answer === 'human' ? 'human' : machine), MachineDetectionDuration: MACHINE_DETECTION_DURATION };
          // The placed call's URL names the effect, so its answer is this wait's callback.
          this.deliver({ type: 'call-callback', callbackId: effect.effectId, params: { ...base, CallStatus: 'in-progress', ...(outcome.action ?? { ...detected, ...outcome.params }) } });
        } else {
          // A call nobody answers rings until its timeout first, as the simulator phone rings it.
          const ringMs = outcome.ringMs ?? 0;
          const params = { ...base, CallStatus: outcome.answer, CallDuration: '0', Timestamp: new Date(this.now + ringMs).toUTCString(), ...outcome.params };
          this.#answerIn(ringMs, { what: 'call', widget: effect.widget, event: { type: 'call-ended', params } });
        }
        return;
      }
      case 'call-recording': {
        const recording = { Sid: 'RE' + (++this.#counter).toString(16).padStart(32, '0'), CallSid: effect.callSid, Status: effect.start ? 'in-progress' : 'stopped' };
        this.deliver({ type: 'effect-result', effectId: effect.effectId, result: { kind: 'call-recording', recording } });
        return;
      }
      case 'start-conversation': {
        const code = this.responder.conversationFailure?.();
        const result: EffectResult =
          code !== undefined
            ? { kind: 'conversation-failed', code, message: `Simulated Conversations API error ${code}` }
            : {
                kind: 'conversation-started',
                conversation: { sid: 'CH' + (++this.#counter).toString(16).padStart(32, '0'), friendly_name: effect.request.friendlyName ?? '', chat_service_sid: effect.request.conversationServiceSid, state: 'active' },
                webhookSid: 'WH' + (++this.#counter).toString(16).padStart(32, '0'),
              };
        this.deliver({ type: 'effect-result', effectId: effect.effectId, result });
        return;
      }
      case 'resume-conversation': {
        // The conversation exists as asked (its participants unknown here: the contact stays the contact).
        const code = this.responder.conversationFailure?.();
        const r = effect.request;
        const result: EffectResult =
          code !== undefined
            ? { kind: 'conversation-failed', code, message: `Simulated Conversations API error ${code}` }
            : {
                kind: 'conversation-started',
                conversation: { sid: r.conversationSid, chat_service_sid: r.conversationServiceSid, state: 'active', ...(r.attributes !== undefined ? { attributes: r.attributes } : {}), participants: [] },
                webhookSid: this.#id('WH'),
              };
        this.deliver({ type: 'effect-result', effectId: effect.effectId, result });
        return;
      }
      case 'connect-virtual-agent': {
        // The agent takes the conversation (as the simulator channel's), then ends its session as the test's
        // virtualAgent mock says, after its `delay`; unmocked it never does (the widget's timeout decides). A
        // mock that says `fail` is the channel refusing the connection (the widget leaves by failed).
        const mock = this.responder.callVerb?.('virtualAgent', effect.widget, { conversation: true });
        if (mock && mock !== 'hangup' && mock.fail !== undefined) {
          const fail = typeof mock.fail === 'number' ? { code: mock.fail } : mock.fail;
          this.deliver({ type: 'effect-result', effectId: effect.effectId, result: { kind: 'virtual-agent-failed', code: fail.code, message: fail.message ?? `Simulated failure ${fail.code}` } });
          return;
        }
        const sessionId = this.#id('VA');
        this.deliver({ type: 'effect-result', effectId: effect.effectId, result: { kind: 'virtual-agent-connected', sessionId, outputs: { VirtualAgentProvider: 'DialogflowCX' } } });
        if (!mock) return;
        if (mock === 'hangup' || mock.status === 'hangup' || mock.status === 'paused') {
          this.problems.push(`mocks.virtualAgent for widget '${effect.widget}' says ${mock === 'hangup' ? 'hangup' : mock.status}, which a session in a conversation cannot end with (completed, live-agent-handoff or failed); it ends as failed`);
        }
        const status = mock === 'hangup' ? 'hangup' : (mock.status ?? 'completed');
        const params: JsonObject = mock !== 'hangup' && mock.action ? mock.action : { VirtualAgentStatus: status, ...(mock !== 'hangup' ? mock.params : {}) };
        const delayMs = mock !== 'hangup' && mock.delay !== undefined ? parseDuration(mock.delay) : 0;
        this.#answerIn(delayMs, { what: 'session', widget: effect.widget, event: { type: 'virtual-agent-ended', sessionId, params } });
        return;
      }
      case 'disconnect-virtual-agent': {
        // The flow took the conversation back: a session end still on its way never comes.
        const ending = (entry: InFlight) => entry.event.type === 'virtual-agent-ended' && entry.event.sessionId === effect.session.sessionId;
        for (const entry of this.#inFlight.filter(ending)) this.#inFlight.splice(this.#inFlight.indexOf(entry), 1);
        this.deliver({ type: 'effect-result', effectId: effect.effectId, result: { kind: 'virtual-agent-disconnected' } });
        return;
      }
      case 'create-task': {
        // The hand-off to Flex: the task exists at once (as on the simulator channel), unless the test's
        // enqueue mock says TaskRouter refuses it (`fail`): the widget leaves by failedToEnqueue.
        const mock = this.responder.callVerb?.('enqueue', effect.widget);
        if (mock && mock !== 'hangup' && mock.fail !== undefined) {
          const fail = typeof mock.fail === 'number' ? { code: mock.fail } : mock.fail;
          this.deliver({ type: 'effect-result', effectId: effect.effectId, result: { kind: 'task-failed', code: fail.code, message: fail.message ?? `Simulated failure ${fail.code}` } });
          return;
        }
        if (mock && (mock === 'hangup' || (mock.result !== undefined && mock.result !== 'bridged'))) {
          this.problems.push(
            `mocks.enqueue for widget '${effect.widget}' says ${mock === 'hangup' ? 'hangup' : `result: ${mock.result}`}, which only a caller in a queue reports; outside a call Send to Flex creates the task (callComplete) or TaskRouter refuses it — write fail: <error code> for failedToEnqueue`,
          );
        }
        const task = { sid: 'WT' + (++this.#counter).toString(16).padStart(32, '0'), workflow_sid: effect.task.workflowSid, attributes: effect.task.attributes, priority: effect.task.priority, timeout: effect.task.timeout, age: 0, assignment_status: 'pending' };
        this.deliver({ type: 'effect-result', effectId: effect.effectId, result: { kind: 'task-created', task } });
        return;
      }
      default:
        // Effects added to the engine after this runner was written are reported, not guessed.
        this.problems.push(`the test runner cannot carry out a '${(effect as { type: string }).type}' effect (widget '${(effect as { widget?: string }).widget ?? '?'}')`);
        return;
    }
  }

  newMessageSid(): string {
    return this.#id('SM');
  }

  endState(): EndState {
    const reason = this.state?.endReason;
    if (!this.state || this.state.status === 'active' || !reason) return 'waiting';
    return reason.kind;
  }

  observation(): Observation {
    const reason = this.state?.endReason;
    return {
      steps: [...this.steps],
      path: mainPath(this.steps),
      messages: this.messages.map((m) => ({ ...m })),
      requests: [...this.requests],
      heard: [...this.heard],
      end: this.endState(),
      ...(reason?.kind === 'error' ? { error: { code: reason.code, message: reason.message } } : {}),
      context: this.state ? executionContext(this.state) : {},
      diagnostics: [...this.diagnostics],
      problems: [...this.problems],
    };
  }
}

/**
 * An answer as the runtime's HTTP client takes it: a body over its cap (Studio's 64 KB, counted in bytes) is no
 * answer, and the widget fails, as on a server (fetch-http.ts), rather than reading a body a server never reads.
 */
function capped(result: EffectResult): EffectResult {
  const max = DEFAULT_RUNTIME_OPTIONS.http.maxBodyBytes;
  if (result.kind !== 'http-response' || result.body.length <= max / 3 || Buffer.byteLength(result.body, 'utf8') <= max) return result;
  return { kind: 'http-failed', reason: 'too-large', message: `Response body exceeds ${max} bytes` };
}

/**
 * The main flow's widgets in the order they ran: each step's origin, plus where the last one led.
 * Every entry counts, a widget that transitions to itself (a reply timeout back to the same
 * send-and-wait) included: the last step's target is a widget entered once more, not a repeat.
 */
export function mainPath(steps: readonly { from: string; to: string; subflow?: string }[]): string[] {
  const main = steps.filter((s) => !s.subflow);
  const path = main.map((s) => s.from);
  const last = main.at(-1);
  if (last && last.to !== 'Ended') path.push(last.to);
  return path;
}
