// Writes that fail because of the disk, not the request: the disk or its quota is full, the file turned
// read-only, or an I/O error. Every write fails alike until that is fixed, so the API answers 503 for
// them (src/api/wire/error-mapping.ts) and /readyz reports the store not ready (SqliteStore.ping).

/** SQLite's primary result codes (the low byte of an extended code, e.g. SQLITE_IOERR_WRITE = 778). */
const DISK_CODES: Record<number, string> = { 8: 'SQLITE_READONLY', 10: 'SQLITE_IOERR', 13: 'SQLITE_FULL' };

/** The SQLite code name when error is a node:sqlite error of that kind (also one rebuilt from the writer thread). */
export function sqliteDiskErrorCode(error: unknown): string | null {
  const errcode = (error as { errcode?: unknown } | null)?.errcode;
  if (typeof errcode !== 'number') return null;
  return DISK_CODES[errcode & 0xff] ?? null;
}

/** How long a disk failure keeps /readyz at 503 when no commit succeeds after it (nor another fails). */
export const DISK_FAILURE_HOLD_MS = 30_000;

/** The last disk failure of a write, until a commit succeeds. */
export class DiskHealth {
  #failure: { message: string; at: number } | null = null;

  /** Notes how a write ended: a disk failure is remembered, a success forgets it. */
  note(error: unknown): void {
    const code = error === undefined ? null : sqliteDiskErrorCode(error);
    if (error === undefined) this.#failure = null;
    else if (code) this.#failure = { message: `${(error as Error).message} (${code})`, at: performance.now() };
  }

  /** Why writes are failing, if one failed on the disk recently and none succeeded since. */
  get failure(): string | null {
    if (!this.#failure) return null;
    if (performance.now() - this.#failure.at >= DISK_FAILURE_HOLD_MS) return null;
    return this.#failure.message;
  }
}
