// A disk that fills up while serving: writes fail with SQLITE_FULL (not "cannot rollback - no
// transaction is active", which hid it), the API answers 503/20503 rather than 500, and /readyz
// reports the store not ready until a write succeeds again. PRAGMA max_page_count makes SQLite
// answer SQLITE_FULL as a full tmpfs would.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { deserializeError, serializeError, type WriterRequest } from '../../src/store/sqlite/writer.ts';
import { sqliteDiskErrorCode } from '../../src/store/sqlite/disk-errors.ts';
import { toApiError } from '../../src/api/wire/error-mapping.ts';
import { startTestServer, form, FORM } from '../support/server.ts';

const root = mkdtempSync(join(tmpdir(), 'switchboard-diskfull-'));
after(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const freshPath = () => join(root, `db-${++counter}`, 'switchboard.db');

/** Lets the file grow by `pages` pages more, at most (this connection only). */
function capPages(store: SqliteStore, pages: number): void {
  const count = Number((store.db.prepare('PRAGMA page_count').get() as { page_count: number }).page_count);
  store.db.exec(`PRAGMA max_page_count = ${count + pages}`);
}

const smsEcho = readFileSync(new URL('../fixtures/flows/sms-echo.json', import.meta.url), 'utf8');

/** A store whose writes fail: its background claim calls (which may still commit) do not make ping() pass again. */
async function claimsKeepTheFailure(store: SqliteStore, lease: { owner: string; until: number }): Promise<void> {
  await assert.rejects(store.ping(), /writes are failing: database or disk is full \(SQLITE_FULL\)/);
  assert.deepEqual(await store.claimDueTimers(Date.now(), lease, 100), []);
  assert.deepEqual(await store.claimEffects(Date.now(), lease, 100), []);
  await store.renewLeases(lease, { timers: ['TI-none'], effects: [] });
  await store.releaseClaimsOf(['node-gone']);
  await assert.rejects(store.ping(), /writes are failing/);
}

describe('SQLite store on a full disk', () => {
  it('transaction() rethrows SQLITE_FULL itself (SQLite already rolled back) and leaves no transaction open', () => {
    const store = new SqliteStore({ path: ':memory:' });
    try {
      store.db.exec('CREATE TABLE filler (x TEXT)');
      capPages(store, 0);
      assert.throws(
        () => store.transaction(() => store.db.prepare('INSERT INTO filler VALUES (?)').run('x'.repeat(20_000))),
        (error: Error & { errcode?: number }) => {
          assert.match(error.message, /database or disk is full/);
          assert.equal(sqliteDiskErrorCode(error), 'SQLITE_FULL');
          return true;
        },
      );
      assert.equal(store.db.isTransaction, false);
      // And the connection still works: a transaction that fits commits.
      store.transaction(() => store.db.exec("INSERT INTO settings (key, value) VALUES ('k', 'v')"));
    } finally {
      store.db.close();
    }
  });

  // On a full tmpfs the timer and effect claim rounds (every second or so, and nothing due: they change no
  // row) kept committing, and each success made /readyz 200 again while every create still answered 503.
  it('a claim round committing on a full disk leaves /readyz at 503; a write that lands clears it', async () => {
    const store = new SqliteStore({ path: freshPath() });
    try {
      const lease = { owner: 'node-a', until: Date.now() + 30_000 };
      store.db.exec('CREATE TABLE filler (x TEXT)');
      const fill = () => store.transaction(() => store.db.prepare('INSERT INTO filler VALUES (?)').run('x'.repeat(20_000)));
      capPages(store, 0);
      assert.throws(fill, /database or disk is full/);
      await claimsKeepTheFailure(store, lease);
      capPages(store, 1000);
      fill();
      await store.ping();
    } finally {
      await store.close();
    }
  });

  it('the same with the writer thread: its claim calls do not clear a disk failure', async () => {
    const store = new SqliteStore({ path: freshPath(), writer: 'thread' });
    // The thread's connection cannot be capped from here: its next setSetting is answered as a full disk would.
    const postMessage = Worker.prototype.postMessage;
    let failNext = true;
    Worker.prototype.postMessage = function (this: Worker, message: WriterRequest) {
      if (failNext && message.op === 'call' && message.method === 'setSetting') {
        failNext = false;
        setImmediate(() => this.emit('message', { id: message.id, ok: false, error: { name: 'Error', message: 'database or disk is full', code: 'ERR_SQLITE_ERROR', errcode: 13 } }));
        return;
      }
      return postMessage.call(this, message);
    };
    try {
      const lease = { owner: 'node-a', until: Date.now() + 30_000 };
      await assert.rejects(store.setSetting('k', 'v'), /database or disk is full/);
      await claimsKeepTheFailure(store, lease);
      await store.setSetting('k', 'v');
      await store.ping();
    } finally {
      Worker.prototype.postMessage = postMessage;
      await store.close();
    }
  });

  it('the writer thread hands the SQLite result code across, and the API maps it to 503/20503', () => {
    const full = Object.assign(new Error('database or disk is full'), { code: 'ERR_SQLITE_ERROR', errcode: 13, errstr: 'database or disk is full' });
    const rebuilt = deserializeError(serializeError(full)) as Error & { errcode?: number };
    assert.equal(rebuilt.errcode, 13);
    const api = toApiError(rebuilt, 1024);
    assert.equal(api.status, 503);
    assert.equal(api.code, 20503);
    assert.match(api.message, /disk full/);
    // SQLITE_IOERR_WRITE (778) is an I/O error; a constraint (19) is not a disk matter.
    assert.equal(toApiError(Object.assign(new Error('disk I/O error'), { code: 'ERR_SQLITE_ERROR', errcode: 778 }), 1024).status, 503);
    assert.equal(toApiError(Object.assign(new Error('constraint'), { code: 'ERR_SQLITE_ERROR', errcode: 19 }), 1024).status, 500);
  });

  it('creates answer 503/20503 with the disk error logged, /readyz is 503 until a write succeeds again', async () => {
    const store = new SqliteStore({ path: freshPath() });
    const t = await startTestServer({ store });
    after(() => t.close());
    const call = (method: 'GET' | 'POST', url: string, body?: string) =>
      t.app.server.inject({ method, url, payload: body, headers: { authorization: t.auth, ...(body !== undefined ? FORM : {}) } });
    const created = await call('POST', '/v2/Flows', form({ FriendlyName: 'Disk', Status: 'published', Definition: smsEcho }));
    assert.equal(created.statusCode, 201, created.body);
    const flowSid = created.json().sid as string;
    let contact = 0;
    const start = () =>
      call('POST', `/v2/Flows/${flowSid}/Executions`, form({ To: `+1555010${String(++contact).padStart(4, '0')}`, From: '+15005550006', Parameters: JSON.stringify({ pad: 'p'.repeat(2000) }) }));
    assert.equal((await start()).statusCode, 201);
    assert.equal((await call('GET', '/readyz')).statusCode, 200);

    capPages(store, 0);
    for (let i = 0; i < 3; i++) {
      const refused = await start();
      assert.equal(refused.statusCode, 503, refused.body);
      assert.equal(refused.json().code, 20503);
      assert.match(refused.json().message, /disk full/);
    }
    const ready = await call('GET', '/readyz');
    assert.equal(ready.statusCode, 503, ready.body);
    assert.equal(ready.json().store.ok, false);
    assert.match(ready.json().store.error, /database or disk is full \(SQLITE_FULL\)/);

    // Space again: the next create succeeds and the store is ready again.
    capPages(store, 1000);
    assert.equal((await start()).statusCode, 201);
    assert.equal((await call('GET', '/readyz')).statusCode, 200);
  });
});
