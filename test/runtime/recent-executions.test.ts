// The runtime reuses the execution it wrote last for that execution's next sprint (the result of the
// effect it started) instead of reading it back. Another node (or another process on the SQLite file)
// may have changed it meanwhile: the stale copy must never win. Its sprint fails the version check and
// runs again from a fresh read. An execution left waiting is not kept: it is read afresh when it wakes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestServer } from '../support/server.ts';
import { DEFAULT_RUNTIME_OPTIONS, ExecutionService } from '../../src/runtime/executions.ts';
import type { MessageChannel, OutboundHttp } from '../../src/runtime/ports/channel.ts';

const askAndWait = JSON.parse(readFileSync(new URL('../fixtures/flows/ask-and-wait.json', import.meta.url), 'utf8'));

describe('recently written executions', () => {
  it("another node's end is not overwritten by an effect's result applied to this node's kept copy (the effect's claim and the version check both stop it)", async () => {
    const t = await startTestServer();
    const other = new ExecutionService(t.app.store, { name: 'none' } as MessageChannel, {} as OutboundHttp, { ...DEFAULT_RUNTIME_OPTIONS, now: Date.now });
    // The question's send is held open, so this node keeps the execution (its effect is out) meanwhile. The
    // simulator would complete it inside the sprint (sendInline): it goes through the outbox here, as a
    // carrier's send does.
    const inline = t.app.simulator.sendInline;
    t.app.simulator.sendInline = async () => null;
    const send = t.app.simulator.sendMessage;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let sends = 0;
    t.app.simulator.sendMessage = async function (this: typeof t.app.simulator, context, message) {
      sends++;
      await held;
      return send.call(this, context, message);
    };
    try {
      const flow = await t.app.flows.create(t.account.sid, { friendlyName: 'ask', status: 'published', definition: askAndWait });
      const { execution } = await t.app.executions.create(t.account.sid, flow.sid, { to: '+15557770002', from: '+15550000001' }, 'error');
      while (sends === 0) await new Promise((resolve) => setImmediate(resolve));
      const ended = await other.end(t.account.sid, flow.sid, execution.sid);
      assert.equal(ended.status, 'ended');

      release(); // the send's result now reaches this node, whose kept copy says "sending the question"
      await t.app.executions.idle();
      const stored = await t.app.store.getExecution(t.account.sid, flow.sid, execution.sid);
      assert.equal(stored?.status, 'ended', 'the other node’s end stands');
    } finally {
      release();
      t.app.simulator.sendMessage = send;
      t.app.simulator.sendInline = inline;
      await t.close();
    }
  });

  it("another node's end is not overwritten by a reply to this node's waiting execution", async () => {
    const t = await startTestServer();
    // A second node on the same store: never started, so it carries no effects out itself.
    const other = new ExecutionService(t.app.store, { name: 'none' } as MessageChannel, {} as OutboundHttp, { ...DEFAULT_RUNTIME_OPTIONS, now: Date.now });
    try {
      const flow = await t.app.flows.create(t.account.sid, { friendlyName: 'ask', status: 'published', definition: askAndWait });
      const { execution } = await t.app.executions.create(t.account.sid, flow.sid, { to: '+15557770001', from: '+15550000001' }, 'error');
      await t.app.executions.idle(); // the question was sent: this node holds the waiting execution's latest version
      const ended = await other.end(t.account.sid, flow.sid, execution.sid);
      assert.equal(ended.status, 'ended');

      // The reply reaches this node, whose copy still says "waiting for a reply".
      const after = await t.app.executions.deliver(execution.sid, { type: 'inbound-message', message: { From: '+15557770001', To: '+15550000001', Body: 'late' } });
      await t.app.executions.idle();
      assert.equal(after?.status, 'ended');
      const stored = await t.app.store.getExecution(t.account.sid, flow.sid, execution.sid);
      assert.equal(stored?.status, 'ended', 'the other node’s end stands');
      const steps = await t.app.store.listSteps(t.account.sid, flow.sid, execution.sid, { pageSize: 50 });
      assert.ok(!steps.items.some((step) => step.name === 'thanks'), 'no step was taken on the stale copy');
    } finally {
      await t.close();
    }
  });
});
