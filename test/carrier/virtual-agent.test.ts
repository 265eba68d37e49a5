// Connect Virtual Agent (Conversations channel) through the carrier, as Switchboard assumes it (README:
// compatibility decisions): the conversation gets a scoped webhook (onMessageAdded) to the account's
// VirtualAgentUrl, the connector, with the session in its query; the contact's messages meanwhile keep the
// execution waiting; the connector reports the session's end to the StatusCallback it was given, signed with the
// upstream auth token, and the flow goes on by its status. No reply within the timeout: `timeout`, and the
// webhook is deleted. Without a VirtualAgentUrl the widget takes `failed`.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accountsCommand } from '../../src/cli/accounts.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { runCliInProcess } from '../support/cli-in-process.ts';
import { CONTACT, createFlow, firstExecution, flow, sendMessage, stepList, useCarrierServer, waitFor, waitForEnd, webhookUrl, widgetOutputs, type CarrierServer, type State } from './helpers.ts';
import type { FakeTwilio } from '../support/fake-twilio.ts';

const CONVERSATION = 'CH' + 'a7'.repeat(16);
const CHAT_SERVICE = 'IS' + '5'.repeat(32);
const CONNECTOR = 'https://connector.example.com/dialogflow?tenant=acme';

function agent(timeout: string): State {
  return {
    name: 'agent',
    type: 'connect-virtual-agent-v2',
    properties: { channel: 'conversations', connector_name: 'order-handling-va', parameters: [{ key: 'first', value: '{{trigger.conversation.Body}}' }], timeout },
    transitions: [
      { event: 'completed' },
      { event: 'live-agent-handoff', next: 'handoff' },
      { event: 'hangup' },
      { event: 'failed', next: 'sorry' },
      { event: 'paused' },
      { event: 'timeout', next: 'gone' },
    ],
  };
}

function agentFlow(timeout = '3600') {
  return flow(
    [
      agent(timeout),
      sendMessage('handoff', { from: 'Bot', body: 'To {{widgets.agent.VirtualAgentProviderData.AgentHandoffParameters.queue}}' }),
      sendMessage('sorry', { from: 'Bot', body: 'Sorry: {{widgets.agent.error.message}}' }),
      sendMessage('gone', { from: 'Bot', body: 'Bye' }),
    ],
    { incomingConversationMessage: 'agent' },
  );
}

function conversationMessage(fake: FakeTwilio, body: string): Record<string, string> {
  return {
    AccountSid: fake.options.accountSid,
    ChatServiceSid: CHAT_SERVICE,
    ConversationSid: CONVERSATION,
    MessageSid: 'IM' + randomBytes(16).toString('hex'),
    EventType: 'onMessageAdded',
    Source: 'SDK',
    Author: CONTACT,
    Body: body,
  };
}

async function started(server: CarrierServer, fake: FakeTwilio, timeout?: string): Promise<{ flowSid: string; executionSid: string }> {
  fake.conversations.push({ sid: CONVERSATION, chat_service_sid: CHAT_SERVICE, participants: [], webhooks: [] });
  const flowSid = await createFlow(server, agentFlow(timeout));
  assert.equal((await fake.postSigned(webhookUrl(server, flowSid), conversationMessage(fake, 'hello'))).status, 200);
  return { flowSid, executionSid: await firstExecution(server, flowSid) };
}

describe('Twilio carrier: Connect Virtual Agent in a conversation', () => {
  let fake: FakeTwilio;
  let server: CarrierServer;
  useCarrierServer((s) => ({ fake, server } = s), { server: () => ({ carrier: { VirtualAgentUrl: CONNECTOR } }) });

  it('hands the conversation to the connector; its signed report of the session\'s end moves the flow on', async () => {
    const { flowSid, executionSid } = await started(server, fake);
    const [hook] = await waitFor('the connector webhook', () => (fake.conversationWebhooks.length === 1 ? fake.conversationWebhooks : null));
    const created = fake.requests.find((r) => r.method === 'POST' && r.path.endsWith('/Webhooks'))!;
    assert.equal(created.path, `/v1/Services/${CHAT_SERVICE}/Conversations/${CONVERSATION}/Webhooks`);
    const url = new URL(String((hook!.configuration as { url: string }).url));
    const statusCallback = url.searchParams.get('StatusCallback')!;
    assert.match(statusCallback, new RegExp(`^${server.baseUrl}/v1/Accounts/${server.account.sid}/Carrier/Executions/${executionSid}/VirtualAgent/EF[0-9a-f]{32}/Status$`));
    assert.deepEqual(Object.fromEntries(url.searchParams), {
      tenant: 'acme',
      ConnectorName: 'order-handling-va',
      EndUser: CONTACT,
      Parameters: '{"first":"hello"}',
      StatusCallback: statusCallback,
    });
    assert.equal(`${url.origin}${url.pathname}`, 'https://connector.example.com/dialogflow');
    assert.deepEqual(created.form.filter(([name]) => name !== 'Configuration.Url'), [
      ['Target', 'webhook'],
      ['Configuration.Method', 'POST'],
      ['Configuration.Filters', 'onMessageAdded'],
    ]);

    // The contact talks to the agent: the flow does not answer.
    await fake.postSigned(webhookUrl(server, flowSid), conversationMessage(fake, 'my parcel is late'));
    assert.deepEqual(await stepList(server.app, server.account.sid, flowSid, executionSid), ['Trigger -incomingConversationMessage-> agent']);

    const report = { VirtualAgentStatus: 'live-agent-handoff', VirtualAgentProviderData: '{"AgentHandoffParameters":{"queue":"parcels"}}' };
    // Signed with another token: refused, nothing changes.
    assert.equal((await fake.postSigned(statusCallback, report, 'not-the-token')).status, 403);
    assert.equal((await fake.postSigned(statusCallback, report)).status, 204);
    await waitForEnd(server, executionSid);
    assert.deepEqual(await stepList(server.app, server.account.sid, flowSid, executionSid), [
      'Trigger -incomingConversationMessage-> agent',
      'agent -live-agent-handoff-> handoff',
      'handoff -sent-> Ended',
    ]);
    assert.deepEqual(fake.conversationMessages.map((m) => [m.author, m.body]), [['Bot', 'To parcels']]);
    const outputs = await widgetOutputs(server.app, executionSid, 'agent');
    assert.equal(outputs.VirtualAgentProvider, 'DialogflowCX');
    assert.deepEqual(outputs.VirtualAgentProviderData, { AgentHandoffParameters: { queue: 'parcels' } });
    // A late report for the same session changes nothing.
    assert.equal((await fake.postSigned(statusCallback, { VirtualAgentStatus: 'completed' })).status, 204);
    assert.equal((await stepList(server.app, server.account.sid, flowSid, executionSid)).length, 3);
  });

  it('no reply within the timeout: leaves by timeout and deletes the connector webhook', async () => {
    const { flowSid, executionSid } = await started(server, fake, '1');
    await waitForEnd(server, executionSid, 'the timeout');
    assert.deepEqual(await stepList(server.app, server.account.sid, flowSid, executionSid), ['Trigger -incomingConversationMessage-> agent', 'agent -timeout-> gone', 'gone -sent-> Ended']);
    const hook = fake.requests.find((r) => r.method === 'POST' && r.path.endsWith('/Webhooks'))!;
    assert.ok(hook);
    const deleted = await waitFor('the webhook deleted', () => fake.requests.find((r) => r.method === 'DELETE'));
    assert.match(deleted.path, new RegExp(`^/v1/Services/${CHAT_SERVICE}/Conversations/${CONVERSATION}/Webhooks/WH[0-9a-f]{32}$`));
    assert.deepEqual(fake.conversationWebhooks, []);
  });
});

describe('Twilio carrier: `switchboard accounts delete` of an account whose execution has a virtual agent', () => {
  let fake: FakeTwilio;
  let server: CarrierServer;
  let dir: string;
  useCarrierServer((s) => ({ fake, server } = s), {
    server: () => {
      dir = mkdtempSync(join(tmpdir(), 'sb-agent-account-delete-'));
      return { carrier: { VirtualAgentUrl: CONNECTOR }, store: new SqliteStore({ path: join(dir, 'switchboard.db') }) };
    },
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("takes the conversation back first (the connector's webhook deleted upstream), then deletes the account", async () => {
    const { flowSid } = await started(server, fake);
    // The session is the execution's once the connection's result is applied (after the webhook exists upstream).
    await waitFor('the execution waiting on the agent', async () => ((await server.app.store.activeExecutionsWithAgents(server.account.sid, flowSid, 10)).length === 1 ? true : null));
    // The CLI runs apart from the server, on the same store; dev mode lets it reach the fake Twilio on 127.0.0.1.
    const run = await runCliInProcess(() => accountsCommand('delete', { 'data-dir': dir, dev: true }, server.account.sid), [], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Took 1 conversation\(s\) back from virtual agents first/m);
    assert.match(run.stdout, /Deleted account AC[0-9a-f]{32} with 0 API key\(s\) and 1 flow\(s\)/);
    const deleted = fake.requests.filter((r) => r.method === 'DELETE');
    assert.equal(deleted.length, 1);
    assert.match(deleted[0]!.path, new RegExp(`^/v1/Services/${CHAT_SERVICE}/Conversations/${CONVERSATION}/Webhooks/WH[0-9a-f]{32}$`));
    assert.deepEqual(fake.conversationWebhooks, []);
  });
});

describe('Twilio carrier: Connect Virtual Agent without a VirtualAgentUrl', () => {
  let fake: FakeTwilio;
  let server: CarrierServer;
  useCarrierServer((s) => ({ fake, server } = s));

  it('takes failed with 81003, saying what is missing; nothing is asked of Twilio', async () => {
    const { flowSid, executionSid } = await started(server, fake);
    await waitForEnd(server, executionSid);
    assert.deepEqual(await stepList(server.app, server.account.sid, flowSid, executionSid), ['Trigger -incomingConversationMessage-> agent', 'agent -failed-> sorry', 'sorry -sent-> Ended']);
    const outputs = await widgetOutputs(server.app, executionSid, 'agent');
    assert.equal(outputs.error.code, 81003);
    assert.match(outputs.error.message, /needs the account's VirtualAgentUrl/);
    assert.equal(fake.conversationWebhooks.length, 0);
  });
});

describe('Twilio carrier: Connect Virtual Agent, a slow Twilio', () => {
  let fake: FakeTwilio;
  let server: CarrierServer;
  // Requests to Twilio wait long enough (the helpers' 500 ms would give up on the held one and fail the step).
  useCarrierServer((s) => ({ fake, server } = s), {
    server: () => ({
      carrier: { VirtualAgentUrl: CONNECTOR },
      app: { carrier: { rest: { timeoutMs: 30_000, retry: { attempts: 1, baseDelayMs: 10, maxDelayMs: 50 } }, reconcileDelayMs: 0 } },
    }),
  });

  it("a session's end reported while its connection is still being applied: 503 with Retry-After, not a lost 204", async () => {
    // Twilio is slow to add the webhook: the connector (told its StatusCallback by the request itself) reports first.
    const release = fake.hold(/\/Webhooks$/);
    try {
      const { flowSid, executionSid } = await started(server, fake);
      const created = await waitFor('the webhook request', () => fake.requests.find((r) => r.method === 'POST' && r.path.endsWith('/Webhooks')));
      const query = new URL(String(created.form.find(([name]) => name === 'Configuration.Url')![1])).searchParams;
      const statusCallback = query.get('StatusCallback')!;
      const early = await fake.postSigned(statusCallback, { VirtualAgentStatus: 'completed' });
      assert.equal(early.status, 503, early.body);
      assert.equal((JSON.parse(early.body) as { code: number }).code, 20503);
      assert.deepEqual(await stepList(server.app, server.account.sid, flowSid, executionSid), ['Trigger -incomingConversationMessage-> agent']);
      release();
      // Sent again once connected, the report lands.
      await waitFor('the session open', async () => ((await fake.postSigned(statusCallback, { VirtualAgentStatus: 'completed' })).status === 204 ? true : null), 15_000);
      await waitForEnd(server, executionSid);
      assert.deepEqual(await stepList(server.app, server.account.sid, flowSid, executionSid), ['Trigger -incomingConversationMessage-> agent', 'agent -completed-> Ended']);
    } finally {
      release();
    }
  });
});
