// Housekeeping: the chores the timer loop runs besides firing timers. Executions past the maximum age
// are ended, effects whose claim ran out (a dead node's) are carried out here, and old inbound
// receipts, alerts, channel records and ended executions are pruned. Any node may do each; the
// store's claims and version checks keep two nodes from doing the same work twice.
import type { RuntimeContext, RuntimeOptions } from './runtime-context.ts';
import type { EffectRunner } from './effect-runner.ts';
import type { Sprints } from './sprints.ts';
import type { RuntimeObserver } from './ports/observer.ts';
import type { ExecutionAge, Store } from './ports/store.ts';
import type { WorkLeases } from './leases.ts';
import { ALERT_RETENTION_MS, RECEIPT_RETENTION_MS } from './alerts.ts';
import { isConflict } from './conflicts.ts';
import { SchemaWatch } from './schema-watch.ts';

/** How often a node looks for effects whose claim expired (a dead node's). */
const ORPHAN_SWEEP_MS = 1000;
const ORPHAN_BATCH = 200;
const ORPHAN_BATCHES_PER_ROUND = 25;
/** Executions past the maximum age ended at a time (a rare event: one batch after another). */
const EXPIRY_BATCH = 128;
/**
 * A channel record (the carrier's send ledger) is kept while its execution is active (a send of it may
 * be re-dispatched and reconciled, a status report may still change it), then this long after its
 * last write: Twilio's delivery reports come within hours, the message's validity period at most.
 */
export const CHANNEL_RECORD_RETENTION_MS = 7 * 24 * 3600 * 1000;
/** Old inbound receipts and alerts go once an hour (any node may do it; deletes are idempotent). */
const PRUNE_EVERY_MS = 3600 * 1000;
/** Twilio keeps an execution and its steps 30 days after it starts (--execution-retention; 0 = forever). */
export const DEFAULT_EXECUTION_RETENTION_MS = 30 * 24 * 3600 * 1000;
/**
 * Ended executions deleted per store call: one short transaction each, so a backlog (an upgrade over
 * months of them) never holds the SQLite writer or a PostgreSQL transaction for long. Their steps are
 * what costs: measured on SQLite, 1,000 executions took 20–70 ms with 5 steps each but 270–500 ms with
 * 50, on the event loop with the inline writer; 100 keeps even long executions to tens of milliseconds.
 */
export const EXECUTION_PRUNE_BATCH = 100;
/**
 * Batches per timer round: the round waits for them, and its due timers with it. A backlog beyond
 * is carried on by the next rounds (pruneDue), a second or so apart, until it is gone.
 */
export const EXECUTION_PRUNE_BATCHES_PER_ROUND = 10;

export class Housekeeping {
  readonly #ctx: RuntimeContext;
  readonly #store: Store;
  readonly #options: RuntimeOptions;
  readonly #observer: RuntimeObserver;
  readonly #leases: WorkLeases;
  readonly #sprints: Pick<Sprints, 'deliver'>;
  readonly #effects: Pick<EffectRunner, 'dispatch' | 'backlogged'>;
  #lastSweep = Number.NEGATIVE_INFINITY;
  #lastPrune = Number.NEGATIVE_INFINITY;
  /** The last round's execution batches were all full: more may be due, and the next round goes on. */
  #executionBacklog = false;
  /**
   * After a sweep in which an execution failed to end for its age, none runs before this time: the
   * failed one stays the oldest, and the timer loop would otherwise run again at once, and again. It
   * waits a lease, as a timer whose sprint failed waits for its claim to run out.
   */
  #expiryRetryAt = Number.NEGATIVE_INFINITY;
  readonly #schema: SchemaWatch;

  constructor(ctx: RuntimeContext, sprints: Pick<Sprints, 'deliver'>, effects: Pick<EffectRunner, 'dispatch' | 'backlogged'>) {
    this.#ctx = ctx;
    this.#store = ctx.store;
    this.#options = ctx.options;
    this.#observer = ctx.observer;
    this.#leases = ctx.leases;
    this.#sprints = sprints;
    this.#effects = effects;
    this.#schema = new SchemaWatch(ctx.store);
  }

  /**
   * Whether a newer Switchboard has migrated the store past this build: then this node takes on no
   * background work (timers, orphaned effects, expiry, pruning), whose rows it may misread.
   */
  superseded(): Promise<boolean> {
    return this.#schema.superseded();
  }

  /** No expiry sweep runs before this time (see #expiryRetryAt). */
  get expiryRetryAt(): number {
    return this.#expiryRetryAt;
  }

  /** Whether the orphan sweep is due (once a second). */
  sweepDue(): boolean {
    return intervalPassed(this.#options.now() - this.#lastSweep, ORPHAN_SWEEP_MS);
  }

  /** The next timer round sweeps for orphaned effects (a node released its claims). */
  sweepSoon(): void {
    this.#lastSweep = Number.NEGATIVE_INFINITY;
  }

  /** Whether pruning is due (hourly, and every round while ended executions are backlogged). */
  pruneDue(): boolean {
    return this.#executionBacklog || intervalPassed(this.#options.now() - this.#lastPrune, PRUNE_EVERY_MS);
  }

  /**
   * Drops inbound receipts, alerts, channel records and ended executions past their retention (the
   * timer loop calls this hourly); how many rows went. A round that only carries on through a backlog
   * of executions leaves the rest to its hour.
   */
  async pruneHistory(): Promise<number> {
    const now = this.#options.now();
    let count = 0;
    if (!this.#executionBacklog || intervalPassed(now - this.#lastPrune, PRUNE_EVERY_MS)) {
      this.#lastPrune = now;
      count += await this.#store.pruneHistory({
        receipts: now - RECEIPT_RETENTION_MS,
        alerts: now - ALERT_RETENTION_MS,
        // Channels stamp their records on the wall clock, whatever clock the runtime runs on.
        channelRecords: Date.now() - CHANNEL_RECORD_RETENTION_MS,
      });
    }
    return count + (await this.#pruneExecutions(now));
  }

  /**
   * Deletes ended executions (with their steps) that started more than the retention ago, oldest
   * first, a batch at a time, yielding between batches; at most a round's worth (see
   * EXECUTION_PRUNE_BATCHES_PER_ROUND). The store never takes an active one: one past the retention
   * (a longer maximum age) goes at the first prune after it ends.
   */
  async #pruneExecutions(now: number): Promise<number> {
    this.#executionBacklog = false;
    const retention = this.#options.executionRetentionMs ?? DEFAULT_EXECUTION_RETENTION_MS;
    if (retention <= 0) return 0;
    const executions = { createdBefore: now - retention, limit: EXECUTION_PRUNE_BATCH };
    let count = 0;
    for (let batch = 0; batch < EXECUTION_PRUNE_BATCHES_PER_ROUND; batch++) {
      if (this.#ctx.stopped) return count;
      // Requests and sprints waiting on this thread (or on SQLite's writer) go between batches.
      if (batch > 0) await new Promise((resolve) => setImmediate(resolve));
      const deleted = await this.#store.pruneHistory({ executions });
      count += deleted;
      if (deleted < EXECUTION_PRUNE_BATCH) return count;
    }
    this.#executionBacklog = true;
    return count;
  }

  /**
   * Ends the executions past the maximum age (Studio's 30 days by default), oldest first; returns how
   * many it tried. They are found by their creation time, not by a timer row each. Nodes sharing a
   * store may pick the same one: the version check lets one end it, and the other finds it ended.
   * One that fails to end does not hold up those behind it: the sweep pages past it, and the next sweep,
   * a lease later (#expiryRetryAt), tries it again.
   */
  async expireOld(): Promise<number> {
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
            await this.#sprints.deliver(sid, { type: 'end', reason: 'expired' }, { requireActive: true });
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

  /** Claims effects nobody holds (a dead node's, once its lease expired) and carries them out. */
  async sweepOrphanedEffects(): Promise<void> {
    this.#lastSweep = this.#options.now();
    if (this.#effects.backlogged() || (await this.superseded())) return;
    // A full batch means more are waiting (a restart after a crash under load): keep claiming, as the
    // timer loop drains due timers, instead of 200 a second. Bounded per round, yielding between batches.
    for (let batch = 0; batch < ORPHAN_BATCHES_PER_ROUND; batch++) {
      if (batch > 0) await new Promise((resolve) => setImmediate(resolve));
      if (this.#ctx.stopped || this.#effects.backlogged()) return;
      const orphans = await this.#store.claimEffects(this.#options.now(), this.#leases.lease(), ORPHAN_BATCH);
      for (const effect of orphans) if (!this.#leases.holds('effect', effect.id)) this.#effects.dispatch(effect);
      if (orphans.length < ORPHAN_BATCH) return;
    }
    this.sweepSoon();
  }
}

/**
 * Whether `elapsed` (wall-clock ms since the chore last ran) makes it due. A negative one means the
 * clock was stepped back: due now, not once the clock has caught up again (which could be hours).
 */
function intervalPassed(elapsed: number, interval: number): boolean {
  return elapsed >= interval || elapsed < 0;
}
