// Whether a newer Switchboard has migrated the store past this build since the node started (a
// rolling upgrade). Rows may then mean something this code does not know (migration 8 moved the send
// ledger to another table), so the node takes on no more background work: /readyz already sends
// traffic elsewhere. One small query at most every few seconds; said once, as an error.
import type { Store } from './ports/store.ts';

export const SCHEMA_CHECK_MS = 5000;

export interface SchemaWatchOptions {
  /** How often the schema is read at most (ms). */
  everyMs?: number;
  /** A monotonic clock (ms): never the runtime's clock, which tests may hold still. */
  clock?: () => number;
  log?: (message: string) => void;
}

export class SchemaWatch {
  readonly #store: Pick<Store, 'schemaStatus'>;
  readonly #everyMs: number;
  readonly #clock: () => number;
  readonly #log: (message: string) => void;
  #checkedAt = Number.NEGATIVE_INFINITY;
  /** Once seen, for good: a schema is never migrated back. */
  #superseded = false;

  constructor(store: Pick<Store, 'schemaStatus'>, options: SchemaWatchOptions = {}) {
    this.#store = store;
    this.#everyMs = options.everyMs ?? SCHEMA_CHECK_MS;
    this.#clock = options.clock ?? (() => performance.now());
    this.#log = options.log ?? ((message) => console.error(`switchboard: error: ${message}`));
  }

  /** Whether the store's schema is newer than this build (read again once `everyMs` has passed). */
  async superseded(): Promise<boolean> {
    if (this.#superseded || !this.#store.schemaStatus) return this.#superseded;
    const now = this.#clock();
    if (now - this.#checkedAt < this.#everyMs) return false;
    this.#checkedAt = now;
    let status: { applied: number; expected: number };
    try {
      status = await this.#store.schemaStatus();
    } catch {
      return false; // a store that does not answer is the claims' and /readyz's to report
    }
    if (status.applied <= status.expected) return false;
    this.#superseded = true;
    this.#log(
      `the store's schema is at version ${status.applied}, newer than this build's (${status.expected}): a newer Switchboard migrated it. ` +
        'This node no longer fires timers or takes on orphaned effects and /readyz answers 503; replace it with the newer version',
    );
    return true;
  }
}
