// Send Message / Send & Wait `attributes` on the simulator: a message posted into a conversation keeps them
// (the transcript entry, and the simulator API's `attributes`), and they are the widget's outbound.Attributes;
// text that is not JSON after Liquid fails the widget before anything is posted. An SMS execution ignores them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, FORM, form, type TestServer } from '../support/server.ts';
import { wiredTriggerFlow } from '../support/flows.ts';

interface Entry {
  direction: string;
  body: string;
  attributes: string | null;
}

describe('simulator: message attributes in a conversation', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  const create = async (definition: object) => (await t.app.flows.create(t.account.sid, { friendlyName: 'f', status: 'published', definition })).sid;
  const text = async (flowSid: string, fields: Record<string, string>) => {
    const res = await t.app.server.inject({ method: 'POST', url: `/simulator/Flows/${flowSid}/Messages`, headers: { authorization: t.auth, ...FORM }, payload: form(fields) });
    assert.equal(res.statusCode, 201, res.body);
    return res.json() as { execution_sid: string; messages: Entry[] };
  };
  const steps = async (flowSid: string, executionSid: string) => (await t.app.store.listSteps(t.account.sid, flowSid, executionSid, { pageSize: 50 })).items;

  const at = (y: number) => ({ offset: { x: 0, y } });
  const definition = (attributes: string, from = 'Bot') =>
    wiredTriggerFlow('attributes', { incomingConversationMessage: 'ask', incomingMessage: 'ask' }, [
      { name: 'ask', type: 'send-and-wait-for-reply', properties: { ...at(200), from, body: 'Name?', attributes, timeout: '3600' }, transitions: [{ event: 'incomingMessage', next: 'bye' }, { event: 'timeout' }, { event: 'deliveryFailure', next: 'sorry' }] },
      { name: 'bye', type: 'send-message', properties: { ...at(400), from: 'Bot', to: '{{contact.channel.address}}', body: 'Bye', attributes: '{"reply": "{{widgets.ask.inbound.Body}}"}' }, transitions: [{ event: 'sent' }, { event: 'failed' }] },
      { name: 'sorry', type: 'send-message', properties: { ...at(600), from: 'Bot', to: '{{contact.channel.address}}', body: 'Sorry: {{widgets.ask.error.message}}' }, transitions: [{ event: 'sent' }, { event: 'failed' }] },
    ]);

  it('keeps them on the conversation message and returns them in the API, and as outbound.Attributes', async () => {
    const flowSid = await create(definition('{"step": "ask", "who": "{{contact.channel.address}}"}'));
    const ch = 'CH' + '1'.repeat(32);
    const first = await text(flowSid, { From: 'visitor-1', To: ch, Body: 'hi' });
    assert.deepEqual(first.messages.map((m) => [m.body, m.attributes]), [
      ['hi', null],
      ['Name?', '{"step": "ask", "who": "visitor-1"}'],
    ]);
    const second = await text(flowSid, { From: 'visitor-1', To: ch, Body: 'Ada' });
    assert.deepEqual(second.messages.at(-1), { ...second.messages.at(-1)!, body: 'Bye', attributes: '{"reply": "Ada"}' });
    const ask = (await steps(flowSid, first.execution_sid)).find((s) => s.transitionedFrom === 'ask')!;
    assert.equal((ask.context as { outbound: { Attributes: string } }).outbound.Attributes, '{"step": "ask", "who": "visitor-1"}');
  });

  it('not JSON after Liquid: the widget fails (81011) and posts nothing', async () => {
    const flowSid = await create(definition('{"who": {{contact.channel.address}}}'));
    const answer = await text(flowSid, { From: 'visitor-2', To: 'CH' + '2'.repeat(32), Body: 'hi' });
    assert.deepEqual(answer.messages.map((m) => m.body), ['hi', `Sorry: Failed to send message: attributes must be JSON after Liquid (${errorOf('{"who": visitor-2}')}), got '{"who": visitor-2}'`]);
    assert.deepEqual((await steps(flowSid, answer.execution_sid)).map((s) => s.name), ['incomingConversationMessage', 'deliveryFailure', 'sent']);
  });

  it('an SMS execution ignores them: the message goes out, with no attributes', async () => {
    const flowSid = await create(definition('not json', '{{flow.channel.address}}'));
    const answer = await text(flowSid, { From: '+15552221111', Body: 'hi' });
    assert.deepEqual(answer.messages.map((m) => [m.body, m.attributes]), [
      ['hi', null],
      ['Name?', null],
    ]);
  });
});

function errorOf(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  return '';
}
