// The security review's CSRF repro in Chromium: once the browser has a Basic login for the server (from a
// URL with credentials), a page on another site auto-submits a form to the carrier route. The browser
// sends the cached credentials; the server must refuse the post (403/20403) and leave the carrier alone.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, noChromium, type Browser } from '../web/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const ATTACKER = 'http://attacker.test';

describe('cross-site form post in a real browser', { skip: noChromium }, () => {
  let t: TestServer;
  let browser: Browser;
  before(async () => {
    t = await startTestServer({ listen: true });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  it("cannot rewire the account's carrier with the browser's cached Basic login", async () => {
    const { page } = browser;
    const port = new URL(t.baseUrl).port;
    const withLogin = await page.goto(`http://${t.account.sid}:${t.account.authToken}@127.0.0.1:${port}/v2/Flows`);
    assert.equal(withLogin?.status(), 200, 'the browser now holds the login');
    // Checks the browser sends the login without being given it again (what makes the form dangerous).
    const again = await page.goto(`${t.baseUrl}/v2/Flows`);
    assert.equal(again?.status(), 200);

    const target = `${t.baseUrl}/v1/Accounts/${t.account.sid}/Carrier`;
    await page.route(`${ATTACKER}/**`, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<form method="POST" action="${target}"><input name="Channel" value="webhook"><input name="WebhookUrl" value="https://attacker.example.com/hook"></form>
               <script>document.forms[0].submit()</script>`,
      }),
    );
    const answered = page.waitForResponse((res) => res.url() === target && res.request().method() === 'POST');
    await page.goto(`${ATTACKER}/`);
    const res = await answered;
    assert.equal(res.status(), 403, await res.text());
    assert.equal((await res.json()).code, 20403);
    const carrier = await t.app.server.inject({ method: 'GET', url: `/v1/Accounts/${t.account.sid}/Carrier`, headers: { authorization: t.auth } });
    assert.equal(carrier.json().channel, 'simulator');
  });
});
