// Query plans of the stores' SQL, for tests that an index serves a query: SQLite's EXPLAIN QUERY PLAN
// on a fresh in-memory store, PostgreSQL's EXPLAIN in a fresh schema with sequential scans off (an empty
// table is read sequentially whatever its indexes; what counts is that the index serves).
import pg from 'pg';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { DATABASE_URL, disposePostgresStore, freshPostgresStore } from './postgres-support.ts';

export interface PlannedQuery {
  sql: string;
  params: (string | number)[];
}

/** SQLite's plan of each query, its rows' details joined by ' | '. */
export async function sqlitePlans(queries: PlannedQuery[]): Promise<string[]> {
  const store = new SqliteStore({ path: ':memory:' });
  try {
    return queries.map((query) => (store.db.prepare(`EXPLAIN QUERY PLAN ${query.sql}`).all(...query.params) as { detail: string }[]).map((row) => row.detail).join(' | '));
  } finally {
    await store.close();
  }
}

/** PostgreSQL's plan of each query (`?` placeholders), its lines joined; EXPLAIN without ANALYZE runs nothing. */
export async function postgresPlans(queries: PlannedQuery[]): Promise<string[]> {
  const store = await freshPostgresStore();
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    await client.query(`SET search_path = "${store.schema}"; SET enable_seqscan = off`);
    const plans: string[] = [];
    for (const query of queries) {
      let n = 0;
      const text = query.sql.replace(/\?/g, () => `$${++n}`);
      plans.push((await client.query(`EXPLAIN ${text}`, query.params)).rows.map((row: Record<string, string>) => row['QUERY PLAN']).join('\n'));
    }
    return plans;
  } finally {
    await client.end();
    await disposePostgresStore(store);
  }
}
