// Events that arrive after something the execution had due (its reply timeout, its age cap) while the
// timer loop is behind (a backlog after a restart, a burst): time decides, not which one the node
// reaches first. The timeout is taken exactly once, and the reply goes where the flow is after it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestServer, type TestServer } from '../support/server.ts';
import { askWidget, triggerFlow } from '../support/flows.ts';

const askAndWait = JSON.parse(readFileSync(new URL('../fixtures/flows/ask-and-wait.json', import.meta.url), 'utf8'));
const FLOW_ADDRESS = '+15550000001';
const CONTACT = '+15558880001';

async function setUp(options: { maxAgeSeconds?: number; definition?: unknown } = {}) {
  const clock = { ms: Date.parse('2026-06-01T00:00:00Z') };
  const t = await startTestServer({ now: () => clock.ms, ...(options.maxAgeSeconds ? { config: { executionMaxAge: options.maxAgeSeconds } } : {}) });
  const definition = options.definition ?? structuredClone(askAndWait);
  if (!options.definition) (definition as typeof askAndWait).states[1].properties.timeout = '60';
  const flow = await t.app.flows.create(t.account.sid, { friendlyName: 'ask', status: 'published', definition: definition as never });
  const sid = (await t.app.executions.create(t.account.sid, flow.sid, { to: CONTACT, from: FLOW_ADDRESS }, 'error')).execution.sid;
  await t.app.executions.idle();
  let n = 0;
  const reply = async (body: string) => {
    const result = await t.app.executions.inboundMessage(t.account.sid, flow.sid, { From: CONTACT, To: FLOW_ADDRESS, Body: body, MessageSid: 'SM' + String(++n).padStart(32, '0') });
    await t.app.executions.idle();
    return result;
  };
  // Sorted: steps written in one millisecond have no order to compare.
  const steps = async (executionSid: string) =>
    (await t.app.store.listSteps(t.account.sid, flow.sid, executionSid, { pageSize: 50 })).items.map((s) => `${s.transitionedFrom} -${s.name}-> ${s.transitionedTo}`).sort();
  return { t, clock, flowSid: flow.sid, sid, reply, steps };
}

async function closing(t: TestServer, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } finally {
    await t.close();
  }
}

describe('events that arrive after what the execution had due (its timeout, its age cap) and the timer loop has not done yet', () => {
  it('a reply after its timeout was due: the execution times out once, and the reply starts a new execution', async () => {
    const { t, clock, sid, reply, steps } = await setUp();
    await closing(t, async () => {
      clock.ms += 65_000; // the timeout was due 5 s ago; the timer loop has not run
      const result = await reply('too late');
      assert.notEqual(result.executionSid, sid, 'the reply went where one for an ended execution goes');
      assert.deepEqual(await steps(sid), ['Trigger -incomingRequest-> ask', 'ask -timeout-> Ended']);
      const execution = await t.app.store.getExecutionBySid(sid);
      assert.equal(execution?.status, 'ended');
      assert.deepEqual(await t.app.store.dueTimers(Number.MAX_SAFE_INTEGER, 10), [], 'its timer went with the sprint');
      assert.equal(await t.app.executions.fireDueTimers(), 0, 'the timer loop has nothing left to fire');
      assert.deepEqual(await steps(sid), ['Trigger -incomingRequest-> ask', 'ask -timeout-> Ended'], 'the timeout was taken once');
    });
  });

  it('a backlog of overdue timeouts fired while replies arrive: each execution times out exactly once, no reply answers', async () => {
    const clock = { ms: Date.parse('2026-06-01T00:00:00Z') };
    const t = await startTestServer({ now: () => clock.ms });
    await closing(t, async () => {
      const definition = structuredClone(askAndWait);
      definition.states[1].properties.timeout = '60';
      const flow = await t.app.flows.create(t.account.sid, { friendlyName: 'ask', status: 'published', definition });
      const contacts = Array.from({ length: 300 }, (_, i) => `+1555777${String(i).padStart(4, '0')}`);
      const sids: string[] = [];
      for (const to of contacts) sids.push((await t.app.executions.create(t.account.sid, flow.sid, { to, from: FLOW_ADDRESS }, 'error')).execution.sid);
      await t.app.executions.idle();
      clock.ms += 120_000; // a restart: every timeout is overdue
      const replies = contacts.map((from, i) => t.app.executions.inboundMessage(t.account.sid, flow.sid, { From: from, To: FLOW_ADDRESS, Body: 'late', MessageSid: 'SM' + String(i).padStart(32, 'b') }));
      await Promise.all([t.app.executions.fireDueTimers(), ...replies]);
      await t.app.executions.idle();
      for (const sid of sids) {
        const steps = (await t.app.store.listSteps(t.account.sid, flow.sid, sid, { pageSize: 50 })).items.map((step) => step.name).sort();
        assert.deepEqual(steps, ['incomingRequest', 'timeout'], sid);
      }
      assert.deepEqual(await t.app.store.dueTimers(Number.MAX_SAFE_INTEGER, 10), []);
      assert.equal((await t.app.store.listAlerts(t.account.sid, {}, { pageSize: 10 })).items.length, 0, 'no timer fired twice (81002)');
    });
  });

  it('a reply before the timeout answers it, however late the sprint runs', async () => {
    const { t, clock, sid, reply, steps } = await setUp();
    await closing(t, async () => {
      clock.ms += 59_999;
      const result = await reply('in time');
      assert.equal(result.executionSid, sid);
      assert.ok((await steps(sid)).includes('ask -incomingMessage-> thanks'));
      clock.ms += 10_000;
      assert.equal(await t.app.executions.fireDueTimers(), 0);
    });
  });

  it('a late reply goes to the widget the timeout led to: the next question takes it', async () => {
    const definition = triggerFlow('asks twice', 'incomingRequest', 'ask', [
      askWidget('ask', 100, 'First?', '60', { onTimeout: 'again' }),
      askWidget('again', 200, 'Still there?', '60'),
    ]);
    const { t, clock, sid, reply, steps } = await setUp({ definition });
    await closing(t, async () => {
      clock.ms += 61_000;
      const result = await reply('here');
      assert.equal(result.executionSid, sid);
      assert.deepEqual(await steps(sid), ['Trigger -incomingRequest-> ask', 'again -incomingMessage-> Ended', 'ask -timeout-> again']);
      const execution = await t.app.store.getExecutionBySid(sid);
      assert.equal(((execution?.state as { frames: { widgets: Record<string, { inbound?: { Body?: string } }> }[] }).frames[0]!.widgets.again?.inbound?.Body), 'here');
      assert.deepEqual(await t.app.store.dueTimers(Number.MAX_SAFE_INTEGER, 10), []);
    });
  });

  it('a reply to an execution past its age cap expires it first, and starts a new execution', async () => {
    const { t, clock, sid, reply, steps } = await setUp({ maxAgeSeconds: 30 });
    await closing(t, async () => {
      clock.ms += 45_000; // past the 30 s cap, before the 60 s timeout; housekeeping has not run
      const result = await reply('hello');
      assert.notEqual(result.executionSid, sid);
      const execution = await t.app.store.getExecutionBySid(sid);
      assert.equal(execution?.status, 'ended');
      assert.deepEqual((execution?.state as { endReason?: unknown }).endReason, { kind: 'expired' });
      assert.deepEqual(await steps(sid), ['Trigger -incomingRequest-> ask'], 'expired as housekeeping would: no step');
      assert.deepEqual(await t.app.store.dueTimers(Number.MAX_SAFE_INTEGER, 10), [], 'its reply timer went with it');
    });
  });

  it('a timer fired late, after the age cap that was due before it, expires the execution instead', async () => {
    const { t, clock, sid, steps } = await setUp({ maxAgeSeconds: 50 });
    await closing(t, async () => {
      clock.ms += 3_600_000; // a restart after an hour: the timeout (60 s) was due after the cap (50 s)
      await t.app.executions.fireDueTimers();
      await t.app.executions.idle();
      const execution = await t.app.store.getExecutionBySid(sid);
      assert.deepEqual((execution?.state as { endReason?: unknown }).endReason, { kind: 'expired' });
      assert.equal((await steps(sid)).some((step) => step.includes('timeout')), false);
      assert.deepEqual(await t.app.store.dueTimers(Number.MAX_SAFE_INTEGER, 10), []);
    });
  });
});
