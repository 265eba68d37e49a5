// The console in a phone's window (390 px) and a wide one (1440 px), with the long names real flows have:
// no page scrolls sideways. A table scrolls in its own box, but the visually hidden caption or header
// inside it (position: absolute, placed by the page) made the whole page as wide as the table; a commit
// message with no spaces (a branch name, a slug) kept its column as wide as the message; and in the
// editor, a flow name cut at 40 characters and a "Go to" list as wide as its longest widget name reached
// past a phone's window. The flow list's actions went one per line below 1200 px (each flow four lines
// tall), and on a phone they were out of its window.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import type { TestServer } from '../support/server.ts';
import { triggerFlow } from '../support/flows.ts';
import { closeSignedInConsole, noChromium, openSignedInConsole, until, type Browser } from './browser.ts';

/** An imported flow's name as the CLI gives it (the file's name), and widget names as long as real ones. */
const LONG_NAME = 'techmatters__flex-plugins__twilio-iac_helplines_usnm_templates_studio-flows_voice.tftpl';
const LONG_WIDGET = 'send_to_the_counsellor_queue_with_the_language_and_the_helpline_attributes';
const FLOW = triggerFlow('widths', 'incomingMessage', LONG_WIDGET, [
  {
    name: LONG_WIDGET,
    type: 'send-message',
    properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'Hello' },
    transitions: [{ event: 'sent' }, { event: 'failed' }],
  },
]);
/** A commit message with nowhere to break a line: a branch name. */
const SLUG = 'feature_reword_the_greeting_and_move_the_whole_ordering_branch_under_the_new_opening_hours_split_for_everyone_then_ask_for_the_language_first_and_route_spanish_callers_to_the_bilingual_queue_before_the_menu';

const WIDTHS = [390, 1440];

describe('web console at 390 and 1440 px (Chromium)', { skip: noChromium, timeout: 120_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let flowSid: string;

  before(async () => {
    ({ server, browser, page } = await openSignedInConsole());
    flowSid = (await server.app.flows.create(server.account.sid, { friendlyName: LONG_NAME, status: 'published', definition: FLOW })).sid;
    await server.app.flows.update(server.account.sid, flowSid, { definition: FLOW, status: 'published', commitMessage: SLUG });
  });

  after(() => closeSignedInConsole({ server, browser }));

  /** How far the page scrolls sideways, and what reaches past the window's right edge. */
  const sideways = (): Promise<{ overflow: number; past: string[] }> =>
    page.evaluate(`(() => {
      const width = document.documentElement.clientWidth;
      const past = [...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > width + 0.5 && !el.closest('.react-flow__viewport, .table-wrap'))
        .map((el) => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : '') + ' to x=' + Math.round(el.getBoundingClientRect().right));
      return { overflow: document.documentElement.scrollWidth - width, past: past.slice(0, 6) };
    })()`);

  const assertNoSideways = async (where: string) => {
    const { overflow, past } = await sideways();
    assert.ok(overflow <= 0, `${where}: the page scrolls sideways by ${overflow} px (${past.join(', ') || 'nothing drawn past the edge'})`);
  };

  const within = async (what: string, locator: Locator, width: number) => {
    const box = (await locator.boundingBox())!;
    assert.ok(box.x >= 0 && box.x + box.width <= width + 0.5, `${what} spans x=${Math.round(box.x)}–${Math.round(box.x + box.width)} in a ${width} px window`);
  };

  for (const width of WIDTHS) {
    it(`at ${width} px, the flow list does not scroll sideways (its table scrolls in its box)`, async () => {
      await page.setViewportSize({ width, height: 860 });
      await page.goto(`${server.baseUrl}/flows`);
      await page.getByRole('row').filter({ hasText: 'techmatters' }).waitFor();
      await assertNoSideways('the flow list');
    });

    it(`at ${width} px, the revisions wrap a commit message with no spaces in its column`, async () => {
      await page.setViewportSize({ width, height: 860 });
      await page.goto(`${server.baseUrl}/flows/${flowSid}/revisions`);
      const cell = page.getByRole('cell', { name: SLUG });
      await cell.waitFor();
      await assertNoSideways('the revisions');
      const overflow = await page.locator('.table-wrap').evaluate((wrap) => wrap.scrollWidth - wrap.clientWidth);
      assert.ok(overflow <= 0, `the revisions table is ${overflow} px wider than its box`);
      await within('Restore as draft', page.getByRole('button', { name: 'Restore as draft (revision 2)' }), width);
    });

    it(`at ${width} px, the editor keeps a long flow name and the "Go to" list of long widget names in the window`, async () => {
      await page.setViewportSize({ width, height: 860 });
      await page.goto(`${server.baseUrl}/flows/${flowSid}`);
      await page.locator('.react-flow__node').first().waitFor();
      await assertNoSideways('the editor');
      await within('the flow name', page.getByRole('heading', { level: 1 }), width);
      await within('"Go to"', page.getByLabel('Go to widget'), width);
      // The list narrows, not its label: "Go to" stays on one line.
      const label = page.locator('.editor-toolbar .field-label', { hasText: 'Go to' });
      const lines = await label.evaluate((el) => {
        const words = el.ownerDocument.createRange();
        words.selectNodeContents(el);
        return new Set([...words.getClientRects()].map((rect) => Math.round(rect.top))).size;
      });
      assert.equal(lines, 1, `"Go to" takes ${lines} lines`);
      // Still cut with "…" on one line, the whole name in its title.
      const heading = page.getByRole('heading', { level: 1 });
      assert.equal(await heading.getAttribute('title'), LONG_NAME);
      assert.ok((await heading.boundingBox())!.height < 40, 'the flow name is one line');
    });
  }

  // Between the phone layout (no SID column below 700 px) and a wide window: SIDs wrapped over four lines at 700-900 px,
  // and cut on one line, at 14 characters they left the table wider than its box beside a long name.
  for (const width of [720, 800, 900, 1024, 1200, 1440]) {
    it(`at ${width} px, the flow list fits its box and shows each SID on one line (cut with "…" where narrow), the whole SID in its title and text`, async () => {
      await page.setViewportSize({ width, height: 860 });
      await page.goto(`${server.baseUrl}/flows`);
      const row = page.getByRole('row').filter({ hasText: 'techmatters' });
      await row.waitFor();
      await assertNoSideways('the flow list');
      const overflow = await page.locator('.table-wrap').evaluate((wrap) => wrap.scrollWidth - wrap.clientWidth);
      assert.ok(overflow <= 0, `the table is ${overflow} px wider than its box`);
      const sid = row.locator('code.sid');
      const shown = await sid.evaluate((el) => {
        const range = el.ownerDocument.createRange();
        range.selectNodeContents(el);
        return { lines: new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size, text: el.textContent, title: el.getAttribute('title') };
      });
      assert.equal(shown.lines, 1, `the SID takes ${shown.lines} lines`);
      // Cut only on screen: copying or selecting it still gives the whole SID.
      assert.equal(shown.text, flowSid);
      assert.equal(shown.title, flowSid);
      // Its actions two by two, not one per line: each flow was four lines tall below 1200 px.
      const height = (await row.boundingBox())!.height;
      assert.ok(height < 70, `the row is ${Math.round(height)} px tall`);
    });
  }

  it('at 390 px, the flow list fits its box: name, status and every action of a flow in the window', async () => {
    await page.setViewportSize({ width: 390, height: 860 });
    await page.goto(`${server.baseUrl}/flows`);
    const row = page.getByRole('row').filter({ hasText: 'techmatters' });
    await row.waitFor();
    const overflow = await page.locator('.table-wrap').evaluate((wrap) => wrap.scrollWidth - wrap.clientWidth);
    assert.ok(overflow <= 0, `the table is ${overflow} px wider than its box`);
    for (const action of [row.getByRole('link', { name: 'Executions' }), row.getByRole('link', { name: 'Revisions' }), row.getByRole('button', { name: /^Export / }), row.getByRole('button', { name: /^Delete / })]) {
      await within('an action', action, 390);
    }
  });

  it('in an 800x600 window, the header leaves room for the canvas and a selected widget says its properties are below', async () => {
    await page.setViewportSize({ width: 800, height: 600 });
    await page.goto(`${server.baseUrl}/flows/${flowSid}`);
    const widget = page.locator(`.react-flow__node[data-id="${LONG_WIDGET}"]`);
    await widget.waitFor();
    // The top bar, the editor's header and its toolbar took some 260 px of the 600: the commit message sat under its
    // label on a line of its own, and "Go to" on a second toolbar row.
    const canvasTop = (await page.locator('.canvas-box').boundingBox())!.y;
    assert.ok(canvasTop <= 200, `the canvas starts ${Math.round(canvasTop)} px down`);
    const hint = page.getByRole('button', { name: `Properties of ${LONG_WIDGET} below` });
    assert.equal(await hint.count(), 0, 'no hint with no widget selected');
    await widget.click();
    await hint.waitFor();
    await within('the hint', hint, 800);
    const hintBox = (await hint.boundingBox())!;
    assert.ok(hintBox.y + hintBox.height <= 600, 'the hint is in the window');
    await hint.click();
    const name = page.getByRole('form', { name: `Properties of ${LONG_WIDGET}` }).getByLabel('Widget name');
    await until('the widget name has focus', () => name.evaluate((el) => el === el.ownerDocument.activeElement));
    const nameBox = (await name.boundingBox())!;
    assert.ok(nameBox.y >= 0 && nameBox.y + nameBox.height <= 600, `the properties are in view (name at y=${Math.round(nameBox.y)})`);
    await hint.waitFor({ state: 'detached' });
  });

  it('in a wide window, where the properties are beside the canvas, shows no hint', async () => {
    await page.setViewportSize({ width: 1440, height: 860 });
    await page.goto(`${server.baseUrl}/flows/${flowSid}`);
    const widget = page.locator(`.react-flow__node[data-id="${LONG_WIDGET}"]`);
    await widget.click();
    await page.getByRole('form', { name: `Properties of ${LONG_WIDGET}` }).waitFor();
    await page.waitForTimeout(300);
    assert.equal(await page.getByRole('button', { name: /^Properties of .* below$/ }).count(), 0);
  });

  it('logged no console errors', () => {
    assert.deepEqual(browser.errors, []);
  });
});
