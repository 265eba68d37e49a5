// resume-conversation through the runtime on the simulator channel: a conversation made earlier (here by
// another flow's Start Conversation, which has ended) is resumed by a REST execution of a second flow, which
// moves into it: its question is posted there and the contact's reply there (texting the proxy number, or
// writing in it) resumes that execution. A conversation the simulator does not hold takes `failed` (20404).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FORM, form, startTestServer, type TestServer } from '../support/server.ts';
import { triggerFlow } from '../support/flows.ts';

const SERVICE = 'IS' + 'b'.repeat(32);
const CONTACT = '+15551230001';
const PROXY = '+15005550006';

/** Flow A: opens a conversation with the contact (SMS participant on the proxy number) and ends. */
const openFlow = () =>
  triggerFlow('open', 'incomingRequest', 'open', [
    {
      name: 'open',
      type: 'start-conversation',
      properties: {
        offset: { x: 0, y: 100 },
        conversation_service_sid: SERVICE,
        friendly_name: 'Support',
        participants: [{ type: 'sms', messaging_binding_address: '{{contact.channel.address}}', messaging_binding_proxy_address: '{{flow.channel.address}}' }],
      },
      transitions: [{ event: 'created' }, { event: 'failed' }],
    },
  ]);

/** Flow B: resumes the conversation named by the REST parameters, asks, and thanks. */
const resumeFlow = (service = SERVICE) =>
  triggerFlow('resume', 'incomingRequest', 'resume', [
    {
      name: 'resume',
      type: 'resume-conversation',
      properties: { offset: { x: 0, y: 100 }, conversation_service_sid: service, conversation_sid: '{{flow.data.conversation}}', attributes: '{"stage":"follow-up"}' },
      transitions: [{ event: 'resumed', next: 'ask' }, { event: 'failed' }],
    },
    {
      name: 'ask',
      type: 'send-and-wait-for-reply',
      properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', body: 'Still need help with {{widgets.resume.conversation.friendly_name}}?', timeout: '3600' },
      transitions: [{ event: 'incomingMessage', next: 'thanks' }, { event: 'timeout' }, { event: 'deliveryFailure' }],
    },
    { name: 'thanks', type: 'send-message', properties: { offset: { x: 0, y: 300 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'Noted: {{widgets.ask.inbound.Body}}' }, transitions: [{ event: 'sent' }, { event: 'failed' }] },
  ]);

async function execute(t: TestServer, flowSid: string, parameters: Record<string, string> = {}): Promise<string> {
  const created = await t.app.server.inject({
    method: 'POST',
    url: `/v2/Flows/${flowSid}/Executions`,
    headers: { authorization: t.auth, ...FORM },
    payload: form({ To: CONTACT, From: PROXY, Parameters: JSON.stringify(parameters) }),
  });
  assert.equal(created.statusCode, 201, created.body);
  await t.app.executions.idle();
  return created.json().sid as string;
}

async function stepsOf(t: TestServer, flowSid: string, sid: string): Promise<string[]> {
  const steps = await t.app.server.inject({ method: 'GET', url: `/v2/Flows/${flowSid}/Executions/${sid}/Steps`, headers: { authorization: t.auth } });
  return (steps.json().steps as any[]).map((s) => `${s.transitioned_from} -${s.name}-> ${s.transitioned_to}`);
}

/** A conversation opened by flow A (its execution over), and flow B's execution that resumed it. */
async function resumed() {
  const t = await startTestServer();
  const open = await t.app.flows.create(t.account.sid, { friendlyName: 'open', status: 'published', definition: openFlow() });
  await execute(t, open.sid);
  const ch = String(t.app.simulator.conversations()[0]!.sid);
  const flow = await t.app.flows.create(t.account.sid, { friendlyName: 'resume', status: 'published', definition: resumeFlow() });
  const executionSid = await execute(t, flow.sid, { conversation: ch });
  return { t, flowSid: flow.sid, executionSid, ch };
}

describe('resume-conversation on the simulator channel', () => {
  it('resumes the conversation: outputs, the execution in it, the question posted there', async () => {
    const { t, flowSid, executionSid, ch } = await resumed();
    try {
      assert.deepEqual(await stepsOf(t, flowSid, executionSid), ['Trigger -incomingRequest-> resume', 'resume -resumed-> ask']);
      const record = (await t.app.store.getExecutionBySid(executionSid))!;
      assert.deepEqual([record.contactChannelAddress, record.channelAddress, record.status], [CONTACT, ch, 'active']);
      const outputs = (record.state as any).frames[0].widgets.resume;
      assert.equal(outputs.conversation.sid, ch);
      assert.equal(outputs.conversation.attributes, '{"stage":"follow-up"}');
      assert.equal(outputs.conversation.participants[0].messaging_binding_address, CONTACT);
      assert.match(outputs.webhook_sid, /^WH[0-9a-f]{32}$/);
      assert.deepEqual(t.app.simulator.transcript(ch, CONTACT).map((m) => [m.direction, m.body, m.executionSid]), [['outbound-api', 'Still need help with Support?', executionSid]]);
    } finally {
      await t.close();
    }
  });

  it('the contact texting the proxy number answers the resumed execution, not a new one', async () => {
    const { t, flowSid, executionSid, ch } = await resumed();
    try {
      const reply = await t.app.server.inject({ method: 'POST', url: `/simulator/Flows/${flowSid}/Messages`, headers: { authorization: t.auth, ...FORM }, payload: form({ From: CONTACT, To: PROXY, Body: 'yes please' }) });
      assert.equal(reply.statusCode, 201, reply.body);
      assert.equal(reply.json().execution_sid, executionSid);
      assert.deepEqual(await stepsOf(t, flowSid, executionSid), ['Trigger -incomingRequest-> resume', 'resume -resumed-> ask', 'ask -incomingMessage-> thanks', 'thanks -sent-> Ended']);
      assert.deepEqual(t.app.simulator.transcript(ch, CONTACT).map((m) => m.body), ['Still need help with Support?', 'yes please', 'Noted: yes please']);
      assert.equal((await t.app.store.listExecutions(t.account.sid, flowSid, {}, { pageSize: 10 })).items.length, 1);
    } finally {
      await t.close();
    }
  });

  it('a conversation the simulator does not hold, or one in another service, takes failed', async () => {
    const t = await startTestServer();
    try {
      const flow = await t.app.flows.create(t.account.sid, { friendlyName: 'resume', status: 'published', definition: resumeFlow() });
      const missing = 'CH' + '0'.repeat(32);
      const sid = await execute(t, flow.sid, { conversation: missing });
      assert.deepEqual(await stepsOf(t, flow.sid, sid), ['Trigger -incomingRequest-> resume', 'resume -failed-> Ended']);
      const error = ((await t.app.store.getExecutionBySid(sid))!.state as any).frames[0].widgets.resume.error;
      assert.deepEqual(error, { code: 20404, message: `The requested resource /Services/${SERVICE}/Conversations/${missing} was not found` });

      const open = await t.app.flows.create(t.account.sid, { friendlyName: 'open', status: 'published', definition: openFlow() });
      await execute(t, open.sid);
      const ch = String(t.app.simulator.conversations()[0]!.sid);
      const other = await t.app.flows.create(t.account.sid, { friendlyName: 'other', status: 'published', definition: resumeFlow('IS' + 'e'.repeat(32)) });
      const elsewhere = await execute(t, other.sid, { conversation: ch });
      assert.deepEqual(await stepsOf(t, other.sid, elsewhere), ['Trigger -incomingRequest-> resume', 'resume -failed-> Ended']);
    } finally {
      await t.close();
    }
  });
});
