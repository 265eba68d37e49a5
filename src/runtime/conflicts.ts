// Retrying a unit of work that lost a race in the store (StoreConflictError). The engine is pure,
// so a sprint that lost can simply be run again from a fresh read; a short random pause keeps
// two nodes from colliding in lockstep.
import { StoreConflictError, type ConflictReason } from './ports/store.ts';

export const MAX_CONFLICT_RETRIES = 50;

export function isConflict(error: unknown, ...reasons: ConflictReason[]): error is StoreConflictError {
  return error instanceof StoreConflictError && (reasons.length === 0 || reasons.includes(error.reason));
}

/**
 * Conflicts a retryOnConflict already gave up on. An outer retry (inbound routing around a sprint's
 * delivery) lets them through: retrying each of the inner loop's attempts again would multiply them.
 */
const exhausted = new WeakSet<StoreConflictError>();

export async function retryOnConflict<T>(reasons: ConflictReason[], fn: () => Promise<T>, attempts = MAX_CONFLICT_RETRIES): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!isConflict(error, ...reasons) || exhausted.has(error)) throw error;
      if (attempt >= attempts) {
        exhausted.add(error);
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 * attempt)));
    }
  }
}
