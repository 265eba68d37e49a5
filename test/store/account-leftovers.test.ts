// Rows that name an account no longer in the store: what requests that raced its deletion wrote before
// the store checked the account inside their transactions (flows, revisions, the upstream Twilio token
// under carrier:<AC>), written here as they were, past the port. `accounts delete` of such an account
// purges them (deleteAccount, leftoversOnly), and housekeeping's hourly round finds and deletes them
// (pruneHistory orphans), a bounded batch at a time. SQLite and PostgreSQL alike.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import type { Account, ExecutionRecord, FlowRecord, StepRecord, Store } from '../../src/runtime/ports/store.ts';
import { executionRecord, flowRecord, revisionRecord } from '../support/records.ts';
import { INSERT_EXECUTION, INSERT_FLOW, INSERT_REVISION, STEP_COLUMNS, STEP_PLACEHOLDERS, executionInsertParams, flowInsertParams, revisionInsertParams, stepParams, type SqlValue } from '../../src/store/sql-statements.ts';
import { SKIP_REASON, disposePostgresStore, freshPostgresStore } from './postgres-support.ts';

const T0 = 1_700_000_000_000;
let counter = 0x5000;
const sid = (prefix: string) => prefix + (++counter).toString(16).padStart(32, '0');

type Raw = (sql: string, params: SqlValue[]) => Promise<void>;

/** A flow with its first revision, an execution and a step, for `accountSid`, written past the port. */
async function leftovers(raw: Raw, accountSid: string): Promise<{ flow: FlowRecord; execution: ExecutionRecord; step: StepRecord }> {
  const flow = flowRecord({ sid: sid('FW'), accountSid, friendlyName: 'raced the delete', dateCreated: T0 });
  const revision = revisionRecord(flow, { description: 'x', initial_state: 'Trigger', states: [], flags: { allow_concurrent_calls: true } });
  const execution = executionRecord({ sid: sid('FN'), accountSid, flowSid: flow.sid, contactSid: sid('FX'), dateCreated: T0 });
  const step: StepRecord = {
    sid: sid('FT'),
    accountSid,
    flowSid: flow.sid,
    executionSid: execution.sid,
    parentStepSid: null,
    name: 'Trigger',
    context: {},
    transitionedFrom: 'Trigger',
    transitionedTo: 'Ended',
    type: 'Execution',
    dateCreated: T0,
    dateUpdated: null,
  };
  await raw(INSERT_FLOW, flowInsertParams(flow));
  await raw(INSERT_REVISION, revisionInsertParams(revision));
  await raw(INSERT_EXECUTION, executionInsertParams(execution, true));
  await raw(`INSERT INTO steps ${STEP_COLUMNS} VALUES ${STEP_PLACEHOLDERS}`, stepParams(step));
  return { flow, execution, step };
}

function suite(name: string, open: () => Promise<{ store: Store; raw: Raw; close: () => Promise<void> }>, skip: string | false = false): void {
  describe(`rows of a deleted account: ${name}`, { skip }, () => {
    async function withStore(fn: (store: Store, raw: Raw) => Promise<void>): Promise<void> {
      const { store, raw, close } = await open();
      try {
        await fn(store, raw);
      } finally {
        await close();
      }
    }
    const live: Account = { sid: sid('AC'), authToken: 't', friendlyName: 'live', dateCreated: T0, callbackSecret: 's' };

    async function gone(store: Store, accountSid: string, left: { flow: FlowRecord; execution: ExecutionRecord }) {
      assert.equal(await store.getFlow(accountSid, left.flow.sid), null);
      assert.equal(await store.getRevision(accountSid, left.flow.sid, 'LatestRevision'), null);
      assert.equal(await store.getExecutionBySid(left.execution.sid), null);
      assert.deepEqual((await store.listSteps(accountSid, left.flow.sid, left.execution.sid, { pageSize: 10 })).items, []);
      assert.equal(await store.getSetting(`carrier:${accountSid}`), null, 'the upstream token is gone');
    }

    it('accounts delete of an account whose row is gone purges its flows, revisions, executions and carrier settings', () =>
      withStore(async (store, raw) => {
        await store.createAccount(live);
        const mine = await leftovers(raw, live.sid);
        const ghost = sid('AC');
        const left = await leftovers(raw, ghost);
        await store.setSetting(`carrier:${ghost}`, '{"channel":"twilio","twilio":{"authToken":"upstream-secret"}}');
        assert.deepEqual(await store.deleteAccount(ghost), { apiKeys: 0, flows: 1, leftoversOnly: true });
        await gone(store, ghost, left);
        assert.equal(await store.deleteAccount(ghost), null, 'nothing more');
        assert.ok(await store.getFlow(live.sid, mine.flow.sid), 'a live account keeps its flow');
        assert.ok(await store.getExecutionBySid(mine.execution.sid));
      }));

    it('housekeeping (pruneHistory orphans) finds them by their indexes and deletes them a batch at a time', () =>
      withStore(async (store, raw) => {
        await store.createAccount(live);
        await store.setSetting(`carrier:${live.sid}`, '{"channel":"webhook"}');
        const mine = await leftovers(raw, live.sid);
        const ghosts = [sid('AC'), sid('AC')];
        const left = [];
        for (const ghost of ghosts) {
          left.push(await leftovers(raw, ghost));
          await store.setSetting(`carrier:${ghost}`, '{"channel":"twilio","twilio":{"authToken":"upstream-secret"}}');
        }
        // Per account: the execution (its step goes with it), the revision, the flow, the setting.
        let total = 0;
        for (let round = 0; round < 20; round++) {
          const deleted = await store.pruneHistory({ orphans: true, limit: 3 });
          assert.ok(deleted <= 3, `a batch of at most 3, not ${deleted}`);
          total += deleted;
          if (deleted < 3) break;
        }
        assert.equal(total, 8);
        for (const [i, ghost] of ghosts.entries()) await gone(store, ghost, left[i]!);
        assert.ok(await store.getFlow(live.sid, mine.flow.sid));
        assert.ok(await store.getExecutionBySid(mine.execution.sid));
        assert.equal(await store.getSetting(`carrier:${live.sid}`), '{"channel":"webhook"}');
      }));
  });
}

suite('sqlite', async () => {
  const store = new SqliteStore({ path: ':memory:' });
  const raw: Raw = async (sql, params) => void store.db.prepare(sql).run(...params);
  return { store, raw, close: () => store.close() };
});

let postgres: PostgresStore[] = [];
after(async () => {
  for (const store of postgres) await disposePostgresStore(store).catch(() => undefined);
  postgres = [];
});
suite(
  'postgres',
  async () => {
    const store = await freshPostgresStore();
    postgres.push(store);
    const raw: Raw = async (sql, params) => {
      let n = 0;
      await store.pool.query(sql.replace(/\?/g, () => `$${++n}`), params);
    };
    return {
      store,
      raw,
      close: async () => {
        postgres = postgres.filter((s) => s !== store);
        await disposePostgresStore(store);
      },
    };
  },
  SKIP_REASON,
);
