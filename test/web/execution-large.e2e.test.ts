// The execution page in Chromium on a large execution, as a review found it on a real flow: a context
// with a 5,000-item array and a 65 KB string stays cheap until opened and then shows a page at a time;
// strings show their whitespace and cannot reorder themselves with bidi controls; opening a step pans
// the canvas to its widget; the header says where an active execution waits and how an ended one
// ended; the steps are one Tab stop. Then the executions list: Status on a phone, the way back keeping
// the list's filters, an execution asked for under the wrong flow.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { ensureConsoleBuilt } from '../../web/ensure-built.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { launchBrowser, noChromium, type Browser, signIn, until } from './browser.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';

const at = (x: number, y: number) => ({ offset: { x, y } });

/** The Trigger at the top left; the widgets it leads to far off, beyond the first screen. */
const FAR: FlowDefinition = {
  description: 'far',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', properties: at(0, 0), transitions: [{ event: 'incomingMessage' }, { event: 'incomingCall' }, { event: 'incomingRequest', next: 'far_vars' }] },
    { name: 'far_vars', type: 'set-variables', properties: { ...at(5200, 2600), variables: [{ key: 'k', value: 'v' }] }, transitions: [{ event: 'next', next: 'ask' }] },
    { name: 'ask', type: 'send-and-wait-for-reply', properties: { ...at(5200, 2900), from: '{{flow.channel.address}}', body: 'Q', timeout: '3600' }, transitions: [{ event: 'incomingMessage' }, { event: 'timeout' }, { event: 'deliveryFailure' }] },
  ],
} as unknown as FlowDefinition;

const ITEMS = 5000;
const BODY = 'word '.repeat(13_000).trim();
const PARAMETERS = {
  items: Array.from({ length: ITEMS }, (_, i) => ({ id: i, name: `item ${i}` })),
  body: BODY,
  reply: '\n\nline2\ttab',
  rtl: '\u202eRTL',
};

// Evaluated as strings, and through the elements' own documents: the tests type-check without the DOM library.
const elementCount = (page: Page) => page.evaluate<number>("document.querySelectorAll('*').length");
const activeText = (page: Page) => page.evaluate<string | undefined>('document.activeElement?.textContent');
const zoomOf = async (page: Page) => Number(/scale\(([\d.]+)\)/.exec((await page.locator('.react-flow__viewport').getAttribute('style')) ?? '')?.[1]);

describe('web console: a large execution (Chromium)', { skip: noChromium, timeout: 180_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let flowSid: string;
  let executionSid: string;

  const rest = (path: string, fields: Record<string, string> = {}) =>
    fetch(`${server.baseUrl}${path}`, { method: 'POST', headers: { authorization: server.auth, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) });

  before(async () => {
    await ensureConsoleBuilt();
    server = await startTestServer({ listen: true });
    browser = await launchBrowser();
    page = browser.page;
    page.setDefaultTimeout(15_000);
    await signIn(page, server.baseUrl, server.account);
    flowSid = (await server.app.flows.create(server.account.sid, { friendlyName: 'Far', status: 'published', definition: FAR })).sid;
    const started = await rest(`/v2/Flows/${flowSid}/Executions`, { To: '+15551230100', From: '+15005550006', Parameters: JSON.stringify(PARAMETERS) });
    assert.equal(started.status, 201, await started.clone().text());
    executionSid = ((await started.json()) as { sid: string }).sid;
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('draws a large context only as far as it is opened, a page of items and a cut string at a time', async () => {
    await page.goto(`${server.baseUrl}/flows/${flowSid}/executions/${executionSid}`);
    await page.getByRole('heading', { name: 'Steps (2)' }).waitFor();
    const context = page.locator('section[aria-labelledby="context-title"]');
    await context.locator('summary', { hasText: /^trigger / }).waitFor();
    // Closed nodes draw nothing under them: 5,000 items (and their fields) are not in the page.
    const closed = await elementCount(page);
    assert.ok(closed < 3000, `${closed} elements with the context closed`);

    const open = (name: string) => context.locator('summary', { has: page.locator('.json-key', { hasText: new RegExp(`^${name}$`) }) }).first().click();
    await open('request');
    await open('parameters');
    await open('items');
    const items = context.locator('summary', { has: page.locator('.json-key', { hasText: /^items$/ }) }).locator('xpath=../ul/li');
    await page.getByRole('button', { name: 'Show 100 more' }).waitFor();
    assert.equal(await items.count(), 101, 'the first 100 items and the "more" line');
    assert.match((await items.last().textContent()) ?? '', /of 4,900 not shown/);
    await page.getByRole('button', { name: 'Show 100 more' }).click();
    await items.nth(200).waitFor();
    assert.equal(await items.count(), 201);
    const opened = await elementCount(page);
    assert.ok(opened < 8000, `${opened} elements with 200 items shown`);

    // The 65 KB string is cut, its length said; all of it on request.
    const body = context.locator('li.json-leaf', { has: page.locator('.json-key', { hasText: /^body$/ }) }).locator('.json-string');
    const cut = (await body.textContent())!;
    assert.ok(cut.length < 1100, `the body shows ${cut.length} characters`);
    assert.ok(cut.endsWith('…"'), cut.slice(-20));
    const all = page.getByRole('button', { name: `Show all (${BODY.length.toLocaleString('en-US')} characters)` });
    await all.click();
    await all.waitFor({ state: 'detached' });
    assert.equal((await body.textContent())!.length, BODY.length + 2);
  });

  it('shows whitespace and invisible characters in strings, and keeps bidi controls from reordering them', async () => {
    const context = page.locator('section[aria-labelledby="context-title"]');
    const leaf = (name: string) => context.locator('li.json-leaf', { has: page.locator('.json-key', { hasText: new RegExp(`^${name}$`) }) }).locator('.json-string');
    const reply = leaf('reply');
    assert.equal(await reply.locator('.json-escape').count(), 3);
    assert.deepEqual(await reply.locator('.json-escape').allTextContents(), ['\\n\n', '\\n\n', '\\t']);
    // The line breaks still break: three lines (white-space: pre-wrap).
    assert.equal(await reply.evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).whiteSpace), 'pre-wrap');
    const lines = await reply.evaluate((el) => el.getClientRects().length);
    assert.ok(lines >= 3, `${lines} line boxes`);
    const rtl = leaf('rtl');
    const text = (await rtl.textContent())!;
    assert.equal(text, '"\\u202ERTL"');
    assert.equal(await rtl.locator('bdi').evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).unicodeBidi), 'isolate');
    // On screen the letters read R, T, L from left to right.
    const order = await rtl.locator('bdi').evaluate((el) => {
      const node = [...el.childNodes].find((n) => n.nodeType === 3 && n.textContent === 'RTL')!;
      return [0, 1, 2].map((i) => {
        const range = el.ownerDocument.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        return range.getBoundingClientRect().x;
      });
    });
    assert.ok(order[0]! < order[1]! && order[1]! < order[2]!, JSON.stringify(order));
  });

  it('says where the execution waits, and pans the canvas to the widget of the step opened, at the same zoom', async () => {
    const state = page.getByTestId('execution-state');
    assert.match((await state.textContent()) ?? '', /^Waiting at ask \(for a reply; timeout at about .+\)$/);
    await page.evaluate('window.scrollTo(0, 0)');
    const canvasBox = () => page.locator('.execution-canvas').boundingBox().then((box) => box!);
    let canvas = await canvasBox();
    // The canvas opens on the widget the execution waits at (ask, far from the Trigger): the Trigger is off screen.
    await page.locator('.react-flow__node[data-id="ask"].selected').waitFor();
    const node = page.locator('.react-flow__node[data-id="Trigger"]');
    await node.waitFor();
    const offScreen = async () => {
      const box = (await node.boundingBox())!;
      return box.x + box.width < canvas.x || box.y + box.height < canvas.y || box.x > canvas.x + canvas.width || box.y > canvas.y + canvas.height;
    };
    await until('the Trigger is off screen', offScreen);
    const zoom = await zoomOf(page);
    await page.locator('.timeline-item > details > summary').nth(0).click();
    const inside = async () => {
      // Opening the step may scroll the page: the canvas is measured with the widget.
      canvas = await canvasBox();
      const box = (await node.boundingBox())!;
      return box.x >= canvas.x && box.y >= canvas.y && box.x + box.width <= canvas.x + canvas.width && box.y + box.height <= canvas.y + canvas.height;
    };
    // Polled for (the canvas pans to the widget in its own time: slow on a busy machine), then checked with its boxes.
    await until('the Trigger is on screen', inside, 10_000).catch(() => undefined);
    assert.ok(await inside(), `the Trigger is on screen after its step was opened: ${JSON.stringify([canvas, await node.boundingBox()])}`);
    assert.equal(await zoomOf(page), zoom);
    assert.match((await node.getAttribute('class')) ?? '', /selected/);
    // The step's context is as cheap as the execution's.
    await page.locator('.timeline-item .json-tree').first().waitFor();
    assert.ok((await elementCount(page)) < 9000);
  });

  it('makes the steps one Tab stop, moved through with the arrow keys, and the canvas one skip away', async () => {
    // A second step so the list has something to move through; the timeline gets a third live.
    await page.reload();
    const summaries = page.locator('.timeline-item > details > summary');
    await summaries.nth(1).waitFor();
    await summaries.first().focus();
    await page.keyboard.press('ArrowDown');
    assert.equal(await summaries.nth(1).evaluate((el) => el === el.ownerDocument.activeElement), true);
    assert.deepEqual(await summaries.evaluateAll((els) => els.map((el) => el.getAttribute('tabindex'))), ['-1', '0']);
    // From the steps, Tab reaches the Replay selector in a few presses, past the canvas's widgets.
    let presses = 0;
    while (presses < 15) {
      await page.keyboard.press('Tab');
      presses++;
      if (await page.getByLabel('Revision to replay against').evaluate((el) => el === el.ownerDocument.activeElement)) break;
    }
    assert.ok(presses < 15, 'the Replay selector was not reached');
    // The canvas's "Skip the canvas" goes past it in one.
    await summaries.nth(1).focus();
    await page.keyboard.press('Tab');
    assert.equal(await activeText(page), 'Skip the canvas');
    await page.keyboard.press('Enter');
    assert.equal(await activeText(page), 'After the canvas');
  });

  it('says an execution ended by the API was ended manually', async () => {
    assert.equal((await rest(`/v2/Flows/${flowSid}/Executions/${executionSid}`, { Status: 'ended' })).status, 200);
    await page.reload();
    const state = page.getByTestId('execution-state');
    await state.waitFor();
    assert.equal(((await state.textContent()) ?? '').trim(), 'Ended manually');
  });

  it('keeps the list filters on the way back, shows Status on a phone, and says an execution is not the flow’s', async () => {
    await page.goto(`${server.baseUrl}/flows/${flowSid}/executions?status=ended`);
    const link = page.locator(`a[href^="/flows/${flowSid}/executions/${executionSid}"]`);
    await link.click();
    await page.waitForURL(/status=ended/);
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Executions' }).click();
    await page.waitForURL((url) => url.pathname === `/flows/${flowSid}/executions` && url.searchParams.get('status') === 'ended');
    assert.equal(await page.getByLabel('Status').inputValue(), 'ended');

    await page.setViewportSize({ width: 390, height: 800 });
    try {
      const row = page.locator('table tbody tr').first();
      await row.waitFor();
      const badge = (await row.locator('.status').boundingBox())!;
      assert.ok(badge.x >= 0 && badge.x + badge.width <= 390, `the status is at ${badge.x}–${badge.x + badge.width}`);
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }

    const other = (await server.app.flows.create(server.account.sid, { friendlyName: 'Other flow', status: 'published', definition: FAR })).sid;
    await page.goto(`${server.baseUrl}/flows/${other}/executions/${executionSid}`);
    const problem = page.getByRole('heading', { name: 'Execution not found' });
    await problem.waitFor();
    const text = (await page.locator('main').textContent()) ?? '';
    assert.match(text, /There is no execution FN\w+ in the flow Other flow\. It may belong to another flow/);
    assert.doesNotMatch(text, /in this account/);
    // A 404 is an expected answer here, not an app error.
    browser.errors.splice(0);
  });

  it('logged no console errors', () => {
    assert.deepEqual(browser.errors, []);
  });
});
