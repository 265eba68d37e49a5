// The console for keyboard and screen-reader users, as an accessibility review found it (Chromium):
// focus is seen on widgets and connections and stays somewhere sensible (Save and Publish keep it,
// deleting a widget hands it on, dialogs open on their first field, a new page focuses its heading);
// widgets, connections, fields and changed diff lines say in words what the canvas and colours show;
// one main landmark and one banner per page; names that contain the words shown; the save notices'
// live region stays in the page.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import type { TestServer } from '../support/server.ts';
import { basicAuth } from '../support/server.ts';
import { closeSignedInConsole, noChromium, openSignedInConsole, until, type Browser } from './browser.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';

const at = (x: number, y: number) => ({ offset: { x, y } });
const SEND = { from: '{{flow.channel.address}}', to: '{{contact.channel.address}}' };

/** Trigger -> reply, whose two events both lead to say_hi (two connections between the same widgets); setv off to the side. */
const FLOW: FlowDefinition = {
  description: 'accessibility',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', properties: at(0, 0), transitions: [{ event: 'incomingMessage', next: 'reply' }, { event: 'incomingCall' }, { event: 'incomingRequest' }] },
    { name: 'reply', type: 'send-message', properties: { ...at(0, 250), ...SEND, body: 'Hi' }, transitions: [{ event: 'sent', next: 'say_hi' }, { event: 'failed', next: 'say_hi' }] },
    { name: 'say_hi', type: 'say-play', properties: { ...at(0, 500), say: 'Hello caller' }, transitions: [{ event: 'audioComplete' }] },
    { name: 'setv', type: 'set-variables', properties: { ...at(450, 250), variables: [{ key: 'a', value: '1' }] }, transitions: [{ event: 'next' }] },
  ],
} as unknown as FlowDefinition;

/** What has focus, for failure messages: tag, name and data-id. */
const FOCUSED = `(() => {
  const e = document.activeElement;
  if (!e || e === document.body) return 'BODY';
  return [e.tagName, e.getAttribute('aria-label') || e.textContent?.trim().slice(0, 40) || '', e.getAttribute('data-id') || ''].join(' | ');
})()`;

describe('accessibility of the console (Chromium)', { skip: noChromium, timeout: 180_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  const focused = () => page.evaluate<string>(FOCUSED);
  const hasFocus = (locator: Locator) => locator.evaluate((el) => el === el.ownerDocument.activeElement);
  /** Waits until `locator` has focus; fails saying what has it instead. */
  const untilFocused = async (locator: Locator, what: string) => {
    try {
      await until(`${what} has focus`, () => hasFocus(locator));
    } catch {
      assert.fail(`${what} should have focus; ${await focused()} has`);
    }
  };
  const node = (name: string) => page.locator(`.react-flow__node[data-id="${name}"]`);
  const create = async (name: string, definition: FlowDefinition = FLOW, status: 'draft' | 'published' = 'published') =>
    (await server.app.flows.create(server.account.sid, { friendlyName: name, status, definition })).sid;
  const open = async (sid: string) => {
    await page.goto(`${server.baseUrl}/flows/${sid}`);
    await node('setv').waitFor();
  };
  const style = (locator: Locator, property: 'outlineStyle' | 'outlineWidth' | 'outlineColor' | 'boxShadow' | 'strokeWidth' | 'stroke') =>
    locator.evaluate((el, p) => el.ownerDocument.defaultView!.getComputedStyle(el)[p], property);

  before(async () => {
    ({ server, browser, page } = await openSignedInConsole());
  });

  after(() => closeSignedInConsole({ server, browser }));

  it('names the page in the title and focuses its heading on sign-in and after following a link', async () => {
    // Signing in: the form that had focus is gone; the flow list's heading takes it.
    await untilFocused(page.getByRole('heading', { name: 'Flows', level: 1 }), 'the flow list heading after sign-in');
    assert.equal(await page.title(), 'Flows · Switchboard');
    const sid = await create('Titled flow');
    await page.reload();
    await page.getByRole('link', { name: 'Titled flow' }).click();
    await node('setv').waitFor();
    await untilFocused(page.getByRole('heading', { name: 'Titled flow', level: 1 }), 'the editor heading');
    assert.equal(await page.title(), 'Titled flow · Switchboard');
    await page.getByRole('link', { name: 'Revisions' }).click();
    await untilFocused(page.getByRole('heading', { name: 'Revisions', level: 1 }), 'the revisions heading');
    await until('the title names the flow', async () => (await page.title()) === 'Revisions · Titled flow · Switchboard');
    await page.goto(`${server.baseUrl}/flows/${sid}/executions`);
    await until('the executions title', async () => (await page.title()) === 'Executions · Titled flow · Switchboard');
    await page.goto(`${server.baseUrl}/flows/FW00000000000000000000000000000000`);
    await until('the problem page title', async () => (await page.title()) === 'Flow not found · Switchboard');
  });

  it('has one main landmark and one banner on the editor; the canvas tools are a group, not a toolbar without arrow keys', async () => {
    await open(await create('Landmarks'));
    assert.equal(await page.getByRole('main').count(), 1);
    assert.equal(await page.getByRole('banner').count(), 1);
    assert.equal(await page.getByRole('main').getByRole('heading', { name: 'Landmarks', level: 1 }).count(), 1);
    assert.equal(await page.getByRole('toolbar').count(), 0);
    assert.equal(await page.getByRole('group', { name: 'Canvas tools' }).count(), 1);
    // Label in name: the list shown as "Go to" is named so.
    await page.getByRole('combobox', { name: 'Go to widget', exact: true }).selectOption('setv');
    await page.getByRole('form', { name: 'Properties of setv' }).getByRole('button', { name: '+ Add row to variables' }).waitFor();
  });

  it('shows a focus ring on a focused widget, a thicker line on a focused connection, and a two-tone ring on a button', async () => {
    await open(await create('Focus rings'));
    await page.getByRole('button', { name: 'Add widget' }).focus();
    await page.keyboard.press('Shift'); // keyboard use: focus() below is shown as :focus-visible
    await node('reply').focus();
    const widget = node('reply').locator('.widget-node');
    assert.equal(await style(widget, 'outlineStyle'), 'solid', 'the focused widget has an outline');
    assert.ok(parseFloat(await style(widget, 'outlineWidth')) >= 2, 'at least 2px');
    assert.equal(await style(widget, 'outlineColor'), 'rgb(29, 36, 51)', 'dark (--text), 3:1 and more against the canvas');
    const edge = page.locator('.react-flow__edge[data-id="reply#0"]');
    const line = edge.locator('.react-flow__edge-path');
    const plain = parseFloat(await style(line, 'strokeWidth'));
    await edge.focus();
    assert.ok(parseFloat(await style(line, 'strokeWidth')) > plain + 1, 'a focused connection is drawn thicker');
    const undo = page.getByRole('button', { name: 'Add widget' });
    await undo.focus();
    assert.equal(await style(undo, 'outlineColor'), 'rgb(29, 36, 51)');
    assert.match(await style(undo, 'boxShadow'), /rgb\(242, 183, 5\)/, 'a yellow ring outside the dark one');
  });

  it('names widgets (type, findings) and connections (their event), and ties help and findings to their fields', async () => {
    await open(await create('Names'));
    assert.equal(await node('reply').getAttribute('aria-label'), 'reply, Send Message');
    assert.equal(await node('say_hi').getAttribute('aria-label'), 'say_hi, Say/Play');
    assert.equal(await page.locator('.react-flow__edge[data-id="reply#0"]').getAttribute('aria-label'), 'sent from reply to say_hi');
    assert.equal(await page.locator('.react-flow__edge[data-id="reply#1"]').getAttribute('aria-label'), 'failed from reply to say_hi');

    // A loop that is no integer: the validator's finding comes a moment after the edit.
    await node('say_hi').click();
    const form = page.getByRole('form', { name: 'Properties of say_hi' });
    // Named by the spec's words for it, the raw key beside them (users match keys against exported JSON).
    const loop = form.getByLabel('Times to repeat (loop)', { exact: true });
    await loop.fill('many');
    await until('say_hi is named with its error', async () => (await node('say_hi').getAttribute('aria-label')) === 'say_hi, Say/Play, 1 error');
    await form.getByRole('alert').filter({ hasText: 'integer expected' }).waitFor();
    const describedBy = ((await loop.getAttribute('aria-describedby')) ?? '').split(' ').filter(Boolean);
    const texts = await Promise.all(describedBy.map((id) => page.locator(`[id="${id}"]`).textContent()));
    assert.ok(texts.some((text) => /integer expected/.test(text ?? '')), `the finding is read with the field: ${JSON.stringify(texts)}`);
    // "Times to repeat" is all its description says: the label says it, no help line repeats it.
    assert.equal(await form.locator('[data-property="loop"] .field-help').count(), 0);
    // A description that says more is the field's help, read with it.
    const say = form.getByLabel('Text to speak (say)', { exact: true });
    assert.equal(await form.locator('[data-property="say"] .field-key').textContent(), '(say)', 'the raw key is shown beside the name');
    const sayHelp = await form.locator('[data-property="say"] .field-help').textContent();
    assert.equal(sayHelp, 'Text to speak (Liquid, SSML)');
    const sayDescribedBy = ((await say.getAttribute('aria-describedby')) ?? '').split(' ').filter(Boolean);
    const sayTexts = await Promise.all(sayDescribedBy.map((id) => page.locator(`[id="${id}"]`).textContent()));
    assert.ok(sayTexts.includes(sayHelp), `the help is read with the field: ${JSON.stringify(sayTexts)}`);
    assert.equal(await loop.getAttribute('aria-invalid'), 'true');
  });

  it("names a Set Variables row's key and value by labels shown above them, the row by its list and number", async () => {
    await open(await create('Labelled variables'));
    await node('setv').click();
    const form = page.getByRole('form', { name: 'Properties of setv' });
    // The list is named by the property's name shown above it; each row is a group in it.
    const list = form.getByRole('group', { name: 'Variables (variables) required', exact: true });
    assert.equal(await list.count(), 1);
    const row = list.getByRole('group', { name: 'variables 1', exact: true });
    for (const [name, value] of [
      ['Key', 'a'],
      ['Value', '1'],
    ] as const) {
      const field = row.getByRole('textbox', { name, exact: true });
      assert.equal(await field.inputValue(), value, name);
      // Named by a <label> one sees, not by an aria-label or a placeholder only.
      const named = await field.evaluate((el) => {
        type Shown = { textContent: string | null; checkVisibility(): boolean; getBoundingClientRect(): { width: number; height: number } };
        const labels = Array.from((el as unknown as { labels: ArrayLike<Shown> | null }).labels ?? []);
        const shown = labels.filter((label) => label.checkVisibility() && label.getBoundingClientRect().height > 1);
        return { ariaLabel: el.getAttribute('aria-label'), placeholder: el.getAttribute('placeholder'), labels: shown.map((label) => label.textContent) };
      });
      assert.deepEqual(named, { ariaLabel: null, placeholder: null, labels: [name] }, name);
    }
    await form.getByRole('button', { name: '+ Add row to variables' }).click();
    await list.getByRole('group', { name: 'variables 2', exact: true }).getByRole('textbox', { name: 'Key', exact: true }).fill('b');
    assert.equal(await form.getByRole('button', { name: 'Remove variables 2' }).count(), 1);
  });

  it('keeps focus on Save draft and Publish, and keeps one status region for what they say', async () => {
    await open(await create('Saving'));
    const region = page.locator('.editor > [role="status"]');
    assert.equal(await region.count(), 1, 'the status region is there before anything is saved');
    const marker = await region.evaluate((el) => {
      el.setAttribute('data-test-marker', 'kept');
      return el.getAttribute('data-test-marker');
    });
    assert.equal(marker, 'kept');
    // An edit to save (with none, Save draft has nothing to do); saved as a draft, it is there to publish.
    await node('reply').click();
    await page.getByRole('form', { name: 'Properties of reply' }).getByLabel('body').fill('Hi, edited');
    const saveDraft = page.getByRole('button', { name: 'Save draft' });
    await saveDraft.focus();
    await page.keyboard.press('Enter');
    await region.filter({ hasText: /Saved draft revision 2/ }).waitFor();
    await untilFocused(saveDraft, 'Save draft');
    const publish = page.getByRole('button', { name: 'Publish' });
    await publish.focus();
    await page.keyboard.press('Enter');
    await region.filter({ hasText: /Published revision 3/ }).waitFor();
    await untilFocused(publish, 'Publish');
    // The same element all along: its text changed, it was not put in anew.
    assert.equal(await page.locator('[data-test-marker="kept"]').count(), 1);
  });

  it('hands focus on when a widget is deleted: to the next widget with the Delete key, to "Go to" with the Delete widget button', async () => {
    await open(await create('Deleting'));
    await node('reply').click();
    await page.keyboard.press('Delete');
    await node('reply').waitFor({ state: 'detached' });
    await untilFocused(node('say_hi'), 'the widget after the deleted one');
    await node('setv').click();
    await page.getByRole('button', { name: 'Delete widget' }).click();
    await node('setv').waitFor({ state: 'detached' });
    await untilFocused(page.getByRole('combobox', { name: 'Go to widget' }), 'the "Go to" list');
  });

  it('opens dialogs on their first field, not on Close', async () => {
    await page.goto(`${server.baseUrl}/flows`);
    for (const [button, dialogName] of [
      ['New flow', 'New flow'],
      ['Import JSON', 'Import a Studio flow'],
    ] as const) {
      await page.getByRole('button', { name: button }).click();
      const dialog = page.getByRole('dialog', { name: dialogName });
      await untilFocused(dialog.getByLabel('Name', { exact: true }), `the Name field of ${dialogName}`);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
    }
    await open(await create('Renamed'));
    await page.getByRole('button', { name: 'Rename flow' }).click();
    await untilFocused(page.getByRole('dialog', { name: 'Rename flow' }).getByLabel('Name', { exact: true }), 'the Name field of Rename flow');
    await page.keyboard.press('Escape');
  });

  it('skips the canvas to something seen', async () => {
    await open(await create('Skipping'));
    await page.getByRole('button', { name: 'Skip the canvas' }).focus();
    await page.keyboard.press('Enter');
    const target = page.getByText('After the canvas');
    await untilFocused(target, 'the end of the canvas');
    const box = await target.boundingBox();
    assert.ok(box && box.width > 20 && box.height > 10, `the place focus lands on is seen: ${JSON.stringify(box)}`);
  });

  it('marks changed diff lines and the current revision in words, and names the revision pickers and Restore buttons by what they show', async () => {
    const sid = await create('Revised');
    const changed = { ...FLOW, states: FLOW.states.map((s) => (s.name === 'reply' ? { ...s, properties: { ...s.properties, body: 'Changed' } } : s)) } as FlowDefinition;
    await server.app.flows.update(server.account.sid, sid, { status: 'draft', definition: changed });
    await page.goto(`${server.baseUrl}/flows/${sid}/revisions`);
    await page.getByRole('table', { name: /Differences between Revision 1 and Revision 2/ }).waitFor();
    const removed = page.locator('.diff-del', { hasText: '"Hi"' });
    const added = page.locator('.diff-ins', { hasText: '"Changed"' });
    // The sign is for the eye (hidden from screen readers), the word for the ear.
    assert.match((await removed.textContent()) ?? '', /removed: +"body": "Hi"/);
    assert.match((await added.textContent()) ?? '', /added: +"body": "Changed"/);
    assert.equal(await removed.locator('.diff-sign').getAttribute('aria-hidden'), 'true');
    assert.equal(await removed.locator('.diff-sign').innerText(), '−');
    assert.equal(await added.locator('.diff-sign').innerText(), '+');
    const current = page.getByRole('row').filter({ has: page.getByRole('button', { name: 'Restore as draft (revision 2)' }) });
    assert.match((await current.getByRole('cell').first().textContent()) ?? '', /^2 \(current\)$/);
    // Restoring the current revision would add the same again: its button says why it does nothing, and does nothing.
    const restoreCurrent = current.getByRole('button', { name: 'Restore as draft (revision 2)' });
    assert.equal(await restoreCurrent.getAttribute('aria-disabled'), 'true');
    const why = await restoreCurrent.getAttribute('aria-describedby');
    assert.equal(await page.locator(`[id="${why}"]`).textContent(), 'Revision 2 is the current one: the editor has it already.');
    let asked = false;
    const onDialog = (dialog: { dismiss(): Promise<void> }) => {
      asked = true;
      void dialog.dismiss();
    };
    page.on('dialog', onDialog);
    await restoreCurrent.click({ force: true });
    await page.waitForTimeout(200);
    page.off('dialog', onDialog);
    assert.equal(asked, false, 'no Restore question for the current revision');
    const older = page.getByRole('row').filter({ has: page.getByRole('button', { name: 'Restore as draft (revision 1)' }) });
    assert.equal(((await older.getByRole('cell').first().textContent()) ?? '').trim(), '1');
    await page.getByRole('combobox', { name: 'From (older revision)', exact: true }).selectOption('2');
    await page.getByRole('combobox', { name: 'To (newer revision)', exact: true }).selectOption('1');
    await page.getByRole('table', { name: /Differences between Revision 2 and Revision 1/ }).waitFor();
  });

  it('names the simulated execution link "Execution FN…" with its whole SID', async () => {
    await open(await create('Simulated'));
    await page.getByRole('tab', { name: 'Chat' }).click();
    await page.locator('.chat-panel .connection').filter({ hasText: 'live' }).waitFor();
    await page.getByPlaceholder('Type a message…').fill('hello');
    await page.getByRole('button', { name: 'Send' }).click();
    // The whole SID: those of one session differ only in their last characters.
    await page.getByRole('link', { name: /^Execution FN[0-9a-f]{32}$/ }).waitFor();
  });

  // Rotates the account's token: keep it last.
  it('opens Sign in again on the auth token field', async () => {
    // Never published, so that Publish has something to do without an edit (an edit's validation would meet the rotation first).
    await open(await create('Rotated', FLOW, 'draft'));
    const token = (await server.app.accounts.rotateToken(server.account.sid))!;
    server.account.authToken = token;
    server.auth = basicAuth(server.account.sid, token);
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Sign in again' });
    await untilFocused(dialog.getByLabel('Auth token'), 'the Auth token field');
    await dialog.getByLabel('Auth token').fill(token);
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    await dialog.waitFor({ state: 'hidden' });
    // The refused requests' 401s are expected answers, not app errors.
    browser.errors.splice(0);
  });

  it('logged no console errors', () => {
    assert.deepEqual(browser.errors, []);
  });
});
