// Every form control of the console, in Chromium, named by a label one can see: the sign-in form, the
// flow list's dialogs, the editor (its tools, the rename dialog, the properties of a widget of every
// type, the Chat and Phone panels, the Phone's outcome forms with a call waiting on them), the execution
// filters, the replay panel and the revision pickers.
// A control's accessible name (as Chromium computes it) is not empty and holds the words of a visible
// <label> (or aria-labelledby) of it; only a composer's box, where a label above it would be wrong,
// is named by a label that is not shown. An error or finding shown in a form is read with the fields
// it is about (aria-describedby), and a field marked invalid (aria-invalid), an input, a select or a text
// box alike, is edged in the error colour.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CDPSession, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server.ts';
import { ensureConsoleBuilt } from '../../web/ensure-built.ts';
import { launchBrowser, noChromium, signIn, type Browser } from './browser.ts';
import { WIDGET_TYPES, type FlowDefinition, type WidgetType } from '../../src/definition/types.ts';
import { WIDGET_SPECS } from '../../src/definition/widget-specs.ts';

/**
 * Boxes whose label is not shown, each by the name it has: a message being composed is its own
 * label (the chat's message, the phone's speech and keys typed beside the keypad).
 */
const COMPOSERS = new Set(['Message', 'Say', 'Keys to press']);

const at = (x: number, y: number) => ({ offset: { x, y } });

/** One widget of every type; every key/value list with a row, a split with a condition, a property the spec does not know. */
function everyWidget(): FlowDefinition {
  const states = WIDGET_TYPES.filter((type) => type !== 'trigger').map((type: WidgetType, i) => {
    const spec = WIDGET_SPECS[type];
    const properties: Record<string, unknown> = { ...at(400 * (i % 6), 250 * (1 + Math.floor(i / 6))) };
    for (const [key, prop] of Object.entries(spec.properties)) {
      if (prop.type === 'array' && prop.items?.properties?.key && prop.items.properties.value) properties[key] = [{ key: 'k', value: 'v' }];
    }
    const transitions: { event: string; next?: string; conditions?: unknown[] }[] = spec.events.map((event) => ({ event }));
    if (type === 'split-based-on') {
      properties.input = '{{trigger.message.Body}}';
      // Findings about a condition (a number for its value, a value other than the input tested) and a transition to no widget.
      transitions.splice(1, 1, { event: 'match', next: 'nowhere', conditions: [{ friendly_name: 'Five', arguments: ['{{flow.variables.n}}'], type: 'equal_to', value: 5 }] });
    }
    if (type === 'send-message') properties.unknown_setting = { a: 1 };
    return { name: `w_${type.replace(/-/g, '_')}`, type, properties, transitions };
  });
  return {
    description: 'every widget',
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [{ name: 'Trigger', type: 'trigger', properties: at(0, 0), transitions: [{ event: 'incomingMessage' }, { event: 'incomingCall' }, { event: 'incomingRequest' }] }, ...states],
  } as unknown as FlowDefinition;
}

const GREETING = {
  description: 'greeting',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', properties: at(0, 0), transitions: [{ event: 'incomingMessage', next: 'hello' }, { event: 'incomingCall' }, { event: 'incomingRequest', next: 'hello' }] },
    { name: 'hello', type: 'send-message', properties: { ...at(0, 250), from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'Hello' }, transitions: [{ event: 'sent' }, { event: 'failed' }] },
  ],
} as unknown as FlowDefinition;

/** A call that waits on a Dial, then in a queue; a REST request has the flow call the contact (a call that rings in the Phone). */
const PHONE = {
  description: 'phone outcomes',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', properties: at(0, 0), transitions: [{ event: 'incomingMessage' }, { event: 'incomingCall', next: 'dial' }, { event: 'incomingRequest', next: 'call_out' }] },
    { name: 'dial', type: 'connect-call-to', properties: { ...at(0, 250), noun: 'number', to: '+15550009999', caller_id: '{{contact.channel.address}}', timeout: 10 }, transitions: [{ event: 'callCompleted', next: 'queue' }, { event: 'hangup' }] },
    { name: 'queue', type: 'enqueue-call', properties: { ...at(0, 500), queue_name: 'support' }, transitions: [{ event: 'callComplete' }, { event: 'failedToEnqueue' }, { event: 'callFailure' }] },
    {
      name: 'call_out',
      type: 'make-outgoing-call-v2',
      properties: { ...at(400, 250), to: '{{contact.channel.address}}', from: '{{flow.channel.address}}', timeout: 60 },
      transitions: [{ event: 'answered' }, { event: 'busy' }, { event: 'noAnswer' }, { event: 'failed' }],
    },
  ],
} as unknown as FlowDefinition;

/**
 * In the page: the form controls shown (in the open dialog when there is one), each marked with
 * data-form-audit and described by the visible text of its labels; and the errors, warnings and
 * findings shown in a form that none of its controls is described by.
 */
const SURVEY = `(() => {
  const shown = (el) => {
    if (!el.checkVisibility()) return false;
    const box = el.getBoundingClientRect();
    return box.width > 1 && box.height > 1;
  };
  // The text of a label one sees: not a visually hidden part, not the control inside it (a select's options).
  const seen = (root) => {
    let text = '';
    const walk = (node) => {
      for (const child of node.childNodes) {
        if (child.nodeType === 3) text += child.textContent;
        else if (child.nodeType === 1 && !child.matches('input, select, textarea, button, datalist') && shown(child)) walk(child);
      }
    };
    if (shown(root)) walk(root);
    return text.replace(/\\s+/g, ' ').trim();
  };
  const describe = (el) => {
    const property = el.closest('[data-property]')?.getAttribute('data-property');
    return [el.tagName.toLowerCase(), el.type ? '[' + el.type + ']' : '', el.name ? ' name=' + el.name : '', el.id ? ' #' + el.id : '', property ? ' in ' + property : '', el.placeholder ? ' placeholder=' + JSON.stringify(el.placeholder) : ''].join('');
  };
  const scope = document.querySelector('dialog[open]') ?? document;
  // The error colour as the page draws it (a probe, not a hex code copied here).
  const probe = document.body.appendChild(document.createElement('span'));
  probe.style.color = 'var(--error)';
  const errorColour = getComputedStyle(probe).color;
  probe.remove();
  document.querySelectorAll('[data-form-audit]').forEach((el) => el.removeAttribute('data-form-audit'));
  const controls = [...scope.querySelectorAll('input:not([type=hidden]), select, textarea')].filter(shown).map((el, index) => {
    el.setAttribute('data-form-audit', String(index));
    const labelledBy = (el.getAttribute('aria-labelledby') ?? '').split(/\\s+/).filter(Boolean).map((id) => document.getElementById(id)).filter(Boolean);
    const visible = [...labelledBy, ...(el.labels ?? [])].map(seen).filter(Boolean).join(' ');
    return { index, what: describe(el), visible };
  });
  // A control marked invalid (aria-invalid) is drawn as one, whatever its kind: the error colour's edge.
  const invalid = [...scope.querySelectorAll('[aria-invalid=true]')].filter((el) => el.matches('input:not([type=checkbox]):not([type=radio]), select, textarea') && shown(el));
  const undrawn = invalid.filter((el) => getComputedStyle(el).borderTopColor !== errorColour)
    .map((el) => describe(el) + ' is marked invalid but its edge is ' + getComputedStyle(el).borderTopColor + ', not the error colour ' + errorColour);
  const unread = [];
  for (const form of scope.querySelectorAll('form')) {
    const read = new Set();
    for (const control of form.querySelectorAll('input, select, textarea')) for (const id of (control.getAttribute('aria-describedby') ?? '').split(/\\s+/)) if (id) read.add(id);
    for (const shownError of form.querySelectorAll('.error-text, .field-error, .field-warning, .issue-list > li')) {
      if (!shown(shownError)) continue;
      let node = shownError;
      while (node && node !== form && !(node.id && read.has(node.id))) node = node.parentElement;
      if (node === form || !node) unread.push((form.getAttribute('aria-label') ?? 'a form') + ': ' + shownError.textContent.trim());
    }
  }
  return { controls, unread, undrawn, invalidKinds: invalid.map((el) => el.tagName.toLowerCase()) };
})()`;

/** Words only, for "the name holds the label's words": a required mark, an ellipsis or a colon is not a word. */
const words = (text: string) => text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();

describe('form controls are named by labels one can see (Chromium)', { skip: noChromium, timeout: 300_000 }, () => {
  let server: TestServer;
  /** Where flows with errors save as drafts (they are refused on `server`, whose import dialog says why). */
  let drafts: TestServer;
  let browser: Browser;
  let page: Page;
  let cdp: CDPSession;
  /** What the pages surveyed got wrong, each once (the editor's own fields are seen beside every widget's), reported together at the end. */
  const problems: string[] = [];
  const problem = (where: string, what: string) => {
    if (!problems.some((p) => p.endsWith(`: ${what}`))) problems.push(`${where}: ${what}`);
  };
  /** Every control checked, so that a page that showed none is noticed. */
  const checked: string[] = [];
  /** The kinds of control (input, select, textarea) seen marked invalid, so that the check of how they are drawn met each. */
  const invalidSeen = new Set<string>();

  /** The names Chromium gives the controls marked by SURVEY, by their mark. */
  const accessibleNames = async (): Promise<Map<string, string>> => {
    const { root } = await cdp.send('DOM.getDocument', { depth: 0 });
    const { nodeIds } = await cdp.send('DOM.querySelectorAll', { nodeId: root.nodeId, selector: '[data-form-audit]' });
    const names = new Map<string, string>();
    for (const nodeId of nodeIds) {
      const { attributes } = await cdp.send('DOM.getAttributes', { nodeId });
      const mark = attributes[attributes.indexOf('data-form-audit') + 1]!;
      const { nodes } = await cdp.send('Accessibility.getPartialAXTree', { nodeId, fetchRelatives: false });
      names.set(mark, String(nodes[0]?.name?.value ?? ''));
    }
    return names;
  };

  /** Surveys what is on screen now, `where` naming it in the report. */
  const survey = async (where: string, expectControls = true) => {
    const { controls, unread, undrawn, invalidKinds } = (await page.evaluate(SURVEY)) as {
      controls: { index: number; what: string; visible: string }[];
      unread: string[];
      undrawn: string[];
      invalidKinds: string[];
    };
    for (const kind of invalidKinds) invalidSeen.add(kind);
    if (expectControls) assert.ok(controls.length > 0, `${where}: no form controls found`);
    const names = await accessibleNames();
    for (const { index, what, visible } of controls) {
      const name = (names.get(String(index)) ?? '').trim();
      checked.push(`${where}: ${name}`);
      if (!name) problem(where, `${what} has no accessible name`);
      else if (COMPOSERS.has(name)) continue;
      else if (!visible) problem(where, `${what} ("${name}") has no visible label`);
      else if (!words(name).includes(words(visible))) problem(where, `${what} is named "${name}", which does not hold its visible label "${visible}"`);
    }
    for (const text of unread) problem(where, `shown in ${text} — not read with any of its fields`);
    for (const text of undrawn) problem(where, text);
  };

  const rest = (path: string, body: Record<string, string>) =>
    fetch(`${server.baseUrl}${path}`, { method: 'POST', headers: { authorization: server.auth, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body) });

  before(async () => {
    await ensureConsoleBuilt();
    server = await startTestServer({ listen: true });
    drafts = await startTestServer({ listen: true, config: { invalidDefinitions: 'save-as-draft' } });
    browser = await launchBrowser();
    page = browser.page;
    page.setDefaultTimeout(10_000);
    page.on('dialog', (dialog) => void dialog.accept());
    cdp = await page.context().newCDPSession(page);
    await cdp.send('DOM.enable');
    await cdp.send('Accessibility.enable');
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await drafts?.close();
  });

  it('signing in: the fields, and the error read with them', async () => {
    await page.goto(`${server.baseUrl}/flows`);
    await page.getByLabel('Account SID').fill(server.account.sid);
    await survey('sign-in');
    await page.getByLabel('Auth token').fill('not the token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That account SID and auth token do not match.').waitFor();
    await survey('sign-in, refused');
    await signIn(page, server.baseUrl, server.account);
  });

  it('the flow list: New flow and Import JSON, with the errors they show', async () => {
    await page.getByRole('button', { name: 'New flow' }).click();
    await survey('New flow dialog');
    // A name of spaces passes the browser's `required`; the form refuses it.
    await page.getByLabel('Name').fill('   ');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.locator('dialog[open] .error-text').waitFor();
    // Said in words, as Rename says it, not the API's "Missing required parameter FriendlyName in the post body".
    assert.equal(await page.locator('dialog[open] .error-text').textContent(), 'Enter a name for the flow: it cannot be blank.');
    assert.equal(await page.getByLabel('Name').evaluate((field) => field === field.ownerDocument.activeElement), true);
    await survey('New flow dialog, refused');
    await page.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('button', { name: 'Import JSON' }).click();
    await survey('Import dialog');
    await page.getByLabel('Name').fill('Broken');
    const broken = { ...GREETING, states: [...GREETING.states, { name: 'odd', type: 'send-message', properties: {}, transitions: [{ event: 'sent' }] }] };
    await page.getByLabel('…or paste the JSON').fill(JSON.stringify(broken));
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.locator('dialog[open] .import-findings').waitFor();
    await survey('Import dialog, refused');
    await page.getByRole('button', { name: 'Close' }).click();
  });

  it('executions, an execution and its replay, and the revisions', async () => {
    const { sid } = await server.app.flows.create(server.account.sid, { friendlyName: 'Greeting', status: 'published', definition: GREETING });
    await server.app.flows.update(server.account.sid, sid, { definition: GREETING, status: 'published', commitMessage: 'again' });
    const started = await rest(`/v2/Flows/${sid}/Executions`, { To: '+15551230100', From: '+15005550006' });
    assert.equal(started.status, 201, await started.clone().text());
    const execution = ((await started.json()) as { sid: string }).sid;

    await page.goto(`${server.baseUrl}/flows/${sid}/executions`);
    await page.getByRole('heading', { name: 'Executions', level: 1 }).waitFor();
    await page.locator('.table').waitFor();
    await survey('executions');
    // The date fields are named with the words shown before them ("Created from … to …"), each whole.
    const filters = page.getByRole('form', { name: 'Filter executions' });
    const marks = await filters.locator('[data-form-audit]').evaluateAll((els) => els.map((el) => el.getAttribute('data-form-audit')!));
    const names = await accessibleNames();
    assert.deepEqual(marks.map((mark) => names.get(mark)), ['Status', 'Created from', 'Created to', 'Contact']);
    await page.goto(`${server.baseUrl}/flows/${sid}/executions/${execution}`);
    await page.getByRole('heading', { name: 'Replay' }).waitFor();
    await survey('execution');
    await page.goto(`${server.baseUrl}/flows/${sid}/revisions`);
    await page.getByRole('heading', { name: 'Compare' }).waitFor();
    await page.locator('.compare-picker').first().waitFor();
    await survey('revisions');
  });

  it("the Phone's outcome forms (a connected call, the queue, a ringing call), with a number of seconds that is none", async () => {
    const { sid } = await server.app.flows.create(server.account.sid, { friendlyName: 'Phone outcomes', status: 'published', definition: PHONE });
    await page.goto(`${server.baseUrl}/flows/${sid}`);
    await page.getByRole('tab', { name: 'Phone' }).click();
    await page.getByLabel('Call as').fill('+15551230200');
    await page.getByRole('button', { name: 'Call', exact: true }).click();

    const dial = page.getByRole('form', { name: 'Connected call' });
    await dial.waitFor();
    await survey('Phone, connected call');
    // A talk time that is no whole number: End is off, and the field says why (read with it, marked invalid).
    const talkTime = dial.getByLabel('Talk time (s)');
    const end = dial.getByRole('button', { name: 'End the connected call' });
    const saysWhy = async (field: typeof talkTime) => {
      assert.equal(await field.getAttribute('aria-invalid'), 'true');
      const ids = ((await field.getAttribute('aria-describedby')) ?? '').split(' ').filter(Boolean);
      const texts = await Promise.all(ids.map(async (id) => (await page.locator(`[id="${id}"]`).textContent()) ?? ''));
      assert.ok(texts.some((text) => /must be a whole number of seconds/.test(text)), `read with: ${JSON.stringify(texts)}`);
    };
    for (const value of ['', '-3', '2.5']) {
      await talkTime.fill(value);
      assert.equal(await end.isDisabled(), true, `End is off with ${JSON.stringify(value)}`);
      await saysWhy(talkTime);
      await survey(`Phone, connected call, talk time ${JSON.stringify(value)}`);
    }
    // Not asked for a busy call: no error then.
    await dial.getByLabel('The dialled call').selectOption('busy');
    assert.equal(await talkTime.getAttribute('aria-invalid'), null);
    assert.equal(await dial.locator('.field-error').count(), 0);
    await dial.getByLabel('The dialled call').selectOption('completed');
    await talkTime.fill('12');
    assert.equal(await talkTime.getAttribute('aria-invalid'), null);
    assert.equal(await dial.locator('.field-error').count(), 0);
    await end.click();

    const queue = page.getByRole('form', { name: 'Queue' });
    await queue.waitFor();
    await survey('Phone, queue');
    const queueTime = queue.getByLabel('Time in queue (s)');
    await queueTime.fill('');
    await saysWhy(queueTime);
    await survey('Phone, queue, no time in queue');
    await queueTime.fill('3');
    await queue.getByRole('button', { name: 'Leave the queue' }).click();
    await page.getByRole('button', { name: 'Call', exact: true }).waitFor();

    // The flow calls the contact: Answer and Reject.
    const started = await rest(`/v2/Flows/${sid}/Executions`, { To: '+15551230201', From: '+15005550006' });
    assert.equal(started.status, 201, await started.clone().text());
    const ringing = page.getByRole('group', { name: 'Ringing call' });
    await ringing.waitFor();
    await survey('Phone, ringing call');
    await ringing.getByRole('button', { name: 'Reject' }).click();
    await ringing.waitFor({ state: 'detached' });
  });

  it('the editor: its tools, the rename dialog, every widget type, the Chat and Phone panels', async () => {
    const { sid } = await drafts.app.flows.create(drafts.account.sid, { friendlyName: 'Every widget', status: 'draft', definition: everyWidget() });
    await signIn(page, drafts.baseUrl, drafts.account);
    await page.goto(`${drafts.baseUrl}/flows/${sid}`);
    await page.locator('.react-flow__node[data-id="w_set_variables"]').waitFor();
    await survey('editor');

    await page.getByRole('button', { name: 'Rename flow' }).click();
    await survey('Rename dialog');
    await page.locator('dialog[open]').getByLabel('Name').fill('   ');
    await page.locator('dialog[open]').getByRole('button', { name: 'Rename' }).click();
    await page.locator('dialog[open] .error-text').waitFor();
    await survey('Rename dialog, refused');
    await page.getByRole('button', { name: 'Close' }).click();

    for (const state of everyWidget().states) {
      await page.getByLabel('Go to widget').selectOption(state.name);
      await page.getByRole('form', { name: `Properties of ${state.name}` }).waitFor();
      await survey(`properties of ${state.type}`);
    }

    // The findings listed at the top of a widget's panel are each read with the field they are about.
    await page.getByLabel('Go to widget').selectOption('w_split_based_on');
    const split = page.getByRole('form', { name: 'Properties of w_split_based_on' });
    const readWith = async (name: string, role: 'textbox' | 'combobox') => {
      const ids = ((await split.getByRole(role, { name, exact: true }).getAttribute('aria-describedby')) ?? '').split(' ').filter(Boolean);
      return Promise.all(ids.map(async (id) => (await page.locator(`[id="${id}"]`).textContent()) ?? ''));
    };
    const about = async (name: string, role: 'textbox' | 'combobox', pattern: RegExp) => {
      const texts = await readWith(name, role);
      assert.ok(texts.some((text) => pattern.test(text)), `${name} is read with ${pattern}: ${JSON.stringify(texts)}`);
    };
    await about('Widget name', 'textbox', /is not reachable from the initial state/);
    await about('Next widget after match (If Five)', 'combobox', /next "nowhere" does not name a state/);
    await about('Value', 'textbox', /conditions\[0\]\.value: integer found, string expected/);
    await about('Condition name', 'textbox', /arguments \["\{\{flow\.variables\.n\}\}"\] differ from the split input/);
    await about('Condition name', 'textbox', /This condition tests/);
    assert.deepEqual(await readWith('Operator', 'combobox'), []);

    await page.getByRole('tab', { name: 'Chat' }).click();
    await page.getByRole('heading', { name: 'Chat' }).waitFor();
    await survey('Chat panel');
    await page.getByRole('tab', { name: 'Phone' }).click();
    await page.getByRole('heading', { name: 'Phone' }).waitFor();
    await survey('Phone panel');
  });

  it('found every control named by what is shown', () => {
    assert.ok(checked.length > 100, `surveyed ${checked.length} controls`);
    assert.deepEqual([...invalidSeen].sort(), ['input', 'select', 'textarea'], 'met an invalid control of every kind');
    assert.deepEqual(problems, []);
    assert.deepEqual(browser.errors.filter((e) => !/Failed to load resource/.test(e)), []);
  });
});
