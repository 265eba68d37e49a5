// The console as a new user first saw it (Chromium, 1440 px wide): the Phone's "Time out as a phone
// does" checkbox, beside its long label, was squeezed to a few pixels; and on the flow list the Export
// and Delete buttons were set smaller than the Executions and Revisions links beside them; and in an
// 800 px window, choosing the Phone tab at the window's foot showed nothing (its panel wholly below).
// With real imported flows (long names) the list's action cell, a td made a flex box, drew its border
// off the row's, and in an 800 px window the names kept 40 characters, squeezing the SIDs to three
// characters a line and pushing the actions out of the table's view. A long name cut in the breadcrumb
// left a gap after its "…".
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

/**
 * The widths of the runs of blank columns in a screenshot (PNG), left to right, between the first and last
 * column with anything drawn: decoded by the page (Chromium), which reads PNGs.
 */
function blankColumns(page: Page, png: Buffer): Promise<number[]> {
  return page.evaluate(async (base64) => {
    // Type-checked without the DOM's types: what this uses of them.
    const dom = globalThis as unknown as {
      createImageBitmap(blob: Blob): Promise<{ width: number; height: number }>;
      OffscreenCanvas: new (width: number, height: number) => {
        getContext(kind: '2d'): { drawImage(image: unknown, x: number, y: number): void; getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
      };
    };
    const bitmap = await dom.createImageBitmap(new Blob([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], { type: 'image/png' }));
    const context = new dom.OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d');
    context.drawImage(bitmap, 0, 0);
    const { data } = context.getImageData(0, 0, bitmap.width, bitmap.height);
    // The background is the top-left pixel's colour; ink is any pixel well off it (text, an underline).
    const at = (x: number, y: number, channel: number) => data[(y * bitmap.width + x) * 4 + channel]!;
    const inked: boolean[] = [];
    for (let x = 0; x < bitmap.width; x++) {
      let ink = false;
      for (let y = 0; y < bitmap.height && !ink; y++) ink = [0, 1, 2].some((c) => Math.abs(at(x, y, c) - at(0, 0, c)) > 48);
      inked.push(ink);
    }
    const runs: number[] = [];
    let run = 0;
    for (let x = inked.indexOf(true); x >= 0 && x <= inked.lastIndexOf(true); x++) {
      if (inked[x]) {
        if (run > 0) runs.push(run);
        run = 0;
      } else run++;
    }
    return runs;
  }, png.toString('base64'));
}

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

  it('cuts a long flow name in the breadcrumb with "…" followed at once by " /", with no gap between', async () => {
    // Wide letters after a few narrow ones, so the cut falls at different places in a W (the gap was
    // the rest of the name's box after the last whole letter: up to a W wide).
    const names = ['W'.repeat(60), `i${'W'.repeat(60)}`, `ii${'W'.repeat(60)}`, `iii${'W'.repeat(60)}`, LONG_NAME];
    const gaps: { name: string; afterName: number; afterFlows: number }[] = [];
    for (const name of names) {
      const sid = (await server.app.flows.create(server.account.sid, { friendlyName: name, status: 'published', definition: FLOW })).sid;
      await page.goto(`${server.baseUrl}/flows/${sid}/executions`);
      const crumb = page.getByRole('navigation', { name: 'Breadcrumb' });
      const link = crumb.getByRole('link', { name, exact: true });
      await link.waitFor();
      assert.ok(await link.evaluate((el) => el.scrollWidth > el.clientWidth), `${name} is cut`);
      // The blank stretches between what is drawn: "Flows", "/", the name and its "…" (as dots), "/".
      const blanks = await blankColumns(page, await crumb.screenshot());
      // The gap before the last "/" (after the "…"), and the one before the first (after "Flows").
      const afterFlows = blanks[0]!;
      const afterName = blanks.at(-1)!;
      gaps.push({ name, afterName, afterFlows });
    }
    // Drawn, a space and the glyphs' own margins: as after "Flows" give or take those of "…", and the same
    // wherever the cut falls (it was that plus the rest of the box, 8 to 17 px here).
    const said = gaps.map((gap) => `${gap.name.slice(0, 8)}…: ${gap.afterName} px (after "Flows" ${gap.afterFlows} px)`).join('; ');
    for (const gap of gaps) assert.ok(gap.afterName <= gap.afterFlows + 3, said);
    const after = gaps.map((gap) => gap.afterName);
    assert.ok(Math.max(...after) - Math.min(...after) <= 2, said);
    assert.deepEqual(browser.errors, []);
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
