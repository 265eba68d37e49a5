// Housekeeping: the chores the timer loop runs besides firing timers. Executions past the maximum age
// are ended, effects whose claim ran out (a dead node's) are carried out here, and old inbound
// receipts, alerts, channel records and ended executions are pruned, with what requests that raced an
// account's deletion left of it, each a bounded batch at a time. Any node may do each; the store's
// claims and version checks keep two nodes from doing the same work twice.
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
/** Every PruneKind goes once an hour, and more often while backlogged (any node may do it; deletes are idempotent). */
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
/**
 * Inbound receipts, alerts and channel records deleted per store call, of each kind: one short
 * transaction each. In one statement, 3 million expired receipts held SQLite's event loop for 4.4 s,
 * and on PostgreSQL ran past the statement timeout, failed, and so never went at all. A receipt is a
 * couple of microseconds: a batch holds the writer for a few milliseconds.
 */
export const HISTORY_PRUNE_BATCH = 2000;
/** Batches of each kind per timer round; a backlog beyond is carried on by the next rounds, as for executions. */
export const HISTORY_PRUNE_BATCHES_PER_ROUND = 25;
/**
 * Rows of deleted accounts (what requests that raced an account's deletion wrote: flows, revisions,
 * carrier settings, channel records) deleted per store call; ten calls a round at most.
 */
export const ORPHAN_PRUNE_BATCH = 500;
const ORPHAN_PRUNE_BATCHES_PER_ROUND = 10;

/** What pruneHistory prunes, each on its own: one failing (a timeout, a blip) holds up none of the others. */
export type PruneKind = 'receipts' | 'alerts' | 'channelRecords' | 'orphans' | 'executions';
const PRUNE_KINDS: readonly PruneKind[] = ['receipts', 'alerts', 'channelRecords', 'orphans', 'executions'];

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
  /** The kinds whose batches in the last round were all full: more may be due, and the next round goes on. */
  readonly #backlog = new Set<PruneKind>();
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

  /** Whether pruning is due (hourly, and every round while a kind is backlogged). */
  pruneDue(): boolean {
    return this.#backlog.size > 0 || intervalPassed(this.#options.now() - this.#lastPrune, PRUNE_EVERY_MS);
  }

  /**
   * Drops inbound receipts, alerts, channel records, the rows of deleted accounts and ended executions
   * past their retention (the timer loop calls this hourly); how many rows went. Each kind goes a
   * bounded batch at a time, yielding between batches, at most a round's worth per call; a kind with
   * more due is carried on by the next rounds (pruneDue), and a round that only carries backlogs on
   * leaves the rest to its hour. A kind that fails is logged (the observer's choreFailed, a warning) and
   * tried again at its next hour: it holds up none of the others.
   */
  async pruneHistory(): Promise<number> {
    const now = this.#options.now();
    const hourly = this.#backlog.size === 0 || intervalPassed(now - this.#lastPrune, PRUNE_EVERY_MS);
    if (hourly) this.#lastPrune = now;
    const kinds = PRUNE_KINDS.filter((kind) => hourly || this.#backlog.has(kind));
    let count = 0;
    for (const kind of kinds) {
      if (this.#ctx.stopped) break;
      count += await this.#prune(kind, now);
    }
    return count;
  }

  /** One kind's batches for this round; how many rows went. Failures are reported, not thrown. */
  async #prune(kind: PruneKind, now: number): Promise<number> {
    this.#backlog.delete(kind);
    if (kind === 'executions') {
      const retention = this.#options.executionRetentionMs ?? DEFAULT_EXECUTION_RETENTION_MS;
      if (retention <= 0) return 0;
      // The store never takes an active one: one past the retention (a longer maximum age) goes at the
      // first prune after it ends.
      const executions = { createdBefore: now - retention, limit: EXECUTION_PRUNE_BATCH };
      return this.#batches(kind, EXECUTION_PRUNE_BATCH, EXECUTION_PRUNE_BATCHES_PER_ROUND, () => this.#store.pruneHistory({ executions }));
    }
    if (kind === 'orphans') {
      return this.#batches(kind, ORPHAN_PRUNE_BATCH, ORPHAN_PRUNE_BATCHES_PER_ROUND, () => this.#store.pruneHistory({ orphans: true, limit: ORPHAN_PRUNE_BATCH }));
    }
    const cutoff =
      kind === 'receipts'
        ? now - RECEIPT_RETENTION_MS
        : kind === 'alerts'
          ? now - ALERT_RETENTION_MS
          : // Channels stamp their records on the wall clock, whatever clock the runtime runs on.
            Date.now() - CHANNEL_RECORD_RETENTION_MS;
    return this.#batches(kind, HISTORY_PRUNE_BATCH, HISTORY_PRUNE_BATCHES_PER_ROUND, () => this.#store.pruneHistory({ [kind]: cutoff, limit: HISTORY_PRUNE_BATCH }));
  }

  /**
   * Calls `prune` (one batch of at most `size` rows) until a batch is not full or `perRound` batches
   * went, yielding between them: requests and sprints waiting on this thread (or on SQLite's writer) go
   * in between. A round that ends on a full batch leaves the kind backlogged.
   */
  async #batches(kind: PruneKind, size: number, perRound: number, prune: () => Promise<number>): Promise<number> {
    let count = 0;
    try {
      for (let batch = 0; batch < perRound; batch++) {
        if (this.#ctx.stopped) return count;
        if (batch > 0) await new Promise((resolve) => setImmediate(resolve));
        const deleted = await prune();
        count += deleted;
        if (deleted < size) return count;
      }
      this.#backlog.add(kind);
    } catch (error) {
      this.#observer.choreFailed?.(`prune ${kind}`, error);
    }
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
