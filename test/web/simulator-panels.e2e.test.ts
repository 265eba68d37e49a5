// The simulators in Chromium, as a reviewer drove them: the Phone's transcript follows its latest line
// (unless the reader scrolled up), and says when the execution ended by an error although the call
// only heard the flow hang up; the steps link shows the execution's whole SID; the Chat says why a run
// ended (an error alert on the way); after a server restart the Chat finds the contact's waiting
// execution; and an error about the server being away goes once it answers again.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import type { FlowDefinition } from '../../src/definition/types.ts';
import type { TestServer } from '../support/server.ts';
import { triggerFlow } from '../support/flows.ts';
import { noChromium, until, type Browser } from './browser.ts';
import { closeConsoleOnDisk, openConsoleOnDisk, serveAgain } from './console-on-disk.ts';

const at = (y: number) => ({ offset: { x: 0, y } });

/** A menu whose timeout asks again: staying silent eleven times in a row ends the execution with 81001. */
const ASKS_AGAIN = triggerFlow('asks again', 'incomingCall', 'menu', [
  {
    name: 'menu',
    type: 'gather-input-on-call',
    properties: { ...at(200), say: 'Press a key, or say nothing.', number_of_digits: 1, timeout: 5 },
    transitions: [{ event: 'keypress' }, { event: 'speech' }, { event: 'timeout', next: 'menu' }],
  },
]);

/** A Function that is no URL fails (81010) and leaves by `fail`: to the end (which ends the execution with that error), or on to a reply. */
const functionFails = (onFail: string | undefined) =>
  triggerFlow('function fails', 'incomingMessage', 'lookup', [
    { name: 'lookup', type: 'run-function', properties: { ...at(200), url: 'not a function url' }, transitions: [{ event: 'success', next: 'reply' }, { event: 'fail', ...(onFail ? { next: onFail } : {}) }] },
    { name: 'reply', type: 'send-message', properties: { ...at(400), from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'Nothing found' }, transitions: [{ event: 'sent' }, { event: 'failed' }] },
  ]);

/** Asks a name and waits for it. */
const ASKS_NAME = triggerFlow('asks name', 'incomingMessage', 'ask', [
  {
    name: 'ask',
    type: 'send-and-wait-for-reply',
    properties: { ...at(200), from: '{{flow.channel.address}}', body: 'Your name?', timeout: '3600' },
    transitions: [{ event: 'incomingMessage', next: 'thanks' }, { event: 'timeout' }, { event: 'deliveryFailure' }],
  },
  { name: 'thanks', type: 'send-message', properties: { ...at(400), from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'Thanks {{widgets.ask.inbound.Body}}' }, transitions: [{ event: 'sent' }, { event: 'failed' }] },
]);

describe('web console: the simulators on the way and at the end (Chromium)', { skip: noChromium, timeout: 240_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let dbPath: string;
  let dataDir: string;

  before(async () => {
    // A store on disk, so the server can be restarted under the signed-in console.
    ({ server, browser, page, dbPath, dataDir } = await openConsoleOnDisk('switchboard-simulator-panels-'));
  });

  after(() => closeConsoleOnDisk({ server, browser, dataDir }));

  const create = async (name: string, definition: FlowDefinition): Promise<string> =>
    (await server.app.flows.create(server.account.sid, { friendlyName: name, status: 'published', definition })).sid;

  const get = async <T,>(path: string): Promise<T> => {
    const res = await fetch(`${server.baseUrl}${path}`, { headers: { authorization: server.auth } });
    assert.equal(res.status, 200, path);
    return (await res.json()) as T;
  };

  const open = async (flowSid: string, tab: 'Chat' | 'Phone') => {
    await page.goto(`${server.baseUrl}/flows/${flowSid}`);
    await page.getByRole('tab', { name: tab }).click();
  };

  /** How far the list is scrolled from its top, and from its bottom. */
  const scrolled = (list: Locator) => list.evaluate((el) => ({ top: el.scrollTop, fromBottom: el.scrollHeight - el.scrollTop - el.clientHeight, overflow: el.scrollHeight - el.clientHeight }));

  it('the Phone follows its transcript unless scrolled up, says the execution ended by 81001, links its whole SID, and drops a passing error', async () => {
    const flowSid = await create('Asks again', ASKS_AGAIN);
    await open(flowSid, 'Phone');
    await page.getByLabel('Call as').fill('+15551239001');
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    const transcript = page.getByRole('list', { name: 'Call transcript' });
    const lines = transcript.locator('li');
    await transcript.locator('[data-who="flow"]', { hasText: 'Press a key' }).waitFor();
    const silence = async () => {
      const before = await lines.count();
      await page.getByRole('button', { name: 'Stay silent' }).click();
      await until('the transcript has the answer', async () => (await lines.count()) > before);
    };

    // A silence the server never hears (no answer at all): said, and gone once the next look at the call is answered.
    // (Its looks at the call go unanswered too, until the server is back.)
    await page.route('**/simulator/calls/**', (route) => route.abort());
    await page.getByRole('button', { name: 'Stay silent' }).click();
    const error = page.locator('.phone-panel .error-text');
    await error.filter({ hasText: 'cannot be reached' }).waitFor();
    await page.waitForTimeout(2000);
    assert.equal(await error.count(), 1, 'said while the server does not answer');
    await page.unroute('**/simulator/calls/**');
    await error.waitFor({ state: 'detached', timeout: 5000 });
    // The requests that got no answer are expected, not app errors.
    browser.errors.splice(0);

    // Lines well beyond the list's height: it shows the latest.
    const overflow = async () => (await scrolled(transcript)).overflow;
    for (let i = 0; i < 8 && (await overflow()) < 100; i++) await silence();
    assert.ok((await overflow()) >= 100, 'the transcript is taller than its list');
    assert.ok((await scrolled(transcript)).fromBottom <= 2, 'on the latest line');
    // Scrolled up to read: it stays there as lines arrive.
    await transcript.evaluate((el) => el.scrollTo(0, 0));
    await silence();
    assert.equal((await scrolled(transcript)).top, 0, 'left where the reader is');
    // Back at the bottom: it follows again.
    await transcript.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await silence();
    assert.ok((await scrolled(transcript)).fromBottom <= 2, 'following again');

    // Silent until the menu has run more than 10 times in a row: the call hears the flow hang up,
    // and the Phone says the execution ended by an error.
    for (let i = 0; i < 12 && (await page.getByRole('button', { name: 'Call', exact: true }).count()) === 0; i++) await silence();
    await page.getByRole('button', { name: 'Call', exact: true }).waitFor();
    const ended = transcript.locator('[data-kind="execution-ended"]');
    await ended.filter({ hasText: "Ended by error 81001: Widget 'menu' ran more than 10 times in a row" }).waitFor();
    assert.ok((await scrolled(transcript)).fromBottom <= 2, 'the end in view');
    const steps = page.locator('.phone-panel .live-steps');
    await steps.locator('.execution-end', { hasText: 'Ended by error 81001' }).waitFor();

    // The execution's link shows its whole SID.
    const [call] = (await get<{ calls: { execution_sid: string }[] }>(`/simulator/calls?FlowSid=${flowSid}`)).calls;
    const link = steps.getByRole('link', { name: `Execution ${call!.execution_sid}` });
    assert.equal(await link.locator('code.sid').textContent(), call!.execution_sid);
    assert.equal(await link.getAttribute('href'), `/flows/${flowSid}/executions/${call!.execution_sid}`);
  });

  it('the Chat says why a run ended: by an error, or at its end after errors on the way', async () => {
    const chat = async (name: string, definition: FlowDefinition, contact: string) => {
      await open(await create(name, definition), 'Chat');
      await page.getByLabel('Text as').fill(contact);
      await page.getByRole('button', { name: 'Use', exact: true }).click();
      await page.getByLabel('Message', { exact: true }).fill('trick');
      await page.getByRole('button', { name: 'Send' }).click();
    };
    const end = page.locator('.chat-panel .execution-end');

    // `fail` to the end: the execution ended with the Function's error.
    await chat('Function fails, the end', functionFails(undefined), '+15551239002');
    await end.filter({ hasText: 'Ended by error 81010: ' }).waitFor();
    await page.getByRole('list', { name: 'Steps of the latest execution' }).locator('.step-item', { hasText: 'lookup' }).filter({ hasText: 'Ended' }).waitFor();
    assert.equal(await end.getByRole('list', { name: 'Errors on the way' }).count(), 0, 'the error the end names is not listed again');

    // `fail` on to a reply: the flow ran to its end, after the error.
    await chat('Function fails, a reply', functionFails('reply'), '+15551239003');
    await page.getByRole('list', { name: 'Conversation' }).locator('.bubble-flow', { hasText: 'Nothing found' }).waitFor();
    await end.filter({ hasText: 'Ran to the end of the flow.' }).waitFor();
    await end.getByRole('list', { name: 'Errors on the way' }).filter({ hasText: /Error 81010: .*lookup/ }).waitFor();
  });

  it('the Chat finds the contact’s waiting execution after a server restart, and drops "cannot be reached" once the server is back', async () => {
    const contact = '+15551239004';
    const flowSid = await create('Asks name', ASKS_NAME);
    await open(flowSid, 'Chat');
    await page.getByLabel('Text as').fill(contact);
    await page.getByRole('button', { name: 'Use', exact: true }).click();
    const transcript = page.getByRole('list', { name: 'Conversation' });
    const composer = page.getByLabel('Message', { exact: true });
    await composer.fill('hello');
    await page.getByRole('button', { name: 'Send' }).click();
    await transcript.locator('.bubble-flow', { hasText: 'Your name?' }).waitFor();
    const [waiting] = (await get<{ executions: { sid: string; status: string }[] }>(`/v2/Flows/${flowSid}/Executions`)).executions;
    assert.equal(waiting!.status, 'active');

    // The server stops: a text cannot go out, and the Chat says so.
    await server.app.close();
    await composer.fill('are you there?');
    await page.getByRole('button', { name: 'Send' }).click();
    const error = page.locator('.chat-panel .error-text');
    await error.filter({ hasText: 'cannot be reached' }).waitFor();
    // Back (same database, the simulator's transcripts gone with the old process): the stream opens again and the error goes.
    server = await serveAgain(server, dbPath);
    await page.locator('.chat-panel .connection').filter({ hasText: 'live' }).waitFor();
    await error.waitFor({ state: 'detached', timeout: 5000 });

    // A reload: no messages to name the execution, but the Chat finds the contact's waiting one.
    await open(flowSid, 'Chat');
    const steps = page.locator('.chat-panel .live-steps');
    await steps.getByRole('link', { name: `Execution ${waiting!.sid}` }).waitFor();
    await steps.locator('.status', { hasText: 'active' }).waitFor();
    await page.getByRole('list', { name: 'Steps of the latest execution' }).locator('.step-item', { hasText: 'ask' }).waitFor();
    await transcript.getByText("This contact's execution is still active: your next text continues it.").waitFor();
    // And the next text continues it.
    await composer.fill('Ann');
    await page.getByRole('button', { name: 'Send' }).click();
    await transcript.locator('.bubble-flow', { hasText: 'Thanks Ann' }).waitFor();
    const executions = (await get<{ executions: { sid: string; status: string }[] }>(`/v2/Flows/${flowSid}/Executions`)).executions;
    assert.deepEqual(executions.map((e) => [e.sid, e.status]), [[waiting!.sid, 'ended']]);
    await page.locator('.chat-panel .execution-end', { hasText: 'Ran to the end of the flow.' }).waitFor();
    // The unreachable server's failed requests are expected, not app errors.
    browser.errors.splice(0);
  });

  it('logged no console errors', () => {
    assert.deepEqual(browser.errors, []);
  });
});
