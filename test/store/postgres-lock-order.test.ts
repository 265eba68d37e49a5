// Group-committed batches apply their sprints in one order on every node (lock-order.ts): a batch that
// starts executions for contacts P2 then P1 while another node's transaction holds P1 and goes on to P2
// waits on P1 holding nothing of P2, instead of holding P2 and closing a deadlock cycle that PostgreSQL
// only breaks after deadlock_timeout (1 s), stalling every sprint of the batch.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { lockOrder } from '../../src/store/postgres/lock-order.ts';
import { sprintJson } from '../../src/store/postgres/sprint-json.ts';
import { StoreConflictError, type ExecutionRecord, type SprintWrite } from '../../src/runtime/ports/store.ts';
import { newSid } from '../../src/runtime/ids.ts';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { triggerFlow } from '../support/flows.ts';
import { DATABASE_URL, SKIP_REASON, disposePostgresStore, freshPostgresStore } from './postgres-support.ts';

const T0 = Date.UTC(2030, 0, 1);

function execution(accountSid: string, flowSid: string, contact: string): ExecutionRecord {
  return {
    sid: newSid('FN'),
    accountSid,
    flowSid,
    flowVersion: 1,
    contactSid: 'FX' + newSid('FN').slice(2),
    contactChannelAddress: contact,
    channelAddress: '+15005550006',
    status: 'active',
    initiatedBy: 'API',
    state: { cursor: 'Trigger' },
    dateCreated: T0,
    dateUpdated: null,
  };
}

function start(exec: ExecutionRecord): SprintWrite {
  return { execution: exec, isNew: true, exclusive: true, steps: [], timersToAdd: [], timersToCancel: [], effectsToAdd: [], effectsDone: [] };
}

describe('the lock order of a batch', () => {
  it('sorts by flow, contact and channel, keeping the order of one pair’s sprints', () => {
    const a1 = start(execution('AC1', 'FW1', '+15550000002'));
    const b = start(execution('AC1', 'FW1', '+15550000001'));
    const a2 = { ...a1, isNew: false as const, expectedVersion: 1 };
    const other = start(execution('AC1', 'FW0', '+15550000009'));
    assert.deepEqual(lockOrder([a1, b, a2, other]), [3, 1, 0, 2]);
    assert.deepEqual(lockOrder([]), []);
  });
});

describe('PostgreSQL: batches from two nodes do not deadlock', { skip: SKIP_REASON || false, timeout: 60_000 }, () => {
  it('a batch waits on the first pair another transaction holds, holding none of the later ones', async () => {
    const store = await freshPostgresStore();
    const other = new pg.Client({ connectionString: DATABASE_URL });
    await other.connect();
    let closeApp = async () => {};
    try {
      const app = await createApp({ ...loadConfig({}, {}), dataDir: ':memory:' }, { store });
      closeApp = () => app.close();
      const accountSid = (await app.accounts.ensureStartupAccount()).account.sid;
      const definition = triggerFlow('lock order', 'incomingRequest', 'bye', [{ name: 'bye', type: 'set-variables', transitions: [{ event: 'next' }], properties: { variables: [{ key: 'a', value: '1' }] } }]);
      const flowSid = (await app.flows.create(accountSid, { friendlyName: 'lock order', status: 'published', definition })).sid;
      const P1 = '+15550000001';
      const P2 = '+15550000002';
      // The other node: starts P1's execution in an open transaction, as its batch would.
      await other.query(`SET search_path TO "${store.schema}"`);
      await other.query('BEGIN');
      await other.query("SET LOCAL deadlock_timeout = '10s'");
      // Gives up on a lock before this node's deadlock check (1 s) would break a cycle: had this node's batch
      // taken P2 first, the insert of P2 below would fail rather than wait.
      await other.query("SET LOCAL lock_timeout = '300ms'");
      const otherPid = (await other.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
      await other.query('SELECT switchboard_apply_sprints($1::jsonb, $2)', [`[${sprintJson(start(execution(accountSid, flowSid, P1)))}]`, 'lock_order_test']);
      // This node: one batch, written P2 first, then P1.
      const writes = [store.writeSprint(start(execution(accountSid, flowSid, P2))), store.writeSprint(start(execution(accountSid, flowSid, P1)))];
      const settled = Promise.allSettled(writes);
      // Until the batch waits for P1.
      for (let waited = 0; ; waited += 20) {
        const { rows } = await store.pool.query(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%switchboard_apply_sprints%' AND pid <> $1",
          [otherPid],
        );
        if (rows[0].n > 0) break;
        assert.ok(waited < 10_000, 'the batch never waited for P1');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // The other node goes on to P2: free, as this node's batch waits on P1 holding nothing of P2.
      await other.query('SELECT switchboard_apply_sprints($1::jsonb, $2)', [`[${sprintJson(start(execution(accountSid, flowSid, P2)))}]`, 'lock_order_test']);
      await other.query('COMMIT');
      // Both pairs were started by the other node first: this node's two starts are conflicts, as if serial.
      for (const result of await settled) {
        assert.equal(result.status, 'rejected');
        assert.ok(result.reason instanceof StoreConflictError && result.reason.reason === 'active-execution', String(result.reason));
      }
    } finally {
      await other.query('ROLLBACK').catch(() => undefined);
      await other.end();
      await closeApp();
      await disposePostgresStore(store);
    }
  });
});
