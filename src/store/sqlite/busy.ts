// Writes while another connection holds the SQLite file's write lock: a CLI command writing beside
// the server, the checkpointer's WAL restart, or a `sqlite3` shell (or a backup) holding BEGIN EXCLUSIVE
// for seconds. node:sqlite waits for the lock in SQLite's busy handler, on the calling thread: with
// a long busy_timeout every request behind a write (probes included) waited with it. So an attempt
// waits briefly there (BUSY_WAIT_MS: enough for a short write), and a write still refused then
// tries again asynchronously, the thread serving meanwhile, until BUSY_RETRY_MS after it began; then
// it fails with SQLITE_BUSY, which the API answers 503 and the runtime retries (sprints, effects).
// While the file is contended, attempts do not wait at all (busy_timeout 0), and writes queue in
// arrival order, as they committed before.

/** How long one attempt waits in SQLite's busy handler, blocking its thread. */
export const BUSY_WAIT_MS = 100;
/** How long a write keeps trying, from its call, before it fails with SQLITE_BUSY. */
export const BUSY_RETRY_MS = 1000;
/** The pauses between attempts while the file is contended. */
const BACKOFF_MS = [5, 10, 25, 50, 100];

/** SQLITE_BUSY (5), its extended codes included: another connection holds the lock. */
export function isSqliteBusy(error: unknown): boolean {
  const errcode = (error as { errcode?: unknown } | null)?.errcode;
  return typeof errcode === 'number' && (errcode & 0xff) === 5;
}

export class BusyRetry {
  /** Sets the connection's busy_timeout (ms). */
  readonly #setWait: (ms: number) => void;
  /** Whether the last attempt found the file locked (none has succeeded since). */
  #contended = false;
  /** Writes waiting for the file, and the last of them (the next one queues behind it). */
  #queued = 0;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(setWait: (ms: number) => void) {
    this.#setWait = setWait;
    setWait(BUSY_WAIT_MS);
  }

  /** Runs the write now (synchronously, as before) or, while the file is contended, in turn once it is free. */
  run<T>(write: () => T): Promise<T> {
    const startedAt = performance.now();
    if (this.#queued === 0) {
      try {
        return Promise.resolve(this.#attempt(write));
      } catch (error) {
        if (!isSqliteBusy(error)) return Promise.reject(error);
      }
    }
    this.#queued++;
    const run = this.#tail.then(() => this.#retry(write, startedAt));
    const done = () => void this.#queued--;
    this.#tail = run.then(done, done);
    return run;
  }

  async #retry<T>(write: () => T, startedAt: number): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return this.#attempt(write);
      } catch (error) {
        if (!isSqliteBusy(error) || performance.now() - startedAt >= BUSY_RETRY_MS) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]));
    }
  }

  #attempt<T>(write: () => T): T {
    try {
      const result = write();
      this.#contend(false);
      return result;
    } catch (error) {
      if (isSqliteBusy(error)) this.#contend(true);
      throw error;
    }
  }

  #contend(contended: boolean): void {
    if (contended === this.#contended) return;
    this.#contended = contended;
    this.#setWait(contended ? 0 : BUSY_WAIT_MS);
  }
}
