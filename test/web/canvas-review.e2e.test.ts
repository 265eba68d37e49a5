// The canvas as a review with real flows found it (Chromium): Tab met every connection before the first
// widget, and a connection focused off-screen stayed there; connection labels hid under widgets (the
// Trigger's first one most often), and the Trigger's line to a widget below and left of it ran under the
// Trigger, showing only a hook at its event and a line out of its bottom; every Trigger showed
// "incomingConversationMes…"; the minimap had no frame and covered a third of an execution's canvas;
// two split conditions leading to one widget both lit up though only one can match; checkboxes sat far
// from their names and fields with a fixed set of values were free text.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import type { TestServer } from '../support/server.ts';
import { closeSignedInConsole, noChromium, openSignedInConsole, until, type Browser } from './browser.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';

const at = (x: number, y: number) => ({ offset: { x, y } });
const flow = (states: unknown[], initial = 'Trigger') => ({ description: 'canvas review', initial_state: initial, flags: { allow_concurrent_calls: true }, states }) as unknown as FlowDefinition;

/** ask's timeout leads far to the right, its label off the first screen; far leads back to done. */
const KEYS = flow([
  { name: 'Trigger', type: 'trigger', properties: at(0, 0), transitions: [{ event: 'incomingMessage', next: 'ask' }, { event: 'incomingCall' }, { event: 'incomingRequest' }] },
  { name: 'ask', type: 'send-and-wait-for-reply', properties: { ...at(0, 250), from: '{{flow.channel.address}}', body: 'Q', timeout: '3600' }, transitions: [{ event: 'incomingMessage', next: 'done' }, { event: 'timeout', next: 'far' }, { event: 'deliveryFailure' }] },
  { name: 'done', type: 'set-variables', properties: { ...at(0, 550), variables: [{ key: 'a', value: '1' }] }, transitions: [{ event: 'next' }] },
  { name: 'far', type: 'say-play', properties: { ...at(3000, 250), say: 'Hi' }, transitions: [{ event: 'audioComplete', next: 'done' }] },
]);

/** Candybot's Trigger, a few pixels above the widget it leads to (its events listed down its right edge). */
const CLOSE = flow([
  { name: 'Trigger', type: 'trigger', properties: at(290, -1080), transitions: [{ event: 'incomingMessage', next: 'choose' }, { event: 'incomingCall' }, { event: 'incomingRequest' }] },
  { name: 'choose', type: 'set-variables', properties: { ...at(180, -920), variables: [{ key: 'a', value: '1' }] }, transitions: [{ event: 'next', next: 'welcome' }] },
  { name: 'welcome', type: 'set-variables', properties: { ...at(240, -680), variables: [{ key: 'b', value: '2' }] }, transitions: [{ event: 'next' }] },
]);

/** CSAT's first widgets: the Trigger's line goes out right and back under it to the split below-left; two conditions, one widget. */
const CSAT = flow([
  { name: 'Trigger', type: 'trigger', properties: at(-1350, -1150), transitions: [{ event: 'incomingMessage', next: 'direct_sms' }, { event: 'incomingCall' }, { event: 'incomingRequest', next: 'direct_sms' }] },
  {
    name: 'direct_sms',
    type: 'split-based-on',
    properties: { ...at(-1720, -790), input: '{{flow.data.msg}}' },
    transitions: [
      { event: 'noMatch' },
      { event: 'match', next: 'set_job_id', conditions: [{ friendly_name: 'If value contains Feedback job', arguments: ['{{flow.data.msg}}'], type: 'contains', value: 'Feedback job' }] },
      { event: 'match', next: 'set_job_id', conditions: [{ friendly_name: 'If value contains feedback job', arguments: ['{{flow.data.msg}}'], type: 'contains', value: 'feedback job' }] },
    ],
  },
  { name: 'set_job_id', type: 'set-variables', properties: { ...at(-1000, -400), variables: [{ key: 'job', value: '1' }] }, transitions: [{ event: 'next' }] },
]);

/** A call widget: two checkboxes, three fields Studio takes a fixed set of values for, one holding Liquid from an import. */
const CALL = flow([
  { name: 'Trigger', type: 'trigger', properties: at(0, 0), transitions: [{ event: 'incomingMessage' }, { event: 'incomingCall' }, { event: 'incomingRequest', next: 'call' }] },
  {
    name: 'call',
    type: 'make-outgoing-call-v2',
    properties: { ...at(0, 250), to: '{{contact.channel.address}}', from: '{{flow.channel.address}}', record: false, detect_answering_machine: true, trim: '{{flow.data.trim}}', recording_channels: 'dual' },
    transitions: [{ event: 'answered' }, { event: 'busy' }, { event: 'noAnswer' }, { event: 'failed' }],
  },
]);

const FOODNOW = fileURLToPath(new URL('../../../shared/flows/mgmuscari__accfb-foodnow__studio_bot_flow.json', import.meta.url));

describe('the canvas, as reviewed with real flows (Chromium)', { skip: noChromium, timeout: 180_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  const create = async (name: string, definition: FlowDefinition) => (await server.app.flows.create(server.account.sid, { friendlyName: name, status: 'published', definition })).sid;
  const open = async (sid: string) => {
    await page.goto(`${server.baseUrl}/flows/${sid}`);
    await page.locator('.react-flow__edge').first().waitFor({ state: 'attached' });
    // Labels are drawn once React Flow has measured the widgets.
    await until('every label is drawn', () => page.locator('.react-flow__edge-textwrapper[visibility="hidden"]').count().then((n) => n === 0));
  };
  /** What has focus: a widget's or connection's data-id, else the element's name. */
  const focused = () =>
    page.evaluate<string>("(() => { const e = document.activeElement; return e?.getAttribute('data-id') ?? e?.getAttribute('aria-label') ?? e?.textContent?.trim() ?? ''; })()");
  /** The boxes of what `selector` finds (inside each, `inner`'s), with their data-id. */
  const boxes = (selector: string, inner?: string) =>
    page.locator(selector).evaluateAll(
      (elements, inner) =>
        elements.flatMap((element) => {
          const target = inner ? element.querySelector(inner) : element;
          if (!target) return [];
          const b = target.getBoundingClientRect();
          return [{ id: element.getAttribute('data-id'), left: b.left, top: b.top, right: b.right, bottom: b.bottom }];
        }),
      inner,
    );
  /** Labels that meet a widget, as "edge id × widget". */
  const labelsUnderWidgets = async () => {
    const widgets = await boxes('.react-flow__node');
    const labels = await boxes('.react-flow__edge', '.react-flow__edge-textwrapper');
    return labels.flatMap((label) =>
      widgets.filter((w) => label.left < w.right && w.left < label.right && label.top < w.bottom && w.top < label.bottom).map((w) => `${label.id} × ${w.id}`),
    );
  };

  before(async () => {
    // Real flows may carry findings: they are saved as drafts, as an import of them would be.
    ({ server, browser, page } = await openSignedInConsole({ server: { config: { invalidDefinitions: 'save-as-draft' } } }));
  });

  after(() => closeSignedInConsole({ server, browser }));

  it('Tabs widget by widget, each followed by its own connections, and brings a connection focused off-screen into view', async () => {
    await open(await create('Keys', KEYS));
    await page.getByRole('button', { name: 'Skip the canvas' }).focus();
    const order: string[] = [];
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      const now = await focused();
      order.push(now);
      if (now === 'ask#1') {
        // The timeout connection's label is far to the right: focusing it pans the canvas to it.
        const label = page.locator('.react-flow__edge[data-id="ask#1"] .react-flow__edge-textwrapper');
        const canvas = (await page.locator('.react-flow').boundingBox())!;
        await until('the focused connection’s label is on screen', async () => {
          const box = await label.boundingBox();
          return !!box && box.x >= canvas.x && box.y >= canvas.y && box.x + box.width <= canvas.x + canvas.width && box.y + box.height <= canvas.y + canvas.height;
        });
      }
      if (now === 'Zoom In') break;
    }
    assert.deepEqual(order, ['Trigger', 'Trigger#0', 'ask', 'ask#0', 'ask#1', 'done', 'far', 'far#0', 'Zoom In']);
    // Back into the canvas from the zoom buttons: the last connection, then its widget.
    await page.keyboard.press('Shift+Tab');
    assert.equal(await focused(), 'far#0');
    await page.keyboard.press('Shift+Tab');
    assert.equal(await focused(), 'far');
    // A connection reached so still deletes with the Delete key once selected with Enter.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Delete');
    await page.locator('.react-flow__edge[data-id="far#0"]').waitFor({ state: 'detached' });
  });

  it('keeps every connection label clear of the widgets, the Trigger’s first one included', async () => {
    for (const [name, definition] of [['Close', CLOSE], ['CSAT start', CSAT]] as const) {
      await open(await create(name, definition));
      assert.deepEqual(await labelsUnderWidgets(), [], name);
      assert.equal(await page.locator('.react-flow__edge[data-id="Trigger#0"] .react-flow__edge-text').textContent(), 'incomingMessage');
    }
  });

  it('draws the Trigger’s line to a widget below and left of it round the Trigger’s side, not under it', async () => {
    /** How many of 100 points along a connection's drawn line fall inside a widget's box (on screen). */
    const pointsUnder = (edge: string, widget: string) =>
      page.evaluate<number>(`(() => {
        const line = document.querySelector(${JSON.stringify(`.react-flow__edge[data-id="${edge}"] path.react-flow__edge-path`)});
        const box = document.querySelector(${JSON.stringify(`.react-flow__node[data-id="${widget}"]`)}).getBoundingClientRect();
        const matrix = line.getScreenCTM();
        const length = line.getTotalLength();
        let under = 0;
        for (let i = 1; i < 100; i++) {
          const at = line.getPointAtLength((length * i) / 100);
          const p = new DOMPoint(at.x, at.y).matrixTransform(matrix);
          if (p.x > box.left + 1 && p.x < box.right - 1 && p.y > box.top + 1 && p.y < box.bottom - 1) under++;
        }
        return under;
      })()`);
    // The pizza order's Trigger, its first widget 45 px below it and to the left; CSAT's far below and left.
    const PIZZA = flow([
      { name: 'Trigger', type: 'trigger', properties: at(0, 0), transitions: [{ event: 'incomingMessage', next: 'ask' }, { event: 'incomingCall' }, { event: 'incomingRequest' }] },
      { name: 'ask', type: 'send-and-wait-for-reply', properties: { ...at(-200, 200), from: '{{flow.channel.address}}', body: 'Q', timeout: '3600' }, transitions: [{ event: 'incomingMessage' }, { event: 'timeout' }, { event: 'deliveryFailure' }] },
    ]);
    for (const [name, definition] of [['Pizza start', PIZZA], ['CSAT start', CSAT]] as const) {
      await open(await create(name, definition));
      assert.equal(await pointsUnder('Trigger#0', 'Trigger'), 0, `${name}: the incomingMessage line runs under the Trigger`);
      assert.deepEqual(await labelsUnderWidgets(), [], name);
    }
  });

  it('shows the Trigger’s event names whole', async () => {
    await open(await create('Trigger events', CLOSE));
    const shown = await page.locator('.react-flow__node[data-id="Trigger"] .event-label').evaluateAll((labels) =>
      labels.map((label) => `${label.textContent}${label.scrollWidth > label.clientWidth + 1 ? ' (cut)' : ''}`),
    );
    assert.deepEqual(shown, ['incomingMessage', 'incomingCall', 'incomingRequest', 'incomingConversationMessage', 'incomingParent']);
  });

  it('keeps the labels of a large real flow clear of its widgets', { skip: existsSync(FOODNOW) ? false : 'the shared real flows are not here' }, async () => {
    await open(await create('FoodNow', JSON.parse(readFileSync(FOODNOW, 'utf8')) as FlowDefinition));
    assert.ok((await page.locator('.react-flow__edge-textwrapper').count()) > 150);
    assert.deepEqual(await labelsUnderWidgets(), []);
  });

  it('frames the minimap and sizes it to the canvas; an execution’s small canvas has none', async () => {
    const sid = await create('Minimap', CSAT);
    await open(sid);
    const minimap = page.locator('.react-flow__minimap');
    const canvas = (await page.locator('.react-flow').boundingBox())!;
    const box = (await minimap.boundingBox())!;
    assert.ok(box.width <= canvas.width / 5, `at most a fifth of the canvas wide: ${box.width} of ${canvas.width}`);
    const frame = await minimap.evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).borderTopWidth);
    assert.ok(parseFloat(frame) >= 1, `framed: border ${frame}`);

    const started = await fetch(`${server.baseUrl}/v2/Flows/${sid}/Executions`, {
      method: 'POST',
      headers: { authorization: server.auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ To: '+15551230100', From: '+15005550006', Parameters: JSON.stringify({ msg: 'Feedback job 42' }) }),
    });
    assert.equal(started.status, 201, await started.clone().text());
    const execution = ((await started.json()) as { sid: string }).sid;
    await page.goto(`${server.baseUrl}/flows/${sid}/executions/${execution}`);
    // The split's first condition matched; the second, to the same widget, cannot have (contains ignores case).
    await page.locator('.react-flow__edge[data-id="direct_sms#1"].edge-taken').waitFor({ state: 'attached' });
    assert.doesNotMatch((await page.locator('.react-flow__edge[data-id="direct_sms#2"]').getAttribute('class')) ?? '', /edge-taken/);
    assert.equal(await page.locator('.react-flow__minimap').count(), 0, 'no minimap on the execution’s canvas');
  });

  it('puts a checkbox beside its name and offers the values a field takes, keeping an imported one', async () => {
    await open(await create('Call', CALL));
    await page.locator('.react-flow__node[data-id="call"]').click();
    const form = page.getByRole('form', { name: 'Properties of call' });
    const record = form.getByRole('checkbox', { name: 'record' });
    const box = (await record.boundingBox())!;
    const name = (await form.locator('[data-property="record"] label').boundingBox())!;
    assert.ok(Math.abs(box.y + box.height / 2 - (name.y + name.height / 2)) < 6, 'on the line of its name');
    assert.ok(name.x - (box.x + box.width) < 16 && name.x > box.x, `just before its name: box ${JSON.stringify(box)}, name ${JSON.stringify(name)}`);

    const trim = form.getByRole('combobox', { name: 'trim' });
    assert.equal(await trim.inputValue(), '{{flow.data.trim}}', 'the imported value stays');
    assert.deepEqual(await trim.locator('option').evaluateAll((options) => options.map((o) => o.getAttribute('value'))), ['', 'trim-silence', 'do-not-trim', '{{flow.data.trim}}']);
    await trim.selectOption('trim-silence');
    await page.getByText('unsaved changes').waitFor();
    assert.equal(await trim.inputValue(), 'trim-silence');

    const detection = form.getByRole('combobox', { name: 'machine_detection' });
    assert.equal(await detection.inputValue(), '');
    assert.equal(await detection.locator('option:checked').textContent(), '— (default: Enable)');
    assert.equal(await form.getByRole('combobox', { name: 'recording_channels' }).inputValue(), 'dual');
  });

  it('logged no console errors', () => {
    assert.deepEqual(browser.errors, []);
  });
});
