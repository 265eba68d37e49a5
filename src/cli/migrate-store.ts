// `switchboard migrate-store --from sqlite:<path> --to postgres://…`: copies everything the
// embedded store holds (accounts, keys, settings, flows, revisions, test users, executions,
// steps, timers, pending effects) into an empty PostgreSQL database, then checks the counts.
// Either side may be either backend. Stop every server using either store first.
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, loadConfig } from '../config.ts';
import type { Store } from '../runtime/ports/store.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { DatabaseStartupError, PostgresStore } from '../store/postgres/postgres-store.ts';
import { TargetNotEmptyError, copyStore, countStore } from '../store/copy-store.ts';

type Flags = Record<string, string | boolean | undefined>;

/** `sqlite:<file or data dir>` or a postgres:// URL (its schema from --database-schema). */
export function openStoreSpec(spec: string, role: 'from' | 'to', options: { schema: string; poolSize: number; statementTimeoutMs: number }): Store {
  if (/^postgres(ql)?:\/\//.test(spec)) {
    return new PostgresStore({ connectionString: spec, schema: options.schema, poolSize: options.poolSize, statementTimeoutMs: options.statementTimeoutMs });
  }
  if (spec.startsWith('sqlite:')) {
    let path = resolve(spec.slice('sqlite:'.length));
    if (existsSync(path) && statSync(path).isDirectory()) path = join(path, 'switchboard.db');
    if (role === 'from' && !existsSync(path)) throw new ConfigError(`--from: no SQLite database at ${path}`);
    return new SqliteStore({ path });
  }
  throw new ConfigError(`--${role} must be sqlite:<path> or a postgres:// URL, got '${spec}'`);
}

export async function migrateStoreCommand(flags: Flags): Promise<number> {
  const from = typeof flags.from === 'string' ? flags.from : undefined;
  const to = typeof flags.to === 'string' ? flags.to : undefined;
  if (!from || !to) throw new ConfigError('migrate-store needs --from sqlite:<path> and --to postgres://…');
  const config = loadConfig(flags);
  const options = { schema: config.databaseSchema, poolSize: config.dbPoolSize, statementTimeoutMs: config.dbStatementTimeout };
  const source = openStoreSpec(from, 'from', options);
  let target: Store | undefined;
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
      console.error('switchboard: the copy does not match the source (was a server still running?)');
      return 1;
    }
    return 0;
  } catch (error) {
    // A full target, or a PostgreSQL that is unreachable, refuses the login or is newer: one line.
    if (error instanceof TargetNotEmptyError || error instanceof DatabaseStartupError) {
      console.error(`switchboard: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await source.close();
    await target?.close();
  }
}
