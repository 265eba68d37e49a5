// The execution page's Replay panel in Chromium, on an execution a Conversations message started (a reply
// in the conversation): against the revision it ran, "Same path, messages and outputs"; against a revision
// whose Send & Wait has another author, it names the widget whose outputs differ and shows the field
// (it said "messages or outputs differ" and showed two identical diffs).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { ensureConsoleBuilt } from '../../web/ensure-built.ts';
import { startTestServer, FORM, form, type TestServer } from '../support/server.ts';
import { launchBrowser, noChromium, type Browser, signIn } from './browser.ts';
import { conversationAskFlow } from '../support/flows.ts';


function chatFlow(askFrom: string): object {
  return conversationAskFlow(askFrom);
}

describe('web console: Replay of a Conversations execution (Chromium)', { skip: noChromium, timeout: 180_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let flowSid = '';
  let executionSid = '';

  before(async () => {
    await ensureConsoleBuilt();
    server = await startTestServer({ listen: true });
    flowSid = (await server.app.flows.create(server.account.sid, { friendlyName: 'Chat', status: 'published', definition: chatFlow('Agent') })).sid;
    await server.app.flows.update(server.account.sid, flowSid, { status: 'published', definition: chatFlow('Bot') });
    for (const body of ['hi', 'Ada']) {
      const res = await server.app.server.inject({ method: 'POST', url: `/simulator/Flows/${flowSid}/Messages`, headers: { authorization: server.auth, ...FORM }, payload: form({ From: '+15551270001', Body: body }) });
      assert.equal(res.statusCode, 201, res.body);
      executionSid = String(res.json().execution_sid);
      await server.app.executions.idle();
    }
    browser = await launchBrowser();
    page = browser.page;
    page.setDefaultTimeout(15_000);
    await signIn(page, server.baseUrl, server.account);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const replayAgainst = async (revision: string) => {
    await page.getByLabel('Revision to replay against').selectOption(revision);
    await page.getByRole('button', { name: 'Replay' }).click();
    return page.getByRole('status', { name: 'Replay result' });
  };

  it('same against the revision it ran; the differing output field against the other', async () => {
    await page.goto(`${server.baseUrl}/flows/${flowSid}/executions/${executionSid}`);
    await page.getByRole('heading', { name: /Steps \(3\)/ }).waitFor();
    const same = await replayAgainst('LatestRevision');
    await same.getByText('Same path, messages and outputs on revision 2 as on revision 2.').waitFor();

    const other = await replayAgainst('1');
    await other.getByText('Same path on revision 1; the outputs of ask differ.').waitFor();
    const outputs = other.getByLabel('Outputs of ask, original (-) and replay (+)');
    assert.deepEqual((await outputs.innerText()).split('\n').filter((line) => line.trim() !== ''), ['- outbound.Author: "Bot"', '+ outbound.Author: "Agent"']);
    assert.deepEqual(browser.errors, []);
  });
});
