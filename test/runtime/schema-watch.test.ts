// SchemaWatch: a node reads its store's schema version at most every few seconds, and once it is newer
// than this build (a newer node migrated it) says so once and stays stood down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SchemaWatch } from '../../src/runtime/schema-watch.ts';

function fakeStore(versions: ({ applied: number; expected: number } | Error)[]) {
  let reads = 0;
  return {
    get reads() {
      return reads;
    },
    async schemaStatus() {
      const next = versions[Math.min(reads++, versions.length - 1)]!;
      if (next instanceof Error) throw next;
      return next;
    },
  };
}

test('reads at most every everyMs; a newer schema is logged once and stays seen', async () => {
  const store = fakeStore([new Error('connection refused'), { applied: 8, expected: 8 }, { applied: 9, expected: 8 }]);
  let now = 0;
  const logged: string[] = [];
  const watch = new SchemaWatch(store, { everyMs: 5000, clock: () => now, log: (message) => logged.push(message) });
  assert.equal(await watch.superseded(), false, 'a store that does not answer is not a newer schema');
  assert.equal(store.reads, 1);
  now = 4999;
  assert.equal(await watch.superseded(), false);
  assert.equal(store.reads, 1, 'not read again before everyMs');
  now = 5000;
  assert.equal(await watch.superseded(), false, 'the same version');
  assert.equal(store.reads, 2);
  now = 10_000;
  assert.equal(await watch.superseded(), true);
  assert.equal(store.reads, 3);
  now = 60_000;
  assert.equal(await watch.superseded(), true);
  assert.equal(store.reads, 3, 'seen for good: never read again');
  assert.equal(logged.length, 1);
  assert.match(logged[0]!, /schema is at version 9, newer than this build's \(8\)/);
});

test('an older or current schema is not superseded; a store without schemaStatus never is', async () => {
  let now = 0;
  const watch = new SchemaWatch(fakeStore([{ applied: 7, expected: 8 }]), { clock: () => now, log: () => assert.fail('nothing to log') });
  assert.equal(await watch.superseded(), false);
  now = 1e9;
  assert.equal(await watch.superseded(), false);
  assert.equal(await new SchemaWatch({}, { log: () => assert.fail('nothing to log') }).superseded(), false);
});
