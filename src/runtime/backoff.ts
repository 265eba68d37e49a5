// Pauses between tries of store work that failed (the database is down or timing out): 100 ms,
// doubling, capped at 2 s, with jitter so nodes coming back from one outage do not retry in step.
// The cap bounds how long work waits after the store is back; each waiting try costs one promise
// and one timer.

export const RETRY_BASE_MS = 100;
export const RETRY_MAX_MS = 2000;

export function retryDelay(attempt: number): number {
  const delay = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.min(attempt - 1, 16));
  return delay * (0.75 + Math.random() / 4);
}

export class Backoff {
  readonly #sleeping = new Set<() => void>();

  /** Resolves after the attempt's delay, or at once when wakeAll() is called meanwhile. */
  pause(attempt: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#sleeping.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, retryDelay(attempt));
      this.#sleeping.add(wake);
    });
  }

  /** Ends every pause now (shutdown: the waiting work decides at once whether to go on). */
  wakeAll(): void {
    for (const wake of [...this.#sleeping]) wake();
  }
}
