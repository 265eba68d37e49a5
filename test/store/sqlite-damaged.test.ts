// A database file damaged after the server started (a bad page of the steps table): a request that
// reads it answered 500/20500 while /readyz stayed ready, though the README promises that a failing disk
// gives 503 and /readyz 503. SQLITE_CORRUPT (and SQLITE_NOTADB) are store failures now: 503/20503, /readyz
// 503 from then on (nothing the process does repairs the file), and serve logs one error line saying the
// database is damaged and to restore it from a backup (`switchboard backup`).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SqliteStore, type SqliteWriterMode } from '../../src/store/sqlite/sqlite-store.ts';
import { onDatabaseDamaged, sqliteDamageCode, sqliteDiskErrorCode } from '../../src/store/sqlite/disk-errors.ts';
import { toApiError } from '../../src/api/wire/error-mapping.ts';
import { basicAuth, startTestServer, form, FORM, type TestServer } from '../support/server.ts';
import { withServe } from '../support/serve-process.ts';
import { MAIN, SERVER_CWD, serverEnv } from '../support/server-env.ts';

const smsEcho = readFileSync(new URL('../fixtures/flows/sms-echo.json', import.meta.url), 'utf8');
const ACCOUNT = { TWILIO_ACCOUNT_SID: 'AC' + 'd'.repeat(32), TWILIO_AUTH_TOKEN: 'damaged-token' };
/** The flow and its executions belong to the account serve is configured with (TWILIO_ACCOUNT_SID) below. */
const AUTH = basicAuth(ACCOUNT.TWILIO_ACCOUNT_SID, ACCOUNT.TWILIO_AUTH_TOKEN);

const root = mkdtempSync(join(tmpdir(), 'sb-damaged-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** The damaged original: a data directory whose steps table's root page is zeros. */
const original = join(root, 'original');
let flowSid = '';
let executionSid = '';

function call(t: TestServer, method: 'GET' | 'POST', url: string, body?: string) {
  return t.app.server.inject({ method, url, payload: body, headers: { authorization: AUTH, ...(body !== undefined ? FORM : {}) } });
}

/** A fresh copy of the damaged data directory. */
let copies = 0;
function damagedCopy(): string {
  const dir = join(root, `copy-${++copies}`);
  mkdirSync(dir);
  copyFileSync(join(original, 'switchboard.db'), join(dir, 'switchboard.db'));
  return dir;
}

before(async () => {
  const store = new SqliteStore({ path: join(original, 'switchboard.db') });
  const t = await startTestServer({ store });
  try {
    await t.app.accounts.ensureStartupAccount({ sid: ACCOUNT.TWILIO_ACCOUNT_SID, authToken: ACCOUNT.TWILIO_AUTH_TOKEN });
    const created = await call(t, 'POST', '/v2/Flows', form({ FriendlyName: 'Damaged', Status: 'published', Definition: smsEcho }));
    assert.equal(created.statusCode, 201, created.body);
    flowSid = created.json().sid;
    // Enough steps for the table to span several pages.
    for (let i = 0; i < 40; i++) {
      const started = await call(t, 'POST', `/v2/Flows/${flowSid}/Executions`, form({ To: `+1555020${String(i).padStart(4, '0')}`, From: '+15005550006', Parameters: JSON.stringify({ pad: 'p'.repeat(1500) }) }));
      assert.equal(started.statusCode, 201, started.body);
      executionSid = started.json().sid;
    }
  } finally {
    await t.close();
  }
  const db = new DatabaseSync(join(original, 'switchboard.db'));
  const { rootpage } = db.prepare("SELECT rootpage FROM sqlite_schema WHERE name = 'steps'").get() as { rootpage: number };
  const { page_size: pageSize } = db.prepare('PRAGMA page_size').get() as { page_size: number };
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  db.close();
  // A bad page, as a failing disk leaves one.
  const dd = spawnSync('dd', ['if=/dev/zero', `of=${join(original, 'switchboard.db')}`, `bs=${pageSize}`, `seek=${rootpage - 1}`, 'count=1', 'conv=notrunc'], { encoding: 'utf8' });
  assert.equal(dd.status, 0, dd.stderr);
});

describe('SQLite store: a damaged database file', () => {
  it('SQLITE_CORRUPT and SQLITE_NOTADB (extended codes too) are store failures, answered 503/20503', () => {
    for (const errcode of [11, 779, 26]) {
      const error = Object.assign(new Error('database disk image is malformed'), { code: 'ERR_SQLITE_ERROR', errcode });
      assert.ok(sqliteDamageCode(error), String(errcode));
      assert.ok(sqliteDiskErrorCode(error), String(errcode));
      const api = toApiError(error, 1024);
      assert.equal(api.status, 503);
      assert.equal(api.code, 20503);
      assert.match(api.message, /damaged/);
    }
    assert.equal(sqliteDamageCode(Object.assign(new Error('disk full'), { errcode: 13 })), null);
  });

  for (const writer of ['inline', 'thread'] as SqliteWriterMode[]) {
    it(`writer ${writer}: reading the bad page answers 503/20503, and /readyz turns 503 and stays so`, async () => {
      const damaged: string[] = [];
      const unsubscribe = onDatabaseDamaged((reason) => damaged.push(reason));
      const store = new SqliteStore({ path: join(damagedCopy(), 'switchboard.db'), writer });
      const t = await startTestServer({ store });
      try {
        assert.equal((await call(t, 'GET', '/readyz')).statusCode, 200, 'not known damaged before anything meets the bad page');
        for (let i = 0; i < 2; i++) {
          const steps = await call(t, 'GET', `/v2/Flows/${flowSid}/Executions/${executionSid}/Steps`);
          assert.equal(steps.statusCode, 503, steps.body);
          assert.equal(steps.json().code, 20503);
          assert.match(steps.json().message, /database is damaged/);
        }
        const ready = await call(t, 'GET', '/readyz');
        assert.equal(ready.statusCode, 503, ready.body);
        assert.equal(ready.json().store.ok, false);
        assert.match(ready.json().store.error, /^the database file is damaged: database disk image is malformed \(SQLITE_CORRUPT\); .*restore .*switchboard backup/);
        // A write that succeeds elsewhere in the file does not make it whole again.
        assert.equal((await call(t, 'POST', '/v2/Flows', form({ FriendlyName: 'After', Status: 'draft', Definition: smsEcho }))).statusCode, 201);
        assert.equal((await call(t, 'GET', '/readyz')).statusCode, 503);
        assert.deepEqual(damaged, ['database disk image is malformed (SQLITE_CORRUPT)'], 'reported once');
      } finally {
        unsubscribe();
        await t.close();
      }
    });
  }

  it('serve on a file that is not a database: one line saying so and to restore a backup, exit 1', { timeout: 60_000 }, () => {
    const dir = join(root, 'not-a-database');
    mkdirSync(dir);
    writeFileSync(join(dir, 'switchboard.db'), randomBytes(8192));
    const result = spawnSync(process.execPath, [MAIN, 'serve', '--port', '0', '--data-dir', dir], { cwd: SERVER_CWD, env: serverEnv(), encoding: 'utf8', timeout: 60_000 });
    assert.equal(result.status, 1, result.stdout + result.stderr);
    assert.equal(result.stderr, `switchboard: cannot start: the database ${join(dir, 'switchboard.db')} is damaged (file is not a database): restore it from a backup (made with 'switchboard backup'); restarting does not repair it\n`);
    assert.doesNotMatch(result.stdout, /listening on/);
  });

  it('switchboard backup of a damaged database: refused (exit 1), nothing written', { timeout: 60_000 }, () => {
    const dir = damagedCopy();
    const file = join(root, 'backup-of-damaged.db');
    const result = spawnSync(process.execPath, [MAIN, 'backup', '--data-dir', dir, '--to', file], { cwd: SERVER_CWD, env: serverEnv(), encoding: 'utf8', timeout: 60_000 });
    assert.equal(result.status, 1, result.stdout + result.stderr);
    // Met by the copy's check (quick_check's report, or SQLite's error on the first bad page it reads).
    assert.match(result.stderr, /^switchboard backup: the database \S+ is damaged\b.*; no backup was written/);
    assert.ok(!existsSync(file));
    assert.deepEqual(readdirSync(root).filter((name) => name.includes('partial')), [], 'no partial file left');
  });

  it('serve: one error line (a JSON record) saying the database is damaged and to restore it from a backup', { timeout: 120_000 }, async () => {
    const dir = damagedCopy();
    const out = await withServe(['--port', '0', '--log-format', 'json', '--log-level', 'warn'], { ...ACCOUNT, SWITCHBOARD_DATA_DIR: dir }, (o) => /Point twilio-node/.test(o), async (printed) => {
      const base = JSON.parse(printed.out.split('\n').find((line) => line.includes('listening on'))!).url as string;
      for (let i = 0; i < 3; i++) {
        const steps = await fetch(`${base}/v2/Flows/${flowSid}/Executions/${executionSid}/Steps`, { headers: { authorization: AUTH } });
        assert.equal(steps.status, 503);
      }
      assert.equal((await fetch(`${base}/readyz`)).status, 503);
      await new Promise((resolve) => setTimeout(resolve, 200));
      return printed.out;
    });
    const errors = out.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { level: number; msg: string }).filter((record) => record.level >= 50);
    assert.equal(errors.length, 1, out);
    assert.match(errors[0]!.msg, /^the database is damaged: database disk image is malformed \(SQLITE_CORRUPT\); stop the server and restore .*switchboard\.db from a backup \(made with 'switchboard backup'\)/);
  });
});
