// Who migrates a store: opened with schemaUpgrade 'refuse' (every command but serve), a schema an
// older Switchboard made is left exactly as it was and the open fails with SchemaUpgradeNeededError;
// an empty store is still created; the default ('migrate', serve) upgrades. schemaStatus reads the
// version as it is now, so a node sees another process migrate past it.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { SQLITE_MIGRATIONS } from '../../src/store/sqlite/migrations.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres/migrations.ts';
import { SchemaUpgradeNeededError } from '../../src/store/schema-upgrade.ts';
import { DATABASE_URL, SKIP_REASON, dropSchema, testSchemaName } from './postgres-support.ts';
import { OLD_ACCOUNT, PREVIOUS_POSTGRES, PREVIOUS_SQLITE, postgresVersion, previousVersionPostgres, previousVersionSqlite, sqliteUserVersion, withPgClient } from '../support/older-schema.ts';

const root = mkdtempSync(join(tmpdir(), 'switchboard-schema-upgrade-'));
after(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;

describe('SQLite schema upgrades', () => {
  it("'refuse' leaves an older database as it was; the default migrates it", async () => {
    const path = join(root, `db-${++counter}`, 'switchboard.db');
    previousVersionSqlite(path);
    assert.throws(
      () => new SqliteStore({ path, schemaUpgrade: 'refuse' }),
      (error: unknown) =>
        error instanceof SchemaUpgradeNeededError &&
        error.applied === PREVIOUS_SQLITE &&
        error.expected === SQLITE_MIGRATIONS.length &&
        error.message.includes(path) &&
        /switchboard serve/.test(error.message) &&
        !error.message.includes('\n'),
    );
    assert.equal(sqliteUserVersion(path), PREVIOUS_SQLITE);
    const store = new SqliteStore({ path });
    try {
      assert.equal(sqliteUserVersion(path), SQLITE_MIGRATIONS.length);
      assert.equal((await store.getAccount(OLD_ACCOUNT))?.friendlyName, 'Old');
    } finally {
      await store.close();
    }
    // Current now: 'refuse' opens it.
    const again = new SqliteStore({ path, schemaUpgrade: 'refuse' });
    await again.close();
  });

  it("'refuse' still creates a new, empty database", async () => {
    const path = join(root, `db-${++counter}`, 'switchboard.db');
    const store = new SqliteStore({ path, schemaUpgrade: 'refuse' });
    try {
      await store.setSetting('k', 'v');
      assert.deepEqual(await store.schemaStatus(), { applied: SQLITE_MIGRATIONS.length, expected: SQLITE_MIGRATIONS.length });
    } finally {
      await store.close();
    }
  });

  it('schemaStatus sees another connection migrate past this build', async () => {
    const path = join(root, `db-${++counter}`, 'switchboard.db');
    const store = new SqliteStore({ path });
    try {
      assert.deepEqual(await store.schemaStatus(), { applied: SQLITE_MIGRATIONS.length, expected: SQLITE_MIGRATIONS.length });
      const other = new DatabaseSync(path);
      other.exec(`PRAGMA user_version = ${SQLITE_MIGRATIONS.length + 1}`);
      other.close();
      assert.deepEqual(await store.schemaStatus(), { applied: SQLITE_MIGRATIONS.length + 1, expected: SQLITE_MIGRATIONS.length });
    } finally {
      await store.close();
    }
  });
});

describe('PostgreSQL schema upgrades', { skip: SKIP_REASON }, () => {
  it("'refuse' leaves an older schema as it was (rolled back); the default migrates it", async (t) => {
    const schema = testSchemaName();
    t.after(() => dropSchema(schema));
    await previousVersionPostgres(DATABASE_URL!, schema);
    const refused = new PostgresStore({ connectionString: DATABASE_URL!, schema, schemaUpgrade: 'refuse' });
    await assert.rejects(refused.ready(), (error: unknown) => error instanceof SchemaUpgradeNeededError && error.message.includes(`schema ${schema}`));
    await assert.rejects(refused.listAccounts(), SchemaUpgradeNeededError);
    await refused.close();
    assert.equal(await postgresVersion(DATABASE_URL!, schema), PREVIOUS_POSTGRES);
    const serving = new PostgresStore({ connectionString: DATABASE_URL!, schema });
    try {
      await serving.ready();
      assert.equal(await postgresVersion(DATABASE_URL!, schema), POSTGRES_MIGRATIONS.length);
      assert.equal((await serving.getAccount(OLD_ACCOUNT))?.friendlyName, 'Old');
    } finally {
      await serving.close();
    }
  });

  it("'refuse' still creates an empty schema; schemaStatus sees a newer node's migration", async (t) => {
    const schema = testSchemaName();
    t.after(() => dropSchema(schema));
    const store = new PostgresStore({ connectionString: DATABASE_URL!, schema, schemaUpgrade: 'refuse' });
    try {
      await store.ready();
      assert.deepEqual(await store.schemaStatus(), { applied: POSTGRES_MIGRATIONS.length, expected: POSTGRES_MIGRATIONS.length });
      await withPgClient(DATABASE_URL!, (c) => c.query(`INSERT INTO "${schema}".schema_migrations (version) VALUES ($1)`, [POSTGRES_MIGRATIONS.length + 1]));
      assert.deepEqual(await store.schemaStatus(), { applied: POSTGRES_MIGRATIONS.length + 1, expected: POSTGRES_MIGRATIONS.length });
    } finally {
      await store.close();
    }
  });
});
