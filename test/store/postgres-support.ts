// PostgreSQL for tests: DATABASE_URL when set (CI sets it when a server answers), otherwise the
// tests skip with SKIP_REASON. Every store lives in a schema of its own (sb_test_<random>),
// dropped afterwards, so concurrent and repeated runs never see each other's rows.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresStore, type PostgresStoreOptions } from '../../src/store/postgres/postgres-store.ts';

export const DATABASE_URL = process.env.DATABASE_URL?.startsWith('postgres') ? process.env.DATABASE_URL : undefined;

export const SKIP_REASON = DATABASE_URL
  ? false
  : 'PostgreSQL tests skipped: DATABASE_URL is not set (e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/test)';

export function testSchemaName(): string {
  return `sb_test_${randomBytes(6).toString('hex')}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** A PostgresStore in a fresh schema; close it with disposePostgresStore. */
export async function freshPostgresStore(options: Partial<PostgresStoreOptions> = {}): Promise<PostgresStore> {
  if (!DATABASE_URL) throw new Error('DATABASE_URL is not set');
  const store = new PostgresStore({ connectionString: DATABASE_URL, schema: testSchemaName(), poolSize: 5, ...options });
  await store.ready();
  return store;
}

export async function disposePostgresStore(store: PostgresStore): Promise<void> {
  await store.close();
  await dropSchema(store.schema);
}
