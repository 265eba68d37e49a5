// The flow webhook: Twilio's signed messaging webhooks start or resume executions; a bad
// signature is a 403 and nothing runs.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import twilio from 'twilio';
import { computeSignature, validateSignature } from '../../src/api/wire/signature.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { contextOf } from '../../src/runtime/execution-context.ts';

const survey = JSON.parse(readFileSync(new URL('../fixtures/flows/survey.json', import.meta.url), 'utf8'));
const BASE = 'https://sb.example.com';

describe('X-Twilio-Signature', () => {
  it('reproduces the official test vector', () => {
    const params = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' };
    const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
    assert.equal(computeSignature('12345', url, params), 'RSOYDt4T1cUTdK1PDd93/VVr8B8=');
    assert.equal(validateSignature('12345', 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', url, params), true);
    assert.equal(validateSignature('12345', 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', 'https://mycompany.com:443/myapp.php?foo=1&bar=2', params), true);
    assert.equal(validateSignature('12346', 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', url, params), false);
  });

  it("agrees with the twilio package's validateRequest", () => {
    const params = { Body: 'héllo + you', From: '+15551230001', To: '+15005550006', MediaUrl0: 'https://x.test/a?b=c' };
    const url = `${BASE}/v1/Accounts/AC${'a'.repeat(32)}/Flows/FW${'b'.repeat(32)}`;
    const signature = computeSignature('secret-token', url, params);
    assert.equal(twilio.validateRequest('secret-token', signature, url, params), true);
    assert.equal(twilio.validateRequest('other-token', signature, url, params), false);
  });
});

describe('flow webhook', () => {
  let t: TestServer;
  let flowSid: string;
  before(async () => {
    t = await startTestServer({ config: { publicBaseUrl: BASE } });
    flowSid = (await t.app.flows.create(t.account.sid, { friendlyName: 'survey', status: 'published', definition: survey })).sid;
  });
  after(() => t.close());

  const post = (params: Record<string, string>, signature?: string) =>
    t.app.server.inject({
      method: 'POST',
      url: `/v1/Accounts/${t.account.sid}/Flows/${flowSid}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature ? { 'x-twilio-signature': signature } : {}) },
      payload: new URLSearchParams(params).toString(),
    });

  it('starts an execution for a signed message and answers empty TwiML', async () => {
    const params = { MessageSid: 'SM' + '1'.repeat(32), AccountSid: t.account.sid, From: '+15551230001', To: '+15005550006', Body: 'hi', NumMedia: '0' };
    const url = `${BASE}/v1/Accounts/${t.account.sid}/Flows/${flowSid}`;
    const res = await post(params, computeSignature(t.account.authToken, url, params));
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /text\/xml/);
    assert.match(res.body, /<Response\/>/);
    await t.app.executions.idle();
    const active = await t.app.store.findActiveExecution(flowSid, '+15551230001', '+15005550006');
    assert.ok(active, 'an execution waits for the reply');
    assert.equal((contextOf(active) as any).trigger.message.Body, 'hi');
  });

  it('rejects a bad or missing signature with 403 and runs nothing', async () => {
    const params = { MessageSid: 'SM' + '2'.repeat(32), From: '+15551230002', To: '+15005550006', Body: 'hi' };
    for (const signature of [undefined, 'bogus', computeSignature('wrong-token', `${BASE}/v1/Accounts/${t.account.sid}/Flows/${flowSid}`, params)]) {
      const res = await post(params, signature);
      assert.equal(res.statusCode, 403);
      assert.equal(res.json().code, 20003);
    }
    assert.equal(await t.app.store.findActiveExecution(flowSid, '+15551230002', '+15005550006'), null);
  });

  it('says what a refused request lacked: no signature nor credentials, refused Basic auth, a bad signature', async () => {
    const params = { MessageSid: 'SM' + '3'.repeat(32), From: '+15551230003', To: '+15005550006', Body: 'hi' };
    const form = (headers: Record<string, string>) =>
      t.app.server.inject({ method: 'POST', url: `/v1/Accounts/${t.account.sid}/Flows/${flowSid}`, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload: new URLSearchParams(params).toString() });
    const basic = (user: string, password: string) => 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
    const bare = await form({});
    assert.equal(bare.statusCode, 403);
    assert.deepEqual(bare.json(), { code: 20003, message: "Missing X-Twilio-Signature: a flow webhook takes Twilio's signature (made with the account's auth token, or on the Twilio carrier the upstream account's) or the account's Basic auth", more_info: 'https://www.twilio.com/docs/errors/20003', status: 403 });
    const wrongBasic = await form({ authorization: basic(t.account.sid, 'not-the-token') });
    assert.equal(wrongBasic.statusCode, 403);
    assert.match(wrongBasic.json().message, /^Basic auth refused/);
    const badSignature = await form({ 'x-twilio-signature': 'bogus' });
    assert.equal(badSignature.json().message, 'Invalid X-Twilio-Signature');
    // The GET call webhook says the same.
    const get = await t.app.server.inject({ method: 'GET', url: `/v1/Accounts/${t.account.sid}/Flows/${flowSid}?CallSid=CA${'3'.repeat(32)}&From=%2B15551230003&To=%2B15005550006` });
    assert.equal(get.statusCode, 403);
    assert.match(get.json().message, /^Missing X-Twilio-Signature/);
    const right = await form({ authorization: basic(t.account.sid, t.account.authToken) });
    assert.equal(right.statusCode, 200, right.body);
  });

  it('404s an unknown account or flow', async () => {
    const res = await t.app.server.inject({ method: 'POST', url: `/v1/Accounts/AC${'0'.repeat(32)}/Flows/${flowSid}`, payload: 'From=a&To=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(res.statusCode, 404);
  });
});
