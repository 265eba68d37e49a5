// One execution's alerts (/v1/Alerts?ResourceSid=, the console's execution page) are read off
// alerts_by_execution on both stores, not by walking the account's alerts on alerts_by_account
// (every newer alert of the account, and all of them for an execution without alerts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { alertFilterSql } from '../../src/store/sql-statements.ts';
import { DATABASE_URL, SKIP_REASON, disposePostgresStore, freshPostgresStore } from './postgres-support.ts';

const ACCOUNT = 'AC' + '1'.repeat(32);
const EXECUTION = 'FN' + '2'.repeat(32);

/** The queries a page of one execution's alerts runs: the first page, and by cursor either way. */
function pageQueries(): { sql: string; params: (string | number)[] }[] {
  const { where, params } = alertFilterSql(ACCOUNT, { executionSid: EXECUTION, logLevel: 'error' });
  return [
    { sql: `SELECT * FROM alerts WHERE ${where} ORDER BY seq DESC LIMIT ? OFFSET ?`, params: [...params, 51, 0] },
    { sql: `SELECT * FROM alerts WHERE ${where} AND seq < ? ORDER BY seq DESC LIMIT ?`, params: [...params, 100, 51] },
    { sql: `SELECT * FROM alerts WHERE ${where} AND seq > ? ORDER BY seq ASC LIMIT ?`, params: [...params, 100, 50] },
  ];
}

describe("one execution's alerts are read off alerts_by_execution", () => {
  it('SQLite', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    try {
      for (const query of pageQueries()) {
        const plan = (store.db.prepare(`EXPLAIN QUERY PLAN ${query.sql}`).all(...query.params) as { detail: string }[]).map((row) => row.detail).join(' | ');
        assert.match(plan, /USING INDEX alerts_by_execution \(account_sid=\? AND execution_sid=\?/, plan);
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
        assert.match(plan, /alerts_by_execution/, plan);
      }
    } finally {
      await client.end();
      await disposePostgresStore(store);
    }
  });
});
