// Stores as the previous Switchboard version left them (every migration but the last), to test what
// this version does with them, and the version they are at, read without writing to them.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { SQLITE_MIGRATIONS } from '../../src/store/sqlite/migrations.ts';
import { POSTGRES_MIGRATIONS, inlineSql } from '../../src/store/postgres/migrations.ts';

export const OLD_ACCOUNT = 'AC' + 'a'.repeat(32);
export const PREVIOUS_SQLITE = SQLITE_MIGRATIONS.length - 1;
export const PREVIOUS_POSTGRES = POSTGRES_MIGRATIONS.length - 1;

/** A SQLite file (WAL mode, as the store keeps it) at the previous version, holding OLD_ACCOUNT and a setting. */
export function previousVersionSqlite(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const raw = new DatabaseSync(path);
  try {
    raw.exec('PRAGMA journal_mode = WAL');
    for (const migration of SQLITE_MIGRATIONS.slice(0, PREVIOUS_SQLITE)) raw.exec(migration);
    raw.exec(`PRAGMA user_version = ${PREVIOUS_SQLITE}`);
    // The account as that version wrote it: with a callback secret once the schema has one (migration 12 on).
    const secret = (raw.prepare("SELECT 1 AS x FROM pragma_table_info('accounts') WHERE name = 'callback_secret'").get() as { x: number } | undefined) !== undefined;
    if (secret) raw.prepare('INSERT INTO accounts (sid, auth_token, friendly_name, date_created, callback_secret) VALUES (?, ?, ?, ?, ?)').run(OLD_ACCOUNT, 'token', 'Old', 1, 'token');
    else raw.prepare('INSERT INTO accounts (sid, auth_token, friendly_name, date_created) VALUES (?, ?, ?, ?)').run(OLD_ACCOUNT, 'token', 'Old', 1);
    raw.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run('old-setting', 'kept');
  } finally {
    raw.close();
  }
}

export function sqliteUserVersion(path: string): number {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
  } finally {
    db.close();
  }
}

export async function withPgClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates `schema` at `version` as Switchboard before staged migrations left it (each migration one
 * transaction, schema_migrations without `complete`), and leaves `c` on its search_path.
 */
export async function postgresSchemaAt(c: pg.Client, schema: string, version: number): Promise<void> {
  await c.query(`CREATE SCHEMA "${schema}"; SET search_path = "${schema}"`);
  await c.query('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
  for (const [i, migration] of POSTGRES_MIGRATIONS.slice(0, version).entries()) {
    await c.query(inlineSql(migration));
    await c.query('INSERT INTO schema_migrations (version) VALUES ($1)', [i + 1]);
  }
}

/** A PostgreSQL schema at the previous version, holding OLD_ACCOUNT. */
export async function previousVersionPostgres(url: string, schema: string): Promise<void> {
  await withPgClient(url, async (c) => {
    await postgresSchemaAt(c, schema, PREVIOUS_POSTGRES);
    const secret = (await c.query("SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'accounts' AND column_name = 'callback_secret'", [schema])).rowCount! > 0;
    if (secret) await c.query('INSERT INTO accounts (sid, auth_token, friendly_name, date_created, callback_secret) VALUES ($1, $2, $3, $4, $5)', [OLD_ACCOUNT, 'token', 'Old', 1, 'token']);
    else await c.query('INSERT INTO accounts (sid, auth_token, friendly_name, date_created) VALUES ($1, $2, $3, $4)', [OLD_ACCOUNT, 'token', 'Old', 1]);
  });
}

export function postgresVersion(url: string, schema: string): Promise<number> {
  return withPgClient(url, async (c) => Number((await c.query(`SELECT max(version) AS v FROM "${schema}".schema_migrations`)).rows[0].v));
}
