// send-to-flex through the runtime on the simulator channel: a texted flow hands the contact to
// Flex, the simulator records the task (workflow, channel, attributes, priority, timeout,
// execution) and GET /simulator/Tasks shows it to this account only; the step leaves by
// callComplete with the task's outputs. A workflow TaskRouter would refuse takes failedToEnqueue.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { basicAuth, FORM, form, startTestServer } from '../support/server.ts';
import { triggerFlow } from '../support/flows.ts';

const WORKFLOW = 'WW' + 'd'.repeat(32);
const CHANNEL = 'TC' + 'e'.repeat(32);
const CONTACT = '+15551230042';

function definition(workflow: string) {
  return triggerFlow('flex hand-off', 'incomingMessage', 'flex', [
    {
      name: 'flex',
      type: 'send-to-flex',
      properties: { offset: { x: 0, y: 100 }, workflow, channel: CHANNEL, attributes: '{"name":"{{trigger.message.From}}","topic":"{{trigger.message.Body}}"}', priority: '7', timeout: '900' },
      transitions: [{ event: 'callComplete', next: 'tell' }, { event: 'failedToEnqueue', next: 'sorry' }, { event: 'callFailure' }],
    },
    {
      name: 'tell',
      type: 'send-message',
      properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'Task {{widgets.flex.TaskSid}} for {{widgets.flex.Attributes.name}}' },
      transitions: [{ event: 'sent' }, { event: 'failed' }],
    },
    {
      name: 'sorry',
      type: 'send-message',
      properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'No agent today' },
      transitions: [{ event: 'sent' }, { event: 'failed' }],
    },
  ]);
}

async function text(workflow: string) {
  const t = await startTestServer();
  const flow = await t.app.flows.create(t.account.sid, { friendlyName: 'flex', status: 'published', definition: definition(workflow) });
  const res = await t.app.server.inject({
    method: 'POST',
    url: `/simulator/Flows/${flow.sid}/Messages`,
    headers: { authorization: t.auth, ...FORM },
    payload: form({ From: CONTACT, Body: 'card declined' }),
  });
  assert.equal(res.statusCode, 201, res.body);
  await t.app.executions.idle();
  const { execution_sid: executionSid, messages } = res.json() as { execution_sid: string; messages: { body: string; direction: string }[] };
  const steps = await t.app.server.inject({ method: 'GET', url: `/v2/Flows/${flow.sid}/Executions/${executionSid}/Steps`, headers: { authorization: t.auth } });
  return { t, flowSid: flow.sid, executionSid, messages, steps: steps.json().steps as any[] };
}

describe('send-to-flex on the simulator channel', () => {
  it('records the hand-off, shows it in GET /simulator/Tasks and leaves by callComplete', async () => {
    const { t, flowSid, executionSid, messages, steps } = await text(WORKFLOW);
    try {
      const step = steps.find((s) => s.transitioned_from === 'flex');
      assert.equal(step.name, 'callComplete');
      assert.match(step.context.TaskSid, /^WT[0-9a-f]{32}$/);
      assert.deepEqual(step.context.Attributes, { name: CONTACT, topic: 'card declined' });
      assert.equal(step.context.Age, 0);
      const reply = messages.filter((m) => m.direction === 'outbound-api').map((m) => m.body);
      assert.deepEqual(reply, [`Task ${step.context.TaskSid} for ${CONTACT}`]);

      const listed = await t.app.server.inject({ method: 'GET', url: `/simulator/Tasks?ExecutionSid=${executionSid}`, headers: { authorization: t.auth } });
      assert.equal(listed.statusCode, 200, listed.body);
      const tasks = listed.json().tasks as Record<string, unknown>[];
      assert.equal(tasks.length, 1);
      const { date_created: dateCreated, ...task } = tasks[0]!;
      assert.equal(typeof dateCreated, 'string');
      assert.deepEqual(task, {
        sid: step.context.TaskSid,
        account_sid: t.account.sid,
        flow_sid: flowSid,
        execution_sid: executionSid,
        workflow_sid: WORKFLOW,
        task_channel: CHANNEL,
        attributes: JSON.stringify({ name: CONTACT, topic: 'card declined' }),
        priority: 7,
        timeout: 900,
      });

      const anonymous = await t.app.server.inject({ method: 'GET', url: '/simulator/Tasks' });
      assert.equal(anonymous.statusCode, 401);
      const other = await t.app.accounts.create('other tenant');
      const theirs = await t.app.server.inject({ method: 'GET', url: '/simulator/Tasks', headers: { authorization: basicAuth(other.sid, other.authToken) } });
      assert.equal(theirs.statusCode, 200, theirs.body);
      assert.deepEqual(theirs.json().tasks, [], "another account does not see this account's hand-offs");
    } finally {
      await t.close();
    }
  });

  it('takes failedToEnqueue when TaskRouter would refuse the workflow, and records nothing', async () => {
    const { t, messages, steps } = await text('not-a-workflow');
    try {
      const step = steps.find((s) => s.transitioned_from === 'flex');
      assert.equal(step.name, 'failedToEnqueue');
      assert.equal(step.context.error.code, 20001);
      assert.deepEqual(messages.filter((m) => m.direction === 'outbound-api').map((m) => m.body), ['No agent today']);
      assert.equal(t.app.simulator.tasks(t.account.sid).length, 0);
    } finally {
      await t.close();
    }
  });
});
