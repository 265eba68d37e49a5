// Failures of the database file or its disk, not of the request: the disk or its quota is full, the file
// turned read-only, an I/O error, or the file is damaged (a corrupt page, or not a database at all). The
// API answers 503 for them (src/api/wire/error-mapping.ts) and /readyz reports the store not ready
// (SqliteStore.ping): a full or failing disk until a write succeeds again (or for DISK_FAILURE_HOLD_MS);
// a damaged file for good, since nothing this process does repairs it (the operator restores a backup).

/** SQLite's primary result codes (the low byte of an extended code, e.g. SQLITE_IOERR_WRITE = 778). */
const DISK_CODES: Record<number, string> = { 8: 'SQLITE_READONLY', 10: 'SQLITE_IOERR', 13: 'SQLITE_FULL' };

/**
 * A damaged file: SQLITE_CORRUPT ("database disk image is malformed"; its extended codes CORRUPT_VTAB 267,
 * CORRUPT_SEQUENCE 523, CORRUPT_INDEX 779) and SQLITE_NOTADB ("file is not a database").
 */
const DAMAGE_CODES: Record<number, string> = { 11: 'SQLITE_CORRUPT', 26: 'SQLITE_NOTADB' };

function errcodeOf(error: unknown): number | null {
  const errcode = (error as { errcode?: unknown } | null)?.errcode;
  return typeof errcode === 'number' ? errcode & 0xff : null;
}

/**
 * The SQLite code name when error is a node:sqlite error of the disk or the file (also one rebuilt from the
 * writer thread): every write fails alike until an operator acts.
 */
export function sqliteDiskErrorCode(error: unknown): string | null {
  const code = errcodeOf(error);
  return code === null ? null : (DISK_CODES[code] ?? DAMAGE_CODES[code] ?? null);
}

/** The SQLite code name when error says the database file is damaged (SQLITE_CORRUPT, SQLITE_NOTADB). */
export function sqliteDamageCode(error: unknown): string | null {
  const code = errcodeOf(error);
  return code === null ? null : (DAMAGE_CODES[code] ?? null);
}

/** What to do about a damaged file: said in /readyz and in the one error line serve logs. */
export const DAMAGE_ADVICE = "stop the server and restore the data directory's switchboard.db from a backup (made with 'switchboard backup'); restarting does not repair it";

/** How long a disk failure keeps /readyz at 503 when no commit succeeds after it (nor another fails). */
export const DISK_FAILURE_HOLD_MS = 30_000;

type DamageListener = (reason: string) => void;
const damageListeners = new Set<DamageListener>();

/**
 * Calls listener once for each store connection (reader, writer thread) that finds its file damaged, with
 * why (`database disk image is malformed (SQLITE_CORRUPT)`). serve logs the first as one error line.
 * Returns a function that removes the listener.
 */
export function onDatabaseDamaged(listener: DamageListener): () => void {
  damageListeners.add(listener);
  return () => damageListeners.delete(listener);
}

/** The last disk failure of a write, until a commit succeeds; a damaged file, for good. */
export class DiskHealth {
  #failure: { message: string; at: number } | null = null;
  #damage: string | null = null;

  /** Notes how a write ended: a disk failure is remembered, a success forgets it (not a damaged file). */
  note(error: unknown): void {
    if (error === undefined) this.#failure = null;
    else this.noteFailure(error);
  }

  /** Notes a failed read or write: one of the disk or the file is remembered; a success is never noted here. */
  noteFailure(error: unknown): void {
    const damage = sqliteDamageCode(error);
    if (damage) {
      if (this.#damage !== null) return;
      this.#damage = `${(error as Error).message} (${damage})`;
      for (const listener of damageListeners) {
        try {
          listener(this.#damage);
        } catch {
          // A listener's failure is not the store's.
        }
      }
      return;
    }
    const code = sqliteDiskErrorCode(error);
    if (code) this.#failure = { message: `${(error as Error).message} (${code})`, at: performance.now() };
  }

  /**
   * Why the store cannot serve: the file is damaged, or writes are failing on the disk (one failed recently
   * and none succeeded since).
   */
  get failure(): string | null {
    if (this.#damage) return `the database file is damaged: ${this.#damage}; ${DAMAGE_ADVICE}`;
    if (!this.#failure) return null;
    if (performance.now() - this.#failure.at >= DISK_FAILURE_HOLD_MS) return null;
    return `writes are failing: ${this.#failure.message}`;
  }

  /**
   * A statement whose reads and writes note their failures here (a damaged page is usually met by a read).
   * The statement itself is returned, its run/get/all wrapped.
   */
  watch<S extends { run: (...args: never[]) => unknown; get: (...args: never[]) => unknown; all: (...args: never[]) => unknown }>(statement: S): S {
    for (const name of ['run', 'get', 'all'] as const) {
      const method = statement[name] as (...args: unknown[]) => unknown;
      const health = this;
      (statement as Record<string, unknown>)[name] = function noted(this: unknown, ...args: unknown[]): unknown {
        try {
          return method.apply(statement, args);
        } catch (error) {
          health.noteFailure(error);
          throw error;
        }
      };
    }
    return statement;
  }
}
