// start-conversation through the runtime: a REST execution creates a Conversation on the simulator
// channel and the API's step context shows it; an unknown service takes `failed`.
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
});
