// Runtime tests through the simulator: a contact texts a flow, replies, times out; waiting
// executions survive a restart and fire their timeouts once; one contact never runs concurrently.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../support/server.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { SIMULATOR_FLOW_ADDRESS } from '../../src/channels/simulator/simulator-channel.ts';
import { contextOf } from '../../src/runtime/execution-context.ts';

const survey = JSON.parse(readFileSync(new URL('../fixtures/flows/survey.json', import.meta.url), 'utf8'));

class Clock {
  ms = Date.parse('2026-01-01T00:00:00Z');
  now = () => this.ms;
  advance(seconds: number) {
    this.ms += seconds * 1000;
  }
}

async function text(t: TestServer, flowSid: string, from: string, body: string) {
  const res = await t.app.server.inject({
    method: 'POST',
    url: `/simulator/Flows/${flowSid}/Messages`,
    headers: { authorization: t.auth, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ From: from, Body: body }).toString(),
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json();
}

async function steps(t: TestServer, flowSid: string, executionSid: string) {
  const page = await t.app.store.listSteps(t.account.sid, flowSid, executionSid, { pageSize: 1000 });
  return page.items.map((s) => `${s.transitionedFrom} -${s.name}-> ${s.transitionedTo}`);
}

describe('runtime with the simulator channel', () => {
  it('runs a conversation: question, reply, split, answer; records steps and context', async () => {
    const clock = new Clock();
    const t = await startTestServer({ now: clock.now });
    try {
      const flow = await t.app.flows.create(t.account.sid, { friendlyName: 'survey', status: 'published', definition: survey });
      const first = await text(t, flow.sid, '+15551230001', 'hi');
      assert.ok(first.execution_sid);
      assert.deepEqual(first.messages.map((m: any) => [m.direction, m.body]), [
        ['inbound', 'hi'],
        ['outbound-api', 'Rate us 1-5'],
      ]);
      const second = await text(t, flow.sid, '+15551230001', ' 2 ');
      assert.equal(second.execution_sid, first.execution_sid, 'the reply resumes the waiting execution');
      assert.equal(second.messages.at(-1).body, 'Sorry about the 2.');
      const execution = await t.app.store.getExecutionBySid(first.execution_sid);
      assert.equal(execution?.status, 'ended');
      assert.deepEqual(await steps(t, flow.sid, first.execution_sid), [
        'Trigger -incomingMessage-> ask',
        'ask -incomingMessage-> remember',
        'remember -next-> check',
        'check -match-> sorry',
        'sorry -sent-> Ended',
      ]);
      const context = contextOf(execution!) as any;
      assert.equal(context.flow.variables.rating, 2);
      assert.equal(context.widgets.ask.inbound.Body, ' 2 ');
      assert.equal(context.widgets.ask.outbound.Body, 'Rate us 1-5');
      assert.equal(context.trigger.message.Body, 'hi');
      assert.equal(context.contact.channel.address, '+15551230001');
      assert.equal(context.flow.channel.address, SIMULATOR_FLOW_ADDRESS);
      assert.equal(context.widgets.sorry.outbound.To, '+15551230001');
    } finally {
      await t.close();
    }
  });

  it('fires the reply timeout on a simulated clock', async () => {
    const clock = new Clock();
    const t = await startTestServer({ now: clock.now });
    try {
      const flow = await t.app.flows.create(t.account.sid, { friendlyName: 'survey', status: 'published', definition: survey });
      const first = await text(t, flow.sid, '+15551230002', 'hi');
      clock.advance(599);
      assert.equal(await t.app.executions.fireDueTimers(), 0);
      clock.advance(2);
      assert.equal(await t.app.executions.fireDueTimers(), 1);
      await t.app.executions.idle();
      assert.deepEqual((await steps(t, flow.sid, first.execution_sid)).slice(1), ['ask -timeout-> too_slow', 'too_slow -sent-> Ended']);
      assert.equal(await t.app.executions.fireDueTimers(), 0, 'a fired timer never fires again');
    } finally {
      await t.close();
    }
  });

  it('takes deliveryFailure when the simulator reports the question undelivered', async () => {
    const t = await startTestServer();
    try {
      const flow = await t.app.flows.create(t.account.sid, { friendlyName: 'survey', status: 'published', definition: survey });
      t.app.simulator.failNext('+15551230003', 'delivery');
      const first = await text(t, flow.sid, '+15551230003', 'hi');
      await t.app.executions.idle();
      assert.deepEqual((await steps(t, flow.sid, first.execution_sid)).at(-1), 'ask -deliveryFailure-> Ended');
    } finally {
      await t.close();
    }
  });

  it('keeps waiting executions across a restart and fires each timeout once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-restart-'));
    const clock = new Clock();
    try {
      const path = join(dir, 'db.sqlite');
      const t1 = await startTestServer({ now: clock.now, store: new SqliteStore({ path }) });
      const flow = await t1.app.flows.create(t1.account.sid, { friendlyName: 'survey', status: 'published', definition: survey });
      const contacts = Array.from({ length: 200 }, (_, i) => `+1555300${String(i).padStart(4, '0')}`);
      for (const contact of contacts) await text(t1, flow.sid, contact, 'hi');
      await t1.close();

      clock.advance(3600);
      const t2 = await startTestServer({ now: clock.now, store: new SqliteStore({ path }) });
      try {
        // The node's own timer loop fires batches too: together they fire every timer, each once (the steps below).
        while ((await t2.app.executions.fireDueTimers()) > 0);
        await t2.app.executions.idle();
        assert.equal(await t2.app.store.nextTimerDue().then((due) => (due !== null && due <= clock.now() ? due : null)), null, 'no timer left due');
        const page = await t2.app.store.listExecutions(t2.account.sid, flow.sid, {}, { pageSize: 1000 });
        assert.equal(page.items.length, contacts.length);
        for (const execution of page.items) {
          assert.equal(execution.status, 'ended');
          const path = await steps(t2, flow.sid, execution.sid);
          assert.deepEqual(path, ['Trigger -incomingMessage-> ask', 'ask -timeout-> too_slow', 'too_slow -sent-> Ended']);
        }
      } finally {
        await t2.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serialises concurrent inbound messages for one contact', async () => {
    const t = await startTestServer();
    try {
      const flow = await t.app.flows.create(t.account.sid, { friendlyName: 'survey', status: 'published', definition: survey });
      const contact = '+15551230009';
      const params = (body: string) => t.app.simulator.inbound(t.account.sid, flow.sid, contact, SIMULATOR_FLOW_ADDRESS, body);
      // The second message may arrive before the question has gone out; it is kept and answers it.
      const results = await Promise.all(['a', '5'].map((b) => t.app.executions.inboundMessage(t.account.sid, flow.sid, params(b))));
      await t.app.executions.idle();
      assert.equal(results[0]!.executionSid, results[1]!.executionSid);
      const page = await t.app.store.listExecutions(t.account.sid, flow.sid, {}, { pageSize: 100 });
      assert.equal(page.items.length, 1);
      assert.equal(page.items[0]!.status, 'ended');
      assert.deepEqual((await steps(t, flow.sid, page.items[0]!.sid)).slice(1, 2), ['ask -incomingMessage-> remember']);
      assert.equal((contextOf(page.items[0]!) as any).flow.variables.rating, 5);
      assert.equal(await t.app.store.nextTimerDue(), null, 'no timer is left behind by the answered question');
    } finally {
      await t.close();
    }
  });
});
