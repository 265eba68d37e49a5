// Retention finds the ended executions past it on executions_ended_by_age (migration 10) on both
// stores: on any other index a batch would read every execution, the active and the young ones too.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { PRUNE_EXECUTIONS } from '../../src/store/postgres/postgres-store.ts';
import { ENDED_BEFORE } from '../../src/store/sql-statements.ts';
import { DATABASE_URL, SKIP_REASON, disposePostgresStore, freshPostgresStore } from './postgres-support.ts';

describe('ended executions past their retention are found on executions_ended_by_age', () => {
  it('SQLite', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    try {
      const plan = (store.db.prepare(`EXPLAIN QUERY PLAN ${ENDED_BEFORE}`).all(1, 1000) as { detail: string }[]).map((row) => row.detail).join(' | ');
      // A range of the index in its own order: no sort, no table row read.
      assert.match(plan, /^SEARCH executions USING COVERING INDEX executions_ended_by_age \(date_created<\?\)$/, plan);
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
      let n = 0;
      const text = PRUNE_EXECUTIONS.replace(/\?/g, () => `$${++n}`);
      // EXPLAIN without ANALYZE plans the delete without running it.
      const plan = (await client.query(`EXPLAIN ${text}`, [1, 1000])).rows.map((row: Record<string, string>) => row['QUERY PLAN']).join('\n');
      assert.match(plan, /Index Scan using executions_ended_by_age on executions .*\n\s*Index Cond: \(date_created < /, plan);
      assert.doesNotMatch(plan, /->\s*Sort\b/, `read in index order, not sorted: ${plan}`);
      // The delete finds each picked row by its SID, not by reading the ended ones again.
      assert.match(plan, /Index Cond: \(sid = picked\.sid\)/, plan);
    } finally {
      await client.end();
      await disposePostgresStore(store);
    }
  });
});
