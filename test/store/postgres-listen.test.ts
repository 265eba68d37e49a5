// The PostgreSQL LISTEN connection that wakes a node for other nodes' timers comes back after it is
// dropped (here: terminated by the server), and the node is told to look for work it may have missed.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { DATABASE_URL, SKIP_REASON, disposePostgresStore, freshPostgresStore } from './postgres-support.ts';

it('re-listens after the LISTEN connection is dropped', { skip: SKIP_REASON || false, timeout: 30_000 }, async () => {
  const store = await freshPostgresStore();
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  try {
    const woken: (number | null)[] = [];
    await store.onWork((dueAt) => woken.push(dueAt));
    const listeners = async () =>
      // Only this store's connection (its channel is named after its schema): other tests run alongside.
      (await admin.query('SELECT pid FROM pg_stat_activity WHERE query = $1', [`LISTEN "switchboard_work_${store.schema.toLowerCase()}"`])).rows.map((r) => Number(r.pid));
    const before = await listeners();
    assert.ok(before.length > 0, 'a LISTEN connection is open');
    for (const pid of before) await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    // Back within a few seconds, telling the node to look now (null).
    const deadline = Date.now() + 10_000;
    while (!woken.includes(null) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(woken.includes(null), 'the node was told to look for missed work');
    const after = await listeners();
    assert.ok(after.some((pid) => !before.includes(pid)), 'a new LISTEN connection is open');
  } finally {
    await admin.end();
    await disposePostgresStore(store);
  }
});
