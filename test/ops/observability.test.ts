// Operations: after a scripted run, /metrics counts exactly what ran, log lines carry the
// execution's ids, spans nest request → sprint → effect, and the probes answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { basicAuth, form, FORM } from '../support/server.ts';

const definition = readFileSync(new URL('../fixtures/flows/ask-and-wait.json', import.meta.url), 'utf8');

/** Prometheus text → samples; labels as a sorted `k="v",…` string for exact lookups. */
function parseMetrics(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  const samples = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

function sample(samples: ReturnType<typeof parseMetrics>, name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

function sum(samples: ReturnType<typeof parseMetrics>, name: string, labels: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0);
}

async function start(): Promise<{ app: App; auth: string; lines: Record<string, unknown>[]; spans: InMemorySpanExporter }> {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  const spans = new InMemorySpanExporter();
  const config = { ...loadConfig({}, {}), dataDir: ':memory:', logLevel: 'debug' as const, logFormat: 'json' as const };
  const app = await createApp(config, { store: new SqliteStore({ path: ':memory:' }), observability: { log: sink, spanExporter: spans } });
  const { account } = await app.accounts.ensureStartupAccount();
  await app.server.ready();
  return { app, auth: basicAuth(account.sid, account.authToken), lines, spans };
}

test('metrics, logs and traces after a scripted run match what ran', async (t) => {
  const { app, auth, lines, spans } = await start();
  t.after(() => app.close());
  const call = (method: 'GET' | 'POST', url: string, payload?: string) =>
    app.server.inject({ method, url, headers: { authorization: auth, ...FORM }, ...(payload !== undefined ? { payload } : {}) });

  const flow = (await call('POST', '/v2/Flows', form({ FriendlyName: 'ops', Status: 'published', Definition: definition }))).json();
  const executions: string[] = [];
  for (const to of ['+15550000001', '+15550000002', '+15550000003']) {
    const res = await call('POST', `/v2/Flows/${flow.sid}/Executions`, form({ To: to, From: '+15005550006' }));
    assert.equal(res.statusCode, 201, res.body);
    executions.push(res.json().sid);
  }
  await app.executions.idle();
  // One contact answers (the flow completes), one execution is ended by hand, one stays waiting.
  const reply = await call('POST', `/simulator/Flows/${flow.sid}/Messages`, form({ From: '+15550000001', To: '+15005550006', Body: 'great' }));
  assert.equal(reply.statusCode < 300, true, reply.body);
  assert.equal((await call('POST', `/v2/Flows/${flow.sid}/Executions/${executions[1]}`, form({ Status: 'ended' }))).statusCode, 200);
  await app.executions.idle();

  const metrics = await app.server.inject({ method: 'GET', url: '/metrics' });
  assert.equal(metrics.statusCode, 200);
  assert.match(String(metrics.headers['content-type']), /text\/plain/);
  const samples = parseMetrics(metrics.body);
  const byFlow = { flow_sid: flow.sid, trigger: 'incomingRequest' };
  assert.equal(sample(samples, 'switchboard_executions_started_total', byFlow), 3);
  assert.equal(sample(samples, 'switchboard_executions_ended_total', { ...byFlow, reason: 'completed' }), 1);
  assert.equal(sample(samples, 'switchboard_executions_ended_total', { ...byFlow, reason: 'manual' }), 1);
  assert.equal(sample(samples, 'switchboard_executions_active'), 1);
  assert.equal(sample(samples, 'switchboard_executions_waiting', { waiting_for: 'reply' }), 1);

  // Steps by widget type agree with the Steps the API lists.
  const stepTypes = new Map<string, number>();
  for (const sid of executions) {
    const page = (await call('GET', `/v2/Flows/${flow.sid}/Executions/${sid}/Steps?PageSize=100`)).json();
    const stored = await app.store.listSteps((await app.store.getExecutionBySid(sid))!.accountSid, flow.sid, sid, { pageSize: 100 });
    assert.equal(stored.items.length, page.steps.length);
    for (const step of stored.items) stepTypes.set(step.type, (stepTypes.get(step.type) ?? 0) + 1);
  }
  assert.ok(stepTypes.size > 0);
  for (const [type, count] of stepTypes) assert.equal(sample(samples, 'switchboard_steps_total', { widget_type: type }), count, type);
  assert.equal(sum(samples, 'switchboard_steps_total'), [...stepTypes.values()].reduce((a, b) => a + b, 0));

  // Requests per route pattern, with latency.
  assert.equal(sample(samples, 'switchboard_http_requests_total', { method: 'POST', route: '/v2/Flows/:FlowSid/Executions', status_code: '201' }), 3);
  assert.equal(sample(samples, 'switchboard_http_request_duration_seconds_count', { method: 'POST', route: '/v2/Flows/:FlowSid/Executions' }), 3);
  // Store latency through the timing proxy; messages sent through the channel as upstream work.
  assert.ok((sample(samples, 'switchboard_store_operation_duration_seconds_count', { backend: 'sqlite', operation: 'writeSprint' }) ?? 0) >= 5);
  assert.equal(sample(samples, 'switchboard_upstream_request_duration_seconds_count', { kind: 'message' }), 4);

  // Every line about an execution carries its sid; the REST-started ones the request id and trace.
  const started = lines.filter((l) => l.msg === 'execution started');
  assert.deepEqual(started.map((l) => l.executionSid).sort(), [...executions].sort());
  for (const line of started) {
    assert.equal(line.flowSid, flow.sid);
    assert.match(String(line.requestId), /^RQ[0-9a-f]{32}$/);
    assert.match(String(line.traceId), /^[0-9a-f]{32}$/);
    assert.equal(line.trigger, 'incomingRequest');
  }
  // Fastify's own request lines carry the same requestId label as the rest (not reqId).
  const requestLines = lines.filter((l) => l.msg === 'incoming request' || l.msg === 'request completed');
  assert.ok(requestLines.length >= 6, `only ${requestLines.length} request lines`);
  for (const line of requestLines) {
    assert.match(String(line.requestId), /^RQ[0-9a-f]{32}$/);
    assert.equal('reqId' in line, false);
  }
  const steps = lines.filter((l) => l.msg === 'step' && l.executionSid === executions[0]);
  assert.ok(steps.length >= 3, 'a step line for each of the first execution\'s steps');
  for (const line of steps) assert.equal(typeof line.step, 'string');
  const ended = lines.find((l) => l.msg === 'execution ended' && l.executionSid === executions[1]);
  assert.equal(ended?.reason, 'manual');
  assert.equal(JSON.stringify(lines).includes(auth.slice(6)), false, 'credentials never logged');

  // Spans: request → sprint → effect, sharing one trace.
  const finished = spans.getFinishedSpans();
  const requestSpan = finished.find((s) => s.name === 'POST /v2/Flows/:FlowSid/Executions');
  assert.ok(requestSpan);
  const sprint = finished.find((s) => s.name === 'sprint start' && s.parentSpanContext?.spanId === requestSpan.spanContext().spanId);
  assert.ok(sprint, 'the start sprint is a child of its request');
  assert.equal(sprint.spanContext().traceId, requestSpan.spanContext().traceId);
  const effect = finished.find((s) => s.name === 'effect send-message' && s.parentSpanContext?.spanId === sprint.spanContext().spanId);
  assert.ok(effect, 'the sprint\'s message is a child span');
  assert.equal(effect.attributes['switchboard.widget'], 'ask');
});

test('/healthz and /readyz answer without credentials; /readyz fails when the store is unreachable', async (t) => {
  const { app } = await start();
  t.after(() => app.close().catch(() => undefined));
  const health = await app.server.inject({ method: 'GET', url: '/healthz' });
  assert.equal(health.statusCode, 200);
  assert.equal(health.json().status, 'ok');
  const ready = await app.server.inject({ method: 'GET', url: '/readyz' });
  assert.equal(ready.statusCode, 200, ready.body);
  assert.equal(ready.json().status, 'ready');
  assert.equal(ready.json().store.ok, true);
  await app.store.close();
  const down = await app.server.inject({ method: 'GET', url: '/readyz' });
  assert.equal(down.statusCode, 503);
  assert.equal(down.json().store.ok, false);
  assert.equal(down.json().migrations.ok, false);
});

test('/readyz reports a schema that is behind this build', async (t) => {
  const store = new SqliteStore({ path: ':memory:' });
  Object.assign(store, { schemaStatus: async () => ({ applied: 3, expected: 4 }) });
  const app = await createApp({ ...loadConfig({}, {}), dataDir: ':memory:' }, { store });
  t.after(() => app.close());
  const res = await app.server.inject({ method: 'GET', url: '/readyz' });
  assert.equal(res.statusCode, 503);
  assert.deepEqual(res.json().migrations, { ok: false, applied: 3, expected: 4, error: 'schema at version 3, this build needs 4' });
});

test('metrics can be turned off', async (t) => {
  const app = await createApp({ ...loadConfig({}, {}), dataDir: ':memory:', metrics: false }, { store: new SqliteStore({ path: ':memory:' }) });
  t.after(() => app.close());
  assert.equal((await app.server.inject({ method: 'GET', url: '/metrics' })).statusCode, 404);
});

test('/readyz waits for a backend that migrates in the background (ready()) and reports its failure', async (t) => {
  const store = new SqliteStore({ path: ':memory:' });
  let migration: Promise<void> = Promise.reject(new Error('schema is newer than this build (7 > 6)'));
  migration.catch(() => undefined);
  Object.assign(store, { ready: () => migration });
  const app = await createApp({ ...loadConfig({}, {}), dataDir: ':memory:' }, { store });
  t.after(() => app.close());
  const failing = await app.server.inject({ method: 'GET', url: '/readyz' });
  assert.equal(failing.statusCode, 503);
  assert.deepEqual(failing.json().migrations, { ok: false, error: 'schema is newer than this build (7 > 6)' });
  migration = Promise.resolve();
  assert.equal((await app.server.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
});

test('a DELETE answered 204 is logged and counted as a 204, never as a failed 500', async (t) => {
  const { app, auth, lines } = await start();
  t.after(() => app.close());
  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: string) =>
    app.server.inject({ method, url, headers: { authorization: auth, ...FORM }, ...(payload !== undefined ? { payload } : {}) });
  const create = async () => (await call('POST', '/v2/Flows', form({ FriendlyName: 'gone', Status: 'published', Definition: definition }))).json().sid as string;
  const [v2Flow, v1Flow, withExecution] = [await create(), await create(), await create()];
  const execution = (await call('POST', `/v2/Flows/${withExecution}/Executions`, form({ To: '+15550000009', From: '+15005550006' }))).json().sid as string;
  await app.executions.idle();
  for (const url of [`/v2/Flows/${withExecution}/Executions/${execution}`, `/v2/Flows/${v2Flow}`, `/v1/Flows/${v1Flow}`]) {
    assert.equal((await call('DELETE', url)).statusCode, 204, url);
  }
  const samples = parseMetrics((await app.server.inject({ method: 'GET', url: '/metrics' })).body);
  assert.equal(sum(samples, 'switchboard_http_requests_total', { method: 'DELETE', status_code: '204' }), 3);
  assert.equal(sum(samples, 'switchboard_http_requests_total', { status_code: '500' }), 0);
  const failures = lines.filter((l) => Number(l.level) >= 40);
  assert.deepEqual(failures.map((l) => l.msg), [], 'no warning or error lines');
});

test('a message to a flow with no published revision is acknowledged, runs nothing, and says why in a warning', async (t) => {
  const { app, auth, lines } = await start();
  t.after(() => app.close());
  const headers = { authorization: auth, ...FORM };
  const flow = (await app.server.inject({ method: 'POST', url: '/v2/Flows', headers, payload: form({ FriendlyName: 'draft', Status: 'draft', Definition: definition }) })).json();
  const message = (sid: string, from: string) =>
    app.server.inject({ method: 'POST', url: `/v1/Accounts/${flow.account_sid}/Flows/${flow.sid}`, headers, payload: form({ MessageSid: sid, From: from, To: '+15005550006', Body: 'hi' }) });
  assert.equal((await message('SM' + '1'.repeat(32), '+15551110001')).statusCode, 200);
  await app.executions.idle();
  const warnings = lines.filter((l) => Number(l.level) === 40);
  assert.deepEqual(warnings.map((l) => [l.msg, l.flowSid]), [['inbound message for a flow with no published revision: nothing ran (publish the flow, or make the sender a test user)', flow.sid]]);
  const executions = (await app.server.inject({ method: 'GET', url: `/v2/Flows/${flow.sid}/Executions`, headers })).json();
  assert.deepEqual(executions.executions, []);
  // A test user runs the draft: no warning.
  await app.server.inject({ method: 'POST', url: `/v2/Flows/${flow.sid}/TestUsers`, headers, payload: form({ TestUsers: '+15551110002' }) });
  assert.equal((await message('SM' + '2'.repeat(32), '+15551110002')).statusCode, 200);
  await app.executions.idle();
  assert.equal(lines.filter((l) => Number(l.level) === 40).length, 1);
});
