// Secrets never reach the logs: the server logs at trace level while requests carry the account's
// auth token (Basic auth), an API key secret, X-Twilio-Signature, a carrier upstream token, and
// a flow calls a URL with credentials in it; failures (auth, 5xx-mapped, HTTP) are provoked so
// the error paths log too. No line may contain any of those values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createHmac } from 'node:crypto';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { HttpLimits, OutboundHttp } from '../../src/runtime/ports/channel.ts';
import type { HttpRequestSpec } from '../../src/engine/types.ts';

/** Fails every request, quoting the URL back as a careless client library would. */
class FailingHttp implements OutboundHttp {
  async request(spec: HttpRequestSpec, _limits: HttpLimits) {
    return { kind: 'http-failed' as const, reason: 'network' as const, message: `connect ECONNREFUSED ${spec.url}` };
  }
}

function signature(token: string, url: string, params: Record<string, string>): string {
  const data = url + Object.keys(params).sort().map((k) => k + params[k]).join('');
  return createHmac('sha1', token).update(data).digest('base64');
}

test('auth tokens, API key secrets, signatures, upstream tokens and URL passwords never appear in logs', async () => {
  let log = '';
  const sink = new Writable({
    write(chunk, _encoding, done) {
      log += String(chunk);
      done();
    },
  });
  const config = { ...loadConfig({}, {}, { cwd: '/nonexistent' }), dataDir: ':memory:', logLevel: 'trace' as const, logFormat: 'json' as const };
  const app = await createApp(config, { store: new SqliteStore({ path: ':memory:' }), http: new FailingHttp(), observability: { log: sink } });
  try {
    const { account } = await app.accounts.ensureStartupAccount();
    const auth = 'Basic ' + Buffer.from(`${account.sid}:${account.authToken}`).toString('base64');
    const { key, secret } = await app.accounts.createKey(account.sid, 'ci');
    const keyAuth = 'Basic ' + Buffer.from(`${key.sid}:${secret}`).toString('base64');
    const upstreamToken = 'upstream-secret-' + 'z'.repeat(16);
    const urlPassword = 'url-pass-' + 'q'.repeat(12);
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const call = (method: string, url: string, headers: Record<string, string>, payload?: string) =>
      app.server.inject({ method: method as 'GET', url, headers: { ...form, ...headers }, ...(payload !== undefined ? { payload } : {}) });

    const definition = JSON.stringify({
      description: 'calls a URL with credentials',
      initial_state: 'Trigger',
      flags: { allow_concurrent_calls: true },
      states: [
        { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: 'call' }, { event: 'incomingCall' }, { event: 'incomingConversationMessage' }, { event: 'incomingRequest', next: 'call' }, { event: 'incomingParent' }], properties: { offset: { x: 0, y: 0 } } },
        { name: 'call', type: 'make-http-request', transitions: [{ event: 'success' }, { event: 'failed' }], properties: { method: 'POST', content_type: 'application/x-www-form-urlencoded;charset=utf-8', url: `https://user:${urlPassword}@api.example.com/hook`, offset: { x: 0, y: 0 } } },
      ],
    });
    const flow = await call('POST', '/v2/Flows', { authorization: keyAuth }, new URLSearchParams({ FriendlyName: 'secrets', Status: 'published', Definition: definition }).toString());
    assert.equal(flow.statusCode, 201, flow.body);
    const flowSid = flow.json().sid as string;
    assert.equal((await call('POST', `/v2/Flows/${flowSid}/Executions`, { authorization: auth }, 'To=%2B15551230000&From=%2B15005550006')).statusCode, 201);
    // A signed inbound webhook, a forged one, wrong credentials, a missing resource.
    const webhookUrl = `http://localhost:80/v1/Accounts/${account.sid}/Flows/${flowSid}`;
    const params = { From: '+15551239999', To: '+15005550006', Body: 'hi', MessageSid: 'SM' + 'b'.repeat(32) };
    const goodSignature = signature(account.authToken, webhookUrl, params);
    const signed = await app.server.inject({ method: 'POST', url: `/v1/Accounts/${account.sid}/Flows/${flowSid}`, headers: { ...form, host: 'localhost:80', 'x-twilio-signature': goodSignature }, payload: new URLSearchParams(params).toString() });
    assert.equal(signed.statusCode, 200, signed.body);
    const forgedSignature = 'Zm9yZ2VkLXNpZ25hdHVyZS12YWx1ZQ==';
    await app.server.inject({ method: 'POST', url: `/v1/Accounts/${account.sid}/Flows/${flowSid}`, headers: { ...form, 'x-twilio-signature': forgedSignature }, payload: 'From=%2B1555&To=%2B1500' });
    await call('GET', '/v2/Flows', { authorization: 'Basic ' + Buffer.from(`${account.sid}:${account.authToken}x`).toString('base64') });
    await call('GET', '/v2/Flows/FW' + '0'.repeat(32), { authorization: auth });
    // The carrier configuration carries an upstream auth token.
    const carrier = await call('POST', `/v1/Accounts/${account.sid}/Carrier`, { authorization: auth }, new URLSearchParams({ Channel: 'twilio', UpstreamAccountSid: 'AC' + '7'.repeat(32), AuthToken: upstreamToken }).toString());
    assert.equal(carrier.statusCode, 200, carrier.body);
    assert.doesNotMatch(carrier.body, new RegExp(upstreamToken), 'the API does not echo the upstream token');
    await app.executions.idle();

    assert.ok(log.length > 0 && /"level"/.test(log), 'the server logged');
    assert.match(log, /incoming request/, 'requests were logged');
    assert.match(log, /make-http-request|upstream work failed|http/i, 'the failed HTTP call was logged');
    const secrets: Record<string, string> = {
      'account auth token': account.authToken,
      'API key secret': secret,
      'Basic credentials': auth.slice(6),
      'API key credentials': keyAuth.slice(6),
      'X-Twilio-Signature': goodSignature,
      'forged signature': forgedSignature,
      'upstream auth token': upstreamToken,
      'password in a flow URL': urlPassword,
    };
    for (const [what, value] of Object.entries(secrets)) {
      assert.equal(log.includes(value), false, `the ${what} appears in the log`);
    }
  } finally {
    await app.close();
  }
});

test('if request headers are ever logged, Authorization and X-Twilio-Signature are redacted', async () => {
  const { createLogger } = await import('../../src/observability/logger.ts');
  let out = '';
  const sink = new Writable({
    write(chunk, _encoding, done) {
      out += String(chunk);
      done();
    },
  });
  const logger = createLogger({ level: 'info', format: 'json', destination: sink });
  logger.info({ req: { headers: { authorization: 'Basic c2VjcmV0OnNlY3JldA==', 'x-twilio-signature': 'c2lnbmF0dXJl' } }, account: { authToken: 'tok-123' } }, 'headers');
  assert.match(out, /\[redacted\]/);
  assert.doesNotMatch(out, /c2VjcmV0OnNlY3JldA==|c2lnbmF0dXJl|tok-123/);
});
