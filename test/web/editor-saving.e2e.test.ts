// Saving and leaving in the flow editor, in Chromium, as a reviewer found them: two tabs on one flow
// (the later save is refused, says who saved which revision, and offers to save anyway, load theirs or
// compare); Export with unsaved changes downloads without asking; a long property panel scrolls on its
// own with the header and toolbar in view; a widget name typed but not yet committed is saved (and
// counts as unsaved when leaving); new widgets do not overlap; a narrow window never scrolls sideways.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { ensureConsoleBuilt } from '../../web/ensure-built.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { launchBrowser, noChromium, signIn, type Browser } from './browser.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';

const at = (x: number, y: number) => ({ offset: { x, y } });
const SEND = { from: '{{flow.channel.address}}', to: '{{contact.channel.address}}' };
/** A Liquid path too long for a narrow panel, in a split whose condition's arguments differ from it (a warning quoting both). */
const LONG_TOKEN = '{{widgets.a_widget_with_a_rather_long_name_that_does_not_exist.parsed.some_field_with_a_long_name}}';

const FLOW: FlowDefinition = {
  description: 'editor saving',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', properties: at(0, 0), transitions: [{ event: 'incomingMessage', next: 'reply' }, { event: 'incomingCall' }, { event: 'incomingRequest' }] },
    { name: 'reply', type: 'send-message', properties: { ...at(0, 250), ...SEND, body: 'Hi' }, transitions: [{ event: 'sent' }, { event: 'failed' }] },
    {
      name: 'many',
      type: 'set-variables',
      properties: { ...at(400, 250), variables: Array.from({ length: 30 }, (_, i) => ({ key: `v${i}`, value: String(i) })) },
      transitions: [{ event: 'next' }],
    },
    {
      name: 'split',
      type: 'split-based-on',
      properties: { ...at(800, 250), input: LONG_TOKEN },
      transitions: [{ event: 'noMatch' }, { event: 'match', conditions: [{ friendly_name: 'If yes', arguments: [''], type: 'equal_to', value: 'yes' }] }],
    },
  ],
} as unknown as FlowDefinition;

interface SavedFlow {
  revision: number;
  definition: FlowDefinition;
}

describe('saving and leaving in the flow editor (Chromium)', { skip: noChromium, timeout: 180_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  /** Every dialog (confirm, beforeunload) shown on `page`, answered by `answer`. */
  const dialogs: string[] = [];
  let answer: 'accept' | 'dismiss' = 'dismiss';

  const node = (p: Page, name: string) => p.locator(`.react-flow__node[data-id="${name}"]`);
  const create = async (name: string) => (await server.app.flows.create(server.account.sid, { friendlyName: name, status: 'draft', definition: FLOW })).sid;
  const open = async (p: Page, sid: string) => {
    await p.goto(`${server.baseUrl}/flows/${sid}`);
    await node(p, 'reply').waitFor();
  };
  const fetchFlow = async (sid: string): Promise<SavedFlow> => (await fetch(`${server.baseUrl}/v2/Flows/${sid}`, { headers: { authorization: server.auth } })).json() as Promise<SavedFlow>;
  const revisionNumbers = async (sid: string): Promise<number[]> => {
    const page = (await (await fetch(`${server.baseUrl}/v2/Flows/${sid}/Revisions`, { headers: { authorization: server.auth } })).json()) as { revisions: { revision: number }[] };
    return page.revisions.map((r) => r.revision);
  };
  const bodyOf = (definition: FlowDefinition) => (definition.states.find((s) => s.name === 'reply')!.properties as { body: string }).body;
  const select = (p: Page, name: string) => p.getByLabel('Go to widget').selectOption(name);
  const bodyField = (p: Page) => p.getByRole('form', { name: 'Properties of reply' }).locator('[data-property="body"] textarea');
  const inView = async (locator: Locator, height: number) => {
    const box = (await locator.boundingBox())!;
    return box.y >= 0 && box.y + box.height <= height;
  };

  before(async () => {
    await ensureConsoleBuilt();
    server = await startTestServer({ listen: true });
    browser = await launchBrowser();
    page = browser.page;
    page.setDefaultTimeout(10_000);
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message() || dialog.type());
      void (answer === 'accept' ? dialog.accept() : dialog.dismiss());
    });
    await signIn(page, server.baseUrl, server.account);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('refuses the later of two tabs’ saves, names both revisions, and offers save anyway, load theirs and compare', async () => {
    const sid = await create('Two tabs');
    const other = await browser.context.newPage();
    other.setDefaultTimeout(10_000);
    try {
      await signIn(other, server.baseUrl, server.account);
      await open(page, sid);
      await open(other, sid);

      // The other tab saves first: revision 2.
      await select(other, 'reply');
      await bodyField(other).fill('Theirs');
      await other.getByRole('button', { name: 'Save draft' }).click();
      await other.getByText('Saved draft revision 2.').waitFor();

      // This tab, still on revision 1, is refused; its edits stay.
      await select(page, 'reply');
      await bodyField(page).fill('Mine');
      await page.getByRole('button', { name: 'Save draft' }).click();
      const alert = page.getByRole('alert').filter({ hasText: 'Not saved' });
      await alert.waitFor();
      assert.match(await alert.innerText(), /someone else saved revision 2 of this flow since revision 1/);
      assert.deepEqual(await revisionNumbers(sid), [2, 1]);
      assert.equal(bodyOf((await fetchFlow(sid)).definition), 'Theirs');
      assert.equal(await bodyField(page).inputValue(), 'Mine');
      await page.getByText('unsaved changes').waitFor();
      const compare = alert.getByRole('link', { name: /Compare revisions/ });
      assert.equal(await compare.getAttribute('href'), `/flows/${sid}/revisions`);
      assert.equal(await compare.getAttribute('target'), '_blank');

      // Save anyway replaces revision 2, knowingly.
      await alert.getByRole('button', { name: 'Save anyway (replace revision 2)' }).click();
      await page.getByText('Saved draft revision 3.').waitFor();
      assert.equal(bodyOf((await fetchFlow(sid)).definition), 'Mine');

      // Now the other tab is behind: refused, it loads revision 3 (after confirming), and saves on it.
      await bodyField(other).fill('Theirs again');
      await other.getByRole('button', { name: 'Save draft' }).click();
      const otherAlert = other.getByRole('alert').filter({ hasText: 'Not saved' });
      await otherAlert.waitFor();
      assert.match(await otherAlert.innerText(), /revision 3 of this flow since revision 2/);
      const asked = new Promise<string>((resolve) => other.once('dialog', (dialog) => void dialog.accept().then(() => resolve(dialog.message()))));
      await otherAlert.getByRole('button', { name: 'Load revision 3 (discard your changes)' }).click();
      assert.match(await asked, /Load revision 3 and discard your unsaved changes\?/);
      await other.getByText('Loaded revision 3.').waitFor();
      await select(other, 'reply');
      assert.equal(await bodyField(other).inputValue(), 'Mine');
      assert.equal(await other.getByText('unsaved changes').count(), 0);
      await bodyField(other).fill('Theirs on top of mine');
      await other.getByRole('button', { name: 'Save draft' }).click();
      await other.getByText('Saved draft revision 4.').waitFor();
      assert.equal(bodyOf((await fetchFlow(sid)).definition), 'Theirs on top of mine');
    } finally {
      await other.close();
    }
  });

  it('exports with unsaved changes without asking, and still asks when leaving', async () => {
    const sid = await create('Export unsaved');
    await open(page, sid);
    await select(page, 'reply');
    await bodyField(page).fill('Not saved yet');
    await page.getByText('unsaved changes').waitFor();
    dialogs.splice(0);
    const download = page.waitForEvent('download', { timeout: 5000 });
    await page.getByRole('button', { name: 'Export' }).click();
    const file = await download;
    assert.equal(file.suggestedFilename(), 'export-unsaved.json');
    assert.deepEqual(dialogs, [], 'Export asked nothing');
    await page.getByText('unsaved changes').waitFor();
    // A link away still asks; declining stays.
    answer = 'dismiss';
    await page.getByRole('link', { name: 'Executions' }).click();
    assert.equal(dialogs.length, 1);
    assert.match(dialogs[0]!, /unsaved changes/);
    assert.match(page.url(), new RegExp(`/flows/${sid}$`));
    answer = 'accept';
  });

  it('keeps the page the height of the window: a long panel scrolls on its own, header and toolbar stay in view', async () => {
    const sid = await create('Long panel');
    await page.setViewportSize({ width: 1440, height: 600 });
    try {
      await open(page, sid);
      await select(page, 'many');
      const form = page.getByRole('form', { name: 'Properties of many' });
      await form.waitFor();
      const panel = page.locator('#panel-properties');
      const sizes = (await panel.evaluate((el) => ({ scroll: el.scrollHeight, client: el.clientHeight }))) as { scroll: number; client: number };
      assert.ok(sizes.scroll > sizes.client + 200, `the panel scrolls (${sizes.scroll} > ${sizes.client})`);
      assert.equal(await page.evaluate('document.documentElement.scrollHeight - document.documentElement.clientHeight'), 0, 'the page is no taller than the window');
      await panel.evaluate((el) => el.scrollTo(0, el.scrollHeight));
      await form.getByRole('button', { name: 'Delete widget' }).waitFor();
      assert.ok(await inView(form.getByRole('button', { name: 'Delete widget' }), 600), 'the end of the form is reachable');
      assert.equal(await page.evaluate('window.scrollY'), 0);
      for (const name of ['Save draft', 'Publish', 'Undo', 'Add widget']) assert.ok(await inView(page.getByRole('button', { name, exact: true }), 600), `${name} is in view`);
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }
  });

  it('saves a widget name typed but not committed (Save clicked without moving focus, as Safari does)', async () => {
    const sid = await create('Typed name');
    await open(page, sid);
    await select(page, 'reply');
    const name = page.getByRole('form', { name: 'Properties of reply' }).getByLabel('Widget name');
    await name.fill('reply_renamed');
    // A click that leaves focus in the field (Safari does not focus buttons on click).
    await page.getByRole('button', { name: 'Save draft' }).dispatchEvent('click');
    await page.getByText('Saved draft revision 2.').waitFor();
    const saved = await fetchFlow(sid);
    assert.deepEqual(
      saved.definition.states.map((s) => s.name),
      ['Trigger', 'reply_renamed', 'many', 'split'],
    );
    assert.equal(await page.getByText('unsaved changes').count(), 0);
    await page.getByRole('form', { name: 'Properties of reply_renamed' }).waitFor();
  });

  it('does not save while a field holds text it could not apply, and says which field', async () => {
    const sid = await create('Unusable name');
    await open(page, sid);
    await select(page, 'reply');
    const name = page.getByRole('form', { name: 'Properties of reply' }).getByLabel('Widget name');
    await name.fill('has spaces');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByText(/^Not saved: Widget name holds a value that is not applied/).waitFor();
    assert.deepEqual(await revisionNumbers(sid), [1]);
    assert.equal(await page.evaluate('document.activeElement && document.activeElement.getAttribute("name")'), 'widget-name');
  });

  it('says "Not saved" when the server cannot be reached, keeps the edits, and saves them once it answers again', async () => {
    const sid = await create('Server away');
    await open(page, sid);
    await select(page, 'reply');
    await page.getByRole('form', { name: 'Properties of reply' }).getByLabel('Widget name').fill('reply_away');
    // The save's request never reaches the server, as when it is stopped.
    const saveUrl = `${server.baseUrl}/v2/Flows/${sid}`;
    const cut = (route: { request(): { method(): string }; abort(): Promise<void>; fallback(): Promise<void> }) => (route.request().method() === 'POST' ? route.abort() : route.fallback());
    await page.route(saveUrl, cut);
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByText(/^Not saved: The Switchboard server cannot be reached: .* Your changes are still here\.$/).waitFor();
    assert.deepEqual(await revisionNumbers(sid), [1]);
    await page.unroute(saveUrl, cut);
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByText('Saved draft revision 2.').waitFor();
    assert.equal((await fetchFlow(sid)).definition.states[1]!.name, 'reply_away');
  });

  it('keeps the renamed widget in the panel through Undo and Redo of the rename', async () => {
    const sid = await create('Rename undo');
    await open(page, sid);
    await select(page, 'reply');
    await page.getByRole('form', { name: 'Properties of reply' }).getByLabel('Widget name').fill('greeting');
    await page.getByRole('form', { name: 'Properties of reply' }).getByLabel('Widget name').press('Enter');
    await page.getByRole('form', { name: 'Properties of greeting' }).waitFor();
    await page.getByRole('button', { name: 'Undo' }).click();
    await page.getByRole('form', { name: 'Properties of reply' }).waitFor();
    await page.getByRole('button', { name: 'Redo' }).click();
    await page.getByRole('form', { name: 'Properties of greeting' }).waitFor();
  });

  it('counts a typed, uncommitted name as unsaved when leaving with Back', async () => {
    const sid = await create('Typed then Back');
    // Into the editor from the list, so that Back is the console's own navigation.
    await page.goto(`${server.baseUrl}/flows`);
    await page.getByRole('link', { name: 'Typed then Back' }).click();
    await node(page, 'reply').waitFor();
    await select(page, 'reply');
    await page.getByRole('form', { name: 'Properties of reply' }).getByLabel('Widget name').fill('renamed_then_back');
    dialogs.splice(0);
    answer = 'dismiss';
    await page.goBack();
    await page.getByText('unsaved changes').waitFor();
    answer = 'accept';
    assert.equal(dialogs.length, 1);
    assert.match(dialogs[0]!, /unsaved changes/);
    assert.match(page.url(), new RegExp(`/flows/${sid}$`));
    await node(page, 'renamed_then_back').waitFor();
  });

  it('places new widgets, Send & Wait For Reply included, without overlapping any', async () => {
    const sid = await create('No overlap');
    await open(page, sid);
    await page.getByLabel('Widget type to add').selectOption('send-and-wait-for-reply');
    for (let i = 0; i < 4; i++) await page.getByRole('button', { name: 'Add widget' }).click();
    await page.getByLabel('Widget type to add').selectOption('make-http-request');
    for (let i = 0; i < 2; i++) await page.getByRole('button', { name: 'Add widget' }).click();
    await page.locator('.react-flow__node').nth(FLOW.states.length + 5).waitFor();
    await page.waitForTimeout(300);
    const boxes = (await page.locator('.react-flow__node').evaluateAll((nodes) =>
      nodes.map((n) => {
        const r = n.getBoundingClientRect();
        return { name: n.getAttribute('data-id'), left: r.left, top: r.top, right: r.right, bottom: r.bottom };
      }),
    )) as { name: string; left: number; top: number; right: number; bottom: number }[];
    assert.equal(boxes.length, FLOW.states.length + 6);
    for (const [i, a] of boxes.entries()) {
      for (const b of boxes.slice(i + 1)) {
        const overlap = a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
        assert.ok(!overlap, `${a.name} and ${b.name} overlap`);
      }
    }
  });

  it('in a narrow window, never scrolls sideways: a long Liquid token in a finding wraps; the hint says where events are', async () => {
    const sid = await create('Narrow');
    await page.setViewportSize({ width: 400, height: 800 });
    try {
      await open(page, sid);
      const hint = page.locator('#panel-properties .empty-panel');
      assert.match(await hint.innerText(), /on the widget’s right edge[^.]*as on the Trigger/);
      await select(page, 'split');
      const form = page.getByRole('form', { name: 'Properties of split' });
      await form.getByText('differ from the split input').first().waitFor();
      assert.equal(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'), 0);
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }
  });
});
