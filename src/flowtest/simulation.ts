// Drives the pure engine the way the runtime would, with a simulated clock and every outside
// answer (HTTP, Functions, the channel, subflow loads) coming from a Responder: mocks for tests,
// recorded answers for replay. Nothing here performs I/O or reads the real clock, so a run is
// deterministic and takes microseconds.
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
} from '../engine/types.ts';
import type { FlowDefinition } from '../definition/types.ts';
import { buildRequest } from '../channels/http/fetch-http.ts';
import type { RecordedStep } from './derive.ts';
import type { EndState, Mocks, Observation, ObservedMessage, ObservedRequest, ObservedStep } from './types.ts';
import { effectFailure, failureReason } from './failure-reason.ts';

export type Payload = Extract<Effect, { effectId: string }>;
type HttpEffect = Extract<Effect, { type: 'http-request' }>;
type SendEffect = Extract<Effect, { type: 'send-message' }>;
type SubflowEffect = Extract<Effect, { type: 'load-subflow' }>;
type PlaceCallEffect = Extract<Effect, { type: 'place-call' }>;

/** How an outbound call goes: refused by the API, answered (by a person or a machine), or ended unanswered. */
export type CallOutcome = { fail: number } | { answer: 'human' | 'machine' | 'busy' | 'no-answer' | 'failed' | 'canceled' };

export type HttpAnswer = { result: EffectResult; delayMs: number };
export type SendAnswer = { result: EffectResult; undelivered?: string };

/** The mocks that decide how a call verb the flow waits on goes (see #driveCall). */
export type CallVerbMockKey = 'dial' | 'enqueue' | 'record';
/** A call verb's mock; a replay also gives the action's recorded parameters (its SIDs), sent as they came. */
export type CallVerbAnswer<K extends CallVerbMockKey> = NonNullable<Mocks[K]>[number] & { params?: JsonObject };

/** Where a simulation gets the outside world's answers. */
export interface Responder {
  http(effect: HttpEffect, problems: string[]): HttpAnswer;
  send(effect: SendEffect): SendAnswer;
  /** A subflow the responder cannot answer for is reported in `problems` (tests), not only as missing. */
  subflow(effect: SubflowEffect, problems: string[]): EffectResult;
  /** Optional: outbound calls (default: answered by a person) and Conversations (default: created). */
  call?(effect: PlaceCallEffect): CallOutcome;
  conversationFailure?(): number | undefined;
  /** Optional: how a widget's Dial, Enqueue or Record goes (default: completed, bridged, a message left). */
  callVerb?<K extends CallVerbMockKey>(kind: K, widget: string): CallVerbAnswer<K> | undefined;
  /**
   * Optional: the answer to a Flex task, Conversation or call recording the responder knows (a
   * replay's recorded one, with its SIDs); undefined lets the simulation make one up.
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
  /** Studio times HTTP widgets out after 10 s. */
  httpTimeoutMs?: number;
  /** Studio ends executions 30 days after they start. */
  maxExecutionAgeMs?: number;
}

export const DEFAULT_START = Date.UTC(2030, 0, 7, 9, 0, 0); // a Monday, 09:00 UTC

/** Studio's runtime rules as a Switchboard configuration sets them (SwitchboardConfig has these keys). */
export interface ConfiguredRules {
  maxSteps: number;
  maxSameWidget: number;
  /** JSON bytes of an execution's context (--max-context-bytes). */
  maxContextBytes: number;
  /** Seconds. */
  defaultReplyTimeout: number;
  timezone: string;
  /** How Liquid prints an object (--liquid-object-format). */
  liquidObjectFormat: 'json' | 'map';
  /** Set Variables value typing (--set-variables-typing). */
  setVariablesTyping: 'infer' | 'string';
  /** Seconds. */
  executionMaxAge: number;
}

/** The options that run a simulation under the rules a server with this configuration runs executions under (as `serve` does). */
export function simulationOptionsFrom(rules: ConfiguredRules): SimulationOptions {
  return {
    limits: {
      maxSteps: rules.maxSteps,
      maxSameWidgetInARow: rules.maxSameWidget,
      maxContextBytes: rules.maxContextBytes,
      defaultReplyTimeoutSeconds: rules.defaultReplyTimeout,
      timezone: rules.timezone,
      objectFormat: rules.liquidObjectFormat,
      variableTyping: rules.setVariablesTyping,
    },
    maxExecutionAgeMs: rules.executionMaxAge * 1000,
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

const IDS = { executionSid: 'FN' + '0'.repeat(31) + '1', accountSid: 'AC' + '0'.repeat(31) + '1', flowSid: 'FW' + '0'.repeat(31) + '1' };
/** The call a Dial places and the recording a Record makes: fixed, so other generated SIDs do not shift. */
const DIAL_CALL_SID = 'CA' + '0'.repeat(31) + '2';
const RECORDING_SID = 'RE' + '0'.repeat(31) + '1';

export class Simulation {
  readonly definition: FlowDefinition;
  readonly responder: Responder;
  readonly options: Required<Omit<SimulationOptions, 'limits'>> & { limits: Partial<EngineLimits> };
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

  constructor(definition: FlowDefinition, responder: Responder, options: SimulationOptions = {}) {
    this.definition = definition;
    this.responder = responder;
    this.options = {
      startAt: options.startAt ?? DEFAULT_START,
      limits: options.limits ?? {},
      httpTimeoutMs: options.httpTimeoutMs ?? 10_000,
      maxExecutionAgeMs: options.maxExecutionAgeMs ?? 30 * 86_400_000,
    };
    this.now = this.options.startAt;
  }

  get active(): boolean {
    return this.state?.status === 'active';
  }

  #id(prefix: string): string {
    return prefix + (++this.#counter).toString(16).padStart(32, '0');
  }

  #input(): EngineInput {
    return { definition: this.definition, now: this.now, newId: (prefix) => this.#id(prefix), limits: this.options.limits };
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
      const expiryFirst = this.#expiresAt <= target && (!due || this.#expiresAt <= due[1]);
      if (expiryFirst && this.active) {
        this.now = Math.max(this.now, this.#expiresAt);
        this.#expiresAt = Infinity;
        this.end('expired');
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
    if (this.state.status === 'ended') this.#timers.clear();
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

  #callParams(extra: JsonObject = {}): JsonObject {
    const call = (this.state?.frames[0]?.trigger.call ?? {}) as JsonObject;
    return { CallSid: this.state?.callSid ?? String(call.CallSid ?? ''), AccountSid: IDS.accountSid, From: call.From ?? this.state?.contactAddress ?? '', To: call.To ?? this.state?.channelAddress ?? '', CallStatus: 'in-progress', Direction: 'inbound', ...extra };
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
    this.deliver({ type: 'call-ended', params: this.#callParams({ CallStatus: 'completed' }) });
  }

  /**
   * Plays the waiting TwiML up to the first verb that needs the caller; true when it moved the call on.
   * Dial, Enqueue and Record end as the test's `dial`, `enqueue` and `record` mocks say (answered and
   * completed, bridged, a message left by default), each action callback with its own verb's parameters.
   */
  #driveCall(): boolean {
    const wait = this.#callWait();
    // The caller has hung up (a widget awaiting its action after the final status): nobody to play to.
    if (!wait || wait.twiml.length === 0 || wait.hungUp) return false;
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
          this.deliver({ type: 'call-ended', params: this.#callParams({ CallStatus: 'completed' }) });
          return true;
        case 'Record': {
          if (!node.callback) continue;
          const mock = this.responder.callVerb?.('record', widget);
          const result = mock?.result ?? 'completed';
          // Nothing recorded: Twilio skips the action and goes on to the <Redirect> after it (noAudio).
          if (result === 'noAudio') continue;
          const digits = result === 'hangup' ? 'hangup' : mock?.digits;
          const recording = {
            RecordingUrl: mock?.url ?? `https://api.twilio.com/2010-04-01/Accounts/${IDS.accountSid}/Recordings/${RECORDING_SID}`,
            RecordingSid: RECORDING_SID,
            RecordingDuration: String(mock?.duration ?? 5),
            ...(digits !== undefined ? { Digits: digits } : {}),
            ...mock?.params,
          };
          // A caller who hangs up after the message: the final status, then the action with what was recorded.
          if (result === 'hangup') this.#callEnded();
          this.#callback(wait, result === 'hangup' ? { ...recording, CallStatus: 'completed' } : recording);
          return true;
        }
        case 'Dial': {
          if (!node.callback) continue;
          const mock = this.responder.callVerb?.('dial', widget);
          const status = mock?.status ?? 'completed';
          const dialed = { DialCallStatus: status, DialCallSid: DIAL_CALL_SID, DialCallDuration: String(status === 'completed' ? (mock?.duration ?? 30) : 0), ...mock?.params };
          if (mock?.callerHangsUp) {
            // The caller's call is over (CallStatus completed) when Twilio requests the action: `hangup`.
            this.#callEnded();
            this.#callback(wait, { ...dialed, CallStatus: 'completed' });
          } else {
            this.#callback(wait, dialed);
          }
          return true;
        }
        case 'Enqueue': {
          if (!node.callback) continue;
          const mock = this.responder.callVerb?.('enqueue', widget);
          const result = mock?.result ?? 'bridged';
          this.#callback(wait, { QueueResult: result, QueueTime: String(mock?.time ?? 0), ...mock?.params });
          // A caller who hung up in the queue has no call left for what the flow does next.
          if (result === 'hangup' && this.active) this.#callEnded();
          return true;
        }
        default:
          // TwiML Redirect to another app: the call stays up under it until the app hands it back
          // (`return:` in a test) or the widget's timer fires (`wait:`), as on Twilio.
          if (node.verb === 'Redirect' && !node.callback && wait.returnable) return false;
          if (node.callback) {
            // Redirect back, or a verb (Pay, Connect…) whose action reports it finished: no parameters of
            // another verb's (a test cannot choose these outcomes yet).
            this.#callback(wait, {}, node.callback.fallthrough === true);
            return true;
          }
      }
    }
    // The TwiML ran out without coming back: the call is over.
    this.deliver({ type: 'call-ended', params: this.#callParams({ CallStatus: 'completed' }) });
    return true;
  }

  /**
   * The caller presses keys or speaks into the open Gather; false when nothing is listening. Keys end
   * as Twilio ends them: at the Gather's finishOnKey (left out of Digits, reported as FinishedOnKey)
   * or after numDigits keys. `confidence` is the speech recognizer's (a replay passes the recorded one).
   * Words into a Gather that listens for keys only are not heard: it times out, as on Twilio.
   */
  callerInput(input: { digits: string } | { speech: string; confidence?: string }): boolean {
    const wait = this.#callWait();
    const gather = this.#gather;
    if (!wait || !gather || gather.callbackId !== wait.callbackId) return false;
    if ('speech' in input && !gather.speech) {
      this.advance(Math.max(0, gather.since + gather.timeoutMs - this.now));
      return true;
    }
    let params: JsonObject;
    if ('digits' in input) {
      const finish = gather.finishOnKey ? input.digits.indexOf(gather.finishOnKey) : -1;
      const digits = finish >= 0 ? input.digits.slice(0, finish) : input.digits;
      params = { Digits: gather.numDigits ? digits.slice(0, gather.numDigits) : digits, FinishedOnKey: finish >= 0 ? gather.finishOnKey : '' };
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
    this.#gather = null;
    this.deliver({ type: 'call-ended', params: this.#callParams({ CallStatus: 'completed' }) });
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
    if (effect.type === 'create-task' || effect.type === 'start-conversation' || effect.type === 'call-recording') {
      const known = this.responder.answer?.(effect);
      if (known) {
        this.deliver({ type: 'effect-result', effectId: effect.effectId, result: known });
        return;
      }
    }
    switch (effect.type) {
      case 'send-message': {
        const answer = this.responder.send(effect);
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
          this.deliver({ type: 'delivery-status', messageSid: sid, status: 'undelivered', errorCode: answer.undelivered });
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
        let result = answer.result;
        if (answer.delayMs >= this.options.httpTimeoutMs) {
          result = { kind: 'http-failed', reason: 'timeout', message: `no response within ${this.options.httpTimeoutMs / 1000} s` };
          this.now += this.options.httpTimeoutMs;
        } else {
          this.now += answer.delayMs;
        }
        this.deliver({ type: 'effect-result', effectId: effect.effectId, result });
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
          this.deliver({ type: 'effect-result', effectId: effect.effectId, result: { kind: 'call-failed', code: outcome.fail, message: `Simulated Calls API error ${outcome.fail}` } });
          return;
        }
        const callSid = 'CA' + (++this.#counter).toString(16).padStart(32, '0');
        const call = { Sid: callSid, CallSid: callSid, To: effect.call.to, From: effect.call.from, Status: 'queued', Direction: 'outbound-api' };
        this.deliver({ type: 'effect-result', effectId: effect.effectId, result: { kind: 'call-placed', call } });
        const base = { CallSid: callSid, AccountSid: IDS.accountSid, To: effect.call.to, From: effect.call.from, Direction: 'outbound-api' };
        if (outcome.answer === 'human' || outcome.answer === 'machine') {
          // The placed call's URL names the effect, so its answer is this wait's callback.
          this.deliver({ type: 'call-callback', callbackId: effect.effectId, params: { ...base, CallStatus: 'in-progress', AnsweredBy: outcome.answer === 'human' ? 'human' : 'machine_start' } });
        } else {
          this.deliver({ type: 'call-ended', params: { ...base, CallStatus: outcome.answer } });
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
      case 'create-task': {
        // The hand-off to Flex: the task exists at once (as on the simulator channel).
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
