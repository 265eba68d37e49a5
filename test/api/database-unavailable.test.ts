// PostgreSQL down, timing out or out of connections: the API answers 503/20503 (as for a full SQLite
// disk) rather than 500/20500, so clients and load balancers retry; /readyz says the same.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { toApiError } from '../../src/api/wire/error-mapping.ts';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { PostgresStore, DatabaseStartupError } from '../../src/store/postgres/postgres-store.ts';
import { basicAuth, form, FORM, startTestServer } from '../support/server.ts';
import { DATABASE_URL, SKIP_REASON, testSchemaName, dropSchema } from '../store/postgres-support.ts';

const smsEcho = readFileSync(new URL('../fixtures/flows/sms-echo.json', import.meta.url), 'utf8');

const coded = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('toApiError: a database that cannot serve now is 503/20503', () => {
  const unavailable: [string, Error][] = [
    ['connection refused', coded('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['connection reset', coded('read ECONNRESET', 'ECONNRESET')],
    ['broken pipe', coded('write EPIPE', 'EPIPE')],
    ['connect timed out', coded('connect ETIMEDOUT 10.0.0.1:5432', 'ETIMEDOUT')],
    ['SQLSTATE 08006 connection failure', coded('connection failure', '08006')],
    ['SQLSTATE 57P01 admin shutdown', coded('terminating connection due to administrator command', '57P01')],
    ['SQLSTATE 57P02 crash shutdown', coded('terminating connection because of crash of another server process', '57P02')],
    ['SQLSTATE 57P03 cannot connect now', coded('the database system is starting up', '57P03')],
    ['statement timeout (57014)', coded('canceling statement due to statement timeout', '57014')],
    ['too many connections (53300)', coded('sorry, too many clients already', '53300')],
    ['out of memory (53200)', coded('out of memory', '53200')],
    ['read-only standby (25006)', coded('cannot execute INSERT in a read-only transaction', '25006')],
    ["pg-pool's connect timeout", new Error('timeout exceeded when trying to connect')],
    ["pg's lost connection", new Error('Connection terminated unexpectedly')],
    ['a store that failed to open', new DatabaseStartupError('cannot use PostgreSQL at postgres://x (schema public): connect ECONNREFUSED', coded('connect ECONNREFUSED', 'ECONNREFUSED'))],
  ];
  for (const [what, error] of unavailable) {
    it(what, () => {
      const api = toApiError(error, 1024);
      assert.equal(api.status, 503, api.message);
      assert.equal(api.code, 20503);
      assert.match(api.message, /^The database is unavailable \(.+\); try again later$/);
      // Nothing of the connection (host, port, user) reaches the client.
      assert.doesNotMatch(api.message, /127\.0\.0\.1|10\.0\.0\.1|postgres:/);
    });
  }

  it('other database errors, a wrapped upstream fetch failure and Fastify codes stay as they were', () => {
    assert.equal(toApiError(coded('duplicate key value violates unique constraint', '23505'), 1024).status, 500);
    assert.equal(toApiError(coded('syntax error', '42601'), 1024).status, 500);
    assert.equal(toApiError(new TypeError('fetch failed', { cause: coded('connect ECONNREFUSED', 'ECONNREFUSED') }), 1024).status, 500);
    assert.equal(toApiError(coded('invalid byte sequence', '22021'), 1024).status, 400);
    assert.equal(toApiError(coded('body too large', 'FST_ERR_CTP_BODY_TOO_LARGE'), 1024).status, 413);
  });
});

/** A SQLite store whose every call but the account reads fails with `down` while it is set. */
function failingStore(): { store: SqliteStore; fail(error: Error | null): void } {
  const inner = new SqliteStore({ path: ':memory:' });
  let down: Error | null = null;
  const working = new Set(['getAccount', 'getApiKey', 'listAccounts', 'close', 'kind']);
  const store = new Proxy(inner, {
    get(target, name) {
      const value = Reflect.get(target, name, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => (down && !working.has(String(name)) ? Promise.reject(down) : value.apply(target, args));
    },
  });
  return { store, fail: (error) => (down = error) };
}

describe('the API on a database that went away', () => {
  for (const [what, error] of [
    ['connection refused', coded('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['statement timeout', coded('canceling statement due to statement timeout', '57014')],
    ['pool exhausted', new Error('timeout exceeded when trying to connect')],
  ] as const) {
    it(`${what}: list and create executions and the inbound webhook answer 503/20503`, async () => {
      const { store, fail } = failingStore();
      const t = await startTestServer({ store, config: { readCacheMs: 0 } });
      after(() => t.close());
      const call = (method: 'GET' | 'POST', url: string, body?: string) =>
        t.app.server.inject({ method, url, payload: body, headers: { authorization: t.auth, ...(body !== undefined ? FORM : {}) } });
      const created = await call('POST', '/v2/Flows', form({ FriendlyName: 'Down', Status: 'published', Definition: smsEcho }));
      assert.equal(created.statusCode, 201, created.body);
      const flowSid = created.json().sid as string;
      fail(error);
      const answers = [
        await call('GET', `/v2/Flows/${flowSid}/Executions`),
        await call('POST', `/v2/Flows/${flowSid}/Executions`, form({ To: '+15551230001', From: '+15005550006' })),
        await call('POST', `/v1/Accounts/${t.account.sid}/Flows/${flowSid}`, form({ From: '+15551230002', To: '+15005550006', Body: 'hi', MessageSid: `SM${'1'.repeat(32)}` })),
      ];
      for (const res of answers) {
        assert.equal(res.statusCode, 503, res.body);
        assert.equal(res.json().code, 20503);
        assert.equal(res.json().status, 503);
      }
      assert.equal((await call('GET', '/readyz')).statusCode, 503);
      fail(null);
      assert.equal((await call('GET', `/v2/Flows/${flowSid}/Executions`)).statusCode, 200);
    });
  }
});

describe('PostgreSQL, for real', { skip: SKIP_REASON }, () => {
  it('every connection of the pool held: requests answer 503 (pg-pool connect timeout), then 200 again', async () => {
    const schema = testSchemaName();
    const store = new PostgresStore({ connectionString: DATABASE_URL!, schema, poolSize: 1, connectTimeoutMs: 300 });
    await store.ready();
    const config = { ...loadConfig({}, {}), dataDir: ':memory:', readCacheMs: 0, inboundExecutionRate: 0, restExecutionRate: 0 };
    const app = await createApp(config, { store });
    after(async () => {
      await app.close();
      await dropSchema(schema);
    });
    const { account } = await app.accounts.ensureStartupAccount();
    const auth = basicAuth(account.sid, account.authToken);
    const call = (method: 'GET' | 'POST', url: string, body?: string) =>
      app.server.inject({ method, url, payload: body, headers: { authorization: auth, ...(body !== undefined ? FORM : {}) } });
    const created = await call('POST', '/v2/Flows', form({ FriendlyName: 'Pool', Status: 'published', Definition: smsEcho }));
    assert.equal(created.statusCode, 201, created.body);
    const flowSid = created.json().sid as string;
    const held = await store.pool.connect();
    try {
      const res = await call('GET', `/v2/Flows/${flowSid}/Executions`);
      assert.equal(res.statusCode, 503, res.body);
      assert.equal(res.json().code, 20503);
      assert.match(res.json().message, /no database connection became free in time/);
    } finally {
      held.release();
    }
    assert.equal((await call('GET', `/v2/Flows/${flowSid}/Executions`)).statusCode, 200);
  });

  it('a database nobody listens at: 503, not 500', async () => {
    const store = new PostgresStore({ connectionString: 'postgres://postgres@127.0.0.1:1/test', schema: testSchemaName(), connectTimeoutMs: 500, onError: () => undefined });
    const config = { ...loadConfig({}, {}), dataDir: ':memory:', readCacheMs: 0 };
    const app = await createApp(config, { store }).catch(() => null);
    if (app) after(() => app.close().catch(() => undefined));
    // createApp itself may already fail (the runtime reads the store when it starts): that error maps too.
    const error = await store.getFlow('AC' + '0'.repeat(32), 'FW' + '0'.repeat(32)).catch((e: unknown) => e);
    assert.equal(toApiError(error, 1024).status, 503);
    if (!app) await store.close().catch(() => undefined);
  });
});
