// Group commit, shared by both stores: sprints written while the event loop is busy are queued
// and handed to the backend together at the next check phase (one transaction, one fsync). Each
// caller resolves only after the COMMIT that holds its write, or rejects with its own sprint's
// error; a batch that fails as a whole rejects every caller in it.
import type { SprintWrite } from '../runtime/ports/store.ts';

/** One sprint's outcome within a committed batch (E: the error as it travels, e.g. serialised across a thread). */
export type SprintResult<E = unknown> = { ok: true } | { ok: false; error: E };

/** Sprints in one batch at most before it is sent without waiting for the check phase. */
const MAX_BATCH = 256;
/**
 * Sprints in one transaction at most: a backlog (what queued while a batch was in flight) goes in
 * transactions of this size, so that the SQLite store's synchronous SQL never holds the event loop for
 * long (~10 ms here; 2,000 sprints at once held it 50 ms and more).
 */
const MAX_TRANSACTION = 512;

interface Queued {
  write: SprintWrite;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface GroupCommitOptions {
  /**
   * Batches being committed at once, at most; what is queued meanwhile goes as the next batch the moment
   * one is done (default: no limit). The fewer in flight, the bigger each batch: the SQLite store commits
   * one at a time (its callers wait for an fsync anyway, and one transaction writes each page to the WAL
   * once instead of once per small batch); PostgreSQL a few, so that PostgreSQL and this node work at
   * the same time while the transactions stay few (with two nodes on one database, unbounded batches
   * shrank and multiplied until two nodes made fewer creates than one).
   */
  maxInFlight?: number;
}

export class GroupCommit {
  #queued: Queued[] = [];
  readonly #commit: (writes: SprintWrite[]) => Promise<SprintResult[]> | SprintResult[];
  readonly #maxInFlight: number;
  /** The batches being committed. */
  readonly #running = new Set<Promise<void>>();

  /** `commit` writes a batch and answers each sprint's outcome, in order. */
  constructor(commit: (writes: SprintWrite[]) => Promise<SprintResult[]> | SprintResult[], options: GroupCommitOptions = {}) {
    this.#commit = commit;
    this.#maxInFlight = options.maxInFlight ?? Number.POSITIVE_INFINITY;
  }

  write(write: SprintWrite): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queued.push({ write, resolve, reject });
      if (this.#running.size >= this.#maxInFlight) return; // goes when a running batch is done
      if (this.#queued.length === 1) setImmediate(() => void this.#start());
      // The check phase can be held off for long (a worker's replies are handled back to back, up
      // to a thousand at a time, before the loop moves on): a full batch goes without waiting for it.
      else if (this.#queued.length >= MAX_BATCH) queueMicrotask(() => void this.#start());
    });
  }

  /** Commits what is queued now, after the batches being committed (also called on close). */
  async flush(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running);
    await this.#start();
  }

  #start(): Promise<void> {
    if (this.#queued.length === 0 || this.#running.size >= this.#maxInFlight) return Promise.resolve();
    const batch = this.#queued.length <= MAX_TRANSACTION ? this.#queued : this.#queued.slice(0, MAX_TRANSACTION);
    this.#queued = batch === this.#queued ? [] : this.#queued.slice(MAX_TRANSACTION);
    const run: Promise<void> = this.#commitBatch(batch).finally(() => {
      this.#running.delete(run);
      if (this.#queued.length > 0) void this.#start();
    });
    this.#running.add(run);
    return run;
  }

  async #commitBatch(batch: Queued[]): Promise<void> {
    let outcomes: SprintResult[];
    try {
      outcomes = await this.#commit(batch.map((queued) => queued.write));
    } catch (error) {
      for (const queued of batch) queued.reject(error);
      return;
    }
    batch.forEach((queued, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) queued.resolve();
      else queued.reject(outcome ? outcome.error : new Error('the store answered fewer outcomes than sprints'));
    });
  }
}
