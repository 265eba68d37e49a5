// Where an execution's canvas opens, in Chromium. An ended execution's opened on the Trigger, top-left,
// however far from it the path went; an active one opens on the widget it waits at. Now an ended one
// opens on where it stopped: its last widget is on screen, not chosen.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { TestServer } from '../support/server.ts';
import { triggerFlow } from '../support/flows.ts';
import { closeSignedInConsole, noChromium, openSignedInConsole, until, type Browser } from './browser.ts';

// Trigger → greet → far (far off, down and right), where it ends.
const FLOW = triggerFlow('far path', 'incomingRequest', 'greet', [
  { name: 'greet', type: 'set-variables', properties: { offset: { x: 0, y: 250 }, variables: [{ key: 'v', value: '1' }] }, transitions: [{ event: 'next', next: 'far' }] },
  { name: 'far', type: 'set-variables', properties: { offset: { x: 2400, y: 3000 }, variables: [{ key: 'w', value: '2' }] }, transitions: [{ event: 'next' }] },
]);

describe("web console: where an execution's canvas opens (Chromium)", { skip: noChromium, timeout: 120_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let flowSid = '';
  let executionSid = '';

  before(async () => {
    ({ server, browser, page } = await openSignedInConsole());
    flowSid = (await server.app.flows.create(server.account.sid, { friendlyName: 'Far path', status: 'published', definition: FLOW })).sid;
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

  it('opens an ended execution on the widget where it stopped, without choosing it', async () => {
    await page.goto(`${server.baseUrl}/flows/${flowSid}/executions/${executionSid}`);
    await page.getByText('ended', { exact: true }).first().waitFor();
    const far = page.locator('.widget-node[data-widget="far"]');
    await far.waitFor();
    const canvas = page.getByTestId('canvas');
    let shown = '';
    await until(
      'the last widget is on screen',
      async () => {
        const [box, widget] = await Promise.all([canvas.boundingBox(), far.boundingBox()]);
        shown = JSON.stringify({ box, widget });
        return !!box && !!widget && widget.x >= box.x && widget.y >= box.y && widget.x + widget.width <= box.x + box.width && widget.y + widget.height <= box.y + box.height;
      },
      3000,
    ).catch(() => assert.fail(`the widget where it stopped is not on screen: ${shown}`));
    assert.ok(!(await far.getAttribute('class'))?.includes('is-selected'), 'it is shown, not chosen');
  });
});
