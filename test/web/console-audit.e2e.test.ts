// Findings of a console audit, in Chromium: where focus goes after a failed sign-in, a blank rename,
// the canvas fitting a very wide flow, the execution timeline (failed steps, dates), and Save draft /
// Publish with nothing to save.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import type { TestServer } from '../support/server.ts';
import { closeSignedInConsole, noChromium, openSignedInConsole, until, type Browser } from './browser.ts';

describe('console audit findings (Chromium)', { skip: noChromium, timeout: 180_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  const hasFocus = (locator: Locator) => locator.evaluate((el) => el === el.ownerDocument.activeElement);

  before(async () => {
    ({ server, browser, page } = await openSignedInConsole());
  });

  after(() => closeSignedInConsole({ server, browser }));

  it('moves focus to the token field after a refused sign-in, described by the error', async () => {
    // A new tab is signed out (the credentials live in the tab's sessionStorage).
    const tab = await browser.context.newPage();
    try {
      await tab.goto(server.baseUrl);
      await tab.getByLabel('Account SID').fill(server.account.sid);
      await tab.getByLabel('Auth token').fill('wrong-token');
      await tab.getByRole('button', { name: 'Sign in' }).click();
      const alert = tab.getByRole('alert').filter({ hasText: 'do not match' });
      await alert.waitFor();
      const token = tab.getByLabel('Auth token');
      await until('the token field has focus', () => hasFocus(token));
      const describedBy = await token.getAttribute('aria-describedby');
      assert.ok(describedBy, 'the token field is described by the error');
      assert.equal(await alert.getAttribute('id'), describedBy);
      assert.equal(await token.getAttribute('aria-invalid'), 'true');
    } finally {
      await tab.close();
    }
  });
});
