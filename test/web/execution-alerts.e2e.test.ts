// The execution page in Chromium on a busy account: its Alerts panel shows the execution's own alert
// although thousands of newer alerts of other executions come before it in /v1/Alerts (the page used
// to read 2,000 of the account's and pick), and the header tells an execution that reached its
// maximum age from one ended manually.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { TestServer } from '../support/server.ts';
import { triggerFlow } from '../support/flows.ts';
import { closeSignedInConsole, noChromium, openSignedInConsole, type Browser } from './browser.ts';
import { newSid } from '../../src/runtime/ids.ts';
import type { AlertRecord, ExecutionRecord } from '../../src/runtime/ports/store.ts';

const BROKEN_LIQUID = triggerFlow('alerts', 'incomingRequest', 'w', [
  {
    name: 'w',
    type: 'send-message',
    properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: '{% if %}' },
    transitions: [{ event: 'sent' }, { event: 'failed' }],
  },
]);
const ASK = triggerFlow('ask', 'incomingRequest', 'ask', [
  {
    name: 'ask',
    type: 'send-and-wait-for-reply',
    properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', body: 'Q', timeout: '3600' },
    transitions: [{ event: 'incomingMessage' }, { event: 'timeout' }, { event: 'deliveryFailure' }],
  },
]);

describe('web console: an execution on a busy account (Chromium)', { skip: noChromium, timeout: 120_000 }, () => {
  const clock = { ms: Date.now() };
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  const start = async (flowSid: string, to: string): Promise<string> => {
    const res = await fetch(`${server.baseUrl}/v2/Flows/${flowSid}/Executions`, {
      method: 'POST',
      headers: { authorization: server.auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ To: to, From: '+15005550006' }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    await server.app.executions.idle();
    return ((await res.json()) as { sid: string }).sid;
  };

  before(async () => {
    ({ server, browser, page } = await openSignedInConsole({ server: { now: () => clock.ms, config: { executionMaxAge: 600 } }, timeoutMs: 15_000, acceptDialogs: false }));
  });

  after(() => closeSignedInConsole({ server, browser }));

  it("shows the execution's own alert behind 2,100 newer ones of other executions", async () => {
    const flowSid = (await server.app.flows.create(server.account.sid, { friendlyName: 'Broken', status: 'published', definition: BROKEN_LIQUID })).sid;
    const sid = await start(flowSid, '+15551230001');
    const record = (await server.app.store.getExecutionBySid(sid))!;
    const other: ExecutionRecord = { ...record, sid: newSid('FN'), contactChannelAddress: '+15551230002' };
    const noise: AlertRecord[] = Array.from({ length: 2100 }, (_, i) => ({
      sid: newSid('NO'),
      accountSid: server.account.sid,
      flowSid,
      executionSid: other.sid,
      logLevel: 'warning',
      errorCode: 81002,
      text: 'Msg=noise&ErrorCode=81002',
      dateCreated: record.dateCreated + 1 + i,
    }));
    await server.app.store.writeSprint({ execution: other, isNew: true, exclusive: false, steps: [], timersToAdd: [], timersToCancel: [], effectsToAdd: [], effectsDone: [], alerts: noise });

    await page.goto(`${server.baseUrl}/flows/${flowSid}/executions/${sid}`);
    const alerts = page.locator('section.alerts');
    await alerts.getByRole('heading', { name: 'Alerts (1)' }).waitFor();
    assert.equal(await alerts.locator('.alert-code').textContent(), '84003');
    assert.equal(await alerts.getByText('noise').count(), 0);
    assert.deepEqual(browser.errors, []);
  });

  it('says an execution that reached its maximum age ended so, and one ended by the API ended manually', async () => {
    const flowSid = (await server.app.flows.create(server.account.sid, { friendlyName: 'Ask', status: 'published', definition: ASK })).sid;
    const expired = await start(flowSid, '+15551230003');
    clock.ms += 601_000;
    await server.app.executions.fireDueTimers();
    const manual = await start(flowSid, '+15551230004');
    const ended = await fetch(`${server.baseUrl}/v2/Flows/${flowSid}/Executions/${manual}`, {
      method: 'POST',
      headers: { authorization: server.auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ Status: 'ended' }),
    });
    assert.equal(ended.status, 200);

    const state = page.getByTestId('execution-state');
    await page.goto(`${server.baseUrl}/flows/${flowSid}/executions/${expired}`);
    await state.waitFor();
    assert.equal(((await state.textContent()) ?? '').trim(), 'Ended: reached the maximum execution age');
    await page.goto(`${server.baseUrl}/flows/${flowSid}/executions/${manual}`);
    await page.getByTestId('execution-state').getByText('Ended manually').waitFor();
    assert.equal(((await state.textContent()) ?? '').trim(), 'Ended manually');
    assert.deepEqual(browser.errors, []);
  });
});
