// The console as a new user first saw it (Chromium, 1440 px wide): the Phone's "Time out as a phone
// does" checkbox, beside its long label, was squeezed to a few pixels; and on the flow list the Export
// and Delete buttons were set smaller than the Executions and Revisions links beside them; and in an
// 800 px window, choosing the Phone tab at the window's foot showed nothing (its panel wholly below).
// With real imported flows (long names) the list's action cell, a td made a flex box, drew its border
// off the row's, and in an 800 px window the names kept 40 characters, squeezing the SIDs to three
// characters a line and pushing the actions out of the table's view.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { TestServer } from '../support/server.ts';
import { triggerFlow } from '../support/flows.ts';
import { closeSignedInConsole, noChromium, openSignedInConsole, until, type Browser } from './browser.ts';

const FLOW = triggerFlow('look', 'incomingCall', 'hello', [
  { name: 'hello', type: 'say-play', properties: { offset: { x: 0, y: 200 }, say: 'Hello' }, transitions: [{ event: 'audioComplete' }] },
]);

/** An imported flow's name as the CLI gives it: the file's name, here one of a real Terraform export. */
const LONG_NAME = 'techmatters__flex-plugins__twilio-iac_helplines_usnm_templates_studio-flows_voice.tftpl';

describe('web console: first look (Chromium)', { skip: noChromium, timeout: 120_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let flowSid: string;

  before(async () => {
    ({ server, browser, page } = await openSignedInConsole());
    flowSid = (await server.app.flows.create(server.account.sid, { friendlyName: 'Look', status: 'published', definition: FLOW })).sid;
    await server.app.flows.create(server.account.sid, { friendlyName: LONG_NAME, status: 'published', definition: FLOW });
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
        .getByRole('row')
        .filter({ hasText: 'Look' })
        .locator('.actions')
        .getByRole(name === 'Executions' || name === 'Revisions' ? 'link' : 'button', { name })
        .evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).fontSize);
    const link = await fontSize('Executions');
    assert.equal(await fontSize('Revisions'), link);
    assert.equal(await fontSize('Export Look'), link);
    assert.equal(await fontSize('Delete Look'), link);
    assert.deepEqual(browser.errors, []);
  });

  it("draws the flow list's action cell as a cell of its row, its border in line with the others'", async () => {
    await page.goto(server.baseUrl);
    // A cell displayed as anything else (the flex box the actions were) keeps its own border, drawn off the
    // line the row's collapsed borders make: the row's rule stepped by a pixel under the actions.
    const row = page.getByRole('row').filter({ hasText: 'techmatters' });
    await row.waitFor();
    const displays = await row.locator('td').evaluateAll((cells) => cells.map((cell) => cell.ownerDocument.defaultView!.getComputedStyle(cell).display));
    assert.deepEqual(new Set(displays), new Set(['table-cell']), `the cells are displayed as ${displays.join(', ')}`);
    assert.deepEqual(browser.errors, []);
  });

  it('in an 800 px window, keeps the flow list within the window, SIDs readable and actions in line', async () => {
    await page.setViewportSize({ width: 800, height: 900 });
    try {
      await page.goto(server.baseUrl);
      const row = page.getByRole('row').filter({ hasText: 'techmatters' });
      await row.waitFor();
      const overflow = await page.locator('.table-wrap').evaluate((wrap) => wrap.scrollWidth - wrap.clientWidth);
      assert.ok(overflow <= 0, `the table is ${overflow} px wider than its box`);
      // A flow SID is 34 characters: eight lines at most, not twelve of three.
      const sid = await row.locator('code.sid').boundingBox();
      const lineHeight = await row.locator('code.sid').evaluate((el) => parseFloat(el.ownerDocument.defaultView!.getComputedStyle(el).lineHeight) || el.getBoundingClientRect().height);
      assert.ok(sid && sid.height <= 8 * lineHeight + 1, `the SID takes ${sid?.height} px, lines of ${lineHeight} px`);
      // Wrapped onto several lines, each line's first link or button starts its word where the others do.
      const lineStarts = await row.locator('.actions').evaluate((actions) => {
        const starts: number[] = [];
        let lineTop = -Infinity;
        for (const item of actions.children) {
          const words = item.ownerDocument.createRange();
          words.selectNodeContents(item);
          const box = words.getBoundingClientRect();
          if (box.top > lineTop + 1) starts.push(Math.round(box.x));
          lineTop = box.top;
        }
        return starts;
      });
      assert.ok(lineStarts.length > 1, `the actions take ${lineStarts.length} line`);
      assert.deepEqual(new Set(lineStarts).size, 1, `the lines start at x=${lineStarts.join(', ')}`);
      assert.deepEqual(browser.errors, []);
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }
  });

  it('in an 800 px window, brings the chosen panel into view under the canvas', async () => {
    await page.setViewportSize({ width: 800, height: 700 });
    try {
      await page.goto(`${server.baseUrl}/flows/${flowSid}`);
      await page.locator('.react-flow__node').first().waitFor();
      const tab = page.getByRole('tab', { name: 'Phone' });
      const tabBox = await tab.boundingBox();
      // The stacked layout, with the tabs low in the window: the case this is about.
      assert.ok(tabBox && tabBox.y > 500, `the tabs are at y=${tabBox?.y}`);
      await tab.click();
      // Its heading and its first controls, not just the top of the heading at the window's foot.
      const call = page.getByRole('button', { name: 'Call', exact: true });
      await until('the Phone panel is in the window', async () => {
        const box = await call.boundingBox();
        return box !== null && box.y >= 0 && box.y + box.height <= 700;
      });
      assert.deepEqual(browser.errors, []);
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }
  });
});
