// send-to-flex on the Twilio carrier, through the local fake Twilio (no internet; nothing mocked in
// our code): a signed inbound message runs a flow whose send-to-flex widget creates a TaskRouter
// task with POST /v1/Workspaces/{WS}/Tasks (exact form, Basic auth of the upstream account). 2xx
// → callComplete with the task's outputs; 4xx → failedToEnqueue; 429 is retried and creates one
// task; 500 (outcome unknown) is failedToEnqueue and never repeated. The workspace is the
// configured one, or looked up from the workflow when the account did not name one.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CONTACT, UPSTREAM_SID, UPSTREAM_TOKEN, createFlow, firstExecution, flow, sendMessage, startCarrierServer, startFake, stepList, textAndWaitForEnd, useCarrierServer, waitForEnd, webhookUrl, widgetOutputs, type CarrierServer } from './helpers.ts';
import type { FakeTwilio } from '../support/fake-twilio.ts';
import { TwilioChannel } from '../../src/channels/twilio/twilio-channel.ts';

const WORKSPACE = 'WS' + '1'.repeat(32);
const OTHER_WORKSPACE = 'WS' + '2'.repeat(32);
const WORKFLOW = 'WW' + '3'.repeat(32);
const CHANNEL = 'TC' + '4'.repeat(32);

const flexFlow = (workflow = WORKFLOW) =>
  flow(
    [
      {
        name: 'flex',
        type: 'send-to-flex',
        properties: { offset: { x: 0, y: 0 }, workflow, channel: CHANNEL, attributes: '{"name":"{{trigger.message.From}}","channelType":"sms","topic":"{{trigger.message.Body}}"}', priority: '5', timeout: '7200' },
        transitions: [{ event: 'callComplete', next: 'tell' }, { event: 'failedToEnqueue', next: 'sorry' }, { event: 'callFailure' }],
      },
      sendMessage('tell', { body: 'Task {{widgets.flex.TaskSid}}' }),
      sendMessage('sorry', { body: 'No agent: {{widgets.flex.error.code}}' }),
    ],
    { incomingMessage: 'flex' },
  );

function taskPosts(fake: FakeTwilio) {
  return fake.requests.filter((r) => r.method === 'POST' && /^\/v1\/Workspaces\/[^/]+\/Tasks$/.test(r.path));
}

async function runFlex(server: CarrierServer, workflow?: string): Promise<{ executionSid: string; steps: string[] }> {
  const flowSid = await createFlow(server, flexFlow(workflow));
  const executionSid = await textAndWaitForEnd(server, flowSid, 'card declined');
  return { executionSid, steps: await stepList(server.app, server.account.sid, flowSid, executionSid) };
}

describe('Twilio carrier: send-to-flex creates a TaskRouter task', () => {
  let fake: FakeTwilio;
  let server: CarrierServer;

  describe('with the workspace configured', () => {
    useCarrierServer((started) => ({ fake, server } = started), {
      server: (fake) => {
        fake.workspaces.set(WORKSPACE, new Set([WORKFLOW]));
        return { carrier: { TaskRouterBaseUrl: fake.baseUrl, TaskRouterWorkspaceSid: WORKSPACE } };
      },
    });

    it('POSTs the exact TaskRouter form and leaves by callComplete with the task outputs', async () => {
      const { steps, executionSid } = await runFlex(server);
      assert.deepEqual(steps, ['Trigger -incomingMessage-> flex', 'flex -callComplete-> tell', 'tell -sent-> Ended']);
      const [post, ...more] = taskPosts(fake);
      assert.equal(more.length, 0, 'one task');
      assert.equal(post!.path, `/v1/Workspaces/${WORKSPACE}/Tasks`);
      assert.deepEqual(post!.form, [
        ['Timeout', '7200'],
        ['Priority', '5'],
        ['TaskChannel', CHANNEL],
        ['WorkflowSid', WORKFLOW],
        ['Attributes', JSON.stringify({ name: CONTACT, channelType: 'sms', topic: 'card declined' })],
      ]);
      assert.equal(post!.headers['content-type'], 'application/x-www-form-urlencoded');
      assert.equal(post!.headers.authorization, 'Basic ' + Buffer.from(`${UPSTREAM_SID}:${UPSTREAM_TOKEN}`).toString('base64'));
      assert.equal(fake.requests.filter((r) => r.path.startsWith('/v1/Workspaces') && r.method === 'GET').length, 0, 'no lookup with a configured workspace');

      const task = fake.tasks[0]!;
      const outputs = await widgetOutputs(server.app, executionSid, 'flex');
      assert.deepEqual(outputs, { TaskSid: task.sid, Attributes: { name: CONTACT, channelType: 'sms', topic: 'card declined' }, Age: 0 });
      assert.equal(fake.messages.at(-1)!.body, `Task ${task.sid}`);
    });

    it('a 4xx from TaskRouter takes failedToEnqueue with its error code', async () => {
      const { steps, executionSid } = await runFlex(server, 'WW' + '9'.repeat(32));
      assert.deepEqual(steps, ['Trigger -incomingMessage-> flex', 'flex -failedToEnqueue-> sorry', 'sorry -sent-> Ended']);
      assert.equal(fake.tasks.length, 0);
      assert.equal((await widgetOutputs(server.app, executionSid, 'flex')).error.code, 20001);
      assert.equal(fake.messages.at(-1)!.body, 'No agent: 20001');
    });

    it('429 is retried and creates exactly one task', async () => {
      fake.failNext({ kind: 'status', status: 429, retryAfter: 0 }, { kind: 'status', status: 429 });
      const { steps } = await runFlex(server);
      assert.deepEqual(steps.slice(0, 2), ['Trigger -incomingMessage-> flex', 'flex -callComplete-> tell']);
      assert.equal(taskPosts(fake).length, 3, 'two refusals, then the task');
      assert.equal(fake.tasks.length, 1);
    });

    it('429 on every attempt takes failedToEnqueue with 20429', async () => {
      fake.failNext(...Array.from({ length: 3 }, () => ({ kind: 'status' as const, status: 429 as const })));
      const { steps, executionSid } = await runFlex(server);
      assert.deepEqual(steps.slice(0, 2), ['Trigger -incomingMessage-> flex', 'flex -failedToEnqueue-> sorry']);
      assert.equal((await widgetOutputs(server.app, executionSid, 'flex')).error.code, 20429);
      assert.equal(fake.tasks.length, 0);
    });

    it('a 500 after TaskRouter may have acted is failedToEnqueue and is never repeated', async () => {
      fake.failNext({ kind: 'created-then-500' });
      const { steps, executionSid } = await runFlex(server);
      assert.deepEqual(steps.slice(0, 2), ['Trigger -incomingMessage-> flex', 'flex -failedToEnqueue-> sorry']);
      assert.equal(taskPosts(fake).length, 1, 'no second task request');
      assert.equal((await widgetOutputs(server.app, executionSid, 'flex')).error.code, 30008);
    });
  });

  describe('in a Conversations execution', () => {
    useCarrierServer((started) => ({ fake, server } = started), {
      server: (fake) => {
        fake.workspaces.set(WORKSPACE, new Set([WORKFLOW]));
        return { carrier: { TaskRouterBaseUrl: fake.baseUrl, TaskRouterWorkspaceSid: WORKSPACE, FlexApiBaseUrl: fake.baseUrl } };
      },
    });

    it('creates a Flex Interaction for the conversation; its task gives the outputs', async () => {
      const conversationSid = 'CH' + '5'.repeat(32);
      const flowSid = await createFlow(
        server,
        flow(
          [
            {
              name: 'flex',
              type: 'send-to-flex',
              properties: { offset: { x: 0, y: 0 }, workflow: WORKFLOW, channel: CHANNEL, attributes: '{"name":"{{trigger.conversation.Author}}","conversationSid":"{{trigger.conversation.ConversationSid}}"}' },
              transitions: [{ event: 'callComplete' }, { event: 'failedToEnqueue' }, { event: 'callFailure' }],
            },
          ],
          { incomingConversationMessage: 'flex' },
        ),
      );
      const answer = await fake.postSigned(webhookUrl(server, flowSid), {
        AccountSid: fake.options.accountSid,
        ChatServiceSid: 'IS' + '7'.repeat(32),
        ConversationSid: conversationSid,
        MessageSid: 'IM' + '6'.repeat(32),
        ParticipantSid: 'MB' + '8'.repeat(32),
        EventType: 'onMessageAdded',
        Source: 'WHATSAPP',
        Author: 'whatsapp:' + CONTACT,
        Body: 'agent please',
        Index: '0',
        Attributes: '{}',
        DateCreated: new Date().toISOString(),
        RetryCount: '0',
        WebhookType: 'studio',
      });
      assert.equal(answer.status, 200, answer.body);
      const executionSid = await firstExecution(server, flowSid);
      await waitForEnd(server, executionSid);
      assert.deepEqual(await stepList(server.app, server.account.sid, flowSid, executionSid), ['Trigger -incomingConversationMessage-> flex', 'flex -callComplete-> Ended']);

      assert.equal(taskPosts(fake).length, 0, 'no bare TaskRouter task for a conversation');
      const [post, ...more] = fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/Interactions');
      assert.equal(more.length, 0);
      const form = Object.fromEntries(post!.form);
      assert.deepEqual(JSON.parse(form.Channel!), { type: 'whatsapp', initiated_by: 'customer', properties: { media_channel_sid: conversationSid } });
      assert.deepEqual(JSON.parse(form.Routing!), {
        properties: {
          workspace_sid: WORKSPACE,
          workflow_sid: WORKFLOW,
          task_channel_sid: CHANNEL,
          attributes: { name: 'whatsapp:' + CONTACT, conversationSid },
          priority: 0,
          timeout: 3600,
        },
      });
      const outputs = await widgetOutputs(server.app, executionSid, 'flex');
      assert.deepEqual(outputs, { TaskSid: fake.tasks[0]!.sid, Attributes: { name: 'whatsapp:' + CONTACT, conversationSid }, Age: 0 });
    });
  });

  describe('one task per step', () => {
    useCarrierServer((started) => ({ fake, server } = started), {
      server: (fake) => {
        fake.workspaces.set(WORKSPACE, new Set([WORKFLOW]));
        return {};
      },
    });

    it('a step run again returns its recorded task; one left in flight by a crash is failedToEnqueue, not repeated', async () => {
      const channel = new TwilioChannel(server.app.store, { reconcileDelayMs: 0 });
      const upstream = { accountSid: UPSTREAM_SID, authToken: UPSTREAM_TOKEN, apiBaseUrl: fake.baseUrl, conversationsBaseUrl: fake.baseUrl, taskrouterBaseUrl: fake.baseUrl, taskrouterWorkspaceSid: WORKSPACE };
      const context = { accountSid: server.account.sid, flowSid: 'FW' + '0'.repeat(32), executionSid: 'FN' + '0'.repeat(32), effectId: 'EF' + 'a'.repeat(32) };
      const task = { workflowSid: WORKFLOW, taskChannel: CHANNEL, attributes: '{"name":"Ada"}', priority: 0, timeout: 3600 };
      const first = await channel.createFlexTask(upstream, context, task);
      const again = await channel.createFlexTask(upstream, context, task);
      assert.equal(first.ok, true);
      assert.deepEqual(again, first);
      assert.equal(taskPosts(fake).length, 1);

      const crashed = { ...context, effectId: 'EF' + 'b'.repeat(32) };
      await channel.ledger.write(`carrier-task:${crashed.effectId}`, crashed, JSON.stringify({ state: 'requesting', workspaceSid: WORKSPACE }));
      const after = await channel.createFlexTask(upstream, crashed, task);
      assert.deepEqual(after.ok ? null : after.code, 30008);
      assert.equal(taskPosts(fake).length, 1, 'not repeated');
    });
  });

  describe('without a configured workspace', () => {
    afterEach(async () => {
      await server.close();
      await fake.close();
    });

    it('finds the workspace that holds the workflow and creates the task there (once per workflow)', async () => {
      fake = await startFake();
      fake.workspaces.set(OTHER_WORKSPACE, new Set(['WW' + '8'.repeat(32)]));
      fake.workspaces.set(WORKSPACE, new Set([WORKFLOW]));
      server = await startCarrierServer(fake, { carrier: { TaskRouterBaseUrl: fake.baseUrl } });
      const first = await runFlex(server);
      assert.equal(first.steps[1], 'flex -callComplete-> tell');
      assert.deepEqual(taskPosts(fake).map((r) => r.path), [`/v1/Workspaces/${WORKSPACE}/Tasks`]);
      const lookups = fake.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/v1/Workspaces')).length;
      assert.ok(lookups >= 2, `listed the workspaces and asked for the workflow (${lookups} reads)`);
      await runFlex(server);
      assert.equal(fake.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/v1/Workspaces')).length, lookups, 'the second hand-off reuses the workspace found');
      assert.equal(fake.tasks.length, 2);
    });

    it('takes failedToEnqueue when no workspace has the workflow', async () => {
      fake = await startFake();
      fake.workspaces.set(OTHER_WORKSPACE, new Set(['WW' + '8'.repeat(32)]));
      fake.workspaces.set(WORKSPACE, new Set(['WW' + '7'.repeat(32)]));
      server = await startCarrierServer(fake, { carrier: { TaskRouterBaseUrl: fake.baseUrl } });
      const { steps, executionSid } = await runFlex(server);
      assert.equal(steps[1], 'flex -failedToEnqueue-> sorry');
      assert.equal((await widgetOutputs(server.app, executionSid, 'flex')).error.code, 20404);
      assert.equal(taskPosts(fake).length, 0);
    });
  });
});
