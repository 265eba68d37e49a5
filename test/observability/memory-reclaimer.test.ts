import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryReclaimer, nodeMemoryProbe, type MemoryProbe } from '../../src/observability/memory-reclaimer.ts';
import { ActivityCounter } from '../../src/lib/activity.ts';

const MB = 1024 * 1024;

/** A process whose RSS and work (units done since the last look) the test sets; a reclaim drops the RSS to `residentAfterReclaim`. */
function fakeProcess(rss: number) {
  const state = { rss, work: 0, reclaims: 0, residentAfterReclaim: rss };
  const probe: MemoryProbe = {
    rss: () => state.rss,
    workSinceLastCall: () => state.work,
    reclaim() {
      state.reclaims++;
      state.rss = state.residentAfterReclaim;
    },
  };
  return { state, probe };
}

function reclaimerFor(probe: MemoryProbe, clock: { now: number }, events: unknown[] = [], quietIntervals = 1) {
  return new MemoryReclaimer(probe, {
    growthBytes: 64 * MB,
    intervalMs: 5000,
    quietIntervals,
    minGapMs: 60_000,
    now: () => clock.now,
    onReclaim: (event) => events.push(event),
  });
}

test('a quiet node that grew past the threshold is reclaimed once, and reports what it gave back', () => {
  const { state, probe } = fakeProcess(150 * MB);
  const clock = { now: 0 };
  const events: { before: number; after: number }[] = [];
  const reclaimer = reclaimerFor(probe, clock, events);
  state.rss = 400 * MB; // after a burst
  state.work = 0;
  assert.equal(reclaimer.check(), 'reclaimed');
  assert.equal(state.reclaims, 1);
  assert.deepEqual(events.map(({ before, after }) => [before / MB, after / MB]), [[400, 150]]);
  // Nothing has grown since: the next looks do nothing.
  clock.now += 120_000;
  assert.equal(reclaimer.check(), 'small');
  assert.equal(state.reclaims, 1);
});

test('a busy node is left alone however much it grew; it is reclaimed at the first quiet interval', () => {
  const { state, probe } = fakeProcess(150 * MB);
  const clock = { now: 0 };
  const reclaimer = reclaimerFor(probe, clock);
  state.rss = 500 * MB;
  state.work = 600;
  assert.equal(reclaimer.check(), 'busy');
  state.work = 1; // a single sprint or request counts
  assert.equal(reclaimer.check(), 'busy');
  assert.equal(state.reclaims, 0);
  state.work = 0;
  assert.equal(reclaimer.check(), 'reclaimed');
});

test('it takes the set number of quiet intervals in a row: a busy one in between starts the count again', () => {
  const { state, probe } = fakeProcess(150 * MB);
  const reclaimer = reclaimerFor(probe, { now: 0 }, [], 2);
  state.rss = 400 * MB;
  const outcomes = [0, 30, 0, 0].map((work) => {
    state.work = work;
    return reclaimer.check();
  });
  assert.deepEqual(outcomes, ['busy', 'busy', 'busy', 'reclaimed']);
  assert.equal(state.reclaims, 1);
});

test('growth below the threshold, measured from the last reclaim, does not pay for a pause', () => {
  const { state, probe } = fakeProcess(150 * MB);
  const reclaimer = reclaimerFor(probe, { now: 0 });
  state.rss = 150 * MB + 63 * MB;
  assert.equal(reclaimer.check(), 'small');
  assert.equal(state.reclaims, 0);
});

test('memory that a reclaim cannot return raises the mark: no collection every interval', () => {
  const { state, probe } = fakeProcess(150 * MB);
  const clock = { now: 0 };
  const reclaimer = reclaimerFor(probe, clock);
  state.rss = 400 * MB;
  state.residentAfterReclaim = 380 * MB; // live data, or memory that is not V8's
  assert.equal(reclaimer.check(), 'reclaimed');
  for (let i = 0; i < 20; i++) {
    clock.now += 5000;
    assert.equal(reclaimer.check(), 'small');
  }
  assert.equal(state.reclaims, 1);
});

test('memory V8 returned by itself lowers the mark growth is measured from', () => {
  const { state, probe } = fakeProcess(300 * MB);
  const clock = { now: 0 };
  const reclaimer = reclaimerFor(probe, clock);
  state.rss = 120 * MB;
  assert.equal(reclaimer.check(), 'small');
  state.rss = 200 * MB; // 80 MB above the lower mark, 100 MB below the starting one
  assert.equal(reclaimer.check(), 'reclaimed');
});

test('at most one reclaim per minimum gap, even if the node grows again at once', () => {
  const { state, probe } = fakeProcess(150 * MB);
  const clock = { now: 0 };
  const reclaimer = reclaimerFor(probe, clock);
  state.rss = 400 * MB;
  state.residentAfterReclaim = 150 * MB;
  assert.equal(reclaimer.check(), 'reclaimed');
  state.rss = 400 * MB;
  clock.now += 30_000;
  assert.equal(reclaimer.check(), 'too-soon');
  clock.now += 30_000;
  assert.equal(reclaimer.check(), 'reclaimed');
  assert.equal(state.reclaims, 2);
});

test('the real probe: the collection hands pooled pages back, without exposing gc() to the program', () => {
  assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined', 'run without --expose-gc');
  const activity = new ActivityCounter();
  const probe = nodeMemoryProbe(activity);
  // A burst's worth of short-lived objects grows the young generation, which V8 keeps afterwards.
  let keep: unknown[] = [];
  for (let round = 0; round < 30; round++) {
    keep = [];
    for (let i = 0; i < 200_000; i++) keep.push({ i, text: `item ${i}`, list: [i] });
  }
  keep = [];
  const before = probe.rss();
  probe.reclaim();
  const after = probe.rss();
  assert.ok(after < before - 32 * MB, `RSS ${Math.round(before / MB)} MB -> ${Math.round(after / MB)} MB`);
  assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined');
  // Its work is what the node's counter took since the last look.
  activity.tick();
  activity.tick();
  assert.equal(probe.workSinceLastCall(), 2);
  assert.equal(probe.workSinceLastCall(), 0);
  assert.equal(keep.length, 0);
});
