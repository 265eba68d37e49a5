// The console's Phone panel in Chromium: a call outlives the tab switch (clicking a widget shows its
// properties) and a reload; a call waiting on Dial, Enqueue, Pay, a virtual agent or a ConversationRelay
// session gets controls for how that ends (and the keypad is off meanwhile); the flow's own outbound
// call can be answered or rejected; a call the server forgot in a restart is said to be lost, polling
// stops and Call comes back; focus stays on the call button; the side panel's tabs are one Tab stop with arrow keys; and a
// call to a flow whose Trigger takes no calls says so, under the transcript.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import type { FlowDefinition } from '../../src/definition/types.ts';
import type { TestServer } from '../support/server.ts';
import { triggerFlow, wiredTriggerFlow } from '../support/flows.ts';
import { noChromium, type Browser } from './browser.ts';
import { closeConsoleOnDisk, openConsoleOnDisk, serveAgain } from './console-on-disk.ts';

const IVR = JSON.parse(readFileSync(fileURLToPath(new URL('./fixtures/ivr-flow.json', import.meta.url)), 'utf8')) as FlowDefinition;
const at = (y: number) => ({ offset: { x: 0, y } });
const say = (name: string, y: number, text: string, next?: string) => ({
  name,
  type: 'say-play',
  properties: { ...at(y), say: text, loop: 1 },
  transitions: [{ event: 'audioComplete', ...(next ? { next } : {}) }],
});

/** Dial, then Enqueue, then Pay, then a virtual agent: each says how it ended. */
const CHAIN = triggerFlow('outcomes', 'incomingCall', 'dial', [
  { name: 'dial', type: 'connect-call-to', properties: { ...at(200), noun: 'number', to: '+15550009999', caller_id: '{{contact.channel.address}}', timeout: 10 }, transitions: [{ event: 'callCompleted', next: 'dialled' }, { event: 'hangup' }] },
  say('dialled', 400, 'Dialled {{widgets.dial.DialCallStatus}} for {{widgets.dial.DialCallDuration}} seconds.', 'queue'),
  { name: 'queue', type: 'enqueue-call', properties: { ...at(600), queue_name: 'support' }, transitions: [{ event: 'callComplete', next: 'queued' }, { event: 'failedToEnqueue', next: 'queued' }, { event: 'callFailure', next: 'queued' }] },
  say('queued', 800, 'Queue {{widgets.queue.QueueResult}} after {{widgets.queue.QueueTime}} seconds.', 'pay'),
  {
    name: 'pay',
    type: 'capture-payments',
    properties: { ...at(1000), payment_connector: 'Stripe', payment_amount: '10.00', currency: 'usd' },
    transitions: ['success', 'maxFailedAttempts', 'providerError', 'payInterrupted', 'hangup', 'validationError'].map((event) => ({ event, ...(event === 'hangup' ? {} : { next: 'paid' }) })),
  },
  say('paid', 1200, 'Payment {{widgets.pay.Result}}.', 'agent'),
  {
    name: 'agent',
    type: 'connect-virtual-agent-v2',
    properties: { ...at(1400), connector_name: 'helpdesk' },
    transitions: ['completed', 'live-agent-handoff', 'hangup', 'failed', 'paused', 'timeout'].map((event) => ({ event, ...(event === 'hangup' ? {} : { next: 'agent_done' }) })),
  },
  { ...say('agent_done', 1600, 'Agent {{widgets.agent.VirtualAgentStatus}}.', 'menu') },
  { name: 'menu', type: 'gather-input-on-call', properties: { ...at(1800), say: 'Anything else?', number_of_digits: 1 }, transitions: [{ event: 'keypress' }, { event: 'speech' }, { event: 'timeout' }] },
]);

/** A ConversationRelay session, then what the app handed off. */
const RELAY = triggerFlow('relay', 'incomingCall', 'relay', [
  { name: 'relay', type: 'run-conversation-relay', properties: { ...at(200), url: 'wss://relay.example/ws' }, transitions: [{ event: 'success', next: 'relayed' }, { event: 'failed', next: 'relayed' }] },
  say('relayed', 400, 'Relay {{widgets.relay.SessionStatus}}: {{widgets.relay.HandoffData.reason}}.'),
]);

/** A REST execution calls the contact; answered, it says hello. */
const OUTBOUND = triggerFlow('outbound', 'incomingRequest', 'call_out', [
  {
    name: 'call_out',
    type: 'make-outgoing-call-v2',
    properties: { ...at(200), to: '{{contact.channel.address}}', from: '{{flow.channel.address}}', timeout: 60 },
    transitions: [{ event: 'answered', next: 'hello' }, { event: 'busy' }, { event: 'noAnswer' }, { event: 'failed' }],
  },
  say('hello', 400, 'Hello from the flow.'),
]);

/** Leave a message, then a menu that keeps the call going. */
const VOICEMAIL = triggerFlow('voicemail', 'incomingCall', 'record', [
  { name: 'record', type: 'record-voicemail', properties: { ...at(200), timeout: 5, max_length: 60, finish_on_key: '#', play_beep: 'true' }, transitions: [{ event: 'recordingComplete', next: 'menu' }, { event: 'noAudio', next: 'menu' }, { event: 'hangup' }] },
  { name: 'menu', type: 'gather-input-on-call', properties: { ...at(400), say: 'Thanks. Press a key.', number_of_digits: 1 }, transitions: [{ event: 'keypress' }, { event: 'speech' }, { event: 'timeout' }] },
]);

/** A menu that times out after 2 s into a goodbye. */
const QUICK_MENU = triggerFlow('quick menu', 'incomingCall', 'menu', [
  { name: 'menu', type: 'gather-input-on-call', properties: { ...at(200), say: 'Press a key soon.', timeout: 2 }, transitions: [{ event: 'keypress' }, { event: 'speech' }, { event: 'timeout', next: 'nothing' }] },
  say('nothing', 400, 'Nothing pressed.'),
]);

/** The Trigger takes texts only. */
const TEXTS_ONLY = wiredTriggerFlow('texts only', { incomingMessage: 'reply' }, [
  { name: 'reply', type: 'send-message', properties: { ...at(200), from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'hi' }, transitions: [{ event: 'sent' }, { event: 'failed' }] },
]);

interface CallJson {
  sid: string;
  status: string;
  direction: string;
  execution_sid: string | null;
}

describe('web console: the Phone panel (Chromium)', { skip: noChromium, timeout: 180_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let dbPath: string;
  let dataDir: string;

  before(async () => {
    // A store on disk, so the server can be restarted under the signed-in console.
    ({ server, browser, page, dbPath, dataDir } = await openConsoleOnDisk('switchboard-phone-panel-'));
  });

  after(() => closeConsoleOnDisk({ server, browser, dataDir }));

  const create = async (name: string, definition: FlowDefinition): Promise<string> =>
    (await server.app.flows.create(server.account.sid, { friendlyName: name, status: 'published', definition })).sid;

  const calls = async (flowSid: string): Promise<CallJson[]> => {
    const res = await fetch(`${server.baseUrl}/simulator/calls?FlowSid=${flowSid}`, { headers: { authorization: server.auth } });
    assert.equal(res.status, 200);
    return ((await res.json()) as { calls: CallJson[] }).calls;
  };

  const openPhone = async (flowSid: string) => {
    await page.goto(`${server.baseUrl}/flows/${flowSid}`);
    await page.getByRole('tab', { name: 'Phone' }).click();
  };

  const transcript = () => page.getByRole('list', { name: 'Call transcript' });
  const flowSaid = (text: string) => transcript().locator('[data-who="flow"]', { hasText: text });
  const focused = () => page.evaluate<string | null>('document.activeElement && document.activeElement !== document.body ? document.activeElement.textContent : null');

  it('keeps the call through the Properties tab and a reload, then hangs it up', async () => {
    const flowSid = await create('IVR kept', IVR);
    await openPhone(flowSid);
    await page.getByLabel('Call as').fill('+15551237001');
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    await flowSaid('Press 1 for our opening hours.').waitFor();

    // Clicking a widget shows its properties; the call goes on, and is there on the way back.
    await page.locator('[data-widget="say_hours"]').click();
    await page.getByRole('tab', { name: 'Properties', selected: true }).waitFor();
    await page.getByRole('tab', { name: 'Phone' }).click();
    await flowSaid('Press 1 for our opening hours.').waitFor();
    await page.getByRole('button', { name: 'Hang up', exact: true }).waitFor();

    // A reload finds it again.
    await page.reload();
    await page.getByRole('tab', { name: 'Phone' }).click();
    await flowSaid('Press 1 for our opening hours.').waitFor();
    const [only] = await calls(flowSid);
    assert.equal((await calls(flowSid)).length, 1, 'no second call was made');
    assert.equal(only!.status, 'in-progress');
    await page.getByRole('button', { name: 'Hang up', exact: true }).click();
    await page.getByRole('button', { name: 'Call', exact: true }).waitFor();
    assert.equal((await calls(flowSid))[0]!.status, 'completed', 'the hang-up reached the call restored after the reload');
    // Its steps stream on the page and highlight the path of the Phone's call.
    await page.getByRole('list', { name: "Steps of the call's execution" }).locator('.step-item', { hasText: 'gather_menu' }).waitFor();
  });

  it('says how a connected call, the queue, a payment and a virtual agent end; the keypad is off meanwhile', async () => {
    const flowSid = await create('Outcomes', CHAIN);
    await openPhone(flowSid);
    await page.getByLabel('Call as').fill('+15551237002');
    await page.getByRole('button', { name: 'Call', exact: true }).click();

    const dial = page.getByRole('form', { name: 'Connected call' });
    await dial.waitFor();
    await page.getByRole('status').filter({ hasText: 'connecting the call to +15550009999' }).waitFor();
    // Nothing the caller presses or says reaches a Dial: the keypad, Speak and Stay silent are off.
    assert.equal(await page.getByRole('button', { name: 'Key 1' }).isDisabled(), true);
    assert.equal(await page.getByRole('button', { name: 'Stay silent' }).isDisabled(), true);
    assert.equal(await page.getByPlaceholder('Say something…').isDisabled(), true);
    await dial.getByLabel('The dialled call').selectOption('busy');
    assert.equal(await dial.getByLabel('Talk time (s)').isDisabled(), true, 'a busy call has no talk time');
    await dial.getByLabel('The dialled call').selectOption('completed');
    await dial.getByLabel('Talk time (s)').fill('42');
    await dial.getByRole('button', { name: 'End the connected call' }).click();
    await flowSaid('Dialled completed for 42 seconds.').waitFor();

    const queue = page.getByRole('form', { name: 'Queue' });
    await queue.getByLabel('The call').selectOption('queue-full');
    await queue.getByLabel('Time in queue (s)').fill('7');
    await queue.getByRole('button', { name: 'Leave the queue' }).click();
    await flowSaid('Queue queue-full after 7 seconds.').waitFor();

    const payment = page.getByRole('form', { name: 'Payment' });
    await payment.getByLabel('The payment').selectOption('validation-error');
    await payment.getByRole('button', { name: 'End the payment' }).click();
    await flowSaid('Payment validation-error.').waitFor();

    const agent = page.getByRole('form', { name: 'Virtual agent' });
    await agent.getByLabel('The session').selectOption('live-agent-handoff');
    await agent.getByRole('button', { name: 'End the agent session' }).click();
    await flowSaid('Agent live-agent-handoff.').waitFor();

    // A Gather again: the keypad is back, and no outcome form is left.
    await flowSaid('Anything else?').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Key 1' }).isDisabled(), false);
    assert.equal(await page.getByRole('button', { name: 'Stay silent' }).isDisabled(), false);
    assert.equal(await page.locator('.call-outcome').count(), 0);
    assert.equal(await page.locator('.phone-panel [role="alert"]').count(), 0, 'no error on the way');
    await page.getByRole('button', { name: 'Hang up', exact: true }).click();
    await page.getByRole('button', { name: 'Call', exact: true }).waitFor();
  });

  it('ends a ConversationRelay session with its own form: a status and the handoff data', async () => {
    const flowSid = await create('Relay', RELAY);
    await openPhone(flowSid);
    await page.getByLabel('Call as').fill('+15551237012');
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'The call is with the ConversationRelay app at wss://relay.example/ws: say how the relay session ends.' }).waitFor();
    assert.equal(await page.getByRole('form', { name: 'Virtual agent' }).count(), 0, "not the virtual agent's form");
    const relay = page.getByRole('form', { name: 'ConversationRelay' });
    await relay.getByLabel('The relay session').selectOption('ended');
    await relay.getByLabel('Handoff data').fill('{"reason": "billing"}');
    await relay.getByRole('button', { name: 'End the relay session' }).click();
    await flowSaid('Relay ended: billing.').waitFor();
    assert.equal(await page.locator('.phone-panel [role="alert"]').count(), 0, 'no error on the way');
  });

  it('answers and rejects the calls the flow places', async () => {
    const flowSid = await create('Outbound', OUTBOUND);
    await openPhone(flowSid);
    const start = async (to: string) => {
      const res = await fetch(`${server.baseUrl}/v2/Flows/${flowSid}/Executions`, {
        method: 'POST',
        headers: { authorization: server.auth, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ To: to, From: '+15005550006' }),
      });
      assert.equal(res.status, 201, await res.clone().text());
      return ((await res.json()) as { sid: string }).sid;
    };

    await start('+15551237101');
    const ringing = page.getByRole('group', { name: 'Ringing call' });
    await ringing.waitFor();
    await page.getByText('The flow called +15551237101').waitFor();
    await ringing.getByRole('button', { name: 'Answer' }).click();
    await flowSaid('Hello from the flow.').waitFor();
    await page.getByRole('button', { name: 'Call', exact: true }).waitFor();

    const rejected = await start('+15551237102');
    await page.getByText('The flow called +15551237102').waitFor();
    await ringing.getByLabel('Not picked up, as').selectOption('no-answer');
    await ringing.getByRole('button', { name: 'Reject' }).click();
    await page.locator('.phone-panel .panel-header [role="status"]', { hasText: 'no-answer' }).waitFor();
    const steps = await fetch(`${server.baseUrl}/v2/Flows/${flowSid}/Executions/${rejected}/Steps`, { headers: { authorization: server.auth } });
    const names = ((await steps.json()) as { steps: { name: string }[] }).steps.map((s) => s.name);
    assert.ok(names.includes('noAnswer'), `the flow went down noAnswer: ${names.join(', ')}`);
    const placed = await calls(flowSid);
    assert.deepEqual(placed.map((c) => [c.direction, c.status]), [['outbound-api', 'completed'], ['outbound-api', 'no-answer']]);
  });

  it('says a call the server forgot in a restart is lost, stops asking about it, and calls again', async () => {
    const flowSid = await create('IVR restarted', IVR);
    await openPhone(flowSid);
    await page.getByLabel('Call as').fill('+15551237201');
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    await flowSaid('Press 1 for our opening hours.').waitFor();
    const [first] = await calls(flowSid);

    // The restart: same port and database, the phone's calls gone with the old process's memory.
    await server.app.close();
    server = await serveAgain(server, dbPath);

    const lost = page.getByRole('alert').filter({ hasText: 'The server no longer knows this call' });
    await lost.waitFor();
    await page.locator('.phone-panel .panel-header [role="status"]', { hasText: 'lost' }).waitFor();
    await page.getByRole('button', { name: 'Call', exact: true }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Hang up', exact: true }).count(), 0);
    // No more polling of the lost call.
    const asked: string[] = [];
    const onRequest = (request: { url(): string }) => {
      if (request.url().includes(`/simulator/calls/${first!.sid}`)) asked.push(request.url());
    };
    page.on('request', onRequest);
    await page.waitForTimeout(4000);
    page.off('request', onRequest);
    assert.deepEqual(asked, []);

    // Call works again.
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    await flowSaid('Press 1 for our opening hours.').waitFor();
    await lost.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Hang up', exact: true }).click();

    // A call remembered for the flow that the server lost while the page was elsewhere: said on return.
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    await flowSaid('Press 1 for our opening hours.').waitFor();
    await page.goto(`${server.baseUrl}/flows`);
    await page.getByRole('heading', { name: 'Flows' }).waitFor();
    await server.app.close();
    server = await serveAgain(server, dbPath);
    await openPhone(flowSid);
    await lost.waitFor();
    await page.getByRole('button', { name: 'Call', exact: true }).waitFor();
  });

  it('keeps focus on the call button after Call, Hang up and Leave a recording', async () => {
    const flowSid = await create('Voicemail', VOICEMAIL);
    await openPhone(flowSid);
    await page.getByLabel('Call as').fill('+15551237301');
    await page.getByRole('button', { name: 'Call', exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Leave a 5 s recording', exact: true }).waitFor();
    assert.equal(await focused(), 'Hang up', 'focus on the button that replaced Call');
    await page.getByRole('button', { name: 'Leave a 5 s recording', exact: true }).focus();
    await page.keyboard.press('Enter');
    await flowSaid('Thanks. Press a key.').waitFor();
    assert.equal(await focused(), 'Hang up', 'the recording button is gone: focus on Hang up');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Call', exact: true }).waitFor();
    assert.equal(await focused(), 'Call', 'focus on the button that replaced Hang up');
  });

  it('leaves a voicemail and hangs up: the recording reaches the flow, as Twilio posts it after a hang-up', async () => {
    const flowSid = await create('Voicemail and hang up', VOICEMAIL);
    await openPhone(flowSid);
    await page.getByLabel('Call as').fill('+15551237303');
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    await page.getByRole('button', { name: 'Leave a 5 s recording and hang up' }).click();
    await page.getByText('recorded 5 s, then hung up').waitFor();
    await page.getByRole('button', { name: 'Call', exact: true }).waitFor();
    const executions = await server.app.store.listExecutions(server.account.sid, flowSid, {}, { pageSize: 5 });
    const steps = await server.app.store.listSteps(server.account.sid, flowSid, executions.items[0]!.sid, { pageSize: 20 });
    assert.ok(steps.items.some((step) => step.transitionedFrom === 'record' && step.name === 'recordingComplete'), JSON.stringify(steps.items.map((s) => `${s.transitionedFrom} -${s.name}->`)));
  });

  it('counts a Gather down and moves on when it times out, as a phone does; with timeouts off it waits for Stay silent', async () => {
    const flowSid = await create('Quick menu', QUICK_MENU);
    await openPhone(flowSid);
    await page.getByLabel('Call as').fill('+15551237401');
    const timeouts = page.getByRole('checkbox', { name: /Time out as a phone does/ });
    assert.equal(await timeouts.isChecked(), true, 'on by default');
    await timeouts.uncheck();
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    await page.getByText('Timeouts are off: the Gather waits until you stay silent.').waitFor();
    await page.waitForTimeout(3000);
    assert.equal(await flowSaid('Nothing pressed.').count(), 0, 'no timeout while they are off');
    assert.equal((await calls(flowSid))[0]!.status, 'in-progress');
    // On during the call: the Gather gets its 2 s from now, counted down, then moves on by itself. The box
    // shows the switch at once, while the server is still taking it (here held back for a second).
    const callSetting = /\/simulator\/calls\/CA[0-9a-f]{32}$/;
    await page.route(callSetting, async (route) => {
      if (route.request().method() === 'POST') await new Promise((resolve) => setTimeout(resolve, 1000));
      await route.continue();
    });
    await timeouts.check();
    await page.getByText(/No input in [12] s and the Gather times out\./).waitFor();
    await flowSaid('Nothing pressed.').waitFor({ timeout: 10_000 });
    await transcript().locator('[data-kind="timeout"]', { hasText: 'no input within 2 s' }).waitFor();
    await page.getByRole('button', { name: 'Call', exact: true }).waitFor();
    assert.equal(await timeouts.isChecked(), true, 'remembered on for the next call');
    await page.unroute(callSetting);
  });

  it('makes the side panel tabs one Tab stop, moved between with arrow keys, Home and End', async () => {
    await openPhone(await create('Tabs', IVR));
    const tab = (name: string) => page.getByRole('tab', { name });
    assert.deepEqual(await Promise.all(['Properties', 'Chat', 'Phone'].map((name) => tab(name).getAttribute('tabindex'))), ['-1', '-1', '0']);
    await tab('Phone').focus();
    await page.keyboard.press('ArrowRight');
    await page.getByRole('tab', { name: 'Properties', selected: true }).waitFor();
    assert.equal(await focused(), 'Properties');
    await page.keyboard.press('ArrowRight');
    await page.getByRole('tab', { name: 'Chat', selected: true }).waitFor();
    assert.equal(await focused(), 'Chat');
    await page.keyboard.press('ArrowLeft');
    assert.equal(await focused(), 'Properties');
    await page.keyboard.press('End');
    await page.getByRole('tab', { name: 'Phone', selected: true }).waitFor();
    assert.equal(await focused(), 'Phone');
    await page.keyboard.press('Home');
    assert.equal(await focused(), 'Properties');
    assert.deepEqual(await Promise.all(['Properties', 'Chat', 'Phone'].map((name) => tab(name).getAttribute('tabindex'))), ['0', '-1', '-1']);
  });

  it('with "Call as" empty, says to enter a number instead of calling for the API to refuse it', async () => {
    await openPhone(await create('No caller', VOICEMAIL));
    await page.getByLabel('Call as').fill(' ');
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    const said = page.locator('.phone-panel .error-text[role="alert"]');
    await said.waitFor();
    assert.match((await said.textContent()) ?? '', /^Not called: enter the number to call from in "Call as"/);
    assert.equal(await page.getByLabel('Call as').evaluate((field) => field === field.ownerDocument.activeElement), true);
    // The number given, the call goes through and the error is gone.
    await page.getByLabel('Call as').fill('+15551237303');
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    await page.getByRole('button', { name: 'Leave a 5 s recording', exact: true }).waitFor();
    assert.equal(await said.count(), 0);
    await page.getByRole('button', { name: 'Hang up', exact: true }).click();
  });

  it('says so when a call reaches a flow whose Trigger takes no calls', async () => {
    await openPhone(await create('Texts only', TEXTS_ONLY));
    await page.getByLabel('Call as').fill('+15551237302');
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    const notice = page.getByRole('alert').filter({ hasText: "The flow's Trigger does not handle incoming calls" });
    await notice.waitFor();
    await page.locator('.phone-panel .panel-header [role="status"]', { hasText: 'completed' }).waitFor();
    // Said under the transcript, above the keypad: below it, it was out of view in a window 800 px tall.
    const [said, keypad] = [await notice.boundingBox(), await page.getByRole('group', { name: 'Keys' }).boundingBox()];
    assert.ok(said && keypad && said.y + said.height <= keypad.y, `the notice (${JSON.stringify(said)}) is above the keypad (${JSON.stringify(keypad)})`);
    // A call to a flow that takes calls has no such notice.
    await openPhone(await create('Takes calls', VOICEMAIL));
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    await page.getByRole('button', { name: 'Leave a 5 s recording', exact: true }).waitFor();
    assert.equal(await page.getByRole('alert').filter({ hasText: 'does not handle incoming calls' }).count(), 0);
    await page.getByRole('button', { name: 'Hang up', exact: true }).click();
  });
});
