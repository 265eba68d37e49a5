// Schema migration 12 on both stores: an older database's active call executions get their call SID
// indexed (a call webhook finds them by CallSid), and its accounts get their auth token of then as
// their callback secret, so the callback URLs handed to live calls before the upgrade still verify
// after it, and after the token is rotated.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { SQLITE_MIGRATIONS } from '../../src/store/sqlite/migrations.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { POSTGRES_MIGRATIONS, inlineSql } from '../../src/store/postgres/migrations.ts';
import { sprintJson } from '../../src/store/postgres/sprint-json.ts';
import { signCallback } from '../../src/runtime/call-tokens.ts';
import { CallService } from '../../src/runtime/calls.ts';
import type { ExecutionService } from '../../src/runtime/executions.ts';
import type { ExecutionRecord, Store } from '../../src/runtime/ports/store.ts';
import { DATABASE_URL, SKIP_REASON, dropSchema, testSchemaName } from './postgres-support.ts';

const BEFORE = 11;
const ACCOUNT = 'AC' + 'a'.repeat(32);
const FLOW = 'FW' + 'b'.repeat(32);
const OLD_TOKEN = 'old-auth-token';
const SERVER_SECRET = 'server-secret';
const call = (n: number) => 'CA' + String(n).padStart(32, '0');
const fn = (n: number) => 'FN' + String(n).padStart(32, '0');

/** The rows an older Switchboard left: executions as [sid, status, state]. */
const EXECUTIONS: [string, 'active' | 'ended', string][] = [
  [fn(1), 'active', JSON.stringify({ callSid: call(1), frames: [{ current: 'menu' }] })],
  [fn(2), 'ended', JSON.stringify({ callSid: call(2), frames: [] })],
  [fn(3), 'active', JSON.stringify({ frames: [] })],
  // Escapes jsonb refuses must not roll the migration back (PostgreSQL reads the state as jsonb).
  [fn(4), 'active', JSON.stringify({ note: 'bin\u0000ary \ud800', callSid: call(4) })],
];

const INSERT_EXECUTION = `INSERT INTO executions (sid, account_sid, flow_sid, flow_version, contact_sid, contact_channel_address, channel_address,
  status, initiated_by, state, context, date_created) VALUES (?, ?, ?, 1, ?, ?, ?, ?, 'API', ?, '{}', 1)`;

function executionParams([sid, status, state]: (typeof EXECUTIONS)[number], n: number): (string | number)[] {
  return [sid, ACCOUNT, FLOW, 'FC' + String(n).padStart(32, '0'), `+1555000000${n}`, '+15005550006', status, state];
}

/** A CallService on `store` checks tokens only through it (verify needs no executions). */
function verifier(store: Store): CallService {
  return new CallService(store, {} as ExecutionService, { serverSecret: SERVER_SECRET });
}

async function checkUpgraded(store: Store): Promise<void> {
  const claim = { executionSid: fn(1), callbackId: 'CBgather1', kind: 'a' as const };
  // Issued before the upgrade: keyed by the account's auth token, as every release before migration 12 did.
  const token = signCallback(claim, OLD_TOKEN, SERVER_SECRET);
  const account = (await store.getAccount(ACCOUNT))!;
  assert.equal(account.callbackSecret, OLD_TOKEN, 'backfilled with the auth token of then');
  assert.deepEqual(await verifier(store).verify(ACCOUNT, token), claim, 'a token issued before the upgrade verifies');
  await store.updateAccountToken(ACCOUNT, 'rotated-token');
  assert.equal((await store.getAccount(ACCOUNT))!.authToken, 'rotated-token');
  assert.deepEqual(await verifier(store).verify(ACCOUNT, token), claim, 'and still after the token is rotated');

  assert.equal((await store.findActiveExecutionByCall(FLOW, call(1)))?.sid, fn(1), 'an active call execution is backfilled');
  assert.equal((await store.findActiveExecutionByCall(FLOW, call(4)))?.sid, fn(4));
  assert.equal(await store.findActiveExecutionByCall(FLOW, call(2)), null, 'an ended one is not indexed');
  // Written on: a sprint keeps the call indexed.
  const record = (await store.getExecutionBySid(fn(1)))!;
  const next: ExecutionRecord = { ...record, state: { ...(record.state as object), step: 2 }, dateUpdated: 2 };
  await store.writeSprint({ execution: next, isNew: false, expectedVersion: 'unchecked', steps: [], timersToAdd: [], timersToCancel: [], effectsToAdd: [], effectsDone: [] });
  assert.deepEqual(await store.findActiveExecutionByCall(FLOW, call(1)), next);
}

describe('migration 12: call SIDs of active executions and callback secrets are backfilled', () => {
  it('SQLite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-migration-12-'));
    try {
      const path = join(dir, 'switchboard.db');
      const raw = new DatabaseSync(path);
      for (const migration of SQLITE_MIGRATIONS.slice(0, BEFORE)) raw.exec(migration);
      raw.exec(`PRAGMA user_version = ${BEFORE}`);
      raw.prepare('INSERT INTO accounts (sid, auth_token, friendly_name, date_created) VALUES (?, ?, ?, 1)').run(ACCOUNT, OLD_TOKEN, 'Old');
      raw.prepare(`INSERT INTO flows (sid, account_sid, friendly_name, status, revision, valid, errors, warnings, date_created) VALUES (?, ?, 'Old', 'published', 1, 1, '[]', '[]', 1)`).run(FLOW, ACCOUNT);
      for (const [n, row] of EXECUTIONS.entries()) raw.prepare(INSERT_EXECUTION).run(...executionParams(row, n));
      raw.close();

      const store = new SqliteStore({ path });
      try {
        assert.deepEqual(await store.schemaStatus(), { applied: SQLITE_MIGRATIONS.length, expected: SQLITE_MIGRATIONS.length });
        await checkUpgraded(store);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('PostgreSQL', { skip: SKIP_REASON }, async () => {
    const schema = testSchemaName();
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA "${schema}"; SET search_path = "${schema}"`);
      await client.query('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
      for (const [i, migration] of POSTGRES_MIGRATIONS.slice(0, BEFORE).entries()) {
        await client.query(inlineSql(migration));
        await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [i + 1]);
      }
      await client.query(`INSERT INTO accounts (sid, auth_token, friendly_name, date_created) VALUES ($1, $2, 'Old', 1)`, [ACCOUNT, OLD_TOKEN]);
      await client.query(`INSERT INTO flows (sid, account_sid, friendly_name, status, revision, valid, errors, warnings, date_created) VALUES ($1, $2, 'Old', 'published', 1, true, '[]', '[]', 1)`, [FLOW, ACCOUNT]);
      const numbered = INSERT_EXECUTION.replace(/\?/g, (() => { let n = 0; return () => `$${++n}`; })());
      // PostgreSQL keeps no NUL in TEXT: the stored state holds its escape, as JSON.stringify wrote it.
      for (const [n, row] of EXECUTIONS.entries()) await client.query(numbered, executionParams(row, n));

      const store = new PostgresStore({ connectionString: DATABASE_URL!, schema });
      try {
        await store.ready();
        assert.deepEqual(await store.schemaStatus(), { applied: POSTGRES_MIGRATIONS.length, expected: POSTGRES_MIGRATIONS.length });
        await checkUpgraded(store);

        // A node of the older version, still running beside the upgraded schema, sends execution rows
        // without the call SID: the call is read off the state it sends.
        const record = (await store.getExecutionBySid(fn(3)))!;
        const answered: ExecutionRecord = { ...record, state: { frames: [], callSid: call(3) }, dateUpdated: 3 };
        const row = JSON.parse(sprintJson({ execution: answered, isNew: false, expectedVersion: 'unchecked', steps: [], timersToAdd: [], timersToCancel: [], effectsToAdd: [], effectsDone: [] }) as string);
        row.execution = row.execution.slice(0, 14);
        const outcome = await store.pool.query(`SELECT "${schema}".switchboard_apply_sprints($1::jsonb, 'unused') AS o`, [JSON.stringify([row])]);
        assert.deepEqual(outcome.rows[0].o, [{ ok: true }]);
        assert.equal((await store.findActiveExecutionByCall(FLOW, call(3)))?.sid, fn(3));
      } finally {
        await store.close();
      }
    } finally {
      await client.end();
      await dropSchema(schema);
    }
  });
});
