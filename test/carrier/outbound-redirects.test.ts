// The carrier's outbound requests stay under the outbound policy past the first URL: a host the
// policy allows (127.0.0.2 via --http-allow, dev mode off) that redirects to one it refuses
// (loopback 127.0.0.1) must not make the Twilio carrier or the webhook channel POST there, and the
// refused service's answer must not reach the execution context. The webhook channel also checks
// the address its connection really uses, not only the guard's earlier lookup.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebhookChannel } from '../../src/channels/webhook/webhook-channel.ts';
import { OutboundPolicy } from '../../src/channels/http/outbound-policy.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { CONTACT, NUMBER, createFlow, firstExecution, flow, sendMessage, startCarrierServer, startFake, stepList, waitForEnd, webhookUrl, widgetOutputs, type CarrierServer } from './helpers.ts';
import type { FakeTwilio } from '../support/fake-twilio.ts';

interface Listener {
  server: http.Server;
  url: string;
  hits: { method: string; url: string; body: string }[];
}

async function listen(host: string, handle: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void): Promise<Listener> {
  const hits: Listener['hits'] = [];
  const server = http.createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    hits.push({ method: req.method ?? '', url: req.url ?? '', body });
    handle(req, res, body);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { server, url: `http://${host}:${(server.address() as AddressInfo).port}`, hits };
}

async function close(listener: Listener | undefined): Promise<void> {
  if (!listener) return;
  listener.server.closeAllConnections();
  await new Promise<void>((resolve) => listener.server.close(() => resolve()));
}

const SECRET = 'db-password-123';
const ACCOUNT = (sid: string) => ({ sid, authToken: 'local-token', friendlyName: 'a', dateCreated: Date.now() });

describe('carrier requests and redirects (dev mode off, --http-allow 127.0.0.2)', () => {
  let internal: Listener;
  let redirector: Listener;
  let fake: FakeTwilio;
  let server: CarrierServer | undefined;

  beforeEach(async () => {
    // The loopback service the policy refuses; it would answer like Twilio, with data that must not leak.
    internal = await listen('127.0.0.1', (_req, res) => {
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ sid: 'SMinternal', status: 'queued', secret_internal_data: SECRET }));
    });
    redirector = await listen('127.0.0.2', (req, res) => {
      res.writeHead(307, { location: internal.url + req.url }).end();
    });
    fake = await startFake();
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await fake.close();
    await close(redirector);
    await close(internal);
  });

  const start = (carrier: Record<string, string>) => startCarrierServer(fake, { config: { dev: false, httpAllow: ['127.0.0.2'] }, carrier });

  async function sendOnce(s: CarrierServer): Promise<string> {
    const after = { name: 'after', type: 'set-variables', properties: { offset: { x: 0, y: 0 }, variables: [] }, transitions: [{ event: 'next' }] };
    const flowSid = await createFlow(s, flow([sendMessage('m', { body: 'hello' }, { failed: 'after' }), after], { incomingMessage: 'm' }));
    // Off the Twilio carrier, Twilio-style webhooks are signed with the account's own token.
    const answer = await fake.postSigned(webhookUrl(s, flowSid), fake.inboundMessageParams(CONTACT, NUMBER, 'hi'), s.account.authToken);
    assert.equal(answer.status, 200, answer.body);
    const executionSid = await firstExecution(s, flowSid);
    await waitForEnd(s, executionSid);
    assert.deepEqual(await stepList(s.app, s.account.sid, flowSid, executionSid), ['Trigger -incomingMessage-> m', 'm -failed-> after', 'after -next-> Ended']);
    return executionSid;
  }

  it('the Twilio carrier does not follow a redirect from an allowed API base to a refused address', async () => {
    server = await start({ ApiBaseUrl: redirector.url });
    // The webhook is signed with the upstream token on the Twilio carrier.
    const after = { name: 'after', type: 'set-variables', properties: { offset: { x: 0, y: 0 }, variables: [] }, transitions: [{ event: 'next' }] };
    const flowSid = await createFlow(server, flow([sendMessage('m', { body: 'hello' }, { failed: 'after' }), after], { incomingMessage: 'm' }));
    assert.equal((await fake.postSigned(webhookUrl(server, flowSid), fake.inboundMessageParams(CONTACT, NUMBER, 'hi'))).status, 200);
    const executionSid = await firstExecution(server, flowSid);
    await waitForEnd(server, executionSid);
    assert.ok(redirector.hits.length >= 1, 'the allowed host was asked');
    assert.deepEqual(internal.hits, [], 'nothing reached the refused address');
    assert.deepEqual(await stepList(server.app, server.account.sid, flowSid, executionSid), ['Trigger -incomingMessage-> m', 'm -failed-> after', 'after -next-> Ended']);
    const outputs = await widgetOutputs(server.app, executionSid, 'm');
    assert.ok(!JSON.stringify(outputs).includes(SECRET));
    assert.match(String(outputs.outbound?.ErrorMessage ?? ''), /307/);
  });

  it('the webhook channel does not follow a redirect to a refused address, and says why it failed', async () => {
    server = await start({ Channel: 'webhook', WebhookUrl: redirector.url + '/sms' });
    const executionSid = await sendOnce(server);
    assert.equal(redirector.hits.length, 1);
    assert.deepEqual(internal.hits, [], 'nothing reached the refused address');
    const outputs = await widgetOutputs(server.app, executionSid, 'm');
    assert.ok(!JSON.stringify(outputs).includes(SECRET));
    assert.match(outputs.outbound.ErrorMessage, /HTTP 307 .*redirects are not followed/);
  });
});

describe('webhook channel: the policy decides on the address the connection uses', () => {
  let receiver: Listener;
  let store: SqliteStore;
  beforeEach(async () => {
    receiver = await listen('127.0.0.1', (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    store = new SqliteStore({ path: ':memory:' });
  });
  afterEach(async () => {
    await close(receiver);
    await store.close();
  });

  it('a name the pre-check let through is refused when the connection resolves it to a refused address', async () => {
    // A guard whose lookup said yes stands for DNS answering differently a moment later (rebinding).
    const guard = Object.assign(async () => null, { policy: new OutboundPolicy() });
    const channel = new WebhookChannel(store, { guard });
    const accountSid = 'AC' + '3'.repeat(32);
    await store.createAccount(ACCOUNT(accountSid));
    const port = new URL(receiver.url).port;
    const result = await channel.send(
      { url: `http://localhost:${port}/sms` },
      { accountSid, flowSid: 'FW' + '1'.repeat(32), executionSid: 'FN' + '2'.repeat(32) } as never,
      { to: CONTACT, from: NUMBER, body: 'hi' } as never,
    );
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.message, /Outbound request blocked/);
    assert.deepEqual(receiver.hits, []);
  });
});
