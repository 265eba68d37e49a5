// Pages that outlive what they show, in Chromium: the Revisions and Executions pages of a flow that is
// not there (another account's, deleted, a wrong link) say "Flow not found" as the editor does; signing
// out and in as another account leaves the old account's page for the new one's flow list; saving a flow
// deleted meanwhile says so and how to keep the edits; an error page that is not the API's (a proxy's
// HTML) is said by its status, never shown raw; an address that is no page says so, signed in or not;
// and the import dialog names the flow after the file chosen last.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import type { TestServer } from '../support/server.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';
import { closeSignedInConsole, noChromium, openSignedInConsole, untilValue, type Browser } from './browser.ts';

const GREETING: FlowDefinition = {
  description: 'greeting',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', properties: { offset: { x: 0, y: 0 } }, transitions: [{ event: 'incomingMessage', next: 'hello' }, { event: 'incomingCall' }, { event: 'incomingRequest' }] },
    {
      name: 'hello',
      type: 'send-message',
      properties: { offset: { x: 0, y: 250 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'Hello' },
      transitions: [{ event: 'sent' }, { event: 'failed' }],
    },
  ],
} as unknown as FlowDefinition;

describe('web console: stale and foreign pages (Chromium)', { skip: noChromium, timeout: 180_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  const create = async (name: string) => (await server.app.flows.create(server.account.sid, { friendlyName: name, status: 'published', definition: GREETING })).sid;

  before(async () => {
    ({ server, browser, page } = await openSignedInConsole());
  });
  after(() => closeSignedInConsole({ server, browser }));

  it('says "Flow not found" on the Revisions and Executions pages of an unknown flow, with a way back', async () => {
    const unknown = `FW${'0'.repeat(28)}dead`;
    for (const tail of ['revisions', 'executions']) {
      await page.goto(`${server.baseUrl}/flows/${unknown}/${tail}`);
      await page.getByRole('heading', { name: 'Flow not found', level: 1 }).waitFor();
      assert.match((await page.locator('main').textContent()) ?? '', new RegExp(`There is no flow ${unknown} in this account`));
      assert.equal(await page.getByText('Loading…').count(), 0, `${tail}: no endless "Loading…"`);
      assert.equal(await page.getByText('was not found (20404)').count(), 0, `${tail}: no raw API message`);
      assert.equal(await page.title(), 'Flow not found · Switchboard');
      await page.getByRole('link', { name: 'Back to the flow list' }).waitFor();
    }
  });

  it('answers an address that is no page with the console\'s "Page not found" (a 404), not the API\'s JSON, signed in or not', async () => {
    for (const path of ['/console/nonexistent', '/nonexistent']) {
      const response = await page.goto(`${server.baseUrl}${path}`);
      assert.equal(response?.status(), 404, path);
      await page.getByRole('heading', { name: 'Page not found', level: 1 }).waitFor();
      assert.equal(await page.getByText('20404').count(), 0, `${path}: no API error`);
      assert.equal(await page.title(), 'Page not found · Switchboard');
    }
    await page.screenshot({ path: fileURLToPath(new URL('../../test-results/screenshots/page-not-found.png', import.meta.url)) });
    await page.getByRole('link', { name: 'Back to the flow list' }).click();
    await page.getByRole('heading', { name: 'Flows', level: 1 }).waitFor();

    // A new tab has not signed in: the address is said to be no page at once, not after signing in.
    const tab = await browser.context.newPage();
    try {
      const response = await tab.goto(`${server.baseUrl}/console/nonexistent`);
      assert.equal(response?.status(), 404);
      await tab.getByRole('heading', { name: 'Page not found', level: 1 }).waitFor();
      assert.equal(await tab.getByLabel('Account SID').count(), 0, 'no sign-in form for a page that is not there');
      // Heading, text and link evenly spaced by the card's gap: a paragraph's own margins would add to it.
      const gaps = await tab.locator('.sign-in-card').evaluate((card) => {
        type Box = { top: number; bottom: number };
        const boxes = Array.from((card as unknown as { children: ArrayLike<{ getBoundingClientRect(): Box }> }).children, (child) => child.getBoundingClientRect());
        return boxes.slice(1).map((box, i) => Math.round(box.top - boxes[i]!.bottom));
      });
      assert.equal(gaps.length, 2);
      for (const gap of gaps) assert.ok(gap >= 8 && gap <= 16, `the card's parts are ${JSON.stringify(gaps)} px apart`);
      await tab.screenshot({ path: fileURLToPath(new URL('../../test-results/screenshots/page-not-found-signed-out.png', import.meta.url)) });
      await tab.getByRole('link', { name: 'Sign in to the console' }).click();
      await tab.getByLabel('Account SID').waitFor();
      assert.equal(new URL(tab.url()).pathname, '/flows');
      // A page of the console, before signing in, is still the sign-in form.
      await tab.goto(`${server.baseUrl}/flows/${`FW${'0'.repeat(32)}`}/revisions`);
      await tab.getByLabel('Account SID').waitFor();
    } finally {
      await tab.close();
    }
    // The 404s of the page loads are expected here, not app errors.
    browser.errors.splice(0);
  });

  it('says a flow deleted while it was edited is gone, and how to keep the edits', async () => {
    const sid = await create('Doomed');
    await page.goto(`${server.baseUrl}/flows/${sid}`);
    await page.locator('.react-flow__node[data-id="hello"]').waitFor();
    const res = await fetch(`${server.baseUrl}/v2/Flows/${sid}`, { method: 'DELETE', headers: { authorization: server.auth } });
    assert.equal(res.status, 204);
    // An edit to save (with none, Save draft has nothing to do).
    await page.locator('.react-flow__node[data-id="hello"]').click();
    await page.getByRole('form', { name: 'Properties of hello' }).getByLabel('body').fill('Hello, edited');
    await page.getByRole('button', { name: 'Save draft' }).click();
    const notice = page.getByRole('alert').filter({ hasText: 'Not saved' });
    await notice.waitFor();
    const text = (await notice.textContent()) ?? '';
    assert.match(text, /this flow has been deleted/);
    assert.match(text, /use Export to keep them/);
    assert.doesNotMatch(text, /20404|\/v2\/Flows/);
  });

  it("says an error page that is not the API's by its status, never as raw HTML", async () => {
    await page.route('**/v2/Flows?**', (route) => route.fulfill({ status: 502, contentType: 'text/html', body: '<html><body>Bad Gateway from nginx</body></html>' }));
    try {
      await page.goto(`${server.baseUrl}/flows`);
      const notice = page.getByRole('alert').filter({ hasText: 'The server answered' });
      await notice.waitFor();
      const text = (await notice.textContent()) ?? '';
      assert.match(text, /^The server answered 502 Bad Gateway/);
      assert.doesNotMatch(text, /<html>|nginx/);
    } finally {
      await page.unroute('**/v2/Flows?**');
    }
  });

  it('names an import after the file chosen last, unless a name was typed', async () => {
    await page.goto(`${server.baseUrl}/flows`);
    await page.getByRole('button', { name: 'Import JSON' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import a Studio flow' });
    const file = dialog.getByLabel('Studio export (JSON file)');
    const name = dialog.getByLabel('Name', { exact: true });
    const json = (fileName: string) => ({ name: fileName, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(GREETING)) });
    await file.setInputFiles(json('first flow.json'));
    await untilValue(name, 'first flow');
    await file.setInputFiles(json('second flow.json'));
    await untilValue(name, 'second flow');
    await name.fill('My own name');
    await file.setInputFiles(json('third flow.json'));
    await untilValue(dialog.getByLabel('…or paste the JSON'), JSON.stringify(GREETING));
    assert.equal(await name.inputValue(), 'My own name');
  });

  // Last: it signs in as other accounts.
  it("takes another account signed in after a sign-out to its own flow list, away from the old account's page", async () => {
    const sid = await create('Mine');
    const other = await server.app.accounts.create('other');
    await page.goto(`${server.baseUrl}/flows/${sid}/revisions`);
    await page.getByRole('heading', { name: 'Revisions' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Account SID').fill(other.sid);
    await page.getByLabel('Auth token').fill(other.authToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Flows', level: 1 }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/flows');
    // The same account signing in again after a sign-out goes back to where it was.
    await page.goto(`${server.baseUrl}/flows`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Account SID').fill(server.account.sid);
    await page.getByLabel('Auth token').fill(server.account.authToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Flows', level: 1 }).waitFor();
    await page.goto(`${server.baseUrl}/flows/${sid}/revisions`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Account SID').fill(server.account.sid);
    await page.getByLabel('Auth token').fill(server.account.authToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Revisions' }).waitFor();
    assert.equal(new URL(page.url()).pathname, `/flows/${sid}/revisions`);
  });
});
