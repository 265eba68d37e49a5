// Group commit: sprints queued in one turn of the event loop go to the backend together; a batch
// that is full goes at once, even while the loop's check phase is held off (a worker's replies are
// handled back to back before the loop moves on, which is how a burst of due timers arrives).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import { GroupCommit } from '../../src/store/group-commit.ts';
import type { SprintWrite } from '../../src/runtime/ports/store.ts';

const sprint = (n: number) => ({ execution: { sid: `FN${n}` } }) as unknown as SprintWrite;

describe('group commit', () => {
  it('commits what one turn queued as one batch, and each caller gets its own outcome', async () => {
    const batches: number[] = [];
    const commit = new GroupCommit((writes) => {
      batches.push(writes.length);
      return writes.map((w) => (w.execution.sid === 'FN2' ? { ok: false, error: new Error('bad sprint') } : { ok: true }));
    });
    const results = await Promise.allSettled([1, 2, 3].map((n) => commit.write(sprint(n))));
    assert.deepEqual(batches, [3]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
  });

  it('a failed batch fails every caller in it', async () => {
    const commit = new GroupCommit(async () => {
      throw new Error('disk full');
    });
    const results = await Promise.allSettled([commit.write(sprint(1)), commit.write(sprint(2))]);
    assert.deepEqual(results.map((r) => (r as PromiseRejectedResult).reason.message), ['disk full', 'disk full']);
  });

  it('one at a time (maxInFlight 1): what is queued while a batch commits goes as one batch right after it', async () => {
    const batches: number[] = [];
    let finishFirst!: () => void;
    const firstDone = new Promise<void>((resolve) => (finishFirst = resolve));
    const commit = new GroupCommit(
      async (writes) => {
        batches.push(writes.length);
        if (batches.length === 1) await firstDone; // the first batch's fsync is slow
        return writes.map(() => ({ ok: true as const }));
      },
      { maxInFlight: 1 },
    );
    const first = commit.write(sprint(1));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(batches, [1]);
    const later = [2, 3, 4].map((n) => commit.write(sprint(n)));
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(batches, [1], 'nothing else is committed while the first batch runs');
    finishFirst();
    await Promise.all([first, ...later]);
    assert.deepEqual(batches, [1, 3]);
  });

  it('sends a full batch while message handling holds off the check phase', async () => {
    const batches: number[] = [];
    const commit = new GroupCommit((writes) => {
      batches.push(writes.length);
      return writes.map(() => ({ ok: true as const }));
    });
    const { port1, port2 } = new MessageChannel();
    let immediateRan = false;
    setImmediate(() => (immediateRan = true));
    const firstResolvedBeforeImmediate = await new Promise<boolean>((resolve) => {
      let n = 0;
      let first = false;
      const pending: Promise<void>[] = [];
      port1.on('message', () => {
        // Each message queues a sprint and asks for the next message: a chain the port drains in one go.
        pending.push(commit.write(sprint(n)).then(() => void (first ||= !immediateRan)));
        if (++n < 600) port2.postMessage(n);
        else void Promise.all(pending).then(() => resolve(first));
      });
      port2.postMessage(0);
    });
    port1.close();
    assert.ok(batches.length >= 2, `sent in several batches (${batches.join(', ')})`);
    assert.ok(Math.max(...batches) <= 600);
    assert.equal(firstResolvedBeforeImmediate, true, 'the first batch went before the check phase came round');
  });
});
