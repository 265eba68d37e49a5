// Housekeeping's hourly pruning of inbound receipts, alerts, channel records and the rows of deleted
// accounts: each kind a bounded batch at a time (one short transaction: 3 million expired receipts in
// one statement held SQLite's event loop 4.4 s, and on PostgreSQL ran past the statement timeout and
// so never went), a backlog carried on by the next rounds; and each kind on its own, so that one
// failing is logged as a warning and holds up none of the others, executions included.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RuntimeContext, DEFAULT_RUNTIME_OPTIONS } from '../../src/runtime/runtime-context.ts';
import { EXECUTION_PRUNE_BATCH, HISTORY_PRUNE_BATCH, HISTORY_PRUNE_BATCHES_PER_ROUND, Housekeeping, ORPHAN_PRUNE_BATCH } from '../../src/runtime/housekeeping.ts';
import type { MessageChannel } from '../../src/runtime/ports/channel.ts';
import { NO_OBSERVER, type RuntimeObserver } from '../../src/runtime/ports/observer.ts';
import type { PruneCutoffs, Store } from '../../src/runtime/ports/store.ts';
import { TelemetryObserver } from '../../src/observability/runtime-observer.ts';

const START = Date.parse('2026-03-01T00:00:00Z');
type Kind = 'receipts' | 'alerts' | 'channelRecords' | 'orphans' | 'executions';

/** A store holding `due` rows of each kind; `fail` names kinds whose delete throws (a statement timeout). */
function fakeStore(due: Partial<Record<Kind, number>>, fail: Kind[] = []) {
  const calls: PruneCutoffs[] = [];
  const left = { receipts: 0, alerts: 0, channelRecords: 0, orphans: 0, executions: 0, ...due };
  const store = {
    kind: 'postgres',
    async pruneHistory(before: PruneCutoffs) {
      calls.push(before);
      const kinds = (['receipts', 'alerts', 'channelRecords', 'orphans', 'executions'] as const).filter((kind) => before[kind] !== undefined);
      let count = 0;
      for (const kind of kinds) {
        if (fail.includes(kind)) throw new Error('canceling statement due to statement timeout');
        const limit = kind === 'executions' ? before.executions!.limit : before.limit;
        const deleted = limit === undefined ? left[kind] : Math.min(limit, left[kind]);
        left[kind] -= deleted;
        count += deleted;
      }
      return count;
    },
  } as unknown as Store;
  return { store, calls, left };
}

function housekeeping(store: Store, clock: { ms: number }, observer: RuntimeObserver = NO_OBSERVER): Housekeeping {
  const ctx = new RuntimeContext(store, {} as MessageChannel, { ...DEFAULT_RUNTIME_OPTIONS, now: () => clock.ms, observer });
  ctx.stopped = false;
  return new Housekeeping(ctx, { deliver: async () => null }, { dispatch: () => undefined, backlogged: () => false });
}

const kindsOf = (call: PruneCutoffs) => Object.keys(call).filter((key) => key !== 'limit');

describe('housekeeping: receipts, alerts, channel records and deleted accounts, a batch at a time', () => {
  it('never asks for more than a batch of a kind in one call, and carries a backlog on over the next rounds', async () => {
    const clock = { ms: START };
    const perRound = HISTORY_PRUNE_BATCH * HISTORY_PRUNE_BATCHES_PER_ROUND;
    const { store, calls, left } = fakeStore({ receipts: perRound + 5, alerts: 7, orphans: ORPHAN_PRUNE_BATCH + 1 });
    const chores = housekeeping(store, clock);
    assert.equal(await chores.pruneHistory(), perRound + 7 + ORPHAN_PRUNE_BATCH + 1);
    for (const call of calls) {
      const [kind] = kindsOf(call);
      if (kind === 'executions') assert.equal(call.executions!.limit, EXECUTION_PRUNE_BATCH);
      else if (kind === 'orphans') assert.equal(call.limit, ORPHAN_PRUNE_BATCH);
      else assert.equal(call.limit, HISTORY_PRUNE_BATCH, `${kind}: a bounded batch`);
      assert.equal(kindsOf(call).length, 1, 'one kind per call');
    }
    assert.equal(calls.filter((call) => call.receipts !== undefined).length, HISTORY_PRUNE_BATCHES_PER_ROUND, 'a round stops at its batches');
    assert.equal(left.receipts, 5);
    assert.equal(chores.pruneDue(), true, 'more receipts are due: the next round goes on');
    clock.ms += 1000;
    calls.length = 0;
    assert.equal(await chores.pruneHistory(), 5);
    assert.deepEqual(calls.map(kindsOf), [['receipts']], 'a round that carries a backlog on prunes that kind only');
    assert.equal(chores.pruneDue(), false, 'nothing more until the next hour');
    clock.ms += 3600 * 1000;
    assert.equal(chores.pruneDue(), true);
  });

  it('a kind that fails (a statement timeout) is logged and holds up none of the others, executions included', async () => {
    const clock = { ms: START };
    const { store, calls, left } = fakeStore({ receipts: 10, alerts: 3, channelRecords: 4, orphans: 2, executions: 5 }, ['receipts']);
    const failed: { chore: string; error: unknown }[] = [];
    const chores = housekeeping(store, clock, { ...NO_OBSERVER, choreFailed: (chore, error) => void failed.push({ chore, error }) });
    assert.equal(await chores.pruneHistory(), 3 + 4 + 2 + 5, 'no throw: the others went');
    assert.deepEqual(calls.map(kindsOf), [['receipts'], ['alerts'], ['channelRecords'], ['orphans'], ['executions']]);
    assert.deepEqual(left, { receipts: 10, alerts: 0, channelRecords: 0, orphans: 0, executions: 0 });
    assert.deepEqual(failed.map((f) => f.chore), ['prune receipts']);
    assert.match(String(failed[0]!.error), /statement timeout/);
    assert.equal(chores.pruneDue(), false, 'the failed kind is tried again at its next hour, not every round');
    clock.ms += 3600 * 1000;
    assert.equal(chores.pruneDue(), true);
  });

  it("the server's observer logs a failed chore as a warning", () => {
    const warnings: unknown[][] = [];
    const log = { warn: (...args: unknown[]) => void warnings.push(args) };
    const observer = new TelemetryObserver({} as never, { countExecutionsLocally: () => undefined } as never, log as never, {} as never);
    const error = new Error('canceling statement due to statement timeout');
    observer.choreFailed('prune receipts', error);
    assert.equal(warnings.length, 1);
    assert.deepEqual(warnings[0]![0], { err: error, chore: 'prune receipts' });
    assert.match(String(warnings[0]![1]), /housekeeping chore failed/);
  });
});
