// A timer the timer loop fires late (it was stalled: a restart, a suspended host, a clock jump) still
// happened when it was due: a reply timeout due before the execution's age cap takes its `timeout`
// transition, even though the cap has also passed by the time the loop runs; the execution does not end
// as expired instead. (The opposite order, cap before timeout, is in late-events.test.ts.)
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../support/server.ts';
import { askWidget, triggerFlow } from '../support/flows.ts';

const FLOW_ADDRESS = '+15550000001';
const CONTACT = '+15558880001';

const definition = triggerFlow('ask, then note the timeout', 'incomingRequest', 'ask', [
  askWidget('ask', 100, 'Still there?', '60', { onTimeout: 'note' }),
  {
    name: 'note',
    type: 'set-variables',
    properties: { offset: { x: 0, y: 200 }, variables: [{ key: 'timed_out', value: 'yes' }] },
    transitions: [{ event: 'next' }],
  },
]);

describe('a timer fired late', () => {
  for (const stalledMs of [125_000, 3_600_000]) {
    it(`takes the timeout due before the age cap when the loop runs ${stalledMs / 1000} s later, past both`, async () => {
      const clock = { ms: Date.parse('2026-06-01T00:00:00Z') };
      // Timeout at 60 s, age cap at 120 s.
      const t = await startTestServer({ now: () => clock.ms, config: { executionMaxAge: 120 } });
      try {
        const flow = await t.app.flows.create(t.account.sid, { friendlyName: 'ask', status: 'published', definition });
        const sid = (await t.app.executions.create(t.account.sid, flow.sid, { to: CONTACT, from: FLOW_ADDRESS }, 'error')).execution.sid;
        await t.app.executions.idle();
        clock.ms += stalledMs;
        await t.app.executions.fireDueTimers();
        await t.app.executions.idle();
        const execution = await t.app.store.getExecutionBySid(sid);
        assert.equal(execution?.status, 'ended');
        assert.notDeepEqual((execution?.state as { endReason?: unknown }).endReason, { kind: 'expired' });
        const steps = (await t.app.store.listSteps(t.account.sid, flow.sid, sid, { pageSize: 50 })).items.map((s) => `${s.transitionedFrom} -${s.name}-> ${s.transitionedTo}`).sort();
        assert.deepEqual(steps, ['Trigger -incomingRequest-> ask', 'ask -timeout-> note', 'note -next-> Ended']);
        assert.deepEqual(await t.app.store.dueTimers(Number.MAX_SAFE_INTEGER, 10), []);
      } finally {
        await t.close();
      }
    });
  }
});

// The age-cap sweep can reach an execution before its overdue timer is fired: the timer is still claimed by
// a node that died (its lease has not run out), or another node is about to fire it. The timeout that fell due
// before the cap is taken all the same, then the cap, in due order.
describe('the age cap reached before an overdue timer is fired', () => {
  const twoQuestions = triggerFlow('ask twice', 'incomingRequest', 'ask', [
    askWidget('ask', 100, 'Still there?', '60', { onTimeout: 'again' }),
    askWidget('again', 200, 'Hello?', '600'),
  ]);

  async function expireWithTimerHeldElsewhere(flowDefinition: unknown) {
    const clock = { ms: Date.parse('2026-06-01T00:00:00Z') };
    // Timeout at 60 s, age cap at 120 s.
    const t = await startTestServer({ now: () => clock.ms, config: { executionMaxAge: 120 } });
    const flow = await t.app.flows.create(t.account.sid, { friendlyName: 'ask', status: 'published', definition: flowDefinition as never });
    const sid = (await t.app.executions.create(t.account.sid, flow.sid, { to: CONTACT, from: FLOW_ADDRESS }, 'error')).execution.sid;
    await t.app.executions.idle();
    clock.ms += 3_600_000; // a restart after an hour, past both
    // A dead node claimed the timeout just before it died: its claim holds for a while yet.
    const held = await t.app.store.claimDueTimers(clock.ms, { owner: 'node-that-died', until: clock.ms + 60_000 }, 10);
    assert.equal(held.length, 1);
    await t.app.executions.fireDueTimers();
    await t.app.executions.idle();
    const execution = await t.app.store.getExecutionBySid(sid);
    const steps = (await t.app.store.listSteps(t.account.sid, flow.sid, sid, { pageSize: 50 })).items.map((s) => `${s.transitionedFrom} -${s.name}-> ${s.transitionedTo}`).sort();
    return { t, execution, steps };
  }

  it('takes the timeout first: its transition reaches the end', async () => {
    const { t, execution, steps } = await expireWithTimerHeldElsewhere(definition);
    try {
      assert.equal(execution?.status, 'ended');
      assert.notDeepEqual((execution?.state as { endReason?: unknown }).endReason, { kind: 'expired' });
      assert.deepEqual(steps, ['Trigger -incomingRequest-> ask', 'ask -timeout-> note', 'note -next-> Ended']);
      assert.deepEqual(await t.app.store.dueTimers(Number.MAX_SAFE_INTEGER, 10), []);
    } finally {
      await t.close();
    }
  });

  it('takes the timeout first: its transition reaches another wait, which the age cap then ends', async () => {
    const { t, execution, steps } = await expireWithTimerHeldElsewhere(twoQuestions);
    try {
      assert.equal(execution?.status, 'ended');
      assert.deepEqual((execution?.state as { endReason?: unknown }).endReason, { kind: 'expired' });
      assert.deepEqual(steps, ['Trigger -incomingRequest-> ask', 'ask -timeout-> again']);
      assert.deepEqual(await t.app.store.dueTimers(Number.MAX_SAFE_INTEGER, 10), [], "neither the first wait's timer nor the second's is left");
    } finally {
      await t.close();
    }
  });
});
