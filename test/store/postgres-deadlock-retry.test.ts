// A transaction PostgreSQL aborts for a deadlock is run again, not answered as a 500: deleting a flow
// (its row, then its revisions) while another transaction holds the revisions and then asks for the flow
// is a lock cycle, and PostgreSQL aborts the waiter that finds it (the delete, set to look first).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { DATABASE_URL, SKIP_REASON, disposePostgresStore, freshPostgresStore } from './postgres-support.ts';
import { triggerFlow } from '../support/flows.ts';

it('a flow delete aborted by a deadlock is retried and succeeds', { skip: SKIP_REASON || false, timeout: 60_000 }, async () => {
  const store = await freshPostgresStore();
  const app = await createApp({ ...loadConfig({}, {}), dataDir: ':memory:' }, { store });
  const other = new pg.Client({ connectionString: DATABASE_URL });
  await other.connect();
  try {
    const { account } = await app.accounts.ensureStartupAccount();
    const definition = triggerFlow('deadlock', 'incomingRequest', 'bye', [{ name: 'bye', type: 'set-variables', transitions: [{ event: 'next' }], properties: { variables: [{ key: 'a', value: '1' }] } }]);
    const flow = await app.flows.create(account.sid, { friendlyName: 'deadlock', status: 'published', definition });
    const table = (name: string) => `"${store.schema}".${name}`;
    // The other transaction: holds the flow's revisions, and looks for deadlocks only after the delete would.
    await other.query('BEGIN');
    await other.query("SET LOCAL deadlock_timeout = '10s'");
    await other.query(`SELECT 1 FROM ${table('flow_revisions')} WHERE flow_sid = $1 FOR UPDATE`, [flow.sid]);
    const deleting = store.deleteFlow(account.sid, flow.sid);
    // Once the delete holds the flow row and waits for the revisions, ask for the flow: a cycle.
    for (let waited = 0; ; waited += 20) {
      const { rows } = await new Promise<pg.QueryResult>((resolve, reject) => {
        const probe = new pg.Client({ connectionString: DATABASE_URL });
        probe
          .connect()
          .then(() => probe.query("SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND locktype IN ('transactionid', 'tuple', 'relation')"))
          .then(resolve, reject)
          .finally(() => void probe.end());
      });
      if (rows[0].n > 0) break;
      assert.ok(waited < 5000, 'the delete never waited for the revisions');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const takeFlow = other.query(`SELECT 1 FROM ${table('flows')} WHERE sid = $1 FOR UPDATE`, [flow.sid]);
    // PostgreSQL aborts the delete (its check runs first); the other transaction gets the flow and commits.
    await takeFlow;
    await other.query('COMMIT');
    assert.equal(await deleting, true, 'the delete ran again once the other transaction was done');
    assert.equal(await store.getFlow(account.sid, flow.sid), null);
  } finally {
    await other.query('ROLLBACK').catch(() => undefined);
    await other.end();
    await app.close();
    await disposePostgresStore(store);
  }
});
