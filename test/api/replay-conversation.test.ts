// Replaying executions a Conversations message started (incomingConversationMessage) against the revision
// they ran is "same": the contact's replies go as the conversation posted them (ChatServiceSid,
// ParticipantSid, WebhookSid, MessageSid, Index), not with SIDs and an Index the replay made up; the trigger
// message is kept exactly; the messages the flow posted keep their recorded SID and Index. That holds for a
// second execution in a conversation that already has messages, for one still waiting in Send & Wait, and
// for replies in a conversation Start Conversation opened (from a conversation or a REST trigger). What the
// revision decides still shows: a message's Author or Body, and the path.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, FORM, form, type TestServer } from '../support/server.ts';
import { wiredTriggerFlow } from '../support/flows.ts';

const at = (y: number) => ({ offset: { x: 0, y } });
const SERVICE = 'IS' + 'b'.repeat(32);
const FLOW_NUMBER = '+15005550006';

function flow(trigger: { conversation?: string; request?: string }, states: object[]): object {
  return wiredTriggerFlow('replay in a conversation', { incomingConversationMessage: trigger.conversation, incomingRequest: trigger.request }, states);
}

const hello = (next: string) => ({ name: 'hello', type: 'send-message', properties: { ...at(100), from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'Hello, you wrote {{trigger.conversation.Body}}' }, transitions: [{ event: 'sent', next }, { event: 'failed' }] });
const ask = (from = 'Bot', body = 'Your name?') => ({ name: 'ask', type: 'send-and-wait-for-reply', properties: { ...at(200), from, body, timeout: '3600' }, transitions: [{ event: 'incomingMessage', next: 'bye' }, { event: 'timeout' }, { event: 'deliveryFailure' }] });
// What the conversation made up, printed: a replay that makes up its own says something else.
const bye = { name: 'bye', type: 'send-message', properties: { ...at(300), from: 'Bot', to: '{{contact.channel.address}}', body: 'Bye {{widgets.ask.inbound.Body}} (#{{widgets.ask.inbound.Index}} by {{widgets.ask.inbound.ParticipantSid}}, after {{widgets.ask.outbound.Sid}})' }, transitions: [{ event: 'sent' }, { event: 'failed' }] };
const open = (next: string) => ({
  name: 'open',
  type: 'start-conversation',
  transitions: [{ event: 'created', next }, { event: 'failed' }],
  properties: { ...at(50), conversation_service_sid: SERVICE, friendly_name: 'Support', participants: [{ type: 'sms', messaging_binding_address: '{{contact.channel.address}}', messaging_binding_proxy_address: FLOW_NUMBER }] },
});

/** Conversation trigger → hello (from the conversation: "system") → ask (from Bot) → bye. */
const chatFlow = (askFrom = 'Bot', askBody = 'Your name?') => flow({ conversation: 'hello' }, [hello('ask'), ask(askFrom, askBody), bye]);

interface Report {
  diverged: boolean;
  divergence: { index: number } | null;
  original: { messages: string[] };
  replay: { messages: string[]; end: string };
  message_diff: string[];
  output_differences: { widget: string; original: Record<string, Record<string, unknown>>; replay: Record<string, Record<string, unknown>>; fields: { path: string; original?: unknown; replay?: unknown }[] }[];
  notes: string[];
}

describe('replay of executions a Conversations message started', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  const create = async (definition: object) => (await t.app.flows.create(t.account.sid, { friendlyName: 'f', status: 'published', definition })).sid;
  const text = async (flowSid: string, fields: Record<string, string>): Promise<string> => {
    const res = await t.app.server.inject({ method: 'POST', url: `/simulator/Flows/${flowSid}/Messages`, headers: { authorization: t.auth, ...FORM }, payload: form(fields) });
    assert.equal(res.statusCode, 201, res.body);
    await t.app.executions.idle();
    return String(res.json().execution_sid);
  };
  const replay = async (flowSid: string, executionSid: string, definition?: object): Promise<Report> => {
    const url = `/replay/Flows/${flowSid}/Executions/${executionSid}`;
    const res = definition
      ? await t.app.server.inject({ method: 'POST', url, headers: { authorization: t.auth, ...FORM }, payload: form({ Definition: JSON.stringify(definition) }) })
      : await t.app.server.inject({ method: 'GET', url: `${url}?Revision=1`, headers: { authorization: t.auth } });
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as Report;
  };
  const steps = async (flowSid: string, executionSid: string) =>
    (await t.app.store.listSteps(t.account.sid, flowSid, executionSid, { pageSize: 50 })).items.map((s) => `${s.transitionedFrom} -${s.name}-> ${s.transitionedTo}`);
  const same = (report: Report) => {
    assert.deepEqual(report.output_differences, [], JSON.stringify(report.output_differences));
    assert.ok(report.message_diff.every((line) => line.startsWith('  ')), report.message_diff.join('\n'));
    assert.equal(report.divergence, null);
    assert.equal(report.diverged, false);
  };

  it('a reply in the conversation, Send & Wait from Bot: same, as the conversation posted it', async () => {
    const flowSid = await create(chatFlow());
    const contact = '+15551250001';
    const executionSid = await text(flowSid, { From: contact, Body: 'hi' });
    assert.equal(await text(flowSid, { From: contact, Body: 'Ada' }), executionSid);
    assert.deepEqual(await steps(flowSid, executionSid), ['Trigger -incomingConversationMessage-> hello', 'hello -sent-> ask', 'ask -incomingMessage-> bye', 'bye -sent-> Ended']);
    const report = await replay(flowSid, executionSid);
    same(report);
    assert.equal(report.replay.end, 'completed');
    assert.match(report.replay.messages.at(-1)!, /^Bye Ada \(#3 by MB[0-9a-f]{32}, after IM[0-9a-f]{32}\)$/);
  });

  it("a second execution in the contact's conversation: its replies keep the conversation's Index", async () => {
    const flowSid = await create(chatFlow());
    const contact = '+15551250002';
    const first = await text(flowSid, { From: contact, Body: 'hi' });
    await text(flowSid, { From: contact, Body: 'Ada' });
    const second = await text(flowSid, { From: contact, Body: 'hi again' });
    assert.notEqual(second, first);
    await text(flowSid, { From: contact, Body: 'Bob' });
    const report = await replay(flowSid, second);
    same(report);
    assert.match(report.replay.messages.at(-1)!, /^Bye Bob \(#8 /);
  });

  it('an execution still waiting in Send & Wait: same, its question on both sides', async () => {
    const flowSid = await create(chatFlow());
    const executionSid = await text(flowSid, { From: '+15551250003', Body: 'hi' });
    const report = await replay(flowSid, executionSid);
    same(report);
    assert.equal(report.replay.end, 'waiting');
    assert.deepEqual(report.original.messages, ['Hello, you wrote hi', 'Your name?']);
  });

  it('Start Conversation in a flow a conversation message started: the reply in the new conversation', async () => {
    const flowSid = await create(flow({ conversation: 'open' }, [open('ask'), ask(), bye]));
    const contact = '+15551250004';
    const executionSid = await text(flowSid, { From: contact, Body: 'hi' });
    assert.equal(await text(flowSid, { From: contact, To: FLOW_NUMBER, Body: 'Ada' }), executionSid);
    assert.deepEqual(await steps(flowSid, executionSid), ['Trigger -incomingConversationMessage-> open', 'open -created-> ask', 'ask -incomingMessage-> bye', 'bye -sent-> Ended']);
    const report = await replay(flowSid, executionSid);
    same(report);
    assert.match(report.replay.messages.at(-1)!, /^Bye Ada \(#1 /);
  });

  it('Start Conversation in a REST-triggered flow: the contact replies in the conversation', async () => {
    const flowSid = await create(flow({ request: 'open' }, [open('ask'), ask(), bye]));
    const contact = '+15551250005';
    const created = await t.app.server.inject({ method: 'POST', url: `/v2/Flows/${flowSid}/Executions`, headers: { authorization: t.auth, ...FORM }, payload: form({ To: contact, From: FLOW_NUMBER }) });
    assert.equal(created.statusCode, 201, created.body);
    await t.app.executions.idle();
    const executionSid = created.json().sid as string;
    assert.equal(await text(flowSid, { From: contact, To: FLOW_NUMBER, Body: 'Ada' }), executionSid);
    const report = await replay(flowSid, executionSid);
    same(report);
    assert.match(report.replay.messages.at(-1)!, /^Bye Ada \(#1 /);
  });

  it('what the revision decides still shows: the Author, the body, the path', async () => {
    const flowSid = await create(chatFlow());
    const contact = '+15551250006';
    const executionSid = await text(flowSid, { From: contact, Body: 'hi' });
    await text(flowSid, { From: contact, Body: 'Ada' });

    // Asked by another author: same path and text, but the message in the conversation is someone else's.
    const author = await replay(flowSid, executionSid, chatFlow('Agent'));
    assert.equal(author.diverged, true);
    assert.equal(author.divergence, null);
    const differs = author.output_differences.find((d) => d.widget === 'ask');
    assert.ok(differs, JSON.stringify(author.output_differences));
    assert.equal(differs.original.outbound!.Author, 'Bot');
    assert.equal(differs.replay.outbound!.Author, 'Agent');
    // Only the Author, as the console shows it: the reply and the message's SID and Index are as recorded.
    assert.deepEqual(author.output_differences.map((d) => [d.widget, d.fields]), [['ask', [{ path: 'outbound.Author', original: 'Bot', replay: 'Agent' }]]]);

    const body = await replay(flowSid, executionSid, chatFlow('Bot', 'Who are you?'));
    assert.equal(body.diverged, true);
    assert.ok(body.message_diff.includes('- "Your name?"') && body.message_diff.includes('+ "Who are you?"'), body.message_diff.join('\n'));

    // The reply now goes nowhere: the path ends at the reply.
    const rerouted = chatFlow() as { states: { name: string; transitions: { event: string; next?: string }[] }[] };
    rerouted.states.find((s) => s.name === 'ask')!.transitions[0] = { event: 'incomingMessage' };
    const path = await replay(flowSid, executionSid, rerouted);
    assert.equal(path.diverged, true);
    assert.equal(path.divergence?.index, 2);
  });
});
