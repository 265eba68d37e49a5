// `switchboard backup --to FILE [--data-dir DIR] [--force]`: a consistent copy of the embedded SQLite
// database, taken while a server may be running on it. Copying switchboard.db (or the volume) under a
// running server is not a backup: the file alone misses what is still in switchboard.db-wal, and a copy
// made while the checkpointer writes pages back may be torn (integrity_check fails on it).
//
// SQLite's online backup (node:sqlite's backup()) copies every page from one read transaction: in WAL
// mode that is a snapshot of the last commit before it began, and it blocks no writer. All the pages are
// copied in one step, since a step-by-step backup restarts whenever another connection writes (under
// load it might never finish). The data directory's lock (data-dir-lock.ts), which migrate-store takes,
// is left alone: reading beside the server is the point. The copy is written next to the destination under
// a temporary name, turned into a single self-contained file (rollback journal mode: no -wal to forget),
// checked (PRAGMA quick_check), and only then renamed into place, owner-only like the data directory's
// files (it holds the account tokens and carrier secrets).
import { DatabaseSync, backup } from 'node:sqlite';
import { closeSync, existsSync, fsyncSync, openSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { loadConfig } from '../config.ts';
import { makePrivateDatabaseFile, makePrivateDir } from '../store/sqlite/private-files.ts';
import { sqliteDamageCode } from '../store/sqlite/disk-errors.ts';

type Flags = Record<string, string | boolean | undefined>;

export const BACKUP_HELP = `Usage: switchboard backup --to FILE [--data-dir DIR] [--force]

Copies the embedded SQLite database (DIR/switchboard.db, DIR from --data-dir or the configuration; default
./data) into FILE: one consistent snapshot, taken safely while a server is running on DIR and writing.
Never copy the data directory's files (or its volume) while a server runs: such a copy misses recent
commits and may be damaged. FILE is one self-contained SQLite file, checked before it is kept; an existing
FILE is refused unless --force replaces it.
  --to FILE        where the backup goes (its folder is created if missing)
  --data-dir DIR   the data directory to back up
  --force          replace FILE if it exists
To restore: stop the server, put FILE in place of DIR/switchboard.db and remove DIR/switchboard.db-wal and
DIR/switchboard.db-shm, then start it. PostgreSQL (--database-url) is backed up with its own tools (pg_dump).
Exit codes: 0 backed up; 1 failed (FILE is left as it was); 2 bad usage.`;

/** One step copies every page: the whole backup from one read transaction (one snapshot, never restarted). */
const ALL_PAGES = 2 ** 31 - 1;

/** How long the source waits for a lock SQLite needs briefly (a WAL restart in progress), in ms. */
const BUSY_TIMEOUT_MS = 10_000;

function usage(problem: string): number {
  console.error(`switchboard backup: ${problem}`);
  return 2;
}

function failure(problem: string): number {
  console.error(`switchboard backup: ${problem}`);
  return 1;
}

/** Whether two paths name one file (either may not exist yet). */
function sameFile(a: string, b: string): boolean {
  const real = (path: string) => {
    try {
      return realpathSync(path);
    } catch {
      return resolve(path);
    }
  };
  return real(a) === real(b);
}

function removeDatabaseFiles(path: string): void {
  for (const file of [path, `${path}-journal`, `${path}-wal`, `${path}-shm`]) rmSync(file, { force: true });
}

function fsyncPath(path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    fsyncSync(fd);
  } catch {
    // A filesystem that cannot fsync a directory: the rename stands all the same.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export async function backupCommand(flags: Flags): Promise<number> {
  const to = typeof flags.to === 'string' ? flags.to.trim() : undefined;
  if (!to) return usage("--to FILE is required (where the backup goes); 'switchboard backup --help' says more");
  const config = loadConfig(flags);
  if (config.databaseUrl) {
    return usage('this configuration uses PostgreSQL (--database-url or DATABASE_URL): back it up with its own tools (pg_dump); backup copies the embedded SQLite database of a --data-dir');
  }
  if (config.dataDir === ':memory:') return usage('--data-dir :memory: has no database file to back up');
  const source = resolve(config.dataDir, 'switchboard.db');
  if (!existsSync(source)) return failure(`no database at ${source} (is --data-dir right? a server creates it on its first start)`);
  const target = resolve(to);
  if ([source, `${source}-wal`, `${source}-shm`, `${source}-journal`].some((file) => sameFile(target, file))) {
    return failure(`--to ${target} is the database being backed up: name another file`);
  }
  if (existsSync(target)) {
    if (statSync(target).isDirectory()) return failure(`--to ${target} is a directory: name the backup file (e.g. ${join(target, 'switchboard.db')})`);
    if (!flags.force) return failure(`${target} exists: choose another file, or --force to replace it`);
  }

  makePrivateDir(dirname(target));
  const partial = join(dirname(target), `.${basename(target)}.partial-${process.pid}`);
  removeDatabaseFiles(partial);
  try {
    // Owner-only before SQLite writes a byte into it; an empty file is a valid backup destination.
    makePrivateDatabaseFile(partial);
    // Read-only: the backup never writes the server's file (nor, with no server, checkpoints its WAL).
    const db = new DatabaseSync(source, { readOnly: true, timeout: BUSY_TIMEOUT_MS });
    let pages: number;
    try {
      pages = await backup(db, partial, { rate: ALL_PAGES });
    } finally {
      db.close();
    }
    const copy = new DatabaseSync(partial);
    let check: string[];
    let pageSize: number;
    let version: number;
    try {
      // The snapshot carries the server's WAL mode: one file, with no -wal beside it to forget, is what is kept.
      copy.exec('PRAGMA journal_mode = DELETE');
      check = (copy.prepare('PRAGMA quick_check').all() as { quick_check: string }[]).map((row) => row.quick_check);
      pageSize = Number((copy.prepare('PRAGMA page_size').get() as { page_size: number }).page_size);
      version = Number((copy.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
    } finally {
      copy.close();
    }
    if (check.length !== 1 || check[0] !== 'ok') {
      removeDatabaseFiles(partial);
      const shown = check.slice(0, 5).join('; ') + (check.length > 5 ? `; … (${check.length} problems)` : '');
      return failure(`the database ${source} is damaged, so its copy is too (quick_check: ${shown}); no backup was written. Restore an earlier backup`);
    }
    fsyncPath(partial);
    renameSync(partial, target);
    fsyncPath(dirname(target));
    const bytes = statSync(target).size;
    console.log(`Backed up ${source} to ${target}: ${pages} pages of ${pageSize} bytes, ${bytes} bytes (${megabytes(bytes)}), schema version ${version}, quick_check ok`);
    return 0;
  } catch (error) {
    removeDatabaseFiles(partial);
    const code = (error as { code?: string }).code;
    const damaged = sqliteDamageCode(error);
    if (damaged) return failure(`the database ${source} is damaged (${(error as Error).message}); no backup was written. Restore an earlier backup`);
    if (code === 'ENOSPC' || (error as { errcode?: number }).errcode === 13) return failure(`no space left for ${target}; no backup was written`);
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return failure(`cannot write ${dirname(target)} (${code}); no backup was written`);
    return failure(`${(error as Error).message}; no backup was written`);
  }
}
