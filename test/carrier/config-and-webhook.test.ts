// Per-account carrier configuration over the API (validation, secrets never shown, isolation,
// back to the simulator) and the plain webhook channel (signed form POSTs, status callbacks).
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { basicAuth } from '../support/server.ts';
import { CONTACT, NUMBER, UPSTREAM_SID, UPSTREAM_TOKEN, createFlow, firstExecution, flow, freePort, sendAndWait, sendMessage, stepList, useCarrierServer, waitFor, waitForEnd, webhookUrl, widgetOutputs, type CarrierServer } from './helpers.ts';
import type { FakeTwilio } from '../support/fake-twilio.ts';
import { loadCarrierConfig } from '../../src/channels/twilio/carrier-config.ts';
import { InflightLedger } from '../../src/channels/twilio/inflight.ts';
import { WebhookChannel } from '../../src/channels/webhook/webhook-channel.ts';

describe('carrier configuration API', () => {
  let fake: FakeTwilio;
  let server: CarrierServer;
  useCarrierServer((started) => ({ fake, server } = started));

  const call = (method: 'GET' | 'POST' | 'DELETE', fields?: Record<string, string>, auth = server.auth, account = server.account.sid) =>
    server.app.server.inject({
      method,
      url: `/v1/Accounts/${account}/Carrier`,
      headers: { ...(auth ? { authorization: auth } : {}), ...(fields ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(fields ? { payload: new URLSearchParams(fields).toString() } : {}),
    });

  it('shows the configuration without its secrets', async () => {
    const res = await call('GET');
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), {
      account_sid: server.account.sid,
      channel: 'twilio',
      upstream_account_sid: UPSTREAM_SID,
      auth_token_set: true,
      api_key_sid: null,
      api_base_url: fake.baseUrl,
      conversations_base_url: fake.baseUrl,
      taskrouter_base_url: 'https://taskrouter.twilio.com',
      taskrouter_workspace_sid: null,
      flex_api_base_url: 'https://flex-api.twilio.com',
      status_callback_base_url: server.baseUrl,
      virtual_agent_url: null,
    });
    assert.ok(!res.body.includes(UPSTREAM_TOKEN));
  });

  it('rejects bad input with a Twilio error naming the field, and keeps the old configuration', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ Channel: 'carrier-pigeon' }, /Channel/],
      [{ Channel: 'twilio', UpstreamAccountSid: 'AC123', AuthToken: 'x' }, /UpstreamAccountSid/],
      // Another upstream account does not inherit the stored account's token.
      [{ Channel: 'twilio', UpstreamAccountSid: 'AC' + 'b2'.repeat(16) }, /AuthToken/],
      [{ UpstreamAccountSid: 'AC' + 'b2'.repeat(16) }, /AuthToken/],
      // A field the channel in use does not take is refused, not ignored.
      [{ WebhookUrl: 'https://gateway.example.com/sms' }, /WebhookUrl does not apply to the twilio channel/],
      [{ Channel: 'webhook', WebhookUrl: 'https://gateway.example.com/sms', AuthToken: 'x' }, /AuthToken does not apply to the webhook channel/],
      [{ Channel: 'twilio', UpstreamAccountSid: UPSTREAM_SID, AuthToken: 'x', ApiKeySid: 'SK' + '1'.repeat(32) }, /ApiKeySecret/],
      [{ Channel: 'twilio', UpstreamAccountSid: UPSTREAM_SID, AuthToken: 'x', ApiBaseUrl: 'ftp://example.com' }, /ApiBaseUrl/],
      [{ Channel: 'twilio', UpstreamAccountSid: UPSTREAM_SID, AuthToken: 'x', TaskRouterWorkspaceSid: 'WS123' }, /TaskRouterWorkspaceSid/],
      [{ Channel: 'twilio', UpstreamAccountSid: UPSTREAM_SID, AuthToken: 'x', TaskRouterBaseUrl: 'taskrouter' }, /TaskRouterBaseUrl/],
      [{ Channel: 'webhook' }, /WebhookUrl/],
    ];
    for (const [fields, pattern] of cases) {
      const res = await call('POST', fields);
      assert.equal(res.statusCode, 400, JSON.stringify(fields));
      assert.equal(res.json().code, 20001);
      assert.match(res.json().message, pattern);
    }
    assert.equal((await call('GET')).json().channel, 'twilio');
  });

  it('a POST without Channel updates the fields it sends and keeps the channel and its credentials', async () => {
    const before = (await call('GET')).json();
    const res = await call('POST', { StatusCallbackBaseUrl: 'https://hooks.example.com/' });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { ...before, status_callback_base_url: 'https://hooks.example.com' });
    assert.deepEqual((await call('GET')).json(), res.json());
    const stored = await loadCarrierConfig(server.app.store, server.account.sid);
    assert.equal(stored.channel === 'twilio' && stored.twilio.authToken, UPSTREAM_TOKEN);

    // Naming the channel in use is an update too: a new token, everything else kept.
    const rotated = await call('POST', { Channel: 'twilio', AuthToken: 'rotated-token' });
    assert.equal(rotated.statusCode, 200, rotated.body);
    assert.deepEqual(rotated.json(), res.json());
    const after = await loadCarrierConfig(server.app.store, server.account.sid);
    assert.equal(after.channel === 'twilio' && after.twilio.authToken, 'rotated-token');

    // An empty value puts an optional field back to its default.
    const cleared = await call('POST', { StatusCallbackBaseUrl: '' });
    assert.equal(cleared.json().status_callback_base_url, null);
    assert.equal(cleared.json().api_base_url, fake.baseUrl);
    assert.equal((await call('POST', { AuthToken: '' })).statusCode, 400, 'a required field cannot be emptied');
  });

  it('moving an API base URL needs the secrets sent again: stored credentials never go to a new host', async () => {
    for (const field of ['ApiBaseUrl', 'ConversationsBaseUrl', 'TaskRouterBaseUrl', 'FlexApiBaseUrl']) {
      const res = await call('POST', { [field]: 'https://collector.example.net' });
      assert.equal(res.statusCode, 400, field);
      assert.equal(res.json().code, 20001);
      assert.match(res.json().message, new RegExp(`AuthToken must be sent again with a new ${field}`));
    }
    const stored = await loadCarrierConfig(server.app.store, server.account.sid);
    assert.equal(stored.channel === 'twilio' && stored.twilio.apiBaseUrl, fake.baseUrl, 'refused updates change nothing');

    // The same URL again (even with a trailing slash) moves nothing; a new host with its token is fine.
    assert.equal((await call('POST', { ApiBaseUrl: fake.baseUrl + '/' })).statusCode, 200);
    const moved = await call('POST', { FlexApiBaseUrl: 'https://flex.example.net', AuthToken: UPSTREAM_TOKEN });
    assert.equal(moved.statusCode, 200, moved.body);
    assert.equal(moved.json().flex_api_base_url, 'https://flex.example.net');

    // With an API key stored, its secret must come again too.
    const key = 'SK' + '3'.repeat(32);
    assert.equal((await call('POST', { ApiKeySid: key, ApiKeySecret: 'key-secret' })).statusCode, 200);
    const withoutSecret = await call('POST', { FlexApiBaseUrl: '', AuthToken: UPSTREAM_TOKEN });
    assert.equal(withoutSecret.statusCode, 400);
    assert.match(withoutSecret.json().message, /ApiKeySecret must be sent again with a new FlexApiBaseUrl/);
    const back = await call('POST', { FlexApiBaseUrl: '', AuthToken: UPSTREAM_TOKEN, ApiKeySecret: 'key-secret' });
    assert.equal(back.statusCode, 200, back.body);
    assert.equal(back.json().flex_api_base_url, 'https://flex-api.twilio.com');
  });

  it('a partial update still sends through Twilio', async () => {
    assert.equal((await call('POST', { StatusCallbackBaseUrl: server.baseUrl + '/' })).statusCode, 200);
    const flowSid = await createFlow(server, flow([sendMessage('greet', { body: 'hello' })], { incomingMessage: 'greet' }));
    await fake.postSigned(webhookUrl(server, flowSid), fake.inboundMessageParams(CONTACT, NUMBER, 'hi'));
    await waitFor('the send through the fake Twilio', () => fake.creates('Messages').length === 1);
    assert.equal(server.app.simulator.transcript(NUMBER, CONTACT).length, 0);
  });

  it('a new Channel starts afresh: nothing is carried over from the old channel', async () => {
    const webhook = await call('POST', { Channel: 'webhook', WebhookUrl: 'https://gateway.example.com/sms' });
    assert.equal(webhook.statusCode, 200, webhook.body);
    assert.deepEqual(webhook.json(), { account_sid: server.account.sid, channel: 'webhook', webhook_url: 'https://gateway.example.com/sms', status_callback_base_url: null });
    const back = await call('POST', { Channel: 'twilio', UpstreamAccountSid: UPSTREAM_SID });
    assert.equal(back.statusCode, 400);
    assert.match(back.json().message, /AuthToken/);
    assert.equal((await call('GET')).json().channel, 'webhook');
  });

  it('on the simulator, fields without Channel are refused instead of being dropped', async () => {
    assert.equal((await call('DELETE')).statusCode, 204);
    const res = await call('POST', { UpstreamAccountSid: UPSTREAM_SID, AuthToken: 'tok' });
    assert.equal(res.statusCode, 400);
    assert.match(res.json().message, /UpstreamAccountSid does not apply to the simulator channel/);
    assert.equal((await call('GET')).json().channel, 'simulator');
  });

  it('is private to its account and needs authentication', async () => {
    const other = await server.app.accounts.create('other');
    assert.equal((await call('GET', undefined, basicAuth(other.sid, other.authToken))).statusCode, 404);
    assert.equal((await call('GET', undefined, '')).statusCode, 401);
  });

  it('DELETE puts the account back on the simulator: flows no longer reach Twilio', async () => {
    assert.equal((await call('DELETE')).statusCode, 204);
    assert.deepEqual((await call('GET')).json(), { account_sid: server.account.sid, channel: 'simulator' });
    const flowSid = await createFlow(server, flow([sendMessage('greet', { body: 'hello' })], { incomingMessage: 'greet' }));
    // On the simulator the upstream token no longer authenticates webhooks; the account's own does.
    const params = fake.inboundMessageParams(CONTACT, NUMBER, 'hi');
    assert.equal((await fake.postSigned(webhookUrl(server, flowSid), params)).status, 403);
    assert.equal((await fake.postSigned(webhookUrl(server, flowSid), params, server.account.authToken)).status, 200);
    const [sent] = await waitFor('the simulated send', () => (server.app.simulator.transcript(NUMBER, CONTACT).length === 1 ? server.app.simulator.transcript(NUMBER, CONTACT) : null));
    assert.equal(sent!.body, 'hello');
    assert.equal(fake.requests.length, 0);
  });
});

describe('plain webhook channel', () => {
  let receiver: http.Server;
  let receiverUrl: string;
  let received: { headers: http.IncomingHttpHeaders; form: URLSearchParams }[];
  let answer: { status: number; body: string };
  let server: CarrierServer;
  let fake: FakeTwilio;

  beforeEach(async () => {
    received = [];
    answer = { status: 200, body: JSON.stringify({ sid: 'SM' + '9'.repeat(32) }) };
    receiver = http.createServer(async (req, res) => {
      let text = '';
      for await (const chunk of req) text += chunk;
      received.push({ headers: req.headers, form: new URLSearchParams(text) });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/sms`;
  });
  useCarrierServer((started) => ({ fake, server } = started), {
    server: async () => {
      const port = await freePort();
      return { port, config: { publicBaseUrl: `http://127.0.0.1:${port}` }, carrier: { Channel: 'webhook', WebhookUrl: receiverUrl } };
    },
  });
  afterEach(async () => {
    receiver.closeAllConnections();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it('POSTs each message as a signed form; a later undelivered report takes send-and-wait to deliveryFailure', async () => {
    const flowSid = await createFlow(server, flow([sendAndWait('ask', { body: 'Ready?' })], { incomingMessage: 'ask' }));
    const params = fake.inboundMessageParams(CONTACT, NUMBER, 'hi');
    assert.equal((await fake.postSigned(webhookUrl(server, flowSid), params, server.account.authToken)).status, 200);
    await waitFor('the webhook POST', () => received.length === 1);
    const [{ headers, form }] = received as [(typeof received)[0]];
    const fields = Object.fromEntries(form);
    assert.equal(fields.To, CONTACT);
    assert.equal(fields.From, NUMBER);
    assert.equal(fields.Body, 'Ready?');
    assert.equal(twilio.validateRequest(server.account.authToken, String(headers['x-twilio-signature']), receiverUrl, fields), true);
    assert.match(String(headers['i-twilio-idempotency-token']), /^EF[0-9a-f]{32}$/);
    const executionSid = fields.ExecutionSid!;
    await waitFor('ask to wait for the reply', async () => ((await server.app.store.getExecutionBySid(executionSid))?.state as any)?.frames?.[0]?.wait?.kind === 'reply');
    const report = { MessageSid: 'SM' + '9'.repeat(32), MessageStatus: 'undelivered', ErrorCode: '30005' };
    const status = await fake.postSigned(fields.StatusCallback!, report, server.account.authToken);
    assert.equal(status.status, 204);
    await waitForEnd(server, executionSid, 'deliveryFailure');
    assert.deepEqual(await stepList(server.app, server.account.sid, flowSid, executionSid), ['Trigger -incomingMessage-> ask', 'ask -deliveryFailure-> Ended']);
    assert.equal(fake.requests.length, 0, 'nothing went to Twilio');
  });

  it("a failure reported under the MessageSid we gave the gateway reaches the step that recorded the gateway's own sid", async () => {
    answer = { status: 200, body: JSON.stringify({ sid: 'gw-1' }) };
    const flowSid = await createFlow(server, flow([sendAndWait('ask', { body: 'Ready?' })], { incomingMessage: 'ask' }));
    await fake.postSigned(webhookUrl(server, flowSid), fake.inboundMessageParams(CONTACT, NUMBER, 'hi'), server.account.authToken);
    await waitFor('the webhook POST', () => received.length === 1);
    const fields = Object.fromEntries(received[0]!.form);
    const executionSid = fields.ExecutionSid!;
    await waitFor('ask to wait for the reply', async () => ((await server.app.store.getExecutionBySid(executionSid))?.state as any)?.frames?.[0]?.wait?.kind === 'reply');
    const sent = await new InflightLedger(server.app.store).get(String(received[0]!.headers['i-twilio-idempotency-token']));
    assert.equal(sent?.result?.ok && sent.result.message.Sid, 'gw-1', "the step recorded the gateway's sid");
    // A SID this step never sent under is refused, not silently acknowledged.
    const unknown = await fake.postSigned(fields.StatusCallback!, { MessageSid: 'SM' + '0'.repeat(32), MessageStatus: 'undelivered', ErrorCode: '30005' }, server.account.authToken);
    assert.equal(unknown.status, 400, unknown.body);
    const report = await fake.postSigned(fields.StatusCallback!, { MessageSid: fields.MessageSid!, MessageStatus: 'undelivered', ErrorCode: '30005' }, server.account.authToken);
    assert.equal(report.status, 204, report.body);
    await waitForEnd(server, executionSid, 'deliveryFailure');
    assert.deepEqual(await stepList(server.app, server.account.sid, flowSid, executionSid), ['Trigger -incomingMessage-> ask', 'ask -deliveryFailure-> Ended']);
  });

  describe('what most likely never reached the gateway is tried again, within the Twilio carrier\'s bounds', () => {
    const retry = { attempts: 3, baseDelayMs: 10, maxDelayMs: 50 };
    const context = () => ({ accountSid: server.account.sid, flowSid: 'FW' + '0'.repeat(32), executionSid: 'FN' + '0'.repeat(32), effectId: 'EF' + 'd'.repeat(32) });
    const message = { from: NUMBER, to: CONTACT, body: 'once' };

    it('a 503 (or 429) is retried, honouring Retry-After: the message goes out once', async () => {
      answer = { status: 503, body: '{}' };
      const waits: number[] = [];
      const channel = new WebhookChannel(server.app.store, {
        retry,
        sleep: async (ms) => {
          waits.push(ms);
          answer = { status: 200, body: JSON.stringify({ sid: 'gw-2' }) };
        },
      });
      const result = await channel.send({ url: receiverUrl }, context(), message);
      assert.equal(result.ok && result.message.Sid, 'gw-2');
      assert.equal(received.length, 2);
      assert.equal(received[0]!.headers['i-twilio-idempotency-token'], received[1]!.headers['i-twilio-idempotency-token']);
      assert.equal(waits.length, 1);
    });

    it('a gateway that refuses connections is tried for every attempt, then failed (30008)', async () => {
      const down = `http://127.0.0.1:${await freePort()}/sms`;
      const waits: number[] = [];
      const channel = new WebhookChannel(server.app.store, { retry, sleep: async (ms) => void waits.push(ms) });
      const result = await channel.send({ url: down }, context(), message);
      assert.equal(result.ok, false);
      assert.equal(!result.ok && result.code, 30008);
      assert.match(!result.ok ? result.message : '', /ECONNREFUSED/);
      assert.equal(waits.length, retry.attempts - 1, 'every attempt made');
    });

    for (const status of [502, 504]) {
      it(`a ${status} (a load balancer in front of a gateway that is down) is retried: the message goes out once more`, async () => {
        answer = { status, body: '<html>Bad Gateway</html>' };
        const channel = new WebhookChannel(server.app.store, {
          retry,
          sleep: async () => {
            answer = { status: 201, body: JSON.stringify({ sid: 'gw-3' }) };
          },
        });
        const result = await channel.send({ url: receiverUrl }, context(), message);
        assert.equal(result.ok && result.message.Sid, 'gw-3');
        assert.equal(received.length, 2);
        assert.equal(received[0]!.headers['i-twilio-idempotency-token'], received[1]!.headers['i-twilio-idempotency-token']);
      });
    }

    it("a 500 (the gateway's own app failed) is not retried", async () => {
      answer = { status: 500, body: '{}' };
      const channel = new WebhookChannel(server.app.store, { retry, sleep: async () => assert.fail('no retry') });
      const result = await channel.send({ url: receiverUrl }, context(), message);
      assert.equal(!result.ok && result.message, 'Webhook answered HTTP 500');
      assert.equal(received.length, 1);
    });

    it('no retry starts that could end past the time bound, however many attempts remain', async () => {
      answer = { status: 504, body: '' };
      // Each answer takes 1.2 s (a slow proxy); the bound is 3 waits of at most 50 ms, a 1 s timeout and 2 s for answers.
      let slept = 0;
      const channel = new WebhookChannel(server.app.store, {
        retry: { attempts: 4, baseDelayMs: 50, maxDelayMs: 50 },
        timeoutMs: 1_000,
        now: () => received.length * 1_200 + slept,
        sleep: async (ms) => void (slept += ms),
      });
      const result = await channel.send({ url: receiverUrl }, context(), message);
      assert.equal(!result.ok && result.message, 'Webhook answered HTTP 504 after 2 attempts');
      assert.equal(received.length, 2, 'a third attempt could have ended at 3.5 s, past the 3.15 s bound');
    });

    it('a 503 on the last attempt is failed', async () => {
      answer = { status: 503, body: '{}' };
      const channel = new WebhookChannel(server.app.store, { retry, sleep: async () => undefined });
      const result = await channel.send({ url: receiverUrl }, context(), message);
      assert.equal(!result.ok && result.code, 30008);
      assert.equal(received.length, retry.attempts);
    });
  });

  it('a non-2xx answer is failed', async () => {
    answer = { status: 500, body: '{}' };
    const flowSid = await createFlow(
      server,
      flow([sendMessage('greet', { body: 'hello' }, { failed: 'after' }), { name: 'after', type: 'set-variables', properties: { offset: { x: 0, y: 0 }, variables: [] }, transitions: [{ event: 'next' }] }], {
        incomingMessage: 'greet',
      }),
    );
    await fake.postSigned(webhookUrl(server, flowSid), fake.inboundMessageParams(CONTACT, NUMBER, 'hi'), server.account.authToken);
    const executionSid = await firstExecution(server, flowSid);
    await waitForEnd(server, executionSid);
    assert.deepEqual(await stepList(server.app, server.account.sid, flowSid, executionSid), ['Trigger -incomingMessage-> greet', 'greet -failed-> after', 'after -next-> Ended']);
    assert.match((await widgetOutputs(server.app, executionSid, 'greet')).outbound.ErrorMessage, /HTTP 500/);
  });
});

describe('webhook channel without a public base URL', () => {
  let receiver: http.Server;
  let receiverRoot: string;
  let received: { url: string; headers: http.IncomingHttpHeaders; form: URLSearchParams }[];
  let server: CarrierServer;
  let fake: FakeTwilio;
  let callbackBase: string;

  beforeEach(async () => {
    received = [];
    receiver = http.createServer(async (req, res) => {
      let text = '';
      for await (const chunk of req) text += chunk;
      received.push({ url: req.url ?? '', headers: req.headers, form: new URLSearchParams(text) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverRoot = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
  });
  useCarrierServer((started) => ({ fake, server } = started), {
    server: async () => {
      const port = await freePort();
      callbackBase = `http://127.0.0.1:${port}`;
      // No publicBaseUrl: the account's StatusCallbackBaseUrl is what gives the gateway a StatusCallback.
      return { port, carrier: { Channel: 'webhook', WebhookUrl: receiverRoot, StatusCallbackBaseUrl: callbackBase + '/' } };
    },
  });
  afterEach(async () => {
    receiver.closeAllConnections();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it('posts to the URL exactly as configured (root slash kept, signature valid over it) with a StatusCallback under StatusCallbackBaseUrl', async () => {
    const shown = await server.app.server.inject({ method: 'GET', url: `/v1/Accounts/${server.account.sid}/Carrier`, headers: { authorization: server.auth } });
    assert.deepEqual(shown.json(), { account_sid: server.account.sid, channel: 'webhook', webhook_url: receiverRoot, status_callback_base_url: callbackBase });
    const flowSid = await createFlow(server, flow([sendAndWait('ask', { body: 'Ready?' })], { incomingMessage: 'ask' }));
    await fake.postSigned(webhookUrl(server, flowSid), fake.inboundMessageParams(CONTACT, NUMBER, 'hi'), server.account.authToken);
    await waitFor('the webhook POST', () => received.length === 1);
    const [{ url, headers, form }] = received as [(typeof received)[0]];
    const fields = Object.fromEntries(form);
    assert.equal(url, '/');
    assert.equal(twilio.validateRequest(server.account.authToken, String(headers['x-twilio-signature']), receiverRoot, fields), true);
    assert.ok(fields.StatusCallback?.startsWith(`${callbackBase}/v1/Accounts/${server.account.sid}/Carrier/Executions/`), fields.StatusCallback);
    const executionSid = fields.ExecutionSid!;
    await waitFor('ask to wait for the reply', async () => ((await server.app.store.getExecutionBySid(executionSid))?.state as any)?.frames?.[0]?.wait?.kind === 'reply');
    const report = await fake.postSigned(fields.StatusCallback!, { MessageSid: fields.MessageSid!, MessageStatus: 'failed', ErrorCode: '30008' }, server.account.authToken);
    assert.equal(report.status, 204, report.body);
    await waitForEnd(server, executionSid, 'deliveryFailure');
  });
});
