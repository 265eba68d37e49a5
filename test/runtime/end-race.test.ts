// Races between ending an execution and an inbound message for the same contact.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestServer, type TestServer } from '../support/server.ts';
import { SIMULATOR_FLOW_ADDRESS } from '../../src/channels/simulator/simulator-channel.ts';

const survey = JSON.parse(readFileSync(new URL('../fixtures/flows/survey.json', import.meta.url), 'utf8'));

/** `contact` texts "hi" to a published survey flow; `text` sends their next messages. */
async function surveyStarted(t: TestServer, contact: string, messageSid: string) {
  const flow = await t.app.flows.create(t.account.sid, { friendlyName: 'survey', status: 'published', definition: survey });
  const text = (body: string, sid: string) => t.app.executions.inboundMessage(t.account.sid, flow.sid, { From: contact, To: SIMULATOR_FLOW_ADDRESS, Body: body, MessageSid: sid });
  const first = await text('hi', messageSid);
  await t.app.executions.idle();
  assert.ok(first.executionSid);
  return { flow, first: first.executionSid, text };
}

describe('inbound message racing the end of its execution', () => {
  it('a message that arrives while the execution ends starts a new execution instead of vanishing', async () => {
    const t = await startTestServer();
    try {
      const { flow, first, text } = await surveyStarted(t, '+15557770001', 'SM' + '1'.repeat(32));
      const [ended, reply] = await Promise.all([t.app.executions.end(t.account.sid, flow.sid, first), text('4', 'SM' + '2'.repeat(32))]);
      await t.app.executions.idle();
      assert.equal(ended.status, 'ended');
      const steps = await t.app.store.listSteps(t.account.sid, flow.sid, first, { pageSize: 100 });
      const repliedToFirst = steps.items.some((s) => s.name === 'incomingMessage' && s.transitionedFrom === 'ask');
      // Either the reply reached the waiting execution before it ended, or it started a new one.
      assert.ok(repliedToFirst || (reply.executionSid !== null && reply.executionSid !== first),
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
      const { flow, first, text } = await surveyStarted(t, '+15557770002', 'SM' + '3'.repeat(32));
      // The DELETE lands just after the message found the execution, before it takes the execution's lock.
      const store = t.app.store;
      const find = store.listActiveExecutionSidsOfPair.bind(store);
      let removed = false;
      store.listActiveExecutionSidsOfPair = async (...args) => {
        const found = await find(...args);
        if (found[0] && !removed) removed = await t.app.executions.remove(t.account.sid, flow.sid, found[0]);
        return found;
      };
      const reply = await text('4', 'SM' + '4'.repeat(32));
      store.listActiveExecutionSidsOfPair = find;
      await t.app.executions.idle();
      assert.equal(removed, true);
      assert.ok(reply.executionSid && reply.executionSid !== first && !reply.duplicate, `the reply was swallowed: ${JSON.stringify(reply)}`);
      assert.equal((await t.app.store.getExecutionBySid(reply.executionSid))?.status, 'active');
    } finally {
      await t.close();
    }
  });
});
