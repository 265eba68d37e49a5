// Another process holding the SQLite file's write lock (a `sqlite3` shell's BEGIN EXCLUSIVE, a backup):
// the server's writes neither freeze the event loop in SQLite's busy handler (5 s a write, /healthz
// waited behind them) nor fail as a 500. A write waits briefly, then retries without blocking and
// lands once the lock is released; held past the retries, it fails with SQLITE_BUSY, a 503/20503.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SqliteStore, type SqliteWriterMode } from '../../src/store/sqlite/sqlite-store.ts';
import { BUSY_RETRY_MS, BUSY_WAIT_MS } from '../../src/store/sqlite/busy.ts';
import { toApiError } from '../../src/api/wire/error-mapping.ts';
import { startTestServer, form, FORM } from '../support/server.ts';

const root = mkdtempSync(join(tmpdir(), 'switchboard-busy-'));
after(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const freshPath = () => join(root, `db-${++counter}`, 'switchboard.db');
const smsEcho = readFileSync(new URL('../fixtures/flows/sms-echo.json', import.meta.url), 'utf8');

/** Another connection to the file holding its write lock, as `sqlite3 switchboard.db 'BEGIN EXCLUSIVE; …'` does. */
function holdLock(path: string): { release(): void } {
  const db = new DatabaseSync(path);
  db.exec('BEGIN EXCLUSIVE');
  return {
    release() {
      if (db.isTransaction) db.exec('COMMIT');
      db.close();
    },
  };
}

/** The longest the event loop went without running a 5 ms timer, while it runs. */
function loopStalls(): { stop(): number } {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 5);
  timer.unref(); // a test failing before stop() does not keep the file running
  return {
    stop() {
      clearInterval(timer);
      return longest;
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The longest the event loop may go without running a timer. The busy handler blocks an attempt for
 * BUSY_WAIT_MS on purpose, and a loaded machine adds its scheduling delay on top (100 ms became 220-310 ms
 * on 2 busy cores); what is guarded against blocks at least BUSY_RETRY_MS: a write's retries held in the
 * busy handler, or the old 5 s busy_timeout.
 */
const MAX_STALL_MS = (BUSY_RETRY_MS * 3) / 4;
/** The probes answer in a few ms; queued behind the refused write, they would wait most of BUSY_RETRY_MS. */
const MAX_PROBE_MS = BUSY_RETRY_MS / 2;

describe('SQLite store while another connection holds the write lock', () => {
  it('a write waits without blocking the thread and lands once the lock is released', async () => {
    const path = freshPath();
    const store = new SqliteStore({ path });
    try {
      const lock = holdLock(path);
      const stalls = loopStalls();
      let landed = false;
      const written = store.setSetting('k', 'v').then(() => void (landed = true));
      // Its first attempt waited BUSY_WAIT_MS in the busy handler and failed; it retries without blocking
      // until BUSY_RETRY_MS after the call. Released soon, well within that: a loaded machine delays timers
      // by hundreds of ms, and a release after the last retry would fail the write (as it should).
      await sleep(BUSY_WAIT_MS);
      assert.equal(landed, false, 'it waited for the lock');
      lock.release();
      await written;
      const longest = stalls.stop();
      assert.ok(longest < MAX_STALL_MS, `the event loop kept running (it stalled ${longest} ms)`);
      assert.equal(await store.getSetting('k'), 'v');
    } finally {
      await store.close();
    }
  });

  it('held past the retries: each write fails with SQLITE_BUSY (a 503/20503) after about a second, the loop never blocked long; released, writes succeed', async () => {
    const path = freshPath();
    const store = new SqliteStore({ path });
    try {
      const lock = holdLock(path);
      const stalls = loopStalls();
      const started = performance.now();
      const writes = Array.from({ length: 20 }, (_, i) => store.setSetting(`k${i}`, 'v').then(() => null, (error: unknown) => error));
      const errors = await Promise.all(writes);
      const took = performance.now() - started;
      const longest = stalls.stop();
      for (const error of errors) assert.equal(((error as { errcode?: number }).errcode ?? 0) & 0xff, 5, String(error));
      assert.ok(took < BUSY_RETRY_MS + 1000, `they failed in ${took} ms`);
      assert.ok(longest < MAX_STALL_MS, `the event loop stalled ${longest} ms`);
      const api = toApiError(errors[0], 1024);
      assert.equal(api.status, 503);
      assert.equal(api.code, 20503);
      lock.release();
      await store.setSetting('after', 'yes');
      assert.equal(await store.getSetting('after'), 'yes');
    } finally {
      await store.close();
    }
  });

  for (const writer of ['inline', 'thread'] as SqliteWriterMode[]) {
    it(`API (${writer} writer): a create answers 503/20503 quickly, /healthz and /readyz at once; released, creates succeed`, { timeout: 60_000 }, async () => {
      const path = freshPath();
      const t = await startTestServer({ store: new SqliteStore({ path, writer }) });
      try {
        const call = (method: 'GET' | 'POST', url: string, body?: string) =>
          t.app.server.inject({ method, url, payload: body, headers: { authorization: t.auth, ...(body !== undefined ? FORM : {}) } });
        const created = await call('POST', '/v2/Flows', form({ FriendlyName: 'Busy', Status: 'published', Definition: smsEcho }));
        assert.equal(created.statusCode, 201, created.body);
        const flowSid = created.json().sid as string;
        let contact = 0;
        const start = () => call('POST', `/v2/Flows/${flowSid}/Executions`, form({ To: `+1555020${String(++contact).padStart(4, '0')}`, From: '+15005550006' }));
        assert.equal((await start()).statusCode, 201);

        const lock = holdLock(path);
        const began = performance.now();
        const refused = start();
        await sleep(BUSY_WAIT_MS + 50);
        const probeAt = performance.now();
        const [health, ready] = await Promise.all([call('GET', '/healthz'), call('GET', '/readyz')]);
        const probeTook = performance.now() - probeAt;
        const response = await refused;
        const took = performance.now() - began;
        lock.release();
        assert.equal(health.statusCode, 200);
        assert.equal(ready.statusCode, 200, ready.body);
        assert.ok(probeTook < MAX_PROBE_MS, `the probes took ${probeTook} ms`);
        assert.equal(response.statusCode, 503, response.body);
        assert.equal(response.json().code, 20503);
        assert.match(response.json().message, /another connection holds its lock/);
        assert.ok(took < BUSY_RETRY_MS + 1500, `the create was answered after ${took} ms`);

        assert.equal((await start()).statusCode, 201);
      } finally {
        await t.close();
      }
    });
  }
});
