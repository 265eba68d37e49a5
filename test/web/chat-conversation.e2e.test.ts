// The console's Chat in Chromium on a flow that writes elsewhere: a message to another number (marked
// with its recipient, its media URL a link), and a Start Conversation whose question is posted into the
// conversation under its proxy number. The question shows, the reply goes to the proxy number and
// resumes the same execution (it went to the flow's address and started a second one), and once that
// execution ends texts go to the flow's address again.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { TestServer } from '../support/server.ts';
import { closeSignedInConsole, noChromium, openSignedInConsole, type Browser } from './browser.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';

const CONTACT = '+15551238301';
const PROXY = '+15557770000';
const at = (x: number, y: number) => ({ offset: { x, y } });

const CONVERSATION_FLOW = {
  description: 'notify, then ask in a conversation',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', properties: at(0, 0), transitions: [{ event: 'incomingMessage', next: 'notify' }, { event: 'incomingCall' }, { event: 'incomingRequest' }] },
    {
      name: 'notify',
      type: 'send-message',
      properties: { ...at(0, 200), from: '{{flow.channel.address}}', to: '+15559998888', body: 'New lead: {{trigger.message.From}}', media_url: 'https://example.com/card.png' },
      transitions: [{ event: 'sent', next: 'open' }, { event: 'failed' }],
    },
    {
      name: 'open',
      type: 'start-conversation',
      properties: {
        ...at(0, 400),
        conversation_service_sid: 'IS' + 'b'.repeat(32),
        participants: [{ type: 'sms', messaging_binding_address: '{{contact.channel.address}}', messaging_binding_proxy_address: PROXY }],
      },
      transitions: [{ event: 'created', next: 'ask' }, { event: 'failed' }],
    },
    {
      name: 'ask',
      type: 'send-and-wait-for-reply',
      properties: { ...at(0, 600), from: '{{flow.channel.address}}', body: 'Which size?', timeout: '3600' },
      transitions: [{ event: 'incomingMessage', next: 'thanks' }, { event: 'timeout' }, { event: 'deliveryFailure' }],
    },
    {
      name: 'thanks',
      type: 'send-message',
      properties: { ...at(0, 800), from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'Got {{widgets.ask.inbound.Body}}' },
      transitions: [{ event: 'sent' }, { event: 'failed' }],
    },
  ],
} as unknown as FlowDefinition;

describe('web console: Chat with a Start Conversation flow (Chromium)', { skip: noChromium, timeout: 120_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    ({ server, browser, page } = await openSignedInConsole());
  });

  /** The flow's executions, newest first, over the REST API. */
  const executionsOf = async (flowSid: string) => {
    const response = await fetch(`${server.baseUrl}/v2/Flows/${flowSid}/Executions`, { headers: { authorization: server.auth } });
    assert.equal(response.status, 200);
    return ((await response.json()) as { executions: { sid: string; status: string }[] }).executions;
  };

  after(() => closeSignedInConsole({ server, browser }));

  it('shows what the flow writes elsewhere and replies in the conversation', async () => {
    const flowSid = (await server.app.flows.create(server.account.sid, { friendlyName: 'Conversation', status: 'published', definition: CONVERSATION_FLOW })).sid;
    await page.goto(`${server.baseUrl}/flows/${flowSid}`);
    await page.getByRole('tab', { name: 'Chat' }).click();
    await page.getByLabel('Text as').fill(CONTACT);
    await page.getByRole('button', { name: 'Use', exact: true }).click();
    const transcript = page.getByRole('list', { name: 'Conversation' });
    const send = async (text: string) => {
      await page.getByLabel('Message', { exact: true }).fill(text);
      await page.getByRole('button', { name: 'Send' }).click();
      await transcript.locator('[data-direction="inbound"]', { hasText: text }).waitFor();
    };

    await send('order');
    // The message to another number, marked with its recipient, its media a link.
    const lead = transcript.locator('.bubble-flow', { hasText: `New lead: ${CONTACT}` });
    await lead.waitFor();
    assert.match((await lead.locator('.bubble-mark').textContent()) ?? '', /to \+15559998888/);
    assert.equal(await lead.getByRole('link', { name: 'https://example.com/card.png' }).getAttribute('href'), 'https://example.com/card.png');
    // The question written into the conversation, from its proxy number, and where the reply goes.
    const question = transcript.locator('.bubble-flow', { hasText: 'Which size?' });
    await question.waitFor();
    assert.match((await question.locator('.bubble-mark').textContent()) ?? '', /from \+15557770000/);
    const route = page.locator('.conversation-route');
    await route.filter({ hasText: `your texts go to ${PROXY}` }).waitFor();

    await send('large');
    await transcript.locator('.bubble-flow', { hasText: 'Got large' }).waitFor();
    assert.match((await transcript.locator('[data-direction="inbound"]', { hasText: 'large' }).locator('.bubble-mark').textContent()) ?? '', /to \+15557770000/);
    // One execution took both texts, and it has ended: texts go to the flow's address again.
    await route.waitFor({ state: 'detached' });
    const executions = await executionsOf(flowSid);
    assert.equal(executions.length, 1, 'the reply resumed the execution waiting in the conversation');
    assert.equal(executions[0]!.status, 'ended');
    // Each message once, though the conversation's are on two transcripts and in the POST answers.
    assert.equal(await transcript.locator('li', { hasText: 'Which size?' }).count(), 1);

    await send('again');
    await transcript.locator('.bubble-flow', { hasText: 'Which size?' }).nth(1).waitFor();
    const again = transcript.locator('[data-direction="inbound"]', { hasText: 'again' });
    assert.equal(await again.locator('.bubble-mark').count(), 0, 'sent to the flow address');
    assert.equal((await executionsOf(flowSid)).length, 2);
    assert.deepEqual(browser.errors, []);
  });
});
