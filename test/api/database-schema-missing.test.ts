// A PostgreSQL database dropped and recreated empty under a running node (a restore not yet run):
// its tables are gone (42P01 undefined_table). Not the request's fault, nor a bug: the API answers
// 503/20503 saying the database has no Switchboard schema, not 500. It is no outage either: waiting
// does not bring the tables back, so the retry machinery does not take it for one.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { toApiError } from '../../src/api/wire/error-mapping.ts';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { databaseSchemaMissing, databaseUnavailableReason, isTransientStoreError } from '../../src/runtime/ports/store-errors.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { basicAuth, form, FORM } from '../support/server.ts';
import { DATABASE_URL, SKIP_REASON } from '../store/postgres-support.ts';

const smsEcho = readFileSync(new URL('../fixtures/flows/sms-echo.json', import.meta.url), 'utf8');
const coded = (message: string, code: string) => Object.assign(new Error(message), { code });

const SCHEMA_MISSING = /^The database has no Switchboard schema .*restart the node.*; try again later$/;

describe('the classifier: missing tables are no outage, and answer 503', () => {
  const missing: [string, Error][] = [
    ['42P01 undefined_table', coded('relation "flows" does not exist', '42P01')],
    ['3F000 invalid_schema_name', coded('schema "switchboard" does not exist', '3F000')],
    ['42883 on a switchboard_ function', coded('function switchboard_apply_sprints(jsonb, unknown) does not exist', '42883')],
  ];
  for (const [what, error] of missing) {
    it(what, () => {
      assert.equal(databaseSchemaMissing(error), true);
      assert.equal(databaseUnavailableReason(error), null, 'not an outage');
      assert.equal(isTransientStoreError(error), false, 'not retried as one');
      const api = toApiError(error, 1024);
      assert.equal(api.status, 503);
      assert.equal(api.code, 20503);
      assert.match(api.message, SCHEMA_MISSING);
      assert.doesNotMatch(api.message, /"/, "the database's own message does not reach the client");
    });
  }

  it('an unknown function of anything else stays a bug (500)', () => {
    const error = coded('function lower(integer) does not exist', '42883');
    assert.equal(databaseSchemaMissing(error), false);
    assert.equal(toApiError(error, 1024).status, 500);
  });
});

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('PostgreSQL, for real: the database dropped and recreated empty', { skip: SKIP_REASON }, () => {
  it('API requests answer 503/20503 with what to do, /readyz 503', { timeout: 60_000 }, async () => {
    const database = `sb_test_db_${randomBytes(5).toString('hex')}`;
    // template0: nobody is ever connected to it, so tests creating databases at once do not collide.
    await admin(`CREATE DATABASE "${database}" TEMPLATE template0`);
    const url = new URL(DATABASE_URL!);
    url.pathname = `/${database}`;
    const store = new PostgresStore({ connectionString: url.toString(), schema: 'sbs', poolSize: 3, onError: () => undefined });
    await store.ready();
    const config = { ...loadConfig({}, {}), dataDir: ':memory:', readCacheMs: 600_000, inboundExecutionRate: 0, restExecutionRate: 0, logLevel: 'silent' as const };
    const app = await createApp(config, { store });
    after(async () => {
      await app.close().catch(() => undefined);
      await admin(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    });
    const { account } = await app.accounts.ensureStartupAccount();
    const auth = basicAuth(account.sid, account.authToken);
    const call = (method: 'GET' | 'POST', path: string, body?: string) =>
      app.server.inject({ method, url: path, payload: body, headers: { authorization: auth, ...(body !== undefined ? FORM : {}) } });
    const created = await call('POST', '/v2/Flows', form({ FriendlyName: 'Gone', Status: 'published', Definition: smsEcho }));
    assert.equal(created.statusCode, 201, created.body);
    const flowSid = created.json().sid as string;
    assert.equal((await call('GET', '/readyz')).statusCode, 200);
    // The account and the flow stay in the node's read cache: requests get past authentication to the
    // store's tables and functions (the execution's sprint is switchboard_apply_sprints).
    assert.equal((await call('GET', `/v2/Flows/${flowSid}`)).statusCode, 200);

    await admin(`DROP DATABASE "${database}" WITH (FORCE)`);
    await admin(`CREATE DATABASE "${database}" TEMPLATE template0`);
    // The pool's connections were cut by the drop: a request that meets one is an outage (503) as before.
    // Then every connection is to the new, empty database.
    for (let i = 0; i < 5; i++) await call('GET', '/v2/Flows');

    const requests: [string, 'GET' | 'POST', string, string?][] = [
      ['list flows', 'GET', '/v2/Flows'],
      ['fetch a flow revision', 'GET', `/v2/Flows/${flowSid}/Revisions/1`],
      ['list executions', 'GET', `/v2/Flows/${flowSid}/Executions`],
      ['create an execution', 'POST', `/v2/Flows/${flowSid}/Executions`, form({ To: '+15551230001', From: '+15005550006' })],
      ['create a flow', 'POST', '/v2/Flows', form({ FriendlyName: 'New', Status: 'published', Definition: smsEcho })],
      ['the inbound webhook', 'POST', `/v1/Accounts/${account.sid}/Flows/${flowSid}`, form({ From: '+15551230002', To: '+15005550006', Body: 'hi', MessageSid: `SM${'1'.repeat(32)}` })],
    ];
    for (const [what, method, path, body] of requests) {
      const res = await call(method, path, body);
      assert.equal(res.statusCode, 503, `${what}: ${res.body}`);
      assert.equal(res.json().code, 20503, what);
      assert.equal(res.json().status, 503, what);
      assert.match(res.json().message, SCHEMA_MISSING, what);
    }
    const ready = await call('GET', '/readyz');
    assert.equal(ready.statusCode, 503, ready.body);
    assert.equal(ready.json().migrations.ok, false);
    assert.match(ready.json().migrations.error, /no Switchboard schema/);
  });
});
