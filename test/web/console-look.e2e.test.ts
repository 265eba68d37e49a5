// The console as a new user first saw it (Chromium, 1440 px wide): the Phone's "Time out as a phone
// does" checkbox, beside its long label, was squeezed to a few pixels; and on the flow list the Export
// and Delete buttons were set smaller than the Executions and Revisions links beside them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { TestServer } from '../support/server.ts';
import { triggerFlow } from '../support/flows.ts';
import { closeSignedInConsole, noChromium, openSignedInConsole, type Browser } from './browser.ts';

const FLOW = triggerFlow('look', 'incomingCall', 'hello', [
  { name: 'hello', type: 'say-play', properties: { offset: { x: 0, y: 200 }, say: 'Hello' }, transitions: [{ event: 'audioComplete' }] },
]);

describe('web console: first look (Chromium)', { skip: noChromium, timeout: 120_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let flowSid: string;

  before(async () => {
    ({ server, browser, page } = await openSignedInConsole());
    flowSid = (await server.app.flows.create(server.account.sid, { friendlyName: 'Look', status: 'published', definition: FLOW })).sid;
  });

  after(() => closeSignedInConsole({ server, browser }));

  it("keeps the Phone's timeouts checkbox full size beside its long label", async () => {
    await page.goto(`${server.baseUrl}/flows/${flowSid}`);
    await page.getByRole('tab', { name: 'Phone' }).click();
    const box = await page.getByRole('checkbox', { name: /Time out as a phone does/ }).boundingBox();
    assert.ok(box);
    // Chromium draws a checkbox 13 px square unless something squeezes it.
    assert.ok(box.width >= 12 && box.height >= 12, `the checkbox is ${box.width}x${box.height}`);
    assert.deepEqual(browser.errors, []);
  });

  it("sets the flow list's Export and Delete in the size of the links beside them", async () => {
    await page.goto(server.baseUrl);
    const fontSize = (name: string) =>
      page
        .locator('td.actions')
        .first()
        .getByRole(name === 'Executions' || name === 'Revisions' ? 'link' : 'button', { name })
        .evaluate((el) => getComputedStyle(el).fontSize);
    const link = await fontSize('Executions');
    assert.equal(await fontSize('Revisions'), link);
    assert.equal(await fontSize('Export Look'), link);
    assert.equal(await fontSize('Delete Look'), link);
    assert.deepEqual(browser.errors, []);
  });
});
