// An execution with more steps than the console reads (a raised --max-steps): the timeline says it shows only the
// first ones, rather than passing them off as the whole execution.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { ensureConsoleBuilt } from '../../web/ensure-built.ts';
import { FORM, form, startTestServer, type TestServer } from '../support/server.ts';
import { triggerFlow } from '../support/flows.ts';
import { launchBrowser, noChromium, signIn, type Browser } from './browser.ts';

const LIST_LIMIT = 5000;
// Two steps a time round a Set Variables and a Split, past the console's limit.
const ROUNDS = LIST_LIMIT / 2 + 50;
const LOOP = triggerFlow('a long loop', 'incomingRequest', 'inc', [
  { name: 'inc', type: 'set-variables', properties: { offset: { x: 0, y: 100 }, variables: [{ key: 'n', value: '{{flow.variables.n | plus: 1}}' }] }, transitions: [{ event: 'next', next: 'check' }] },
  {
    name: 'check',
    type: 'split-based-on',
    properties: { offset: { x: 0, y: 200 }, input: '{{flow.variables.n}}' },
    transitions: [{ event: 'noMatch' }, { event: 'match', next: 'inc', conditions: [{ friendly_name: 'more', arguments: ['{{flow.variables.n}}'], type: 'less_than', value: String(ROUNDS) }] }],
  },
]);

describe('execution page: more steps than the console reads (Chromium)', { skip: noChromium, timeout: 180_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    await ensureConsoleBuilt();
    server = await startTestServer({ listen: true, config: { maxSteps: 20_000 } });
    browser = await launchBrowser();
    page = browser.page;
    page.setDefaultTimeout(30_000);
    await signIn(page, server.baseUrl, server.account);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('says the timeline shows the first 5,000 steps, and counts those', async () => {
    const flow = await server.app.flows.create(server.account.sid, { friendlyName: 'Long loop', status: 'published', definition: LOOP });
    const created = await server.app.server.inject({ method: 'POST', url: `/v2/Flows/${flow.sid}/Executions`, headers: { authorization: server.auth, ...FORM }, payload: form({ To: '+15550001111', From: '+15005550006' }) });
    assert.equal(created.statusCode, 201, created.body);
    await server.app.executions.idle();
    const executionSid = created.json().sid as string;
    await page.goto(`${server.baseUrl}/flows/${flow.sid}/executions/${executionSid}`);
    await page.getByRole('status').filter({ hasText: 'This execution has more than 5,000 steps: the timeline shows the first 5,000' }).waitFor();
    await page.getByRole('heading', { name: `Steps (${LIST_LIMIT})` }).waitFor();
  });
});
