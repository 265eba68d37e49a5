// The flows and revisions lists read only the columns their items show: not a revision's definition,
// nor a flow's or revision's validation report (errors, warnings), which can be as large as the
// definition. Shown here by making those columns unreadable behind the store's back: the lists still
// answer, in every paging mode, while a fetch of the whole record fails on them. SQLite always,
// PostgreSQL when DATABASE_URL is set (the list items' exact fields are in the conformance suite).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import type { FlowRecord, RevisionRecord, Store } from '../../src/runtime/ports/store.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { DATABASE_URL, SKIP_REASON, disposePostgresStore, freshPostgresStore } from './postgres-support.ts';

const ACCOUNT = 'AC' + 'a'.repeat(32);
const FLOW = 'FW' + 'b'.repeat(32);
const T0 = 1_700_000_000_000;
const REVISIONS = 5;

/** Columns a list has no use for, made text that is not JSON. */
const UNREADABLE = [
  "UPDATE flow_revisions SET definition = 'not json', errors = 'not json', warnings = 'not json'",
  "UPDATE flows SET errors = 'not json', warnings = 'not json'",
];

function head(revision: number): FlowRecord {
  return {
    sid: FLOW,
    accountSid: ACCOUNT,
    friendlyName: 'listed',
    status: 'published',
    revision,
    publishedRevision: revision,
    commitMessage: `rev ${revision}`,
    authorSid: null,
    valid: true,
    errors: [],
    warnings: [],
    dateCreated: T0,
    dateUpdated: T0 + revision,
  };
}

function revisionOf(flow: FlowRecord): RevisionRecord {
  const definition = { description: 'd', initial_state: 'Trigger', states: [], flags: { allow_concurrent_calls: true } } as unknown as RevisionRecord['definition'];
  const { sid, publishedRevision: _published, ...rest } = flow;
  return { ...rest, flowSid: sid, definition, dateCreated: flow.dateUpdated!, dateUpdated: null };
}

async function seed(store: Store): Promise<void> {
  await store.createAccount({ sid: ACCOUNT, authToken: 'token', friendlyName: 'a', dateCreated: T0 });
  await store.createFlow(head(1), revisionOf(head(1)));
  for (let n = 2; n <= REVISIONS; n++) await store.saveFlowRevision(head(n), revisionOf(head(n)));
}

async function checkLists(store: Store, spoil: (sql: string) => Promise<void>): Promise<void> {
  await seed(store);
  for (const sql of UNREADABLE) await spoil(sql);
  await assert.rejects(store.getRevision(ACCOUNT, FLOW, 1), SyntaxError, 'the columns really are unreadable');

  const flows = await store.listFlows(ACCOUNT, { pageSize: 10 });
  assert.deepEqual(flows.items.map((f) => [f.sid, f.revision, f.commitMessage]), [[FLOW, REVISIONS, `rev ${REVISIONS}`]]);

  const numbers = async (page: Parameters<Store['listRevisions']>[2]) => (await store.listRevisions(ACCOUNT, FLOW, page)).items.map((r) => r.revision);
  assert.deepEqual(await numbers({ pageSize: 2 }), [5, 4]);
  assert.deepEqual(await numbers({ pageSize: 2, offset: 2 }), [3, 2]);
  assert.deepEqual(await numbers({ pageSize: 2, cursor: { direction: 'after', position: '4' } }), [3, 2]);
  assert.deepEqual(await numbers({ pageSize: 2, cursor: { direction: 'before', position: '2' } }), [4, 3]);
}

describe('flows and revisions lists read no definition or validation report', () => {
  it('SQLite', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    try {
      await checkLists(store, async (sql) => void store.db.exec(sql));
    } finally {
      await store.close();
    }
  });

  it('PostgreSQL', { skip: SKIP_REASON }, async () => {
    const store: PostgresStore = await freshPostgresStore();
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    try {
      await client.query(`SET search_path TO "${store.schema}"`);
      await checkLists(store, async (sql) => void (await client.query(sql)));
    } finally {
      await client.end();
      await disposePostgresStore(store);
    }
  });
});
