// The console in Chromium on what a reviewer found: a widget that loops back to itself, Back,
// Forward and Sign out with unsaved edits, the import dialog listing the validator's findings, the
// execution page after "End execution" and the path it highlights, the simulator on a flow never
// published, where a wide flow opens, lists whose filters and page live in the URL, deleting the
// last flow of a later page, an emptied required field, and the revisions table in a phone-sized window.
// Then a second review: long split conditions in the panel, typing on a big flow, an execution's
// alerts, subflow steps, publishing from the header, warnings, edges of many-event widgets, undo of
// typing, pages that cannot be shown, confirmations, a flow of one revision (nothing to compare, nothing read), and a
// token rotated mid-session (kept last).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { ensureConsoleBuilt } from '../../web/ensure-built.ts';
import { basicAuth, startTestServer, type TestServer } from '../support/server.ts';
import { launchBrowser, noChromium, type Browser, signIn, until } from './browser.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';

const at = (x: number, y: number) => ({ offset: { x, y } });

/** A call menu whose Gather re-prompts itself on timeout, as real flows do. */
const LOOP_FLOW: FlowDefinition = {
  description: 'loop',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', properties: at(0, 0), transitions: [{ event: 'incomingMessage' }, { event: 'incomingCall', next: 'gather_1' }, { event: 'incomingRequest' }] },
    {
      name: 'gather_1',
      type: 'gather-input-on-call',
      properties: { ...at(0, 250), say: 'Press a key', timeout: 5, number_of_digits: 1 },
      transitions: [{ event: 'keypress', next: 'say_bye' }, { event: 'speech' }, { event: 'timeout', next: 'gather_1' }],
    },
    { name: 'say_bye', type: 'say-play', properties: { ...at(0, 550), say: 'Bye' }, transitions: [{ event: 'audioComplete' }] },
  ],
} as unknown as FlowDefinition;

/** Two questions in a row; the Trigger's message and REST events both lead to the first. */
const TWO_WAITS: FlowDefinition = {
  description: 'two waits',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', properties: at(0, 0), transitions: [{ event: 'incomingMessage', next: 'ask1' }, { event: 'incomingCall' }, { event: 'incomingRequest', next: 'ask1' }] },
    { name: 'ask1', type: 'send-and-wait-for-reply', properties: { ...at(0, 250), from: '{{flow.channel.address}}', body: 'Q1', timeout: '3600' }, transitions: [{ event: 'incomingMessage', next: 'ask2' }, { event: 'timeout' }, { event: 'deliveryFailure' }] },
    { name: 'ask2', type: 'send-and-wait-for-reply', properties: { ...at(0, 500), from: '{{flow.channel.address}}', body: 'Q2', timeout: '3600' }, transitions: [{ event: 'incomingMessage' }, { event: 'timeout' }, { event: 'deliveryFailure' }] },
  ],
} as unknown as FlowDefinition;

/** Texts back; never published in the test that uses it. */
const ECHO: FlowDefinition = {
  description: 'echo',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', properties: at(0, 0), transitions: [{ event: 'incomingMessage', next: 'reply' }, { event: 'incomingCall', next: 'say_hi' }, { event: 'incomingRequest' }] },
    { name: 'reply', type: 'send-message', properties: { ...at(0, 250), from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'Echo: {{trigger.message.Body}}' }, transitions: [{ event: 'sent' }, { event: 'failed' }] },
    { name: 'say_hi', type: 'say-play', properties: { ...at(300, 250), say: 'Hello caller' }, transitions: [{ event: 'audioComplete' }] },
  ],
} as unknown as FlowDefinition;

/** A Trigger at the left end of a row of widgets some 8000 px wide (as in real flows with many branches). */
function wideFlow(): FlowDefinition {
  const row = Array.from({ length: 16 }, (_, i) => ({
    name: `set_${i}`,
    type: 'set-variables',
    properties: { ...at(i * 520, 300), variables: [{ key: 'n', value: String(i) }] },
    transitions: [{ event: 'next' }],
  }));
  return {
    description: 'wide',
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [{ name: 'Trigger', type: 'trigger', properties: at(0, 0), transitions: [{ event: 'incomingMessage', next: 'set_0' }, { event: 'incomingCall' }, { event: 'incomingRequest' }] }, ...row],
  } as unknown as FlowDefinition;
}

describe('web console: review findings (Chromium)', { skip: noChromium, timeout: 240_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  const create = async (name: string, definition: FlowDefinition, status: 'draft' | 'published' = 'published') =>
    (await server.app.flows.create(server.account.sid, { friendlyName: name, status, definition })).sid;
  const rest = (path: string, fields: Record<string, string> = {}, method = 'POST') =>
    fetch(`${server.baseUrl}${path}`, {
      method,
      headers: { authorization: server.auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: method === 'POST' ? new URLSearchParams(fields) : undefined,
    });
  /** Accepts or dismisses the next confirm() and resolves with its question. */
  const nextConfirm = (accept: boolean) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no confirm() was shown')), 10_000);
      page.once('dialog', (dialog) => void (accept ? dialog.accept() : dialog.dismiss()).then(() => (clearTimeout(timer), resolve(dialog.message()))));
    });

  before(async () => {
    await ensureConsoleBuilt();
    server = await startTestServer({ listen: true });
    browser = await launchBrowser();
    page = browser.page;
    page.setDefaultTimeout(10_000);
    await signIn(page, server.baseUrl, server.account);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows a transition back to its own widget in the panel and around the widget on the canvas', async () => {
    const sid = await create('Loop', LOOP_FLOW);
    await page.goto(`${server.baseUrl}/flows/${sid}`);
    const node = page.locator('.react-flow__node[data-id="gather_1"]');
    await node.click();
    const next = page.getByRole('form', { name: 'Properties of gather_1' }).getByLabel('Next widget after timeout');
    assert.equal(await next.inputValue(), 'gather_1');
    assert.equal(await next.locator('option:checked').textContent(), 'gather_1 (this widget)');
    // The loop goes round the widget's right side, its label beside it, not hidden under the widget.
    const edge = page.locator('.react-flow__edge[data-id="gather_1#2"]');
    await edge.waitFor();
    assert.match((await edge.getAttribute('class')) ?? '', /edge-self-loop/);
    const box = (await node.boundingBox())!;
    const path = (await edge.locator('path.react-flow__edge-path').boundingBox())!;
    assert.ok(path.x + path.width > box.x + box.width + 10, 'the loop passes right of the widget');
    assert.ok(path.y < box.y && path.y + path.height > box.y + box.height, 'the loop spans the widget from its bottom to its top');
    const label = (await edge.locator('.react-flow__edge-text').boundingBox())!;
    assert.ok(label.x > box.x + box.width, 'the label is beside the widget');
    assert.equal(await edge.locator('.react-flow__edge-text').textContent(), 'timeout');
    // The panel can make and undo such a loop too.
    await next.selectOption('');
    await edge.waitFor({ state: 'detached' });
    await next.selectOption('gather_1');
    await edge.waitFor();
  });

  it('asks before Back, Forward or Sign out throw unsaved edits away', async () => {
    const sid = await create('Guarded', LOOP_FLOW);
    await page.goto(`${server.baseUrl}/flows`);
    await page.locator(`a[href="/flows/${sid}"]`).click();
    await page.locator('.react-flow__node[data-id="say_bye"]').click();
    await page.getByRole('form', { name: 'Properties of say_bye' }).getByLabel('say').fill('Goodbye now');
    await page.getByText('unsaved changes').waitFor();
    const editorUrl = page.url();

    let asked = nextConfirm(false);
    await page.goBack();
    assert.match(await asked, /unsaved changes/);
    await page.waitForURL(editorUrl);
    await page.getByText('unsaved changes').waitFor();
    assert.equal(await page.getByRole('form', { name: 'Properties of say_bye' }).getByLabel('say').inputValue(), 'Goodbye now');

    asked = nextConfirm(false);
    await page.getByRole('button', { name: 'Sign out' }).click();
    assert.match(await asked, /unsaved changes/);
    await page.getByText('unsaved changes').waitFor();
    assert.equal(await page.getByLabel('Account SID').count(), 0, 'still signed in');

    // Agreeing leaves.
    asked = nextConfirm(true);
    await page.goBack();
    await asked;
    await page.getByRole('heading', { name: 'Flows' }).waitFor();
  });

  it('lists what the validator found when an import is refused', async () => {
    const broken = structuredClone(LOOP_FLOW) as unknown as { states: { name: string; type: string; properties: Record<string, unknown> }[] };
    broken.states[1]!.properties.timeout = 'soon';
    broken.states[2]!.type = 'no-such-widget';
    await page.goto(`${server.baseUrl}/flows`);
    await page.getByRole('button', { name: 'Import JSON' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import a Studio flow' });
    await dialog.getByLabel('Name', { exact: true }).fill('Broken');
    await dialog.getByLabel('…or paste the JSON').fill(JSON.stringify(broken));
    await dialog.getByRole('button', { name: 'Import' }).click();
    const findings = dialog.getByRole('list', { name: 'Validation errors' });
    await findings.waitFor();
    const items = await findings.locator('li').allTextContents();
    assert.ok(items.some((text) => text.startsWith('#/states/1/properties/timeout')), items.join('\n'));
    assert.ok(items.some((text) => text.startsWith('#/states/2')), items.join('\n'));
    // The 400 is an expected answer, not an app error.
    browser.errors.splice(0);
    await dialog.getByRole('button', { name: 'Close' }).click();
  });

  it('keeps the steps that arrived live after "End execution", and highlights only the event taken', async () => {
    const sid = await create('Two waits', TWO_WAITS);
    const started = await rest(`/v2/Flows/${sid}/Executions`, { To: '+15551239000', From: '+15005550006' });
    assert.equal(started.status, 201);
    const executionSid = ((await started.json()) as { sid: string }).sid;
    await page.goto(`${server.baseUrl}/flows/${sid}/executions/${executionSid}`);
    await page.getByRole('heading', { name: 'Steps (1)' }).waitFor();
    // The REST trigger's edge is the one taken, not the message edge to the same widget.
    await page.locator('.react-flow__edge[data-id="Trigger#2"].edge-taken').waitFor();
    assert.doesNotMatch((await page.locator('.react-flow__edge[data-id="Trigger#0"]').getAttribute('class')) ?? '', /edge-taken/);
    // The contact answers: the step arrives live.
    const reply = await rest(`/simulator/Flows/${sid}/Messages`, { From: '+15551239000', Body: 'yes' });
    assert.equal(reply.status, 201);
    await page.getByRole('heading', { name: 'Steps (2)' }).waitFor();
    // Ending asks first: declined, nothing happens; accepted, it ends.
    let asked = nextConfirm(false);
    await page.getByRole('button', { name: 'End execution' }).click();
    assert.match(await asked, /cannot be resumed/);
    assert.equal((await server.app.store.getExecution(server.account.sid, sid, executionSid))?.status, 'active');
    asked = nextConfirm(true);
    await page.getByRole('button', { name: 'End execution' }).click();
    await asked;
    await page.locator('.facts .status-ended').waitFor();
    await page.waitForTimeout(500);
    await page.getByRole('heading', { name: 'Steps (2)' }).waitFor();
    await page.locator('.timeline-item', { hasText: 'ask2' }).first().waitFor();
  });

  it('says why a never-published flow does not answer, and offers a way out', async () => {
    const sid = await create('Never published', ECHO, 'draft');
    await page.goto(`${server.baseUrl}/flows/${sid}`);
    await page.getByRole('tab', { name: 'Chat' }).click();
    await page.getByLabel('Text as').fill('+15551238001');
    await page.getByRole('button', { name: 'Use', exact: true }).click();
    await page.getByLabel('Message', { exact: true }).fill('hi');
    await page.getByRole('button', { name: 'Send' }).click();
    const notice = page.getByRole('alert').filter({ hasText: 'never been published' });
    await notice.waitFor();
    await notice.getByRole('button', { name: 'Run the draft for +15551238001' }).click();
    await notice.waitFor({ state: 'detached' });
    assert.deepEqual(await server.app.store.getTestUsers(server.account.sid, sid), ['+15551238001']);
    await page.getByLabel('Message', { exact: true }).fill('again');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('list', { name: 'Conversation' }).locator('[data-direction="outbound-api"]', { hasText: 'Echo: again' }).waitFor();

    // A call from someone else: publishing is offered too.
    await page.getByRole('tab', { name: 'Phone' }).click();
    await page.getByLabel('Call as').fill('+15551238002');
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    const callNotice = page.getByRole('alert').filter({ hasText: 'never been published' });
    await callNotice.waitFor();
    await callNotice.getByRole('button', { name: 'Publish the flow' }).click();
    await page.getByRole('status').filter({ hasText: /Published revision/ }).waitFor();
    await callNotice.waitFor({ state: 'detached' });
    if (await page.getByRole('button', { name: 'Hang up', exact: true }).count()) await page.getByRole('button', { name: 'Hang up', exact: true }).click();
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    await page.getByRole('list', { name: 'Call transcript' }).locator('[data-who="flow"]', { hasText: 'Hello caller' }).waitFor();
  });

  it('chats with a flow triggered from Conversations, and says so when the Trigger takes no texts', async () => {
    const conversational = structuredClone(ECHO) as unknown as { states: { transitions: { event: string; next?: string }[]; properties: Record<string, unknown> }[] };
    conversational.states[0]!.transitions = [{ event: 'incomingMessage' }, { event: 'incomingConversationMessage', next: 'reply' }, { event: 'incomingCall' }];
    conversational.states[1]!.properties.body = 'Echo: {{trigger.conversation.Body}}';
    const chat = async (sid: string, contact: string, body: string) => {
      await page.goto(`${server.baseUrl}/flows/${sid}`);
      await page.getByRole('tab', { name: 'Chat' }).click();
      await page.getByLabel('Text as').fill(contact);
      await page.getByRole('button', { name: 'Use', exact: true }).click();
      await page.getByLabel('Message', { exact: true }).fill(body);
      await page.getByRole('button', { name: 'Send' }).click();
    };
    await chat(await create('Conversations only', conversational as unknown as FlowDefinition), '+15551238101', 'hi');
    await page.getByRole('list', { name: 'Conversation' }).locator('[data-direction="outbound-api"]', { hasText: 'Echo: hi' }).waitFor();
    // A flow for calls only: the text ends at the Trigger, and the Chat says why (publishing would not help).
    await chat(await create('Calls only', LOOP_FLOW), '+15551238102', 'hi');
    const notice = page.getByRole('alert').filter({ hasText: 'Trigger does not handle incoming messages' });
    await notice.waitFor();
    assert.equal(await notice.getByRole('button').count(), 0);
  });

  it('opens a wide flow on its Trigger at a readable zoom', async () => {
    const sid = await create('Wide', wideFlow());
    await page.goto(`${server.baseUrl}/flows/${sid}`);
    const trigger = page.locator('.react-flow__node[data-id="Trigger"]');
    await trigger.waitFor();
    // The canvas places its viewport once it has measured the widgets: waited for (not 300 ms, which a busy
    // machine can outlast), then checked with the boxes it settled on.
    const placed = async () => {
      const [canvas, box] = [(await page.locator('.canvas-box').boundingBox())!, (await trigger.boundingBox())!];
      return box.x >= canvas.x && box.x + box.width <= canvas.x + canvas.width && box.y >= canvas.y && box.y < canvas.y + 120;
    };
    await until('the Trigger is on screen at the top', placed, 10_000).catch(() => undefined);
    const canvas = (await page.locator('.canvas-box').boundingBox())!;
    const box = (await trigger.boundingBox())!;
    assert.ok(box.x >= canvas.x && box.x + box.width <= canvas.x + canvas.width, `the Trigger is on screen (x ${box.x}, canvas ${canvas.x}–${canvas.x + canvas.width})`);
    assert.ok(box.y >= canvas.y && box.y < canvas.y + 120, 'the Trigger is at the top');
    const transform = (await page.locator('.react-flow__viewport').getAttribute('style')) ?? '';
    const zoom = Number(/scale\(([\d.]+)\)/.exec(transform)?.[1]);
    assert.ok(zoom >= 0.6, `zoom ${zoom}`);
  });

  it('keeps list filters and pages in the URL, through reload and Back', async () => {
    const sid = await create('Many executions', TWO_WAITS);
    for (let i = 0; i < 22; i++) assert.equal((await rest(`/v2/Flows/${sid}/Executions`, { To: `+1555124${String(i).padStart(4, '0')}`, From: '+15005550006' })).status, 201);
    await page.goto(`${server.baseUrl}/flows/${sid}/executions`);
    const rows = page.locator('table tbody tr');
    await rows.first().waitFor();
    await page.getByLabel('Status').selectOption('active');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/status=active/);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('Page 2').waitFor();
    assert.match(page.url(), /status=active/);
    assert.match(page.url(), /page=1/);
    await page.reload();
    await page.getByText('Page 2').waitFor();
    assert.equal(await rows.count(), 2);
    assert.equal(await page.getByLabel('Status').inputValue(), 'active');
    await page.goBack();
    await page.getByText('Page 1').waitFor();
    assert.equal(await page.getByLabel('Status').inputValue(), 'active');
    await page.goBack();
    await page.waitForURL((url) => !url.search.includes('status'));
    // The URL changes before React renders the filters it reads from it: wait for the select to follow.
    const status = page.getByLabel('Status');
    for (let i = 0; i < 50 && (await status.inputValue()) !== ''; i++) await page.waitForTimeout(100);
    assert.equal(await status.inputValue(), '');
  });

  it('steps back a page when deleting the last flow of a later one', async () => {
    const existing = (await server.app.store.listFlows(server.account.sid, { pageSize: 100 })).items.length;
    for (let i = existing; i < 26; i++) await create(`Filler ${String(i).padStart(2, '0')}`, ECHO, 'draft');
    await page.goto(`${server.baseUrl}/flows`);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('Page 2').waitFor();
    assert.match(page.url(), /page=1/);
    const rows = page.locator('table tbody tr');
    assert.equal(await rows.count(), 1);
    const name = (await rows.first().locator('a.clip').textContent())!;
    const asked = nextConfirm(true);
    await page.getByRole('button', { name: `Delete ${name}` }).click();
    await asked;
    // Back on the first page, which now holds every flow: no paging controls.
    await page.waitForURL((url) => !url.search.includes('page='));
    await rows.nth(24).waitFor();
    assert.equal(await rows.count(), 25);
    assert.equal(await page.getByRole('navigation', { name: 'Pages' }).count(), 0);
    assert.equal(await page.getByText('No flows yet').count(), 0);
  });

  it('warns about a required field emptied', async () => {
    const sid = await create('Required', ECHO);
    await page.goto(`${server.baseUrl}/flows/${sid}`);
    await page.locator('.react-flow__node[data-id="reply"]').click();
    const form = page.getByRole('form', { name: 'Properties of reply' });
    await form.getByLabel('body').fill('');
    // A warning, shown as one: amber, not an alert, the field not marked invalid; the server's own
    // warning about it (after the validation pause) is shown the same way.
    const body = form.locator('[data-property="body"]');
    await body.locator('.field-warning', { hasText: 'required' }).waitFor();
    await body.locator('.field-warning', { hasText: 'body is required and is empty' }).waitFor();
    assert.equal(await body.locator('.field-error, [role="alert"]').count(), 0);
    assert.doesNotMatch((await body.getAttribute('class')) ?? '', /is-invalid/);
    // (No DOM globals in page functions: the tests compile without the DOM's types.)
    assert.equal(await body.locator('.field-warning').first().evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).color), 'rgb(138, 90, 0)', 'amber (--warning)');
    await form.getByLabel('body').fill('Back again');
    await body.locator('.field-warning').waitFor({ state: 'detached' });
    // Not saved: leave without the question.
    page.once('dialog', (dialog) => void dialog.accept());
  });

  it('shows the revisions table whole in a phone-sized window', async () => {
    const sid = await create('Revisions narrow', ECHO);
    assert.equal((await rest(`/v2/Flows/${sid}`, { Status: 'draft', Definition: JSON.stringify(ECHO), CommitMessage: 'A second revision with a longer commit message' })).status, 200);
    await page.setViewportSize({ width: 390, height: 800 });
    try {
      await page.goto(`${server.baseUrl}/flows/${sid}/revisions`);
      const restore = page.getByRole('button', { name: 'Restore as draft' }).first();
      await restore.waitFor();
      await page.screenshot({ path: fileURLToPath(new URL('../../test-results/screenshots/review-revisions-390.png', import.meta.url)) });
      const wrap = (await page.locator('.table-wrap').first().boundingBox())!;
      const button = (await restore.boundingBox())!;
      assert.ok(button.x + button.width <= wrap.x + wrap.width, `"Restore as draft" ends at ${button.x + button.width}, the table at ${wrap.x + wrap.width}`);
      const overflow = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
      assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow}px`);
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }
  });

  it('fits a split with long Twilio condition names in the panel, without a doubled "If"', async () => {
    // As Studio names them (from a real export): one long word after "matches_any_of".
    const signs = 'aries,taurus,gemini,cancer,leo,virgo,libra,scorpio,sagittarius,sag,capricorn,aquarius,pisces';
    const names = [`If value matches_any_of ${signs}`, 'If value contains help'];
    const split: FlowDefinition = {
      description: 'split',
      initial_state: 'Trigger',
      flags: { allow_concurrent_calls: true },
      states: [
        { name: 'Trigger', type: 'trigger', properties: at(0, 0), transitions: [{ event: 'incomingMessage', next: 'split_1' }, { event: 'incomingCall' }, { event: 'incomingRequest' }] },
        {
          name: 'split_1',
          type: 'split-based-on',
          properties: { ...at(0, 250), input: '{{trigger.message.Body}}' },
          transitions: [
            { event: 'noMatch' },
            { event: 'match', next: 'send_the_horoscope_of_the_day_for_the_water_and_fire_signs', conditions: [{ friendly_name: names[0], arguments: ['{{trigger.message.Body}}'], type: 'matches_any_of', value: signs }] },
            { event: 'match', conditions: [{ friendly_name: names[1], arguments: ['{{trigger.message.Body}}'], type: 'contains', value: 'help' }] },
            { event: 'match', conditions: [{ friendly_name: 'pressed 1', arguments: ['{{trigger.message.Body}}'], type: 'equal_to', value: '1' }] },
          ],
        },
        { name: 'send_the_horoscope_of_the_day_for_the_water_and_fire_signs', type: 'send-message', properties: { ...at(0, 500), from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'Stars' }, transitions: [{ event: 'sent' }, { event: 'failed' }] },
      ],
    } as unknown as FlowDefinition;
    const sid = await create('Long conditions', split);
    await page.goto(`${server.baseUrl}/flows/${sid}`);
    await page.getByLabel('Go to widget').selectOption('split_1');
    const form = page.getByRole('form', { name: 'Properties of split_1' });
    const labels = await form.locator('.transition-row > .field > .field-label').allTextContents();
    assert.deepEqual(labels, ['noMatch', names[0], names[1], 'If pressed 1']);
    const panel = page.locator('#panel-properties');
    await panel.screenshot({ path: fileURLToPath(new URL('../../test-results/screenshots/review-split-conditions.png', import.meta.url)) });
    const sizes = await panel.evaluate((el) => ({ client: el.clientWidth, scroll: el.scrollWidth, right: el.getBoundingClientRect().right }));
    assert.ok(sizes.scroll <= sizes.client, `the panel scrolls sideways: ${sizes.scroll} > ${sizes.client}`);
    for (const control of await form.locator('.transitions input, .transitions select, .transitions button').all()) {
      const box = (await control.boundingBox())!;
      assert.ok(box.x + box.width <= sizes.right, `${await control.getAttribute('aria-label')} ends at ${box.x + box.width}, the panel at ${sizes.right}`);
    }
  });

  it('redraws only the widget being edited while typing in its properties, and notices an edit typed back', async () => {
    const sid = await create('Typing', wideFlow());
    await page.goto(`${server.baseUrl}/flows/${sid}`);
    await page.getByLabel('Go to widget').selectOption('set_3');
    const form = page.getByRole('form', { name: 'Properties of set_3' });
    await form.getByRole('group', { name: 'variables 1' }).getByLabel('Value').waitFor();
    await page.waitForTimeout(500);
    // Count the changes React Flow makes to the other widgets' boxes (a re-measured node is hidden and shown again).
    await page.evaluate(`(() => {
      const seen = (window.touched = []);
      new MutationObserver((records) => {
        for (const record of records) {
          const node = record.target.closest?.('.react-flow__node');
          const id = node?.getAttribute('data-id');
          if (id && id !== 'set_3') seen.push(id);
        }
      }).observe(document.querySelector('.react-flow__nodes'), { attributes: true, subtree: true, childList: true, characterData: true });
    })()`);
    await form.getByRole('group', { name: 'variables 1' }).getByLabel('Value').pressSequentially('45', { delay: 30 });
    await page.getByText('unsaved changes').waitFor();
    const touched = (await page.evaluate('window.touched')) as string[];
    assert.deepEqual([...new Set(touched)], [], 'other widgets were redrawn');
    // Typed back to the saved value: no longer unsaved, once typing pauses.
    await form.getByRole('group', { name: 'variables 1' }).getByLabel('Value').press('Backspace');
    await form.getByRole('group', { name: 'variables 1' }).getByLabel('Value').press('Backspace');
    await page.getByText('unsaved changes').waitFor({ state: 'detached' });
  });

  it("says why an execution was cut off: its alerts, and when it ended", async () => {
    const looping: FlowDefinition = {
      description: 'loop',
      initial_state: 'Trigger',
      flags: { allow_concurrent_calls: true },
      states: [
        { name: 'Trigger', type: 'trigger', properties: at(0, 0), transitions: [{ event: 'incomingMessage' }, { event: 'incomingCall' }, { event: 'incomingRequest', next: 'again' }] },
        { name: 'again', type: 'set-variables', properties: { ...at(0, 250), variables: [{ key: 'n', value: '1' }] }, transitions: [{ event: 'next', next: 'again' }] },
      ],
    } as unknown as FlowDefinition;
    const sid = await create('Looping', looping);
    const started = await rest(`/v2/Flows/${sid}/Executions`, { To: '+15551239100', From: '+15005550006' });
    assert.equal(started.status, 201);
    const execution = (await started.json()) as { sid: string; status: string };
    assert.equal(execution.status, 'ended');
    await page.goto(`${server.baseUrl}/flows/${sid}/executions/${execution.sid}`);
    const alerts = page.getByRole('region', { name: /Alerts/ });
    const item = alerts.locator('.alert-item.alert-warning', { hasText: '81001' });
    await item.waitFor();
    assert.match((await item.textContent()) ?? '', /ran more than \d+ times in a row/);
    const updated = page.locator('.facts div', { hasText: 'Updated' }).locator('dd');
    assert.notEqual((await updated.textContent())?.trim(), '—');
    // Another execution's alerts are not shown here.
    const other = await rest(`/v2/Flows/${sid}/Executions`, { To: '+15551239101', From: '+15005550006' });
    assert.equal(other.status, 201);
    await page.reload();
    await item.waitFor();
    assert.equal(await alerts.locator('.alert-item').count(), 1);
  });

  it("groups a subflow's steps under the step that ran it, and offers the account's flows to run", async () => {
    const child: FlowDefinition = {
      description: 'child',
      initial_state: 'Trigger',
      flags: { allow_concurrent_calls: true },
      states: [
        { name: 'Trigger', type: 'trigger', properties: at(0, 0), transitions: [{ event: 'incomingMessage' }, { event: 'incomingCall' }, { event: 'incomingRequest' }, { event: 'incomingParent', next: 'child_vars' }] },
        { name: 'child_vars', type: 'set-variables', properties: { ...at(0, 250), variables: [{ key: 'k', value: 'v' }] }, transitions: [{ event: 'next' }] },
      ],
    } as unknown as FlowDefinition;
    const childSid = await create('Child subflow', child);
    const parent = (flowSid: string): FlowDefinition =>
      ({
        description: 'parent',
        initial_state: 'Trigger',
        flags: { allow_concurrent_calls: true },
        states: [
          { name: 'Trigger', type: 'trigger', properties: at(0, 0), transitions: [{ event: 'incomingMessage' }, { event: 'incomingCall' }, { event: 'incomingRequest', next: 'run_child' }] },
          { name: 'run_child', type: 'run-subflow', properties: { ...at(0, 250), flow_sid: flowSid, flow_revision: 'LatestPublished', parameters: [] }, transitions: [{ event: 'completed', next: 'after' }, { event: 'failed' }] },
          { name: 'after', type: 'set-variables', properties: { ...at(0, 500), variables: [{ key: 'done', value: 'yes' }] }, transitions: [{ event: 'next' }] },
        ],
      }) as unknown as FlowDefinition;
    const parentSid = await create('Parent of a subflow', parent(childSid));
    const started = await rest(`/v2/Flows/${parentSid}/Executions`, { To: '+15551239200', From: '+15005550006' });
    assert.equal(started.status, 201);
    const executionSid = ((await started.json()) as { sid: string }).sid;
    await page.goto(`${server.baseUrl}/flows/${parentSid}/executions/${executionSid}`);
    const subflow = page.getByRole('region', { name: 'Subflow Child subflow' });
    await subflow.waitFor();
    assert.match((await subflow.locator('.subflow-title').textContent()) ?? '', /run by run_child/);
    const inner = await subflow.locator('.timeline-item .step-from').allTextContents();
    assert.ok(inner.includes('child_vars') && inner.includes('Trigger'), inner.join(', '));
    // The parent's own steps stay at the top: the step into run_child holds the subflow, then run_child → after.
    const top = await page.locator('.timeline > .timeline-list > .timeline-item > details .step-from').allTextContents();
    assert.deepEqual(top, ['Trigger', 'run_child', 'after']);
    await page.locator('.timeline').screenshot({ path: fileURLToPath(new URL('../../test-results/screenshots/review-subflow-steps.png', import.meta.url)) });

    // In the editor, the Run Subflow's flow is picked from the account's flows and named.
    await page.goto(`${server.baseUrl}/flows/${parentSid}`);
    await page.getByLabel('Go to widget').selectOption('run_child');
    const form = page.getByRole('form', { name: 'Properties of run_child' });
    await form.locator('[data-property="flow_sid"] .field-note', { hasText: 'Runs “Child subflow” (published)' }).waitFor();
    const offered = (await form.locator('[data-property="flow_sid"] datalist option').evaluateAll((options) => options.map((o) => [o.getAttribute('value'), o.textContent]))) as [string, string][];
    assert.ok(offered.some(([value, label]) => value === childSid && label === 'Child subflow'), JSON.stringify(offered));
    await form.getByLabel('flow_sid').fill('FW' + '0'.repeat(32));
    await form.locator('[data-property="flow_sid"] .field-note', { hasText: 'No flow with this SID' }).waitFor();
    page.once('dialog', (dialog) => void dialog.accept());
  });

  it('takes the "never published" notice away when the flow is published from the header', async () => {
    const sid = await create('Published from the header', ECHO, 'draft');
    await page.goto(`${server.baseUrl}/flows/${sid}`);
    await page.getByRole('tab', { name: 'Phone' }).click();
    await page.getByLabel('Call as').fill('+15551238301');
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    const callNotice = page.getByRole('alert').filter({ hasText: 'never been published' });
    await callNotice.waitFor();
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await page.getByRole('status').filter({ hasText: /Published revision/ }).waitFor();
    await callNotice.waitFor({ state: 'detached' });
    // The Chat's notice too.
    await page.goto(`${server.baseUrl}/flows/${await create('Chat published from the header', ECHO, 'draft')}`);
    await page.getByRole('tab', { name: 'Chat' }).click();
    await page.getByLabel('Text as').fill('+15551238302');
    await page.getByRole('button', { name: 'Use', exact: true }).click();
    await page.getByLabel('Message', { exact: true }).fill('hi');
    await page.getByRole('button', { name: 'Send' }).click();
    const textNotice = page.getByRole('alert').filter({ hasText: 'never been published' });
    await textNotice.waitFor();
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await textNotice.waitFor({ state: 'detached' });
    await page.getByLabel('Message', { exact: true }).fill('again');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('list', { name: 'Conversation' }).locator('[data-direction="outbound-api"]', { hasText: 'Echo: again' }).waitFor();
  });

  it("starts each edge at its own event's label, on the widget's edge, however many events a widget has", async () => {
    const match = (name: string, value: string, next: string) => ({ event: 'match', next, conditions: [{ friendly_name: name, arguments: ['{{trigger.message.Body}}'], type: 'equal_to', value }] });
    const targets = ['to_a', 'to_b', 'to_c', 'to_d'];
    const split: FlowDefinition = {
      description: 'many events',
      initial_state: 'Trigger',
      flags: { allow_concurrent_calls: true },
      states: [
        { name: 'Trigger', type: 'trigger', properties: at(0, 0), transitions: [{ event: 'incomingMessage', next: 'split_many' }, { event: 'incomingCall' }, { event: 'incomingRequest' }] },
        {
          name: 'split_many',
          type: 'split-based-on',
          properties: { ...at(0, 250), input: '{{trigger.message.Body}}' },
          transitions: [
            { event: 'noMatch', next: 'to_d' },
            match('If value equal_to non_us_country', 'a', 'to_a'),
            match('If value equal_to voip', 'b', 'to_b'),
            match('If value equal_to blocked_number', 'c', 'to_c'),
          ],
        },
        ...targets.map((name, i) => ({ name, type: 'set-variables', properties: { ...at(i * 300 - 300, 600), variables: [{ key: 'n', value: name }] }, transitions: [{ event: 'next' }] })),
      ],
    } as unknown as FlowDefinition;
    const sid = await create('Many events', split);
    await page.goto(`${server.baseUrl}/flows/${sid}`);
    for (const name of ['Trigger', 'split_many']) {
      const node = page.locator(`.react-flow__node[data-id="${name}"]`);
      await node.waitFor();
      const box = (await node.boundingBox())!;
      const events = await node.locator('.widget-event').all();
      const tops = new Set<number>();
      for (const [index, event] of events.entries()) {
        const chip = (await event.boundingBox())!;
        const handle = (await event.locator('.react-flow__handle').boundingBox())!;
        const [hx, hy] = [handle.x + handle.width / 2, handle.y + handle.height / 2];
        const where = `${name} event ${index}`;
        tops.add(Math.round(chip.y));
        if (await event.locator('.react-flow__handle-bottom').count()) {
          // Along the bottom: under its label, on the widget's bottom edge.
          assert.ok(hx >= chip.x && hx <= chip.x + chip.width, `${where}: handle under its label`);
          assert.ok(hy >= chip.y + chip.height - 2 && Math.abs(hy - (box.y + box.height)) <= 12, `${where}: handle at the bottom edge (${hy} vs ${box.y + box.height})`);
        } else {
          // On the right: beside its label, on the widget's right edge.
          assert.ok(hy >= chip.y && hy <= chip.y + chip.height, `${where}: handle beside its label`);
          assert.ok(Math.abs(hx - (box.x + box.width)) <= 2, `${where}: handle on the right edge (${hx} vs ${box.x + box.width})`);
        }
      }
      // Events along the bottom are one row: a second row would put the first row's handles inside the widget.
      if (await node.locator('.react-flow__handle-bottom').count()) assert.equal(tops.size, 1, `${name}: one row of events`);
    }
    assert.equal(await page.locator('.react-flow__node[data-id="split_many"] .react-flow__handle-right').count(), 4);
    // Each edge starts at its own event's handle.
    for (const [index, target] of ['to_d', 'to_a', 'to_b', 'to_c'].entries()) {
      const handle = (await page.locator(`.react-flow__node[data-id="split_many"] [data-handleid="t${index}"]`).boundingBox())!;
      const path = page.locator(`.react-flow__edge[data-id="split_many#${index}"] path.react-flow__edge-path`);
      const start = (await path.evaluate((el) => {
        const p = el.getPointAtLength(0);
        const m = el.getScreenCTM();
        return { x: p.x * m.a + m.e, y: p.y * m.d + m.f };
      })) as { x: number; y: number };
      const onHandle = start.x >= handle.x - 2 && start.x <= handle.x + handle.width + 2 && start.y >= handle.y - 2 && start.y <= handle.y + handle.height + 2;
      assert.ok(onHandle, `edge to ${target} starts at its event: ${JSON.stringify(start)} vs ${JSON.stringify(handle)}`);
    }
    await page.locator('.canvas-box').screenshot({ path: fileURLToPath(new URL('../../test-results/screenshots/review-many-events.png', import.meta.url)) });
  });

  it('undoes a word typed into a field in one step', async () => {
    const sid = await create('Undo typing', ECHO);
    await page.goto(`${server.baseUrl}/flows/${sid}`);
    await page.locator('.react-flow__node[data-id="say_hi"]').click();
    const say = page.getByRole('form', { name: 'Properties of say_hi' }).getByLabel('say');
    await say.focus();
    await say.press('Control+End');
    await say.pressSequentially(' there', { delay: 20 });
    await page.getByRole('button', { name: 'Undo' }).click();
    assert.equal(await say.inputValue(), 'Hello caller');
    assert.ok(await page.getByRole('button', { name: 'Undo' }).isDisabled(), 'one step in all');
    await page.getByRole('button', { name: 'Redo' }).click();
    assert.equal(await say.inputValue(), 'Hello caller there');
    page.once('dialog', (dialog) => void dialog.accept());
  });

  it('says what is wrong, with a way back, for an unknown flow, execution or page, and when the server cannot be reached', async () => {
    const missing = 'FW' + '0'.repeat(32);
    await page.goto(`${server.baseUrl}/flows/${missing}`);
    await page.getByRole('heading', { name: 'Flow not found' }).waitFor();
    await page.getByRole('link', { name: 'Back to the flow list' }).click();
    await page.getByRole('heading', { name: 'Flows' }).waitFor();

    const sid = await create('Has no such execution', ECHO);
    await page.goto(`${server.baseUrl}/flows/${sid}/executions/FN${'0'.repeat(32)}`);
    await page.getByRole('heading', { name: 'Execution not found' }).waitFor();
    await page.getByRole('link', { name: "Back to the flow's executions" }).click();
    await page.waitForURL(`${server.baseUrl}/flows/${sid}/executions`);

    await page.goto(`${server.baseUrl}/flows/${sid}/revisions/99`);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Back to the flow list' }).count(), 1);

    // No answer at all (the server stopped): said in words, not the browser's "Failed to fetch".
    await page.route('**/v2/Flows/**', (route) => route.abort('connectionrefused'));
    try {
      await page.goto(`${server.baseUrl}/flows/${sid}`);
      await page.getByRole('heading', { name: 'The flow could not be loaded' }).waitFor();
      assert.match((await page.getByRole('alert').textContent()) ?? '', /server cannot be reached/);
      assert.equal(await page.getByText('Failed to fetch').count(), 0);
    } finally {
      await page.unroute('**/v2/Flows/**');
    }
    // The 404s and the refused connection are expected here, not app errors.
    browser.errors.splice(0);
  });

  it('asks before restoring a revision as the draft', async () => {
    const sid = await create('Restorable', ECHO);
    assert.equal((await rest(`/v2/Flows/${sid}`, { Status: 'draft', Definition: JSON.stringify(TWO_WAITS), CommitMessage: 'Second' })).status, 200);
    await page.goto(`${server.baseUrl}/flows/${sid}/revisions`);
    let asked = nextConfirm(false);
    await page.getByRole('button', { name: 'Restore as draft' }).last().click();
    assert.match(await asked, /Restore revision 1 as a new draft\?/);
    assert.equal((await server.app.store.getFlow(server.account.sid, sid))?.revision, 2);
    asked = nextConfirm(true);
    await page.getByRole('button', { name: 'Restore as draft' }).last().click();
    await asked;
    await page.waitForURL(`${server.baseUrl}/flows/${sid}`);
    assert.equal((await server.app.store.getFlow(server.account.sid, sid))?.revision, 3);
  });

  it('says a flow of one revision has nothing to compare, instead of a diff of the revision with itself', async () => {
    const sid = await create('One revision', ECHO);
    // Every revision the page reads: only those it shows, each once.
    const reads: string[] = [];
    const onRequest = (request: { url(): string }) => {
      const match = new URL(request.url()).pathname.match(/^\/v2\/Flows\/FW\w+\/Revisions\/(\d+)$/);
      if (match) reads.push(match[1]!);
    };
    page.on('request', onRequest);
    try {
      await page.goto(`${server.baseUrl}/flows/${sid}/revisions`);
      const compare = page.getByRole('region', { name: 'Compare' });
      await compare.getByText('This flow has one revision, so there is nothing to compare yet').waitFor();
      assert.equal(await compare.getByRole('combobox').count(), 0, 'no pickers with a single choice each');
      assert.equal(await compare.getByRole('table').count(), 0, 'no diff of revision 1 against itself');
      // The list the reads would follow is on the page: give them the time to start.
      await page.waitForLoadState('networkidle');
      assert.deepEqual(reads, [], 'revision 1 is not read: no diff shows it');
      // A second revision brings the comparison, reading each side once.
      assert.equal((await rest(`/v2/Flows/${sid}`, { Status: 'draft', Definition: JSON.stringify(TWO_WAITS), CommitMessage: 'Second' })).status, 200);
      await page.reload();
      await compare.getByRole('table', { name: /Differences between Revision 1 and Revision 2/ }).waitFor();
      assert.deepEqual(reads.toSorted(), ['1', '2']);
      // Comparing revision 2 with itself, then 1 with 2 again, reads nothing more.
      await compare.getByLabel('From (older revision)').selectOption('2');
      await compare.getByRole('table', { name: /Differences between Revision 2 and Revision 2/ }).waitFor();
      await compare.getByLabel('From (older revision)').selectOption('1');
      await compare.getByRole('table', { name: /Differences between Revision 1 and Revision 2/ }).waitFor();
      await page.waitForLoadState('networkidle');
      assert.deepEqual(reads.toSorted(), ['1', '2']);
    } finally {
      page.off('request', onRequest);
    }
    assert.deepEqual(browser.errors, []);
  });

  // Rotates the account's token: keep it last, the tests before it use the original one.
  it('asks to sign in again when the token is rotated mid-session, and keeps the unsaved edits', async () => {
    const sid = await create('Rotated', ECHO);
    await page.goto(`${server.baseUrl}/flows/${sid}`);
    await page.locator('.react-flow__node[data-id="reply"]').click();
    const form = page.getByRole('form', { name: 'Properties of reply' });
    // The edit is validated a pause after it (POST /console/api/Validate): answered before the rotation,
    // not refused after it, where its 401 could open the sign-in dialog before Save is clicked.
    const validated = page.waitForResponse((response) => response.url().includes('/console/api/Validate'));
    await form.getByLabel('body').fill('Edited before the rotation');
    await page.getByText('unsaved changes').waitFor();
    assert.equal((await validated).status(), 200);
    const token = (await server.app.accounts.rotateToken(server.account.sid))!;
    server.account.authToken = token;
    server.auth = basicAuth(server.account.sid, token);
    await page.getByRole('button', { name: 'Save draft' }).click();
    const dialog = page.getByRole('dialog', { name: 'Sign in again' });
    await dialog.getByRole('alert').filter({ hasText: 'refused' }).waitFor();
    assert.equal(await dialog.getByLabel('Account SID').inputValue(), server.account.sid);
    // Closed, it leaves a way back in the top bar; the page and its edit stay behind it.
    await dialog.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('status').filter({ hasText: 'Credentials refused' }).getByRole('button', { name: 'Sign in again' }).click();
    assert.equal(await form.getByLabel('body').inputValue(), 'Edited before the rotation');
    await dialog.getByLabel('Auth token').fill('not the token');
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'do not match' }).waitFor();
    await dialog.getByLabel('Auth token').fill(token);
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('unsaved changes').waitFor();
    // The refused save's notice was about the old credentials: signed in again, it is gone.
    await page.getByRole('alert').filter({ hasText: '20003' }).waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByRole('status').filter({ hasText: /Saved draft revision/ }).waitFor();
    const saved = await server.app.store.getRevision(server.account.sid, sid, 'LatestRevision');
    assert.match(JSON.stringify(saved?.definition), /Edited before the rotation/);
    // The refused requests' 401s are expected answers, not app errors.
    browser.errors.splice(0);
  });

  it('logged no console errors', () => {
    assert.deepEqual(browser.errors, []);
  });
});
