// The timer loop: wakes when a timer is due (or at least every TIMER_POLL_MS), claims due timers in
// batches under a lease and fires each as a sprint, then runs the housekeeping chores (age cap,
// orphaned effects, pruning). The store's claims let every node of a cluster run it at once.
import type { EngineEvent } from '../engine/types.ts';
import type { RuntimeContext, RuntimeOptions } from './runtime-context.ts';
import type { Housekeeping } from './housekeeping.ts';
import type { Sprints } from './sprints.ts';
import type { RuntimeObserver } from './ports/observer.ts';
import type { Store, TimerRecord, VersionedExecution } from './ports/store.ts';
import type { WorkLeases } from './leases.ts';

/** Every node looks at the timer queue at least this often; sooner when told of a timer due sooner. */
export const TIMER_POLL_MS = 1000;
/** How often a timer round's part that keeps failing is logged again. */
const ROUND_FAILURE_LOG_MS = 60_000;
/** Age-cap timers, written before executions expired by their creation time (see #fire). */
const LEGACY_EXPIRY_PREFIX = 'EX';
/**
 * Timers claimed at a time, and claimed batches being fired at once. Small batches, many in flight:
 * claiming and running a batch holds the event loop (500 at a time held it up to 190 ms in a burst).
 */
const TIMER_BATCH = 128;
const TIMER_BATCHES_IN_FLIGHT = 16;
/** Sprints and effects in flight beyond which a burst waits before claiming more (bounds its memory). */
const TIMER_WORK_IN_FLIGHT = 2048;

export class TimerLoop {
  readonly #ctx: RuntimeContext;
  readonly #store: Store;
  readonly #options: RuntimeOptions;
  readonly #observer: RuntimeObserver;
  /** When each part of the timer round last logged a failure (#roundFailed). */
  readonly #lastLogged = new Map<string, number>();
  readonly #leases: WorkLeases;
  readonly #sprints: Pick<Sprints, 'deliver'>;
  readonly #housekeeping: Housekeeping;
  #timer: NodeJS.Timeout | null = null;
  /** When the loop next wakes. */
  #wakeAt = 0;
  /**
   * The soonest moment the timer loop knows of work (a timer or an age cap due): a round woken before
   * it is a poll, which skips the claim (a write transaction, every second on every idle node) and
   * only looks again.
   */
  #dueBy = Number.NEGATIVE_INFINITY;
  #unsubscribe: (() => void) | undefined;

  constructor(ctx: RuntimeContext, sprints: Pick<Sprints, 'deliver'>, housekeeping: Housekeeping) {
    this.#ctx = ctx;
    this.#store = ctx.store;
    this.#options = ctx.options;
    this.#observer = ctx.observer;
    this.#leases = ctx.leases;
    this.#sprints = sprints;
    this.#housekeeping = housekeeping;
  }

  /** Listens for other nodes' work and starts the loop (its first round at once). */
  async start(): Promise<void> {
    // Other nodes' new timers and released claims wake the loop before its next poll.
    this.#unsubscribe = await this.#store.onWork?.((dueAt) => {
      if (dueAt === null) this.#housekeeping.sweepSoon();
      this.wakeBy(dueAt ?? this.#options.now());
    });
    this.#schedule(0);
  }

  /** Stops the loop (the context says the node stopped already): no round after the current one. */
  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#unsubscribe?.();
  }

  /** Makes the timer loop look again by `dueAt` unless it already will. */
  wakeBy(dueAt: number): void {
    this.#dueBy = Math.min(this.#dueBy, dueAt);
    if (this.#ctx.stopped || (this.#timer && this.#wakeAt <= dueAt)) return;
    this.#schedule(Math.max(0, dueAt - this.#options.now()));
  }

  /** Fires every timer due now, and ends executions past the maximum age; how many of both. */
  async fireDue(): Promise<number> {
    const batch = await this.#claimAndFire();
    await batch.fired;
    return batch.count + (await this.#housekeeping.expireOld());
  }

  /** Wakes the timer loop in `delayMs`; `dueBy`: when work is known to be due (by default, then). */
  #schedule(delayMs: number, dueBy = this.#options.now() + delayMs): void {
    if (this.#ctx.stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#wakeAt = this.#options.now() + delayMs;
    this.#dueBy = dueBy;
    this.#timer = setTimeout(() => {
      void this.#ctx.track(
        (async () => {
          let superseded = false;
          try {
            const claim = this.#dueBy <= this.#options.now();
            this.#dueBy = Number.POSITIVE_INFINITY; // lowered by wakeBy while this round runs
            // A newer Switchboard migrated the store: its work is no longer this node's to take on.
            if ((superseded = await this.#housekeeping.superseded())) return;
            if (claim) await this.#drainDueTimers().catch((error: unknown) => this.#roundFailed('fire due timers', error));
            // A failure (the store's reads; a sprint's own is logged by the observer and retried a lease later) must
            // not hold up the chores below.
            if (!this.#ctx.stopped) await this.#housekeeping.expireOld().catch((error: unknown) => this.#roundFailed('expire old executions', error));
            if (!this.#ctx.stopped && this.#housekeeping.sweepDue()) {
              await this.#housekeeping.sweepOrphanedEffects().catch((error: unknown) => this.#roundFailed('take over orphaned effects', error));
            }
            if (!this.#ctx.stopped && this.#housekeeping.pruneDue()) await this.#housekeeping.pruneHistory();
          } catch (error) {
            this.#roundFailed('timer round', error);
          } finally {
            const next = superseded ? undefined : await this.#nextDue().catch(() => undefined);
            if (superseded) {
              // Only polled, so a due timer does not wake the loop at once, again and again.
              this.#schedule(TIMER_POLL_MS, Number.POSITIVE_INFINITY);
            } else if (next === undefined) {
              // The store did not answer: look again in a while, claiming as if something were due.
              this.#schedule(TIMER_POLL_MS, Number.NEGATIVE_INFINITY);
            } else {
              // What the store says is next, or sooner if a timer was added while this round ran.
              const dueBy = Math.min(next ?? Number.POSITIVE_INFINITY, this.#dueBy);
              this.#schedule(Math.min(TIMER_POLL_MS, Math.max(0, dueBy - this.#options.now())), dueBy);
            }
          }
        })(),
      );
    }, delayMs);
    this.#timer.unref();
  }

  /**
   * Logs a failed part of a timer round (the observer's choreFailed): the first failure at once, then at most once
   * a minute per part while it goes on failing (the loop retries every second; a store that is down would
   * otherwise fill the log). Unlogged, the store's errors showed only as a metric.
   */
  #roundFailed(part: string, error: unknown): void {
    if (this.#ctx.stopped) return; // closing: the store going away under the round is expected
    const now = this.#options.now();
    const last = this.#lastLogged.get(part);
    if (last !== undefined && now - last < ROUND_FAILURE_LOG_MS) return;
    this.#lastLogged.set(part, now);
    this.#observer.choreFailed?.(part, error);
  }

  /** When the timer loop next has work: the soonest timer, or the oldest active execution's expiry. */
  async #nextDue(): Promise<number | null> {
    const [timer, oldest] = await Promise.all([this.#store.nextTimerDue(), this.#store.oldestActiveExecution()]);
    const expiry = oldest === null ? null : Math.max(oldest + this.#options.maxExecutionAgeMs, this.#housekeeping.expiryRetryAt);
    return timer === null ? expiry : expiry === null ? timer : Math.min(timer, expiry);
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

  async #fire(timer: TimerRecord, prefetched?: VersionedExecution | null): Promise<void> {
    this.#observer.timerFired(this.#options.now() - timer.dueAt);
    // An age-cap timer ('EX…') is what a node from before migration 6 still writes during a rolling upgrade.
    const event: EngineEvent = timer.id.startsWith(LEGACY_EXPIRY_PREFIX) ? { type: 'end', reason: 'expired' } : { type: 'timer', timerId: timer.id };
    // Fired late (a backlog), it still happened when it was due: an age cap due before then comes first.
    await this.#sprints.deliver(timer.executionSid, event, { timerId: timer.id, arrivedAt: timer.dueAt }, prefetched);
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
