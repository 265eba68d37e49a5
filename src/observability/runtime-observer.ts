// The runtime's observer: each engine sprint and effect becomes a span (effects are children of
// the sprint that asked for them), feeds the execution/step/upstream metrics, and logs with the
// execution's ids on every line.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { ActivityCounter } from '../lib/activity.ts';
import type { EffectResult, ExecutionState } from '../engine/types.ts';
import type { EffectLabel, RuntimeObserver, SprintLabel, SprintReport } from '../runtime/ports/observer.ts';
import { StoreConflictError, type Store } from '../runtime/ports/store.ts';
import { isTransientStoreError } from '../runtime/ports/store-errors.ts';
import { annotateWork, currentWork, workContext, withWork } from './context.ts';
import type { Metrics } from './metrics.ts';
import { upstreamReasonLabel } from './upstream-reasons.ts';

/** The trigger an execution started from, as Studio names it (its trigger object's key). */
const TRIGGERS: Record<string, string> = {
  request: 'incomingRequest',
  message: 'incomingMessage',
  call: 'incomingCall',
  conversation: 'incomingConversationMessage',
  parent: 'incomingParent',
};

function triggerOf(state: unknown): string {
  const trigger = (state as Partial<ExecutionState> | null)?.frames?.[0]?.trigger;
  const key = trigger ? Object.keys(trigger)[0] : undefined;
  return (key && TRIGGERS[key]) ?? 'unknown';
}

/** The kind of an active execution that waits for nothing (it is running): in no waiting series. */
const NOT_WAITING = 'nothing';

/** What a parked execution waits for: its innermost frame's wait. */
function waitingFor(state: unknown): string | null {
  const frames = (state as Partial<ExecutionState> | null)?.frames;
  return frames?.[frames.length - 1]?.wait?.kind ?? null;
}

function endReason(state: unknown): string {
  return (state as Partial<ExecutionState> | null)?.endReason?.kind ?? 'unknown';
}

/** Upstream kind of an effect, or null for internal work (loading a subflow). */
function upstreamKind(label: EffectLabel): string | null {
  if (label.type === 'http-request') return label.purpose === 'function' ? 'function' : 'http';
  if (label.type === 'send-message') return 'message';
  if (label.type === 'start-conversation' || label.type === 'resume-conversation' || label.type === 'connect-virtual-agent') return 'conversation';
  if (label.type === 'create-task') return 'taskrouter';
  return null;
}

/** Why an effect's result counts as an upstream failure, or null when it succeeded. */
function failureReason(result: EffectResult): string | null {
  switch (result.kind) {
    case 'http-failed':
      return result.reason;
    case 'http-response':
      return result.statusCode >= 400 ? `http_${Math.floor(result.statusCode / 100)}xx` : null;
    case 'message-failed':
    case 'conversation-failed':
    case 'task-failed':
    case 'virtual-agent-failed':
      return `error_${result.code}`;
    default:
      return null;
  }
}

/** What one active execution waits for: one object per flow, kind and origin, shared by all alike. */
interface Tracked {
  readonly kind: string;
  readonly flowSid: string;
  /** Created before this node started: in the start-up count, had it not been touched here. */
  readonly fromBefore: boolean;
}

/** A flow this node has run executions of: its account (to look it up) and its Tracked values. */
interface KnownFlow {
  readonly accountSid: string;
  readonly tracked: Map<string, Tracked>;
}

export interface TelemetryObserverOptions {
  /**
   * How often at most (default 10 s) and how many flows at a time (default 100) a scrape checks that the
   * flows this node has seen still exist. A flow deleted anywhere (the API, another node, `switchboard
   * accounts delete` on the data directory) takes its executions with it without a sprint to say so.
   */
  flowCheck?: { everyMs?: number; batch?: number };
  /**
   * A sprint failing because the store is unavailable (a database outage, a full disk) is logged as a
   * warning at most this often (default 10 s), with how many alike came since; the rest at debug. Through
   * an outage the runtime writes every pending effect result again every 2 s: one warning with a stack
   * each made ~100 lines a second with 200 of them.
   */
  outageLogEveryMs?: number;
}

type WatchedStore = Pick<Store, 'kind' | 'countActiveExecutions' | 'countActiveExecutionsBefore' | 'getFlow'>;

export class TelemetryObserver implements RuntimeObserver {
  readonly #tracer: Tracer;
  readonly #metrics: Metrics;
  readonly #log: Logger;
  readonly #activity: ActivityCounter;
  /** Active executions this node has written, and what each waits for (see watchStore). */
  readonly #active = new Map<string, Tracked>();
  #trackLocally = true;
  /** By Wait kind, as PostgreSQL's count groups them (a running execution, 'nothing', is in none). */
  readonly #waiting: Record<string, number> = { reply: 0, effect: 0, subflow: 0, call: 0, 'virtual-agent': 0 };
  /** Entries of #active created before start (fromBefore): the start-up count holds them too. */
  #activeFromBefore = 0;
  /** Flows with series or entries here, least recently checked first (see #checkFlows). */
  readonly #flows = new Map<string, KnownFlow>();
  readonly #flowCheckEveryMs: number;
  readonly #flowCheckBatch: number;
  #flowStore: WatchedStore | null = null;
  #lastFlowCheck = Date.now();
  #checking: Promise<void> | null = null;
  /** When the start-up count was asked for (null: none): executions created before are in it, or were. */
  #startedAt: number | null = null;
  /** The start-up count less the executions counted in it that sprints here have since touched; null until read. */
  #untouched: number | null = null;
  #countBefore: ((createdBefore: number) => Promise<number>) | null = null;
  /** The last count asked for: counts run one after another, each answer newer than the one before. */
  #counting: Promise<void> = Promise.resolve();
  readonly #outageLogEveryMs: number;
  /** When a sprint failing for the store's unavailability was last logged as a warning, and how many since. */
  #outageWarnedAt = -Infinity;
  #outageAlike = 0;

  constructor(tracer: Tracer, metrics: Metrics, log: Logger, activity: ActivityCounter, options: TelemetryObserverOptions = {}) {
    this.#tracer = tracer;
    this.#metrics = metrics;
    this.#log = log;
    this.#activity = activity;
    this.#flowCheckEveryMs = options.flowCheck?.everyMs ?? 10_000;
    this.#flowCheckBatch = options.flowCheck?.batch ?? 100;
    this.#outageLogEveryMs = options.outageLogEveryMs ?? 10_000;
    metrics.countExecutionsLocally(() => ({ active: this.#active.size + (this.#untouched ?? 0), waiting: this.#waiting }));
  }

  /**
   * Where the active/waiting gauges come from: the store's own count when it has one (right across
   * nodes); else, for the embedded single-node SQLite store, what this node has seen since it
   * started, plus a count of the executions already active then (see #countAtStart); else (a shared
   * store that cannot count) nowhere: a per-node view would be wrong and would grow without bound as
   * executions end on other nodes. Scrapes also look up the flows seen here (see #checkFlows).
   */
  watchStore(store: WatchedStore): void {
    this.#flowStore = store;
    // A check already under way may have looked before a deletion the scrape must see.
    this.#metrics.beforeScrape(async () => {
      await this.#checking;
      await this.#checkFlowsNow();
    });
    if (!store.countActiveExecutions && store.kind === 'sqlite') {
      if (store.countActiveExecutionsBefore) this.#countAtStart(store.countActiveExecutionsBefore.bind(store));
      return;
    }
    this.#trackLocally = false;
    this.#active.clear();
    if (store.countActiveExecutions) this.#metrics.countExecutionsWith(() => store.countActiveExecutions!());
    else this.#metrics.dropExecutionGauges();
  }

  /**
   * After a restart the running count alone reads 0 with thousands waiting. One count off the active
   * index (no state read: a million waiting costs ~60 ms and no memory) is added to the active gauge
   * only; what those executions wait for is unknown until a sprint here touches them. Read once the
   * start-up work has yielded, so it does not hold up the node getting ready.
   */
  #countAtStart(count: (createdBefore: number) => Promise<number>): void {
    // The wall clock, which stamps executions outside tests (a simulated runtime clock set in the past
    // would let the count take in this node's first executions too).
    this.#startedAt = Date.now();
    this.#countBefore = count;
    setImmediate(() => void this.#recount()).unref();
  }

  /**
   * (Re)reads the start-up count: at start, and after flows went (their executions from before start
   * went with them, and which of those were untouched is known only to the store). Those touched here
   * and still active are in #active already.
   */
  #recount(): Promise<void> {
    this.#counting = this.#counting.then(async () => {
      if (!this.#countBefore || this.#startedAt === null) return;
      try {
        this.#untouched = Math.max(0, (await this.#countBefore(this.#startedAt)) - this.#activeFromBefore);
      } catch (error) {
        if (this.#untouched !== null) {
          this.#log.warn({ err: error }, 'could not count again the executions active at start: the active gauge may still count some of a deleted flow');
          return;
        }
        this.#log.warn({ err: error }, 'could not count the executions active at start: the execution gauges count only those run since');
        this.#startedAt = null;
      }
    });
    return this.#counting;
  }

  /** One check at a time, outside the work (request, sprint) that asked for it. */
  #checkFlowsNow(): Promise<void> {
    return (this.#checking ??= workContext
      .run({}, () => this.#checkFlows())
      .catch((error: unknown) => this.#log.debug({ err: error }, 'could not check that flows still exist'))
      .finally(() => (this.#checking = null)));
  }

  /**
   * Looks up (through the read cache) a batch of the flows seen here, least recently checked first,
   * and forgets those that are gone: their series, and their executions in this node's own count. No
   * delete path needs to tell: a flow's executions go with it wherever it is deleted. Scrapes ask,
   * and so do sprints (what they add is what a deleted flow would leave behind, scraped or not).
   */
  async #checkFlows(): Promise<void> {
    const store = this.#flowStore;
    if (!store || this.#flows.size === 0 || Date.now() - this.#lastFlowCheck < this.#flowCheckEveryMs) return;
    this.#lastFlowCheck = Date.now();
    const batch: [string, KnownFlow][] = [];
    for (const entry of this.#flows) if (batch.push(entry) >= this.#flowCheckBatch) break;
    const gone = new Set<string>();
    for (const [flowSid, known] of batch) {
      let exists: boolean;
      try {
        exists = (await store.getFlow(known.accountSid, flowSid)) !== null;
      } catch (error) {
        this.#log.debug({ err: error }, 'could not check that flows still exist; next scrape tries again');
        break;
      }
      if (!exists) gone.add(flowSid);
      // Checked: to the back of the queue.
      else if (this.#flows.delete(flowSid)) this.#flows.set(flowSid, known);
    }
    if (gone.size === 0) return;
    for (const flowSid of gone) this.#flows.delete(flowSid);
    if (this.#trackLocally) {
      for (const [executionSid, tracked] of this.#active) if (gone.has(tracked.flowSid)) this.#setActive(executionSid, null);
      if (this.#untouched !== 0) await this.#recount();
    }
    await this.#metrics.forgetFlows(gone);
  }

  /** The flow's entry, added the first time one of its executions is written here. */
  #know(accountSid: string, flowSid: string): KnownFlow {
    let known = this.#flows.get(flowSid);
    if (!known) this.#flows.set(flowSid, (known = { accountSid, tracked: new Map() }));
    return known;
  }

  #tracked(known: KnownFlow, flowSid: string, kind: string, fromBefore: boolean): Tracked {
    const key = fromBefore ? `${kind}:before` : kind;
    let tracked = known.tracked.get(key);
    if (!tracked) known.tracked.set(key, (tracked = { kind, flowSid, fromBefore }));
    return tracked;
  }

  #childSpan(name: string, attributes: Record<string, string>): Span {
    const parent = currentWork()?.span;
    return this.#tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes }, parent ? trace.setSpan(ROOT_CONTEXT, parent) : ROOT_CONTEXT);
  }

  sprint<T>(label: SprintLabel, run: () => Promise<T>): Promise<T> {
    this.#activity.tick();
    const span = this.#childSpan(`sprint ${label.event}`, {
      'switchboard.event': label.event,
      ...(label.executionSid ? { 'switchboard.execution_sid': label.executionSid } : {}),
    });
    const fields = { span, step: undefined, ...(label.executionSid ? { executionSid: label.executionSid } : {}) };
    return withWork(fields, async () => {
      try {
        return await run();
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        // Another node writing the same execution first is routine (the sprint is retried); the rest is not.
        if (error instanceof StoreConflictError) this.#log.debug({ reason: error.reason, event: label.event }, 'sprint conflicted');
        else if (isTransientStoreError(error)) this.#outage(error, label.event);
        else this.#log.warn({ err: error, event: label.event }, 'sprint failed');
        throw error;
      } finally {
        span.end();
      }
    });
  }

  /** A sprint the store's unavailability failed: a warning now and then, saying how many failed alike since. */
  #outage(error: unknown, event: string): void {
    const now = performance.now();
    if (now - this.#outageWarnedAt < this.#outageLogEveryMs) {
      this.#outageAlike++;
      this.#log.debug({ err: error, event }, 'sprint failed');
      return;
    }
    const alike = this.#outageAlike;
    this.#outageWarnedAt = now;
    this.#outageAlike = 0;
    const note = `store unavailable; further such failures within ${this.#outageLogEveryMs / 1000} s are logged at debug level`;
    this.#log.warn({ err: error, event, ...(alike > 0 ? { alikeSinceLastWarning: alike } : {}) }, `sprint failed (${note})`);
  }

  sprintWritten({ execution, previousStatus, steps }: SprintReport): void {
    annotateWork({ accountSid: execution.accountSid, flowSid: execution.flowSid, executionSid: execution.sid });
    currentWork()?.span?.setAttributes({
      'switchboard.account_sid': execution.accountSid,
      'switchboard.flow_sid': execution.flowSid,
      'switchboard.execution_sid': execution.sid,
      'switchboard.steps': steps.length,
    });
    const trigger = triggerOf(execution.state);
    const flow = { flow_sid: execution.flowSid, trigger };
    if (previousStatus === null) {
      this.#metrics.executionsStarted.inc(flow);
      this.#log.info({ trigger, flowVersion: execution.flowVersion }, 'execution started');
    }
    const logSteps = this.#log.isLevelEnabled('debug'); // skip building step lines nobody will see
    for (const step of steps) {
      this.#metrics.steps.inc({ widget_type: step.type });
      if (logSteps) this.#log.debug(
        { step: step.transitionedFrom, widgetType: step.type, event: step.name, transitionedTo: step.transitionedTo, stepSid: step.sid },
        'step',
      );
    }
    if (execution.status === 'ended' && previousStatus !== 'ended') {
      const reason = endReason(execution.state);
      this.#metrics.executionsEnded.inc({ ...flow, reason });
      this.#log.info({ reason, steps: (execution.state as Partial<ExecutionState>).stepCount }, 'execution ended');
    }
    const known = this.#know(execution.accountSid, execution.flowSid);
    if (!this.#checking && Date.now() - this.#lastFlowCheck >= this.#flowCheckEveryMs) void this.#checkFlowsNow();
    if (!this.#trackLocally) return;
    const active = execution.status !== 'ended';
    // One this sprint created is never in the start-up count, whatever clock stamped it.
    const fromBefore = this.#startedAt !== null && previousStatus !== null && execution.dateCreated < this.#startedAt;
    // Its first sprint here: from now on it is counted in #active while it stays active, or not at all.
    if (fromBefore && previousStatus === 'active' && !this.#active.has(execution.sid) && this.#untouched !== null) {
      this.#untouched = Math.max(0, this.#untouched - 1);
    }
    this.#setActive(execution.sid, active ? this.#tracked(known, execution.flowSid, waitingFor(execution.state) ?? NOT_WAITING, fromBefore) : null);
  }

  /** A deleted execution leaves the gauges: from this node's own count, or from the count taken at start. */
  executionDeleted(execution: { sid: string; status: string; dateCreated: number }): void {
    if (!this.#trackLocally) return;
    if (this.#active.has(execution.sid)) {
      this.#setActive(execution.sid, null);
    } else if (execution.status !== 'ended' && this.#startedAt !== null && execution.dateCreated < this.#startedAt && this.#untouched !== null) {
      this.#untouched = Math.max(0, this.#untouched - 1);
    }
  }

  /** Keeps the per-kind counts up to date as executions change, so a sprint costs O(1), not O(active). */
  #setActive(executionSid: string, tracked: Tracked | null): void {
    const previous = this.#active.get(executionSid);
    if (previous !== undefined) {
      if (previous.kind !== NOT_WAITING) this.#waiting[previous.kind] = (this.#waiting[previous.kind] ?? 0) - 1;
      if (previous.fromBefore) this.#activeFromBefore -= 1;
    }
    if (tracked === null) this.#active.delete(executionSid);
    else {
      this.#active.set(executionSid, tracked);
      if (tracked.kind !== NOT_WAITING) this.#waiting[tracked.kind] = (this.#waiting[tracked.kind] ?? 0) + 1;
      if (tracked.fromBefore) this.#activeFromBefore += 1;
    }
  }

  async effect<T extends EffectResult>(label: EffectLabel, run: () => Promise<T>): Promise<T> {
    const span = this.#childSpan(`effect ${label.type}`, {
      'switchboard.effect_id': label.effectId,
      'switchboard.widget': label.widget,
      'switchboard.execution_sid': label.executionSid,
    });
    const kind = upstreamKind(label);
    const started = process.hrtime.bigint();
    return withWork({ span, executionSid: label.executionSid, accountSid: label.accountSid, step: label.widget }, async () => {
      let reason: string | null = null;
      try {
        const result = await run();
        reason = failureReason(result);
        if (result.kind === 'http-response') span.setAttribute('http.response.status_code', result.statusCode);
        return result;
      } catch (error) {
        reason = 'exception';
        span.recordException(error as Error);
        throw error;
      } finally {
        if (reason) span.setStatus({ code: SpanStatusCode.ERROR, message: reason });
        span.end();
        if (kind) {
          this.#metrics.upstreamDuration.observe({ kind }, Number(process.hrtime.bigint() - started) / 1e9);
          if (reason) {
            this.#metrics.upstreamErrors.inc({ kind, reason: upstreamReasonLabel(reason) });
            this.#log.warn({ effect: label.type, reason }, 'upstream work failed');
          }
        }
      }
    });
  }

  choreFailed(chore: string, error: unknown): void {
    this.#log.warn({ err: error, chore }, 'housekeeping chore failed: the others went on, and it is tried again (a prune at its next hour, a part of the timer round within a second)');
  }

  timerFired(lateByMs: number): void {
    // A timer is its own cause: detach from whatever request happened to schedule the loop.
    workContext.enterWith({});
    this.#metrics.timerLag.observe(Math.max(0, lateByMs) / 1000);
  }
}
