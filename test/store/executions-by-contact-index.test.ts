// A flow's executions by contact (?ContactAddress=, the console's Contact search) are read off
// executions_by_contact (migration 11) on both stores, in list order: on executions_by_flow a page
// read past every newer execution of the flow, and a contact without executions past all of them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { executionFilterSql } from '../../src/store/sql-statements.ts';
import { DATABASE_URL, SKIP_REASON, disposePostgresStore, freshPostgresStore } from './postgres-support.ts';

const ACCOUNT = 'AC' + '1'.repeat(32);
const FLOW = 'FW' + '2'.repeat(32);

/** The queries a page of one contact's executions runs (with the other filters too): the first page, and by cursor either way. */
function pageQueries(): { sql: string; params: (string | number)[] }[] {
  const { where, params } = executionFilterSql(ACCOUNT, FLOW, { contactAddress: '+15550100', status: 'ended', dateCreatedFrom: 1, dateCreatedTo: 2 });
  return [
    { sql: `SELECT * FROM executions WHERE ${where} ORDER BY seq DESC LIMIT ? OFFSET ?`, params: [...params, 51, 0] },
    { sql: `SELECT * FROM executions WHERE ${where} AND seq < ? ORDER BY seq DESC LIMIT ?`, params: [...params, 100, 51] },
    { sql: `SELECT * FROM executions WHERE ${where} AND seq > ? ORDER BY seq ASC LIMIT ?`, params: [...params, 100, 50] },
  ];
}

describe("one contact's executions are read off executions_by_contact", () => {
  it('SQLite', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    try {
      for (const query of pageQueries()) {
        const plan = (store.db.prepare(`EXPLAIN QUERY PLAN ${query.sql}`).all(...query.params) as { detail: string }[]).map((row) => row.detail).join(' | ');
        assert.match(plan, /USING INDEX executions_by_contact \(account_sid=\? AND flow_sid=\? AND contact_channel_address=\?/, plan);
        assert.doesNotMatch(plan, /TEMP B-TREE/, `read in list order, no sort: ${plan}`);
      }
    } finally {
      await store.close();
    }
  });

  it('PostgreSQL', { skip: SKIP_REASON }, async () => {
    const store = await freshPostgresStore();
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    try {
      // An empty table is read sequentially whatever its indexes: what counts is that the index serves.
      await client.query(`SET search_path = "${store.schema}"; SET enable_seqscan = off`);
      for (const query of pageQueries()) {
        let n = 0;
        const text = query.sql.replace(/\?/g, () => `$${++n}`);
        const plan = (await client.query(`EXPLAIN ${text}`, query.params)).rows.map((row: Record<string, string>) => row['QUERY PLAN']).join('\n');
        assert.match(plan, /executions_by_contact/, plan);
      }
    } finally {
      await client.end();
      await disposePostgresStore(store);
    }
  });
});
