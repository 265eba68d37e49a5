// The pure interpreter. One call runs one "sprint": it applies an event to the execution state and
// moves through widgets until the execution waits (for an effect, a reply, a timer) or ends.
// It returns the new state, the effects to carry out and the steps to record; it never performs
// I/O, never reads the clock and makes no ids of its own.
import { isDeliveryFailure } from './delivery.ts';
import type { FlowDefinition, State, Transition } from '../definition/types.ts';
import { renderTemplate } from './liquid.ts';
import { LiquidBudget } from './liquid/limits.ts';
import { RegexBudget } from '../lib/bounded-regex.ts';
import { copyForSprint } from './clone.ts';
import { executionContext, liquidContext } from './context.ts';
import { changedMembersGrowth, frameBytes, jsonBytes, replacementGrowth } from './context-size.ts';
import {
  DEFAULT_LIMITS,
  type Diagnostic,
  type Effect,
  type EndReason,
  type EngineEvent,
  type EngineInput,
  type EngineLimits,
  type ExecutionState,
  type FloatMark,
  type Frame,
  type JsonObject,
  type QueuedReply,
  type SprintResult,
  type StepRecordDraft,
  type TriggerEvent,
  type Wait,
} from './types.ts';
import { widgetHandler } from './widgets/registry.ts';
import { normalizeTriggerData } from './trigger-data.ts';
import { setOwn } from './own-member.ts';
import { markedMember, responseFloatPaths } from './json-floats.ts';
import type { Outcome, WidgetEnv } from './widgets/widget.ts';

type ErrorOutcome = Extract<Outcome, { type: 'error' }>;

/** Codes Studio reports at warning level (reference §6.7). */
const WARNING_CODES = new Set([81000, 81001, 81002, 81028, 84000]);
/**
 * The alert of a step refused by the context-size limit (limits.maxContextBytes). Studio has no such limit,
 * so Twilio has no code for it. Not 81000/81001: those are Studio's execution-wide stops, logged as warnings
 * and ending the execution from anywhere, while this is a widget failing (its failure event when wired,
 * else the execution ends with an error). 84003 is what the engine reports for the neighbouring size cap,
 * a rendered template over 16 KB, failed the same way; and rendered values are what piles up in a context.
 * A code of our own could clash with one of Twilio's undocumented 810xx codes.
 */
const CONTEXT_TOO_LARGE = 84003;
/**
 * The alert of a step refused by the step-size limit (limits.maxStepBytes): the steps an execution recorded
 * would pass it. The same code as the context's, for the same reason; but the execution ends (an error, as
 * a widget failing with nothing wired), since every step it took after, a failure event's too, would add more.
 */
const STEPS_TOO_LARGE = 84003;
/**
 * A widget whose handler threw: what it read of its definition was not what its type has (a draft saved
 * invalid, run by a test user: a property that is an object, say). The widget fails with the code of a
 * definition the engine cannot follow, as for a `next` naming no widget, instead of the sprint.
 */
const INVALID_DEFINITION = 81024;
/** Widgets that change flow.variables: they write to a copy, committed once the step is known to fit (see `storeOutputs`). */
const VARIABLE_WRITERS: ReadonlySet<string> = new Set(['set-variables']);

export interface NewExecution {
  executionSid: string;
  accountSid: string;
  flowSid: string;
  revision: number;
  channelAddress: string;
  contactAddress: string;
}

/** The events by which a widget leaves on a failure (a widget with none wired records `error`). */
export const FAILURE_EVENTS: readonly string[] = ['failed', 'fail', 'deliveryFailure'];
/**
 * Events by which a widget leaves because it failed (reference §9): taken with nothing wired inside a
 * subflow, the subflow fails (the parent's Run Subflow takes `failed`). Outcomes of a call or a payment
 * (busy, noAnswer, timeout, providerError, …) are not failures of the widget.
 */
const FAILING_EVENTS: ReadonlySet<string> = new Set([...FAILURE_EVENTS, 'failedToEnqueue', 'callFailure', 'failure']);

/** Creates the state of a new execution and runs its first sprint from the trigger. */
export function startExecution(
  input: EngineInput,
  init: NewExecution,
  trigger: TriggerEvent,
  triggerData: JsonObject,
  data: JsonObject = {},
): SprintResult {
  triggerData = normalizeTriggerData(triggerData);
  const state: ExecutionState = {
    executionSid: init.executionSid,
    accountSid: init.accountSid,
    flowSid: init.flowSid,
    channelAddress: init.channelAddress,
    contactAddress: init.contactAddress,
    status: 'active',
    frames: [
      {
        flowSid: init.flowSid,
        revision: init.revision,
        current: null,
        wait: null,
        trigger: triggerData,
        variables: {},
        data,
        widgets: {},
      },
    ],
    stepCount: 0,
    lastWidget: null,
    lastStepSid: null,
    endReason: null,
  };
  // A call's execution, and a flow started as a subflow of one (its parent's trigger data, call included, copied
  // into its own, as Run Subflow does in the parent's call: a flow test's `parent: {trigger: {call: …}}`).
  const callSid = trigger === 'incomingCall' || trigger === 'incomingParent' ? (triggerData.call as JsonObject | undefined)?.CallSid : undefined;
  if (typeof callSid === 'string') state.callSid = callSid;
  return handleEvent(input, state, { type: 'start', trigger, triggerData, data });
}

export interface HandleEventOptions {
  /**
   * The caller gives `previous` up: it was parsed for this sprint alone and nothing else holds it, so it
   * becomes the result's state, changed in place, instead of being copied first (the copy was a
   * fifteenth of what a delivered message allocated). Otherwise the input state is not modified.
   */
  owned?: boolean;
  /**
   * When the event happened: what fell due before it (the waiting widget's timer, the age cap at
   * `expiresAt`) happens first, in due order, as if the timer loop had kept up. Without it the event is
   * applied as it is.
   */
  arrivedAt?: number;
  /** When the execution reaches its maximum age (see `arrivedAt`). */
  expiresAt?: number;
}

/** Applies one event to an execution. The input state is not modified unless the caller gives it up (`owned`). */
export function handleEvent(input: EngineInput, previous: ExecutionState, event: EngineEvent, options: HandleEventOptions = {}): SprintResult {
  const sprint = new Sprint(input, options.owned ? previous : copyForSprint(previous));
  sprint.apply(event, options.arrivedAt, options.expiresAt);
  return sprint.result();
}

export { executionContext };

function isTransition(t: unknown): t is Transition {
  return t !== null && typeof t === 'object' && typeof (t as Transition).event === 'string';
}

/**
 * A definition's widgets by name, indexed once per definition (every step looks widgets up, and a flow has
 * dozens): where each name first appears in `states`, and the transitions list found well-formed there.
 */
interface StateIndex {
  states: readonly State[];
  length: number;
  named: Map<string, { position: number; checked: readonly unknown[] | null }>;
}

const stateIndexes = new WeakMap<readonly State[], StateIndex>();
/** The index used last: a sprint looks up one definition's widgets again and again. */
let lastIndex: StateIndex | null = null;

function indexOf(states: readonly State[]): StateIndex {
  if (lastIndex?.states === states && lastIndex.length === states.length) return lastIndex;
  let index = stateIndexes.get(states);
  if (index === undefined || index.length !== states.length) {
    const named: StateIndex['named'] = new Map();
    for (let i = 0; i < states.length; i++) {
      const widget = states[i];
      if (typeof widget?.name === 'string' && !named.has(widget.name)) named.set(widget.name, { position: i, checked: null });
    }
    index = { states, length: states.length, named };
    stateIndexes.set(states, index);
  }
  return (lastIndex = index);
}

/**
 * The first widget named `name` (as `states.find` finds it), and whether its transitions are a list of
 * transitions, through the definition's index.
 */
function lookUpWidget(states: readonly State[], name: string): { state: State | undefined; valid: boolean } {
  const entry = indexOf(states).named.get(name);
  const indexed = entry === undefined ? undefined : states[entry.position];
  // Not indexed, or the definition changed in place since: the plain search, as before the index.
  const state = indexed?.name === name ? indexed : states.find((s) => s?.name === name);
  if (!state) return { state, valid: true };
  const listed: unknown = state.transitions;
  if (entry !== undefined && state === indexed && entry.checked === listed) return { state, valid: true };
  const valid = Array.isArray(listed) && listed.every(isTransition);
  if (valid && entry !== undefined && state === indexed) entry.checked = listed as unknown[];
  return { state, valid };
}

class Sprint {
  readonly input: EngineInput;
  readonly limits: EngineLimits;
  readonly state: ExecutionState;
  readonly effects: Effect[] = [];
  readonly steps: StepRecordDraft[] = [];
  readonly diagnostics: Diagnostic[] = [];
  /** Templates rendered in this sprint so far (part of `sample`'s seed). */
  renders = 0;
  /** The Liquid work all of this sprint's renders may do together. */
  readonly liquidBudget: LiquidBudget;
  readonly regexBudget = new RegexBudget();
  /** What was due before the event ended the execution: the event was not applied. */
  endedFirst = false;
  /**
   * flow.variables as the widget being entered left them, and which of them hold floats (Frame.floatVariables),
   * not yet part of the context (see `storeOutputs`).
   */
  staged: { frame: Frame; variables: JsonObject; floatVariables: FloatMark[] } | null = null;
  /** A finished subflow's variables about to become its Run Subflow widget's outputs, and which of them hold floats. */
  subflowOutputs: { outputs: JsonObject; floats: readonly FloatMark[] } | null = null;
  /** The context of the step about to be recorded, measured and found to fit (see `stepFits`). */
  measuredStep: { context: JsonObject; bytes: number } | null = null;
  /**
   * The widget a transition leads to, entered by `drive` once the call that took the transition has
   * returned: going from widget to widget in a loop rather than by recursion keeps the stack as deep for
   * a sprint of a million steps as for one of two. Every transition is the last thing its callers do, so
   * entering it afterwards keeps the order of everything.
   */
  nextWidget: string | null = null;
  /** See `renderClock`: the Date, and the instant it was made for. */
  clock: Date | null = null;
  clockAt = 0;

  constructor(input: EngineInput, state: ExecutionState) {
    this.input = input;
    this.limits = { ...DEFAULT_LIMITS, ...input.limits };
    this.state = state;
    this.liquidBudget = new LiquidBudget(input.liquidAllowance, undefined, input.cpuClock);
  }

  result(): SprintResult {
    return { state: this.state, effects: this.effects, steps: this.steps, diagnostics: this.diagnostics, ...(this.endedFirst ? { endedFirst: true } : {}) };
  }

  get frame(): Frame {
    return this.state.frames[this.state.frames.length - 1]!;
  }

  definitionOf(frame: Frame): FlowDefinition {
    return frame.definition ?? this.input.definition;
  }

  findState(frame: Frame, name: string): State | undefined {
    const { state, valid } = lookUpWidget(this.definitionOf(frame).states, name);
    if (!state || valid) return state;
    // An invalid draft (test users run the latest revision, and drafts may be saved invalid): a widget
    // whose transitions are missing or malformed leads nowhere rather than crashing the sprint.
    const listed: unknown = state.transitions;
    return { ...state, transitions: Array.isArray(listed) ? listed.filter(isTransition) : [] };
  }

  apply(event: EngineEvent, arrivedAt?: number, expiresAt = Number.POSITIVE_INFINITY): void {
    if (this.state.status === 'ended') {
      if (needsNobody(event)) return;
      this.warnUnexpected(event, 'the execution has ended');
      return;
    }
    switch (event.type) {
      case 'start':
        this.start(event.trigger);
        this.drive();
        return;
      case 'end': {
        if (event.reason === 'manual') return this.end({ kind: 'manual' });
        // The age cap met late (the sweep ran first, its timer still claimed by a dead node): a timeout due
        // before the cap is taken first, then the cap, as in a late event's catch-up.
        const cap = Math.min(expiresAt, arrivedAt ?? Number.POSITIVE_INFINITY);
        if (cap === Number.POSITIVE_INFINITY) return this.end({ kind: 'expired' });
        this.catchUp(event, cap, cap); // ends at the cap, if the timeout did not end it first
        return;
      }
      default:
        if (arrivedAt !== undefined && this.catchUp(event, arrivedAt, expiresAt)) {
          this.endedFirst = true;
          return;
        }
        // A callback carries the CallSid: an answered outbound call becomes the execution's call.
        if (event.type === 'call-callback' && typeof event.params.CallSid === 'string') {
          // After the caller hung up, a call make-outgoing-call placed becomes the execution's call.
          if (this.state.callEnded && event.params.CallSid !== this.state.callSid) {
            this.state.callSid = event.params.CallSid;
            delete this.state.callEnded;
          } else this.state.callSid ??= event.params.CallSid;
        }
        this.resume(event);
        this.drainQueuedReplies();
    }
  }

  /**
   * Fires what fell due before `event` arrived, in due order: the waiting widget's timer and the age cap.
   * Time decides, not which the node got to first: a reply that came after its Send & Wait's timeout is
   * late however far behind the timer loop is, so the widget leaves by `timeout` and the reply goes where
   * the flow is then. Whether the execution ended on the way (the event is then not applied).
   */
  catchUp(event: EngineEvent, arrivedAt: number, expiresAt: number): boolean {
    const fired = new Set<string>();
    while (this.state.status === 'active') {
      // A timer event is itself the due timer: an execution waits on one timer at a time.
      const timer = event.type === 'timer' ? null : timerOf(this.frame.wait);
      const timerDue = timer && timer.dueAt <= arrivedAt && !fired.has(timer.timerId) ? timer.dueAt : Number.POSITIVE_INFINITY;
      const expiry = expiresAt <= arrivedAt ? expiresAt : Number.POSITIVE_INFINITY;
      if (timerDue === Number.POSITIVE_INFINITY && expiry === Number.POSITIVE_INFINITY) break;
      if (timer && timerDue <= expiry) {
        fired.add(timer.timerId);
        // Its row goes in this sprint's write: the timer loop finds it gone, or its claim fenced off.
        this.effects.push({ type: 'cancel-timer', timerId: timer.timerId });
        this.resume({ type: 'timer', timerId: timer.timerId });
        this.drainQueuedReplies();
      } else {
        // As when housekeeping ends it: nothing asked for in the catch-up runs after the end (a timeout's message),
        // but the clean-up of what the execution held (a virtual agent's session).
        const kept = this.effects.filter((effect) => effect.type === 'set-timer' || effect.type === 'cancel-timer' || effect.type === 'disconnect-virtual-agent');
        this.effects.splice(0, this.effects.length, ...kept);
        this.end({ kind: 'expired' });
      }
    }
    return this.state.status === 'ended';
  }

  /**
   * Applies replies that arrived before the question was sent, now that the widget waits for one. A reply
   * answers the question it overtook, or that same widget again when the flow loops back to it (rapid
   * answers to a repeated question are all taken, in order); it never answers a different question: one
   * queued for another widget is dropped (81002) when it reaches the head of the queue, as Studio ignores
   * messages nobody awaits.
   */
  drainQueuedReplies(): void {
    const queue = this.state.queuedInbound;
    if (!queue?.length) return;
    const dropped: string[] = [];
    while (this.state.status === 'active' && queue.length > 0 && this.frame.wait?.kind === 'reply') {
      const next = queue.shift()!;
      if (!isQueuedReply(next)) this.resume({ type: 'inbound-message', message: next });
      else if (next.widget === this.frame.current && next.depth === this.state.frames.length && (next.flowSid === undefined || next.flowSid === this.frame.flowSid)) {
        this.resume({ type: 'inbound-message', message: next.message });
      } else dropped.push(next.widget);
    }
    if (dropped.length > 0) {
      this.diagnostics.push({
        level: 'warning',
        code: 81002,
        message: `${dropped.length} queued message(s) for '${[...new Set(dropped)].join("', '")}' dropped: widget '${this.frame.current ?? ''}' asks a different question`,
        ...(this.frame.current ? { widget: this.frame.current } : {}),
      });
    }
    if (this.state.status === 'ended' && queue.length > 0) {
      this.diagnostics.push({ level: 'warning', code: 81002, message: `${queue.length} queued message(s) dropped: the execution ended` });
      queue.length = 0;
    }
    if (queue.length === 0) delete this.state.queuedInbound;
  }

  start(trigger: TriggerEvent): void {
    const frame = this.frame;
    const definition = this.definitionOf(frame);
    const triggerState = this.findState(frame, definition.initial_state);
    if (!triggerState) {
      const message = `initial_state '${definition.initial_state}' does not exist`;
      this.diagnostics.push({ level: 'error', code: 81024, message });
      this.failFrame(81024, message); // in a subflow: the parent's Run Subflow takes `failed`
      return;
    }
    frame.current = triggerState.name;
    // A subflow's frame was measured before it was pushed; the main flow's trigger and data are measured here.
    const size = this.contextBytes();
    if (size > this.limits.maxContextBytes) return this.fail(triggerState, this.tooLarge(triggerState.name, size, size));
    this.transition(triggerState, trigger, frame.trigger as JsonObject, undefined, false);
  }

  resume(event: EngineEvent): void {
    const frame = this.frame;
    const wait = frame.wait;
    const state = frame.current ? this.findState(frame, frame.current) : undefined;
    if (!wait || !state) {
      if (event.type === 'delivery-status' && !isDeliveryFailure(event.status)) return; // routine: nobody listens
      if (needsNobody(event)) return;
      this.warnUnexpected(event, 'no widget is waiting');
      return;
    }
    const handler = widgetHandler(state.type);
    const outcome = this.guarded(state, () => handler.resume?.(this.env(state, frame), wait, event) ?? null);
    // Record or Dial held after the caller hung up (its action came later): the flow goes on without the
    // call, and the next widget that would talk to the caller ends the execution (see `follow`).
    if (outcome && outcome.type !== 'wait' && wait.kind === 'call' && wait.hungUp) this.state.callEnded = true;
    if (!outcome) {
      if (event.type === 'inbound-message' && wait.kind === 'effect' && state.type === 'send-and-wait-for-reply') {
        (this.state.queuedInbound ??= []).push({ widget: state.name, depth: this.state.frames.length, flowSid: this.frame.flowSid, message: event.message });
        return;
      }
      // Routine delivery reports (sent, delivered) need no widget's attention, nor does a virtual agent's disconnection.
      if (event.type === 'delivery-status' || needsNobody(event)) return;
      if (event.type === 'call-ended') {
        // Studio ignores a hangup that a widget not talking to the caller cannot handle (81002, e.g. during
        // an HTTP Request): the flow goes on until a widget needs the caller (see `follow`).
        const ownCall = event.params.CallSid === undefined || event.params.CallSid === this.state.callSid;
        if (wait.kind !== 'call' && ownCall) {
          this.state.callEnded = true;
          this.warnUnexpected(event, `widget '${state.name}' does not handle it; the flow goes on without the call`);
          return;
        }
        // A voice widget without a `hangup` event: the execution ends with its call.
        return this.end({ kind: 'completed' });
      }
      this.warnUnexpected(event, `widget '${state.name}' does not handle it`);
      return;
    }
    frame.wait = null;
    this.follow(state, outcome);
    this.drive();
  }

  /** Enters the widgets transitions lead to, one after another, until the execution waits or ends. */
  drive(): void {
    while (this.nextWidget !== null) {
      const name = this.nextWidget;
      this.nextWidget = null;
      this.enter(name);
    }
  }

  warnUnexpected(event: EngineEvent, why: string): void {
    this.diagnostics.push({
      level: 'warning',
      code: 81002,
      message: `Unexpected event '${event.type}' while processing Widget: ${why}; ignored`,
      ...(this.frame.current ? { widget: this.frame.current } : {}),
    });
  }

  /** The clock the sprint's templates render at: one Date for them all (Liquid copies it, never changes it). */
  renderClock(): Date {
    if (this.clockAt !== this.input.now || this.clock === null) {
      this.clock = new Date(this.input.now);
      this.clockAt = this.input.now;
    }
    return this.clock;
  }

  env(state: State, frame: Frame): WidgetEnv {
    // Built once per widget call, when a template first reads it: nothing changes the context while a handler
    // runs (the interpreter applies its outcome after it returns; Set Variables writes its variables after its
    // last render), and neither Liquid nor a widget writes into it (renderTemplate renders in a copy of its root).
    let built: Record<string, unknown> | null = null;
    const context = () => (built ??= liquidContext(this.state, frame));
    const env: WidgetEnv = {
      state,
      frame,
      now: this.input.now,
      limits: this.limits,
      newId: this.input.newId,
      render: (template) =>
        typeof template === 'string'
          ? renderTemplate(template, context, {
              now: this.renderClock(),
              timezone: this.limits.timezone,
              objectFormat: this.limits.objectFormat,
              slashDates: this.limits.slashDates,
              liquidVersion: this.limits.liquidVersion,
              liquidExtras: this.limits.liquidExtras,
              // `sample`'s seed: the execution, its step and the render's place in this event, so a replay or a flow
              // test of the same events picks what the run picked, and two renders in one widget still draw apart.
              seed: this.state.executionSid,
              seedStep: this.state.stepCount,
              seedRender: this.renders++,
              budget: this.liquidBudget,
            })
          : { ok: true, value: template === undefined || template === null ? '' : String(template) },
      liquidContext: context,
      previousOutputs: () => (Object.hasOwn(frame.widgets, state.name) ? (frame.widgets[state.name] as JsonObject) : undefined),
      regexBudget: this.regexBudget,
      executionSid: this.state.executionSid,
    };
    // Set after, not spread in: a spread of a conditional object costs an object and a copy per widget call.
    if (this.state.lastStepSid) env.stepSid = this.state.lastStepSid;
    if (this.state.callSid) env.callSid = this.state.callSid;
    return env;
  }

  /** Enters a widget and follows its outcome (a transition leaves the next widget to `drive`). */
  enter(name: string): void {
    const frame = this.frame;
    const state = this.findState(frame, name);
    if (!state) {
      const message = `Widget '${name}' does not exist in the flow definition`;
      this.diagnostics.push({ level: 'error', code: 81024, message });
      this.failFrame(81024, message);
      return;
    }
    const last = this.state.lastWidget;
    this.state.lastWidget = last && last.name === name ? { name, count: last.count + 1 } : { name, count: 1 };
    if (this.state.lastWidget.count > this.limits.maxSameWidgetInARow) {
      this.end({ kind: 'error', code: 81001, message: `Widget '${name}' ran more than ${this.limits.maxSameWidgetInARow} times in a row` });
      return;
    }
    frame.current = name;
    this.staged = null;
    let view = frame;
    if (VARIABLE_WRITERS.has(state.type)) {
      // A shallow copy: what the widget sets is measured and committed with its outputs, or dropped if too large.
      this.staged = { frame, variables: { ...frame.variables }, floatVariables: [...(frame.floatVariables ?? [])] };
      view = { ...frame, variables: this.staged.variables, floatVariables: this.staged.floatVariables };
    }
    this.follow(state, this.guarded(state, () => widgetHandler(state.type).enter(this.env(state, view))));
  }

  /** The handler's outcome, or the widget's failure when it throws (see INVALID_DEFINITION). */
  guarded<T extends Outcome | null>(state: State, run: () => T): T | ErrorOutcome {
    try {
      return run();
    } catch (error) {
      const why = error instanceof Error ? error.message : 'it threw';
      return { type: 'error', code: INVALID_DEFINITION, message: `Widget '${state.name}' (${state.type}) could not run on its definition: ${why}` };
    }
  }

  follow(state: State, outcome: Outcome): void {
    const frame = this.frame;
    switch (outcome.type) {
      case 'wait':
        // The caller is gone (a hangup ignored earlier): a widget that would talk to them ends the execution.
        if (this.state.callEnded && outcome.wait.kind === 'call' && outcome.wait.twiml.length > 0) return this.end({ kind: 'completed' });
        frame.wait = outcome.wait;
        this.effects.push(...outcome.effects);
        if (outcome.diagnostics) this.diagnostics.push(...outcome.diagnostics);
        return;
      case 'transition': {
        // A subflow widget failed with nowhere to go: the subflow fails, as for an `error` outcome. (In the main
        // flow the execution ends as it does after any widget with nothing wired: completed.)
        const subflowFails = this.state.frames.length > 1 && FAILING_EVENTS.has(outcome.event) && !(outcome.transition ?? state.transitions.find((t) => t.event === outcome.event))?.next;
        // Outputs first: a step the context-size limit refuses fails its widget with nothing of it applied
        // (no effects, no change of channel); one the step-size limit refuses ends the execution, as cleanly.
        if (subflowFails ? !this.stepFits(state.name, outcome.outputs) : !this.storeOutputs(state, frame, outcome.outputs, true)) return;
        if (outcome.effects) this.effects.push(...outcome.effects);
        if (outcome.diagnostics) this.diagnostics.push(...outcome.diagnostics);
        if (outcome.channel) {
          this.state.channelAddress = outcome.channel.address;
          if (outcome.channel.contactAddress) this.state.contactAddress = outcome.channel.contactAddress;
          this.state.channel = outcome.channel.details;
        }
        if (subflowFails) {
          const error = outcome.error ?? failureOf(state.name, outcome.event, outcome.outputs);
          if (!this.recordStep(state, outcome.event, 'Ended', outcome.outputs)) return;
          this.failFrame(error.code, error.message);
          return;
        }
        this.transition(state, outcome.event, outcome.outputs, outcome.transition, false);
        return;
      }
      case 'error':
        return this.fail(state, outcome);
      case 'subflow': {
        const added = frameBytes(outcome.frame);
        const size = this.contextBytes() + added;
        if (size > this.limits.maxContextBytes) return this.fail(state, { ...this.tooLarge(state.name, size, added), failureEvent: 'failed' });
        frame.wait = { kind: 'subflow' };
        const parentStep = this.state.lastStepSid;
        this.state.frames.push({ ...outcome.frame, ...(parentStep ? { parentStepSid: parentStep } : {}) });
        this.start(outcome.parentStepEvent);
        return;
      }
    }
  }

  /**
   * The widget could not run: it leaves by its failure event when one is wired, else its frame fails.
   * `checked`: false for the context-size failure itself, whose small outputs are stored even at the limit.
   */
  fail(state: State, outcome: ErrorOutcome, checked = true): void {
    this.staged = null;
    this.diagnostics.push({ level: 'error', code: outcome.code, message: outcome.message, widget: state.name });
    const failure = outcome.failureEvent ?? state.transitions.find((t) => FAILURE_EVENTS.includes(t.event))?.event;
    const wired = failure ? state.transitions.find((t) => t.event === failure && t.next) : undefined;
    const outputs: JsonObject = { ...(outcome.outputs ?? {}), error: { code: outcome.code, message: outcome.message } };
    if (failure && wired) {
      this.transition(state, failure, outputs, undefined, true, checked);
    } else {
      // Kept in the context as a wired failure's are: why the execution ended is what one looks for there.
      if (!this.storeOutputs(state, this.frame, outputs, checked)) return;
      if (!this.recordStep(state, failure ?? 'error', 'Ended', outputs)) return;
      this.failFrame(outcome.code, outcome.message);
    }
  }

  /** The context's size: every frame's, subflows included. */
  contextBytes(): number {
    let size = 0;
    for (const frame of this.state.frames) size += frameBytes(frame);
    return size;
  }

  tooLarge(widget: string, size: number, added: number): ErrorOutcome {
    const limit = this.limits.maxContextBytes;
    return {
      type: 'error',
      code: CONTEXT_TOO_LARGE,
      message: `Widget '${widget}' would take the execution's context to ${size} bytes, over its limit of ${limit} bytes (the widget adds ${added} bytes)`,
    };
  }

  /**
   * Whether the step about to be recorded with `context` as its context fits beside the steps the execution
   * recorded (limits.maxStepBytes). If not, the execution ends with the error and nothing of the step is
   * applied. The measure is kept for `recordStep`, so a step's context is measured once.
   */
  stepFits(widget: string, context: JsonObject): boolean {
    const bytes = this.measuredStep?.context === context ? this.measuredStep.bytes : jsonBytes(context);
    const size = (this.state.stepBytes ?? 0) + bytes;
    if (size > this.limits.maxStepBytes) {
      this.measuredStep = null;
      this.staged = null;
      const message = `Widget '${widget}' would take the steps the execution recorded to ${size} bytes, over their limit of ${this.limits.maxStepBytes} bytes (the step adds ${bytes} bytes)`;
      // The widget's alert, and the execution's end (which keeps it as the one alert).
      this.diagnostics.push({ level: 'error', code: STEPS_TOO_LARGE, message, widget });
      this.end({ kind: 'error', code: STEPS_TOO_LARGE, message });
      return false;
    }
    this.measuredStep = { context, bytes };
    return true;
  }

  /**
   * Stores the widget's outputs, and the variables it staged, in the context, unless that would take the
   * context over its limit: then the widget fails instead (and false is returned). Only what the step adds
   * or replaces is measured. The outputs are the context of the step that follows: a step that would take
   * the execution's steps over their limit ends the execution first (also false).
   */
  storeOutputs(state: State, frame: Frame, outputs: JsonObject, checked: boolean): boolean {
    if (!this.stepFits(state.name, outputs)) return false;
    const staged = this.staged?.frame === frame ? this.staged : null;
    this.staged = null;
    const before = frameBytes(frame);
    const growth = replacementGrowth(frame.widgets, state.name, outputs, this.measuredStep!.bytes) + (staged ? changedMembersGrowth(frame.variables, staged.variables) : 0);
    if (checked && growth > 0) {
      const size = this.contextBytes() + growth;
      if (size > this.limits.maxContextBytes) {
        this.fail(state, this.tooLarge(state.name, size, growth), false);
        return false;
      }
    }
    if (staged) {
      frame.variables = staged.variables;
      if (staged.floatVariables.length > 0) frame.floatVariables = staged.floatVariables;
      else delete frame.floatVariables;
    }
    setOwn(frame.widgets, state.name, outputs);
    const subflow = this.subflowOutputs?.outputs === outputs ? this.subflowOutputs : null;
    this.subflowOutputs = null;
    // The variables' floats are the outputs' (a Set Variables' pairs, a subflow's variables): members, or paths down.
    const floats = (staged ? staged.floatVariables : (subflow?.floats ?? [])).filter((mark) => Object.hasOwn(outputs, markedMember(mark)));
    markFloats(frame, 'floatOutputs', state.name, floats.filter((mark) => typeof mark === 'string'));
    markFloats(frame, 'floatPaths', state.name, [...floats.filter((mark) => typeof mark !== 'string'), ...responseFloatPaths(outputs)]);
    frame.contextBytes = before + growth;
    return true;
  }

  /** Leaves `state` by `event`: stores outputs, records the step, enters the next widget or ends. */
  transition(state: State, event: string, outputs: JsonObject, chosen?: Transition, storeOutputs = true, checked = true): void {
    const frame = this.frame;
    if (storeOutputs && !this.storeOutputs(state, frame, outputs, checked)) return;
    const transition = chosen ?? state.transitions.find((t) => t.event === event);
    const next = transition?.next ? transition.next : null;
    if (!this.recordStep(state, event, next ?? 'Ended', outputs, transition ? state.transitions.indexOf(transition) : -1)) return;
    if (this.state.stepCount >= this.limits.maxSteps && next) {
      this.end({ kind: 'error', code: 81000, message: `Execution has exceeded max steps (${this.limits.maxSteps})` });
      return;
    }
    if (next) {
      this.nextWidget = next; // entered by `drive`
      return;
    }
    this.finishFrame();
  }

  /**
   * Records a step leaving widget `from` (as the current frame's findState found it), unless it would take the
   * execution's steps over their limit: then the execution ends (false).
   */
  recordStep(widget: State, name: string, to: string, context: JsonObject, transitionIndex = -1): boolean {
    const from = widget.name;
    if (!this.stepFits(from, context)) return false;
    const bytes = this.measuredStep!.bytes;
    this.measuredStep = null;
    const frame = this.frame;
    const sid = this.input.newId('FT');
    const step: StepRecordDraft = {
      sid,
      parentStepSid: frame.parentStepSid ?? null,
      name,
      transitionedFrom: from,
      transitionedTo: to,
      context,
      type: widget.type ?? 'trigger',
      at: this.input.now,
    };
    if (transitionIndex >= 0) step.transitionIndex = transitionIndex;
    this.steps.push(step);
    this.state.stepCount++;
    this.state.stepBytes = (this.state.stepBytes ?? 0) + bytes;
    this.state.lastStepSid = sid;
    return true;
  }

  /** A branch ended: a subflow returns to its parent widget; the main flow ends the execution. */
  finishFrame(): void {
    if (this.state.frames.length > 1) {
      const finished = this.state.frames.pop()!;
      const parent = this.frame;
      const widget = parent.current ? this.findState(parent, parent.current) : undefined;
      parent.wait = null;
      if (widget) {
        this.subflowOutputs = { outputs: finished.variables, floats: finished.floatVariables ?? [] };
        this.transition(widget, 'completed', finished.variables);
        return;
      }
    }
    this.end({ kind: 'completed' });
  }

  /**
   * A widget failed with nowhere to go. In a subflow that is the subflow failing ("could not be loaded or
   * executed"): control returns to the parent's Run Subflow by `failed` when that is wired. Otherwise, and
   * in the main flow, the execution ends with the error. (Execution-wide limits — 1,000 steps, the same
   * widget 10 times in a row — end it from anywhere and do not come here.)
   */
  failFrame(code: number, message: string): void {
    if (this.state.frames.length > 1) {
      this.state.frames.pop();
      const parent = this.frame;
      const widget = parent.current ? this.findState(parent, parent.current) : undefined;
      parent.wait = null;
      if (widget && widget.transitions.some((t) => t.event === 'failed' && t.next)) {
        this.transition(widget, 'failed', { error: { code, message } });
        return;
      }
      if (widget && !this.recordStep(widget, 'failed', 'Ended', { error: { code, message } })) return;
    }
    this.end({ kind: 'error', code, message });
  }

  end(reason: EndReason): void {
    for (const frame of this.state.frames) {
      if (frame.wait?.kind === 'reply') this.effects.push({ type: 'cancel-timer', timerId: frame.wait.timerId });
      if (frame.wait?.kind === 'call' && frame.wait.timerId) this.effects.push({ type: 'cancel-timer', timerId: frame.wait.timerId });
      if (frame.wait?.kind === 'virtual-agent') {
        // The flow takes the conversation back from the agent it had handed it to.
        const { timerId, conversationSid, sessionId } = frame.wait;
        this.effects.push({ type: 'cancel-timer', timerId });
        this.effects.push({ type: 'disconnect-virtual-agent', effectId: this.input.newId('EF'), widget: frame.current ?? '', session: { conversationSid, sessionId } });
      }
      frame.wait = null;
    }
    const last = this.diagnostics.at(-1);
    if (reason.kind === 'error') {
      // Studio logs its step limits (81000, 81001, 84000) as warnings even though they end the execution.
      const level = WARNING_CODES.has(reason.code) ? 'warning' : 'error';
      // The widget's own alert for the same failure (a Make HTTP Request's warning) is the one alert: as an error now.
      if (last?.code === reason.code && last.message === reason.message) last.level = level;
      else this.diagnostics.push({ level, code: reason.code, message: reason.message });
    }
    this.state.status = 'ended';
    this.state.endReason = reason;
  }
}

/**
 * Records where widget `name`'s new outputs hold floats, replacing what its last outputs had: its top-level members
 * (Frame.floatOutputs) or paths deeper down (Frame.floatPaths). An empty list removes the entry, and an empty record
 * the field.
 */
function markFloats<K extends 'floatOutputs' | 'floatPaths'>(frame: Frame, field: K, name: string, marks: NonNullable<Frame[K]>[string]): void {
  const record = frame[field] as Record<string, unknown> | undefined;
  if (marks.length > 0) setOwn((frame[field] ??= {} as NonNullable<Frame[K]>) as Record<string, unknown>, name, marks);
  else if (record && Object.hasOwn(record, name)) {
    delete record[name];
    if (Object.keys(record).length === 0) delete frame[field];
  }
}

/**
 * The error of a widget that left by a failure event with no `error` of its own: the one its outputs
 * carry (`error`, or a message's `ErrorCode`/`ErrorMessage`), else 81024 (a subflow error) naming it.
 */
function failureOf(widget: string, event: string, outputs: JsonObject): { code: number; message: string } {
  const error = outputs.error;
  if (isObject(error) && typeof error.code === 'number' && typeof error.message === 'string') return { code: error.code, message: error.message };
  const source = isObject(outputs.outbound) ? outputs.outbound : outputs;
  const code = typeof source.ErrorCode === 'number' ? source.ErrorCode : typeof source.ErrorCode === 'string' && /^\d{1,9}$/.test(source.ErrorCode) ? Number(source.ErrorCode) : null;
  const message = `Widget '${widget}' left by '${event}'`;
  if (code !== null) return { code, message: typeof source.ErrorMessage === 'string' && source.ErrorMessage ? source.ErrorMessage : message };
  return { code: 81024, message: `${message} with no transition wired` };
}

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The timer the waiting widget is parked on, when the wait says when it is due. */
function timerOf(wait: Wait | null): { timerId: string; dueAt: number } | null {
  if (wait?.kind !== 'reply' && wait?.kind !== 'call' && wait?.kind !== 'virtual-agent') return null;
  return wait.timerId && typeof wait.dueAt === 'number' ? { timerId: wait.timerId, dueAt: wait.dueAt } : null;
}

/** A result nobody waits for: a virtual agent's disconnection (the widget left already), dropped without an alert. */
function needsNobody(event: EngineEvent): boolean {
  return event.type === 'effect-result' && event.result.kind === 'virtual-agent-disconnected';
}

function isQueuedReply(entry: QueuedReply | JsonObject): entry is QueuedReply {
  return typeof entry.widget === 'string' && typeof entry.depth === 'number' && typeof entry.message === 'object' && entry.message !== null;
}
