// Replay: re-runs a recorded execution's inputs (trigger, replies, reply timeouts, HTTP and
// Function answers, send failures) against another revision on the pure engine, and reports where
// the path and the outputs diverge from what was recorded, and where the widgets asked for or said
// something else (requests, Function calls, a call's TwiML) than the revision the execution ran,
// replayed with the same answers (replay-effects.ts).
import type { FlowDefinition } from '../definition/types.ts';
import type { EffectResult, Effect, JsonObject } from '../engine/types.ts';
import { deriveInputs, recordedMessages, waitingMessages, type RecordedStep } from './derive.ts';
import { sequenceDiff, stepText } from './expect.ts';
import { httpAnswerFor } from './mocks.ts';
import { matchesText } from './pattern.ts';
import { parseDuration } from './duration.ts';
import { outage } from './outage.ts';
import { fieldDifferences, type FieldDifference } from './output-fields.ts';
import { conversationParams, inboundSids, messageParams, nextConversationIndex, startSpec } from './run-test.ts';
import { recordedAnswers, type RecordedAnswers } from './recorded-answers.ts';
import { isConversationMessage, postedMessage, recordedReply } from './replay-conversation.ts';
import { effectDifferenceLines, effectDifferences, effectTranscript, TranscribedSimulation, type EffectDifference, type WidgetEffect } from './replay-effects.ts';
import { ReplayBudget } from './replay-budget.ts';

export { ReplayBudget, ReplayTooCostly, REPLAY_LIMITS } from './replay-budget.ts';
import {
  mainPath,
  type CallOutcome,
  type CallVerbAnswer,
  type CallVerbMockKey,
  type CallVerbOutcome,
  type SimulationOptions,
  type HttpAnswer,
  type Payload,
  type Responder,
  type SendAnswer,
} from './simulation.ts';
import type { DialMock, EnqueueMock, HttpMock, MessageMock, PayMock, ScriptStep } from './types.ts';

export interface ReplaySource {
  executionSid: string;
  flowSid: string;
  revision: number | null;
  /** The execution context (its trigger is the first input). */
  context: JsonObject;
  steps: RecordedStep[];
  endedManually: boolean;
  /** Whether the recorded execution has ended (a call that ended mid-widget was hung up). */
  ended?: boolean;
  /** When the execution started (its date_created, ms): the replay's clock starts there, so time-of-day branches and printed times agree. */
  startedAt?: number;
  /**
   * The stored engine state: a send-and-wait still waiting on a reply has sent its question, which
   * no step holds yet (see waitingMessages).
   */
  state?: unknown;
  /**
   * The revision the execution ran: replayed with the same recorded answers, it is the baseline for
   * what the widgets requested and said (the recording keeps their answers, not their requests).
   * Without it only the path, the messages and the outputs are compared (and a note says so).
   */
  original?: Omit<ReplayTarget, 'revision'>;
}

export interface ReplayTarget {
  revision: number | string;
  definition: FlowDefinition;
  /** Loads subflows the replayed revision runs (the runtime's store); missing → subflow-missing. */
  loadSubflow?: (flowSid: string, revision: string) => { revision: number; definition: FlowDefinition } | null;
}

export interface StepView {
  from: string;
  event: string;
  to: string;
}

export interface OutputDifference {
  widget: string;
  original: unknown;
  replay: unknown;
  /** The fields that differ (those that differ between runs by nature left out). */
  fields: FieldDifference[];
}

export interface ReplayReport {
  executionSid: string;
  flowSid: string;
  original: { revision: number | null; path: string[]; steps: StepView[]; messages: string[] };
  replay: { revision: number | string; path: string[]; steps: StepView[]; messages: string[]; end: string };
  diverged: boolean;
  /** The first step where the two runs differ (index into the steps), or null. */
  divergence: { index: number; original: StepView | null; replay: StepView | null } | null;
  /** Line diff of the steps: "  " both, "- " original only, "+ " replay only. */
  stepDiff: string[];
  messageDiff: string[];
  outputDifferences: OutputDifference[];
  /**
   * Where a widget requested or said something else than in the original revision replayed with the
   * same answers: a request's method, URL, body or parameters, a Function call's, a call widget's TwiML.
   */
  effectDifferences: EffectDifference[];
  /** Whether requests and TwiML were compared (false when the execution's revision was not given). */
  effectsCompared: boolean;
  notes: string[];
}

/** The results a recorded answer can stand for, per effect: a replay never answers one effect with another's. */
const ANSWER_KINDS: Partial<Record<Payload['type'], EffectResult['kind'][]>> = {
  'create-task': ['task-created', 'task-failed'],
  'start-conversation': ['conversation-started', 'conversation-failed'],
  'resume-conversation': ['conversation-started', 'conversation-failed'],
  'call-recording': ['call-recording', 'call-failed'],
  // Only a refusal is recorded: a session the agent took is the simulation's, ended as the recording says (callVerb).
  'connect-virtual-agent': ['virtual-agent-failed'],
};

class RecordedResponder implements Responder {
  readonly #http: Map<string, HttpMock[]>;
  readonly #messages: MessageMock[];
  readonly #answers: RecordedAnswers;
  readonly #target: ReplayTarget;
  readonly #newSid: () => string;
  constructor(http: Map<string, HttpMock[]>, messages: MessageMock[], answers: RecordedAnswers, target: ReplayTarget, newSid: () => string) {
    this.#http = new Map([...http].map(([k, v]) => [k, [...v]]));
    this.#messages = messages.map((m) => ({ ...m }));
    this.#answers = answers;
    this.#target = target;
    this.#newSid = newSid;
  }
  http(effect: Extract<Effect, { type: 'http-request' }>, problems: string[]): HttpAnswer {
    const queue = this.#http.get(effect.widget);
    const recorded = queue && queue.length > 1 ? queue.shift()! : queue?.[0];
    if (!recorded) {
      problems.push(`widget '${effect.widget}' made a request the recording has no answer for (${effect.request.method} ${effect.request.url}); answered as a network failure`);
      return { result: { kind: 'http-failed', reason: 'network', message: 'not in the recording' }, delayMs: 0 };
    }
    return httpAnswerFor(recorded);
  }
  send(effect: Extract<Effect, { type: 'send-message' }>): SendAnswer {
    const index = this.#messages.findIndex((m) => m.widget === effect.widget && (m.body === undefined || matchesText(m.body, effect.message.body)));
    const mock = index >= 0 ? this.#messages.splice(index, 1)[0] : undefined;
    if (mock?.fail !== undefined) {
      const code = typeof mock.fail === 'number' ? mock.fail : mock.fail.code;
      return { result: { kind: 'message-failed', code, message: `recorded failure ${code}` } };
    }
    const sid = this.#newSid();
    const m = effect.message;
    // The resource the channel returned (an SMS, or a message in a Conversation: ConversationSid,
    // Author, Index…), its SID as it came, carrying what this revision sends.
    const recorded = mock?.undelivered === undefined ? this.#answers.outbound.get(effect.widget)?.shift() : undefined;
    const message: JsonObject = !recorded
      ? { Sid: sid, From: m.from, To: m.to, Body: m.body, Status: 'queued' }
      : isConversationMessage(recorded)
        ? postedMessage(recorded, m, sid)
        : { ...recorded, Sid: typeof recorded.Sid === 'string' ? recorded.Sid : sid, Body: m.body, ...('From' in recorded ? { From: m.from } : {}), ...('To' in recorded ? { To: m.to } : {}) };
    return {
      result: { kind: 'message-sent', message },
      ...(mock?.undelivered !== undefined ? { undelivered: String(mock.undelivered) } : {}),
    };
  }
  /** The task, Conversation or call recording the channel made (or refused), with its recorded SIDs. */
  answer(effect: Payload): EffectResult | undefined {
    const queue = this.#answers.effects.get(effect.widget);
    if (!queue?.length || !ANSWER_KINDS[effect.type]?.includes(queue[0]!.kind)) return undefined;
    const recorded = queue.shift()!;
    if (recorded.kind === 'task-created' && effect.type === 'create-task') {
      // The recorded task's identity with what this revision asks for: its attributes are an output.
      const t = effect.task;
      return { kind: 'task-created', task: { ...recorded.task, workflow_sid: t.workflowSid, attributes: t.attributes, priority: t.priority, timeout: t.timeout } };
    }
    if (recorded.kind === 'conversation-started' && effect.type === 'start-conversation') {
      const r = effect.request;
      const conversation = { ...recorded.conversation, chat_service_sid: r.conversationServiceSid, ...(r.friendlyName !== undefined ? { friendly_name: r.friendlyName } : {}), ...(r.attributes !== undefined ? { attributes: r.attributes } : {}) };
      return { ...recorded, conversation };
    }
    return recorded;
  }
  /**
   * A Dial, Enqueue, Record, Pay, virtual agent or ConversationRelay session goes as it went: its outcome,
   * with the action's parameters as Twilio sent them; Record's fall-through with nothing recorded; a hang-up
   * with no action.
   */
  callVerb<K extends CallVerbMockKey>(kind: K, widget: string): CallVerbOutcome<K> {
    const recorded = this.#answers.callVerbs.get(widget)?.shift();
    if (!recorded) return undefined;
    if ('hangup' in recorded) return 'hangup';
    if ('noAudio' in recorded) return (kind === 'record' ? { result: 'noAudio' } : undefined) as CallVerbOutcome<K>;
    const { action, callOver } = recorded;
    const answered = { action, callerHangsUp: callOver };
    let answer: CallVerbAnswer<CallVerbMockKey> | undefined;
    if (kind === 'dial' && typeof action.DialCallStatus === 'string') {
      answer = { status: action.DialCallStatus as DialMock['status'], ...answered };
    } else if (kind === 'enqueue' && typeof action.QueueResult === 'string') {
      answer = { result: action.QueueResult as EnqueueMock['result'], ...answered };
    } else if (kind === 'record' && typeof action.RecordingSid === 'string') {
      answer = { result: 'completed', ...answered };
    } else if (kind === 'pay' && typeof action.Result === 'string') {
      answer = { result: action.Result as PayMock['result'], ...answered };
    } else if (kind === 'virtualAgent' || kind === 'conversationRelay') {
      answer = answered;
    }
    return answer as CallVerbOutcome<K>;
  }
  /** An outbound call goes as it went: refused, answered (the recorded call's SID and answer), or ended unanswered. */
  call(effect: Extract<Effect, { type: 'place-call' }>): CallOutcome {
    return this.#answers.calls.get(effect.widget)?.shift() ?? { answer: 'human' };
  }
  subflow(effect: Extract<Effect, { type: 'load-subflow' }>): EffectResult {
    const loaded = this.#target.loadSubflow?.(effect.flowSid, effect.revision);
    return loaded
      ? { kind: 'subflow-loaded', flowSid: effect.flowSid, revision: loaded.revision, definition: loaded.definition }
      : { kind: 'subflow-missing', message: `Subflow ${effect.flowSid} was not found` };
  }
}

const view = (s: { from: string; event: string; to: string }): StepView => ({ from: s.from, event: s.event, to: s.to });

function lastOutputs(steps: RecordedStep[]): Map<string, unknown> {
  const outputs = new Map<string, unknown>();
  for (const s of steps) if (!s.parentStepSid) outputs.set(s.from, s.context);
  return outputs;
}

/** Fields that differ between runs by nature (fresh SIDs, dates), left out of output comparisons. */
const VOLATILE = /^(Sid|MessageSid|SmsSid|SmsMessageSid|AccountSid|DateCreated|DateUpdated|DateSent|Status|SmsStatus|NumSegments|NumMedia|Direction|ApiVersion|Price|PriceUnit|Uri)$/;
/**
 * The call parameters Twilio sends with every request about a call (its SID, the Called/Caller
 * aliases of To/From, caller ID and geographic lookups): they say which call it was, not what the
 * flow did, and the replay's simulated call has only some of them. Left out of a widget's own
 * outputs (top level) only; what the caller did (Digits, FinishedOnKey, SpeechResult…) is compared.
 */
const CALL_IDENTITY = /^(CallSid|Called|Caller|CallerName|CallToken|ForwardedFrom|StirVerstat|StirPassportToken|(From|To|Called|Caller)(City|State|Zip|Country)|CallDuration|Timestamp)$/;

function comparable(value: unknown, top = true): unknown {
  if (Array.isArray(value)) return value.map((v) => comparable(v, false));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !VOLATILE.test(k) && !(top && CALL_IDENTITY.test(k)))
        .map(([k, v]) => [k, comparable(v, false)]),
    );
  }
  return value;
}

/** JSON with object keys sorted: the order a callback's parameters arrived in is not an output. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/**
 * Replays `source` against `target`. `options` are the engine's rules (the server's configuration:
 * time zone, reply timeout, step limits); the clock starts at the execution's start. Both runs (the
 * target and the execution's own revision) share `budget`: past it, ReplayTooCostly is thrown.
 */
export function replayExecution(source: ReplaySource, target: ReplayTarget, options: SimulationOptions = {}, budget: ReplayBudget = new ReplayBudget()): ReplayReport {
  const work = replaySteps(source, target, options, budget);
  budget.resume();
  try {
    for (;;) {
      const next = work.next();
      if (next.done) return next.value;
    }
  } finally {
    budget.pause();
  }
}

/**
 * replayExecution that gives the event loop up after each recorded input (the sprints it causes), so a
 * server answers other requests while a long replay runs; the budget counts only the replay's own work.
 */
export async function replayExecutionInterleaved(
  source: ReplaySource,
  target: ReplayTarget,
  options: SimulationOptions = {},
  budget: ReplayBudget = new ReplayBudget(),
): Promise<ReplayReport> {
  const work = replaySteps(source, target, options, budget);
  for (;;) {
    budget.resume();
    let next: IteratorResult<void, ReplayReport>;
    try {
      next = work.next();
    } finally {
      budget.pause();
    }
    if (next.done) return next.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** The replay as a generator that pauses between recorded inputs (see the drivers above). */
function* replaySteps(source: ReplaySource, target: ReplayTarget, options: SimulationOptions, budget: ReplayBudget): Generator<void, ReplayReport, void> {
  const { observed, notes, unanswered, effects } = yield* runReplay(source, target, options, budget);
  const compared = compare(source, target, observed, notes, unanswered);
  let effectsCompared = false;
  let differences: EffectDifference[] = [];
  if (source.original) {
    yield;
    // The baseline: the execution's own revision on the same recorded answers (its notes are the
    // recording's, already said, or about the baseline itself, said below when it strays).
    const baseline = yield* runReplay(source, { ...source.original, revision: source.revision ?? 'original' }, options, budget);
    const own = compare(source, { revision: source.revision ?? 'original', definition: source.original.definition }, baseline.observed, [], baseline.unanswered);
    if (own.divergence) {
      notes.push(
        `replaying revision ${source.revision ?? '?'} itself leaves the recorded path at step ${own.divergence.index + 1}: requests and what the caller heard are compared with that replay`,
      );
    }
    differences = effectDifferences(baseline.effects, effects);
    effectsCompared = true;
  } else {
    notes.push("the execution's revision was not available: the requests widgets made and what the caller heard are not compared");
  }
  return { ...compared, effectDifferences: differences, effectsCompared, diverged: compared.diverged || differences.length > 0 };
}

/** A recorded input in words ("the reply "L"", "a wait of 3097ms"), for a note. */
function inputText(step: ScriptStep): string {
  if ('send' in step) {
    const body = typeof step.send === 'string' ? step.send : (step.send.body ?? '');
    const media = typeof step.send === 'string' ? 0 : (step.send.media?.length ?? 0);
    return `the reply ${JSON.stringify(body)}${media ? ` (with ${media} media URL${media > 1 ? 's' : ''})` : ''}`;
  }
  if ('wait' in step) return `a wait of ${step.wait}`;
  if ('outage' in step) return `an outage of ${step.outage}`;
  if ('digits' in step) return `the caller's keys ${step.digits}`;
  if ('speech' in step) return `the caller's words ${JSON.stringify(step.speech)}`;
  if ('hangup' in step) return 'the caller hanging up';
  if ('return' in step) return 'the call coming back from a TwiML Redirect';
  if ('end' in step) return step.end === 'manual' ? 'the end of the execution by hand' : 'the end of the execution at its age limit';
  return 'expectations';
}

/**
 * What the replay left unused when it ended before the recording did: the first input that is not
 * just time passing (a reply, keys, a hang-up…), else the first, and how many more there were.
 */
function leftOver(rest: readonly ScriptStep[]): string {
  const shown = rest.find((step) => !('wait' in step) && !('outage' in step)) ?? rest[0]!;
  const more = rest.filter((step) => step !== shown && !('wait' in step) && !('outage' in step)).length;
  return `the replay ended before ${inputText(shown)}${more ? ` and ${more} more recorded input${more > 1 ? 's' : ''}` : ''}, which ${more ? 'were' : 'was'} not used`;
}

/**
 * Whether the replay waits at the widget the recording's last step went to (in a subflow when that step
 * was): only then can its question be the one the execution was ended on (by hand, or at its maximum age)
 * while waiting, which no step keeps. A replay waiting elsewhere (a revision that asks a new question on
 * the way, or after an execution that ran to its end) asks something the execution never asked: that
 * question is a difference to show, not one to leave out.
 */
function waitsWhereRecordingStopped(state: unknown, steps: RecordedStep[]): boolean {
  const frames = (state as { frames?: { current?: unknown }[] } | null)?.frames;
  const last = steps.at(-1);
  if (!Array.isArray(frames) || frames.length === 0 || !last) return false;
  return frames.at(-1)!.current === last.to && frames.length > 1 === Boolean(last.parentStepSid);
}

/** One run of the recorded inputs on `target`, with what its widgets requested and said; pauses after each input. */
function* runReplay(source: ReplaySource, target: ReplayTarget, options: SimulationOptions, budget: ReplayBudget) {
  const trigger = (source.context.trigger ?? {}) as JsonObject;
  const inputs = deriveInputs(trigger, source.steps, {
    definition: target.definition,
    endedManually: source.endedManually,
    ended: source.ended ?? false,
    ...(source.startedAt !== undefined ? { startedAt: source.startedAt } : {}),
    recordedCallVerbs: true,
    ...(source.original ? { recordedDefinition: source.original.definition } : {}),
  });
  let sim: TranscribedSimulation | null = null;
  const answers = recordedAnswers(source.steps);
  const responder = new RecordedResponder(inputs.http, inputs.messages, answers, target, () => sim!.newMessageSid());
  const firstStep = source.steps.find((s) => s.at !== undefined)?.at;
  const startAt = source.startedAt ?? firstStep;
  sim = new TranscribedSimulation(target.definition, responder, { ...options, ...(startAt !== undefined && Number.isFinite(startAt) ? { startAt } : {}) }, budget);
  const nextSid = inboundSids();
  const start = { ...startSpec(inputs.trigger, nextSid, sim.now), executionSid: source.executionSid, flowSid: source.flowSid };
  if ('request' in inputs.trigger) {
    // Keep the recorded flow.data (REST Parameters) exactly.
    start.data = ((source.context.flow as JsonObject | undefined)?.data as JsonObject | undefined) ?? start.data;
  }
  if (isConversationMessage(trigger.conversation as JsonObject | undefined)) {
    // The conversation's message exactly as it came (its MessageSid and DateCreated too).
    start.triggerData = { conversation: trigger.conversation as JsonObject };
  }
  sim.start(start);
  yield;
  const notes = [...inputs.notes];
  /** Questions the replay was waiting on a reply to where the recording ends (see below). */
  let unanswered: string[] = [];
  let inbound = 1; // the trigger's message
  const replies = [...answers.replies];
  for (const [at, step] of inputs.script.entries()) {
    if (!sim.active) {
      notes.push(leftOver(inputs.script.slice(at)));
      break;
    }
    if ('send' in step) {
      const s = typeof step.send === 'string' ? { body: step.send } : step.send;
      // The script's replies are the recorded ones, in order: one posted in a conversation (the
      // trigger's or one Start Conversation opened) goes as the conversation posted it.
      const reply = replies.shift();
      sim.inbound(
        isConversationMessage(reply)
          ? recordedReply(reply!, s.body ?? '')
          : 'conversation' in inputs.trigger
            ? conversationParams(nextSid, start.contactAddress, start.channelAddress, s.body ?? '', sim.now, nextConversationIndex(inbound, sim))
            : messageParams(nextSid, start.contactAddress, start.channelAddress, s.body ?? '', s.media, s.params),
      );
      inbound++;
    } else if ('wait' in step && inputs.elapsed.has(step)) {
      // Time that passed before a reply, up to just short of any pending timer: a reply timeout
      // that fires here did not fire in the recording (that would be a recorded timeout step).
      const due = sim.nextTimerAt();
      sim.advance(Math.max(0, Math.min(parseDuration(step.wait), due === undefined ? Infinity : due - 1 - sim.now)));
    } else if ('wait' in step) {
      // A reply timeout fires the pending reply timer, whatever the new revision's timeout is;
      // a caller's silence lets the recorded time pass (the Gather times out).
      if (!sim.fireNextTimer()) sim.advance(parseDuration(step.wait));
    } else if ('outage' in step) {
      // A timeout that fired late (the server down or behind when it fell due): the pending timer
      // fires when its step ran, as the live sprint did (a timeout branch prints that time); one this
      // revision sets for later fires when it is due.
      const ms = parseDuration(step.outage);
      const due = sim.nextTimerAt();
      if ((due !== undefined && due <= sim.now + ms) || !sim.fireNextTimer()) outage(sim, ms);
    } else if ('end' in step) {
      if (waitsWhereRecordingStopped(sim.state, source.steps)) unanswered = waitingMessages(sim.state);
      sim.end(step.end);
    } else if ('digits' in step || 'speech' in step) {
      const confidence = inputs.confidence.get(step);
      const input = 'digits' in step ? { digits: step.digits } : { speech: step.speech, ...(confidence !== undefined ? { confidence } : {}) };
      if (!sim.callerInput(input)) notes.push(`the replay was not listening for the caller's ${'digits' in step ? `keys ${step.digits}` : `words "${step.speech}"`}`);
    } else if ('return' in step) {
      if (!sim.redirectReturn(step.return === true ? {} : step.return)) notes.push('the replay had no TwiML Redirect waiting for the call to come back');
    } else if ('hangup' in step) {
      sim.hangup();
    }
    yield;
  }
  if (sim.active && source.ended && waitsWhereRecordingStopped(sim.state, source.steps)) unanswered = waitingMessages(sim.state);
  const observed = sim.observation();
  notes.push(...observed.problems);
  const effects: WidgetEffect[] = effectTranscript(observed.requests, sim.voice);
  return { observed, notes, unanswered, effects };
}

/** The run's path, messages and outputs against the recording's. */
function compare(
  source: ReplaySource,
  target: ReplayTarget,
  observed: ReturnType<TranscribedSimulation['observation']>,
  notes: string[],
  unanswered: string[],
): Omit<ReplayReport, 'effectDifferences' | 'effectsCompared'> {

  const originalSteps = source.steps.map(view);
  const replaySteps = observed.steps.map(view);
  const same = (a: StepView, b: StepView) => a.from === b.from && a.event === b.event && a.to === b.to;
  let index = 0;
  while (index < originalSteps.length && index < replaySteps.length && same(originalSteps[index]!, replaySteps[index]!)) index++;
  const diverged = index < originalSteps.length || index < replaySteps.length;

  // With the question a still-waiting send-and-wait sent, which has no step until it is answered.
  const originalMessages = [...recordedMessages(source.steps), ...waitingMessages(source.state)];
  const replayMessages = observed.messages.filter((m) => m.status !== 'failed').map((m) => m.body);
  // An execution ended (by hand, or at its age limit) while a send-and-wait waited on a reply keeps
  // neither a step nor a waiting frame for the question: the replay's question at that point has
  // nothing recorded to be compared with, so it is left out (and said so) rather than reported.
  if (source.ended && unanswered.length > 0 && waitingMessages(source.state).length === 0) {
    for (const body of unanswered) {
      const at = replayMessages.lastIndexOf(body);
      if (at < 0) continue;
      replayMessages.splice(at, 1);
      notes.push(`the execution ended while waiting on a reply to ${JSON.stringify(body)}: the recording does not keep that question, so it is not compared`);
    }
  }
  const originalOutputs = lastOutputs(source.steps);
  const replayOutputs = new Map(Object.entries((observed.context.widgets ?? {}) as JsonObject));
  const outputDifferences: OutputDifference[] = [];
  for (const [widget, original] of originalOutputs) {
    if (!replayOutputs.has(widget)) continue;
    const replay = replayOutputs.get(widget);
    const fields = fieldDifferences(comparable(original), comparable(replay), (a, b) => canonical(a) === canonical(b));
    if (fields.length > 0) outputDifferences.push({ widget, original, replay, fields });
  }

  const variablesOf = (context: JsonObject) => ((context.flow as JsonObject | undefined)?.variables ?? {}) as JsonObject;
  const originalVariables = variablesOf(source.context);
  const replayVariables = variablesOf(observed.context);
  const variableFields = fieldDifferences(originalVariables, replayVariables, (a, b) => canonical(a) === canonical(b));
  if (variableFields.length > 0) outputDifferences.push({ widget: 'flow.variables', original: originalVariables, replay: replayVariables, fields: variableFields });

  return {
    executionSid: source.executionSid,
    flowSid: source.flowSid,
    original: { revision: source.revision, path: mainPath(source.steps.filter((s) => !s.parentStepSid).map(view)), steps: originalSteps, messages: originalMessages },
    replay: { revision: target.revision, path: observed.path, steps: replaySteps, messages: replayMessages, end: observed.end === 'error' && observed.error ? `error ${observed.error.code}: ${observed.error.message}` : observed.end },
    diverged: diverged || outputDifferences.length > 0 || originalMessages.join('\n') !== replayMessages.join('\n'),
    divergence: diverged ? { index, original: originalSteps[index] ?? null, replay: replaySteps[index] ?? null } : null,
    stepDiff: sequenceDiff(originalSteps, replaySteps, same, stepText, stepText),
    messageDiff: sequenceDiff(originalMessages, replayMessages, (a, b) => a === b, (m) => JSON.stringify(m), (m) => JSON.stringify(m)),
    outputDifferences,
    notes,
  };
}

export function replayText(report: ReplayReport): string {
  const lines = [`Execution ${report.executionSid} (flow ${report.flowSid}): revision ${report.original.revision ?? '?'} → ${report.replay.revision}`];
  if (!report.diverged) {
    lines.push(`  same path (${report.original.path.join(' → ')}), same messages and outputs${report.effectsCompared ? ', same requests and voice' : ''}`);
  } else {
    if (report.divergence) {
      const d = report.divergence;
      lines.push(`  paths diverge at step ${d.index + 1}:`);
      lines.push(`    recorded: ${d.original ? stepText(d.original) : '(no further step)'}`);
      lines.push(`    replay:   ${d.replay ? stepText(d.replay) : '(no further step)'}`);
      lines.push('  steps (- recorded, + replay):', ...report.stepDiff.map((l) => `    ${l}`));
    } else {
      lines.push('  same path');
    }
    if (report.messageDiff.some((l) => !l.startsWith('  '))) lines.push('  messages (- recorded, + replay):', ...report.messageDiff.map((l) => `    ${l}`));
    for (const d of report.outputDifferences) {
      lines.push(`  outputs of '${d.widget}' differ:`, `    recorded: ${JSON.stringify(comparable(d.original))}`, `    replay:   ${JSON.stringify(comparable(d.replay))}`);
    }
    for (const d of report.effectDifferences ?? []) lines.push(...effectDifferenceLines(d).map((l) => `  ${l}`));
  }
  lines.push(`  replay ended: ${report.replay.end}`);
  for (const note of report.notes) lines.push(`  note: ${note}`);
  return lines.join('\n');
}
