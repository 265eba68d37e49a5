// CSRF: a browser sends a Basic login it cached for this server along with a form another site's page
// posts to it. Unsafe requests that act with credentials are refused 403/20403 when the browser says the
// page is another site's (Sec-Fetch-Site) or, without Fetch Metadata, its Origin is not the server's own;
// requests from clients that are no browser page (SDKs, curl, Twilio's webhooks) carry neither header.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/api/server.ts';
import { computeSignature } from '../../src/api/wire/signature.ts';
import { loadConfig } from '../../src/config.ts';
import { FORM, form, startTestServer, type InjectResponse, type TestServer } from '../support/server.ts';
import { configError } from '../support/config.ts';

const survey = JSON.parse(readFileSync(new URL('../fixtures/flows/survey.json', import.meta.url), 'utf8'));
const ATTACKER = 'https://attacker.example.com';
const HOST = 'sb.test:4000';
const CROSS_SITE = { 'sec-fetch-site': 'cross-site', origin: ATTACKER };

function assertCrossSiteRefused(res: InjectResponse, origin: string): void {
  assert.equal(res.statusCode, 403, res.body);
  const body = res.json();
  assert.equal(body.code, 20403);
  assert.equal(body.status, 403);
  assert.equal(body.more_info, 'https://www.twilio.com/docs/errors/20403');
  assert.ok(body.message.includes(origin), body.message);
  assert.match(body.message, /allowed-origins/);
}

describe('cross-site requests (CSRF)', () => {
  let t: TestServer;
  let flowSid: string;
  before(async () => {
    t = await startTestServer();
    flowSid = (await t.app.flows.create(t.account.sid, { friendlyName: 'survey', status: 'published', definition: survey })).sid;
  });
  after(() => t.close());

  const inject = (method: 'GET' | 'POST' | 'DELETE', url: string, headers: Record<string, string>, fields?: Record<string, string>) =>
    t.app.server.inject({ method, url, headers: { host: HOST, authorization: t.auth, ...(fields ? FORM : {}), ...headers }, ...(fields ? { payload: form(fields) } : {}) });
  const carrierUrl = () => `/v1/Accounts/${t.account.sid}/Carrier`;
  const rewire = { Channel: 'webhook', WebhookUrl: 'https://attacker.example.com/hook' };

  it("refuses the review's repro: a cross-site form rewiring the account's carrier with cached credentials", async () => {
    assertCrossSiteRefused(await inject('POST', carrierUrl(), CROSS_SITE, rewire), ATTACKER);
    assertCrossSiteRefused(await inject('POST', carrierUrl(), { 'sec-fetch-site': 'same-site', origin: 'https://other.sb.test' }, rewire), 'https://other.sb.test');
    assertCrossSiteRefused(await inject('DELETE', carrierUrl(), CROSS_SITE), ATTACKER);
    const carrier = await inject('GET', carrierUrl(), {});
    assert.equal(carrier.json().channel, 'simulator');
  });

  it('refuses cross-site flow and execution creation, and leaves nothing behind', async () => {
    const flowCount = async () => (await inject('GET', '/v2/Flows', {})).json().flows.length;
    const flows = await flowCount();
    assertCrossSiteRefused(await inject('POST', '/v2/Flows', CROSS_SITE, { FriendlyName: 'evil', Status: 'draft', Definition: JSON.stringify(survey) }), ATTACKER);
    assertCrossSiteRefused(await inject('POST', `/v2/Flows/${flowSid}/Executions`, CROSS_SITE, { To: '+15551230001', From: '+15005550006' }), ATTACKER);
    assertCrossSiteRefused(await inject('POST', `/v2/Flows/${flowSid}`, CROSS_SITE, { Status: 'draft' }), ATTACKER);
    assert.equal(await flowCount(), flows);
    const executions = await inject('GET', `/v2/Flows/${flowSid}/Executions`, {});
    assert.deepEqual(executions.json().executions, []);
  });

  it('without Fetch Metadata, judges by Origin: the own origin (from Host) passes, another or an opaque one is refused', async () => {
    assertCrossSiteRefused(await inject('POST', carrierUrl(), { origin: ATTACKER }, rewire), ATTACKER);
    assertCrossSiteRefused(await inject('POST', carrierUrl(), { origin: 'null' }, rewire), 'null');
    // Same host, another port or scheme: another origin.
    assertCrossSiteRefused(await inject('POST', carrierUrl(), { origin: 'http://sb.test:5000' }, rewire), 'http://sb.test:5000');
    assertCrossSiteRefused(await inject('POST', carrierUrl(), { origin: 'https://sb.test:4000' }, rewire), 'https://sb.test:4000');
    const own = await inject('POST', carrierUrl(), { origin: 'http://SB.test:4000' }, { Channel: 'webhook', WebhookUrl: 'https://gateway.example.com/sms' });
    assert.equal(own.statusCode, 200, own.body);
    assert.equal((await inject('DELETE', carrierUrl(), { origin: `http://${HOST}` })).statusCode, 204);
  });

  it('lets same-origin pages (the console), user-initiated requests and non-browser clients through', async () => {
    const created = await inject('POST', '/v2/Flows', { 'sec-fetch-site': 'same-origin', origin: `http://${HOST}` }, { FriendlyName: 'console', Status: 'draft', Definition: JSON.stringify(survey) });
    assert.equal(created.statusCode, 201, created.body);
    // Behind a TLS proxy the Host-derived origin is http://…; the browser's Fetch Metadata is trusted.
    const proxied = await inject('DELETE', `/v2/Flows/${created.json().sid}`, { 'sec-fetch-site': 'same-origin', origin: 'https://sb.example.com' });
    assert.equal(proxied.statusCode, 204, proxied.body);
    const sdk = await inject('POST', '/v2/Flows', {}, { FriendlyName: 'sdk', Status: 'draft', Definition: JSON.stringify(survey) });
    assert.equal(sdk.statusCode, 201, sdk.body);
    assert.equal((await inject('POST', carrierUrl(), { 'sec-fetch-site': 'none' }, {})).statusCode, 200);
  });

  it('reads (GET) and preflights stay open to any origin', async () => {
    const read = await inject('GET', '/v2/Flows', CROSS_SITE);
    assert.equal(read.statusCode, 200, read.body);
    assert.equal(read.headers['access-control-allow-origin'], '*');
    assert.equal(read.headers['access-control-allow-credentials'], undefined);
    const preflight = await inject('OPTIONS' as 'GET', '/v2/Flows', { ...CROSS_SITE, 'access-control-request-method': 'POST' });
    assert.equal(preflight.statusCode, 204);
  });

  it('answers 403, not a 401 login prompt, to a cross-site post without credentials', async () => {
    const res = await t.app.server.inject({ method: 'POST', url: carrierUrl(), headers: { host: HOST, ...FORM, ...CROSS_SITE }, payload: form(rewire) });
    assertCrossSiteRefused(res, ATTACKER);
    assert.equal(res.headers['www-authenticate'], undefined);
  });

  it("flow webhook: Twilio's signed posts pass whatever the headers; a cross-site post with cached Basic auth does not", async () => {
    const url = `/v1/Accounts/${t.account.sid}/Flows/${flowSid}`;
    const params = { MessageSid: `SM${'1'.repeat(32)}`, From: '+15551230009', To: '+15005550006', Body: 'hi' };
    const crossSiteBasic = await inject('POST', url, CROSS_SITE, params);
    assertCrossSiteRefused(crossSiteBasic, ATTACKER);
    const signature = computeSignature(t.account.authToken, `http://${HOST}${url}`, params);
    const signed = await t.app.server.inject({ method: 'POST', url, headers: { host: HOST, ...FORM, ...CROSS_SITE, 'x-twilio-signature': signature }, payload: form(params) });
    assert.equal(signed.statusCode, 200, signed.body);
    const unsigned = await t.app.server.inject({ method: 'POST', url, headers: { host: HOST, ...FORM, ...CROSS_SITE }, payload: form({ ...params, MessageSid: `SM${'2'.repeat(32)}` }) });
    assert.equal(unsigned.statusCode, 403);
    assert.equal(unsigned.json().code, 20003, 'refused by the signature check, as before');
  });
});

describe('cross-site requests: the public base URL is the server’s own origin', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ config: { publicBaseUrl: 'https://sb.example.com/' } });
  });
  after(() => t.close());

  it('accepts an Origin of the public base URL whatever Host the proxy forwards', async () => {
    const res = await t.app.server.inject({
      method: 'POST',
      url: '/v2/Flows',
      headers: { host: '127.0.0.1:4000', authorization: t.auth, ...FORM, origin: 'https://sb.example.com' },
      payload: form({ FriendlyName: 'proxied', Status: 'draft', Definition: JSON.stringify(survey) }),
    });
    assert.equal(res.statusCode, 201, res.body);
    const other = await t.app.server.inject({
      method: 'POST',
      url: '/v2/Flows',
      headers: { host: '127.0.0.1:4000', authorization: t.auth, ...FORM, origin: ATTACKER },
      payload: form({ FriendlyName: 'evil', Status: 'draft', Definition: JSON.stringify(survey) }),
    });
    assertCrossSiteRefused(other, ATTACKER);
  });
});

describe('allowed origins (--allowed-origins)', () => {
  const APP = 'https://app.example.com';
  let t: TestServer;
  let edge: FastifyInstance;
  before(async () => {
    t = await startTestServer();
    // The HTTP edge on the test app's services, with the setting as the composition root hands it over.
    const { app } = t;
    edge = await buildServer({
      store: app.store,
      accounts: app.accounts,
      flows: app.flows,
      executions: app.executions,
      simulator: app.simulator,
      calls: {} as never,
      phone: { phone: {}, transport: {} } as never,
      config: { bodyLimit: 1024 * 1024, allowedOrigins: ['https://APP.example.com:443/'] },
    });
    await edge.ready();
  });
  after(async () => {
    await edge.close();
    await t.close();
  });

  const post = (headers: Record<string, string>) =>
    edge.inject({ method: 'POST', url: '/v2/Flows', headers: { host: HOST, authorization: t.auth, ...FORM, ...headers }, payload: form({ FriendlyName: 'app', Status: 'draft', Definition: JSON.stringify(survey) }) });

  it('lets a listed origin post cross-site, and names it (with credentials) in the CORS headers', async () => {
    const res = await post({ 'sec-fetch-site': 'cross-site', origin: APP });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.headers['access-control-allow-origin'], APP);
    assert.equal(res.headers['access-control-allow-credentials'], 'true');
    assert.match(String(res.headers.vary), /\bOrigin\b/);
    const noMetadata = await post({ origin: APP });
    assert.equal(noMetadata.statusCode, 201, noMetadata.body);
    const preflight = await edge.inject({ method: 'OPTIONS', url: '/v2/Flows', headers: { origin: APP, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' } });
    assert.equal(preflight.statusCode, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], APP);
  });

  it('still refuses any other origin, which gets no credentialed CORS', async () => {
    const res = await post(CROSS_SITE);
    assertCrossSiteRefused(res, ATTACKER);
    assert.equal(res.headers['access-control-allow-origin'], '*');
    assert.equal(res.headers['access-control-allow-credentials'], undefined);
    assert.match(String(res.headers.vary), /\bOrigin\b/);
  });

  it('is read from the flag, the variable and the config file, and refuses what is not an origin', () => {
    assert.deepEqual(loadConfig({}, {}).allowedOrigins, []);
    assert.deepEqual(loadConfig({ 'allowed-origins': 'https://a.example.com,http://localhost:5173' }, {}).allowedOrigins, ['https://a.example.com', 'http://localhost:5173']);
    assert.deepEqual(loadConfig({}, { SWITCHBOARD_ALLOWED_ORIGINS: 'https://a.example.com https://b.example.com/' }).allowedOrigins, ['https://a.example.com', 'https://b.example.com/']);
    for (const bad of ['https://a.example.com/path', 'a.example.com', 'ftp://a.example.com', 'https://user:pw@a.example.com', 'https://a.example.com?x=1', '*']) {
      const message = configError(() => loadConfig({ 'allowed-origins': bad }, {}));
      assert.match(message, /--allowed-origins must be a list of origins; .* is not an origin/, bad);
    }
  });

  it('reaches the server from the configuration', async () => {
    const configured = await startTestServer({ config: { allowedOrigins: [APP] } });
    try {
      const res = await configured.app.server.inject({
        method: 'POST',
        url: '/v2/Flows',
        headers: { host: HOST, authorization: configured.auth, ...FORM, 'sec-fetch-site': 'cross-site', origin: APP },
        payload: form({ FriendlyName: 'app', Status: 'draft', Definition: JSON.stringify(survey) }),
      });
      assert.equal(res.statusCode, 201, res.body);
    } finally {
      await configured.close();
    }
  });
});
