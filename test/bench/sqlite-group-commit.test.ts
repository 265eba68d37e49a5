// SQLite group commit (the write path benchmark scenario 1 depends on): sprints written concurrently
// share one transaction, each caller resolves only once its write is committed (another connection
// sees it), and a sprint that fails inside a batch fails alone.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Fsync } from '../../src/store/sqlite/wal-sync.ts';
import { StoreConflictError, type ExecutionRecord, type SprintWrite } from '../../src/runtime/ports/store.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';

const T0 = 1_700_000_000_000;
const ACCOUNT = 'AC' + 'a'.repeat(32);
const FLOW = 'FW' + 'b'.repeat(32);

function executionSid(n: number): string {
  return 'FN' + n.toString(16).padStart(32, '0');
}

async function seed(store: SqliteStore): Promise<void> {
  await store.createAccount({ sid: ACCOUNT, authToken: 'token', friendlyName: 'bench', dateCreated: T0 });
  const definition = { description: 'x', initial_state: 'Trigger', states: [], flags: { allow_concurrent_calls: true } } as unknown as FlowDefinition;
  const common = { accountSid: ACCOUNT, friendlyName: 'f', status: 'published' as const, commitMessage: null, authorSid: null, valid: true, errors: [], warnings: [], dateCreated: T0, dateUpdated: null };
  await store.createFlow({ ...common, sid: FLOW, revision: 1, publishedRevision: 1 }, { ...common, flowSid: FLOW, revision: 1, definition });
}

function newExecution(n: number, contact = `+1555${String(n).padStart(7, '0')}`): SprintWrite {
  const execution: ExecutionRecord = {
    sid: executionSid(n),
    accountSid: ACCOUNT,
    flowSid: FLOW,
    flowVersion: 1,
    contactSid: 'FC' + n.toString(16).padStart(32, '0'),
    contactChannelAddress: contact,
    channelAddress: '+15005550006',
    status: 'active',
    initiatedBy: 'RQ1',
    state: { n },
    dateCreated: T0 + n,
    dateUpdated: null,
  };
  return {
    execution,
    isNew: true,
    exclusive: true,
    steps: [],
    timersToAdd: [{ id: 'TM' + n.toString(16).padStart(32, '0'), executionSid: execution.sid, accountSid: ACCOUNT, dueAt: T0 + 1000 }],
    timersToCancel: [],
    effectsToAdd: [],
    effectsDone: [],
  };
}

describe('SQLite group commit', () => {
  for (const writer of ['inline', 'thread'] as const) {
    it(`commits concurrent sprints in one transaction, each visible to another connection once resolved (${writer} writer)`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sb-group-'));
      const path = join(dir, 'db.sqlite');
      const store = new SqliteStore({ path, writer });
      try {
        await seed(store);
        // Inline, the transactions are counted where they run; on the writer thread, the batches sent to it.
        let transactions = 0;
        if (writer === 'inline') {
          const original = store.transaction.bind(store);
          store.transaction = <T>(fn: () => T): T => {
            transactions++;
            return original(fn);
          };
        }
        const reader = new DatabaseSync(path, { readOnly: true });
        const count = () => Number((reader.prepare('SELECT COUNT(*) AS n FROM executions').get() as { n: number }).n);
        const seen: number[] = [];
        const writes = Array.from({ length: 50 }, (_, i) => store.writeSprint(newExecution(i + 1)).then(() => seen.push(count())));
        assert.equal(count(), 0, 'nothing is committed before the batch runs');
        await Promise.all(writes);
        if (writer === 'inline') assert.equal(transactions, 1, 'fifty concurrent sprints share one transaction');
        // The first caller to resolve already sees all fifty: they were committed together.
        assert.deepEqual(seen, Array(50).fill(50), 'every caller resolves after the commit that holds its write');
        assert.equal(Number((reader.prepare('SELECT COUNT(*) AS n FROM timers').get() as { n: number }).n), 50);
        reader.close();
      } finally {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  for (const writer of ['inline', 'thread'] as const) {
    it(`fails only the sprint that breaks a constraint, with the store's conflict error; the rest of its batch commits (${writer} writer)`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sb-group-'));
      const store = new SqliteStore({ path: writer === 'inline' ? ':memory:' : join(dir, 'db.sqlite'), writer });
      try {
        await seed(store);
        const clash = '+15550000001';
        const results = await Promise.allSettled([
          store.writeSprint(newExecution(1, clash)),
          store.writeSprint(newExecution(2, clash)), // a second active execution for the same contact
          store.writeSprint(newExecution(3)),
        ]);
        assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
        // The runtime retries on this class and reason: it must survive the trip back from the writer thread.
        const error = (results[1] as PromiseRejectedResult).reason;
        assert.ok(error instanceof StoreConflictError, `a StoreConflictError, not ${error}`);
        assert.equal(error.reason, 'active-execution');
        assert.ok(await store.getExecutionBySid(executionSid(1)));
        assert.equal(await store.getExecutionBySid(executionSid(2)), null);
        assert.ok(await store.getExecutionBySid(executionSid(3)));
        const timers = await store.dueTimers(T0 + 1000, 10);
        assert.deepEqual(timers.map((t) => t.executionSid).sort(), [executionSid(1), executionSid(3)], "the failed sprint's timer is rolled back with it");
      } finally {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('close() commits sprints still queued', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-group-'));
    const path = join(dir, 'db.sqlite');
    try {
      const store = new SqliteStore({ path });
      await seed(store);
      const write = store.writeSprint(newExecution(7));
      await store.close();
      await write;
      const reopened = new SqliteStore({ path });
      assert.ok(await reopened.getExecutionBySid(executionSid(7)));
      await reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SQLite group commit fsync off the event loop', () => {
  type Pending = ((error: NodeJS.ErrnoException | null) => void)[];
  /** A seeded file store whose fsyncs the test completes by hand (`pending`, in the order asked). */
  async function withHeldFsync(test: (store: SqliteStore, pending: Pending) => Promise<void>): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), 'sb-walsync-'));
    const pending: Pending = [];
    const fsync: Fsync = (_fd, done) => void pending.push(done);
    const store = new SqliteStore({ path: join(dir, 'db.sqlite'), fsync });
    try {
      await seed(store);
      await test(store, pending);
    } finally {
      while (pending.length) pending.shift()!(null);
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const settled = async (promise: Promise<unknown>) => {
    let done = false;
    void promise.then(() => (done = true), () => (done = true));
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    return done;
  };
  /** n sprints written together (one batch), numbered from `from`. */
  const batch = (store: SqliteStore, from: number, n = 16) => Array.from({ length: n }, (_, i) => store.writeSprint(newExecution(from + i)));

  it('a big batch resolves only after the fsync that follows its commit; batches queued meanwhile go together after it', () =>
    withHeldFsync(async (store, pending) => {
      const first = Promise.all(batch(store, 1));
      assert.equal(await settled(first), false, 'committed, but not acknowledged before its fsync');
      assert.equal(pending.length, 1);
      assert.ok(await store.getExecutionBySid(executionSid(1)), 'the commit itself ran');
      assert.equal(Number((store.db.prepare('PRAGMA synchronous').get() as { synchronous: number }).synchronous), 2, 'every other transaction stays synchronous=FULL');
      // Two more batches while that fsync is on the disk: they wait for it, then go as one transaction.
      const second = Promise.all(batch(store, 17));
      const third = Promise.all(batch(store, 33));
      assert.equal(await settled(third), false);
      assert.equal(await store.getExecutionBySid(executionSid(17)), null, 'one batch at a time');
      pending.shift()!(null);
      await first;
      assert.equal(await settled(second), false, 'the first fsync does not cover batches committed after it');
      assert.ok(await store.getExecutionBySid(executionSid(48)));
      assert.equal(pending.length, 1, 'one fsync for both later batches');
      pending.shift()!(null);
      await Promise.all([second, third]);
    }));

  it('a small batch fsyncs inline (synchronous=FULL), the lower latency at moderate load', () =>
    withHeldFsync(async (store, pending) => {
      await Promise.all(batch(store, 1, 2));
      assert.equal(pending.length, 0, 'not handed to the thread pool');
    }));

  it('a failed fsync fails every sprint it was to make durable', () =>
    withHeldFsync(async (store, pending) => {
      const writes = batch(store, 1);
      await settled(writes[0]!);
      pending.shift()!(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
      const results = await Promise.allSettled(writes);
      assert.ok(results.every((r) => r.status === 'rejected'), 'none is reported stored');
      assert.match(String((results[0] as PromiseRejectedResult).reason), /EIO/);
      // The next batch gets an fsync of its own.
      const later = Promise.all(batch(store, 17));
      await settled(later);
      pending.shift()!(null);
      await later;
    }));
});

describe('SQLite writer thread', () => {
  it('if it dies, every write fails (none is reported done) and the store stops being ready', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-writer-'));
    const store = new SqliteStore({ path: join(dir, 'db.sqlite'), writer: 'thread' });
    try {
      await seed(store);
      await store.writeSprint(newExecution(1));
      await store.ping();
      await store.writer!.terminate();
      await assert.rejects(store.writeSprint(newExecution(2)), /writer thread exited/);
      await assert.rejects(store.setSetting('k', 'v'), /writer thread exited/);
      await assert.rejects(store.ping(), /writer thread exited/);
      assert.ok(await store.getExecutionBySid(executionSid(1)), 'what was committed before stays readable');
      assert.equal(await store.getExecutionBySid(executionSid(2)), null);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SQLite checkpointer thread', () => {
  for (const writer of ['inline', 'thread'] as const) it(`copies the WAL back into the database file in the background, commits no longer do it (${writer} writer)`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-ckpt-'));
    const path = join(dir, 'db.sqlite');
    const store = new SqliteStore({ path, writer });
    try {
      await seed(store);
      const before = statSync(path).size;
      // Well past SQLite's 1,000-page autocheckpoint, which the writer thread has turned off.
      for (let round = 0; round < 4; round++) {
        await Promise.all(Array.from({ length: 500 }, (_, i) => store.writeSprint(newExecution(round * 500 + i + 1))));
      }
      const deadline = Date.now() + 5000;
      while (statSync(path).size <= before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.ok(statSync(path).size > before, 'the database file grew while the store was open: the WAL was checkpointed');
      assert.equal((await store.listExecutions(ACCOUNT, FLOW, {}, { pageSize: 1 })).items.length, 1);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
