// How the step lists lay out at 390 and 1280 px, in Chromium. The Chat panel's End button wrapped on its own
// line under the execution's SID, away from the status it ends; the execution page's first step put its date
// wherever the line broke (after the widget it went to), not at the right as a column of times.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import type { TestServer } from '../support/server.ts';
import { askWidget, triggerFlow } from '../support/flows.ts';
import { closeSignedInConsole, noChromium, openSignedInConsole, type Browser } from './browser.ts';

const FLOW = triggerFlow('lines', 'incomingMessage', 'ask_for_the_order_number', [askWidget('ask_for_the_order_number', 250, 'Your order number?', '3600')]);

describe('web console: step lists at 390 and 1280 px (Chromium)', { skip: noChromium, timeout: 120_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let flowSid = '';

  before(async () => {
    ({ server, browser, page } = await openSignedInConsole());
    flowSid = (await server.app.flows.create(server.account.sid, { friendlyName: 'Lines', status: 'published', definition: FLOW })).sid;
  });
  after(() => closeSignedInConsole({ server, browser }));

  const box = async (locator: Locator) => {
    const found = await locator.boundingBox();
    assert.ok(found, 'drawn');
    return found;
  };

  for (const [i, width] of [390, 1280].entries()) {
    it(`at ${width} px, the Chat's End button stays beside the status, and a step's time sits at the right of its line`, async () => {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(`${server.baseUrl}/flows/${flowSid}`);
      await page.getByRole('tab', { name: 'Chat' }).click();
      await page.getByLabel('Text as').fill(`+1555123000${i}`);
      await page.getByRole('button', { name: 'Use', exact: true }).click();
      await page.getByLabel('Message', { exact: true }).fill('hello');
      await page.getByRole('button', { name: 'Send' }).click();
      const steps = page.locator('.live-steps');
      const end = steps.getByRole('button', { name: 'End', exact: true });
      await end.waitFor();
      const [button, status] = await Promise.all([box(end), box(steps.locator('.status-active'))]);
      const middle = (b: { y: number; height: number }) => b.y + b.height / 2;
      assert.ok(Math.abs(middle(button) - middle(status)) < 4, `End is on the status's line: ${JSON.stringify({ button, status })}`);
      assert.ok(button.x > status.x, 'after it');

      const sid = (await steps.locator('code.sid').textContent())!.trim();
      await page.goto(`${server.baseUrl}/flows/${flowSid}/executions/${sid}`);
      const first = page.locator('.timeline-item > details > summary').first();
      const time = first.locator('time');
      await time.waitFor();
      const [summary, shown] = await Promise.all([box(first), box(time)]);
      const lineHeight = await time.evaluate((el) => parseFloat(el.ownerDocument.defaultView!.getComputedStyle(el).lineHeight) || 20);
      assert.ok(shown.height <= lineHeight * 1.3, `the date and time are one line: ${JSON.stringify(shown)}`);
      const padding = await first.evaluate((el) => parseFloat(el.ownerDocument.defaultView!.getComputedStyle(el).paddingRight));
      assert.ok(Math.abs(summary.x + summary.width - padding - (shown.x + shown.width)) < 2, `the time sits at the right: ${JSON.stringify({ summary, shown })}`);
    });
  }
});
