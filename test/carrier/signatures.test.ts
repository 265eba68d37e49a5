// X-Twilio-Signature on everything Twilio sends the carrier: the flow webhook (messages) and the
// status callbacks. Valid, invalid, missing, the wrong token, and the URL behind a reverse proxy
// (the configured public base URL is what Twilio signed). Signatures are produced by the `twilio`
// package and checked against the official test vector and its validateRequest.
import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import twilio from 'twilio';
import { computeSignature, validateSignature } from '../../src/api/wire/signature.ts';
import { signForm } from '../../src/channels/webhook/webhook-channel.ts';
import { CONTACT, NUMBER, UPSTREAM_TOKEN, createFlow, flow, useCarrierServer, type CarrierServer } from './helpers.ts';
import type { FakeTwilio } from '../support/fake-twilio.ts';

const PUBLIC = 'https://switchboard.example.com';
const endsAtTrigger = flow([], {});

async function executionCount(server: CarrierServer, flowSid: string): Promise<number> {
  return (await server.app.store.listExecutions(server.account.sid, flowSid, {}, { pageSize: 50 })).items.length;
}

describe('Twilio carrier: webhook signatures', () => {
  let fake: FakeTwilio;
  let server: CarrierServer;
  let flowSid: string;

  useCarrierServer((started) => ({ fake, server } = started), { server: () => ({ config: { publicBaseUrl: PUBLIC } }) });
  beforeEach(async () => {
    flowSid = await createFlow(server, endsAtTrigger);
  });

  const publicUrl = () => `${PUBLIC}/v1/Accounts/${server.account.sid}/Flows/${flowSid}`;
  const localUrl = () => `${server.baseUrl}/v1/Accounts/${server.account.sid}/Flows/${flowSid}`;

  async function post(params: Record<string, string>, signature: string | undefined) {
    return fetch(localUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature === undefined ? {} : { 'x-twilio-signature': signature }) },
      body: new URLSearchParams(params).toString(),
    });
  }

  it('accepts a message webhook signed with the upstream auth token over the public URL (behind a proxy)', async () => {
    const params = fake.inboundMessageParams(CONTACT, NUMBER, 'hi');
    const response = await post(params, twilio.getExpectedTwilioSignature(UPSTREAM_TOKEN, publicUrl(), params));
    assert.equal(response.status, 200, await response.text());
    assert.equal(await executionCount(server, flowSid), 1);
  });

  it('refuses with 403, and runs nothing, a signature over the internal URL, the wrong token, a tampered body or none', async () => {
    const params = fake.inboundMessageParams(CONTACT, NUMBER, 'hi');
    const cases: [string, string | undefined, Record<string, string>][] = [
      ['signed over the URL the proxy forwarded to', twilio.getExpectedTwilioSignature(UPSTREAM_TOKEN, localUrl(), params), params],
      ['signed with another token', twilio.getExpectedTwilioSignature('another-token', publicUrl(), params), params],
      ['body changed after signing', twilio.getExpectedTwilioSignature(UPSTREAM_TOKEN, publicUrl(), params), { ...params, Body: 'tampered' }],
      ['garbage', 'not-a-signature', params],
      ['missing', undefined, params],
    ];
    for (const [label, signature, body] of cases) {
      const response = await post(body, signature);
      assert.equal(response.status, 403, label);
      const error = (await response.json()) as { code: number };
      assert.equal(error.code, 20003, label);
    }
    assert.equal(await executionCount(server, flowSid), 0);
    assert.equal(fake.requests.length, 0, 'nothing reached Twilio');
  });

  it('inbound call webhooks are checked the same way', async () => {
    const call = {
      CallSid: 'CA' + '3'.repeat(32),
      AccountSid: fake.options.accountSid,
      From: CONTACT,
      To: NUMBER,
      Caller: CONTACT,
      Called: NUMBER,
      CallStatus: 'ringing',
      Direction: 'inbound',
      ApiVersion: '2010-04-01',
    };
    const genuine = await post(call, twilio.getExpectedTwilioSignature(UPSTREAM_TOKEN, publicUrl(), call));
    assert.equal(genuine.status, 200, await genuine.text());
    assert.match(String(genuine.headers.get('content-type')), /xml/);
    const forged = await post(call, twilio.getExpectedTwilioSignature('another-token', publicUrl(), call));
    assert.equal(forged.status, 403);
    assert.equal(await executionCount(server, flowSid), 1, 'only the genuine call ran');
  });

  it('status callbacks are checked the same way: public URL and upstream token', async () => {
    const execution = 'FN' + '0'.repeat(32);
    const effect = 'EF' + '0'.repeat(32);
    const path = `/v1/Accounts/${server.account.sid}/Carrier/Executions/${execution}/Messages/${effect}/Status`;
    const params = { MessageSid: 'SM' + '1'.repeat(32), MessageStatus: 'delivered', SmsStatus: 'delivered', AccountSid: fake.options.accountSid };
    const send = (signature: string) =>
      fetch(server.baseUrl + path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }, body: new URLSearchParams(params).toString() });
    assert.equal((await send(twilio.getExpectedTwilioSignature(UPSTREAM_TOKEN, server.baseUrl + path, params))).status, 403);
    assert.equal((await send(twilio.getExpectedTwilioSignature(server.account.authToken, PUBLIC + path, params))).status, 403, 'the local token is not Twilio');
    // A report for an unknown execution is acknowledged (Twilio stops retrying) once it is authentic.
    assert.equal((await send(twilio.getExpectedTwilioSignature(UPSTREAM_TOKEN, PUBLIC + path, params))).status, 204);
  });
});

describe('X-Twilio-Signature with a StatusCallbackBaseUrl of its own', () => {
  // The carrier hands Twilio callback and call URLs under StatusCallbackBaseUrl (here another host than
  // PUBLIC_BASE_URL); Twilio signs the URL it was given, so that URL must verify.
  const HOOKS = 'https://hooks.example.com/';
  let fake: FakeTwilio;
  let server: CarrierServer;
  useCarrierServer((started) => ({ fake, server } = started), { server: () => ({ config: { publicBaseUrl: PUBLIC }, carrier: { StatusCallbackBaseUrl: HOOKS } }) });

  it('a status callback signed over the StatusCallback URL it was given is accepted; over another host refused', async () => {
    const path = `/v1/Accounts/${server.account.sid}/Carrier/Executions/FN${'0'.repeat(32)}/Messages/EF${'0'.repeat(32)}/Status`;
    const params = { MessageSid: 'SM' + '2'.repeat(32), MessageStatus: 'delivered', AccountSid: fake.options.accountSid };
    const send = (url: string) =>
      fetch(server.baseUrl + path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(UPSTREAM_TOKEN, url + path, params) },
        body: new URLSearchParams(params).toString(),
      });
    assert.equal((await send('https://hooks.example.com')).status, 204);
    assert.equal((await send(PUBLIC)).status, 204, 'the public base still verifies');
    assert.equal((await send('https://elsewhere.example.com')).status, 403);
  });

  it('a flow webhook signed over the StatusCallbackBaseUrl (a call answered on a call the flow placed) is accepted', async () => {
    const flowSid = await createFlow(server, endsAtTrigger);
    const path = `/v1/Accounts/${server.account.sid}/Flows/${flowSid}`;
    const params = { MessageSid: 'SM' + '3'.repeat(32), AccountSid: fake.options.accountSid, From: CONTACT, To: NUMBER, Body: 'hi' };
    const send = (url: string) =>
      fetch(server.baseUrl + path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(UPSTREAM_TOKEN, url + path, params) },
        body: new URLSearchParams(params).toString(),
      });
    assert.equal((await send('https://elsewhere.example.com')).status, 403);
    assert.equal((await send('https://hooks.example.com')).status, 200);
  });
});

describe('signing algorithm', () => {
  const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
  const params = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' };

  it('matches the official test vector', () => {
    assert.equal(computeSignature('12345', url, params), 'RSOYDt4T1cUTdK1PDd93/VVr8B8=');
    assert.equal(signForm('12345', url, Object.entries(params)), 'RSOYDt4T1cUTdK1PDd93/VVr8B8=');
  });

  it('accepts a callback signed with or without its port, as twilio-node does: Twilio drops an HTTPS port before signing', () => {
    const form = { Body: 'hi', From: '+15551230001' };
    for (const [base, bare] of [
      ['https://sb.example.com:8443/v1/x', 'https://sb.example.com/v1/x'],
      ['https://sb.example.com:443/v1/x', 'https://sb.example.com/v1/x'],
      ['http://sb.example.com:8080/v1/x?a=1', 'http://sb.example.com/v1/x?a=1'],
    ] as const) {
      for (const signedOver of [base, bare]) {
        const signature = computeSignature('12345', signedOver, form);
        assert.equal(validateSignature('12345', signature, base, form), true, `${signedOver} checked at ${base}`);
        assert.equal(twilio.validateRequest('12345', signature, base, form), true, `twilio-node agrees for ${signedOver}`);
      }
    }
    // Another port is still another URL.
    assert.equal(validateSignature('12345', computeSignature('12345', 'https://sb.example.com:9443/v1/x', form), 'https://sb.example.com:8443/v1/x', form), false);
  });

  it("the webhook channel's signatures pass the twilio package's validateRequest, repeated fields included", () => {
    const fields: [string, string][] = [
      ['To', '+15551230001'],
      ['Body', 'Hi & bye é'],
      ['MediaUrl', 'https://cdn.example.com/b.png'],
      ['MediaUrl', 'https://cdn.example.com/a.png'],
    ];
    const signature = signForm('secret', 'https://hooks.example.com/sms', fields);
    const asObject = { To: '+15551230001', Body: 'Hi & bye é', MediaUrl: ['https://cdn.example.com/b.png', 'https://cdn.example.com/a.png'] };
    assert.equal(twilio.validateRequest('secret', signature, 'https://hooks.example.com/sms', asObject), true);
    assert.equal(twilio.validateRequest('other', signature, 'https://hooks.example.com/sms', asObject), false);
  });
});
