// Editing on the canvas in Chromium, as a reviewer found it: Delete and Backspace delete the
// selection only when focus is on the canvas (not on a panel button); a widget deleted with the
// keyboard comes back with its connections in one Undo (and a connection selected is deleted alone); a connection dropped anywhere on a widget's
// body connects to it; moving a box selection moves (and keeps) every widget in it, in one undo
// step; arrow-key moves of a widget in a row are one undo step; an undo or redo selects (so shows) the widget it changed; Escape on a selected widget unselects it in the panel too, focus kept on it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import type { TestServer } from '../support/server.ts';
import { closeSignedInConsole, noChromium, openSignedInConsole, until, type Browser } from './browser.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';

const at = (x: number, y: number) => ({ offset: { x, y } });
const SEND = { from: '{{flow.channel.address}}', to: '{{contact.channel.address}}' };

/** Trigger -> setv -> reply -> say_hi; two_a and two_b side by side, away from the rest, for the box selection. */
const FLOW: FlowDefinition = {
  description: 'canvas editing',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', properties: at(0, 0), transitions: [{ event: 'incomingMessage', next: 'setv' }, { event: 'incomingCall' }, { event: 'incomingRequest' }] },
    { name: 'setv', type: 'set-variables', properties: { ...at(0, 250), variables: [{ key: 'a', value: '1' }] }, transitions: [{ event: 'next', next: 'reply' }] },
    { name: 'reply', type: 'send-message', properties: { ...at(0, 500), ...SEND, body: 'Hi' }, transitions: [{ event: 'sent', next: 'say_hi' }, { event: 'failed' }] },
    { name: 'say_hi', type: 'say-play', properties: { ...at(0, 750), say: 'Hello caller' }, transitions: [{ event: 'audioComplete' }] },
    { name: 'two_a', type: 'say-play', properties: { ...at(500, 250), say: 'A' }, transitions: [{ event: 'audioComplete' }] },
    { name: 'two_b', type: 'say-play', properties: { ...at(800, 250), say: 'B' }, transitions: [{ event: 'audioComplete' }] },
  ],
} as unknown as FlowDefinition;

describe('canvas editing (Chromium)', { skip: noChromium, timeout: 120_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  const node = (name: string) => page.locator(`.react-flow__node[data-id="${name}"]`);
  /** An edge (an SVG group: attached, never "visible" to Playwright). */
  const edge = (id: string) => page.locator(`.react-flow__edge[data-id="${id}"]`);
  const attached = (locator: Locator) => locator.waitFor({ state: 'attached' });
  const detached = (locator: Locator) => locator.waitFor({ state: 'detached' });
  const undo = () => page.getByRole('button', { name: 'Undo' });
  const box = async (locator: Locator) => (await locator.boundingBox())!;
  /** A fresh copy of FLOW, opened in the editor. */
  const open = async (name: string) => {
    const sid = (await server.app.flows.create(server.account.sid, { friendlyName: name, status: 'published', definition: FLOW })).sid;
    await page.goto(`${server.baseUrl}/flows/${sid}`);
    await node('two_b').waitFor();
  };
  /** Where a widget is once the canvas stopped panning (selecting a widget not wholly on screen pans to it). */
  const settled = async (locator: Locator) => {
    let last = await box(locator);
    for (let tries = 0; tries < 40; tries++) {
      await page.waitForTimeout(150);
      const now = await box(locator);
      if (Math.abs(now.x - last.x) < 0.5 && Math.abs(now.y - last.y) < 0.5) return now;
      last = now;
    }
    return assert.fail('the canvas never stopped moving');
  };
  const drag = async (from: { x: number; y: number }, to: { x: number; y: number }) => {
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(to.x, to.y, { steps: 12 });
    await page.mouse.up();
  };

  before(async () => {
    ({ server, browser, page } = await openSignedInConsole());
  });

  after(() => closeSignedInConsole({ server, browser }));

  it('offers the "Go to" widgets by name, the Trigger first, whatever their order in the definition', async () => {
    await open('Go to by name');
    const names = await page.getByLabel('Go to widget').locator('option').evaluateAll((options) => options.map((o) => o.getAttribute('value') ?? ''));
    // The definition holds setv before reply and say_hi.
    assert.deepEqual(names, ['', 'Trigger', 'reply', 'say_hi', 'setv', 'two_a', 'two_b']);
  });

  it('does not delete the selected widget when Backspace or Delete is pressed on a panel button', async () => {
    await open('Keys outside the canvas');
    await node('setv').click();
    const form = page.getByRole('form', { name: 'Properties of setv' });
    const addRow = form.getByRole('button', { name: '+ Add row to variables' });
    await addRow.focus();
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Delete');
    await page.getByRole('button', { name: 'Save draft' }).focus();
    await page.keyboard.press('Backspace');
    await page.waitForTimeout(200);
    assert.equal(await node('setv').count(), 1, 'the widget is still there');
    assert.ok(await undo().isDisabled(), 'nothing was edited');
    // On the canvas, the same key deletes it.
    await node('setv').focus();
    await page.keyboard.press('Backspace');
    await node('setv').waitFor({ state: 'detached' });
  });

  it('brings a widget deleted with the Delete key back with its connections in one Undo', async () => {
    await open('Delete and undo');
    await attached(edge('setv#0'));
    await attached(edge('reply#0'));
    await node('reply').click();
    await page.keyboard.press('Delete');
    await detached(node('reply'));
    await detached(edge('setv#0'));
    await undo().click();
    await node('reply').waitFor();
    await attached(edge('setv#0'));
    await attached(edge('reply#0'));
    assert.ok(await undo().isDisabled(), 'the deletion was one step');
    // A connection selected on the canvas is deleted alone.
    await edge('setv#0').click();
    await page.keyboard.press('Backspace');
    await detached(edge('setv#0'));
    assert.equal(await node('setv').count(), 1);
    assert.equal(await node('reply').count(), 1);
  });

  it('connects a connection dropped anywhere on a widget body', async () => {
    await open('Drop on body');
    const from = await box(node('two_b').locator('.handle-source').first());
    const target = await box(node('two_a'));
    const handle = await box(node('two_a').locator('.handle-target'));
    // Well away from the target handle (on top, in the middle): the left end of the widget, half way down.
    const drop = { x: target.x + 12, y: target.y + target.height / 2 };
    assert.ok(Math.hypot(drop.x - (handle.x + handle.width / 2), drop.y - handle.y) > 60);
    await drag({ x: from.x + from.width / 2, y: from.y + from.height / 2 }, drop);
    await attached(edge('two_b#0'));
    await page.getByLabel('Go to widget').selectOption('two_b');
    assert.equal(await page.getByRole('form', { name: 'Properties of two_b' }).getByLabel('Next widget after audioComplete').inputValue(), 'two_a');
    // Dropped on the pane, it connects nothing.
    const pane = await box(page.locator('.react-flow__pane'));
    const fromReply = await box(node('reply').locator('.handle-source').nth(1));
    await drag({ x: fromReply.x + fromReply.width / 2, y: fromReply.y + fromReply.height / 2 }, { x: pane.x + pane.width - 30, y: pane.y + pane.height - 30 });
    await page.waitForTimeout(200);
    assert.equal(await edge('reply#1').count(), 0);
  });

  it('moves every widget of a box selection, keeps the moves, and undoes them in one step', async () => {
    await open('Box select');
    const a = await settled(node('two_a'));
    const b = await settled(node('two_b'));
    // Shift+drag from empty canvas round both widgets.
    await page.keyboard.down('Shift');
    await drag({ x: a.x - 20, y: Math.min(a.y, b.y) - 20 }, { x: b.x + b.width + 20, y: Math.max(a.y + a.height, b.y + b.height) + 20 });
    await page.keyboard.up('Shift');
    await until('both are selected', async () => (await page.locator('.react-flow__node.selected').count()) === 2);
    await drag({ x: a.x + a.width / 2, y: a.y + 20 }, { x: a.x + a.width / 2 + 60, y: a.y + 20 + 90 });
    await page.getByText('unsaved changes').waitFor();
    // Both moved as far (React Flow starts a drag at the first step of the pointer), and stay there.
    const movedA = await settled(node('two_a'));
    const movedB = await settled(node('two_b'));
    const dx = movedA.x - a.x;
    const dy = movedA.y - a.y;
    assert.ok(dx > 45 && dy > 70, `two_a moved by (${dx}, ${dy})`);
    assert.ok(Math.abs(movedB.x - b.x - dx) < 1 && Math.abs(movedB.y - b.y - dy) < 1, `two_b moved by (${movedB.x - b.x}, ${movedB.y - b.y}) too`);
    assert.equal(await page.locator('.react-flow__node.selected').count(), 2, 'both are still selected, to be moved again');
    await undo().click();
    await page.getByText('unsaved changes').waitFor({ state: 'detached' });
    // The canvas redraws after the undo lands: waited for, not looked at once.
    for (const [name, before] of [['two_a', a], ['two_b', b]] as const) {
      await until(`${name} is back`, async () => {
        const after = await box(node(name));
        return Math.abs(after.x - before.x) < 1 && Math.abs(after.y - before.y) < 1;
      });
    }
    assert.ok(await undo().isDisabled(), 'the move was one step');
  });

  it('undoes arrow-key moves of a widget made in a row in one step', async () => {
    await open('Arrow keys');
    // Clicked once the canvas stopped moving (it may still be fitting the flow in), and selected before
    // the keys are pressed: a click that missed would leave the arrows to move nothing.
    // Under load a click can still land while the view moves: clicked again until it has selected the widget.
    await settled(node('say_hi'));
    await node('say_hi').click();
    await until('say_hi is selected', async () => {
      if ((await page.locator('.react-flow__node.selected[data-id="say_hi"]').count()) === 1) return true;
      await settled(node('say_hi'));
      await node('say_hi').click();
      return false;
    }, 15_000);
    const before = await settled(node('say_hi'));
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
    await page.getByText('unsaved changes').waitFor();
    await until('it moved right', async () => (await box(node('say_hi'))).x > before.x + 5);
    await undo().click();
    await page.getByText('unsaved changes').waitFor({ state: 'detached' });
    await until('it is back where it was', async () => Math.abs((await box(node('say_hi'))).x - before.x) < 1);
    assert.ok(await undo().isDisabled(), 'four presses, one step');
  });

  it('selects what an Undo or Redo changed, so a widget brought back far off screen is shown', async () => {
    const far = { name: 'far', type: 'say-play', properties: { ...at(3000, 3000), say: 'Far away' }, transitions: [{ event: 'audioComplete' }] };
    const definition = { ...FLOW, states: [...FLOW.states, far] } as unknown as FlowDefinition;
    const sid = (await server.app.flows.create(server.account.sid, { friendlyName: 'Undo far', status: 'published', definition })).sid;
    await page.goto(`${server.baseUrl}/flows/${sid}`);
    await node('Trigger').waitFor();
    const goTo = page.getByLabel('Go to widget');
    await goTo.selectOption('far');
    await page.getByRole('button', { name: 'Delete widget' }).click();
    await detached(node('far'));
    await goTo.selectOption('Trigger');
    await settled(node('Trigger'));
    const inView = async (name: string) => {
      const [widget, canvas] = [await node(name).boundingBox(), await page.locator('.canvas-box').boundingBox()];
      return !!widget && !!canvas && widget.x >= canvas.x && widget.y >= canvas.y && widget.x + widget.width <= canvas.x + canvas.width && widget.y + widget.height <= canvas.y + canvas.height;
    };
    await undo().click();
    await until('the widget brought back is selected and in view', async () => (await goTo.inputValue()) === 'far' && (await inView('far')), 10_000);
    // A Redo (deleting it again) leaves nothing to select there; a second Undo shows it again.
    await page.getByRole('button', { name: 'Redo' }).click();
    await detached(node('far'));
    await goTo.selectOption('Trigger');
    await settled(node('Trigger'));
    await page.locator('.canvas-box').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+z');
    await until('brought back by Ctrl+Z, selected and in view', async () => (await goTo.inputValue()) === 'far' && (await inView('far')), 10_000);
  });

  it('lets a widget go everywhere when Escape unselects it on the canvas, and Enter selects it again', async () => {
    await open('Escape');
    const goTo = page.getByLabel('Go to widget');
    await node('reply').focus();
    await page.keyboard.press('Enter');
    await until('reply is selected', async () => (await goTo.inputValue()) === 'reply');
    await page.getByLabel('Widget name').waitFor();
    await node('reply').focus();
    await page.keyboard.press('Escape');
    // The canvas, the "Go to" list and the panel agree: nothing is selected; and focus stays on the widget.
    await until('the Go to list shows no widget', async () => (await goTo.inputValue()) === '');
    assert.equal(await page.locator('.react-flow__node.selected').count(), 0);
    await page.getByText('Select a widget on the canvas').waitFor();
    await page.waitForTimeout(100);
    assert.equal(await page.evaluate('document.activeElement && document.activeElement.getAttribute("data-id")'), 'reply');
    await page.keyboard.press('Enter');
    await until('reply is selected again', async () => (await goTo.inputValue()) === 'reply');
  });

  it('logged no console errors', () => {
    assert.deepEqual(browser.errors, []);
  });
});
