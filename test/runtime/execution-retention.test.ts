// Ended executions are deleted with their steps a retention after they started (Twilio keeps them
// 30 days; --execution-retention, 0 = forever): housekeeping asks the store for bounded batches, a
// round's worth at a time, and carries a backlog on over the next timer rounds.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { RuntimeContext, DEFAULT_RUNTIME_OPTIONS } from '../../src/runtime/runtime-context.ts';
import {
  DEFAULT_EXECUTION_RETENTION_MS,
  EXECUTION_PRUNE_BATCH,
  EXECUTION_PRUNE_BATCHES_PER_ROUND,
  Housekeeping,
} from '../../src/runtime/housekeeping.ts';
import type { MessageChannel } from '../../src/runtime/ports/channel.ts';
import type { PruneCutoffs, Store } from '../../src/runtime/ports/store.ts';
import { FORM, form, startTestServer, type TestServer } from '../support/server.ts';
import { triggerFlow } from '../support/flows.ts';

const DAY = 24 * 3600 * 1000;
const START = Date.parse('2026-03-01T00:00:00Z');

/** A store holding `backlog` ended executions past any cut-off; it records what it is asked. */
function backlogStore(backlog: number) {
  const calls: PruneCutoffs[] = [];
  const state = { backlog };
  const store = {
    kind: 'sqlite',
    async pruneHistory(before: PruneCutoffs) {
      calls.push(before);
      if (!before.executions) return 0;
      const deleted = Math.min(state.backlog, before.executions.limit);
      state.backlog -= deleted;
      return deleted;
    },
  } as unknown as Store;
  return { store, calls, state };
}

function housekeeping(store: Store, clock: { ms: number }, executionRetentionMs?: number): { chores: Housekeeping; ctx: RuntimeContext } {
  const ctx = new RuntimeContext(store, {} as MessageChannel, {
    ...DEFAULT_RUNTIME_OPTIONS,
    now: () => clock.ms,
    ...(executionRetentionMs === undefined ? {} : { executionRetentionMs }),
  });
  ctx.stopped = false;
  const chores = new Housekeeping(ctx, { deliver: async () => null }, { dispatch: () => undefined, backlogged: () => false });
  return { chores, ctx };
}

describe('housekeeping: ended executions past their retention', () => {
  it("asks for those that started 30 days ago by default, a batch at a time, with the hour's other pruning", async () => {
    const clock = { ms: START };
    const { store, calls } = backlogStore(EXECUTION_PRUNE_BATCH + 7);
    const { chores } = housekeeping(store, clock);
    assert.equal(chores.pruneDue(), true);
    assert.equal(await chores.pruneHistory(), EXECUTION_PRUNE_BATCH + 7);
    assert.deepEqual(
      calls.map((call) => Object.keys(call).sort()),
      [['limit', 'receipts'], ['alerts', 'limit'], ['channelRecords', 'limit'], ['limit', 'orphans'], ['executions'], ['executions']],
    );
    for (const call of calls.slice(4)) assert.deepEqual(call.executions, { createdBefore: START - DEFAULT_EXECUTION_RETENTION_MS, limit: EXECUTION_PRUNE_BATCH });
    assert.equal(DEFAULT_EXECUTION_RETENTION_MS, 30 * DAY);
    assert.equal(chores.pruneDue(), false, 'the batch that was not full ended it: nothing more until the next hour');
    clock.ms += 3600 * 1000;
    assert.equal(chores.pruneDue(), true);
  });

  it('works through a backlog a round at a time, leaving the timer rounds between them, and the other pruning to its hour', async () => {
    const clock = { ms: START };
    const backlog = EXECUTION_PRUNE_BATCH * EXECUTION_PRUNE_BATCHES_PER_ROUND * 2 + 5;
    const { store, calls, state } = backlogStore(backlog);
    const { chores } = housekeeping(store, clock, 7 * DAY);
    const perRound = EXECUTION_PRUNE_BATCH * EXECUTION_PRUNE_BATCHES_PER_ROUND;
    assert.equal(await chores.pruneHistory(), perRound);
    assert.equal(calls.filter((call) => call.executions).length, EXECUTION_PRUNE_BATCHES_PER_ROUND, 'a round stops at its batches');
    assert.equal(chores.pruneDue(), true, 'more is due at once');
    clock.ms += 1000;
    calls.length = 0;
    assert.equal(await chores.pruneHistory(), perRound);
    assert.ok(calls.every((call) => call.executions && !call.receipts), 'a round that carries on prunes executions only');
    assert.equal(calls[0]!.executions!.createdBefore, clock.ms - 7 * DAY, 'the cut-off moves with the clock');
    clock.ms += 1000;
    assert.equal(chores.pruneDue(), true);
    assert.equal(await chores.pruneHistory(), 5);
    assert.equal(state.backlog, 0);
    assert.equal(chores.pruneDue(), false);
  });

  it('0 keeps them forever: the store is never asked for executions', async () => {
    const clock = { ms: START };
    const { store, calls } = backlogStore(10);
    const { chores } = housekeeping(store, clock, 0);
    assert.equal(await chores.pruneHistory(), 0);
    assert.deepEqual(calls.map((call) => Object.keys(call).sort()), [['limit', 'receipts'], ['alerts', 'limit'], ['channelRecords', 'limit'], ['limit', 'orphans']]);
  });

  it('a stopping node takes no further batch', async () => {
    const clock = { ms: START };
    const { store, calls } = backlogStore(EXECUTION_PRUNE_BATCH * 5);
    const { chores, ctx } = housekeeping(store, clock);
    const inner = store.pruneHistory.bind(store);
    store.pruneHistory = async (before) => {
      const deleted = await inner(before);
      if (before.executions) ctx.stopped = true;
      return deleted;
    };
    assert.equal(await chores.pruneHistory(), EXECUTION_PRUNE_BATCH);
    assert.equal(calls.filter((call) => call.executions).length, 1);
  });
});

describe('execution retention on a running server (simulated clock)', () => {
  const askAndWait = JSON.parse(readFileSync(new URL('../fixtures/flows/ask-and-wait.json', import.meta.url), 'utf8'));
  // Ends at once: the trigger leads nowhere.
  const endsAtOnce = triggerFlow('ends at once', 'incomingRequest', 'stop', [
    { name: 'stop', type: 'set-variables', properties: { offset: { x: 0, y: 100 }, variables: [{ key: 'x', value: '1' }] }, transitions: [{ event: 'next' }] },
  ]);
  let n = 0;

  async function server(clock: { ms: number }, config: Record<string, number>) {
    // A maximum age beyond the test's months, so the waiting execution stays active.
    const t = await startTestServer({ now: () => clock.ms, config: { executionMaxAge: 365 * 86_400, ...config } });
    const ask = (await t.app.flows.create(t.account.sid, { friendlyName: 'ask', status: 'published', definition: askAndWait })).sid;
    const done = (await t.app.flows.create(t.account.sid, { friendlyName: 'done', status: 'published', definition: endsAtOnce })).sid;
    const inject = (method: 'GET' | 'POST', url: string, fields?: Record<string, string>) =>
      t.app.server.inject({ method, url, headers: { authorization: t.auth, ...(fields ? FORM : {}) }, ...(fields ? { payload: form(fields) } : {}) });
    const start = async (flowSid: string): Promise<string> => {
      const res = await inject('POST', `/v2/Flows/${flowSid}/Executions`, { To: `+1555777${String(++n).padStart(4, '0')}`, From: '+15550000001' });
      assert.equal(res.statusCode, 201, res.body);
      await t.app.executions.idle();
      return res.json().sid;
    };
    const status = async (flowSid: string, sid: string) => {
      const res = await inject('GET', `/v2/Flows/${flowSid}/Executions/${sid}`);
      return res.statusCode === 404 ? 'gone' : res.json().status;
    };
    const steps = async (flowSid: string, sid: string) => (await t.app.store.listSteps(t.account.sid, flowSid, sid, { pageSize: 50 })).items.length;
    return { t, ask, done, inject, start, status, steps };
  }

  async function withServer(config: Record<string, number>, fn: (s: Awaited<ReturnType<typeof server>>, clock: { ms: number }) => Promise<void>) {
    const clock = { ms: START };
    const s = await server(clock, config);
    try {
      await fn(s, clock);
    } finally {
      await s.t.close();
    }
  }

  it('deletes an ended execution and its steps 30 days after it started; an active one only once it has ended', async () => {
    await withServer({}, async ({ t, ask, done, inject, start, status, steps }, clock) => {
      const ended = await start(done);
      const waiting = await start(ask);
      assert.equal(await status(done, ended), 'ended');
      assert.equal(await status(ask, waiting), 'active');
      assert.ok((await steps(done, ended)) > 0);
      clock.ms += 30 * DAY - 60_000;
      await t.app.executions.pruneHistory();
      assert.equal(await status(done, ended), 'ended', 'kept until 30 days after its start');
      clock.ms += 2 * 60_000;
      await t.app.executions.pruneHistory();
      assert.equal(await status(done, ended), 'gone');
      assert.equal(await steps(done, ended), 0);
      assert.equal(await status(ask, waiting), 'active', 'never an active one, however old');
      assert.equal((await inject('POST', `/v2/Flows/${ask}/Executions/${waiting}`, { Status: 'ended' })).statusCode, 200);
      await t.app.executions.pruneHistory();
      assert.equal(await status(ask, waiting), 'gone', 'past its retention already: it goes once ended');
    });
  });

  it('--execution-retention sets the time in seconds; 0 keeps them forever', async () => {
    await withServer({ executionRetention: 3600 }, async ({ t, done, start, status }, clock) => {
      const ended = await start(done);
      clock.ms += 3600 * 1000 + 1;
      await t.app.executions.pruneHistory();
      assert.equal(await status(done, ended), 'gone');
    });
    await withServer({ executionRetention: 0 }, async ({ t, done, start, status }, clock) => {
      const ended = await start(done);
      clock.ms += 400 * DAY;
      await t.app.executions.pruneHistory();
      assert.equal(await status(done, ended), 'ended');
    });
  });
});
