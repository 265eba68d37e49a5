// Which store a node opens, and the PostgreSQL settings' validation: DATABASE_URL (or
// --database-url) selects PostgreSQL with the configured schema, pool size and statement timeout;
// without it the embedded SQLite store is used. No database is needed for these checks.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../../src/app.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';

describe('store selection and PostgreSQL settings', () => {
  it('uses SQLite without a database URL', async () => {
    const store = await openStore({ ...loadConfig({}, {}), dataDir: ':memory:' });
    try {
      assert.ok(store instanceof SqliteStore);
      assert.equal(store.kind, 'sqlite');
    } finally {
      await store.close();
    }
  });

  it('DATABASE_URL or --database-url selects PostgreSQL with the schema, pool and timeout configured', async () => {
    const env = {
      DATABASE_URL: 'postgres://u:p@127.0.0.1:1/db',
      SWITCHBOARD_DATABASE_SCHEMA: 'tenant_a',
      SWITCHBOARD_DB_POOL_SIZE: '3',
      SWITCHBOARD_DB_STATEMENT_TIMEOUT: '1234',
      SWITCHBOARD_LEASE_MS: '5000',
    };
    const config = loadConfig({}, env);
    assert.equal(config.databaseUrl, env.DATABASE_URL);
    assert.equal(config.dbPoolSize, 3);
    assert.equal(config.dbStatementTimeout, 1234);
    assert.equal(config.leaseMs, 5000);
    const store = await openStore(config);
    try {
      assert.ok(store instanceof PostgresStore);
      assert.equal(store.kind, 'postgres');
      assert.equal(store.schema, 'tenant_a');
      assert.equal(store.pool.options.max, 3);
      assert.equal((store.pool.options as { statement_timeout?: number }).statement_timeout, 1234);
      // nothing listens on port 1: the first use says so, naming the database without its password
      await assert.rejects(store.getSetting('x'), (error: Error) => /cannot use PostgreSQL at postgres:\/\/u:\*{8}@127\.0\.0\.1:1\/db/.test(error.message));
    } finally {
      await store.close();
    }
    const flagged = loadConfig({ 'database-url': 'postgresql://h/db', 'db-pool-size': '20' }, {});
    assert.equal(flagged.databaseUrl, 'postgresql://h/db');
    assert.equal(flagged.dbPoolSize, 20);
  });

  it('rejects a database URL that is not PostgreSQL, and out-of-range pool sizes and leases', () => {
    assert.throws(() => loadConfig({}, { DATABASE_URL: 'mysql://h/db' }), ConfigError);
    assert.throws(() => loadConfig({}, { SWITCHBOARD_DB_POOL_SIZE: '0' }), ConfigError);
    assert.throws(() => loadConfig({}, { SWITCHBOARD_DB_STATEMENT_TIMEOUT: '-5' }), ConfigError);
    assert.throws(() => loadConfig({}, { SWITCHBOARD_LEASE_MS: '10' }), ConfigError);
  });
});
