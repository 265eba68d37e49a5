// start-conversation through the runtime: a REST execution creates a Conversation on the simulator
// channel and the API's step context shows it; an unknown service takes `failed`; the execution moves
// into the conversation, and the contact's reply there (texting the proxy number, or writing in it)
// resumes it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FORM, form, startTestServer } from '../support/server.ts';
import { triggerFlow } from '../support/flows.ts';

const SERVICE = 'IS' + 'b'.repeat(32);

function definition(service: string) {
  return triggerFlow('conversation', 'incomingRequest', 'open', [
    {
      name: 'open',
      type: 'start-conversation',
      properties: {
        offset: { x: 0, y: 100 },
        conversation_service_sid: service,
        friendly_name: 'Support {{flow.data.ticket}}',
        participants: [{ type: 'sms', messaging_binding_address: '{{contact.channel.address}}', messaging_binding_proxy_address: '{{flow.channel.address}}' }],
      },
      transitions: [{ event: 'created' }, { event: 'failed' }],
    },
  ]);
}

async function run(service: string) {
  const t = await startTestServer();
  const flow = await t.app.flows.create(t.account.sid, { friendlyName: 'conv', status: 'published', definition: definition(service) });
  const created = await t.app.server.inject({
    method: 'POST',
    url: `/v2/Flows/${flow.sid}/Executions`,
    headers: { authorization: t.auth, ...FORM },
    payload: form({ To: '+15551230001', From: '+15005550006', Parameters: JSON.stringify({ ticket: 'T-9' }) }),
  });
  assert.equal(created.statusCode, 201, created.body);
  await t.app.executions.idle();
  const sid = created.json().sid as string;
  const steps = await t.app.server.inject({ method: 'GET', url: `/v2/Flows/${flow.sid}/Executions/${sid}/Steps`, headers: { authorization: t.auth } });
  return { t, steps: steps.json().steps as any[] };
}

describe('start-conversation on the simulator channel', () => {
  it('creates a conversation with the contact as an SMS participant', async () => {
    const { t, steps } = await run(SERVICE);
    try {
      const step = steps.find((s) => s.transitioned_from === 'open');
      assert.equal(step.name, 'created');
      assert.match(step.context.conversation.sid, /^CH[0-9a-f]{32}$/);
      assert.equal(step.context.conversation.friendly_name, 'Support T-9');
      assert.match(step.context.webhook_sid, /^WH[0-9a-f]{32}$/);
      const [conversation] = t.app.simulator.conversations();
      assert.equal(conversation!.sid, step.context.conversation.sid);
      assert.equal((conversation!.participants as any[])[0].messaging_binding_address, '+15551230001');
    } finally {
      await t.close();
    }
  });

  it('takes failed when the service does not exist', async () => {
    const { t, steps } = await run('IS-not-a-service');
    try {
      const step = steps.find((s) => s.transitioned_from === 'open');
      assert.equal(step.name, 'failed');
      assert.equal(step.context.error.code, 50050);
      assert.equal(t.app.simulator.conversations().length, 0);
    } finally {
      await t.close();
    }
  });

  describe('the execution moves into the conversation', () => {
    const askFlow = () =>
      triggerFlow('conversation', 'incomingRequest', 'open', [
        {
          name: 'open',
          type: 'start-conversation',
          properties: {
            offset: { x: 0, y: 100 },
            conversation_service_sid: SERVICE,
            participants: [{ type: 'messaging', messaging_binding_address: '{{trigger.request.to}}', messaging_binding_proxy_address: '+15005550006' }],
          },
          transitions: [{ event: 'created', next: 'ask' }, { event: 'failed' }],
        },
        {
          name: 'ask',
          type: 'send-and-wait-for-reply',
          properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', body: 'conv={{flow.channel.sid}} addr={{flow.channel.address}}', timeout: '3600' },
          transitions: [{ event: 'incomingMessage', next: 'thanks' }, { event: 'timeout' }, { event: 'deliveryFailure' }],
        },
        { name: 'thanks', type: 'send-message', properties: { offset: { x: 0, y: 300 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'Thanks for {{widgets.ask.inbound.Body}}' }, transitions: [{ event: 'sent' }, { event: 'failed' }] },
      ]);

    async function started() {
      const t = await startTestServer();
      const flow = await t.app.flows.create(t.account.sid, { friendlyName: 'conv', status: 'published', definition: askFlow() });
      const created = await t.app.server.inject({
        method: 'POST',
        url: `/v2/Flows/${flow.sid}/Executions`,
        headers: { authorization: t.auth, ...FORM },
        payload: form({ To: '+15551230001', From: '+15005550006' }),
      });
      assert.equal(created.statusCode, 201, created.body);
      await t.app.executions.idle();
      const ch = String(t.app.simulator.conversations()[0]!.sid);
      return { t, flowSid: flow.sid, executionSid: created.json().sid as string, ch };
    }

    async function stepsOf(t: Awaited<ReturnType<typeof startTestServer>>, flowSid: string, sid: string) {
      const steps = await t.app.server.inject({ method: 'GET', url: `/v2/Flows/${flowSid}/Executions/${sid}/Steps`, headers: { authorization: t.auth } });
      return (steps.json().steps as any[]).map((s) => `${s.transitioned_from} -${s.name}-> ${s.transitioned_to}`);
    }

    it('posts the question into the conversation; the contact texting the proxy number answers it', async () => {
      const { t, flowSid, executionSid, ch } = await started();
      try {
        // The conversation's transcript, and the contact's phone (the proxy number), both show the question.
        assert.deepEqual(t.app.simulator.transcript(ch, '+15551230001').map((m) => [m.direction, m.body]), [['outbound-api', `conv=${ch} addr=${ch}`]]);
        assert.deepEqual(t.app.simulator.transcript('+15005550006', '+15551230001').map((m) => [m.from, m.body, m.executionSid]), [['+15005550006', `conv=${ch} addr=${ch}`, executionSid]]);
        const record = await t.app.store.getExecutionBySid(executionSid);
        assert.deepEqual([record!.contactChannelAddress, record!.channelAddress], ['+15551230001', ch]);

        const reply = await t.app.server.inject({ method: 'POST', url: `/simulator/Flows/${flowSid}/Messages`, headers: { authorization: t.auth, ...FORM }, payload: form({ From: '+15551230001', Body: 'great' }) });
        assert.equal(reply.statusCode, 201, reply.body);
        assert.equal(reply.json().execution_sid, executionSid, 'the same execution, not a new one');
        assert.deepEqual(await stepsOf(t, flowSid, executionSid), ['Trigger -incomingRequest-> open', 'open -created-> ask', 'ask -incomingMessage-> thanks', 'thanks -sent-> Ended']);
        const ask = (await t.app.store.getExecutionBySid(executionSid))!.state as any;
        assert.equal(ask.frames[0].widgets.ask.inbound.ConversationSid, ch);
        assert.deepEqual(reply.json().messages.map((m: any) => m.body), [`conv=${ch} addr=${ch}`, 'great', 'Thanks for great']);
        const list = await t.app.store.listExecutions(t.account.sid, flowSid, {}, { pageSize: 10 });
        assert.equal(list.items.length, 1);
      } finally {
        await t.close();
      }
    });

    it('a message written in the conversation itself (To = the Conversation SID) answers it too', async () => {
      const { t, flowSid, executionSid, ch } = await started();
      try {
        const reply = await t.app.server.inject({ method: 'POST', url: `/simulator/Flows/${flowSid}/Messages`, headers: { authorization: t.auth, ...FORM }, payload: form({ From: '+15551230001', To: ch, Body: 'fine' }) });
        assert.equal(reply.statusCode, 201, reply.body);
        assert.equal(reply.json().execution_sid, executionSid);
        assert.deepEqual(await stepsOf(t, flowSid, executionSid), ['Trigger -incomingRequest-> open', 'open -created-> ask', 'ask -incomingMessage-> thanks', 'thanks -sent-> Ended']);
        assert.deepEqual(t.app.simulator.transcript(ch, '+15551230001').map((m) => m.body), [`conv=${ch} addr=${ch}`, 'fine', 'Thanks for fine']);
      } finally {
        await t.close();
      }
    });
  });
});
