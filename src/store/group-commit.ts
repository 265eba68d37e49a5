// Group commit, shared by both stores: sprints written while the event loop is busy are queued
// and handed to the backend together at the next check phase (one transaction, one fsync). Each
// caller resolves only after the COMMIT that holds its write, or rejects with its own sprint's
// error; a batch that fails as a whole rejects every caller in it.
import type { SprintWrite } from '../runtime/ports/store.ts';

/** One sprint's outcome within a committed batch (E: the error as it travels, e.g. serialised across a thread). */
export type SprintResult<E = unknown> = { ok: true } | { ok: false; error: E };

/** Sprints in one batch at most before it is sent without waiting for the check phase. */
const MAX_BATCH = 256;

interface Queued {
  write: SprintWrite;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface GroupCommitOptions {
  /**
   * One batch at a time: what is queued while a batch is being committed goes as the next batch
   * the moment it is done. For a backend whose commit ends with an fsync off the event loop: its
   * callers wait for that fsync anyway, so sprints queued meanwhile lose nothing by waiting for it
   * too, and going as one transaction they write each page to the WAL once instead of once per
   * small batch (committed as they came, batches shrank to one or two sprints: ten times the WAL).
   */
  oneAtATime?: boolean;
}

export class GroupCommit {
  #queued: Queued[] = [];
  readonly #commit: (writes: SprintWrite[]) => Promise<SprintResult[]> | SprintResult[];
  readonly #oneAtATime: boolean;
  /** The batch being committed (one-at-a-time mode only). */
  #running: Promise<void> | null = null;

  /** `commit` writes a batch and answers each sprint's outcome, in order. */
  constructor(commit: (writes: SprintWrite[]) => Promise<SprintResult[]> | SprintResult[], options: GroupCommitOptions = {}) {
    this.#commit = commit;
    this.#oneAtATime = options.oneAtATime ?? false;
  }

  get pending(): number {
    return this.#queued.length;
  }

  write(write: SprintWrite): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queued.push({ write, resolve, reject });
      if (this.#running) return; // goes as the next batch when the running one is done
      if (this.#queued.length === 1) setImmediate(() => void this.#start());
      // The check phase can be held off for long (a worker's replies are handled back to back, up
      // to a thousand at a time, before the loop moves on): a full batch goes without waiting for it.
      else if (this.#queued.length >= MAX_BATCH) queueMicrotask(() => void this.#start());
    });
  }

  /** Commits what is queued now, after the batch being committed (also called on close). */
  async flush(): Promise<void> {
    while (this.#running) await this.#running;
    await this.#start();
  }

  #start(): Promise<void> {
    if (this.#running) return this.#running;
    const batch = this.#queued;
    if (batch.length === 0) return Promise.resolve();
    this.#queued = [];
    const run = this.#commitBatch(batch);
    if (!this.#oneAtATime) return run;
    this.#running = run.finally(() => {
      this.#running = null;
      if (this.#queued.length > 0) void this.#start();
    });
    return this.#running;
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
