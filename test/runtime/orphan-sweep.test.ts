// The orphan sweep (effects a dead node left claimed) drains a backlog in one round, not 200 a
// second, and its pacing survives the wall clock being stepped back.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Housekeeping } from '../../src/runtime/housekeeping.ts';
import type { RuntimeContext } from '../../src/runtime/runtime-context.ts';
import type { PendingEffect } from '../../src/runtime/ports/store.ts';

function harness(backlog: number, options: { backloggedAfter?: number } = {}) {
  let left = backlog;
  let now = 1_000_000;
  const claims: number[] = [];
  const dispatched: string[] = [];
  const store = {
    async claimEffects(_now: number, _lease: unknown, limit: number) {
      const n = Math.min(limit, left);
      left -= n;
      claims.push(n);
      return Array.from({ length: n }, (_, i) => ({ id: `E${left + i}` }) as unknown as PendingEffect);
    },
    async pruneHistory() {
      return 0;
    },
  };
  const ctx = {
    store,
    options: { now: () => now },
    observer: {},
    leases: { lease: () => ({}), holds: () => false },
    stopped: false,
  } as unknown as RuntimeContext;
  const effects = {
    dispatch: (effect: PendingEffect) => void dispatched.push(effect.id),
    backlogged: () => options.backloggedAfter !== undefined && dispatched.length >= options.backloggedAfter,
  };
  const housekeeping = new Housekeeping(ctx, { deliver: async () => undefined } as never, effects as never);
  return { housekeeping, claims, dispatched, setNow: (t: number) => (now = t), left: () => left };
}

describe('orphan sweep', () => {
  it('claims batch after batch while they come back full, so 3,000 orphans go out in one round', async () => {
    const h = harness(3000);
    await h.housekeeping.sweepOrphanedEffects();
    assert.equal(h.dispatched.length, 3000);
    assert.deepEqual(h.claims, [...Array(15).fill(200), 0]);
  });

  it('stops when the effect runner is backlogged, leaving the rest claimed by nobody', async () => {
    const h = harness(3000, { backloggedAfter: 400 });
    await h.housekeeping.sweepOrphanedEffects();
    assert.equal(h.dispatched.length, 400);
    assert.equal(h.left(), 2600);
  });

  it('is due at once after the clock is stepped back, not once it has caught up', async () => {
    const h = harness(0);
    await h.housekeeping.sweepOrphanedEffects();
    await h.housekeeping.pruneHistory();
    assert.equal(h.housekeeping.sweepDue(), false);
    assert.equal(h.housekeeping.pruneDue(), false);
    h.setNow(1_000_000 - 600_000);
    assert.equal(h.housekeeping.sweepDue(), true);
    assert.equal(h.housekeeping.pruneDue(), true, 'the hourly prune too');
  });
});
