// One server per SQLite data directory. Two servers on one file would each take the other's claims
// for abandoned (another host's, in another container on a shared volume) and carry out the same
// effects twice, and an old build would go on writing a file a new one had migrated. So `serve` takes
// this lock before it opens the store, and a second `serve` on the directory is refused.
//
// The lock is SQLite's own: a connection to a small file of its own in the data directory, in
// exclusive locking mode, keeps the file's write lock (an fcntl lock) from its first write on. That
// works between processes on one filesystem, containers sharing a volume included (pids and host
// names differ there, so a pid file could not tell), and the OS drops it when the process ends,
// however it ends (SIGKILL, a crash). The database itself stays unlocked: the CLI commands that write
// it beside a running server (accounts, keys, carrier, simulate) keep working.
import { DatabaseSync } from 'node:sqlite';
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { makePrivateDatabaseFile, makePrivateDir, OWNER_ONLY_FILE } from './private-files.ts';

/** The locked file, and who holds it (written by the holder, read by whoever is refused). */
export const LOCK_FILE = 'switchboard.lock';
export const HOLDER_FILE = 'switchboard.lock.json';

export interface LockHolder {
  host: string;
  pid: number;
  /** The holder's runtime in lease_owner columns, once it is known. */
  nodeId?: string;
  since: string;
  /**
   * A holder with no node id yet (a serve that failed to start) carries the one before it whose
   * claims it had not freed, so the next serve still frees them.
   */
  previous?: LockHolder;
}

export class DataDirLockedError extends Error {
  readonly holder: LockHolder | null;
  constructor(dir: string, holder: LockHolder | null) {
    const who = holder ? ` (pid ${holder.pid} on host ${holder.host}${holder.nodeId ? `, node ${holder.nodeId}` : ''}, since ${holder.since})` : '';
    super(`the data directory ${dir} is in use by another Switchboard server${who}; stop it first, or give this one another --data-dir (servers that share a store use PostgreSQL: --database-url)`);
    this.name = 'DataDirLockedError';
    this.holder = holder;
  }
}

/** Locks held by this process: a connection the garbage collector closed would drop its lock unseen. */
const held = new Set<DataDirLock>();

export class DataDirLock {
  /**
   * Who held the lock before: gone now (this process has it), so its claims are void. When that one
   * never got a node id (it failed to start), the holder it carried forward, whose claims may stand.
   */
  readonly previous: LockHolder | null;
  readonly #dir: string;
  readonly #db: DatabaseSync;
  readonly #since = new Date().toISOString();

  private constructor(dir: string, db: DatabaseSync) {
    this.#dir = dir;
    this.#db = db;
    const before = readHolder(dir);
    this.previous = before && !before.nodeId && before.previous ? before.previous : before;
    this.describe();
    held.add(this);
  }

  /** Takes the directory's lock, or throws DataDirLockedError naming the holder (or SQLite's error). */
  static acquire(dir: string): DataDirLock {
    // Created here, before the store: the directory that will hold the secrets is owner-only from the start.
    makePrivateDir(dir);
    makePrivateDatabaseFile(join(dir, LOCK_FILE));
    const db = new DatabaseSync(join(dir, LOCK_FILE));
    try {
      // Refused at once, not after a wait. The write is what takes the write lock, and it fails on a
      // file this process may only read (SQLite opens those read-only without a word).
      db.exec('PRAGMA busy_timeout = 0');
      db.exec('PRAGMA locking_mode = EXCLUSIVE');
      db.exec('BEGIN EXCLUSIVE; PRAGMA user_version = 1; COMMIT');
    } catch (error) {
      db.close();
      if (((error as { errcode?: number }).errcode ?? 0) % 256 === 5) throw new DataDirLockedError(dir, readHolder(dir));
      throw error;
    }
    return new DataDirLock(dir, db);
  }

  /**
   * Records who holds the lock (best effort: it words the message of a server refused, and names the
   * node whose claims the next holder frees). Given the node id once the previous holder's claims are
   * freed; until then the previous holder with a node id is carried forward, so a start that fails in
   * between (a busy port, a store that cannot open) does not lose it.
   */
  describe(nodeId?: string): void {
    const carried = !nodeId && this.previous?.nodeId ? { previous: withoutPrevious(this.previous) } : {};
    const holder: LockHolder = { host: hostname(), pid: process.pid, ...(nodeId ? { nodeId } : {}), since: this.#since, ...carried };
    try {
      writeFileSync(join(this.#dir, HOLDER_FILE), `${JSON.stringify(holder)}\n`, { mode: OWNER_ONLY_FILE });
    } catch {
      // Unwritable: the lock holds all the same.
    }
  }

  release(): void {
    held.delete(this);
    if (this.#db.isOpen) this.#db.close();
  }
}

function withoutPrevious(holder: LockHolder): LockHolder {
  const { previous: _, ...rest } = holder;
  return rest;
}

function asHolder(value: unknown): LockHolder | null {
  const holder = (value ?? {}) as Partial<LockHolder>;
  if (typeof holder.host !== 'string' || typeof holder.pid !== 'number' || typeof holder.since !== 'string') return null;
  const previous = holder.previous === undefined ? null : asHolder(holder.previous);
  return {
    host: holder.host,
    pid: holder.pid,
    since: holder.since,
    ...(typeof holder.nodeId === 'string' ? { nodeId: holder.nodeId } : {}),
    ...(previous?.nodeId ? { previous: withoutPrevious(previous) } : {}),
  };
}

function readHolder(dir: string): LockHolder | null {
  try {
    return asHolder(JSON.parse(readFileSync(join(dir, HOLDER_FILE), 'utf8')));
  } catch {
    return null;
  }
}
