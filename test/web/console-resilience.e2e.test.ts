// The console when the server goes away and comes back, or stops taking the credentials, in Chromium:
// a flow, an execution or the flow list the server did not answer offers "Try again" and shows up once
// it answers, and an edit it could not check is checked then; an active execution's page says while its live updates are interrupted, and catches up;
// a page read while the credentials were refused (a rotated token) is read again once signed in again;
// an execution deleted while they were interrupted, or a flow deleted while its executions list refreshes
// or its Chat is open, is said to be gone.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { basicAuth, type TestServer } from '../support/server.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';
import { closeSignedInConsole, noChromium, openSignedInConsole, type Browser } from './browser.ts';

const ASK: FlowDefinition = {
  description: 'ask',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', properties: { offset: { x: 0, y: 0 } }, transitions: [{ event: 'incomingMessage', next: 'ask' }, { event: 'incomingCall' }, { event: 'incomingRequest' }] },
    {
      name: 'ask',
      type: 'send-and-wait-for-reply',
      properties: { offset: { x: 0, y: 250 }, from: '{{flow.channel.address}}', body: 'Name?', timeout: '3600' },
      transitions: [{ event: 'incomingMessage', next: 'again' }, { event: 'timeout' }, { event: 'deliveryFailure' }],
    },
    {
      name: 'again',
      type: 'send-and-wait-for-reply',
      properties: { offset: { x: 0, y: 500 }, from: '{{flow.channel.address}}', body: 'More?', timeout: '3600' },
      transitions: [{ event: 'incomingMessage', next: 'ask' }, { event: 'timeout' }, { event: 'deliveryFailure' }],
    },
  ],
} as unknown as FlowDefinition;

describe('web console: the server away and back, credentials refused (Chromium)', { skip: noChromium, timeout: 180_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  const create = async (name: string) => (await server.app.flows.create(server.account.sid, { friendlyName: name, status: 'published', definition: ASK })).sid;
  /** Texts the flow as `from` through the simulator; the execution's SID. */
  const text = async (flowSid: string, from: string, body: string): Promise<string> => {
    const response = await fetch(`${server.baseUrl}/simulator/Flows/${flowSid}/Messages`, {
      method: 'POST',
      headers: { authorization: server.auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ From: from, Body: body }),
    });
    assert.equal(response.status, 201);
    return ((await response.json()) as { execution_sid: string }).execution_sid;
  };
  /** The browser's requests matching `pattern` get no answer, as when the server is stopped, until the returned function is called. */
  const unreachable = async (pattern: string) => {
    const handler = (route: { abort: (code: string) => Promise<void> }) => route.abort('connectionrefused');
    await page.route(pattern, handler);
    return () => page.unroute(pattern, handler);
  };

  before(async () => {
    ({ server, browser, page } = await openSignedInConsole());
  });
  after(() => closeSignedInConsole({ server, browser }));

  it('offers Try again on a flow, an execution, the revisions and the flow list the server did not answer, and shows them once it does', async () => {
    const flowSid = await create('Away and back');
    const executionSid = await text(flowSid, '+15553010001', 'hi');

    let back = await unreachable('**/v2/Flows/**');
    await page.goto(`${server.baseUrl}/flows/${flowSid}/executions/${executionSid}`);
    await page.getByRole('heading', { name: 'The execution could not be loaded', level: 1 }).waitFor();
    await page.getByRole('alert').filter({ hasText: 'cannot be reached' }).waitFor();
    await back();
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('heading', { name: `Execution ${executionSid}`, level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Steps (1)' }).waitFor();
    await page.getByText('Loading canvas…').waitFor({ state: 'detached' });

    back = await unreachable('**/v2/Flows/**');
    await page.goto(`${server.baseUrl}/flows/${flowSid}`);
    await page.getByRole('heading', { name: 'The flow could not be loaded', level: 1 }).waitFor();
    await back();
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.locator('.react-flow__node[data-id="ask"]').waitFor();

    back = await unreachable('**/v2/Flows/**');
    await page.goto(`${server.baseUrl}/flows/${flowSid}/revisions`);
    const revisionsNotice = page.getByRole('alert').filter({ hasText: 'cannot be reached' });
    await revisionsNotice.waitFor();
    await back();
    await revisionsNotice.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('button', { name: 'Restore as draft (revision 1)' }).waitFor();
    await revisionsNotice.waitFor({ state: 'detached' });

    back = await unreachable('**/v2/Flows?*');
    await page.goto(`${server.baseUrl}/flows`);
    const notice = page.getByRole('alert').filter({ hasText: 'cannot be reached' });
    await notice.waitFor();
    await back();
    await notice.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('link', { name: 'Away and back' }).waitFor();
    await notice.waitFor({ state: 'detached' });
    // The refused connections are what this test makes happen, not app errors.
    browser.errors.splice(0);
  });

  it("says while an active execution's live updates are interrupted, and shows the steps taken meanwhile once they are back", async () => {
    const flowSid = await create('Stream away');
    const executionSid = await text(flowSid, '+15553010002', 'hi');
    // The stream gets no answer (the server stopped) from the start; the page is read before it went away.
    const back = await unreachable('**/Events');
    await page.goto(`${server.baseUrl}/flows/${flowSid}/executions/${executionSid}`);
    await page.getByRole('heading', { name: 'Steps (1)' }).waitFor();
    const interrupted = page.getByRole('status').filter({ hasText: 'Live updates are interrupted' });
    await interrupted.waitFor();
    await text(flowSid, '+15553010002', 'Zoë');
    await back();
    await interrupted.waitFor({ state: 'detached' });
    await page.getByRole('heading', { name: 'Steps (2)' }).waitFor();
    await page.getByTestId('execution-state').filter({ hasText: 'Waiting at again' }).waitFor();
    browser.errors.splice(0);
  });

  it("checks an edit made while the server was away once it is back, instead of keeping the old flow's findings", async () => {
    const flowSid = await create('Checked when back');
    await page.goto(`${server.baseUrl}/flows/${flowSid}`);
    await page.locator('.react-flow__node[data-id="ask"]').click();
    const form = page.getByRole('form', { name: 'Properties of ask' });
    const body = form.locator('[data-property="body"]');
    const back = await unreachable('**/console/api/Validate');
    const refused = page.waitForEvent('requestfailed', (request) => request.url().includes('/console/api/Validate'));
    // Liquid left open: only the server's validator says so.
    await form.getByLabel('body').fill('Hi {{ flow.variables.name ');
    await refused;
    const serverWarning = body.locator('.field-warning', { hasText: 'body is not valid Liquid' });
    assert.equal(await serverWarning.count(), 0, "the server's finding cannot be there yet");
    await back();
    await serverWarning.waitFor({ timeout: 8000 });
    await form.getByLabel('body').fill('Name?');
    await serverWarning.waitFor({ state: 'detached' });
    browser.errors.splice(0);
  });

  it('says an execution deleted while its live updates were interrupted is gone, once they come back', async () => {
    const flowSid = await create('Deleted while away');
    const executionSid = await text(flowSid, '+15553010005', 'hi');
    const back = await unreachable('**/Events');
    await page.goto(`${server.baseUrl}/flows/${flowSid}/executions/${executionSid}`);
    await page.getByRole('status').filter({ hasText: 'Live updates are interrupted' }).waitFor();
    const deleted = await fetch(`${server.baseUrl}/v2/Flows/${flowSid}/Executions/${executionSid}`, { method: 'DELETE', headers: { authorization: server.auth } });
    assert.equal(deleted.status, 204);
    await back();
    await page.getByTestId('execution-state').filter({ hasText: 'This execution no longer exists' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'End execution' }).count(), 0, 'nothing to end');
    // The stream's 404 is the answer this test makes happen.
    browser.errors.splice(0);
  });

  it('says a flow deleted while its executions list refreshes, or its Chat is open, is gone, not "resource not found"', async () => {
    const flowSid = await create('Deleted meanwhile');
    await text(flowSid, '+15553010004', 'hi');
    await page.goto(`${server.baseUrl}/flows/${flowSid}/executions`);
    await page.getByRole('cell', { name: '+15553010004' }).waitFor();
    await page.getByLabel('Refresh every 3 s').check();
    // The Chat of the same flow, open in another tab of this session.
    const chat = await page.context().newPage();
    try {
      // A tab opened from this one shares its sign-in (sessionStorage is copied to it).
      const signedIn = await page.evaluate(() => sessionStorage.getItem('switchboard.credentials'));
      await chat.goto(server.baseUrl);
      await chat.evaluate((credentials) => sessionStorage.setItem('switchboard.credentials', credentials!), signedIn);
      await chat.goto(`${server.baseUrl}/flows/${flowSid}`);
      await chat.getByRole('tab', { name: 'Chat' }).click();
      await chat.getByRole('status').filter({ hasText: 'live' }).waitFor();
      const deleted = await fetch(`${server.baseUrl}/v2/Flows/${flowSid}`, { method: 'DELETE', headers: { authorization: server.auth } });
      assert.equal(deleted.status, 204);

      await page.getByRole('heading', { name: 'Flow not found', level: 1 }).waitFor({ timeout: 8000 });
      assert.equal(await page.getByRole('cell', { name: '+15553010004' }).count(), 0, 'no executions of a flow that is gone');
      assert.equal(await page.getByText('20404').count(), 0, 'no raw API message');

      const composer = chat.getByPlaceholder('Type a message…');
      await composer.fill('still there?');
      await composer.press('Enter');
      await chat.getByText('Not sent: this flow no longer exists').waitFor();
      assert.equal(await chat.getByText('20404').count(), 0, 'no raw API message');
      assert.equal(await composer.inputValue(), 'still there?', 'the text is kept');

      await chat.getByRole('tab', { name: 'Phone' }).click();
      await chat.getByRole('button', { name: 'Call', exact: true }).click();
      await chat.getByText('Not called: this flow no longer exists').waitFor();
      assert.equal(await chat.getByText('20404').count(), 0, 'no raw API message on the phone either');
    } finally {
      await chat.close();
    }
    // The 404s are the answers this test makes happen.
    browser.errors.splice(0);
  });

  // Rotates the account's token: keep it last, the tests before it use the original one.
  it('reads a page the old credentials were refused again once signed in with the new ones', async () => {
    const flowSid = await create('Rotated away');
    const executionSid = await text(flowSid, '+15553010003', 'hi');
    const token = (await server.app.accounts.rotateToken(server.account.sid))!;
    server.account.authToken = token;
    server.auth = basicAuth(server.account.sid, token);
    // Opened (a link, a reload) after the rotation: everything on it is refused.
    await page.goto(`${server.baseUrl}/flows/${flowSid}/executions/${executionSid}`);
    const dialog = page.getByRole('dialog', { name: 'Sign in again' });
    await dialog.getByLabel('Auth token').fill(token);
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('heading', { name: `Execution ${executionSid}`, level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Steps (1)' }).waitFor();
    assert.equal(await page.getByText('Authenticate').count(), 0, 'no refusal left on the page');

    browser.errors.splice(0);
  });

  it('logged no console errors', () => {
    assert.deepEqual(browser.errors, []);
  });
});
