// Migrations build indexes on existing tables CONCURRENTLY, after their transaction (migrate.ts): nodes
// still running keep writing to the table during a long build, a build cut short (an invalid index) is
// built again by the next node to start, and nodes starting together still apply each migration once.
// A schema at version 10 is upgraded: migration 11 builds executions_by_contact on executions, and an
// open transaction that wrote to executions holds the build at its first wait for as long as a test needs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres/migrations.ts';
import { DATABASE_URL, SKIP_REASON, dropSchema, testSchemaName } from './postgres-support.ts';
import { postgresSchemaAt } from '../support/older-schema.ts';

const BEFORE = 10;
const INDEX = 'executions_by_contact';
const ALL_VERSIONS = POSTGRES_MIGRATIONS.map((_, i) => i + 1);

async function connect(schema: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: DATABASE_URL, options: `-c search_path="${schema}"` });
  await client.connect();
  return client;
}

function insertExecution(client: pg.Client, sid: string): Promise<unknown> {
  return client.query(
    `INSERT INTO executions (sid, account_sid, flow_sid, flow_version, contact_sid, contact_channel_address, channel_address, status, initiated_by, state, context, date_created)
     VALUES ($1, 'AC1', 'FW1', 1, 'FC1', $1, '+2', 'active', 'API', '{}', '{}', 1)`,
    [sid],
  );
}

/** A schema at version BEFORE with a flow and executions, and a transaction (returned) that wrote to executions and stays open. */
async function olderSchemaWithOpenWrite(schema: string): Promise<pg.Client> {
  const setup = new pg.Client({ connectionString: DATABASE_URL });
  await setup.connect();
  try {
    await postgresSchemaAt(setup, schema, BEFORE);
    await setup.query(`INSERT INTO flows (sid, account_sid, friendly_name, status, revision, valid, errors, warnings, date_created) VALUES ('FW1', 'AC1', 'x', 'published', 1, true, '[]', '[]', 1)`);
    for (let n = 0; n < 50; n++) await insertExecution(setup, `FN-old-${n}`);
  } finally {
    await setup.end();
  }
  const writer = await connect(schema);
  await writer.query('BEGIN');
  await insertExecution(writer, 'FN-open');
  return writer;
}

/** The switchboard backends (pid, query) whose statement on INDEX waits for a lock the open writer holds. */
async function waitingBuilds(observer: pg.Client, writer: pg.Client): Promise<{ pid: number; query: string }[]> {
  const writerPid = (await writer.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
  const { rows } = await observer.query(
    `SELECT pid, query FROM pg_stat_activity WHERE application_name = 'switchboard' AND query LIKE $1 AND $2 = ANY(pg_blocking_pids(pid))`,
    [`%${INDEX}%`, writerPid],
  );
  return rows;
}

async function buildWaiting(observer: pg.Client, writer: pg.Client): Promise<{ pid: number; query: string }> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const builds = await waitingBuilds(observer, writer);
    if (builds.length > 0) return builds[0]!;
    if (Date.now() > deadline) throw new Error(`no switchboard statement on ${INDEX} waited for the open write`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function indexValidity(observer: pg.Client, schema: string, name: string): Promise<boolean[]> {
  const { rows } = await observer.query(
    `SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2`,
    [schema, name],
  );
  return rows.map((r) => r.valid);
}

async function migrations(observer: pg.Client): Promise<{ version: number; complete: boolean }[]> {
  return (await observer.query('SELECT version, complete FROM schema_migrations ORDER BY version')).rows;
}

/** Every migration applied and complete, and the index valid. */
async function assertMigrated(observer: pg.Client, schema: string): Promise<void> {
  assert.deepEqual(await indexValidity(observer, schema, INDEX), [true]);
  assert.deepEqual(await migrations(observer), ALL_VERSIONS.map((version) => ({ version, complete: true })));
}

describe('PostgreSQL migrations build indexes concurrently', { skip: SKIP_REASON }, () => {
  it('writes to the table go on while the index builds', { timeout: 60_000 }, async () => {
    const schema = testSchemaName();
    const writer = await olderSchemaWithOpenWrite(schema);
    const other = await connect(schema);
    let store: PostgresStore | null = null;
    try {
      store = new PostgresStore({ connectionString: DATABASE_URL!, schema, poolSize: 2 });
      const build = await buildWaiting(other, writer);
      assert.match(build.query, /CREATE INDEX CONCURRENTLY executions_by_contact/);
      // A plain CREATE INDEX would hold a SHARE lock request on executions that this insert queues behind.
      await other.query("SET lock_timeout = '3s'");
      await insertExecution(other, 'FN-during-build');
      await other.query("UPDATE executions SET date_updated = 2 WHERE sid = 'FN-old-1'");
      await writer.query('COMMIT');
      await store.ready();
      await assertMigrated(other, schema);
      assert.equal((await store.listExecutions('AC1', 'FW1', { contactAddress: 'FN-during-build' }, { pageSize: 10 })).items.length, 1);
    } finally {
      await store?.close();
      await writer.end().catch(() => undefined);
      await other.end();
      await dropSchema(schema);
    }
  });

  it('a build cut short leaves the migration incomplete; the next node drops the invalid index and builds it again', { timeout: 60_000 }, async () => {
    const schema = testSchemaName();
    const writer = await olderSchemaWithOpenWrite(schema);
    const observer = await connect(schema);
    try {
      const first = new PostgresStore({ connectionString: DATABASE_URL!, schema, poolSize: 2 });
      const build = await buildWaiting(observer, writer);
      await observer.query('SELECT pg_terminate_backend($1)', [build.pid]);
      await assert.rejects(first.ready());
      await first.close();
      await writer.query('COMMIT');
      assert.deepEqual(await indexValidity(observer, schema, INDEX), [false], 'the interrupted build left an invalid index');
      assert.deepEqual((await migrations(observer)).at(-1), { version: BEFORE + 1, complete: false });

      const next = new PostgresStore({ connectionString: DATABASE_URL!, schema, poolSize: 2 });
      try {
        await next.ready();
        await assertMigrated(observer, schema);
        assert.deepEqual(await next.schemaStatus(), { applied: POSTGRES_MIGRATIONS.length, expected: POSTGRES_MIGRATIONS.length });
      } finally {
        await next.close();
      }
    } finally {
      await writer.end().catch(() => undefined);
      await observer.end();
      await dropSchema(schema);
    }
  });

  it('nodes starting together during a build wait for it and apply each migration once', { timeout: 60_000 }, async () => {
    const schema = testSchemaName();
    const writer = await olderSchemaWithOpenWrite(schema);
    const observer = await connect(schema);
    const stores = Array.from({ length: 3 }, () => new PostgresStore({ connectionString: DATABASE_URL!, schema, poolSize: 1 }));
    try {
      await buildWaiting(observer, writer);
      // Long enough for the other nodes to be waiting for the migration lock, and for a build to wait on them.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal((await waitingBuilds(observer, writer)).length, 1, 'one node builds');
      await writer.query('COMMIT');
      await Promise.all(stores.map((s) => s.ready()));
      await assertMigrated(observer, schema);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await writer.end().catch(() => undefined);
      await observer.end();
      await dropSchema(schema);
    }
  });

  it('a schema fully migrated before staged migrations opens as it is', { timeout: 30_000 }, async () => {
    const schema = testSchemaName();
    const setup = new pg.Client({ connectionString: DATABASE_URL });
    await setup.connect();
    try {
      await postgresSchemaAt(setup, schema, POSTGRES_MIGRATIONS.length);
      const before = (await setup.query('SELECT version, applied_at FROM schema_migrations ORDER BY version')).rows;
      for (const schemaUpgrade of ['refuse', 'migrate'] as const) {
        const store = new PostgresStore({ connectionString: DATABASE_URL!, schema, poolSize: 1, schemaUpgrade });
        try {
          await store.ready();
        } finally {
          await store.close();
        }
      }
      assert.deepEqual((await setup.query('SELECT version, applied_at FROM schema_migrations ORDER BY version')).rows, before);
    } finally {
      await setup.end();
      await dropSchema(schema);
    }
  });
});
