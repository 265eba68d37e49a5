// Housekeeping: the chores the timer loop runs besides firing timers. Executions past the maximum age
// are ended, effects whose claim ran out (a dead node's) are carried out here, and old inbound
// receipts, alerts and channel records are pruned. Any node may do each; the store's claims and version checks keep
// two nodes from doing the same work twice.
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
    return this.#options.now() - this.#lastSweep >= ORPHAN_SWEEP_MS;
  }

  /** The next timer round sweeps for orphaned effects (a node released its claims). */
  sweepSoon(): void {
    this.#lastSweep = Number.NEGATIVE_INFINITY;
  }

  /** Whether pruning is due (hourly). */
  pruneDue(): boolean {
    return this.#options.now() - this.#lastPrune >= PRUNE_EVERY_MS;
  }

  /** Drops inbound receipts, alerts and channel records past their retention (the timer loop calls this hourly). */
  async pruneHistory(): Promise<number> {
    const now = this.#options.now();
    this.#lastPrune = now;
    return this.#store.pruneHistory({
      receipts: now - RECEIPT_RETENTION_MS,
      alerts: now - ALERT_RETENTION_MS,
      // Channels stamp their records on the wall clock, whatever clock the runtime runs on.
      channelRecords: Date.now() - CHANNEL_RECORD_RETENTION_MS,
    });
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
    const orphans = await this.#store.claimEffects(this.#options.now(), this.#leases.lease(), 200);
    for (const effect of orphans) if (!this.#leases.holds('effect', effect.id)) this.#effects.dispatch(effect);
  }
}
