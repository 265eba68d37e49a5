// The console's Chat in Chromium, sending while a text is out and around it: texts typed quickly go out
// one after the other, in order and whole; a contact changed while a text is out does not get its answer;
// a text goes from the number shown in "Text as", even one typed there and not taken with Use;
// the focus stays in the composer; "The flow's next message" is the server's, per contact, and can be
// disarmed; what the flow sent to another number keeps its place and survives a reload; a token rotated
// while the Chat's stream is open asks to sign in again, and signing in clears the refused send's error.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page, Route } from 'playwright-core';
import type { TestServer } from '../support/server.ts';
import { basicAuth } from '../support/server.ts';
import { closeSignedInConsole, noChromium, openSignedInConsole, until, untilValue, type Browser } from './browser.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';

const at = (x: number, y: number) => ({ offset: { x, y } });

/** Forwards the text to another number, then answers the contact: two messages of one second. */
const FORWARD_THEN_REPLY = {
  description: 'forward, then reply',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', properties: at(0, 0), transitions: [{ event: 'incomingMessage', next: 'forward' }, { event: 'incomingCall' }, { event: 'incomingRequest' }] },
    {
      name: 'forward',
      type: 'send-message',
      properties: { ...at(0, 200), from: '{{flow.channel.address}}', to: '+15550009999', body: 'Forwarded: {{trigger.message.Body}}' },
      transitions: [{ event: 'sent', next: 'reply' }, { event: 'failed' }],
    },
    {
      name: 'reply',
      type: 'send-message',
      properties: { ...at(0, 400), from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'Got {{trigger.message.Body}}' },
      transitions: [{ event: 'sent' }, { event: 'failed' }],
    },
  ],
} as unknown as FlowDefinition;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('web console: Chat sending (Chromium)', { skip: noChromium, timeout: 180_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let flowSid: string;

  before(async () => {
    ({ server, browser, page } = await openSignedInConsole());
    flowSid = (await server.app.flows.create(server.account.sid, { friendlyName: 'Forward', status: 'published', definition: FORWARD_THEN_REPLY })).sid;
  });
  after(() => closeSignedInConsole({ server, browser }));

  const transcript = () => page.getByRole('list', { name: 'Conversation' });
  const composer = () => page.getByLabel('Message', { exact: true });
  const failureSelect = () => page.getByLabel("The flow's next message");

  /** Opens the flow's Chat as `contact`. */
  const openChat = async (contact: string) => {
    await page.goto(`${server.baseUrl}/flows/${flowSid}`);
    await page.getByRole('tab', { name: 'Chat' }).click();
    await useContact(contact);
  };
  const useContact = async (contact: string) => {
    await page.getByLabel('Text as').fill(contact);
    const use = page.getByRole('button', { name: 'Use', exact: true });
    if (await use.isEnabled()) await use.click();
    await page.locator('.chat-panel .connection').filter({ hasText: 'live' }).waitFor();
  };
  const texts = async (selector: string) => transcript().locator(selector).locator('.bubble-body').allTextContents();
  /** Holds each text's POST for `ms` before it goes to the server, so it is "out" meanwhile. */
  const delaySends = async (ms: number) => {
    const handler = async (route: Route) => {
      await sleep(ms);
      await route.continue();
    };
    await page.route('**/simulator/Flows/*/Messages', handler);
    return () => page.unroute('**/simulator/Flows/*/Messages', handler);
  };
  /** Waits for the select to show `value` (polled from here: the page's policy refuses string evaluation there). */
  const selectShows = (value: string) => untilValue(failureSelect(), value);
  const armedOnServer = async (contact: string) => {
    const response = await fetch(`${server.baseUrl}/simulator/Failures?To=${encodeURIComponent(contact)}`, { headers: { authorization: server.auth } });
    return ((await response.json()) as { kind: string | null }).kind;
  };

  it('sends texts typed while one is out, each whole and in order, and keeps the focus in the composer', async () => {
    await openChat('+15551238401');
    const undelay = await delaySends(300);
    try {
      await composer().focus();
      await page.keyboard.type('one\ntwo\nthree\nfour\nfive\n');
      await transcript().locator('.bubble-flow', { hasText: 'Got five' }).waitFor();
    } finally {
      await undelay();
    }
    assert.deepEqual(await texts('[data-direction="inbound"]'), ['one', 'two', 'three', 'four', 'five']);
    assert.deepEqual(
      (await texts('.bubble-flow')).filter((t) => t.startsWith('Got')),
      ['Got one', 'Got two', 'Got three', 'Got four', 'Got five'],
    );
    assert.equal(await composer().inputValue(), '');

    // Activating Send leaves the focus in the composer, ready for the next text.
    await composer().fill('six');
    await page.getByRole('button', { name: 'Send' }).click();
    await transcript().locator('.bubble-flow', { hasText: 'Got six' }).waitFor();
    assert.equal(await page.evaluate('document.activeElement && document.activeElement.id'), 'chat-body');
  });

  it("a contact chosen while a text is out does not get that text's answer", async () => {
    const first = '+15551238402';
    const second = '+15551238403';
    await openChat(first);
    const undelay = await delaySends(1200);
    try {
      await composer().fill('for the first');
      const answered = page.waitForResponse((r) => r.url().includes('/simulator/Flows/') && r.request().method() === 'POST');
      await page.getByRole('button', { name: 'Send' }).click();
      await useContact(second);
      await answered;
    } finally {
      await undelay();
    }
    // Time for the answer to be (wrongly) shown.
    await sleep(500);
    assert.deepEqual(await transcript().locator('.bubble').allTextContents(), [], "the first contact's messages are in the second's transcript");
    assert.equal(await page.locator('.chat-panel .not-started, .chat-panel [role="alert"]').count(), 0);
    // The first contact's conversation is theirs, there when they are chosen again.
    await useContact(first);
    await transcript().locator('.bubble-flow', { hasText: 'Got for the first' }).waitFor();
  });

  it('sends a text from the number shown in "Text as", also when it was typed there and not taken with Use', async () => {
    const first = '+15551238404';
    const typed = '+15551238405';
    await openChat(first);
    await page.getByLabel('Text as').fill(typed);
    await composer().fill('from the typed number');
    await composer().press('Enter');
    await transcript().locator('.bubble-flow', { hasText: 'Got from the typed number' }).waitFor();
    const conversation = async (contact: string) => {
      const response = await fetch(`${server.baseUrl}/simulator/Flows/${flowSid}/Messages?Contact=${encodeURIComponent(contact)}`, { headers: { authorization: server.auth } });
      return ((await response.json()) as { messages: { direction: string; body: string }[] }).messages.filter((m) => m.direction === 'inbound').map((m) => m.body);
    };
    assert.deepEqual(await conversation(typed), ['from the typed number']);
    assert.deepEqual(await conversation(first), []);
    assert.ok(await page.getByRole('button', { name: 'Use', exact: true }).isDisabled(), 'the typed number is the one texting now');
  });

  it('with "Text as" emptied, Use is off and a text goes from the contact texting, shown there again', async () => {
    const first = '+15551238407';
    await openChat(first);
    await page.getByLabel('Text as').fill('  ');
    assert.ok(await page.getByRole('button', { name: 'Use', exact: true }).isDisabled(), 'no contact to use');
    await composer().fill('still me');
    await composer().press('Enter');
    await transcript().locator('.bubble-flow', { hasText: 'Got still me' }).waitFor();
    await untilValue(page.getByLabel('Text as'), first);
  });

  it('a number typed with separators texts as its E.164, as the server knows the contact: answers, test user and the field agree', async () => {
    // A flow of its own: what this one forwards would show in another test's transcript of +15550009999.
    const replyOnly = { ...FORWARD_THEN_REPLY, states: FORWARD_THEN_REPLY.states.filter((s) => s.name !== 'forward').map((s) => (s.name === 'Trigger' ? { ...s, transitions: [{ event: 'incomingMessage', next: 'reply' }] } : s)) } as FlowDefinition;
    const ownFlow = (await server.app.flows.create(server.account.sid, { friendlyName: 'Reply', status: 'published', definition: replyOnly })).sid;
    const users = await fetch(`${server.baseUrl}/v2/Flows/${ownFlow}/TestUsers`, { method: 'POST', headers: { authorization: server.auth, 'content-type': 'application/x-www-form-urlencoded' }, body: 'TestUsers=%2B15551238406' });
    assert.equal(users.status, 200);
    await page.goto(`${server.baseUrl}/flows/${ownFlow}`);
    await page.getByRole('tab', { name: 'Chat' }).click();
    await useContact('+1 (555) 123-8406');
    assert.equal(await page.getByLabel('Text as').inputValue(), '+15551238406');
    assert.ok(await page.getByLabel('Run the latest draft for this contact (test user)').isChecked(), 'the test user +15551238406');
    await composer().fill('formatted');
    await composer().press('Enter');
    await transcript().locator('.bubble-flow', { hasText: 'Got formatted' }).waitFor();
    assert.deepEqual(await texts('.bubble-contact'), ['formatted']);
  });

  it("arms, reads back and disarms the flow's next message, per contact", async () => {
    const contact = '+15551238404';
    const other = '+15551238405';
    await openChat(contact);
    assert.equal(await failureSelect().inputValue(), '');
    await failureSelect().selectOption('send');
    await until("the server has 'send' armed", async () => (await armedOnServer(contact)) === 'send', 10_000);

    // A reload shows what the server has armed.
    await openChat(contact);
    await selectShows('send');
    // It is this contact's: another has nothing armed, and coming back shows it again.
    await useContact(other);
    await selectShows('');
    await useContact(contact);
    await selectShows('send');

    // Back to "is delivered" disarms it on the server: the reply goes out.
    await failureSelect().selectOption('');
    await until('the server has nothing armed', async () => (await armedOnServer(contact)) === null, 10_000);
    await composer().fill('hello');
    await page.getByRole('button', { name: 'Send' }).click();
    await transcript().locator('.bubble-flow', { hasText: 'Got hello' }).filter({ hasText: 'delivered' }).waitFor();

    // Armed again, the flow's next message to the contact uses it up, and the select says so.
    await failureSelect().selectOption('delivery');
    await until("the server has 'delivery' armed", async () => (await armedOnServer(contact)) === 'delivery', 10_000);
    await composer().fill('again');
    await page.getByRole('button', { name: 'Send' }).click();
    await transcript().locator('.bubble-flow', { hasText: 'Got again' }).filter({ hasText: 'undelivered' }).waitFor();
    await selectShows('');
  });

  it('shows a message to another number where it was sent, and still after a reload', async () => {
    const contact = '+15551238406';
    await openChat(contact);
    await composer().fill('order');
    await page.getByRole('button', { name: 'Send' }).click();
    await transcript().locator('.bubble-flow', { hasText: 'Got order' }).waitFor();
    const expected = ['order', 'Forwarded: order', 'Got order'];
    assert.deepEqual(await texts('.bubble'), expected);
    await openChat(contact);
    await transcript().locator('.bubble-flow', { hasText: 'Got order' }).waitFor();
    await transcript().locator('.bubble-elsewhere', { hasText: 'Forwarded: order' }).waitFor();
    assert.deepEqual(await texts('.bubble'), expected);
  });

  // Rotates the account's token: keep it last.
  it('asks to sign in again when the token is rotated while the Chat is open, and signing in clears the refused send', async () => {
    const contact = '+15551238407';
    await openChat(contact);
    const token = (await server.app.accounts.rotateToken(server.account.sid))!;
    server.account.authToken = token;
    server.auth = basicAuth(server.account.sid, token);
    // Nothing is sent: the open stream finds the credentials refused.
    const dialog = page.getByRole('dialog', { name: 'Sign in again' });
    await dialog.getByRole('alert').filter({ hasText: 'refused' }).waitFor({ timeout: 5000 });
    await dialog.getByRole('button', { name: 'Close' }).click();
    // A send meanwhile is refused too, and says so.
    await composer().fill('refused');
    await page.getByRole('button', { name: 'Send' }).click();
    const error = page.locator('.chat-panel .error-text');
    await error.filter({ hasText: '20003' }).waitFor();
    // Signing in again clears that, and the stream is live again.
    await page.getByRole('status').filter({ hasText: 'Credentials refused' }).getByRole('button', { name: 'Sign in again' }).click();
    await dialog.getByLabel('Auth token').fill(token);
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await error.waitFor({ state: 'detached' });
    await page.locator('.chat-panel .connection').filter({ hasText: 'live' }).waitFor();
    await composer().fill('accepted');
    await page.getByRole('button', { name: 'Send' }).click();
    await transcript().locator('.bubble-flow', { hasText: 'Got accepted' }).waitFor();
    // The refused calls' 401s are expected answers, not app errors.
    browser.errors.splice(0);
  });

  it('logged no console errors', () => {
    assert.deepEqual(browser.errors, []);
  });
});
