// `switchboard migrate-store --from sqlite:<path> --to postgres://…`: copies everything the
// embedded store holds (accounts, keys, settings, flows, revisions, test users, executions,
// steps, timers, pending effects, alerts, inbound receipts, the carrier's send ledger) into an
// empty PostgreSQL database, then checks the counts.
// Either side may be either backend. Stop every server using either store first: a SQLite side
// whose data directory a server holds (its switchboard.lock) is refused. Neither side is migrated in
// place: a SQLite source an older Switchboard made is read through an upgraded copy (the file stays
// as it was, a backup its version still opens); any other older schema is refused.
import { DatabaseSync } from 'node:sqlite';
import { existsSync, mkdtempSync, rmSync, rmdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ConfigError, loadConfig } from '../config.ts';
import type { Store } from '../runtime/ports/store.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { SQLITE_MIGRATIONS } from '../store/sqlite/migrations.ts';
import { SchemaUpgradeNeededError } from '../store/schema-upgrade.ts';
import { DataDirLock, DataDirLockedError, LOCK_FILE } from '../store/sqlite/data-dir-lock.ts';
import { DatabaseStartupError, PostgresStore } from '../store/postgres/postgres-store.ts';
import { TargetNotEmptyError, copyStore, countStore } from '../store/copy-store.ts';

type Flags = Record<string, string | boolean | undefined>;

/** `sqlite:<file or data dir>` or a postgres:// URL (its schema from --database-schema); an older schema is refused, not migrated. */
export function openStoreSpec(spec: string, role: 'from' | 'to', options: { schema: string; poolSize: number; statementTimeoutMs: number }): Store {
  if (/^postgres(ql)?:\/\//.test(spec)) {
    return new PostgresStore({ connectionString: spec, schema: options.schema, poolSize: options.poolSize, statementTimeoutMs: options.statementTimeoutMs, schemaUpgrade: 'refuse' });
  }
  const path = sqlitePathOf(spec);
  if (path !== undefined) {
    if (role === 'from' && !existsSync(path)) throw new ConfigError(`--from: no SQLite database at ${path}`);
    return new SqliteStore({ path, schemaUpgrade: 'refuse' });
  }
  // A bare path is the commonest slip: say how to write it.
  const hint = /^[a-z][a-z0-9+.-]*:/i.test(spec) ? '' : ` (a SQLite file or data directory is written sqlite:${spec})`;
  throw new ConfigError(`--${role} must be sqlite:<path> or a postgres:// URL, got '${spec}'${hint}`);
}

/**
 * The store to copy from, and what to do once it is closed. A SQLite file whose schema is older than
 * this build's is never written: a snapshot of it (VACUUM INTO, from a read-only connection) is
 * migrated in a private temporary folder and read instead, and the folder removed afterwards.
 */
function openSource(spec: string, options: { schema: string; poolSize: number; statementTimeoutMs: number }): { store: Store; dispose(): void } {
  const path = sqlitePathOf(spec);
  const version = path !== undefined && existsSync(path) ? sqliteVersion(path) : undefined;
  if (version === undefined || version >= SQLITE_MIGRATIONS.length) return { store: openStoreSpec(spec, 'from', options), dispose: () => undefined };
  // Private: the copy holds the account tokens and carrier secrets the source does.
  const folder = mkdtempSync(join(tmpdir(), 'switchboard-migrate-'));
  const dispose = () => rmSync(folder, { recursive: true, force: true });
  try {
    const copy = join(folder, 'switchboard.db');
    const source = new DatabaseSync(path!, { readOnly: true });
    try {
      source.prepare('VACUUM INTO ?').run(copy);
    } finally {
      source.close();
    }
    console.log(`${path} has schema version ${version}, older than this Switchboard's (${SQLITE_MIGRATIONS.length}): copying from an upgraded snapshot of it (the file is left as it was)`);
    return { store: new SqliteStore({ path: copy }), dispose };
  } catch (error) {
    dispose();
    throw error;
  }
}

/** A SQLite file's schema version, read without writing to it. */
function sqliteVersion(path: string): number {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
  } finally {
    db.close();
  }
}

/** The database file a `sqlite:<file or data dir>` spec names; undefined for any other spec. */
function sqlitePathOf(spec: string): string | undefined {
  if (!spec.startsWith('sqlite:')) return undefined;
  const path = resolve(spec.slice('sqlite:'.length));
  return existsSync(path) && statSync(path).isDirectory() ? join(path, 'switchboard.db') : path;
}

/**
 * What opening a SQLite target at `path` is about to create (the file, its WAL/journal
 * companions and any missing folders), so a failed migration can take exactly that away
 * again and never touch anything that was there before.
 */
function newSqliteTarget(path: string): { files: string[]; folders: string[] } | undefined {
  if (existsSync(path)) return undefined;
  const files = [path, `${path}-wal`, `${path}-shm`, `${path}-journal`].filter((file) => !existsSync(file));
  const folders: string[] = [];
  for (let folder = dirname(path); !existsSync(folder); folder = dirname(folder)) folders.push(folder);
  return { files, folders };
}

function removeNewTarget(created: { files: string[]; folders: string[] }): void {
  for (const file of created.files) rmSync(file, { force: true });
  // Innermost first; a folder something else has meanwhile written into stays.
  for (const folder of created.folders) {
    try {
      rmdirSync(folder);
    } catch {
      break;
    }
  }
}

/** Thrown when a SQLite side's data directory is held by a running server. */
class InUseError extends Error {}

/**
 * Takes the lock of the data directories of the SQLite sides (a `serve` holds it while it runs), held
 * for the migration so no server starts on them meanwhile. Only where a server has ever run (the lock
 * file is there): a directory no server used gets no lock files of its own.
 */
function lockDataDirs(specs: string[]): DataDirLock[] {
  const locks: DataDirLock[] = [];
  const dirs = new Set(specs.map(sqlitePathOf).filter((path) => path !== undefined).map((path) => dirname(path)));
  try {
    for (const dir of dirs) {
      if (!existsSync(join(dir, LOCK_FILE))) continue;
      try {
        locks.push(DataDirLock.acquire(dir));
      } catch (error) {
        // A lock that cannot be taken for another reason (a read-only copy of a data directory) says
        // nothing about a server: the copy goes ahead, reading it.
        if (!(error instanceof DataDirLockedError)) continue;
        const h = error.holder;
        const who = h ? ` (pid ${h.pid} on host ${h.host}${h.nodeId ? `, node ${h.nodeId}` : ''}, since ${h.since})` : '';
        throw new InUseError(`the data directory ${dir} is in use by a Switchboard server${who}; stop every server using it before migrate-store`);
      }
    }
  } catch (error) {
    for (const lock of locks) lock.release();
    throw error;
  }
  return locks;
}

/** A problem on stderr, named by the command as every command's own messages are: 2 bad usage, 1 a failure. */
function fail(problem: string, code: 1 | 2): number {
  console.error(`switchboard migrate-store: ${problem}`);
  return code;
}

export async function migrateStoreCommand(flags: Flags): Promise<number> {
  const from = typeof flags.from === 'string' ? flags.from : undefined;
  const to = typeof flags.to === 'string' ? flags.to : undefined;
  if (!from || !to) {
    // Either side may be either kind: the message names what is missing, not one direction.
    const missing = [from ? '' : '--from', to ? '' : '--to'].filter(Boolean).join(' and ');
    return fail(`${missing} ${from || to ? 'is' : 'are'} required: each is sqlite:<path> (a database file or data directory) or a postgres:// URL`, 2);
  }
  const config = loadConfig(flags);
  const options = { schema: config.databaseSchema, poolSize: config.dbPoolSize, statementTimeoutMs: config.dbStatementTimeout };
  let locks: DataDirLock[];
  try {
    locks = lockDataDirs([from, to]);
  } catch (error) {
    if (!(error instanceof InUseError)) throw error;
    return fail(error.message, 1);
  }
  try {
    return await migrate(from, to, options);
  } catch (error) {
    // A side written wrong (a bare path, another scheme) or a --from with no database: bad usage.
    if (error instanceof ConfigError) return fail(error.message, 2);
    throw error;
  } finally {
    for (const lock of locks) lock.release();
  }
}

async function migrate(from: string, to: string, options: { schema: string; poolSize: number; statementTimeoutMs: number }): Promise<number> {
  const { store: source, dispose: disposeSource } = openSource(from, options);
  const targetPath = sqlitePathOf(to);
  const createdTarget = targetPath === undefined ? undefined : newSqliteTarget(targetPath);
  let target: Store | undefined;
  let migrated = false;
  try {
    target = openStoreSpec(to, 'to', options);
    const copied = await copyStore(source, target, (line) => console.log(line));
    const [inSource, inTarget] = await Promise.all([countStore(source), countStore(target)]);
    const table = Object.keys(copied).map((key) => {
      const k = key as keyof typeof copied;
      return `  ${k.padEnd(15)} ${String(copied[k]).padStart(8)}${inSource[k] === inTarget[k] ? '' : `  MISMATCH: source ${inSource[k]}, target ${inTarget[k]}`}`;
    });
    console.log(`Copied ${source.kind} → ${target.kind}:\n${table.join('\n')}`);
    if (JSON.stringify(inSource) !== JSON.stringify(inTarget)) {
      return fail('the copy does not match the source (was a server still running?)', 1);
    }
    migrated = true;
    return 0;
  } catch (error) {
    // A full target, or a PostgreSQL that is unreachable, refuses the login or is newer, or a side
    // an older version made (it is not upgraded here): one line.
    if (error instanceof TargetNotEmptyError || error instanceof DatabaseStartupError || error instanceof SchemaUpgradeNeededError) {
      return fail(error.message, 1);
    }
    throw error;
  } finally {
    await source.close().finally(disposeSource);
    await target?.close();
    // A failed migration into a SQLite file this command created leaves no half-made file behind.
    if (!migrated && createdTarget) removeNewTarget(createdTarget);
  }
}
