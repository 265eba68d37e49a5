// Runs the Store conformance suite against PostgreSQL (each test in its own schema), plus the
// PostgreSQL-only concerns: migrations under concurrent start-up, versioning, pool settings.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { POSTGRES_MIGRATIONS, inlineSql } from '../../src/store/postgres/migrations.ts';
import type { Store } from '../../src/runtime/ports/store.ts';
import { runStoreConformance } from './conformance.ts';
import { DATABASE_URL, SKIP_REASON, disposePostgresStore, dropSchema, freshPostgresStore, testSchemaName } from './postgres-support.ts';

if (SKIP_REASON) {
  it('PostgreSQL store', { skip: SKIP_REASON }, () => {});
} else {
  runStoreConformance('postgres', () => freshPostgresStore(), (store) => disposePostgresStore(store as PostgresStore));

  describe('PostgresStore', () => {
    async function withClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      try {
        return await fn(client);
      } finally {
        await client.end();
      }
    }

    it('nodes starting together on an empty schema migrate it exactly once', async () => {
      const schema = testSchemaName();
      const stores = Array.from({ length: 5 }, () => new PostgresStore({ connectionString: DATABASE_URL!, schema, poolSize: 2 }));
      try {
        await Promise.all(stores.map((s) => s.ready()));
        const versions = await withClient(async (c) => (await c.query(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`)).rows);
        assert.deepEqual(versions.map((r) => r.version), POSTGRES_MIGRATIONS.map((_, i) => i + 1));
        // every node works on the same tables
        await stores[0]!.setSetting('k', 'v');
        for (const s of stores) assert.equal(await s.getSetting('k'), 'v');
      } finally {
        await Promise.all(stores.map((s) => s.close()));
        await dropSchema(schema);
      }
    });

    it('refuses a schema newer than the code, touching nothing', async () => {
      const store = await freshPostgresStore();
      const schema = store.schema;
      await store.close();
      try {
        await withClient((c) => c.query(`INSERT INTO "${schema}".schema_migrations (version) VALUES ($1)`, [POSTGRES_MIGRATIONS.length + 1]));
        const newer = new PostgresStore({ connectionString: DATABASE_URL!, schema });
        await assert.rejects(newer.ready(), /newer than this Switchboard/);
        await assert.rejects(newer.getSetting('x'), /newer than this Switchboard/);
        await newer.close();
      } finally {
        await dropSchema(schema);
      }
    });

    it('version 8: the send ledger moves from settings to channel records naming its account and execution', async () => {
      const schema = testSchemaName();
      try {
        const owned = JSON.stringify({ effectId: 'EF1', executionSid: 'FN1', accountSid: 'AC1', to: '+15550001111' });
        // Escapes jsonb refuses (a NUL: 22P05; a lone surrogate: 22P02) must not roll the migration back.
        const withNul = JSON.stringify({ effectId: 'EF2', executionSid: 'FN1', accountSid: 'AC1', body: 'bin\u0000ary' });
        const withSurrogate = JSON.stringify({ executionSid: 'FN1', accountSid: 'AC1', body: 'half \ud800' });
        await withClient(async (c) => {
          await c.query(`CREATE SCHEMA "${schema}"; SET search_path = "${schema}"`);
          await c.query('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
          for (const [i, migration] of POSTGRES_MIGRATIONS.slice(0, 7).entries()) {
            await c.query(inlineSql(migration));
            await c.query('INSERT INTO schema_migrations (version) VALUES ($1)', [i + 1]);
          }
          await c.query(`INSERT INTO flows (sid, account_sid, friendly_name, status, revision, valid, errors, warnings, date_created) VALUES ('FW1', 'AC1', 'x', 'published', 1, true, '[]', '[]', 1)`);
          await c.query(
            `INSERT INTO executions (sid, account_sid, flow_sid, flow_version, contact_sid, contact_channel_address, channel_address, status, initiated_by, state, context, date_created)
             VALUES ('FN1', 'AC1', 'FW1', 1, 'FC1', '+1', '+2', 'active', 'API', '{}', '{}', 1)`,
          );
          await c.query(`INSERT INTO pending_effects (id, execution_sid, account_sid, payload, created_at) VALUES ('EFtask', 'FN1', 'AC1', '{}', 1)`);
          const settings = [['inflight:EF1', owned], ['carrier-msg:SM1', owned], ['inflight:EF2', withNul], ['carrier-msg:SM2', withSurrogate], ['carrier-seen:EF1', '{"messageSid":"SM1"}'], ['carrier-task:EFtask', '{}'], ['carrier-conv:EFdone', '{}'], ['carrier:AC1', '{}']];
          for (const [key, value] of settings) await c.query('INSERT INTO settings (key, value) VALUES ($1, $2)', [key, value]);
        });
        const store = new PostgresStore({ connectionString: DATABASE_URL!, schema });
        try {
          await store.ready();
          assert.deepEqual((await store.listChannelRecords('', 10)).map((r) => [r.key, r.accountSid, r.executionSid]), [
            ['carrier-msg:SM1', 'AC1', 'FN1'],
            ['carrier-msg:SM2', 'AC1', 'FN1'],
            ['carrier-seen:EF1', 'AC1', 'FN1'],
            ['carrier-task:EFtask', 'AC1', 'FN1'],
            ['inflight:EF1', 'AC1', 'FN1'],
            ['inflight:EF2', 'AC1', 'FN1'],
          ]);
          assert.equal((await store.getChannelRecord('inflight:EF1'))?.value, owned);
          assert.equal((await store.getChannelRecord('inflight:EF2'))?.value, withNul, 'copied as it was');
          assert.equal((await store.getChannelRecord('carrier-msg:SM2'))?.value, withSurrogate);
          assert.deepEqual(await store.listSettings(), [{ key: 'carrier:AC1', value: '{}' }]);
        } finally {
          await store.close();
        }
      } finally {
        await dropSchema(schema);
      }
    });

    it('applies the statement timeout to every pooled connection', async () => {
      const store = await freshPostgresStore({ statementTimeoutMs: 150 });
      try {
        const shown = await store.pool.query('SHOW statement_timeout');
        assert.equal(shown.rows[0].statement_timeout, '150ms');
        await assert.rejects(store.pool.query('SELECT pg_sleep(2)'), /statement timeout/);
        assert.equal(await store.getSetting('still-works'), null, 'the pool recovers');
      } finally {
        await disposePostgresStore(store);
      }
    });

    it('caps the pool at its configured size', async () => {
      const store = await freshPostgresStore({ poolSize: 2 });
      try {
        await Promise.all(Array.from({ length: 10 }, () => store.pool.query('SELECT pg_sleep(0.05)')));
        assert.ok(store.pool.totalCount <= 2, `pool grew to ${store.pool.totalCount}`);
      } finally {
        await disposePostgresStore(store);
      }
    });

    it('rejects a schema name that is not a plain identifier', () => {
      assert.throws(() => new PostgresStore({ connectionString: DATABASE_URL!, schema: 'x"; DROP TABLE y; --' }), /plain identifier/);
    });

    it('an unreachable server fails the first call with a clear error instead of hanging', async () => {
      const store: Store = new PostgresStore({ connectionString: 'postgres://postgres@127.0.0.1:1/none', connectTimeoutMs: 2000 });
      await assert.rejects(store.getSetting('x'), /ECONNREFUSED|connect/);
      await store.close();
    });

    it('notifies listeners when another node commits timers or releases claims', async () => {
      const a = await freshPostgresStore();
      const b = new PostgresStore({ connectionString: DATABASE_URL!, schema: a.schema, poolSize: 2 });
      try {
        let heard = 0;
        let wake = () => {};
        const heardOnce = new Promise<void>((resolve) => (wake = resolve));
        await b.onWork(() => (heard++, wake()));
        await a.releaseLeases('nobody');
        await heardOnce;
        assert.ok(heard >= 1);
      } finally {
        await b.close();
        await disposePostgresStore(a);
      }
    });
  });
}
