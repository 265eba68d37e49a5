// The background checkpointer of a file-backed SQLite store (the thread is checkpointer-worker.ts).
// Whoever writes (this thread, or the writer thread) turns SQLite's autocheckpoint off: a commit
// then never pays for copying the WAL back into the database file.
import { Worker } from 'node:worker_threads';
import { siblingModule } from '../../lib/sibling-module.ts';

/** How often the WAL is copied back (busy, and at most when idle), and the WAL length (pages) brought back to its start. */
const CHECKPOINT_EVERY_MS = 50;
const CHECKPOINT_IDLE_EVERY_MS = 1000;
const CHECKPOINT_RESTART_PAGES = 16_384;
/** How long the checkpointer holds its checkpoints for a restart it handed to the writer. */
export const RESTART_HANDOFF_MS = 1000;

export interface CheckpointerOptions {
  everyMs?: number;
  restartAtPages?: number;
  /**
   * Given, the WAL's restart is handed to the writing connection: when the WAL is long and fully copied
   * back, this is called and the checkpointer waits (RESTART_HANDOFF_MS at most) for restarted(). Without it the
   * checkpointer restarts the WAL itself, which holds the writer's lock meanwhile: a writer that meets
   * it waits in SQLite's busy handler, which sleeps 1, 2, 5, then 10 ms before looking again, so a
   * 3-6 ms restart stalled commits (and an event loop committing inline) for 20-35 ms, more than once
   * a second under sustained writes. `at` is when the checkpointer asked (ms since the epoch).
   */
  onRestartWanted?: (at: number) => void;
}

export class Checkpointer {
  readonly #worker: Worker;
  readonly #exited: Promise<void>;

  constructor(path: string, options: CheckpointerOptions = {}) {
    const everyMs = options.everyMs ?? CHECKPOINT_EVERY_MS;
    this.#worker = new Worker(siblingModule(import.meta.url, 'checkpointer-worker'), {
      workerData: {
        path,
        minEveryMs: everyMs,
        maxEveryMs: Math.max(everyMs, CHECKPOINT_IDLE_EVERY_MS),
        restartAtPages: options.restartAtPages ?? CHECKPOINT_RESTART_PAGES,
        restartBy: options.onRestartWanted ? 'writer' : 'self',
        handoffMs: RESTART_HANDOFF_MS,
      },
      resourceLimits: { maxYoungGenerationSizeMb: 2 },
    });
    // Never keeps a process alive; if it fails the store still works (SQLite checkpoints on close).
    this.#worker.unref();
    this.#worker.on('error', () => undefined);
    const onRestartWanted = options.onRestartWanted;
    if (onRestartWanted) this.#worker.on('message', (message: { op?: string; at?: number }) => message.op === 'restart-wanted' && onRestartWanted(message.at!));
    this.#exited = new Promise((resolve) => this.#worker.once('exit', () => resolve()));
  }

  /** The writer restarted the WAL (or tried): checkpoints resume. */
  restarted(): void {
    this.#worker.postMessage({ op: 'restarted' });
  }

  async close(): Promise<void> {
    this.#worker.ref();
    this.#worker.postMessage({ op: 'close' });
    await this.#exited;
  }
}
