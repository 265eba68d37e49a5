// Where executions stand, in Chromium: the executions list says how each ended (ran to the end, ended
// manually, an error with its code) and where each active one waits; an active execution's page opens
// its canvas on the widget it waits at, not on the Trigger; an execution deleted while its page is open
// is said to be gone (by its live stream, or when End finds it gone); and a failed read of the flow's
// revisions is said beside the Replay picker rather than leaving it quietly short.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { TestServer } from '../support/server.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';
import { closeSignedInConsole, noChromium, openSignedInConsole, until, type Browser } from './browser.ts';

const at = (x: number, y: number) => ({ offset: { x, y } });
const mode = (value: string, next: string) => ({
  event: 'match',
  next,
  conditions: [{ friendly_name: `If value equal_to ${value}`, arguments: ['{{flow.data.mode}}'], type: 'equal_to', value }],
});

/**
 * A REST start goes by `flow.data.mode`: `done` runs to the end, `loop` loops on one widget until the
 * step limit ends it (81001), anything else waits for a reply at `ask`, far below the Trigger.
 */
const MODES: FlowDefinition = {
  description: 'modes',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', properties: at(0, 0), transitions: [{ event: 'incomingMessage' }, { event: 'incomingCall' }, { event: 'incomingRequest', next: 'by_mode' }] },
    {
      name: 'by_mode',
      type: 'split-based-on',
      properties: { ...at(0, 250), input: '{{flow.data.mode}}' },
      transitions: [{ event: 'noMatch', next: 'ask' }, mode('done', 'done'), mode('loop', 'spin')],
    },
    { name: 'done', type: 'set-variables', properties: { ...at(-400, 550), variables: [{ key: 'v', value: '1' }] }, transitions: [{ event: 'next' }] },
    { name: 'spin', type: 'split-based-on', properties: { ...at(400, 550), input: 'x' }, transitions: [{ event: 'noMatch', next: 'spin' }] },
    {
      name: 'ask',
      type: 'send-and-wait-for-reply',
      properties: { ...at(2600, 2600), from: '{{flow.channel.address}}', body: 'Still there?', timeout: '3600' },
      transitions: [{ event: 'incomingMessage' }, { event: 'timeout' }, { event: 'deliveryFailure' }],
    },
  ],
} as unknown as FlowDefinition;

describe('web console: where executions stand (Chromium)', { skip: noChromium, timeout: 180_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let flowSid = '';
  let contacts = 0;

  const rest = (path: string, fields: Record<string, string> | null, method = 'POST') =>
    fetch(`${server.baseUrl}${path}`, {
      method,
      headers: { authorization: server.auth, 'content-type': 'application/x-www-form-urlencoded' },
      ...(fields ? { body: new URLSearchParams(fields) } : {}),
    });
  /** Starts an execution of the flow in `how` (see MODES); resolves with its sid once it has stopped moving. */
  const start = async (how: string): Promise<string> => {
    const res = await rest(`/v2/Flows/${flowSid}/Executions`, { To: `+1555666${String(++contacts).padStart(4, '0')}`, From: '+15005550006', Parameters: JSON.stringify({ mode: how }) });
    const body = await res.text();
    assert.equal(res.status, 201, body);
    await server.app.executions.idle();
    return (JSON.parse(body) as { sid: string }).sid;
  };
  const row = (sid: string) => page.locator('tbody tr', { has: page.locator(`a[href*="${sid}"]`) });

  before(async () => {
    ({ server, browser, page } = await openSignedInConsole());
    flowSid = (await server.app.flows.create(server.account.sid, { friendlyName: 'Modes', status: 'published', definition: MODES })).sid;
  });
  after(() => closeSignedInConsole({ server, browser }));

  it('lists how each execution ended and the widget each active one waits at', async () => {
    const completed = await start('done');
    const looped = await start('loop');
    const manual = await start('wait');
    assert.equal((await rest(`/v2/Flows/${flowSid}/Executions/${manual}`, { Status: 'ended' })).status, 200);
    const waiting = await start('wait');
    await page.goto(`${server.baseUrl}/flows/${flowSid}/executions`);
    const standing = (sid: string) => row(sid).getByTestId('standing');
    await standing(waiting).waitFor();
    assert.equal(await standing(completed).textContent(), 'completed');
    assert.equal(await standing(manual).textContent(), 'ended manually');
    assert.equal(await standing(looped).textContent(), 'error 81001');
    assert.match((await standing(looped).getAttribute('title')) ?? '', /^Ended by error 81001: Widget 'spin' ran more than \d+ times in a row/);
    assert.equal(await standing(waiting).textContent(), 'waiting at ask');
    // One request for the page, not one per execution.
    const summaryReads: string[] = [];
    const executionReads: string[] = [];
    const watch = (request: { url(): string }) => {
      if (request.url().includes('/ExecutionSummaries?')) summaryReads.push(request.url());
      if (/\/Executions\/FN\w+\/(EndReason|Steps|Context)/.test(request.url())) executionReads.push(request.url());
    };
    page.on('request', watch);
    try {
      await page.getByRole('button', { name: 'Refresh', exact: true }).click();
      await until('the list is read again with its standings', async () => summaryReads.length > 0);
      await page.waitForTimeout(300);
      assert.equal(summaryReads.length, 1);
      assert.deepEqual(executionReads, []);
    } finally {
      page.off('request', watch);
    }
  });

  it("opens an active execution's canvas on the widget it waits at, not on the Trigger", async () => {
    const sid = await start('wait');
    await page.goto(`${server.baseUrl}/flows/${flowSid}/executions/${sid}`);
    await page.getByTestId('execution-state').filter({ hasText: 'Waiting at ask' }).waitFor();
    const canvas = page.locator('.execution-canvas .react-flow');
    const node = page.locator('.react-flow__node[data-id="ask"]');
    await node.waitFor();
    const inside = async () => {
      const [box, area] = [await node.boundingBox(), await canvas.boundingBox()];
      return !!box && !!area && box.x >= area.x && box.y >= area.y && box.x + box.width <= area.x + area.width && box.y + box.height <= area.y + area.height;
    };
    await until('the waiting widget is on screen in the canvas', inside);
    // The widget is the one selected, so the canvas shows it as the one that matters.
    assert.match((await node.getAttribute('class')) ?? '', /selected/);
    // Ended while the page follows it: it waits nowhere now, and the widget is no longer the chosen one.
    assert.equal((await rest(`/v2/Flows/${flowSid}/Executions/${sid}`, { Status: 'ended' })).status, 200);
    await page.getByTestId('execution-state').filter({ hasText: 'Ended manually' }).waitFor();
    await until('the widget it waited at is no longer selected', async () => !/\bselected\b/.test((await node.getAttribute('class')) ?? ''));
  });

  it('says an execution deleted while its page is open is gone, and hides End', async () => {
    const sid = await start('wait');
    await page.goto(`${server.baseUrl}/flows/${flowSid}/executions/${sid}`);
    await page.getByTestId('execution-state').filter({ hasText: 'Waiting at ask' }).waitFor();
    assert.equal((await rest(`/v2/Flows/${flowSid}/Executions/${sid}`, null, 'DELETE')).status, 204);
    await page.getByTestId('execution-state').filter({ hasText: 'This execution no longer exists: it was deleted' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'End execution' }).count(), 0);
  });

  it('says so when End finds the execution deleted, rather than a raw 404', async () => {
    const sid = await start('wait');
    // No live stream: the page learns of the deletion only from End.
    await page.route('**/Executions/*/Events', (route) => route.abort());
    try {
      await page.goto(`${server.baseUrl}/flows/${flowSid}/executions/${sid}`);
      await page.getByTestId('execution-state').filter({ hasText: 'Waiting at ask' }).waitFor();
      assert.equal((await rest(`/v2/Flows/${flowSid}/Executions/${sid}`, null, 'DELETE')).status, 204);
      await page.getByRole('button', { name: 'End execution' }).click();
      await page.getByTestId('execution-state').filter({ hasText: 'This execution no longer exists' }).waitFor();
      assert.equal(await page.getByText('was not found (20404)').count(), 0);
      assert.equal(await page.getByRole('button', { name: 'End execution' }).count(), 0);
    } finally {
      await page.unroute('**/Executions/*/Events');
    }
  });

  it("says beside the Replay picker that the flow's revisions could not be read", async () => {
    const sid = await start('done');
    await page.route('**/Revisions?PageSize=200', (route) => route.fulfill({ status: 502, contentType: 'text/html', body: '<html><body>Bad Gateway</body></html>' }));
    try {
      await page.goto(`${server.baseUrl}/flows/${flowSid}/executions/${sid}`);
      const said = page.getByTestId('replay-revisions-error');
      await said.waitFor();
      const text = (await said.textContent()) ?? '';
      assert.match(text, /revisions could not be read/);
      assert.match(text, /The server answered 502 Bad Gateway/);
      assert.doesNotMatch(text, /<html>/);
    } finally {
      await page.unroute('**/Revisions?PageSize=200');
    }
  });
});
