// The simulator's Chat on flows whose Trigger does not wire incomingMessage. A flow Twilio triggers
// from Conversations (only incomingConversationMessage wired, as 23 of the real exports are) used to
// run Trigger -incomingMessage-> Ended with no reply and no word why; now the text goes into a
// conversation (as a number whose texts Conversations autocreates one for), the flow runs and its
// replies come back on the contact's transcript. A Trigger wiring neither still ends at once (as on
// Twilio), and the answer says why.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestServer, FORM, form, type TestServer } from '../support/server.ts';
import { wiredTriggerFlow } from '../support/flows.ts';

const at = (y: number) => ({ offset: { x: 0, y } });

function flow(trigger: { message?: string; conversation?: string; request?: string }): object {
  return wiredTriggerFlow('conversation trigger', { incomingMessage: trigger.message, incomingConversationMessage: trigger.conversation, incomingRequest: trigger.request }, [
    {
      name: 'ask',
      type: 'send-and-wait-for-reply',
      properties: { ...at(200), from: '{{flow.channel.address}}', body: 'You said {{trigger.conversation.Body | default: trigger.message.Body}}. Name?', timeout: '3600' },
      transitions: [{ event: 'incomingMessage', next: 'bye' }, { event: 'timeout' }, { event: 'deliveryFailure' }],
    },
    {
      name: 'bye',
      type: 'send-message',
      properties: { ...at(400), from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'Bye {{widgets.ask.inbound.Body}}' },
      transitions: [{ event: 'sent' }, { event: 'failed' }],
    },
  ]);
}

interface Answer {
  message_sid: string;
  execution_sid: string | null;
  messages: { direction: string; body: string; execution_sid: string | null }[];
  notice?: { code: string; message: string };
}

describe('simulator: a text to a flow whose Trigger does not wire incomingMessage', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  const create = async (definition: object) => (await t.app.flows.create(t.account.sid, { friendlyName: 'f', status: 'published', definition })).sid;
  const text = async (flowSid: string, fields: Record<string, string>): Promise<Answer> => {
    const res = await t.app.server.inject({ method: 'POST', url: `/simulator/Flows/${flowSid}/Messages`, headers: { authorization: t.auth, ...FORM }, payload: form(fields) });
    assert.equal(res.statusCode, 201, res.body);
    return res.json() as Answer;
  };
  const steps = async (flowSid: string, executionSid: string) =>
    (await t.app.store.listSteps(t.account.sid, flowSid, executionSid, { pageSize: 50 })).items.map((s) => `${s.transitionedFrom} -${s.name}-> ${s.transitionedTo}`);

  it('only incomingConversationMessage wired: the text goes into a conversation and the flow runs and replies', async () => {
    const flowSid = await create(flow({ conversation: 'ask' }));
    const contact = '+15551240001';
    const first = await text(flowSid, { From: contact, Body: 'hello' });
    assert.ok(first.execution_sid, 'an execution started');
    assert.equal(first.notice, undefined);
    assert.match(first.message_sid, /^IM/, 'a Conversations message');
    assert.deepEqual(await steps(flowSid, first.execution_sid), ['Trigger -incomingConversationMessage-> ask']);
    const record = (await t.app.store.getExecutionBySid(first.execution_sid))!;
    assert.match(record.channelAddress, /^CH[0-9a-f]{32}$/, 'the flow address is the conversation');
    assert.equal(record.contactChannelAddress, contact);
    assert.deepEqual(
      first.messages.map((m) => [m.direction, m.body]),
      [
        ['inbound', 'hello'],
        ['outbound-api', 'You said hello. Name?'],
      ],
    );
    // The reply reaches the waiting execution in the conversation.
    const second = await text(flowSid, { From: contact, Body: 'Ada' });
    assert.equal(second.execution_sid, first.execution_sid);
    assert.deepEqual(await steps(flowSid, first.execution_sid), ['Trigger -incomingConversationMessage-> ask', 'ask -incomingMessage-> bye', 'bye -sent-> Ended']);
    assert.equal(second.messages.at(-1)?.body, 'Bye Ada');
    // The Chat's transcript (the default flow address) shows the whole exchange.
    const transcript = await t.app.server.inject({ method: 'GET', url: `/simulator/Flows/${flowSid}/Messages?Contact=${encodeURIComponent(contact)}`, headers: { authorization: t.auth } });
    assert.deepEqual(
      (transcript.json().messages as Answer['messages']).map((m) => m.body),
      ['hello', 'You said hello. Name?', 'Ada', 'Bye Ada'],
    );
    // After it ended, the next text starts a new execution in the same conversation.
    const third = await text(flowSid, { From: contact, Body: 'again' });
    assert.ok(third.execution_sid && third.execution_sid !== first.execution_sid);
    assert.equal((await t.app.store.getExecutionBySid(third.execution_sid))!.channelAddress, record.channelAddress);
    assert.deepEqual(await steps(flowSid, third.execution_sid), ['Trigger -incomingConversationMessage-> ask']);
  });

  it('To=CH… names the conversation the contact writes in', async () => {
    const flowSid = await create(flow({ conversation: 'ask' }));
    const conversation = 'CH' + 'b'.repeat(32);
    const answer = await text(flowSid, { From: 'ada', To: conversation, Body: 'hi' });
    assert.ok(answer.execution_sid);
    assert.equal((await t.app.store.getExecutionBySid(answer.execution_sid))!.channelAddress, conversation);
    assert.deepEqual(
      answer.messages.map((m) => m.body),
      ['hi', 'You said hi. Name?'],
    );
  });

  it('a reply to an execution waiting at the flow address is a message, whatever the Trigger wires', async () => {
    const flowSid = await create(flow({ conversation: 'ask', request: 'ask' }));
    const contact = '+15551240002';
    const { execution } = await t.app.executions.create(t.account.sid, flowSid, { to: contact, from: '+15005550006' }, 'error');
    await t.app.executions.idle();
    const answer = await text(flowSid, { From: contact, Body: 'Bo' });
    assert.equal(answer.execution_sid, execution.sid);
    assert.match(answer.message_sid, /^SM/);
    assert.deepEqual(await steps(flowSid, execution.sid), ['Trigger -incomingRequest-> ask', 'ask -incomingMessage-> bye', 'bye -sent-> Ended']);
  });

  it('neither wired: the execution ends at the Trigger (as on Twilio) and the answer says why', async () => {
    const flowSid = await create(flow({ request: 'ask' }));
    const answer = await text(flowSid, { From: '+15551240003', Body: 'hello' });
    assert.ok(answer.execution_sid);
    assert.deepEqual(await steps(flowSid, answer.execution_sid), ['Trigger -incomingMessage-> Ended']);
    assert.equal(answer.notice?.code, 'trigger-not-wired');
    assert.match(answer.notice?.message ?? '', /Trigger does not handle incoming messages/);
  });

  it("a test user texting an invalid draft whose Trigger has no transitions gets the runtime's answer, not a 500", async () => {
    const s = await startTestServer({ config: { invalidDefinitions: 'save-as-draft' } });
    try {
      const broken = { description: 'draft', initial_state: 'Trigger', states: [{ name: 'Trigger', type: 'trigger', properties: { offset: { x: 0, y: 0 } } }] };
      const flowSid = (await s.app.flows.create(s.account.sid, { friendlyName: 'draft', status: 'draft', definition: broken as never })).sid;
      await s.app.store.setTestUsers(s.account.sid, flowSid, ['+15551240009']);
      const res = await s.app.server.inject({ method: 'POST', url: `/simulator/Flows/${flowSid}/Messages`, headers: { authorization: s.auth, ...FORM }, payload: form({ From: '+15551240009', Body: 'hi' }) });
      assert.ok(res.statusCode < 500, `${res.statusCode} ${res.body}`);
    } finally {
      await s.close();
    }
  });

  it('incomingMessage wired: a plain message, no notice', async () => {
    const definition = JSON.parse(readFileSync(new URL('../fixtures/flows/sms-echo.json', import.meta.url), 'utf8'));
    const flowSid = await create(definition);
    const answer = await text(flowSid, { From: '+15551240004', Body: 'hi' });
    assert.match(answer.message_sid, /^SM/);
    assert.equal(answer.notice, undefined);
    assert.ok(answer.messages.some((m) => m.direction === 'outbound-api'));
  });

  it('a flow never published: nothing runs, and the answer says why (a test user runs the draft)', async () => {
    const flowSid = (await t.app.flows.create(t.account.sid, { friendlyName: 'draft', status: 'draft', definition: flow({ message: 'ask' }) })).sid;
    const answer = await text(flowSid, { From: '+15551240005', Body: 'hi' });
    assert.equal(answer.execution_sid, null);
    assert.equal(answer.notice?.code, 'flow-not-published');
    assert.match(answer.notice?.message ?? '', /never been published/);
    await t.app.store.setTestUsers(t.account.sid, flowSid, ['+15551240006']);
    const tester = await text(flowSid, { From: '+15551240006', Body: 'hi' });
    assert.ok(tester.execution_sid);
    assert.equal(tester.notice, undefined);
  });
});
