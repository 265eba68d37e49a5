// How a channel (or the runtime itself) tells a store failure from an effect's outcome. A store
// read or write that fails while an effect is carried out is not what the effect did: a send whose
// ledger read timed out never left, and must not be recorded as a failed message (30008). Two
// cases, by whether the outside world was touched yet:
//   - StoreUnavailableError: nothing went out; the runtime tries the effect again later, with the
//     effect still claimed by this node.
//   - UnsavedOutcomeError: the effect happened and its outcome is known, but the store write that
//     records it (the at-most-once ledger) failed: the runtime records the outcome and retries the
//     write (`save`, idempotent) until it lands.
import { StoreConflictError } from './store.ts';

export class StoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`store unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'StoreUnavailableError';
  }
}

export class UnsavedOutcomeError<T = unknown> extends Error {
  /** What the effect did: the caller's answer, as if the write had worked. */
  readonly result: T;
  /** Writes the outcome again; safe to call any number of times. */
  readonly save: () => Promise<void>;
  constructor(result: T, save: () => Promise<void>, cause: unknown) {
    super(`outcome known but not saved: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'UnsavedOutcomeError';
    this.result = result;
    this.save = save;
  }
}

/**
 * For `.catch` on a store call made before an effect goes out: any failure becomes a
 * StoreUnavailableError (a conflict, or one already classified, passes through as it is).
 */
export function storeUnavailable(error: unknown): never {
  if (error instanceof StoreUnavailableError || error instanceof StoreConflictError) throw error;
  throw new StoreUnavailableError(error);
}

/**
 * Runs the store write that records `result` after the effect went out; if it fails, throws an
 * UnsavedOutcomeError carrying the result and the write to retry. Resolves to `result`.
 */
export async function recordOutcome<T>(result: T, save: () => Promise<void>): Promise<T> {
  try {
    await save();
  } catch (error) {
    throw new UnsavedOutcomeError(result, save, error);
  }
  return result;
}
