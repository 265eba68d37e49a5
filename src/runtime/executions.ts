// Executions: start flows (REST, inbound messages), feed them events (effect results, replies,
// timers, delivery reports), end and delete them. Each engine sprint runs under a per-contact or
// per-execution lock and is persisted in one transaction *before* any of its effects is carried
// out; effects are outbox rows, so a restart finds and finishes whatever was in flight.
import type { EngineEvent, EngineLimits, JsonObject } from '../engine/types.ts';
import { isDeliveryFailure } from '../engine/delivery.ts';
import { DomainError, invalidParameter, notFound } from './errors.ts';
import { newSid } from './ids.ts';
import { RuntimeContext, contactKey, type RuntimeOptions } from './runtime-context.ts';
import { Sprints, TIMER_POLL_MS, type Consumed } from './sprints.ts';
import { EffectRunner } from './effect-runner.ts';
import type { DeliveryStatus, MessageChannel, OutboundHttp } from './ports/channel.ts';
import type { VoiceChannel } from './ports/voice.ts';
import type { RuntimeObserver } from './ports/observer.ts';
import type { ExecutionAge, ExecutionRecord, FlowRecord, InboundReceipt, Store, TimerRecord, VersionedExecution } from './ports/store.ts';
import { ALERT_RETENTION_MS, RECEIPT_RETENTION_MS } from './alerts.ts';
import { type WorkLeases, isAbandonedOwner } from './leases.ts';
import type { KeyedMutex } from './keyed-mutex.ts';
import { isConflict, retryOnConflict } from './conflicts.ts';

export { DEFAULT_RUNTIME_OPTIONS, type RuntimeOptions } from './runtime-context.ts';
export { contactSid } from './sprints.ts';

export interface CreateExecutionInput {
  to: string;
  from: string;
  parameters?: JsonObject | undefined;
  /** What started it (a request id for REST). */
  initiatedBy?: string | undefined;
}

export interface ExecutionServiceApi {
  create(
    accountSid: string,
    flowSid: string,
    input: CreateExecutionInput,
    onConflict: 'error' | 'return-existing',
  ): Promise<{ execution: ExecutionRecord; created: boolean }>;
  end(accountSid: string, flowSid: string, executionSid: string): Promise<ExecutionRecord>;
  remove(accountSid: string, flowSid: string, executionSid: string): Promise<boolean>;
  inboundMessage(accountSid: string, flowSid: string, params: Record<string, string>): Promise<{ executionSid: string | null }>;
}

/** Age-cap timers, written before executions expired by their creation time (see #fire). */
const LEGACY_EXPIRY_PREFIX = 'EX';
/** How often a node looks for effects whose claim expired (a dead node's). */
const ORPHAN_SWEEP_MS = 1000;
/**
 * Timers claimed at a time, and claimed batches being fired at once. Small batches, many in flight:
 * claiming and running a batch holds the event loop (500 at a time held it up to 190 ms in a burst).
 */
const TIMER_BATCH = 128;
/** Executions past the maximum age ended at a time (a rare event: one batch after another). */
const EXPIRY_BATCH = 128;
const TIMER_BATCHES_IN_FLIGHT = 16;
/** Sprints and effects in flight beyond which a burst waits before claiming more (bounds its memory). */
const TIMER_WORK_IN_FLIGHT = 2048;
/** Old inbound receipts and alerts go once an hour (any node may do it; deletes are idempotent). */
const PRUNE_EVERY_MS = 3600 * 1000;

export class ExecutionService implements ExecutionServiceApi {
  readonly #ctx: RuntimeContext;
  readonly #store: Store;
  readonly #channel: MessageChannel;
  readonly #options: RuntimeOptions;
  readonly #observer: RuntimeObserver;
  readonly #locks: KeyedMutex;
  readonly #sprints: Sprints;
  readonly #effects: EffectRunner;
  #timer: NodeJS.Timeout | null = null;
  // Multi-node: claims on timers/effects, when the timer loop next wakes, the last orphan sweep.
  readonly #leases: WorkLeases;
  #wakeAt = 0;
  /**
   * The soonest moment the timer loop knows of work (a timer or an age cap due): a round woken before
   * it is a poll, which skips the claim (a write transaction, every second on every idle node) and
   * only looks again.
   */
  #dueBy = Number.NEGATIVE_INFINITY;
  #lastSweep = Number.NEGATIVE_INFINITY;
  #lastPrune = Number.NEGATIVE_INFINITY;
  /**
   * After a sweep in which an execution failed to end for its age, none runs before this time: the
   * failed one stays the oldest, and the timer loop would otherwise run again at once, and again. It
   * waits a lease, as a timer whose sprint failed waits for its claim to run out.
   */
  #expiryRetryAt = Number.NEGATIVE_INFINITY;
  #unsubscribe: (() => void) | undefined;

  /** Studio's runtime rules this node runs executions under (replay re-runs recorded ones under the same). */
  get rules(): { limits: Partial<EngineLimits>; maxExecutionAgeMs: number; httpTimeoutMs: number } {
    return { limits: this.#options.limits ?? {}, maxExecutionAgeMs: this.#options.maxExecutionAgeMs, httpTimeoutMs: this.#options.http.timeoutMs };
  }

  constructor(store: Store, channel: MessageChannel, http: OutboundHttp, options: RuntimeOptions) {
    this.#ctx = new RuntimeContext(store, channel, options);
    this.#store = store;
    this.#channel = channel;
    this.#options = options;
    this.#observer = this.#ctx.observer;
    this.#locks = this.#ctx.locks;
    this.#leases = this.#ctx.leases;
    this.#sprints = new Sprints(this.#ctx, {
      dispatch: (pending, flowSid) => this.#effects.dispatch(pending, flowSid),
      wakeBy: (dueAt) => this.#wakeBy(dueAt),
    });
    this.#effects = new EffectRunner(this.#ctx, http, this.#sprints);
  }

  /** This node's id in the store's claims (lease_owner). */
  get nodeId(): string {
    return this.#leases.nodeId;
  }

  /** The voice network outbound calls and call recordings go to (simulator phone or carrier). */
  useVoice(voice: VoiceChannel): void {
    this.#effects.useVoice(voice);
  }

  get voice(): VoiceChannel | null {
    return this.#effects.voice;
  }

  // ---- lifecycle

  /**
   * Resumes work nobody holds (effects left by a previous process, or by a dead node once its
   * lease expired) and starts the timer loop, which also sweeps for such orphans.
   */
  async start(): Promise<void> {
    this.#ctx.stopped = false;
    this.#effects.start();
    this.#leases.start();
    await this.#store.releaseAbandonedClaims?.((owner) => isAbandonedOwner(owner, this.#leases.nodeId));
    await this.#sweepOrphanedEffects();
    // Other nodes' new timers and released claims wake the loop before its next poll.
    this.#unsubscribe = await this.#store.onWork?.((dueAt) => {
      if (dueAt === null) this.#lastSweep = Number.NEGATIVE_INFINITY;
      this.#wakeBy(dueAt ?? this.#options.now());
    });
    this.#scheduleTimers(0);
  }

  /**
   * Graceful shutdown: drains in-flight sprints and effects, then hands back every claim. Effects that
   * could not start for a store error stop retrying (nothing went out: the next node carries them out);
   * results not yet written are retried for up to stopDrainMs, then given up.
   */
  async stop(): Promise<void> {
    this.#ctx.stopped = true;
    this.#effects.stop();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#unsubscribe?.();
    await this.idle();
    await this.#leases.stop();
  }

  /** Resolves once no effect or event is being processed (tests and graceful shutdown). */
  async idle(): Promise<void> {
    while (this.#ctx.inFlight.size > 0 || this.#channel.busy?.()) {
      await Promise.allSettled([...this.#ctx.inFlight]);
      await this.#channel.idle?.();
    }
  }

  // ---- public operations

  async create(
    accountSid: string,
    flowSid: string,
    input: CreateExecutionInput,
    onConflict: 'error' | 'return-existing',
    /** The flow, when the caller has just read it (saves a second read per request). */
    knownFlow?: FlowRecord,
  ): Promise<{ execution: ExecutionRecord; created: boolean }> {
    const flow = knownFlow?.sid === flowSid && knownFlow.accountSid === accountSid ? knownFlow : await this.#store.getFlow(accountSid, flowSid);
    if (!flow) throw notFound(`/v2/Flows/${flowSid}`);
    // Studio's rule, one active execution per contact pair, is the store's unique index: the first try
    // just inserts, and only when that conflicts (the pair has one, or a racing node made it first)
    // does the next look for the active execution, to answer as if serial.
    let attempt = 0;
    return retryOnConflict(['active-execution'], () => this.#locks.run(contactKey(flowSid, input.to, input.from), async () => {
      attempt++;
      const active = this.#options.oneActivePerContact && attempt > 1 ? await this.#store.findActiveExecution(flowSid, input.to, input.from) : null;
      if (active) {
        if (onConflict === 'return-existing') return { execution: active, created: false };
        throw new DomainError(
          'execution-conflict',
          `Execution ${active.sid} is already active for this contact. End the active Execution before creating a new one`,
          { conflicting_execution_sid: active.sid },
        );
      }
      const revision = await this.#sprints.pickRevision(flow, input.to);
      if (!revision) throw invalidParameter(`Flow ${flowSid} has no published revision to execute`);
      this.#ctx.takeRate('restPerSecond', accountSid);
      const parameters = input.parameters ?? {};
      const execution = await this.#sprints.startNew({
        accountSid,
        flowSid,
        revision,
        channelAddress: input.from,
        contactAddress: input.to,
        trigger: 'incomingRequest',
        triggerData: { request: { from: input.from, to: input.to, parameters } },
        data: parameters,
        initiatedBy: input.initiatedBy ?? newSid('RQ'),
      });
      return { execution, created: true };
    }));
  }

  async end(accountSid: string, flowSid: string, executionSid: string): Promise<ExecutionRecord> {
    const record = await this.#store.getExecution(accountSid, flowSid, executionSid);
    if (!record) throw notFound(`/v2/Flows/${flowSid}/Executions/${executionSid}`);
    // Ending what has ended changes nothing: no write, no new date_updated, no 81002 alert.
    if (record.status !== 'active') return record;
    const updated = await this.deliver(executionSid, { type: 'end', reason: 'manual' });
    return updated ?? record;
  }

  remove(accountSid: string, flowSid: string, executionSid: string): Promise<boolean> {
    return this.#sprints.remove(accountSid, flowSid, executionSid);
  }

  /**
   * An inbound message: Messaging (contact From, flow address To) or, for
   * `incomingConversationMessage`, a Conversations message (contact Author, flow address the
   * ConversationSid, so replies go back into the conversation).
   */
  async inboundMessage(
    accountSid: string,
    flowSid: string,
    params: Record<string, string>,
    trigger: 'incomingMessage' | 'incomingConversationMessage' = 'incomingMessage',
    delivery: { idempotencyKey?: string | undefined } = {},
  ): Promise<{ executionSid: string | null; duplicate?: boolean }> {
    const conversation = trigger === 'incomingConversationMessage';
    const contact = (conversation ? params.Author || params.From : params.From) ?? '';
    let channel = (conversation ? params.ConversationSid : params.To) ?? '';
    if (!contact || !channel) throw invalidParameter(conversation ? 'A conversation message needs Author and ConversationSid' : 'An inbound message needs From and To');
    const flow = await this.#store.getFlow(accountSid, flowSid);
    if (!flow) throw notFound(`/v1/Accounts/${accountSid}/Flows/${flowSid}`);
    // A Messaging Service webhook names the number in To and the service in MessagingServiceSid: an
    // execution whose flow address is the MG SID (REST From=MG…) is this pair's (studio-flow-language §6.3).
    const service = conversation ? undefined : params.MessagingServiceSid;
    if (service && /^MG[0-9a-fA-F]{32}$/.test(service) && (await this.#store.findActiveExecutionSid(flowSid, contact, service))) channel = service;
    // Twilio retries a webhook with the same MessageSid (unique per inbound message) and usually the same
    // idempotency token, but a retry may carry another token or none: the MessageSid is the key, the token
    // only for a delivery without one.
    const receiptKey = params.MessageSid || delivery.idempotencyKey;
    const receipt: InboundReceipt | undefined = receiptKey ? { accountSid, key: receiptKey, receivedAt: this.#options.now() } : undefined;
    // A racing node may start the pair's execution first: then this message goes to it.
    return retryOnConflict(['active-execution'], () => this.#locks.run(contactKey(flowSid, contact, channel), async () => {
      if (receipt && (await this.#store.hasInboundReceipt(accountSid, receipt.key))) return { executionSid: null, duplicate: true };
      const active = await this.#store.findActiveExecutionSid(flowSid, contact, channel);
      if (active) {
        const delivered = await this.deliver(active, { type: 'inbound-message', message: params }, { ...(receipt ? { receipt } : {}), requireActive: true });
        return delivered === null ? { executionSid: active, duplicate: true } : { executionSid: active };
      }
      const revision = await this.#sprints.pickRevision(flow, contact);
      if (!revision) return { executionSid: null };
      this.#ctx.takeRate('inboundPerSecond', accountSid);
      const execution = await this.#sprints.startNew({
        accountSid,
        flowSid,
        revision,
        channelAddress: channel,
        contactAddress: contact,
        trigger,
        triggerData: conversation ? { conversation: params } : { message: params },
        data: {},
        initiatedBy: params.MessageSid ?? newSid('SM'),
        receipt,
      }).catch((error: unknown) => {
        if (isConflict(error, 'duplicate-inbound')) return null; // a retried webhook another node ran first
        throw error;
      });
      return execution === null ? { executionSid: null, duplicate: true } : { executionSid: execution.sid };
    }));
  }

  /**
   * An inbound call starts a voice execution (`incomingCall`, initiated by the CallSid). With the
   * flow's `allow_concurrent_calls` off, a caller who already has an active execution is refused
   * (`blocked`); on (also when missing, as for new flows in the Console), the new call goes ahead beside
   * the earlier one (README Voice): its execution does not take the pair's one active slot.
   */
  async inboundCall(accountSid: string, flowSid: string, params: Record<string, string>): Promise<{ execution: ExecutionRecord | null; blocked?: ExecutionRecord }> {
    const contact = params.From ?? '';
    const channel = params.To ?? '';
    if (!contact || !channel || !params.CallSid) throw invalidParameter('An inbound call needs CallSid, From and To');
    const flow = await this.#store.getFlow(accountSid, flowSid);
    if (!flow) throw notFound(`/v1/Accounts/${accountSid}/Flows/${flowSid}`);
    // A racing node may start the caller's execution first: look again (blocked, or side by side).
    return retryOnConflict(['active-execution'], () => this.#locks.run(contactKey(flowSid, contact, channel), async () => {
      const revision = await this.#sprints.pickRevision(flow, contact);
      if (!revision) return { execution: null };
      const definition = await this.#sprints.definition(accountSid, flowSid, revision);
      const active = await this.#store.findActiveExecution(flowSid, contact, channel);
      if (active && definition.flags?.allow_concurrent_calls === false) return { execution: null, blocked: active };
      this.#ctx.takeRate('inboundPerSecond', accountSid);
      const execution = await this.#sprints.startNew({
        accountSid,
        flowSid,
        revision,
        channelAddress: channel,
        contactAddress: contact,
        trigger: 'incomingCall',
        triggerData: { call: params },
        data: {},
        initiatedBy: params.CallSid,
        // allow_concurrent_calls: the caller's calls run side by side (each found by its CallSid).
        ...(active ? { exclusive: false } : {}),
      });
      return { execution };
    }));
  }

  /** A channel's delivery report for a message an execution sent. */
  async deliveryStatus(report: DeliveryStatus): Promise<void> {
    if (!isDeliveryFailure(report.status)) return; // the engine would change nothing
    await this.deliver(report.executionSid, {
      type: 'delivery-status',
      messageSid: report.messageSid,
      status: report.status,
      ...(report.errorCode ? { errorCode: report.errorCode } : {}),
    });
  }

  /**
   * Applies an event to an execution under its lock; returns the updated record (null if gone, or
   * if the consumed timer/effect was taken over by another node). The lock serialises this node;
   * the version check serialises nodes: a sprint that lost the race runs again from a fresh read.
   */
  deliver(executionSid: string, event: EngineEvent, consumed?: Consumed, prefetched?: VersionedExecution | null): Promise<ExecutionRecord | null> {
    return this.#sprints.deliver(executionSid, event, consumed, prefetched);
  }

  /** Drops inbound receipts and alerts past their retention (the timer loop calls this hourly). */
  async pruneHistory(): Promise<number> {
    const now = this.#options.now();
    this.#lastPrune = now;
    return this.#store.pruneHistory({ receipts: now - RECEIPT_RETENTION_MS, alerts: now - ALERT_RETENTION_MS });
  }

  /** Fires every timer due now (the scheduler calls this; tests call it with a simulated clock). */
  async fireDueTimers(): Promise<number> {
    const batch = await this.#claimAndFire();
    await batch.fired;
    return batch.count + (await this.#expireOld());
  }

  /**
   * Ends the executions past the maximum age (Studio's 30 days by default), oldest first; returns how
   * many it tried. They are found by their creation time, not by a timer row each. Nodes sharing a
   * store may pick the same one: the version check lets one end it, and the other finds it ended.
   * One that fails to end does not hold up those behind it: the sweep pages past it, and the next sweep,
   * a lease later (#expiryRetryAt), tries it again.
   */
  async #expireOld(): Promise<number> {
    const maxAge = this.#options.maxExecutionAgeMs;
    const now = this.#options.now();
    if (now < this.#expiryRetryAt) return 0;
    let after: ExecutionAge | undefined;
    let count = 0;
    let failure: unknown = null;
    while (!this.#ctx.stopped) {
      const batch = await this.#store.expiredExecutions(now - maxAge, EXPIRY_BATCH, after);
      const outcomes = await Promise.allSettled(
        batch.map(async ({ sid, dateCreated }) => {
          this.#observer.timerFired(now - (dateCreated + maxAge));
          try {
            await this.deliver(sid, { type: 'end', reason: 'expired' }, { requireActive: true });
          } catch (error) {
            if (!isConflict(error, 'active-execution')) throw error; // ended meanwhile: nothing to do
          }
        }),
      );
      failure ??= outcomes.find((outcome) => outcome.status === 'rejected')?.reason ?? null;
      count += batch.length;
      if (batch.length < EXPIRY_BATCH) break;
      after = batch.at(-1);
    }
    if (failure) {
      this.#expiryRetryAt = now + this.#leases.leaseMs;
      throw failure;
    }
    return count;
  }

  /**
   * Fires every due timer, claiming the next batch while earlier ones are still being fired (up to
   * TIMER_BATCHES_IN_FLIGHT batches): a burst of timers due together keeps the store's writer and
   * this thread busy at once instead of taking turns.
   */
  async #drainDueTimers(): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    try {
      while (!this.#ctx.stopped) {
        while (inFlight.size >= TIMER_BATCHES_IN_FLIGHT) await Promise.race(inFlight);
        // The effects fired timers started (a timeout's message, its result's sprint) count too: a
        // burst is taken on no faster than it is finished, so memory stays bounded.
        while (this.#ctx.inFlight.size > TIMER_WORK_IN_FLIGHT) await Promise.race(this.#ctx.inFlight);
        const batch = await this.#claimAndFire();
        if (batch.count === 0) break;
        const fired = batch.fired.finally(() => inFlight.delete(fired));
        // A failed batch is reported by the race or the final wait; until then it must not count as unhandled.
        fired.catch(() => undefined);
        inFlight.add(fired);
        // Claiming, loading and running a batch is one chain of microtasks: the event loop gets a turn
        // between batches, so requests and other timers are not held up for a whole burst.
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      await Promise.all(inFlight);
    }
  }

  /** Claims one batch of due timers and starts firing them; `fired` settles when all have been. */
  async #claimAndFire(): Promise<{ count: number; fired: Promise<void> }> {
    // Claimed under a lease: no other node fires these unless this one dies before consuming them.
    const claimed = await this.#store.claimDueTimers(this.#options.now(), this.#leases.lease(), TIMER_BATCH);
    // One this node is still firing (its lease ran out meanwhile) was just renewed, not re-fired.
    const due = claimed.filter((timer) => !this.#leases.holds('timer', timer.id));
    for (const timer of due) this.#leases.hold('timer', timer.id);
    const fired = this.#prefetch(due).then((executions) =>
      Promise.all(due.map((timer) => this.#fire(timer, executions?.take(timer.executionSid)).finally(() => this.#leases.drop('timer', timer.id)))),
    );
    return { count: due.length, fired: fired.then(() => undefined) };
  }

  /**
   * The executions of a batch of timers in one read (undefined: each sprint reads its own). Read one by
   * one, a burst spent a fifth of its time on the reads, a third of that on taking the file's read lock.
   */
  async #prefetch(timers: TimerRecord[]): Promise<Prefetched | undefined> {
    if (timers.length < 2) return undefined;
    const sids = new Set(timers.map((timer) => timer.executionSid));
    try {
      return new Prefetched(sids, await this.#store.loadExecutions([...sids]));
    } catch {
      return undefined; // each sprint reads (and reports a failing store) on its own
    }
  }

  /** Claims effects nobody holds (a dead node's, once its lease expired) and carries them out. */
  async #sweepOrphanedEffects(): Promise<void> {
    this.#lastSweep = this.#options.now();
    if (this.#effects.backlogged()) return;
    const orphans = await this.#store.claimEffects(this.#options.now(), this.#leases.lease(), 200);
    for (const effect of orphans) if (!this.#leases.holds('effect', effect.id)) this.#effects.dispatch(effect);
  }

  /** When the timer loop next has work: the soonest timer, or the oldest active execution's expiry. */
  async #nextDue(): Promise<number | null> {
    const [timer, oldest] = await Promise.all([this.#store.nextTimerDue(), this.#store.oldestActiveExecution()]);
    const expiry = oldest === null ? null : Math.max(oldest + this.#options.maxExecutionAgeMs, this.#expiryRetryAt);
    return timer === null ? expiry : expiry === null ? timer : Math.min(timer, expiry);
  }

  /** Makes the timer loop look again by `dueAt` unless it already will. */
  #wakeBy(dueAt: number): void {
    this.#dueBy = Math.min(this.#dueBy, dueAt);
    if (this.#ctx.stopped || (this.#timer && this.#wakeAt <= dueAt)) return;
    this.#scheduleTimers(Math.max(0, dueAt - this.#options.now()));
  }

  // ---- internals

  async #fire(timer: TimerRecord, prefetched?: VersionedExecution | null): Promise<void> {
    this.#observer.timerFired(this.#options.now() - timer.dueAt);
    // An age-cap timer ('EX…') is what a node from before migration 6 still writes during a rolling upgrade.
    const event: EngineEvent = timer.id.startsWith(LEGACY_EXPIRY_PREFIX) ? { type: 'end', reason: 'expired' } : { type: 'timer', timerId: timer.id };
    await this.deliver(timer.executionSid, event, { timerId: timer.id }, prefetched);
  }

  /** Wakes the timer loop in `delayMs`; `dueBy`: when work is known to be due (by default, then). */
  #scheduleTimers(delayMs: number, dueBy = this.#options.now() + delayMs): void {
    if (this.#ctx.stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#wakeAt = this.#options.now() + delayMs;
    this.#dueBy = dueBy;
    this.#timer = setTimeout(() => {
      void this.#ctx.track(
        (async () => {
          try {
            const claim = this.#dueBy <= this.#options.now();
            this.#dueBy = Number.POSITIVE_INFINITY; // lowered by #wakeBy while this round runs
            if (claim) await this.#drainDueTimers();
            // A sprint that fails is logged by the observer and retried next round; it must not hold up the chores below.
            if (!this.#ctx.stopped) await this.#expireOld().catch(() => undefined);
            if (!this.#ctx.stopped && this.#options.now() - this.#lastSweep >= ORPHAN_SWEEP_MS) await this.#sweepOrphanedEffects();
            if (!this.#ctx.stopped && this.#options.now() - this.#lastPrune >= PRUNE_EVERY_MS) await this.pruneHistory();
          } finally {
            const next = await this.#nextDue().catch(() => undefined);
            if (next === undefined) {
              // The store did not answer: look again in a while, claiming as if something were due.
              this.#scheduleTimers(TIMER_POLL_MS, Number.NEGATIVE_INFINITY);
            } else {
              // What the store says is next, or sooner if a timer was added while this round ran.
              const dueBy = Math.min(next ?? Number.POSITIVE_INFINITY, this.#dueBy);
              this.#scheduleTimers(Math.min(TIMER_POLL_MS, Math.max(0, dueBy - this.#options.now())), dueBy);
            }
          }
        })(),
      );
    }, delayMs);
    this.#timer.unref();
  }
}

/**
 * The executions of a batch of timers, read at once. Each goes to one sprint only (the engine changes
 * the state it is given in place): a second timer of the same execution in the batch reads afresh.
 */
class Prefetched {
  readonly #found: Map<string, VersionedExecution>;
  readonly #untaken: Set<string>;

  constructor(asked: Set<string>, found: Map<string, VersionedExecution>) {
    this.#untaken = asked;
    this.#found = found;
  }

  /** The execution as read (null: it was not found), or undefined if it was not read or was taken. */
  take(sid: string): VersionedExecution | null | undefined {
    if (!this.#untaken.delete(sid)) return undefined;
    return this.#found.get(sid) ?? null;
  }
}
