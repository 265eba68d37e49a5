// Sends of an execution a Conversations message started, on the simulator. Such a send whose `from` is a
// bot name ("Bot", as in every Flex conversation flow) went out as a separate SMS from "Bot" to the
// contact: under other_messages, off the contact's transcript, an SM… SID. The carrier posts it into the
// conversation with `from` as the Author, whatever `to` names; so does the simulator now. And a flow
// wiring both incomingMessage and incomingConversationMessage (the Flex pattern) is driven down its
// conversation branch by texting To=CH….
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, FORM, form, type TestServer } from '../support/server.ts';
import { wiredTriggerFlow } from '../support/flows.ts';

const at = (y: number) => ({ offset: { x: 0, y } });

function send(name: string, from: string, next: string | undefined, y: number, to = '{{contact.channel.address}}'): object {
  return { name, type: 'send-message', properties: { ...at(y), from, to, body: `${name} from ${from}` }, transitions: [{ event: 'sent', ...(next ? { next } : {}) }, { event: 'failed' }] };
}

function flow(trigger: { message?: string; conversation?: string }, states: object[]): object {
  return wiredTriggerFlow('conversation sends', { incomingMessage: trigger.message, incomingConversationMessage: trigger.conversation }, states);
}

interface Entry {
  sid: string;
  direction: string;
  from: string;
  to: string;
  body: string;
  execution_sid: string | null;
}

interface Answer {
  message_sid: string;
  execution_sid: string | null;
  messages: Entry[];
  other_messages: Entry[];
}

describe('simulator: sends of an execution in a conversation go into it, as on the carrier', () => {
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
  const transcript = async (flowSid: string, contact: string, flowAddress?: string): Promise<Entry[]> => {
    const query = `Contact=${encodeURIComponent(contact)}${flowAddress ? `&FlowAddress=${flowAddress}` : ''}`;
    const res = await t.app.server.inject({ method: 'GET', url: `/simulator/Flows/${flowSid}/Messages?${query}`, headers: { authorization: t.auth } });
    assert.equal(res.statusCode, 200, res.body);
    return res.json().messages as Entry[];
  };
  const sentBy = async (executionSid: string, widget: string) => {
    const steps = (await t.app.store.listSteps(t.account.sid, (await t.app.store.getExecutionBySid(executionSid))!.flowSid, executionSid, { pageSize: 50 })).items;
    const step = steps.find((s) => s.transitionedFrom === widget)!;
    return { event: step.name, outbound: (step.context as { outbound?: Record<string, unknown> }).outbound };
  };

  it('a send from "Bot" lands in the conversation and on the contact\'s transcript, with an IM SID and Bot as Author', async () => {
    const flowSid = await create(flow({ conversation: 'a' }, [send('a', 'Bot', 'b', 200), send('b', '{{flow.channel.address}}', undefined, 400)]));
    const contact = '+15552229999';
    const answer = await text(flowSid, { From: contact, Body: 'hi' });
    assert.ok(answer.execution_sid);
    const ch = (await t.app.store.getExecutionBySid(answer.execution_sid))!.channelAddress;
    assert.match(ch, /^CH[0-9a-f]{32}$/);
    assert.deepEqual(
      answer.messages.map((m) => [m.direction, m.body]),
      [
        ['inbound', 'hi'],
        ['outbound-api', 'a from Bot'],
        ['outbound-api', `b from ${ch}`],
      ],
    );
    assert.deepEqual(answer.other_messages, [], 'nothing went out as a separate SMS');
    // As the contact sees it: from the number they texted (the proxy of their binding), to them.
    const a = answer.messages[1]!;
    assert.match(a.sid, /^IM[0-9a-f]{32}$/);
    assert.equal(a.from, '+15005550006');
    assert.equal(a.to, contact);
    assert.deepEqual((await transcript(flowSid, contact)).map((m) => m.body), ['hi', 'a from Bot', `b from ${ch}`]);
    // The conversation's own transcript holds it too.
    assert.ok((await transcript(flowSid, contact, ch)).some((m) => m.body === 'a from Bot' && m.sid === a.sid));
    const sent = await sentBy(answer.execution_sid, 'a');
    assert.equal(sent.event, 'sent');
    assert.match(String(sent.outbound?.Sid), /^IM/);
    assert.equal(sent.outbound?.ConversationSid, ch);
    assert.equal(sent.outbound?.Author, 'Bot');
  });

  it('the runtime hands the execution\'s address to the send: no store read per message', async () => {
    let reads = 0;
    t.app.simulator.readChannelAddresses(async (sid) => {
      reads++;
      return (await t.app.store.getExecutionBySid(sid))?.channelAddress;
    });
    const flowSid = await create(flow({ conversation: 'a', message: 'c' }, [send('a', 'Bot', 'b', 200), send('b', 'Bot', undefined, 400), send('c', '{{flow.channel.address}}', undefined, 600)]));
    const inConversation = await text(flowSid, { From: '+15552228888', To: 'CH' + 'c'.repeat(32), Body: 'hi' });
    assert.deepEqual(inConversation.messages.filter((m) => m.direction !== 'inbound').map((m) => m.sid.slice(0, 2)), ['IM', 'IM']);
    const sms = await text(flowSid, { From: '+15552227777', Body: 'hi' });
    assert.deepEqual(sms.messages.filter((m) => m.direction !== 'inbound').map((m) => m.sid.slice(0, 2)), ['SM']);
    assert.equal(reads, 0);
  });

  it('a bot name from a variable, and `to` another number: still posted into the conversation (the carrier drops `to`)', async () => {
    const flowSid = await create(
      flow({ conversation: 'vars' }, [
        { name: 'vars', type: 'set-variables', properties: { ...at(200), variables: [{ key: 'DF_CX_BOT_NAME', value: 'Virtual Agent' }] }, transitions: [{ event: 'next', next: 'a' }] },
        send('a', '{{flow.variables.DF_CX_BOT_NAME}}', undefined, 400, '+15557770000'),
      ]),
    );
    const contact = '+15552228888';
    const answer = await text(flowSid, { From: contact, Body: 'hello' });
    assert.ok(answer.execution_sid);
    assert.deepEqual(answer.other_messages, []);
    assert.deepEqual(
      answer.messages.map((m) => [m.direction, m.to, m.body]),
      [
        ['inbound', '+15005550006', 'hello'],
        ['outbound-api', contact, 'a from Virtual Agent'],
      ],
    );
    assert.deepEqual(await transcript(flowSid, '+15557770000'), [], 'the number in `to` got nothing');
    assert.equal((await sentBy(answer.execution_sid, 'a')).outbound?.Author, 'Virtual Agent');
  });

  it('an execution of the same flow started by an SMS still sends SMS', async () => {
    const flowSid = await create(flow({ message: 'a', conversation: 'a' }, [send('a', '+15005550006', undefined, 200)]));
    const answer = await text(flowSid, { From: '+15552227777', Body: 'hi' });
    assert.match(answer.message_sid, /^SM/);
    assert.match(answer.messages.at(-1)!.sid, /^SM/);
    assert.equal(answer.messages.at(-1)!.body, 'a from +15005550006');
  });

  it('both triggers wired: To=CH… runs the conversation branch, and its Bot sends land in that conversation', async () => {
    const flowSid = await create(
      flow({ message: 'sms', conversation: 'a' }, [send('sms', '{{flow.channel.address}}', undefined, 200), send('a', 'Bot', 'ask', 400), {
        name: 'ask',
        type: 'send-and-wait-for-reply',
        properties: { ...at(600), from: 'Bot', body: 'Name?', timeout: '3600' },
        transitions: [{ event: 'incomingMessage', next: 'bye' }, { event: 'timeout' }, { event: 'deliveryFailure' }],
      }, send('bye', 'Bot', undefined, 800)]),
    );
    const contact = 'web-visitor-1';
    const ch = 'CH' + 'd'.repeat(32);
    const first = await text(flowSid, { From: contact, To: ch, Body: 'hi' });
    assert.match(first.message_sid, /^IM/, 'a Conversations message');
    assert.ok(first.execution_sid);
    const record = (await t.app.store.getExecutionBySid(first.execution_sid))!;
    assert.equal(record.channelAddress, ch);
    const steps = (await t.app.store.listSteps(t.account.sid, flowSid, first.execution_sid, { pageSize: 50 })).items.map((s) => `${s.transitionedFrom} -${s.name}-> ${s.transitionedTo}`);
    assert.deepEqual(steps, ['Trigger -incomingConversationMessage-> a', 'a -sent-> ask']);
    assert.deepEqual(first.messages.map((m) => m.body), ['hi', 'a from Bot', 'Name?']);
    assert.ok(first.messages.slice(1).every((m) => /^IM/.test(m.sid) && m.from === ch && m.to === contact));
    assert.deepEqual(first.other_messages, []);
    // The reply in the conversation reaches the waiting execution.
    const second = await text(flowSid, { From: contact, To: ch, Body: 'Ada' });
    assert.equal(second.execution_sid, first.execution_sid);
    assert.deepEqual(second.messages.map((m) => m.body), ['hi', 'a from Bot', 'Name?', 'Ada', 'bye from Bot']);
    // Without To=CH… the same flow still takes the text as an SMS (incomingMessage).
    const sms = await text(flowSid, { From: '+15552226666', Body: 'hi' });
    assert.match(sms.message_sid, /^SM/);
    assert.equal(sms.messages.at(-1)?.body, 'sms from +15005550006');
  });

  it('a flow wiring only incomingMessage: To=CH… stays a message (a Programmable Chat channel)', async () => {
    const flowSid = await create(flow({ message: 'sms' }, [send('sms', '{{flow.channel.address}}', undefined, 200)]));
    const ch = 'CH' + 'e'.repeat(32);
    const answer = await text(flowSid, { From: 'web-visitor-2', To: ch, Body: 'hi' });
    assert.match(answer.message_sid, /^SM/);
    assert.ok(answer.execution_sid);
    const steps = (await t.app.store.listSteps(t.account.sid, flowSid, answer.execution_sid, { pageSize: 50 })).items.map((s) => s.name);
    assert.deepEqual(steps, ['incomingMessage', 'sent']);
    assert.equal(answer.messages.at(-1)?.body, `sms from ${ch}`);
  });
});
