// Races between ending an execution and an inbound message for the same contact.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestServer } from '../support/server.ts';
import { SIMULATOR_FLOW_ADDRESS } from '../../src/api/routes/simulator.ts';

const survey = JSON.parse(readFileSync(new URL('../fixtures/flows/survey.json', import.meta.url), 'utf8'));

describe('inbound message racing the end of its execution', () => {
  it('a message that arrives while the execution ends starts a new execution instead of vanishing', async () => {
    const t = await startTestServer();
    try {
      const flow = await t.app.flows.create(t.account.sid, { friendlyName: 'survey', status: 'published', definition: survey });
      const contact = '+15557770001';
      const first = await t.app.executions.inboundMessage(t.account.sid, flow.sid, { From: contact, To: SIMULATOR_FLOW_ADDRESS, Body: 'hi', MessageSid: 'SM' + '1'.repeat(32) });
      await t.app.executions.idle();
      assert.ok(first.executionSid);
      const [ended, reply] = await Promise.all([
        t.app.executions.end(t.account.sid, flow.sid, first.executionSid),
        t.app.executions.inboundMessage(t.account.sid, flow.sid, { From: contact, To: SIMULATOR_FLOW_ADDRESS, Body: '4', MessageSid: 'SM' + '2'.repeat(32) }),
      ]);
      await t.app.executions.idle();
      assert.equal(ended.status, 'ended');
      const steps = await t.app.store.listSteps(t.account.sid, flow.sid, first.executionSid, { pageSize: 100 });
      const repliedToFirst = steps.items.some((s) => s.name === 'incomingMessage' && s.transitionedFrom === 'ask');
      // Either the reply reached the waiting execution before it ended, or it started a new one.
      assert.ok(repliedToFirst || (reply.executionSid !== null && reply.executionSid !== first.executionSid),
        `the reply was swallowed: ${JSON.stringify(reply)}; steps ${steps.items.map((s) => `${s.transitionedFrom}-${s.name}->${s.transitionedTo}`).join(', ')}`);
    } finally {
      await t.close();
    }
  });
});

describe('inbound message racing the deletion of its execution', () => {
  it('a message that arrives while the execution is deleted starts a new execution', async () => {
    const t = await startTestServer();
    try {
      const flow = await t.app.flows.create(t.account.sid, { friendlyName: 'survey', status: 'published', definition: survey });
      const contact = '+15557770002';
      const first = await t.app.executions.inboundMessage(t.account.sid, flow.sid, { From: contact, To: SIMULATOR_FLOW_ADDRESS, Body: 'hi', MessageSid: 'SM' + '3'.repeat(32) });
      await t.app.executions.idle();
      assert.ok(first.executionSid);
      // The DELETE lands just after the message found the execution, before it takes the execution's lock.
      const store = t.app.store;
      const find = store.findActiveExecutionSid.bind(store);
      let removed = false;
      store.findActiveExecutionSid = async (...args) => {
        const found = await find(...args);
        if (found && !removed) removed = await t.app.executions.remove(t.account.sid, flow.sid, found);
        return found;
      };
      const reply = await t.app.executions.inboundMessage(t.account.sid, flow.sid, { From: contact, To: SIMULATOR_FLOW_ADDRESS, Body: '4', MessageSid: 'SM' + '4'.repeat(32) });
      store.findActiveExecutionSid = find;
      await t.app.executions.idle();
      assert.equal(removed, true);
      assert.ok(reply.executionSid && reply.executionSid !== first.executionSid && !reply.duplicate, `the reply was swallowed: ${JSON.stringify(reply)}`);
      assert.equal((await t.app.store.getExecutionBySid(reply.executionSid))?.status, 'active');
    } finally {
      await t.close();
    }
  });
});
