// A node that listens before its store is ready (serve does: a PostgreSQL node may wait minutes for
// another node's schema migration): /healthz answers 200, /readyz 503 "starting", and every other
// request 503/20503 in Twilio's format, until the runtime has started and the node opens.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { basicAuth } from '../support/server.ts';
import { freePort } from '../support/ports.ts';
import { DATABASE_URL, SKIP_REASON, dropSchema, testSchemaName } from '../store/postgres-support.ts';

describe('a node that is still starting', () => {
  it('answers probes, refuses the API and webhooks with 503/20503, and serves once open', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    // The store's first work waits as a PostgreSQL store waits for a migration another node holds.
    let release!: () => void;
    const migration = new Promise<void>((resolve) => (release = resolve));
    const claims = store.releaseAbandonedClaims.bind(store);
    Object.assign(store, { releaseAbandonedClaims: async (isAbandoned: (owner: string) => boolean) => (await migration, claims(isAbandoned)) });
    const app = await createApp({ ...loadConfig({}, {}), dataDir: ':memory:' }, { store, deferStart: true });
    after(() => app.close());
    const get = (url: string, auth?: string) => app.server.inject({ method: 'GET', url, headers: auth ? { authorization: auth } : {} });
    const starting = app.start();

    const health = await get('/healthz');
    assert.equal(health.statusCode, 200);
    const ready = await get('/readyz');
    assert.equal(ready.statusCode, 503);
    assert.equal(ready.json().status, 'starting');
    assert.equal(ready.json().store.ok, false);
    for (const [method, url] of [
      ['GET', '/v2/Flows'],
      ['POST', `/v2/Flows/FW${'0'.repeat(32)}/Executions`],
      ['POST', `/v1/Accounts/AC${'0'.repeat(32)}/Flows/FW${'0'.repeat(32)}`],
    ] as const) {
      const res = await app.server.inject({ method, url, headers: { authorization: basicAuth('AC' + '0'.repeat(32), 'x'), 'content-type': 'application/x-www-form-urlencoded' }, payload: method === 'POST' ? 'From=%2B15551230001&To=%2B15005550006' : undefined });
      assert.equal(res.statusCode, 503, `${method} ${url}: ${res.body}`);
      assert.deepEqual(Object.keys(res.json()).sort(), ['code', 'message', 'more_info', 'status']);
      assert.equal(res.json().code, 20503);
      assert.match(res.json().message, /starting/);
    }

    release();
    await starting;
    const { account } = await app.accounts.ensureStartupAccount();
    app.open();
    assert.equal((await get('/readyz')).statusCode, 200);
    assert.equal((await get('/v2/Flows', basicAuth(account.sid, account.authToken))).statusCode, 200);
  });

  it('createApp without deferStart serves at once (tests and tools)', async () => {
    const app = await createApp({ ...loadConfig({}, {}), dataDir: ':memory:' }, { store: new SqliteStore({ path: ':memory:' }) });
    after(() => app.close());
    assert.equal((await app.server.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
  });
});

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

describe('switchboard serve waiting for another node\'s migration (PostgreSQL)', { skip: SKIP_REASON }, () => {
  it('listens meanwhile: /healthz 200, /readyz and the API 503; serves once the lock is released', { timeout: 120_000 }, async () => {
    const schema = testSchemaName();
    // Another node migrating: it holds the schema's migration lock (the key serve's migration takes).
    const holder = new pg.Client({ connectionString: DATABASE_URL });
    await holder.connect();
    await holder.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [`switchboard:migrate:${schema}`]);
    let locked = true;
    const port = await freePort();
    const child = spawn(process.execPath, [MAIN, 'serve', '--port', String(port), '--host', '127.0.0.1', '--log-level', 'error'], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: DATABASE_URL!, SWITCHBOARD_DATABASE_SCHEMA: schema },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    after(async () => {
      child.kill('SIGTERM');
      await exited;
      if (locked) await holder.query('SELECT pg_advisory_unlock_all()');
      await holder.end();
      await dropSchema(schema);
    });
    const base = `http://127.0.0.1:${port}`;
    // Up within the start of Node and the sources, though the store is not ready.
    let health: Response | null = null;
    for (let i = 0; i < 600 && !health; i++) {
      health = await fetch(`${base}/healthz`).catch(() => null);
      if (!health) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(health, `serve never listened: ${out}`);
    assert.equal(health.status, 200);
    const ready = await fetch(`${base}/readyz`);
    assert.equal(ready.status, 503);
    assert.equal(((await ready.json()) as { status: string }).status, 'starting');
    const api = await fetch(`${base}/v2/Flows`);
    assert.equal(api.status, 503);
    assert.equal(((await api.json()) as { code: number }).code, 20503);
    assert.doesNotMatch(out, /listening on/, 'the banner waits until the node serves');

    await holder.query('SELECT pg_advisory_unlock_all()');
    locked = false;
    for (let i = 0; i < 600 && !out.includes('listening on'); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.match(out, /listening on/);
    assert.equal((await fetch(`${base}/readyz`)).status, 200);
  });
});
