// Brings a PostgreSQL schema to the current version (migrations.ts). Nodes starting together take
// turns on a session advisory lock, so each migration runs once. An empty schema is created in one
// transaction. On an existing one, each migration commits on its own and builds its indexes
// CONCURRENTLY afterwards, so writes by nodes still running go on during a long build; schema_migrations
// marks it complete only once they are valid, and a build cut short (an invalid index) is dropped and
// built again by the next node to start.

import type pg from 'pg';
import { createIndexSql, inlineSql, type ConcurrentIndex, type PostgresMigration } from './migrations.ts';
import { SchemaUpgradeNeededError, type SchemaUpgrade } from '../schema-upgrade.ts';

export interface MigrateOptions {
  readonly schema: string;
  readonly schemaUpgrade: SchemaUpgrade;
  /** The database for people, no secrets: "PostgreSQL at … (schema …)". */
  readonly where: string;
  /** How long to wait between tries of the lock another node holds. */
  readonly lockPollMs?: number;
}

/** A deadlock during a concurrent build (with a node of an older version waiting on the lock) is tried again. */
const BUILD_ATTEMPTS = 3;

/** Runs on `client`, a connection of its own with no statement timeout; leaves no lock behind. */
export async function migrateSchema(client: pg.Client, migrations: readonly PostgresMigration[], options: MigrateOptions): Promise<void> {
  // The key older versions took as a transaction lock too, so they still take turns with this one.
  const key = `switchboard:migrate:${options.schema}`;
  await lockPolling(client, key, options.lockPollMs ?? 200);
  try {
    await migrateLocked(client, migrations, options);
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]).catch(() => undefined);
  }
}

/**
 * Waits for the lock by trying it, not by pg_advisory_lock: a session waiting inside a statement holds a
 * snapshot, and CREATE INDEX CONCURRENTLY waits for every older snapshot to end, so the node building
 * would wait for the node waiting for it.
 */
async function lockPolling(client: pg.Client, key: string, pollMs: number): Promise<void> {
  for (;;) {
    const { rows } = await client.query('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS got', [key]);
    if (rows[0].got === true) return;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

async function migrateLocked(client: pg.Client, migrations: readonly PostgresMigration[], options: MigrateOptions): Promise<void> {
  const { schema } = options;
  let current: number;
  let lastComplete: boolean;
  await inTransaction(client, async () => {
    // Only when missing: CREATE SCHEMA (even IF NOT EXISTS) needs CREATE on the database, which a
    // role that owns (or may create in) an existing schema need not have.
    const found = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (found.rowCount === 0) await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    // complete: false while a migration's concurrent index builds (and what follows them) are still to do.
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now(), complete BOOLEAN NOT NULL DEFAULT true)',
    );
    // Versions before staged migrations made the table without the column: every migration they ran is complete.
    const hasComplete = ((await client.query("SELECT 1 FROM pg_attribute WHERE attrelid = 'schema_migrations'::regclass AND attname = 'complete' AND NOT attisdropped")).rowCount ?? 0) > 0;
    const { rows } = await client.query(
      `SELECT version, ${hasComplete ? 'complete' : 'true AS complete'} FROM schema_migrations ORDER BY version DESC LIMIT 1`,
    );
    current = rows[0] ? Number(rows[0].version) : 0;
    lastComplete = rows[0] ? rows[0].complete === true : true;
    if (current > migrations.length) {
      throw new Error(`database schema version ${current} is newer than this Switchboard (${migrations.length})`);
    }
    // Version 0 is an empty schema: nobody else can be using it, so it is created whatever the mode,
    // in this one transaction (indexes on empty tables build at once). Refused, nothing is written.
    if (options.schemaUpgrade === 'refuse' && current > 0 && current < migrations.length) {
      throw new SchemaUpgradeNeededError(options.where, current, migrations.length);
    }
    if (current === 0) {
      for (const [i, migration] of migrations.entries()) {
        await client.query(inlineSql(migration));
        await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [i + 1]);
      }
      current = migrations.length;
    } else if (current < migrations.length && !hasComplete) {
      await client.query('ALTER TABLE schema_migrations ADD COLUMN complete BOOLEAN NOT NULL DEFAULT true');
    }
  });
  // A node that stopped (or failed) during the last migration's index builds left it incomplete.
  if (!lastComplete!) await completeMigration(client, migrations[current! - 1]!, current!, schema);
  for (let version = current! + 1; version <= migrations.length; version++) {
    const migration = migrations[version - 1]!;
    const staged = typeof migration !== 'string';
    await inTransaction(client, async () => {
      const sql = typeof migration === 'string' ? migration : migration.sql;
      if (sql.trim() !== '') await client.query(sql);
      await client.query('INSERT INTO schema_migrations (version, complete) VALUES ($1, $2)', [version, !staged]);
    });
    if (staged) await completeMigration(client, migration, version, schema);
  }
}

/** Builds a staged migration's indexes (those not yet valid), then runs its `then` and marks it complete. */
async function completeMigration(client: pg.Client, migration: PostgresMigration, version: number, schema: string): Promise<void> {
  if (typeof migration === 'string') throw new Error(`schema_migrations marks version ${version} incomplete, but it builds no index`);
  for (const index of migration.indexes) await ensureIndex(client, index, schema);
  await inTransaction(client, async () => {
    if (migration.then) await client.query(migration.then);
    await client.query('UPDATE schema_migrations SET complete = true WHERE version = $1', [version]);
  });
}

async function ensureIndex(client: pg.Client, index: ConcurrentIndex, schema: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const { rows } = await client.query(
      `SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`,
      [schema, index.name],
    );
    if (rows[0]?.valid === true) return;
    // An interrupted build leaves its index behind, invalid: written to, never read, and in the way of the name.
    if (rows[0]) await client.query(`DROP INDEX CONCURRENTLY IF EXISTS "${schema}"."${index.name}"`);
    try {
      await client.query(createIndexSql(index, true));
      return;
    } catch (error) {
      if ((error as { code?: unknown }).code !== '40P01' || attempt >= BUILD_ATTEMPTS) throw error;
    }
  }
}

async function inTransaction(client: pg.Client, fn: () => Promise<void>): Promise<void> {
  await client.query('BEGIN');
  try {
    await fn();
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
