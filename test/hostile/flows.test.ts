// Hostile flows run through the whole server (REST create → runtime → store): infinite loops,
// Liquid bombs, subflow recursion, oversized and slow HTTP responses, redirects to private
// addresses. Each must end (or take its failure path) quickly, with Studio's error code, and
// leave the server serving. HTTP goes to a local server; the outbound policy allows only it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { FetchHttp } from '../../src/channels/http/fetch-http.ts';
import { OutboundPolicy } from '../../src/channels/http/outbound-policy.ts';
import type { ExecutionState, HttpRequestSpec } from '../../src/engine/types.ts';
import type { HttpLimits, OutboundHttp } from '../../src/runtime/ports/channel.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';

let app: App;
let auth = '';
let accountSid = '';
let remote: Server;
let remoteBase = '';
let remoteHits = 0;

/** The real client, with each outcome kept so tests can see why a request failed (flows cannot). */
class RecordingHttp implements OutboundHttp {
  readonly inner = new FetchHttp({ policy: new OutboundPolicy({ allow: ['127.0.0.1'] }) });
  readonly results: { url: string; result: Awaited<ReturnType<OutboundHttp['request']>> }[] = [];
  async request(spec: HttpRequestSpec, limits: HttpLimits) {
    const result = await this.inner.request(spec, limits);
    this.results.push({ url: spec.url, result });
    return result;
  }
}
const recording = new RecordingHttp();

before(async () => {
  remote = createServer((req, res) => {
    remoteHits++;
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/big') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ pad: 'x'.repeat(70 * 1024) }));
    }
    if (url.pathname === '/slow') return void setTimeout(() => res.end('{}'), 15_000).unref();
    if (url.pathname === '/to-metadata') {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/' });
      return res.end();
    }
    if (url.pathname === '/to-private') {
      res.writeHead(307, { location: `http://10.0.0.1:${(remote.address() as AddressInfo).port}/ok` });
      return res.end();
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  await new Promise<void>((resolve) => remote.listen(0, '127.0.0.1', resolve));
  remoteBase = `http://127.0.0.1:${(remote.address() as AddressInfo).port}`;
  const config = { ...loadConfig({}, {}, { cwd: '/nonexistent' }), dataDir: ':memory:' };
  app = await createApp(config, {
    store: new SqliteStore({ path: ':memory:' }),
    // Only the local test server is reachable; the 10 s cap is shortened so the test stays quick.
    http: recording,
    runtime: { http: { timeoutMs: 2_000, maxBodyBytes: 64 * 1024 } },
  });
  const { account } = await app.accounts.ensureStartupAccount();
  accountSid = account.sid;
  auth = 'Basic ' + Buffer.from(`${account.sid}:${account.authToken}`).toString('base64');
});

after(async () => {
  await app.close();
  await new Promise<void>((resolve) => remote.close(() => resolve()));
});

const trigger = (next: string) => ({
  name: 'Trigger',
  type: 'trigger',
  transitions: [{ event: 'incomingMessage' }, { event: 'incomingCall' }, { event: 'incomingConversationMessage' }, { event: 'incomingRequest', next }, { event: 'incomingParent', next }],
  properties: { offset: { x: 0, y: 0 } },
});
const setVariables = (name: string, next: string | undefined, value = 'x') => ({
  name,
  type: 'set-variables',
  transitions: [{ event: 'next', ...(next ? { next } : {}) }],
  properties: { variables: [{ key: 'v', value }], offset: { x: 0, y: 0 } },
});
const httpWidget = (name: string, url: string, success?: string, failed?: string) => ({
  name,
  type: 'make-http-request',
  transitions: [{ event: 'success', ...(success ? { next: success } : {}) }, { event: 'failed', ...(failed ? { next: failed } : {}) }],
  properties: { method: 'GET', content_type: 'application/x-www-form-urlencoded;charset=utf-8', url, offset: { x: 0, y: 0 } },
});

async function createFlow(states: unknown[], friendlyName = 'hostile'): Promise<string> {
  const definition = { description: 'hostile', states, initial_state: 'Trigger', flags: { allow_concurrent_calls: true } };
  const response = await app.server.inject({
    method: 'POST',
    url: '/v2/Flows',
    headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ FriendlyName: friendlyName, Status: 'published', Definition: JSON.stringify(definition) }).toString(),
  });
  assert.equal(response.statusCode, 201, response.body);
  return response.json().sid;
}

let contact = 0;
/** Runs the flow once over REST and returns the ended execution's state and steps. */
async function run(flowSid: string): Promise<{ state: ExecutionState; steps: { transitioned_from: string; name: string; transitioned_to: string }[] }> {
  const response = await app.server.inject({
    method: 'POST',
    url: `/v2/Flows/${flowSid}/Executions`,
    headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ To: `+1555000${String(++contact).padStart(4, '0')}`, From: '+15005550006' }).toString(),
  });
  assert.equal(response.statusCode, 201, response.body);
  const sid = response.json().sid as string;
  await app.executions.idle();
  const record = await app.store.getExecutionBySid(sid);
  assert.ok(record);
  const steps = await app.server.inject({ method: 'GET', url: `/v2/Flows/${flowSid}/Executions/${sid}/Steps?PageSize=1000`, headers: { authorization: auth } });
  return { state: record.state as ExecutionState, steps: steps.json().steps };
}

test('a widget looping on itself ends with 81001 after 10 runs in a row', async () => {
  const flowSid = await createFlow([trigger('spin'), setVariables('spin', 'spin')]);
  const { state, steps } = await run(flowSid);
  assert.equal(state.status, 'ended');
  assert.equal(state.endReason?.kind === 'error' && state.endReason.code, 81001);
  assert.ok(steps.length <= 12, `${steps.length} steps`);
});

test('a loop over two widgets ends with 81000 at 1,000 steps', async () => {
  const flowSid = await createFlow([trigger('ping'), setVariables('ping', 'pong'), setVariables('pong', 'ping')]);
  const { state } = await run(flowSid);
  assert.equal(state.status, 'ended');
  assert.equal(state.endReason?.kind === 'error' && state.endReason.code, 81000);
  assert.ok(state.stepCount <= 1001, `${state.stepCount} steps`);
});

test('an HTTP loop (request → request) is stopped too, without hammering the server forever', async () => {
  const before = remoteHits;
  const flowSid = await createFlow([trigger('call'), httpWidget('call', `${remoteBase}/ok`, 'call', 'call')]);
  const { state } = await run(flowSid);
  assert.equal(state.endReason?.kind === 'error' && state.endReason.code, 81001);
  assert.ok(remoteHits - before <= 11, `${remoteHits - before} requests`);
});

test('Liquid that tries to loop forever or allocate gigabytes does not stall the execution', async () => {
  const bomb = '{% assign s = "0123456789" %}{% for i in (1..1000000000) %}{% for j in (1..1000000000) %}{% assign s = s | append: s %}{% endfor %}{% endfor %}{{ s }}';
  const flowSid = await createFlow([trigger('boom'), setVariables('boom', 'after', bomb), setVariables('after', undefined, 'done')]);
  const started = Date.now();
  const { state } = await run(flowSid);
  assert.equal(state.status, 'ended');
  assert.ok(Date.now() - started < 30_000, 'a hang guard, not a speed target');
  // Whether refused (84003) or truncated, the variable can never exceed Studio's 16 KB.
  const stored = JSON.stringify(state.frames[0]?.variables ?? {});
  assert.ok(stored.length < 64 * 1024, `variables hold ${stored.length} chars`);
});

test('a flow that runs itself as a subflow fails with 81024 instead of recursing', async () => {
  const flowSid = await createFlow([trigger('placeholder'), setVariables('placeholder', undefined)], 'recursive');
  const states = [
    trigger('self'),
    { name: 'self', type: 'run-subflow', transitions: [{ event: 'completed' }, { event: 'failed' }], properties: { flow_sid: flowSid, flow_revision: 'LatestPublished', parameters: [], offset: { x: 0, y: 0 } } },
  ];
  const update = await app.server.inject({
    method: 'POST',
    url: `/v2/Flows/${flowSid}`,
    headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ Status: 'published', Definition: JSON.stringify({ description: 'r', states, initial_state: 'Trigger', flags: { allow_concurrent_calls: true } }) }).toString(),
  });
  assert.equal(update.statusCode, 200, update.body);
  const { state, steps } = await run(flowSid);
  assert.equal(state.status, 'ended');
  assert.equal(state.frames.length, 1, 'no nested frame left behind');
  const failed = steps.find((s) => s.transitioned_from === 'self');
  assert.equal(failed?.name, 'failed');
  assert.ok(state.stepCount < 10);
});

test('a response over 64 KB takes the failed path', async () => {
  const flowSid = await createFlow([trigger('call'), httpWidget('call', `${remoteBase}/big`, 'ok', 'nope'), setVariables('ok', undefined), setVariables('nope', undefined)]);
  const { steps } = await run(flowSid);
  assert.deepEqual(steps.map((s) => `${s.transitioned_from}:${s.name}`).slice(0, 2), ['Trigger:incomingRequest', 'call:failed']);
});

test('a slow server is cut off at the timeout and the flow goes on (failed path)', async () => {
  const flowSid = await createFlow([trigger('call'), httpWidget('call', `${remoteBase}/slow`, 'ok', 'nope'), setVariables('ok', undefined), setVariables('nope', undefined)]);
  const { steps } = await run(flowSid);
  assert.equal(steps.find((s) => s.transitioned_from === 'call')?.name, 'failed');
  const outcome = recording.results.findLast((r) => r.url.endsWith('/slow'))?.result;
  assert.equal(outcome?.kind === 'http-failed' && outcome.reason, 'timeout', 'cut off by the timeout, not answered late');
});

test('redirects to cloud metadata or private addresses are refused; direct private URLs too', async () => {
  for (const url of [`${remoteBase}/to-metadata`, `${remoteBase}/to-private`, 'http://169.254.169.254/latest/meta-data/', 'http://10.1.2.3/', 'http://[::1]:1/']) {
    const flowSid = await createFlow([trigger('call'), httpWidget('call', url, 'ok', 'nope'), setVariables('ok', undefined), setVariables('nope', undefined)]);
    const before = remoteHits;
    const { steps } = await run(flowSid);
    assert.equal(steps.find((s) => s.transitioned_from === 'call')?.name, 'failed', url);
    const outcome = recording.results.findLast((r) => r.url === url)?.result;
    assert.equal(outcome?.kind === 'http-failed' && outcome.reason, 'blocked', `${url}: ${JSON.stringify(outcome)}`);
    assert.ok(remoteHits - before <= 1, 'the redirect target was never contacted');
  }
});

test('after all that, the server still answers', async () => {
  const response = await app.server.inject({ method: 'GET', url: '/v2/Flows', headers: { authorization: auth } });
  assert.equal(response.statusCode, 200);
  assert.ok(accountSid.startsWith('AC'));
});
