// A node holds only so many console event streams (each polls the store four times a second): per
// account (--console-streams-per-account) and in all (--console-streams). One more is refused
// 429/20429 before it starts, and a slot comes back however a stream ends: the client leaving, or its
// credentials failing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FORM, basicAuth, form, startTestServer, type TestServer } from '../support/server.ts';

const GREETING = JSON.parse(readFileSync(fileURLToPath(new URL('./fixtures/greeting-flow.json', import.meta.url)), 'utf8'));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('console streams: how many a node holds open', () => {
  let server: TestServer;
  let flowSid: string;
  const open: AbortController[] = [];

  before(async () => {
    server = await startTestServer({ listen: true, config: { consoleStreamsPerAccount: 2, consoleStreams: 3 } });
    flowSid = (await server.app.flows.create(server.account.sid, { friendlyName: 'Greeting', status: 'published', definition: GREETING })).sid;
  });
  after(async () => {
    for (const controller of open) controller.abort();
    await server.close();
  });

  const streamUrl = (flow: string, contact: string) => `${server.baseUrl}/console/api/Flows/${flow}/Simulator/Events?Contact=${encodeURIComponent(contact)}`;

  /** Opens a stream: its status, and (when 200) the controller that closes it; a refusal's body. */
  async function tryOpen(url: string, auth: string): Promise<{ status: number; body?: Record<string, unknown>; controller: AbortController }> {
    const controller = new AbortController();
    const response = await fetch(url, { headers: { authorization: auth }, signal: controller.signal });
    if (response.status === 200) {
      open.push(controller);
      return { status: 200, controller };
    }
    return { status: response.status, body: (await response.json()) as Record<string, unknown>, controller };
  }

  /** Opens a stream once a slot is free again (slots come back as the server sees the close); fails after 5 s. */
  async function openOnceFree(url: string, auth: string): Promise<AbortController> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const attempt = await tryOpen(url, auth);
      if (attempt.status === 200) return attempt.controller;
      assert.equal(attempt.status, 429);
      if (Date.now() > deadline) assert.fail('no slot came back within 5 s');
      await sleep(50);
    }
  }

  it('refuses an account its third stream 429/20429, and takes it once one closes', async () => {
    const first = await tryOpen(streamUrl(flowSid, '+15557774001'), server.auth);
    const second = await tryOpen(streamUrl(flowSid, '+15557774002'), server.auth);
    assert.deepEqual([first.status, second.status], [200, 200]);

    const refused = await tryOpen(streamUrl(flowSid, '+15557774003'), server.auth);
    assert.equal(refused.status, 429);
    assert.equal(refused.body!.code, 20429);
    assert.equal(refused.body!.status, 429);
    assert.match(String(refused.body!.message), /too many open console streams/i);
    assert.equal(refused.body!.more_info, 'https://www.twilio.com/docs/errors/20429');
    // An execution's stream counts the same; a request wrong anyway is answered as before.
    const sent = await server.app.server.inject({ method: 'POST', url: `/simulator/Flows/${flowSid}/Messages`, headers: { authorization: server.auth, ...FORM }, payload: form({ From: '+15557774009', Body: 'hi' }) });
    const executionSid = sent.json().execution_sid as string;
    const execution = await server.app.server.inject({ method: 'GET', url: `/console/api/Flows/${flowSid}/Executions/${executionSid}/Events`, headers: { authorization: server.auth } });
    assert.equal(execution.statusCode, 429);
    assert.equal(execution.json().code, 20429);
    const unknown = await server.app.server.inject({ method: 'GET', url: `/console/api/Flows/${flowSid}/Executions/FN00000000000000000000000000000000/Events`, headers: { authorization: server.auth } });
    assert.equal(unknown.statusCode, 404);

    first.controller.abort();
    const third = await openOnceFree(streamUrl(flowSid, '+15557774003'), server.auth);
    third.abort();
    second.controller.abort();
    // Both slots come back: two streams open again.
    await openOnceFree(streamUrl(flowSid, '+15557774004'), server.auth);
    await openOnceFree(streamUrl(flowSid, '+15557774005'), server.auth);
  });

  it("refuses any account once the node holds its total, and gives a stream's slot back when its credentials fail", async () => {
    // The first test left this account two streams: the node holds three at most.
    const other = await server.app.accounts.create('other');
    const otherFlow = (await server.app.flows.create(other.sid, { friendlyName: 'Greeting', status: 'published', definition: GREETING })).sid;
    const otherAuth = basicAuth(other.sid, other.authToken);
    const { key, secret } = await server.app.accounts.createKey(other.sid, 'console');
    const keyAuth = basicAuth(key.sid, secret);
    const byKey = await tryOpen(streamUrl(otherFlow, '+15557774101'), keyAuth);
    assert.equal(byKey.status, 200);
    const refused = await tryOpen(streamUrl(otherFlow, '+15557774102'), otherAuth);
    assert.equal(refused.status, 429);
    assert.equal(refused.body!.code, 20429);
    assert.match(String(refused.body!.message), /too many open console streams: at most 3 on this server/i);

    // The key's stream ends itself once the key is revoked (it is never closed here): its slot comes back.
    await server.app.store.deleteApiKey(key.sid);
    await openOnceFree(streamUrl(otherFlow, '+15557774102'), otherAuth);
  });
});
