// A node needs only its own schema: a role that owns an existing schema, without CREATE on the
// database, migrates and runs it. (CREATE SCHEMA IF NOT EXISTS checks the database privilege before
// noticing that the schema exists, so nodes failed to start with "permission denied for database".)
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { DATABASE_URL, SKIP_REASON } from './postgres-support.ts';

async function admin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function withUserAndDatabase(url: string, user: string, database: string): string {
  const parsed = new URL(url);
  parsed.username = user;
  parsed.password = '';
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

it('a role owning an existing schema, without CREATE on the database, starts and works', { skip: SKIP_REASON || false, timeout: 60_000 }, async () => {
  const suffix = randomBytes(5).toString('hex');
  const role = `sb_test_role_${suffix}`;
  const database = `sb_test_db_${suffix}`;
  // template0: nobody is ever connected to it, so tests creating databases at once do not collide.
  await admin(DATABASE_URL!, async (c) => {
    await c.query(`CREATE ROLE "${role}" LOGIN`);
    await c.query(`CREATE DATABASE "${database}" TEMPLATE template0`);
  });
  const owner = withUserAndDatabase(DATABASE_URL!, 'postgres', database);
  let store: PostgresStore | null = null;
  try {
    await admin(owner, async (c) => {
      await c.query(`CREATE SCHEMA sbs AUTHORIZATION "${role}"`);
      const { rows } = await c.query(`SELECT has_database_privilege($1, current_database(), 'CREATE') AS can`, [role]);
      assert.equal(rows[0].can, false, 'the role cannot create schemas');
    });
    const url = withUserAndDatabase(DATABASE_URL!, role, database);
    store = new PostgresStore({ connectionString: url, schema: 'sbs', poolSize: 2 });
    await store.ready();
    await store.setSetting('k', 'v');
    assert.equal(await store.getSetting('k'), 'v');
    let wake = () => {};
    const heard = new Promise<void>((resolve) => (wake = resolve));
    await store.onWork(() => wake());
    await store.releaseLeases('nobody'); // NOTIFY
    await heard;
    assert.equal(await store.exclusive('chore', async () => 'ran'), 'ran');
    await store.close();
    store = null;
    // A schema that does not exist still needs CREATE on the database, and says so.
    const missing = new PostgresStore({ connectionString: url, schema: 'absent', poolSize: 1 });
    await assert.rejects(missing.ready(), /permission denied for database/);
    await missing.close();
  } finally {
    await store?.close().catch(() => undefined);
    await admin(DATABASE_URL!, async (c) => {
      await c.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await c.query(`DROP ROLE IF EXISTS "${role}"`);
    });
  }
});
