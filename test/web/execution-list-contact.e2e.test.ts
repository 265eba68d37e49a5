// The console's executions list in Chromium: the Contact field lists one caller's executions
// (?ContactAddress=), keeps the filter in the console's query string with the status filter, so
// reload, Back and paging keep it, and the API's 400 for a bad address is shown, not a blank list. A flow
// without executions says so and how to run it, not that none match filters nobody set; none matching
// links back to the whole list.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { TestServer } from '../support/server.ts';
import { triggerFlow } from '../support/flows.ts';
import { closeSignedInConsole, noChromium, openSignedInConsole, until, type Browser } from './browser.ts';

const ASK = triggerFlow('ask', 'incomingRequest', 'ask', [
  {
    name: 'ask',
    type: 'send-and-wait-for-reply',
    properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', body: 'Q', timeout: '3600' },
    transitions: [{ event: 'incomingMessage' }, { event: 'timeout' }, { event: 'deliveryFailure' }],
  },
]);
const CALLER = '+15551230077';

describe('web console: executions list filtered by contact (Chromium)', { skip: noChromium, timeout: 120_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  const start = async (flowSid: string, to: string, from: string): Promise<string> => {
    const res = await fetch(`${server.baseUrl}/v2/Flows/${flowSid}/Executions`, {
      method: 'POST',
      headers: { authorization: server.auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ To: to, From: from }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    return ((await res.json()) as { sid: string }).sid;
  };

  before(async () => {
    ({ server, browser, page } = await openSignedInConsole({ timeoutMs: 15_000, acceptDialogs: false }));
  });

  after(() => closeSignedInConsole({ server, browser }));

  const listedSids = async () => (await page.locator('table tbody code.sid').allTextContents()).map((s) => s.trim());

  it('a link with a status that is none says so in its own words, and links to the list of any status', async () => {
    const flowSid = (await server.app.flows.create(server.account.sid, { friendlyName: 'Odd status', status: 'published', definition: ASK })).sid;
    const sid = await start(flowSid, CALLER, '+15005550006');
    await page.goto(`${server.baseUrl}/flows/${flowSid}/executions?status=finished&contact=${encodeURIComponent(CALLER)}`);
    const notice = page.getByTestId('unknown-status');
    await notice.waitFor();
    assert.equal(
      await notice.textContent(),
      'The link asks for executions whose status is “finished”, which is not a status: an execution is Active or Ended. Show executions of any status',
    );
    // Not the API's refusal (which names its query parameter).
    assert.equal(await page.getByText(/is not one of/).count(), 0);
    await notice.getByRole('link', { name: 'Show executions of any status' }).click();
    await page.waitForURL(`${server.baseUrl}/flows/${flowSid}/executions?contact=${encodeURIComponent(CALLER)}`);
    await until('the execution is listed', async () => (await listedSids()).includes(sid));
    assert.equal(await page.getByTestId('unknown-status').count(), 0);
  });

  it('a flow without executions says how to run it, and none match once filtered', async () => {
    const flowSid = (await server.app.flows.create(server.account.sid, { friendlyName: 'Never run', status: 'published', definition: ASK })).sid;
    await page.goto(`${server.baseUrl}/flows/${flowSid}/executions`);
    const empty = page.locator('.empty-state');
    await empty.getByText(`POST /v2/Flows/${flowSid}/Executions`).waitFor();
    assert.match(await empty.innerText(), /^No executions\. Text or call the flow from the Chat or Phone beside its canvas/);
    await empty.getByRole('link', { name: 'its canvas' }).click();
    await page.waitForURL(`${server.baseUrl}/flows/${flowSid}`);
    await page.goBack();
    await page.getByLabel('Status').selectOption('active');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('No executions match.').waitFor();
    assert.equal(await page.getByText('Text or call the flow').count(), 0);
    // One link back to the whole list: the filters cleared, in the form as in the URL.
    await page.locator('.empty-state').getByRole('link', { name: 'Show all executions' }).click();
    await page.waitForURL(`${server.baseUrl}/flows/${flowSid}/executions`);
    await until('the form shows no status filter', async () => (await page.getByLabel('Status').inputValue()) === '');
    await empty.getByText(`POST /v2/Flows/${flowSid}/Executions`).waitFor();
    assert.deepEqual(browser.errors, []);
  });

  it("the Contact field lists one caller's executions and stays in the URL", async () => {
    const flowSid = (await server.app.flows.create(server.account.sid, { friendlyName: 'Ask', status: 'published', definition: ASK })).sid;
    const mine: string[] = [];
    for (let i = 0; i < 25; i++) {
      // 22 other contacts' executions, and three of the caller's (from three flow addresses).
      const caller = i % 10 === 3;
      const sid = await start(flowSid, caller ? CALLER : `+1555000${String(i).padStart(4, '0')}`, `+150055500${String(i).padStart(2, '0')}`);
      if (caller) mine.unshift(sid);
    }
    await server.app.executions.idle();

    await page.goto(`${server.baseUrl}/flows/${flowSid}/executions`);
    await page.locator('table tbody tr').first().waitFor();
    assert.equal((await listedSids()).length, 20, 'a full page of everyone');

    await page.getByLabel('Contact').fill(` ${CALLER} `);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL((url) => url.searchParams.get('contact') !== null);
    // Polled from the test, not page.waitForFunction: the console's CSP forbids the eval that would poll a string.
    await until(`the list shows the caller's ${mine.length} executions`, async () => (await page.locator('table tbody tr').count()) === mine.length);
    assert.deepEqual(await listedSids(), mine);
    for (const cell of await page.locator('table tbody tr td:nth-child(3)').allTextContents()) assert.equal(cell, CALLER);
    assert.equal(new URL(page.url()).searchParams.get('contact')?.trim(), CALLER);

    // With the status filter, and through a reload: the URL holds both.
    await page.getByLabel('Status').selectOption('active');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL((url) => url.searchParams.get('status') === 'active');
    await page.reload();
    await page.locator('table tbody tr').first().waitFor();
    assert.deepEqual(await listedSids(), mine);
    assert.equal((await page.getByLabel('Contact').inputValue()).trim(), CALLER);

    await page.goto(`${server.baseUrl}/flows/${flowSid}/executions?contact=${encodeURIComponent('+15559999999')}`);
    await page.getByText('No executions match.').waitFor();
  });

  it("a bad address shows the API's error", async () => {
    const flowSid = (await server.app.flows.create(server.account.sid, { friendlyName: 'Ask 2', status: 'published', definition: ASK })).sid;
    await page.goto(`${server.baseUrl}/flows/${flowSid}/executions?contact=${'a'.repeat(300)}`);
    await page.getByText(/ContactAddress/).first().waitFor();
    browser.errors.splice(0); // the expected 400 in the network log
  });
});
