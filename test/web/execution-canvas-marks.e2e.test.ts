// How an execution's canvas marks its widgets and connections, in Chromium. The widget of the step chosen
// in the timeline was selected but looked as every other widget on the path: the path's green ring (and
// the waiting widget's amber one) was drawn over the selection's. And the path taken marched on for good,
// prefers-reduced-motion or not.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { TestServer } from '../support/server.ts';
import { askWidget, triggerFlow } from '../support/flows.ts';
import { closeSignedInConsole, noChromium, openSignedInConsole, until, type Browser } from './browser.ts';

// Trigger → greet → ask (waits for a reply).
const FLOW = triggerFlow('marks', 'incomingRequest', 'greet', [
  { name: 'greet', type: 'set-variables', properties: { offset: { x: 0, y: 200 }, variables: [{ key: 'v', value: '1' }] }, transitions: [{ event: 'next', next: 'ask' }] },
  askWidget('ask', 400, 'Still there?', '3600'),
]);

describe("web console: an execution's canvas marks (Chromium)", { skip: noChromium, timeout: 120_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let flowSid = '';
  let executionSid = '';

  const widget = (name: string) => page.locator(`.widget-node[data-widget="${name}"]`);
  const shadow = (name: string) => widget(name).evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).boxShadow);
  // The console's --primary, the selection's colour.
  const PRIMARY = 'rgb(35, 58, 139)';

  before(async () => {
    ({ server, browser, page } = await openSignedInConsole());
    flowSid = (await server.app.flows.create(server.account.sid, { friendlyName: 'Marks', status: 'published', definition: FLOW })).sid;
    const res = await fetch(`${server.baseUrl}/v2/Flows/${flowSid}/Executions`, {
      method: 'POST',
      headers: { authorization: server.auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ To: '+15556660001', From: '+15005550006' }),
    });
    const body = await res.text();
    assert.equal(res.status, 201, body);
    executionSid = (JSON.parse(body) as { sid: string }).sid;
    await server.app.executions.idle();
  });
  after(() => closeSignedInConsole({ server, browser }));

  const openExecution = async () => {
    await page.goto(`${server.baseUrl}/flows/${flowSid}/executions/${executionSid}`);
    await page.locator('.timeline-item summary').nth(1).waitFor();
  };

  it("draws the chosen step's widget apart from the rest of the path, and the waiting widget when chosen", async () => {
    await openExecution();
    await until('the path is drawn', async () => (await widget('greet').getAttribute('class'))?.includes('is-visited') ?? false);
    const unselected = await shadow('greet');
    assert.ok(!unselected.includes(PRIMARY), `an unchosen widget on the path has no selection ring: ${unselected}`);
    // Step 2 leaves greet.
    await page.locator('.timeline-item summary').nth(1).click();
    await until('greet is selected', async () => (await widget('greet').getAttribute('class'))?.includes('is-selected') ?? false);
    const selected = await shadow('greet');
    assert.ok(selected.includes(PRIMARY), `the chosen widget shows the selection: ${selected}`);
    assert.notEqual(selected, await shadow('Trigger'), 'the chosen widget looks unlike another widget on the path');
    // The widget the execution waits at, chosen on the canvas: its amber ring and the selection's.
    const waiting = await shadow('ask');
    await widget('ask').click();
    await until('ask is selected', async () => (await widget('ask').getAttribute('class'))?.includes('is-selected') ?? false);
    const chosen = await shadow('ask');
    assert.ok(chosen.includes(PRIMARY) && chosen !== waiting, `the waiting widget, chosen, shows the selection: ${chosen}`);
    assert.ok(chosen.includes('rgb(168, 116, 0)'), `and still its waiting ring: ${chosen}`);
  });

  it('keeps the path taken still when the reader asks for reduced motion, marching otherwise', async () => {
    const takenPath = page.locator('.react-flow__edge.edge-taken path.react-flow__edge-path').first();
    const look = () => takenPath.evaluate((el) => ({ animation: el.ownerDocument.defaultView!.getComputedStyle(el).animationName, dashes: el.ownerDocument.defaultView!.getComputedStyle(el).strokeDasharray }));
    await page.emulateMedia({ reducedMotion: 'no-preference' });
    await openExecution();
    await takenPath.waitFor();
    assert.equal((await look()).animation, 'dashdraw');
    await page.emulateMedia({ reducedMotion: 'reduce' });
    try {
      assert.deepEqual(await look(), { animation: 'none', dashes: 'none' });
    } finally {
      await page.emulateMedia({ reducedMotion: null });
    }
  });
});
