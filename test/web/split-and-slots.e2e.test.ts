// The property panel and canvas in Chromium, as a reviewer found them: a split's conditions test the
// input typed after them (and say when an imported one tests something else), their fields named by
// labels shown above them; is_blank needs no value; every event of a widget's type has a slot, one
// connected becoming a transition while an untouched imported flow saves as it came; JSON and widget
// names that cannot be applied say so.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { TestServer } from '../support/server.ts';
import { closeSignedInConsole, noChromium, openSignedInConsole, type Browser } from './browser.ts';
import type { FlowDefinition, State } from '../../src/definition/types.ts';

const at = (x: number, y: number) => ({ offset: { x, y } });
const SEND = { from: '{{flow.channel.address}}', to: '{{contact.channel.address}}' };
const INPUT = '{{widgets.ask.inbound.Body}}';

/** As imported: a Trigger without incomingConversationMessage and incomingParent; a condition testing another value than the input. */
const FLOW: FlowDefinition = {
  description: 'splits and slots',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', properties: at(0, 0), transitions: [{ event: 'incomingMessage', next: 'reply' }, { event: 'incomingCall' }, { event: 'incomingRequest' }] },
    { name: 'reply', type: 'send-message', properties: { ...at(0, 300), ...SEND, body: 'Hi', custom: { a: 1 } }, transitions: [{ event: 'sent' }, { event: 'failed' }] },
    { name: 'fresh', type: 'split-based-on', properties: { ...at(500, 300), input: '' }, transitions: [{ event: 'noMatch' }] },
    {
      name: 'stale',
      type: 'split-based-on',
      properties: { ...at(900, 300), input: INPUT },
      transitions: [{ event: 'noMatch' }, { event: 'match', conditions: [{ friendly_name: 'Said yes', arguments: ['{{flow.variables.old}}'], type: 'equal_to', value: 'yes' }] }],
    },
  ],
} as unknown as FlowDefinition;

describe('split conditions, event slots and fields not applied (Chromium)', { skip: noChromium, timeout: 180_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  const node = (name: string) => page.locator(`.react-flow__node[data-id="${name}"]`);
  const form = (name: string) => page.getByRole('form', { name: `Properties of ${name}` });
  const select = (name: string) => page.getByLabel('Go to widget').selectOption(name);
  const create = async (name: string) => (await server.app.flows.create(server.account.sid, { friendlyName: name, status: 'draft', definition: FLOW })).sid;
  const open = async (sid: string) => {
    await page.goto(`${server.baseUrl}/flows/${sid}`);
    await node('reply').waitFor();
  };
  const saved = async (sid: string): Promise<FlowDefinition> =>
    ((await (await fetch(`${server.baseUrl}/v2/Flows/${sid}`, { headers: { authorization: server.auth } })).json()) as { definition: FlowDefinition }).definition;
  const state = (definition: FlowDefinition, name: string): State => definition.states.find((s) => s.name === name)!;
  const save = async (revision: number) => {
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByText(`Saved draft revision ${revision}.`).waitFor();
  };

  before(async () => {
    ({ server, browser, page } = await openSignedInConsole());
  });

  after(() => closeSignedInConsole({ server, browser }));

  it('a condition added before the input is typed tests that input, named as Studio names it', async () => {
    const sid = await create('Condition first');
    await open(sid);
    await select('fresh');
    const panel = form('fresh');
    await panel.getByRole('button', { name: '+ Add condition' }).click();
    await panel.getByRole('button', { name: '+ Add condition' }).click();
    await panel.locator('[data-property="input"] input').fill(INPUT);
    await panel.getByLabel('Value', { exact: true }).first().fill('yes');
    await panel.getByLabel('Value', { exact: true }).nth(1).fill('no');
    assert.deepEqual(await panel.getByLabel('Condition name').evaluateAll((inputs) => inputs.map((i) => (i as unknown as { value: string }).value)), ['If value equal_to yes', 'If value equal_to no']);
    // is_blank tests no value: the Value box is disabled, Studio's fixed value saved.
    await panel.getByLabel('Operator').nth(1).selectOption('is_blank');
    assert.equal(await panel.getByLabel('Value', { exact: true }).nth(1).isDisabled(), true);
    await save(2);
    const conditions = state(await saved(sid), 'fresh').transitions.flatMap((t) => t.conditions ?? []);
    assert.deepEqual(conditions, [
      { friendly_name: 'If value equal_to yes', arguments: [INPUT], type: 'equal_to', value: 'yes' },
      { friendly_name: 'If value is_blank', arguments: [INPUT], type: 'is_blank', value: 'Is Blank' },
    ]);
  });

  it("names each field of a condition by a label shown above it, as the panel's other fields are", async () => {
    const sid = await create('Labelled conditions');
    await open(sid);
    await select('stale');
    const panel = form('stale');
    // What names a field (its accessible name) is a visible <label> of it, not a name only a screen reader hears.
    const labelling = (control: ReturnType<Page['locator']>) =>
      control.evaluate((el) => {
        // The test is type-checked without the DOM's types: what it uses of them.
        type Shown = { textContent: string | null; checkVisibility(): boolean; getBoundingClientRect(): { width: number; height: number }; querySelectorAll(selector: string): ArrayLike<Shown> };
        const labels = Array.from((el as unknown as { labels: ArrayLike<Shown> | null }).labels ?? []);
        const shown = (node: Shown) => {
          const box = node.getBoundingClientRect();
          return node.checkVisibility() && box.width > 1 && box.height > 1;
        };
        return { ariaLabel: el.getAttribute('aria-label'), labels: labels.filter(shown).map((label) => Array.from(label.querySelectorAll('.field-label')).filter(shown).map((t) => t.textContent).join('')) };
      });
    for (const [role, name] of [
      ['textbox', 'Condition name'],
      ['combobox', 'Operator'],
      ['textbox', 'Value'],
    ] as const) {
      const control = panel.getByRole(role, { name, exact: true });
      assert.equal(await control.count(), 1, `one ${role} named ${name}`);
      assert.deepEqual(await labelling(control), { ariaLabel: null, labels: [name] }, name);
    }
    // The condition's target names the event and the condition; its name holds the label shown above it,
    // "If Said yes", so that the words seen are the words to say (the name said "(Said yes)").
    const next = panel.getByRole('combobox', { name: 'Next widget after match (If Said yes)', exact: true });
    assert.equal(await next.count(), 1);
    assert.deepEqual((await labelling(next)).labels, ['If Said yes']);
    assert.deepEqual(browser.errors, []);
  });

  it('says when an imported condition tests something other than the input, and sets it back', async () => {
    const sid = await create('Stale arguments');
    await open(sid);
    await select('stale');
    const note = form('stale').getByRole('note').filter({ hasText: 'not the split’s input' });
    await note.waitFor();
    assert.match(await note.innerText(), /\{\{flow\.variables\.old\}\}/);
    await note.getByRole('button', { name: 'Test the input' }).click();
    await note.waitFor({ state: 'detached' });
    await save(2);
    assert.deepEqual(state(await saved(sid), 'stale').transitions[1]!.conditions![0]!.arguments, [INPUT]);
  });

  it('shows every event of the Trigger; connecting a missing one adds it, and nothing else is added', async () => {
    const sid = await create('Missing events');
    await open(sid);
    const parent = node('Trigger').locator('.widget-event[data-event="incomingParent"]');
    await parent.waitFor();
    assert.equal(await node('Trigger').locator('.widget-event[data-event="incomingConversationMessage"]').count(), 1);
    // Dragged from the missing event's handle onto a widget.
    const from = (await parent.locator('.react-flow__handle').boundingBox())!;
    const to = (await node('fresh').boundingBox())!;
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(to.x + to.width / 2, to.y + 20, { steps: 12 });
    await page.mouse.move(to.x + to.width / 2, to.y + 24, { steps: 2 });
    await page.mouse.up();
    await page.locator('.react-flow__edge[data-id="Trigger#3"]').waitFor();
    await save(2);
    assert.deepEqual(state(await saved(sid), 'Trigger').transitions, [
      { event: 'incomingMessage', next: 'reply' },
      { event: 'incomingCall' },
      { event: 'incomingRequest' },
      { event: 'incomingParent', next: 'fresh' },
    ]);
    // In the panel too, for send-message's events the flow has.
    await select('Trigger');
    await form('Trigger').getByLabel('Next widget after incomingConversationMessage').selectOption('reply');
    await save(3);
    assert.deepEqual(state(await saved(sid), 'Trigger').transitions.at(-1), { event: 'incomingConversationMessage', next: 'reply' });
  });

  it('marks invalid JSON and an invalid widget name as not applied, and tells the editor', async () => {
    const sid = await create('Not applied');
    await open(sid);
    await select('reply');
    const panel = form('reply');
    const custom = panel.locator('[data-property="custom"]');
    await custom.locator('textarea').fill('{"a": 2,');
    await custom.locator('textarea').blur();
    await custom.getByText(/Not applied: custom is not valid JSON/).waitFor();
    assert.equal(await custom.getAttribute('data-not-applied'), 'true');
    await page.locator('.notice-error').filter({ hasText: 'custom not applied' }).waitFor();
    // Fixed, it applies and the mark goes.
    await custom.locator('textarea').fill('{"a": 2}');
    await custom.locator('textarea').blur();
    await custom.getByText(/Not applied/).waitFor({ state: 'detached' });

    const name = panel.getByLabel('Widget name');
    await name.fill('has space');
    await name.press('Enter');
    await panel.getByText(/Not applied: Use letters, digits and underscores only\. The widget is still named reply\./).waitFor();
    assert.equal(await name.inputValue(), 'has space');
    await page.locator('.notice-error').filter({ hasText: 'not applied' }).waitFor();
    await name.press('Escape');
    assert.equal(await name.inputValue(), 'reply');
    await save(2);
    assert.deepEqual((state(await saved(sid), 'reply').properties as { custom: unknown }).custom, { a: 2 });
    assert.deepEqual(browser.errors, []);
  });
});
