// Sprints: runs the engine on an execution under its lock and writes the result in one transaction
// *before* any of its effects is carried out (effects are outbox rows, so a restart finds and finishes
// whatever was in flight). Starting an execution is its first sprint; every later event (an effect's
// result, a reply, a timer, a delivery report, an end) is one more.
import { hash } from 'node:crypto';
import type { FlowDefinition } from '../definition/types.ts';
import { isLegacyDefinition, migrateDefinition } from '../definition/migrate.ts';
import { runnableShape } from '../definition/runnable-shape.ts';
import { handleEvent, startExecution } from '../engine/interpreter.ts';
import type { Effect, EffectResult, EngineEvent, EngineInput, ExecutionState, JsonObject, SprintResult, TriggerEvent } from '../engine/types.ts';
import { notFound } from './errors.ts';
import { newSid } from './ids.ts';
import type { KeyedMutex } from './keyed-mutex.ts';
import type { WorkLeases } from './leases.ts';
import type { RuntimeContext, RuntimeOptions } from './runtime-context.ts';
import type { EffectLabel, RuntimeObserver } from './ports/observer.ts';
import type { ExecutionRecord, FlowRecord, InboundReceipt, PendingEffect, SprintWrite, Store, StepRecord, TimerRecord, VersionedExecution } from './ports/store.ts';
import { StoreConflictError } from './ports/store.ts';
import { alertsFrom } from './alerts.ts';
import { releaseExecutionAgents, releaseFlowAgents, type AgentDisconnect } from './agent-release.ts';
import { isConflict, retryOnConflict } from './conflicts.ts';
import { TIMER_POLL_MS } from './timer-loop.ts';
import { evictOldest } from '../lib/evict-oldest.ts';
import { LruCache } from '../lib/lru.ts';
import { isTestUser } from '../lib/phone-format.ts';
import { threadCpuMs } from '../lib/thread-cpu.ts';
import { sendOutcome, type InlineSend, type KnownExecution, type SendContext } from './ports/channel.ts';

/** What a sprint consumes besides its event: a claimed effect or timer, or an inbound webhook's receipt. */
export interface Consumed {
  effectId?: string;
  timerId?: string;
  receipt?: InboundReceipt;
  /** A new execution's claim on its contact pair's one active slot (overrides the configured rule). */
  exclusive?: boolean;
  /** A new call execution that must be its caller's only active call but for these (SprintWrite.soleCall). */
  soleCall?: { passing: string[] };
  /** An inbound message for the pair's active execution: if that one has ended since, it is not applied. */
  requireActive?: boolean;
  /**
   * When the event happened (a timer: when it was due; by default when it was handed to deliver): what the
   * execution had due before then (its timer, its age cap) is applied first, in the same sprint.
   */
  arrivedAt?: number;
}

/** Where a written sprint's work goes on (wired by executions.ts). */
export interface SprintOutlets {
  /** Carries out one of the effects the sprint wrote (effect-runner.ts). */
  dispatch(pending: PendingEffect, known?: KnownExecution): void;
  /** Makes the timer loop look again by `dueAt` unless it already will (timer-loop.ts). */
  wakeBy(dueAt: number): void;
}

/** A new execution: what its first sprint starts from. */
export interface NewExecution {
  accountSid: string;
  flowSid: string;
  revision: number;
  channelAddress: string;
  contactAddress: string;
  trigger: TriggerEvent;
  triggerData: JsonObject;
  data: JsonObject;
  initiatedBy: string;
  receipt?: InboundReceipt | undefined;
  /** Overrides the one-active-per-contact rule for this execution (concurrent calls). */
  exclusive?: boolean | undefined;
  /**
   * allow_concurrent_calls off: the write is refused (an 'active-execution' conflict) if the pair has an
   * active call execution other than `passing` by then, as when another node started the caller's call first.
   */
  soleCall?: { passing: string[] } | undefined;
}

export class Sprints {
  readonly #store: Store;
  readonly #options: RuntimeOptions;
  readonly #observer: RuntimeObserver;
  readonly #locks: KeyedMutex;
  readonly #leases: WorkLeases;
  readonly #ctx: RuntimeContext;
  readonly #outlets: SprintOutlets;
  readonly #definitions = new LruCache<string, FlowDefinition>(DEFINITION_CACHE_ENTRIES);
  /**
   * The executions this node wrote last whose effects are still out, with their versions: the next
   * event for one (most often the result of the effect its sprint just started) skips reading it
   * back. Safe across nodes: a sprint built on a stale entry fails its version check, the entry is
   * dropped and the sprint runs again from a fresh read.
   */
  readonly #recent = new RecentExecutions(RECENT_EXECUTIONS);

  constructor(ctx: RuntimeContext, outlets: SprintOutlets) {
    this.#ctx = ctx;
    this.#store = ctx.store;
    this.#options = ctx.options;
    this.#observer = ctx.observer;
    this.#locks = ctx.locks;
    this.#leases = ctx.leases;
    this.#outlets = outlets;
  }

  /**
   * Applies an event to an execution under its lock; returns the updated record (null if gone, or
   * if the consumed timer/effect was taken over by another node). The lock serialises this node;
   * the version check serialises nodes: a sprint that lost the race runs again from a fresh read.
   */
  deliver(executionSid: string, event: EngineEvent, consumed: Consumed = {}, prefetched?: VersionedExecution | null): Promise<ExecutionRecord | null> {
    // A prefetched record (read with its batch of timers) serves the first attempt only: if it was
    // stale, the write's version check fails and the retry reads afresh.
    let ahead = prefetched;
    // Taken before the lock: time spent queued behind other sprints does not make the event later.
    const arrivedAt = consumed.arrivedAt ?? this.#options.now();
    return this.#ctx.track(
      retryOnConflict(['version'], () => this.#locks.run(executionSid, () => this.#observer.sprint({ executionSid, event: event.type }, async () => {
        const kept = this.#recent.get(executionSid);
        const prefetch = ahead;
        ahead = undefined;
        const loaded = kept ?? (prefetch !== undefined ? prefetch : await this.#store.loadExecution(executionSid));
        const record = loaded?.record;
        // It ended or was deleted while this message waited for the lock: look again (it may start a new one).
        if (consumed.requireActive && record?.status !== 'active') throw new StoreConflictError('active-execution', `execution ${executionSid} is no longer active`);
        const dropConsumed = async () => {
          if (consumed.effectId) await this.#store.deleteEffect(consumed.effectId);
          if (consumed.timerId) await this.#store.deleteTimer(consumed.timerId);
        };
        if (!loaded || !record) {
          await dropConsumed();
          return null;
        }
        // Ended meanwhile (another node, a timer). A timer that carried the end (an older version's expiry
        // timer) is consumed all the same, or its lease would run out and it would fire again forever.
        if (event.type === 'end' && record.status !== 'active') {
          await dropConsumed();
          return record;
        }
        const state = record.state as ExecutionState;
        const definition = await this.definition(record.accountSid, record.flowSid, record.flowVersion);
        // A state read from the store for this sprint is the engine's to change in place. One kept in #recent
        // is the last sprint's record, and a delivery report's no-op check compares the result with it.
        // What fell due before the event (its wait's timer, the age cap) happens first, also when the timer loop
        // is behind (a backlog after a restart): the state says when its timer is due, so this costs no read.
        const input = this.#engineInput(definition);
        const expiresAt = record.dateCreated + this.#options.maxExecutionAgeMs;
        const result = handleEvent(input, state, event, { owned: !kept && event.type !== 'delivery-status', arrivedAt, expiresAt });
        if (result.endedFirst && consumed.requireActive) {
          // A message for an execution that ended before it arrived: the end is written, and the message goes
          // where one for an ended execution goes (the router looks again and starts a new one).
          await this.#persist(record, result, loaded.version, withoutInbound(consumed));
          throw new StoreConflictError('active-execution', `execution ${executionSid} ended before the message arrived`);
        }
        // A routine delivery report (sent, delivered) usually changes nothing: skip its durable write.
        if (event.type === 'delivery-status' && isNoOp(result, state, consumed)) return record;
        const settled = await this.#settleInline(input, record, result, expiresAt);
        return this.#persist(record, settled.result, loaded.version, consumed, settled.sends);
      }))).catch((error: unknown) => {
        this.#recent.forget(executionSid);
        if (isConflict(error, 'stale-claim')) return null; // another node fired/finished it
        if (isConflict(error, 'duplicate-inbound')) return null; // a retried webhook, already run: nothing changed
        throw error;
      }),
      executionSid,
    );
  }

  /**
   * Deletes an execution under its lock (no sprint of it runs meanwhile); whether there was one. An active one that
   * had handed its conversation to a virtual agent takes it back first, as ending it would (the engine's end()):
   * nothing would ever take the agent's report once the execution is gone.
   */
  async remove(accountSid: string, flowSid: string, executionSid: string): Promise<boolean> {
    return this.#locks.run(executionSid, async () => {
      this.#recent.forget(executionSid);
      const before = await this.#store.getExecution(accountSid, flowSid, executionSid);
      // Before the row goes: the Twilio carrier reads the execution to find the conversation's service.
      if (before?.status === 'active') await releaseExecutionAgents(before, this.#disconnect);
      const deleted = await this.#store.deleteExecution(accountSid, flowSid, executionSid);
      if (deleted && before) this.#observer.executionDeleted?.(before);
      return deleted;
    });
  }

  /**
   * Deletes a flow with its executions; whether there was one. Those of its active executions that had handed
   * their conversations to virtual agents take them back first, as remove() does for one: the flow's deletion
   * takes their executions without a sprint. Best effort: an execution that connects an agent meanwhile keeps it.
   */
  async removeFlow(accountSid: string, flowSid: string): Promise<boolean> {
    await releaseFlowAgents(this.#store, accountSid, flowSid, this.#disconnect);
    return this.#store.deleteFlow(accountSid, flowSid);
  }

  /** Ends a virtual agent session through the channel, when it has them. */
  #disconnect: AgentDisconnect = async (context, session) => this.#ctx.channel.disconnectVirtualAgent?.(context, session);

  /**
   * The revision a new execution of `flow` runs: live traffic the latest published one, test users the
   * latest draft. Read off the flow's row: no revision is read unless its definition is not cached.
   */
  async pickRevision(flow: FlowRecord, contact: string): Promise<number | null> {
    const testUsers = (await this.#store.getTestUsers(flow.accountSid, flow.sid)) ?? [];
    return isTestUser(testUsers, contact) ? flow.revision : flow.publishedRevision;
  }

  /** A revision's runnable definition, cached (revisions do not change once written). */
  async definition(accountSid: string, flowSid: string, revision: number): Promise<FlowDefinition> {
    const key = `${flowSid}:${revision}`;
    let definition = this.#definitions.get(key);
    if (!definition) {
      const record = await this.#store.getRevision(accountSid, flowSid, revision);
      if (!record) throw notFound(`/v2/Flows/${flowSid}/Revisions/${revision}`);
      definition = runnable(record.definition);
      this.#definitions.set(key, definition);
    }
    return definition;
  }

  #engineInput(definition: FlowDefinition, now = this.#options.now()) {
    return {
      definition,
      now,
      newId: (prefix: 'FT' | 'TM' | 'EF' | 'WT') => (prefix === 'FT' ? newSid('FT') : prefix + newSid('FT').slice(2)),
      limits: this.#options.limits ?? {},
      cpuClock: threadCpuMs,
    };
  }

  /** Starts an execution: its first sprint, written with the row. */
  async startNew(init: NewExecution): Promise<ExecutionRecord> {
    const executionSid = newSid('FN');
    return this.#observer.sprint({ executionSid, event: 'start' }, async () => {
      const definition = await this.definition(init.accountSid, init.flowSid, init.revision);
      // One instant for the row and its first steps: the execution is never dated after its Trigger step.
      const now = this.#options.now();
      const input = this.#engineInput(definition, now);
      const started = startExecution(
        input,
        { executionSid, accountSid: init.accountSid, flowSid: init.flowSid, revision: init.revision, channelAddress: init.channelAddress, contactAddress: init.contactAddress },
        init.trigger,
        init.triggerData,
        init.data,
      );
      const record: ExecutionRecord = {
        sid: executionSid,
        accountSid: init.accountSid,
        flowSid: init.flowSid,
        flowVersion: init.revision,
        contactSid: contactSid(init.accountSid, init.contactAddress),
        contactChannelAddress: init.contactAddress,
        channelAddress: init.channelAddress,
        status: 'active',
        initiatedBy: init.initiatedBy,
        state: started.state,
        dateCreated: now,
        dateUpdated: null,
      };
      const consumed: Consumed = {
        ...(init.receipt ? { receipt: init.receipt } : {}),
        ...(init.exclusive !== undefined ? { exclusive: init.exclusive } : {}),
        ...(init.soleCall ? { soleCall: init.soleCall } : {}),
      };
      // A REST create is refused (409) when its contact pair has an active execution by the store's index, which
      // holds active rows only: one that takes the pair's slot must be written active, so its sends may not end
      // it here (the last goes through the outbox, as before sends were inline). An inbound message or call
      // looks for the pair's active execution first, and one ended at once is as if it came before a racer.
      const holdSlot = init.trigger === 'incomingRequest' && (consumed.exclusive ?? this.#options.oneActivePerContact !== false) && started.state.status === 'active';
      const { result, sends } = await this.#settleInline(input, record, started, now + this.#options.maxExecutionAgeMs, holdSlot);
      return this.#persist(record, result, 'new', consumed, sends).catch(
        async (error: unknown) => {
          // The flow was deleted since it was read (its executions' foreign key refused this one): 404, as
          // after the delete. Its revisions go with it; they are not cached, unlike the flow.
          // A failing lookup (the database down) keeps the write's own error.
          const revision = isConflict(error) ? true : await this.#store.getRevision(init.accountSid, init.flowSid, init.revision).catch(() => true);
          if (!revision) {
            throw notFound(init.trigger === 'incomingRequest' ? `/v2/Flows/${init.flowSid}` : `/v1/Accounts/${init.accountSid}/Flows/${init.flowSid}`);
          }
          throw error;
        },
      );
    });
  }

  /**
   * Applies within this sprint the results of the sends its channel completes in memory (the simulator): one
   * durable write for the sprint and its messages, instead of an outbox row and one more sprint per message.
   * The messages go out once the sprint is written (#persist). Bounded, so that a flow that sends in a loop
   * is still written as it goes: the send past the bound goes through the outbox, and its result's sprint
   * goes on the same way.
   */
  async #settleInline(
    input: EngineInput,
    record: ExecutionRecord,
    result: SprintResult,
    expiresAt: number,
    /** A new execution that must be written active (see startNew): the send that would end it goes through the outbox. */
    holdSlot = false,
  ): Promise<{ result: SprintResult; sends: SettledSend[] }> {
    const channel = this.#ctx.channel;
    const sends: SettledSend[] = [];
    if (!channel.sendInline || this.#ctx.stopped) return { result, sends };
    let current = result;
    let slice = performance.now();
    try {
      while (sends.length < MAX_INLINE_SENDS && current.state.status === 'active') {
        const index = current.effects.findIndex((effect) => effect.type === 'send-message');
        if (index < 0) break;
        // Each engine call has its own Liquid and regex budgets (as when each result was a sprint of its own): the
        // node is let go between them once this sprint has held it a while, as the write between sprints did.
        if (sends.length > 0 && performance.now() - slice >= INLINE_SLICE_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          if (this.#ctx.stopped) break;
          slice = performance.now();
        }
        const effect = current.effects[index] as Extract<Effect, { type: 'send-message' }>;
        const context: SendContext = { accountSid: record.accountSid, flowSid: record.flowSid, executionSid: record.sid, effectId: effect.effectId, channelAddress: current.state.channelAddress };
        // A failure here (the account's channel not readable) leaves the send to the outbox, which retries it.
        const send = await channel.sendInline(context, effect.message).catch(() => null);
        if (!send) break;
        const outcome = sendOutcome(send.result);
        // Observed (metrics, span) once the sprint is written (#persist): an attempt that loses a race sent nothing.
        sends.push({ send, outcome, label: { accountSid: record.accountSid, executionSid: record.sid, effectId: effect.effectId, type: effect.type, widget: effect.widget } });
        // Held to its slot, the state is kept as it was (a copy is changed) until the result is known not to end it.
        const next = handleEvent(input, current.state, { type: 'effect-result', effectId: effect.effectId, result: outcome }, { owned: !holdSlot, arrivedAt: input.now, expiresAt });
        if (holdSlot && next.state.status !== 'active') {
          sends.pop();
          send.abandon();
          break;
        }
        current = {
          state: next.state,
          effects: [...current.effects.slice(0, index), ...current.effects.slice(index + 1), ...next.effects],
          steps: current.steps.concat(next.steps),
          diagnostics: current.diagnostics.concat(next.diagnostics),
          ...(current.endedFirst ? { endedFirst: true } : {}),
        };
      }
    } catch (error) {
      for (const { send } of sends) send.abandon();
      throw error;
    }
    return { result: current, sends };
  }

  /**
   * Writes one sprint atomically, then carries out its effects. `version`: the execution's as it was
   * read (the write fails if another node has moved it on since), or 'new' for its first sprint.
   */
  async #persist(
    previous: ExecutionRecord,
    result: SprintResult,
    version: number | 'new',
    consumed: Consumed,
    inlineSends: SettledSend[] = [],
  ): Promise<ExecutionRecord> {
    const isNew = version === 'new';
    const now = this.#options.now();
    const state = result.state;
    const record: ExecutionRecord = {
      ...previous,
      state,
      status: state.status,
      // A new row has not been updated, unless its first sprint already ended it: then when it ended.
      dateUpdated: isNew && state.status === previous.status ? previous.dateUpdated : now,
    };
    // A widget moved the execution onto another channel (Start Conversation): the row is re-keyed, so the
    // contact's messages there find it, and the channel sends where the state now says.
    const readdressed = readdress(record, state);
    const steps: StepRecord[] = result.steps.map((step) => ({
      sid: step.sid,
      accountSid: record.accountSid,
      flowSid: record.flowSid,
      executionSid: record.sid,
      parentStepSid: step.parentStepSid,
      name: step.name,
      context: step.context,
      transitionedFrom: step.transitionedFrom,
      transitionedTo: step.transitionedTo,
      type: step.type,
      dateCreated: step.at,
      dateUpdated: null,
    }));
    const timersToAdd: TimerRecord[] = [];
    const timersToCancel: string[] = [];
    const effectsToAdd: PendingEffect[] = [];
    for (const effect of result.effects) {
      if (effect.type === 'set-timer') timersToAdd.push({ id: effect.timerId, executionSid: record.sid, accountSid: record.accountSid, dueAt: effect.dueAt });
      else if (effect.type === 'cancel-timer') timersToCancel.push(effect.timerId);
      else effectsToAdd.push({ id: effect.effectId, executionSid: record.sid, accountSid: record.accountSid, payload: effect, createdAt: now });
    }
    if (consumed.timerId) timersToCancel.push(consumed.timerId);
    // A timer set and cancelled within one sprint (a queued reply answered it) is never written.
    const cancelled = new Set(timersToCancel);
    const common = {
      execution: record,
      steps,
      timersToAdd: timersToAdd.filter((timer) => !cancelled.has(timer.id)),
      timersToCancel,
      effectsToAdd,
      effectsDone: consumed.effectId ? [consumed.effectId] : [],
      // Fencing: only the node that still holds the timer/effect may consume it.
      consumes: consumed.timerId ? this.#leases.ref('timer', consumed.timerId) : consumed.effectId ? this.#leases.ref('effect', consumed.effectId) : undefined,
      // This node carries the new effects out itself; others take them only if it dies.
      effectLease: effectsToAdd.length > 0 ? this.#leases.lease() : undefined,
      alerts: alertsFrom(result.diagnostics, record, now),
      inboundReceipt: consumed.receipt,
      // Due by the next poll (a one-second reply timeout included): other nodes look now rather than a poll late.
      wakeOthers: timersToAdd.some((timer) => !cancelled.has(timer.id) && timer.dueAt - now <= TIMER_POLL_MS),
    };
    const write: SprintWrite =
      version === 'new'
        ? {
            ...common,
            isNew: true,
            exclusive: consumed.exclusive ?? this.#options.oneActivePerContact !== false,
            ...(consumed.soleCall ? { soleCall: consumed.soleCall } : {}),
          }
        : { ...common, isNew: false, expectedVersion: version, ...(readdressed ? { readdressed: true } : {}) };
    try {
      await this.#store.writeSprint(write);
    } catch (error) {
      // Whatever made it fail (another node's write, a lost claim), the next sprint reads afresh, and sends again.
      this.#recent.forget(record.sid);
      for (const { send } of inlineSends) send.abandon();
      throw error;
    }
    for (const { send, label, outcome } of inlineSends) {
      send.publish();
      void this.#observer.effect(label, async () => outcome).catch(() => undefined);
    }
    // Kept only while this sprint's effects are out: their results are the events due next, within
    // milliseconds. An execution left waiting (for a reply, a timer) is read afresh when it wakes; keeping
    // it would only hold its state past young-generation GCs, which then copy and promote it.
    // A new row starts at version 1; an update moves it on by one.
    if (effectsToAdd.length === 0) this.#recent.forget(record.sid);
    else this.#recent.set(record.sid, { record, version: version === 'new' ? 1 : version + 1 });
    this.#observer.sprintWritten({ execution: record, previousStatus: isNew ? null : previous.status, steps });
    for (const effect of effectsToAdd) this.#outlets.dispatch(effect, { flowSid: record.flowSid, channelAddress: record.channelAddress });
    if (timersToAdd.length > 0) this.#outlets.wakeBy(Math.min(...timersToAdd.map((timer) => timer.dueAt)));
    return record;
  }
}

/**
 * Revisions keep the JSON as the user saved it; pre-2019 shapes are migrated when they run, and an invalid
 * draft's unfollowable parts are dropped (runnable-shape.ts).
 */
export function runnable(definition: FlowDefinition): FlowDefinition {
  return runnableShape(isLegacyDefinition(definition) ? migrateDefinition(definition).definition : definition);
}

/** The deprecated contact SID: stable per account and address. */
export function contactSid(accountSid: string, address: string): string {
  // crypto.hash: one call, a third of createHash's time (the same digest).
  return 'FC' + hash('sha256', `${accountSid}:${address}`, 'hex').slice(0, 32);
}

/**
 * A bound, not the working set: entries live only while effects are out (see #persist), mostly a few
 * milliseconds. Entries kept longer outlive the young generation, which makes every scavenge copy
 * and promote them (5,000 entries: GC pauses p99 13 ms against 7 ms at 1,000 msg/s).
 */
const RECENT_EXECUTIONS = 256;
/** A send completed in memory by a sprint, with what its observation (metrics, span) records once the sprint is written. */
interface SettledSend {
  send: InlineSend;
  outcome: EffectResult;
  label: EffectLabel;
}

/** Sends a sprint completes in memory before it is written (see #settleInline). */
const MAX_INLINE_SENDS = 16;
/** How long (ms) a sprint applies inline sends' results before it lets other work run (see #settleInline). */
const INLINE_SLICE_MS = 20;
/** Executions with agent sessions read at a time when their flow is deleted. */
/** Revisions whose definitions a node keeps parsed; past it the least recently run goes. */
export const DEFINITION_CACHE_ENTRIES = 1000;

/** A bounded map, least recently written first out. */
class RecentExecutions {
  readonly #entries = new Map<string, VersionedExecution>();
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  get(sid: string): VersionedExecution | undefined {
    return this.#entries.get(sid);
  }

  set(sid: string, entry: VersionedExecution): void {
    this.#entries.delete(sid);
    this.#entries.set(sid, entry);
    evictOldest(this.#entries, this.#limit);
  }

  forget(sid: string): void {
    this.#entries.delete(sid);
  }
}

/** What a sprint consumes, less the inbound message's receipt and rule (it was not applied). */
function withoutInbound(consumed: Consumed): Consumed {
  return { ...(consumed.effectId ? { effectId: consumed.effectId } : {}), ...(consumed.timerId ? { timerId: consumed.timerId } : {}) };
}

/** A sprint that recorded nothing and left the state exactly as it was. */
function isNoOp(result: SprintResult, previous: ExecutionState, consumed: Consumed): boolean {
  return (
    !consumed.effectId &&
    !consumed.timerId &&
    result.steps.length === 0 &&
    result.effects.length === 0 &&
    result.diagnostics.length === 0 &&
    JSON.stringify(result.state) === JSON.stringify(previous)
  );
}

/** Gives `record` the addresses `state` has when they differ; whether they did. */
function readdress(record: ExecutionRecord, state: ExecutionState): boolean {
  if (typeof state.channelAddress !== 'string' || typeof state.contactAddress !== 'string') return false;
  if (state.channelAddress === record.channelAddress && state.contactAddress === record.contactChannelAddress) return false;
  if (state.contactAddress !== record.contactChannelAddress) record.contactSid = contactSid(record.accountSid, state.contactAddress);
  record.channelAddress = state.channelAddress;
  record.contactChannelAddress = state.contactAddress;
  return true;
}
