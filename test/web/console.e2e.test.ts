// The web console end to end in Debian's Chromium against a real server on a socket: sign in,
// import a real Studio export (../shared/flows, else our fixture), see its widgets on the canvas,
// get a validation error shown on a widget, edit a message body, publish, text the flow in the
// simulator and see the reply and the steps live, open the execution, compare revisions, and a
// narrow window. No console errors anywhere. Screenshots go to test-results/screenshots/.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { ensureConsoleBuilt } from '../../web/ensure-built.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { launchBrowser, noChromium, untilValue, type Browser } from './browser.ts';

const SHOTS = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));
const REAL_FLOW = fileURLToPath(new URL('../../../shared/flows/Eclairemoy__pride-astrology__studio_flow.json', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./fixtures/greeting-flow.json', import.meta.url));
const IVR = fileURLToPath(new URL('./fixtures/ivr-flow.json', import.meta.url));

/** The flow to import and the message widget whose body the test edits (CONSOLE_E2E_FLOW=fixture forces our own). */
const subject = existsSync(REAL_FLOW) && process.env.CONSOLE_E2E_FLOW !== 'fixture'
  ? { file: REAL_FLOW, name: 'Pride astrology', messageWidget: 'ask_sign' }
  : { file: FIXTURE, name: 'Greeting fixture', messageWidget: 'ask_name' };
const definition = JSON.parse(readFileSync(subject.file, 'utf8')) as { states: { name: string }[] };
const NEW_BODY = 'Hello from the console test! Which sign are you?';
const DRAFT_BODY = 'Draft greeting, only for test users';

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: false });
}

describe('web console (Chromium)', { skip: noChromium, timeout: 180_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let flowSid = '';

  before(async () => {
    // Only this run's screenshots, so a reviewer never looks at a stale page.
    rmSync(SHOTS, { recursive: true, force: true });
    mkdirSync(SHOTS, { recursive: true });
    await ensureConsoleBuilt();
    server = await startTestServer({ listen: true });
    browser = await launchBrowser();
    page = browser.page;
    page.setDefaultTimeout(10_000);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('serves the console without auth and keeps the API behind it', async () => {
    const html = await fetch(`${server.baseUrl}/flows/FW00000000000000000000000000000000`);
    assert.equal(html.status, 200);
    assert.match(await html.text(), /<div id="root">/);
    const api = await fetch(`${server.baseUrl}/v2/Flows`);
    assert.equal(api.status, 401);
  });

  it('refuses wrong credentials and signs in with the right ones', async () => {
    await page.goto(server.baseUrl);
    await page.getByLabel('Account SID').fill(server.account.sid);
    await page.getByLabel('Auth token').fill('wrong-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'do not match' }).waitFor();
    await shot(page, '01-sign-in');
    // The failed attempt is an expected 401 in the network log, not an app error.
    browser.errors.splice(0);
    await page.getByLabel('Auth token').fill(server.account.authToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Flows' }).waitFor();
  });

  it('imports a Studio export and shows every widget on the canvas', async () => {
    await page.getByRole('button', { name: 'Import JSON' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import a Studio flow' });
    await dialog.getByLabel('Studio export (JSON file)').setInputFiles(subject.file);
    await dialog.getByLabel('Name', { exact: true }).fill(subject.name);
    await dialog.getByRole('button', { name: 'Import' }).click();
    await page.waitForURL(/\/flows\/FW[0-9a-f]{32}$/);
    flowSid = /\/flows\/(FW[0-9a-f]{32})$/.exec(page.url())![1]!;
    await page.locator('.react-flow__node').first().waitFor();
    assert.equal(await page.locator('.react-flow__node').count(), definition.states.length);
    for (const state of definition.states) assert.equal(await page.locator(`[data-widget="${state.name}"]`).count(), 1, state.name);
    // Edges carry their event names; widgets carry a type icon.
    assert.ok((await page.locator('.react-flow__edge').count()) > 0);
    await page.locator('.react-flow__edge-text', { hasText: 'incomingMessage' }).first().waitFor();
    assert.ok((await page.locator('[data-widget] .widget-icon').count()) >= definition.states.length);
    await shot(page, '02-canvas');
  });

  it('shows a validation error on the widget it belongs to, and removes the widget again', async () => {
    await page.getByLabel('Widget type to add').selectOption('say-play');
    await page.getByRole('button', { name: 'Add widget' }).click();
    const form = page.getByRole('form', { name: 'Properties of say_play_1' });
    await form.waitFor();
    await form.getByLabel('loop').fill('many');
    const node = page.locator('[data-widget="say_play_1"]');
    await node.locator('.badge-error').waitFor();
    await form.locator('[data-property="loop"] .field-error').waitFor();
    // Unsaved edits: following a link asks first; declining stays on the page with the edits.
    const asked = new Promise<string>((resolve) => page.once('dialog', (dialog) => void dialog.dismiss().then(() => resolve(dialog.message()))));
    await page.getByRole('link', { name: 'Executions' }).click();
    assert.match(await asked, /unsaved changes/);
    assert.match(page.url(), /\/flows\/FW[0-9a-f]{32}$/);
    await node.waitFor();
    await shot(page, '03-validation-error');
    // Connect it by dragging from its event to a widget's input, and through the panel.
    const edgeCount = await page.locator('.react-flow__edge').count();
    const from = await node.locator('.handle-source').first().boundingBox();
    const to = await page.locator(`[data-widget="${subject.messageWidget}"] .handle-target`).boundingBox();
    await page.mouse.move(from!.x + from!.width / 2, from!.y + from!.height / 2);
    await page.mouse.down();
    await page.mouse.move(to!.x + to!.width / 2, to!.y + to!.height / 2, { steps: 10 });
    await page.mouse.up();
    await page.locator('.react-flow__edge[data-id="say_play_1#0"]').waitFor({ state: 'attached' });
    assert.equal(await page.locator('.react-flow__edge').count(), edgeCount + 1);
    await node.click();
    const next = page.getByRole('form', { name: 'Properties of say_play_1' }).getByLabel('Next widget after audioComplete');
    assert.equal(await next.inputValue(), subject.messageWidget);
    await next.selectOption('');
    await page.locator('.react-flow__edge[data-id="say_play_1#0"]').waitFor({ state: 'detached' });
    await form.getByRole('button', { name: 'Delete widget' }).click();
    await node.waitFor({ state: 'detached' });
    // Undo brings it back, redo removes it again; the error count follows.
    await page.getByRole('button', { name: 'Undo' }).click();
    await node.waitFor();
    await page.getByRole('button', { name: 'Redo' }).click();
    await node.waitFor({ state: 'detached' });
    await page.locator('.editor-title .badge-error').waitFor({ state: 'detached' });
  });

  it('edits a message body and publishes it', async () => {
    await page.locator(`[data-widget="${subject.messageWidget}"]`).click();
    const form = page.getByRole('form', { name: `Properties of ${subject.messageWidget}` });
    await form.getByLabel('body').fill(NEW_BODY);
    await page.getByLabel('Commit message').fill('Friendlier greeting');
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByRole('status').filter({ hasText: /Published revision 2/ }).waitFor();
    const flow = await server.app.store.getFlow(server.account.sid, flowSid);
    assert.equal(flow?.status, 'published');
    assert.equal(flow?.revision, 2);
    const revision = await server.app.store.getRevision(server.account.sid, flowSid, 'LatestPublished');
    const edited = revision!.definition.states.find((s) => s.name === subject.messageWidget)!;
    assert.equal(edited.properties.body, NEW_BODY);
    // Export downloads the definition as it is on the canvas.
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export' }).click();
    const file = await (await download).path();
    const exported = JSON.parse(readFileSync(file, 'utf8')) as { states: { name: string; properties: Record<string, unknown> }[] };
    assert.equal(exported.states.length, definition.states.length);
    assert.equal(exported.states.find((s) => s.name === subject.messageWidget)!.properties.body, NEW_BODY);
  });

  it('texts the flow in the simulator and shows the reply and the steps live', async () => {
    await page.getByRole('tab', { name: 'Chat' }).click();
    await page.getByText('live', { exact: true }).waitFor();
    await page.getByLabel('Message', { exact: true }).fill('hi');
    await page.getByRole('button', { name: 'Send' }).click();
    const transcript = page.getByRole('list', { name: 'Conversation' });
    await transcript.locator('[data-direction="inbound"]', { hasText: 'hi' }).waitFor();
    await transcript.locator('[data-direction="outbound-api"]', { hasText: NEW_BODY }).waitFor();
    const steps = page.getByRole('list', { name: 'Steps of the latest execution' });
    await steps.locator('.step-item', { hasText: 'Trigger' }).filter({ hasText: 'incomingMessage' }).waitFor();
    // The path so far is highlighted on the canvas.
    await page.locator(`[data-widget="${subject.messageWidget}"].is-visited`).waitFor();
    await shot(page, '04-simulator');
  });

  it('calls an IVR flow on the simulator phone and presses a key', async () => {
    const ivr = await server.app.flows.create(server.account.sid, {
      friendlyName: 'IVR menu',
      status: 'published',
      definition: JSON.parse(readFileSync(IVR, 'utf8')),
    });
    await page.goto(`${server.baseUrl}/flows/${ivr.sid}`);
    await page.getByRole('tab', { name: 'Phone' }).click();
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    const transcript = page.getByRole('list', { name: 'Call transcript' });
    await transcript.locator('[data-who="flow"]', { hasText: 'Press 1 for our opening hours.' }).waitFor();
    await page.getByRole('button', { name: 'Key 1' }).click();
    await page.getByRole('button', { name: 'Press', exact: true }).click();
    await transcript.locator('[data-who="caller"]', { hasText: '1' }).waitFor();
    await transcript.locator('[data-who="flow"]', { hasText: 'We are open from nine to five.' }).waitFor();
    const steps = page.getByRole('list', { name: "Steps of the call's execution" });
    await steps.locator('.step-item', { hasText: 'gather_menu' }).filter({ hasText: 'keypress' }).waitFor();
    await steps.locator('.step-item', { hasText: 'split_key' }).filter({ hasText: 'say_hours' }).waitFor();
    await page.locator('[data-widget="say_hours"].is-visited').waitFor();
    await shot(page, '05-phone');
    await page.goto(`${server.baseUrl}/flows/${flowSid}`);
    await page.locator('.react-flow__node').first().waitFor();
  });

  it('lists executions and shows one with its steps, path and contexts', async () => {
    // Twenty REST-triggered executions (they end at once: the Trigger's incomingRequest leads nowhere).
    for (let i = 0; i < 20; i++) {
      const response = await fetch(`${server.baseUrl}/v2/Flows/${flowSid}/Executions`, {
        method: 'POST',
        headers: { authorization: server.auth, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ To: `+1555000${String(i).padStart(4, '0')}`, From: '+15005550006' }),
      });
      assert.equal(response.status, 201);
    }
    await page.getByRole('link', { name: 'Executions' }).click();
    await page.getByRole('heading', { name: 'Executions' }).waitFor();
    const rows = page.locator('table tbody tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 20);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('Page 2').waitFor();
    assert.equal(await rows.count(), 1);
    await page.getByRole('button', { name: 'Previous' }).click();
    await page.getByText('Page 1').waitFor();
    await page.getByLabel('Status').selectOption('ended');
    await page.getByLabel('Created from').fill('2000-01-01T00:00');
    await page.getByLabel('Created to').fill('2000-01-02T00:00');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('No executions match.').waitFor();
    assert.equal(await page.getByRole('navigation', { name: 'Pages' }).count(), 0, 'one page needs no paging controls');
    await page.getByLabel('Created from').fill('');
    await page.getByLabel('Created to').fill('');
    await page.getByLabel('Status').selectOption('active');
    await page.getByRole('button', { name: 'Apply' }).click();
    // A locator, not waitForFunction with a string: the console's CSP forbids the eval that polls one.
    // The list was empty (the last filter matched nothing): the first row is the new list.
    await rows.first().waitFor();
    assert.equal(await rows.count(), 1);
    await shot(page, '06-executions');
    await rows.first().getByRole('link').click();
    await page.getByRole('heading', { name: /Steps \(\d+\)/ }).waitFor();
    await page.locator('.timeline-item summary').first().click();
    await page.locator('.timeline-item .json-tree').first().waitFor();
    await page.locator('[data-widget].is-visited').first().waitFor();
    // Revision 2, the newest, is the published one: the picker does not call it a draft.
    const picker = page.getByLabel('Revision to replay against');
    await picker.locator('option[value="LatestRevision"]', { hasText: 'the latest revision (2, published)' }).waitFor({ state: 'attached' });
    await picker.locator('option[value="LatestPublished"]', { hasText: 'the published revision (2)' }).waitFor({ state: 'attached' });
    await page.getByRole('button', { name: 'Replay' }).click();
    const replay = page.getByRole('status', { name: 'Replay result' });
    await replay.getByText(/on revision 2/).waitFor();
    await replay.getByText(`Trigger -incomingMessage-> ${subject.messageWidget}`).waitFor();
    await shot(page, '07-execution');
    // Ending asks first.
    const asked = new Promise<string>((resolve) => page.once('dialog', (dialog) => void dialog.accept().then(() => resolve(dialog.message()))));
    await page.getByRole('button', { name: 'End execution' }).click();
    assert.match(await asked, /End this execution\?/);
    await page.locator('.facts .status-ended').waitFor();
  });

  it('texts a saved draft as a test user', async () => {
    await page.goto(`${server.baseUrl}/flows/${flowSid}`);
    await page.locator(`[data-widget="${subject.messageWidget}"]`).click();
    await page.getByRole('form', { name: `Properties of ${subject.messageWidget}` }).getByLabel('body').fill(DRAFT_BODY);
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByRole('status').filter({ hasText: /Saved draft revision 3/ }).waitFor();
    await page.getByRole('tab', { name: 'Chat' }).click();
    await page.getByLabel('Text as').fill('+15551230009');
    await page.getByRole('button', { name: 'Use', exact: true }).click();
    const testUser = page.getByLabel('Run the latest draft for this contact (test user)');
    await testUser.check();
    await page.getByText('Messages run the latest revision, drafts included.').waitFor();
    for (let i = 0; i < 50 && (await server.app.store.getTestUsers(server.account.sid, flowSid))?.length === 0; i++) await page.waitForTimeout(100);
    assert.deepEqual(await server.app.store.getTestUsers(server.account.sid, flowSid), ['+15551230009']);
    await page.getByLabel('Message', { exact: true }).fill('hello');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('list', { name: 'Conversation' }).locator('[data-direction="outbound-api"]', { hasText: DRAFT_BODY }).waitFor();
  });

  it("labels a draft saved after the publish as the latest revision in the Replay picker", async () => {
    const listed = await fetch(`${server.baseUrl}/v2/Flows/${flowSid}/Executions`, { headers: { authorization: server.auth } });
    const executionSid = ((await listed.json()) as { executions: { sid: string }[] }).executions[0]!.sid;
    await page.goto(`${server.baseUrl}/flows/${flowSid}/executions/${executionSid}`);
    const picker = page.getByLabel('Revision to replay against');
    await picker.locator('option[value="LatestRevision"]', { hasText: 'the latest revision (3, draft)' }).waitFor({ state: 'attached' });
    await picker.locator('option[value="LatestPublished"]', { hasText: 'the published revision (2)' }).waitFor({ state: 'attached' });
  });

  it('compares two revisions side by side', async () => {
    await page.goto(`${server.baseUrl}/flows/${flowSid}/revisions`);
    await page.getByRole('table', { name: /Differences between Revision 2 and Revision 3/ }).waitFor();
    await page.locator('.diff-del', { hasText: NEW_BODY }).waitFor();
    await page.locator('.diff-ins', { hasText: DRAFT_BODY }).waitFor();
    // The changed body's widget is named above its lines (line numbers alone did not say whose body it was).
    assert.deepEqual(await page.locator('.diff-where').allTextContents(), [`Widget ${subject.messageWidget}`]);
    await page.getByLabel('From (older revision)').selectOption('1');
    await page.getByRole('table', { name: /Differences between Revision 1 and Revision 3/ }).waitFor();
    await shot(page, '08-revisions');
  });

  it('builds a flow from scratch: create, add and connect a widget, publish, text it', async () => {
    await page.goto(`${server.baseUrl}/flows`);
    await page.getByRole('button', { name: 'New flow' }).click();
    const dialog = page.getByRole('dialog', { name: 'New flow' });
    await dialog.getByLabel('Name', { exact: true }).fill('From scratch');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(/\/flows\/FW[0-9a-f]{32}$/);
    await page.locator('[data-widget="Trigger"]').waitFor();
    await page.getByLabel('Widget type to add').selectOption('send-message');
    await page.getByRole('button', { name: 'Add widget' }).click();
    const form = page.getByRole('form', { name: 'Properties of send_message_1' });
    await form.getByLabel('body').fill('Thanks for writing, {{trigger.message.Body}}!');
    await page.getByLabel('Go to widget').selectOption('Trigger');
    await page.getByRole('form', { name: 'Properties of Trigger' }).getByLabel('Next widget after incomingMessage').selectOption('send_message_1');
    await page.locator('.react-flow__edge[data-id="Trigger#0"]').waitFor({ state: 'attached' });
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByRole('status').filter({ hasText: /Published revision 2/ }).waitFor();
    await page.getByRole('tab', { name: 'Chat' }).click();
    await page.getByLabel('Message', { exact: true }).fill('scratch');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('list', { name: 'Conversation' }).locator('[data-direction="outbound-api"]', { hasText: 'Thanks for writing, scratch!' }).waitFor();
    await page.getByRole('list', { name: 'Steps of the latest execution' }).locator('.step-item', { hasText: 'send_message_1' }).filter({ hasText: 'Ended' }).waitFor();
    // The next message can be made to fail on delivery.
    await page.getByLabel("The flow's next message").selectOption('delivery');
    await page.getByLabel('Message', { exact: true }).fill('again');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('list', { name: 'Conversation' }).locator('[data-direction="outbound-api"]', { hasText: 'Thanks for writing, again!' }).filter({ hasText: 'undelivered' }).waitFor();
    // Used up: the select reads it back from the server once the reply shows, so it is waited for, not looked at once.
    await untilValue(page.getByLabel("The flow's next message"), '');
    await page.getByRole('button', { name: 'Rename flow' }).click();
    const rename = page.getByRole('dialog', { name: 'Rename flow' });
    await rename.getByLabel('Name', { exact: true }).fill('Built from scratch');
    await rename.getByRole('button', { name: 'Rename' }).click();
    await page.getByRole('heading', { name: 'Built from scratch' }).waitFor();
    const flows = await server.app.store.listFlows(server.account.sid, { pageSize: 50 });
    assert.ok(flows.items.some((f) => f.friendlyName === 'Built from scratch' && f.status === 'published'));
  });

  it('is keyboard operable: a widget selected with Enter opens its properties', async () => {
    await page.goto(`${server.baseUrl}/flows/${flowSid}`);
    const node = page.locator(`.react-flow__node[data-id="${subject.messageWidget}"]`);
    await node.waitFor();
    // Widgets are in the tab order; focus one as Tab would and select it with Enter.
    assert.equal(await node.getAttribute('tabindex'), '0');
    await node.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('form', { name: `Properties of ${subject.messageWidget}` }).waitFor();
    // Arrow keys move the selected widget, and the move is an edit of its offset.
    const before = await node.boundingBox();
    await node.focus();
    await page.keyboard.press('ArrowRight');
    await page.getByText('unsaved changes').waitFor();
    assert.ok((await node.boundingBox())!.x > before!.x, 'the widget moved right');
    await page.getByRole('button', { name: 'Undo' }).click();
    await page.getByText('unsaved changes').waitFor({ state: 'detached' });
    // The side panel's tabs and the widget picker work from the keyboard too.
    await page.getByLabel('Go to widget').selectOption('Trigger');
    await page.getByRole('form', { name: 'Properties of Trigger' }).waitFor();
  });

  it('works in a narrow window', async () => {
    await page.setViewportSize({ width: 420, height: 860 });
    await page.goto(`${server.baseUrl}/flows/${flowSid}`);
    await page.locator('.react-flow__node').first().waitFor();
    await page.getByRole('tab', { name: 'Properties' }).waitFor();
    const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    assert.ok((overflow as number) <= 1, `page scrolls sideways by ${overflow}px`);
    await shot(page, '09-narrow-editor');
    await page.getByRole('tab', { name: 'Chat' }).click();
    await page.getByRole('list', { name: 'Conversation' }).waitFor();
    await page.getByRole('tab', { name: 'Chat' }).scrollIntoViewIfNeeded();
    const chatOverflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    assert.ok((chatOverflow as number) <= 1, `chat scrolls sideways by ${chatOverflow}px`);
    await shot(page, '09-narrow-chat');
    await page.goto(`${server.baseUrl}/flows`);
    await page.getByRole('heading', { name: 'Flows' }).waitFor();
    await shot(page, '10-narrow-flows');
  });

  it('keeps a flow name of any length on one line, in the list and over the editor', async () => {
    await page.setViewportSize({ width: 1280, height: 860 });
    const longName = 'Very long name '.repeat(400);
    const created = await fetch(`${server.baseUrl}/v2/Flows`, {
      method: 'POST',
      headers: { authorization: server.auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ FriendlyName: longName, Status: 'draft', Definition: readFileSync(FIXTURE, 'utf8') }),
    });
    assert.equal(created.status, 201);
    const longSid = ((await created.json()) as { sid: string }).sid;
    try {
      await page.goto(`${server.baseUrl}/flows`);
      const row = page.locator('tr', { has: page.locator(`a[href="/flows/${longSid}"]`) }).first();
      await row.waitFor();
      await shot(page, '11-long-name-list');
      const height = (await row.boundingBox())!.height;
      assert.ok(height < 80, `the row is ${height}px tall`);
      const status = (await row.locator('td').nth(2).boundingBox())!;
      assert.ok(status.x + status.width <= 1280, 'the Status column is on screen');
      assert.equal(await row.locator('a.clip').getAttribute('title'), longName, 'the whole name is in the title');
      await page.goto(`${server.baseUrl}/flows/${longSid}`);
      const heading = page.getByRole('heading', { level: 1 });
      await heading.waitFor();
      assert.ok((await heading.boundingBox())!.height < 60, 'the editor heading is one line');
      await shot(page, '11-long-name-editor');
    } finally {
      await fetch(`${server.baseUrl}/v2/Flows/${longSid}`, { method: 'DELETE', headers: { authorization: server.auth } });
    }
  });

  it('logged no console errors', () => {
    assert.deepEqual(browser.errors, []);
  });
});
