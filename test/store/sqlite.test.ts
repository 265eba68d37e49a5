// Runs the Store conformance suite against the embedded SQLite store, in memory, on disk, and on disk with
// the writer thread, plus the SQLite-only concerns: durability across reopen and schema versioning.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { SQLITE_MIGRATIONS } from '../../src/store/sqlite/migrations.ts';
import type { FlowRecord, RevisionRecord, Store } from '../../src/runtime/ports/store.ts';
import { executionRecord, flowRecord, revisionRecord } from '../support/records.ts';
import { runStoreConformance } from './conformance.ts';

const root = mkdtempSync(join(tmpdir(), 'switchboard-store-'));
after(() => rmSync(root, { recursive: true, force: true }));
let fileCounter = 0;
const freshPath = () => join(root, `db-${++fileCounter}`, 'switchboard.db');

runStoreConformance('sqlite in memory', async () => new SqliteStore({ path: ':memory:' }));

const paths = new WeakMap<Store, string>();
runStoreConformance(
  'sqlite file',
  async () => {
    const path = freshPath();
    const store = new SqliteStore({ path });
    paths.set(store, path);
    return store;
  },
  async (store) => {
    await store.close();
    rmSync(join(paths.get(store)!, '..'), { recursive: true, force: true });
  },
);

// The same suite with the writer thread (--sqlite-writer thread): every write crosses to it and back.
runStoreConformance(
  'sqlite file, writer thread',
  async () => {
    const path = freshPath();
    const store = new SqliteStore({ path, writer: 'thread' });
    paths.set(store, path);
    return store;
  },
  async (store) => {
    await store.close();
    rmSync(join(paths.get(store)!, '..'), { recursive: true, force: true });
  },
);

function userVersion(path: string): number {
  const db = new DatabaseSync(path);
  try {
    return Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
  } finally {
    db.close();
  }
}

const T0 = 1_700_000_000_000;
const ACCOUNT = 'AC' + '1'.repeat(32);
const FLOW = 'FW' + '1'.repeat(32);

function flowAndRevision(): { flow: FlowRecord; revision: RevisionRecord } {
  const flow = flowRecord({ sid: FLOW, accountSid: ACCOUNT, friendlyName: 'Durable', dateCreated: T0 });
  return { flow, revision: revisionRecord(flow, { initial_state: 'Trigger', states: [] }) };
}

const EXECUTION = executionRecord({ sid: 'FN' + '1'.repeat(32), accountSid: ACCOUNT, flowSid: FLOW, contactSid: 'FX' + '1'.repeat(32), state: { at: 'Trigger' }, dateCreated: T0 });

describe('SqliteStore on disk', () => {
  it('keeps all data across reopen and does not re-run migrations', async () => {
    const path = freshPath();
    const first = new SqliteStore({ path });
    await first.createAccount({ sid: ACCOUNT, authToken: 't', friendlyName: 'A', dateCreated: T0 });
    await first.setSetting('dev_account', ACCOUNT);
    const { flow, revision } = flowAndRevision();
    await first.createFlow(flow, revision);
    await first.writeSprint({
      execution: EXECUTION,
      isNew: true,
      exclusive: true,
      steps: [],
      timersToAdd: [{ id: 'tm1', executionSid: EXECUTION.sid, accountSid: ACCOUNT, dueAt: T0 + 5 }],
      timersToCancel: [],
      effectsToAdd: [{ id: 'ef1', executionSid: EXECUTION.sid, accountSid: ACCOUNT, payload: { send: 1 }, createdAt: T0 }],
      effectsDone: [],
    });
    await first.close();
    assert.equal(userVersion(path), SQLITE_MIGRATIONS.length);

    const second = new SqliteStore({ path });
    try {
      assert.equal(userVersion(path), SQLITE_MIGRATIONS.length);
      assert.equal((await second.getAccount(ACCOUNT))?.friendlyName, 'A');
      assert.equal(await second.getSetting('dev_account'), ACCOUNT);
      assert.deepEqual(await second.getFlow(ACCOUNT, FLOW), flow);
      assert.deepEqual(await second.getRevision(ACCOUNT, FLOW, 'LatestPublished'), revision);
      assert.deepEqual(await second.getExecutionBySid(EXECUTION.sid), EXECUTION);
      assert.equal(await second.nextTimerDue(), T0 + 5);
      assert.equal((await second.pendingEffects(10)).length, 1);
      // keyset positions keep growing after reopen: new rows still sort newest first
      const { flow: f2, revision: r2 } = flowAndRevision();
      const sid2 = 'FW' + '2'.repeat(32);
      await second.createFlow({ ...f2, sid: sid2 }, { ...r2, flowSid: sid2 });
      assert.deepEqual((await second.listFlows(ACCOUNT, { pageSize: 10 })).items.map((f) => f.sid), [sid2, FLOW]);
    } finally {
      await second.close();
    }
  });

  it('upgrades a version-1 database in place, keeping its flows', async () => {
    const path = freshPath();
    // build a database at schema version 1 only, with a flow in it
    mkdirSync(join(path, '..'), { recursive: true });
    const raw = new DatabaseSync(path);
    raw.exec(SQLITE_MIGRATIONS[0]!);
    raw.exec('PRAGMA user_version = 1');
    raw.exec(
      `INSERT INTO flows (sid, account_sid, friendly_name, status, revision, valid, errors, warnings, date_created)
       VALUES ('${FLOW}', '${ACCOUNT}', 'Old', 'draft', 1, 1, '[]', '[]', ${T0})`,
    );
    raw.close();

    const store = new SqliteStore({ path });
    try {
      assert.equal(userVersion(path), SQLITE_MIGRATIONS.length);
      assert.equal((await store.getFlow(ACCOUNT, FLOW))?.friendlyName, 'Old');
      await store.writeSprint({
        execution: EXECUTION,
        isNew: true,
        exclusive: true,
        steps: [],
        timersToAdd: [],
        timersToCancel: [],
        effectsToAdd: [],
        effectsDone: [],
      });
      assert.deepEqual(await store.getExecution(ACCOUNT, FLOW, EXECUTION.sid), EXECUTION);
    } finally {
      await store.close();
    }
  });

  it('version 6: expiry timers go (executions expire by creation time); stored contexts are no longer read and shrink when rewritten', async () => {
    const path = freshPath();
    mkdirSync(join(path, '..'), { recursive: true });
    const raw = new DatabaseSync(path);
    for (const migration of SQLITE_MIGRATIONS.slice(0, 5)) raw.exec(migration);
    raw.exec('PRAGMA user_version = 5');
    raw.exec(
      `INSERT INTO flows (sid, account_sid, friendly_name, status, revision, valid, errors, warnings, date_created)
       VALUES ('${FLOW}', '${ACCOUNT}', 'Old', 'published', 1, 1, '[]', '[]', ${T0})`,
    );
    const oldContext = JSON.stringify({ flow: { data: { big: 'x'.repeat(500) } } });
    raw.prepare(
      `INSERT INTO executions (sid, account_sid, flow_sid, flow_version, contact_sid, contact_channel_address, channel_address,
         status, initiated_by, state, context, date_created) VALUES (?, ?, ?, 1, ?, ?, ?, 'active', 'API', ?, ?, ?)`,
    ).run(EXECUTION.sid, ACCOUNT, FLOW, EXECUTION.contactSid, EXECUTION.contactChannelAddress, EXECUTION.channelAddress, JSON.stringify(EXECUTION.state), oldContext, T0);
    const insertTimer = raw.prepare('INSERT INTO timers (id, execution_sid, account_sid, due_at) VALUES (?, ?, ?, ?)');
    insertTimer.run('EX' + EXECUTION.sid.slice(2), EXECUTION.sid, ACCOUNT, T0 + 30 * 86_400_000);
    insertTimer.run('TM' + EXECUTION.sid.slice(2), EXECUTION.sid, ACCOUNT, T0 + 600_000);
    raw.close();

    const store = new SqliteStore({ path });
    try {
      assert.equal(userVersion(path), SQLITE_MIGRATIONS.length);
      assert.deepEqual((await store.dueTimers(Number.MAX_SAFE_INTEGER, 10)).map((t) => t.id), ['TM' + EXECUTION.sid.slice(2)], 'the reply timer stays');
      assert.deepEqual(await store.expiredExecutions(T0, 10), [{ sid: EXECUTION.sid, dateCreated: T0 }]);
      assert.deepEqual(await store.getExecutionBySid(EXECUTION.sid), EXECUTION);
      await store.writeSprint({
        execution: { ...EXECUTION, state: { at: 'ask' }, dateUpdated: T0 + 1 },
        isNew: false,
        expectedVersion: 'unchecked',
        steps: [],
        timersToAdd: [],
        timersToCancel: [],
        effectsToAdd: [],
        effectsDone: [],
      });
      const row = store.db.prepare('SELECT context FROM executions WHERE sid = ?').get(EXECUTION.sid) as { context: string };
      assert.equal(row.context, '{}');
    } finally {
      await store.close();
    }
  });

  it('version 8: the send ledger moves from settings to channel records naming its account and execution', async () => {
    const path = freshPath();
    mkdirSync(join(path, '..'), { recursive: true });
    const raw = new DatabaseSync(path);
    for (const migration of SQLITE_MIGRATIONS.slice(0, 7)) raw.exec(migration);
    raw.exec('PRAGMA user_version = 7');
    raw.exec(
      `INSERT INTO flows (sid, account_sid, friendly_name, status, revision, valid, errors, warnings, date_created)
       VALUES ('${FLOW}', '${ACCOUNT}', 'Old', 'published', 1, 1, '[]', '[]', ${T0})`,
    );
    raw.exec(
      `INSERT INTO executions (sid, account_sid, flow_sid, flow_version, contact_sid, contact_channel_address, channel_address,
         status, initiated_by, state, context, date_created) VALUES ('${EXECUTION.sid}', '${ACCOUNT}', '${FLOW}', 1, 'FC1', '+1', '+2', 'active', 'API', '{}', '{}', ${T0})`,
    );
    raw.exec(`INSERT INTO pending_effects (id, execution_sid, account_sid, payload, created_at) VALUES ('EFtask', '${EXECUTION.sid}', '${ACCOUNT}', '{}', ${T0})`);
    const owned = JSON.stringify({ effectId: 'EF1', executionSid: EXECUTION.sid, accountSid: ACCOUNT, to: '+15550001111', body: 'hi', state: 'done' });
    const put = raw.prepare('INSERT INTO settings (key, value) VALUES (?, ?)');
    put.run('inflight:EF1', owned);
    put.run('carrier-msg:SM1', JSON.stringify({ effectId: 'EF1', executionSid: EXECUTION.sid, accountSid: ACCOUNT }));
    put.run('carrier-seen:EF1', '{"messageSid":"SM1","status":"sent"}');
    put.run('carrier-task:EFtask', '{"state":"requesting"}');
    put.run('carrier-conv:EFdone', '{"state":"done"}'); // no effect waits on it: nothing to keep it for
    put.run(`carrier:${ACCOUNT}`, '{"channel":"webhook"}');
    raw.close();

    const store = new SqliteStore({ path });
    try {
      assert.equal(userVersion(path), SQLITE_MIGRATIONS.length);
      const records = await store.listChannelRecords('', 10);
      assert.deepEqual(records.map((r) => [r.key, r.accountSid, r.executionSid]), [
        ['carrier-msg:SM1', ACCOUNT, EXECUTION.sid],
        ['carrier-seen:EF1', ACCOUNT, EXECUTION.sid],
        ['carrier-task:EFtask', ACCOUNT, EXECUTION.sid],
        ['inflight:EF1', ACCOUNT, EXECUTION.sid],
      ]);
      assert.equal((await store.getChannelRecord('inflight:EF1'))?.value, owned);
      assert.deepEqual(await store.listSettings(), [{ key: `carrier:${ACCOUNT}`, value: '{"channel":"webhook"}' }]);
    } finally {
      await store.close();
    }
  });

  it('refuses to open a database whose schema is newer than the code', async () => {
    const path = freshPath();
    const store = new SqliteStore({ path });
    await store.createAccount({ sid: ACCOUNT, authToken: 't', friendlyName: 'A', dateCreated: T0 });
    await store.close();
    const raw = new DatabaseSync(path);
    raw.exec(`PRAGMA user_version = ${SQLITE_MIGRATIONS.length + 1}`);
    raw.close();

    assert.throws(
      () => new SqliteStore({ path }),
      (error: Error) =>
        /newer than this Switchboard/.test(error.message) && error.message.includes(String(SQLITE_MIGRATIONS.length + 1)),
    );
    // nothing was touched: the version and the data are still there
    assert.equal(userVersion(path), SQLITE_MIGRATIONS.length + 1);
    const check = new DatabaseSync(path);
    try {
      assert.equal((check.prepare('SELECT count(*) AS n FROM accounts').get() as { n: number }).n, 1);
    } finally {
      check.close();
    }
  });

  it('opens one WAL descriptor per SQLite connection: the writer thread sets up no group commit of its own', { skip: process.platform !== 'linux' && 'counts descriptors in /proc/self/fd' }, async () => {
    const path = freshPath();
    const walDescriptors = () => readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === `${path}-wal`;
      } catch {
        return false; // closed between the listing and the read
      }
    }).length;
    // No checkpointer: its thread opens its connection whenever it gets to it.
    const store = new SqliteStore({ path, writer: 'thread', checkpoints: 'none' });
    try {
      // Written by the writer thread: its connection is open.
      await store.createAccount({ sid: ACCOUNT, authToken: 't', friendlyName: 'A', dateCreated: T0 });
      assert.ok(await store.getAccount(ACCOUNT));
      // This thread's connection and the writer thread's: no third for an fsync the writer thread never runs.
      assert.equal(walDescriptors(), 2);
    } finally {
      await store.close();
    }
    assert.equal(walDescriptors(), 0);
  });

  it('restarts the WAL between group commits when the checkpointer hands it over, so the WAL stays short under continuous writes', async () => {
    const path = freshPath();
    // A short WAL and frequent checkpoints, so the hand-off happens many times here. Should this store not
    // restart the WAL when asked, or not say so, the checkpointer holds its checkpoints for a second each
    // time and the WAL grows by a second's writes (SQLite restarts a fully copied-back WAL by itself at
    // the next write, so only that growth tells the two apart).
    const store = new SqliteStore({ path, checkpointTuning: { everyMs: 5, restartAtPages: 64 } });
    try {
      await store.createAccount({ sid: ACCOUNT, authToken: 't', friendlyName: 'A', dateCreated: T0 });
      const { flow, revision } = flowAndRevision();
      await store.createFlow(flow, revision);
      const sprint = (state: unknown, isNew: boolean) => {
        const parts = { execution: { ...EXECUTION, state }, steps: [], timersToAdd: [], timersToCancel: [], effectsToAdd: [], effectsDone: [] };
        return store.writeSprint(isNew ? { ...parts, isNew: true, exclusive: true } : { ...parts, isNew: false, expectedVersion: 'unchecked' });
      };
      await sprint(EXECUTION.state, true);
      // Each commit rewrites a ~9 KB state: at least two WAL frames of overflow pages besides the row's.
      let commits = 0;
      const started = performance.now();
      while (performance.now() - started < 1500 || commits < 1500) {
        await sprint({ at: 'Trigger', padding: String(commits).padEnd(9000, 'x') }, false);
        commits++;
        // As a server's loop turns between requests: the checkpointer's messages arrive in its poll phase.
        await new Promise((resolve) => setImmediate(resolve));
      }
      const written = commits * 2;
      const walPages = statSync(`${path}-wal`).size / 4096;
      assert.ok(walPages < written / 4, `the WAL grew to ${walPages.toFixed(0)} pages of at least ${written} written`);
      assert.equal(((await store.getExecutionBySid(EXECUTION.sid))?.state as { padding: string }).padding, String(commits - 1).padEnd(9000, 'x'));
    } finally {
      await store.close();
    }
  });

  it('every migration leaves the schema usable from an empty database', () => {
    const raw = new DatabaseSync(':memory:');
    try {
      for (const migration of SQLITE_MIGRATIONS) raw.exec(migration);
      const tables = (raw.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as { name: string }[]).map(
        (t) => t.name,
      );
      for (const name of ['executions', 'steps', 'timers', 'pending_effects', 'flows', 'flow_revisions']) {
        assert.ok(tables.includes(name), `table ${name}`);
      }
    } finally {
      raw.close();
    }
  });
});
