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

/** Socket errors on the way to the database (the PostgreSQL store's pool reports them as they are). */
const CONNECTION_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENOTFOUND', 'EAI_AGAIN']);

/** pg and pg-pool raise these without a code: their messages are all there is to go by. */
const PG_CLIENT_MESSAGES: [RegExp, string][] = [
  [/^timeout exceeded when trying to connect$/, 'no database connection became free in time'],
  [/^Connection terminated due to connection timeout$/, 'connecting to the database timed out'],
  [/^Connection terminated( unexpectedly)?$/, 'the database connection was lost'],
  [/^Client has encountered a connection error and is not queryable$/, 'the database connection was lost'],
  [/^Query read timeout$/, 'the database did not answer in time'],
  [/^Cannot use a pool after calling end on the pool$/, 'the node is shutting down'],
];

/**
 * Why the PostgreSQL database cannot serve this request now, if that is the failure: the connection
 * (socket errors, SQLSTATE class 08), the server going down or starting (57P01-57P03), the statement
 * timeout (57014), its resources (class 53: too many connections, disk full, out of memory), a
 * read-only server (25006, e.g. a standby after a failover), pg-pool's connect timeout, or the store
 * having failed to open (DatabaseStartupError). The error itself only: pg throws socket errors as
 * they are, while fetch wraps an upstream's in a cause, which is no database matter.
 *
 * Also what an operator's work on the database does to a running node: a server in recovery or mid
 * promotion, or a database closed to connections (ALTER DATABASE … ALLOW_CONNECTIONS false) (55000; the
 * store issues nothing else that raises it, such as currval), the database dropped
 * or not yet recreated during a restore (3D000, 57P04), the node's password rotated before its config
 * (28000, 28P01). Every request fails alike until that is fixed, and then succeeds without a restart: an
 * outage (503, effects tried again later), not a fault of the request (500) or of the effect (given up
 * and, its outcome unrecorded, run a second time).
 */
export function databaseUnavailableReason(error: unknown): string | null {
  if (!(error instanceof Error)) return null;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (CONNECTION_ERRNOS.has(code)) return `cannot connect to the database: ${code}`;
    if (/^[0-9A-Z]{5}$/.test(code)) {
      if (code.startsWith('08')) return 'the database connection failed';
      if (code === '57014') return 'a statement ran past the statement timeout';
      if (code === '57P01' || code === '57P02' || code === '57P03') return 'the database server is shutting down or starting';
      if (code === '53300') return 'the database has too many connections';
      if (code === '53100') return 'the database disk is full';
      if (code.startsWith('53')) return 'the database is out of resources';
      if (code === '25006') return 'the database is read-only';
      if (code === '55000') return 'the database is not ready for this (in recovery, being promoted, or not accepting connections)';
      if (code === '3D000' || code === '57P04') return 'the database does not exist (dropped or being restored)';
      if (code === '28000' || code === '28P01') return "the database refused this node's credentials";
      if (code === '57P05') return 'the database connection was lost';
    }
  }
  if (error.name === 'DatabaseStartupError') return 'the database cannot be used';
  for (const [pattern, reason] of PG_CLIENT_MESSAGES) if (pattern.test(error.message)) return reason;
  return null;
}

/**
 * Whether a PostgreSQL error says Switchboard's tables are not in the database: dropped and recreated
 * empty (a restore not yet run), or its schema dropped, under a running node. A table (42P01
 * undefined_table), the schema itself (3F000), or one of the store's own functions (42883 naming a
 * switchboard_ function; another function's is a bug). No outage, on purpose: waiting does not bring the
 * tables back (restoring them, or restarting the node so that it creates them, does), so retry loops do
 * not take it for one (isTransientStoreError stays false); the API answers 503 saying so, not 500.
 */
export function databaseSchemaMissing(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (code === '42P01' || code === '3F000') return true;
  return code === '42883' && /\bswitchboard_\w*\(/.test(error.message);
}

/** SQLite's busy, locked, I/O, full and read-only result codes: the file or the disk, not the write. */
const SQLITE_TRANSIENT = new Set([5, 6, 8, 10, 13]);

/**
 * Whether a failed store write may land if tried again: the store is unreachable, busy or out of room,
 * not refusing this write for what it holds (a NUL PostgreSQL rejects, a missing revision, a bug), which
 * would fail however often it is retried.
 */
export function isTransientStoreError(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  if (databaseUnavailableReason(error) !== null) return true;
  const errcode = (error as { errcode?: unknown } | null)?.errcode;
  return typeof errcode === 'number' && SQLITE_TRANSIENT.has(errcode & 0xff);
}
