// The console signs in with an API key (SK… and its secret) as the API takes one in Basic auth: teams that hand
// out keys rather than the account's auth token use the console with them. A wrong secret is said in the key's
// terms, and a key deleted mid-session asks to sign in again saying the key was refused.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { ensureConsoleBuilt } from '../../web/ensure-built.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { askWidget, triggerFlow } from '../support/flows.ts';
import { launchBrowser, noChromium, type Browser } from './browser.ts';

describe('console sign-in with an API key (Chromium)', { skip: noChromium, timeout: 120_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let key: { sid: string; secret: string };

  before(async () => {
    await ensureConsoleBuilt();
    server = await startTestServer({ listen: true });
    const created = await server.app.accounts.createKey(server.account.sid, 'console');
    key = { sid: created.key.sid, secret: created.secret };
    const flow = await server.app.server.inject({
      method: 'POST',
      url: '/v2/Flows',
      headers: { authorization: server.auth, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ FriendlyName: 'Signed in by key', Status: 'draft', Definition: JSON.stringify(triggerFlow('by-key', 'incomingMessage', 'ask', [askWidget('ask', 100, 'Hi', '60')])) }).toString(),
    });
    assert.equal(flow.statusCode, 201, flow.body);
    browser = await launchBrowser();
    page = browser.page;
    page.setDefaultTimeout(10_000);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it("refuses a wrong secret in the key's terms, then signs in with the right one and lists the account's flows", async () => {
    await page.goto(server.baseUrl);
    await page.getByLabel('Account SID or API key SID').fill(key.sid);
    await page.getByLabel('Auth token or API key secret').fill('not the secret');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'That API key SID and secret do not match.' }).waitFor();
    await page.getByLabel('Auth token or API key secret').fill(key.secret);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Flows' }).waitFor();
    await page.getByRole('link', { name: 'Signed in by key' }).waitFor();
    assert.equal(await page.getByTitle('Signed in with this API key').textContent(), key.sid);
  });

  it('a key deleted mid-session: the page asks to sign in again, saying the key was refused', async () => {
    assert.equal(await server.app.store.deleteApiKey(key.sid), true);
    // The server's read cache forgets the key within a second; the next request is refused.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    await page.getByRole('link', { name: 'Signed in by key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Sign in again' });
    await dialog.waitFor();
    await dialog.getByText('The server refused this API key').waitFor();
  });
});
