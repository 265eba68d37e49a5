// The console's Chat in Chromium while a virtual agent has the contact's conversation (Connect Virtual
// Agent, channel conversations): it says what the execution waits for and offers a form ending the agent's
// session (a status, optional provider data and, for failed, the agent's error: the simulator's VirtualAgent
// action); the flow then goes on by that status, with those outputs. Texts meanwhile still go to the agent (the same execution, no step).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { TestServer } from '../support/server.ts';
import { closeSignedInConsole, noChromium, openSignedInConsole, type Browser } from './browser.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';

const at = (y: number) => ({ offset: { x: 0, y } });
const say = (name: string, body: string, y: number) => ({ name, type: 'send-message', properties: { ...at(y), from: 'Bot', to: '{{contact.channel.address}}', body }, transitions: [{ event: 'sent' }, { event: 'failed' }] });

const AGENT_FLOW = {
  description: 'virtual agent in a conversation',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', properties: at(0), transitions: [{ event: 'incomingMessage' }, { event: 'incomingCall' }, { event: 'incomingConversationMessage', next: 'agent' }, { event: 'incomingRequest' }] },
    {
      name: 'agent',
      type: 'connect-virtual-agent-v2',
      properties: { ...at(200), channel: 'conversations', connector_name: 'order-handling-va', timeout: '3600' },
      transitions: [
        { event: 'completed', next: 'done' },
        { event: 'live-agent-handoff', next: 'handoff' },
        { event: 'hangup' },
        { event: 'failed', next: 'sorry' },
        { event: 'paused' },
        { event: 'timeout' },
      ],
    },
    say('done', 'Done: {{widgets.agent.VirtualAgentProviderData.summary}}', 400),
    say('handoff', 'Handing you to {{widgets.agent.VirtualAgentProviderData.AgentHandoffParameters.queue}}', 600),
    say('sorry', 'Sorry, the agent failed ({{widgets.agent.VirtualAgentErrorCode}}: {{widgets.agent.VirtualAgentError}})', 800),
  ],
} as unknown as FlowDefinition;

describe('web console: Chat while a virtual agent has the conversation (Chromium)', { skip: noChromium, timeout: 120_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    ({ server, browser, page } = await openSignedInConsole());
  });

  after(() => closeSignedInConsole({ server, browser }));

  const steps = async (flowSid: string, executionSid: string) =>
    (await server.app.store.listSteps(server.account.sid, flowSid, executionSid, { pageSize: 50 })).items.map((s) => `${s.transitionedFrom} -${s.name}-> ${s.transitionedTo}`);

  it('says what the execution waits for and ends the agent session with a status and provider data', async () => {
    const flowSid = (await server.app.flows.create(server.account.sid, { friendlyName: 'Agent', status: 'published', definition: AGENT_FLOW })).sid;
    await page.goto(`${server.baseUrl}/flows/${flowSid}`);
    await page.getByRole('tab', { name: 'Chat' }).click();
    await page.getByLabel('Text as').fill('+15551238401');
    await page.getByRole('button', { name: 'Use', exact: true }).click();
    const transcript = page.getByRole('list', { name: 'Conversation' });
    const send = async (text: string) => {
      await page.getByLabel('Message', { exact: true }).fill(text);
      await page.getByRole('button', { name: 'Send' }).click();
      await transcript.locator('[data-direction="inbound"]', { hasText: text }).waitFor();
    };

    await send('hello');
    await page.getByRole('status').filter({ hasText: 'Waiting at agent for the virtual agent to end its session in the conversation: your texts go to the agent.' }).waitFor();
    const form = page.getByRole('form', { name: 'Virtual agent session' });
    await form.waitFor();
    // A text meanwhile is the agent's: the same execution, no step of the flow, the form still there.
    await send('where is my order?');
    const [execution] = (await server.app.store.listExecutions(server.account.sid, flowSid, {}, { pageSize: 10 })).items;
    assert.ok(execution);
    assert.deepEqual(await steps(flowSid, execution.sid), ['Trigger -incomingConversationMessage-> agent']);
    assert.equal(await form.count(), 1);

    await form.getByLabel('The agent session').selectOption('live-agent-handoff');
    await form.getByLabel('Provider data (optional)').fill('{"AgentHandoffParameters": {"queue": "billing"}}');
    await form.getByRole('button', { name: 'End the agent session' }).click();
    await transcript.locator('.bubble-flow', { hasText: 'Handing you to billing' }).waitFor();
    await form.waitFor({ state: 'detached' });
    assert.deepEqual(await steps(flowSid, execution.sid), ['Trigger -incomingConversationMessage-> agent', 'agent -live-agent-handoff-> handoff', 'handoff -sent-> Ended']);
    assert.equal(await page.locator('.chat-panel [role="alert"]').count(), 0, 'no error on the way');
    assert.deepEqual(browser.errors, []);
  });

  it('a failed session: the error message and code fields (shown for failed only) become the widget\'s outputs', async () => {
    const flowSid = (await server.app.flows.create(server.account.sid, { friendlyName: 'Agent fails', status: 'published', definition: AGENT_FLOW })).sid;
    await page.goto(`${server.baseUrl}/flows/${flowSid}`);
    await page.getByRole('tab', { name: 'Chat' }).click();
    await page.getByLabel('Text as').fill('+15551238402');
    await page.getByRole('button', { name: 'Use', exact: true }).click();
    const transcript = page.getByRole('list', { name: 'Conversation' });
    await page.getByLabel('Message', { exact: true }).fill('hello');
    await page.getByRole('button', { name: 'Send' }).click();
    const form = page.getByRole('form', { name: 'Virtual agent session' });
    await form.waitFor();
    const message = form.getByLabel('Error message (optional)');
    const code = form.getByLabel('Error code (optional)');
    // Not for a completed session or a handoff: the fields appear when failed is chosen.
    assert.equal(await message.count(), 0);
    assert.equal(await code.count(), 0);
    await form.getByLabel('The agent session').selectOption('live-agent-handoff');
    assert.equal(await message.count(), 0);
    await form.getByLabel('The agent session').selectOption('failed');
    await message.fill('Dialogflow unreachable');
    await code.fill('32601');
    await form.getByRole('button', { name: 'End the agent session' }).click();
    await transcript.locator('.bubble-flow', { hasText: 'Sorry, the agent failed (32601: Dialogflow unreachable)' }).waitFor();
    await form.waitFor({ state: 'detached' });
    const [execution] = (await server.app.store.listExecutions(server.account.sid, flowSid, {}, { pageSize: 10 })).items;
    assert.ok(execution);
    assert.deepEqual(await steps(flowSid, execution.sid), ['Trigger -incomingConversationMessage-> agent', 'agent -failed-> sorry', 'sorry -sent-> Ended']);
    const context = await server.app.server.inject({ method: 'GET', url: `/v2/Flows/${flowSid}/Executions/${execution.sid}/Context`, headers: { authorization: server.auth } });
    assert.equal(context.statusCode, 200, context.body);
    const agent = context.json().context.widgets.agent;
    assert.equal(agent.VirtualAgentStatus, 'failed');
    assert.equal(agent.VirtualAgentError, 'Dialogflow unreachable');
    assert.equal(String(agent.VirtualAgentErrorCode), '32601');
    assert.equal(agent.VirtualAgentProviderData, undefined, 'no provider data typed: none sent');
    assert.equal(await page.locator('.chat-panel [role="alert"]').count(), 0, 'no error on the way');
    assert.deepEqual(browser.errors, []);
  });
});
