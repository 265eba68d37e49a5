// The background checkpointer of a file-backed SQLite store (the thread is checkpointer-worker.ts).
// Whoever writes (this thread, or the writer thread) turns SQLite's autocheckpoint off: a commit
// then never pays for copying the WAL back into the database file.
import { Worker } from 'node:worker_threads';

/** How often the WAL is copied back (busy, and at most when idle), and the WAL length (pages) brought back to its start. */
const CHECKPOINT_EVERY_MS = 50;
const CHECKPOINT_IDLE_EVERY_MS = 1000;
const CHECKPOINT_RESTART_PAGES = 16_384;

export class Checkpointer {
  readonly #worker: Worker;
  readonly #exited: Promise<void>;

  constructor(path: string, everyMs = CHECKPOINT_EVERY_MS) {
    this.#worker = new Worker(new URL('./checkpointer-worker.ts', import.meta.url), {
      workerData: { path, minEveryMs: everyMs, maxEveryMs: Math.max(everyMs, CHECKPOINT_IDLE_EVERY_MS), restartAtPages: CHECKPOINT_RESTART_PAGES },
      resourceLimits: { maxYoungGenerationSizeMb: 2 },
    });
    // Never keeps a process alive; if it fails the store still works (SQLite checkpoints on close).
    this.#worker.unref();
    this.#worker.on('error', () => undefined);
    this.#exited = new Promise((resolve) => this.#worker.once('exit', () => resolve()));
  }

  async close(): Promise<void> {
    this.#worker.ref();
    this.#worker.postMessage({ op: 'close' });
    await this.#exited;
  }
}
