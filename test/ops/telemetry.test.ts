// Telemetry details: upstream latency and failures of HTTP widgets, timer lag on a simulated
// clock, OTLP export to a local collector only when configured, store errors through the timing
// proxy, and log output formats.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig, type SwitchboardConfig } from '../../src/config.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createObservability } from '../../src/observability/index.ts';
import { Metrics } from '../../src/observability/metrics.ts';
import { timedStore } from '../../src/observability/store-timing.ts';
import { withWork } from '../../src/observability/context.ts';
import { basicAuth, form, FORM } from '../support/server.ts';
import { triggerFlow } from '../support/flows.ts';

async function appWith(config: Partial<SwitchboardConfig>, now?: () => number): Promise<{ app: App; auth: string }> {
  const app = await createApp(
    { ...loadConfig({}, {}), dataDir: ':memory:', ...config },
    { store: new SqliteStore({ path: ':memory:' }), ...(now ? { now } : {}) },
  );
  const { account } = await app.accounts.ensureStartupAccount();
  await app.server.ready();
  return { app, auth: basicAuth(account.sid, account.authToken) };
}

async function metric(app: App, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const text = (await app.server.inject({ method: 'GET', url: '/metrics' })).body;
  for (const line of text.split('\n')) {
    const match = /^([\w:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[3]);
  }
  return undefined;
}

function httpFlow(url: string): string {
  return JSON.stringify(
    triggerFlow('calls an API', 'incomingRequest', 'call', [
      {
        name: 'call',
        type: 'make-http-request',
        properties: { offset: { x: 0, y: 200 }, method: 'GET', url, content_type: 'application/x-www-form-urlencoded;charset=utf-8' },
        transitions: [{ event: 'success' }, { event: 'failed' }],
      },
    ]),
  );
}

test('HTTP widget calls are timed as upstream work; a 5xx answer counts as an upstream error', async (t) => {
  const upstream = createServer((request, response) => {
    response.writeHead(request.url === '/fail' ? 503 : 200, { 'content-type': 'application/json' });
    response.end('{"ok":true}');
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  t.after(() => upstream.close());
  const base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  const { app, auth } = await appWith({ dev: true });
  t.after(() => app.close());
  const call = (url: string, payload: string) => app.server.inject({ method: 'POST', url, headers: { authorization: auth, ...FORM }, payload });

  for (const [path, to] of [['/ok', '+15550000001'], ['/fail', '+15550000002'], ['/ok', '+15550000003']] as const) {
    const flow = (await call('/v2/Flows', form({ FriendlyName: path, Status: 'published', Definition: httpFlow(base + path) }))).json();
    assert.equal((await call(`/v2/Flows/${flow.sid}/Executions`, form({ To: to, From: '+15005550006' }))).statusCode, 201);
  }
  await app.executions.idle();
  assert.equal(await metric(app, 'switchboard_upstream_request_duration_seconds_count', { kind: 'http' }), 3);
  assert.equal(await metric(app, 'switchboard_upstream_errors_total', { kind: 'http', reason: 'http_5xx' }), 1);
  assert.equal(await metric(app, 'switchboard_steps_total', { widget_type: 'make-http-request' }), 3);
});

test('the node counts its work for idle-time chores: API requests and sprints do, probes and scrapes do not', async (t) => {
  const { app, auth } = await appWith({});
  t.after(() => app.close());
  const activity = app.observability.activity;
  activity.takeCount(); // what start-up did
  for (const url of ['/healthz', '/readyz', '/metrics']) assert.equal((await app.server.inject({ method: 'GET', url })).statusCode, 200);
  assert.equal(activity.takeCount(), 0, 'probes and scrapes are not work');
  assert.equal((await app.server.inject({ method: 'GET', url: '/v2/Flows', headers: { authorization: auth } })).statusCode, 200);
  assert.equal(activity.takeCount(), 1, 'an API request is');
  const call = (url: string, payload: string) => app.server.inject({ method: 'POST', url, headers: { authorization: auth, ...FORM }, payload });
  const hi = { name: 'hi', type: 'send-message', properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'hi' }, transitions: [{ event: 'sent' }, { event: 'failed' }] };
  const created = await call('/v2/Flows', form({ FriendlyName: 'one message', Status: 'published', Definition: JSON.stringify(triggerFlow('one message', 'incomingRequest', 'hi', [hi])) }));
  assert.equal(created.statusCode, 201, created.body);
  const flow = created.json();
  activity.takeCount();
  assert.equal((await call(`/v2/Flows/${flow.sid}/Executions`, form({ To: '+15550000001', From: '+15005550006' }))).statusCode, 201);
  await app.executions.idle();
  // The request, the sprint that started the execution, and the one that took the send's result.
  assert.ok(activity.takeCount() >= 3);
});

test('timer lag: a reply timeout that fires late is measured on the runtime clock', async (t) => {
  let clock = Date.UTC(2026, 0, 1);
  const { app, auth } = await appWith({}, () => clock);
  t.after(() => app.close());
  const call = (url: string, payload: string) => app.server.inject({ method: 'POST', url, headers: { authorization: auth, ...FORM }, payload });
  const definition = readFileSync(new URL('../fixtures/flows/ask-and-wait.json', import.meta.url), 'utf8');
  const flow = (await call('/v2/Flows', form({ FriendlyName: 'timer', Status: 'published', Definition: definition }))).json();
  assert.equal((await call(`/v2/Flows/${flow.sid}/Executions`, form({ To: '+15550000009', From: '+15005550006' }))).statusCode, 201);
  await app.executions.idle();
  assert.equal(await metric(app, 'switchboard_executions_waiting', { waiting_for: 'reply' }), 1);
  clock += 3600_000 + 7_000; // the one-hour reply timeout, found seven seconds late
  assert.equal(await app.executions.fireDueTimers(), 1);
  await app.executions.idle();
  assert.equal(await metric(app, 'switchboard_timer_lag_seconds_count'), 1);
  assert.equal(await metric(app, 'switchboard_timer_lag_seconds_sum'), 7);
  assert.equal(await metric(app, 'switchboard_timer_lag_seconds_bucket', { le: '5' }), 0);
  assert.equal(await metric(app, 'switchboard_timer_lag_seconds_bucket', { le: '10' }), 1);
  assert.equal(await metric(app, 'switchboard_executions_waiting', { waiting_for: 'reply' }), 0);
  assert.equal(await metric(app, 'switchboard_executions_active'), 0);
});

test('traces are exported over OTLP/HTTP only when an endpoint is configured', async (t) => {
  const received: { path: string; body: Buffer }[] = [];
  const collector = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ path: request.url ?? '', body: Buffer.concat(chunks) });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  t.after(() => collector.close());
  const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/v1/traces`;

  const quiet = await appWith({});
  assert.equal(quiet.app.observability.tracing.exporting, false);
  await quiet.app.server.inject({ method: 'GET', url: '/healthz' });
  await quiet.app.close();

  const { app } = await appWith({ otlpEndpoint: endpoint, serviceName: 'switchboard-test' });
  assert.equal(app.observability.tracing.exporting, true);
  assert.equal((await app.server.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  await app.close(); // flushes the batch
  assert.equal(received.length, 1, 'one export request, from the configured app only');
  assert.equal(received[0]!.path, '/v1/traces');
  const payload = received[0]!.body.toString('latin1');
  assert.ok(payload.includes('switchboard-test'), 'service.name is sent');
  assert.ok(payload.includes('GET /healthz'), 'the request span is sent');
});

test('the store proxy times calls, counts failures and keeps the backend working', async () => {
  const metrics = new Metrics();
  const store = timedStore(new SqliteStore({ path: ':memory:' }), metrics);
  await store.setSetting('k', 'v');
  assert.equal(await store.getSetting('k'), 'v');
  assert.equal(store.kind, 'sqlite');
  await store.close();
  await assert.rejects(store.getSetting('k'));
  const text = await metrics.text();
  assert.match(text, /switchboard_store_operation_duration_seconds_count\{backend="sqlite",operation="getSetting"\} 2/);
  assert.match(text, /switchboard_store_errors_total\{backend="sqlite",operation="getSetting"\} 1/);
  assert.doesNotMatch(text, /switchboard_store_errors_total\{backend="sqlite",operation="setSetting"\}/);
});

function capture(): { stream: Writable; text: () => string } {
  let out = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      out += String(chunk);
      done();
    },
  });
  return { stream, text: () => out };
}

test('logs: JSON lines with the work context, or pretty lines for people', () => {
  const json = capture();
  const logger = createLogger({ level: 'info', format: 'auto', destination: json.stream, isTty: false });
  withWork({ requestId: 'RQ1', executionSid: 'FN1', step: 'ask' }, () => logger.info({ authToken: 'secret' }, 'hello'));
  const line = JSON.parse(json.text().trim()) as Record<string, unknown>;
  assert.equal(line.msg, 'hello');
  assert.equal(line.requestId, 'RQ1');
  assert.equal(line.executionSid, 'FN1');
  assert.equal(line.step, 'ask');
  assert.equal(line.authToken, '[redacted]');

  const pretty = capture();
  const human = createLogger({ level: 'info', format: 'pretty', destination: pretty.stream, isTty: false });
  withWork({ executionSid: 'FN2' }, () => human.info('started'));
  assert.match(pretty.text(), /INFO.*started/);
  assert.match(pretty.text(), /executionSid: "FN2"/);
  assert.throws(() => JSON.parse(pretty.text()));
});

test("a caller's traceparent makes the request span part of the caller's trace", async (t) => {
  const { InMemorySpanExporter } = await import('@opentelemetry/sdk-trace-base');
  const spans = new InMemorySpanExporter();
  const app = await createApp({ ...loadConfig({}, {}), dataDir: ':memory:' }, { store: new SqliteStore({ path: ':memory:' }), observability: { spanExporter: spans } });
  t.after(() => app.close());
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  await app.server.inject({ method: 'GET', url: '/healthz', headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
  await app.server.inject({ method: 'GET', url: '/healthz', headers: { traceparent: 'garbage' } });
  const [joined, fresh] = spans.getFinishedSpans();
  assert.equal(joined?.spanContext().traceId, traceId);
  assert.equal(joined?.parentSpanContext?.spanId, '00f067aa0ba902b7');
  assert.notEqual(fresh?.spanContext().traceId, traceId);
  assert.equal(fresh?.parentSpanContext, undefined);
});

test('a sprint that fails is logged with its execution and request, and its span marked failed', async (t) => {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) raw.push(line), lines.push(JSON.parse(line));
      done();
    },
  });
  const store = new SqliteStore({ path: ':memory:' });
  const app = await createApp({ ...loadConfig({}, {}), dataDir: ':memory:', logFormat: 'json' }, { store, observability: { log: sink } });
  t.after(() => app.close());
  const { account } = await app.accounts.ensureStartupAccount();
  const auth = basicAuth(account.sid, account.authToken);
  const definition = readFileSync(new URL('../fixtures/flows/ask-and-wait.json', import.meta.url), 'utf8');
  const headers = { authorization: auth, ...FORM };
  const flow = (await app.server.inject({ method: 'POST', url: '/v2/Flows', headers, payload: form({ FriendlyName: 'f', Status: 'published', Definition: definition }) })).json();
  store.writeSprint = async () => {
    throw new Error('disk on fire');
  };
  const res = await app.server.inject({ method: 'POST', url: `/v2/Flows/${flow.sid}/Executions`, headers, payload: form({ To: '+15550000001', From: '+15005550006' }) });
  assert.equal(res.statusCode, 500);
  const failed = lines.find((l) => l.msg === 'sprint failed');
  assert.ok(failed, 'a sprint failed line');
  assert.equal(failed.level, 40);
  assert.equal(failed.event, 'start');
  assert.match(String(failed.executionSid), /^FN/);
  assert.equal(failed.requestId, res.headers['twilio-request-id']);
  assert.match(JSON.stringify(failed.err), /disk on fire/);
  assert.match((await app.server.inject({ method: 'GET', url: '/metrics' })).body, /switchboard_store_errors_total\{backend="sqlite",operation="writeSprint",service="switchboard"\} 1/);
  // Fastify's request logger binds requestId and the work context carries it too: each key once per line
  // (JSON.parse keeps the last of two, so the raw text is what shows it).
  for (const msg of ['unhandled error', 'request completed']) {
    assert.equal(lines.findLast((l) => l.msg === msg)?.requestId, res.headers['twilio-request-id'], msg);
  }
  for (const line of raw) {
    for (const key of ['requestId', 'accountSid', 'flowSid', 'executionSid', 'step', 'traceId', 'spanId']) {
      assert.ok(line.split(`"${key}":`).length <= 2, `${key} twice in ${line}`);
    }
  }
});

test('a request the store cannot serve now (503) is a warning in the log, not an error', async (t) => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  const store = new SqliteStore({ path: ':memory:' });
  const app = await createApp({ ...loadConfig({}, {}), dataDir: ':memory:', logFormat: 'json' }, { store, observability: { log: sink } });
  t.after(() => app.close());
  const { account } = await app.accounts.ensureStartupAccount();
  const headers = { authorization: basicAuth(account.sid, account.authToken), ...FORM };
  store.listFlows = async () => {
    // What pg throws when the server has no connection left for it.
    throw Object.assign(new Error('sorry, too many clients already'), { code: '53300' });
  };
  const res = await app.server.inject({ method: 'GET', url: '/v2/Flows', headers });
  assert.equal(res.statusCode, 503);
  const line = lines.find((l) => l.msg === 'service unavailable');
  assert.equal(line?.level, 40);
  assert.match(JSON.stringify(line?.err), /too many clients/);
  assert.deepEqual(lines.filter((l) => Number(l.level) >= 50).map((l) => l.msg), []);
});

test('active/waiting gauges come from the store when it can count (all nodes), and are absent for a shared store that cannot', async (t) => {
  const counting = new SqliteStore({ path: ':memory:' });
  let queries = 0;
  Object.assign(counting, {
    countActiveExecutions: async () => {
      queries += 1;
      return { active: 42, waiting: { reply: 40, effect: 2 } };
    },
  });
  const app = await createApp({ ...loadConfig({}, {}), dataDir: ':memory:' }, { store: counting });
  t.after(() => app.close());
  assert.equal(await metric(app, 'switchboard_executions_active'), 42);
  assert.equal(queries, 1, 'one store query per scrape for both gauges');
  assert.equal(await metric(app, 'switchboard_executions_waiting', { waiting_for: 'reply' }), 40);
  assert.equal(await metric(app, 'switchboard_executions_waiting', { waiting_for: 'subflow' }), 0);

  const shared = new SqliteStore({ path: ':memory:' });
  Object.defineProperty(shared, 'kind', { value: 'postgres' });
  const other = await createApp({ ...loadConfig({}, {}), dataDir: ':memory:' }, { store: shared });
  t.after(() => other.close());
  const text = (await other.server.inject({ method: 'GET', url: '/metrics' })).body;
  assert.doesNotMatch(text, /switchboard_executions_active/);
  assert.doesNotMatch(text, /switchboard_executions_scrape_error/, 'no scrape error for gauges that are not there');
  assert.match(text, /# HELP switchboard_executions_started_total/);
});

test('on the embedded SQLite store, which the node counts itself, the scrape error is there and 0', async (t) => {
  const app = await createApp({ ...loadConfig({}, {}), dataDir: ':memory:' }, { store: new SqliteStore({ path: ':memory:' }) });
  t.after(() => app.close());
  assert.equal(await metric(app, 'switchboard_executions_active'), 0);
  assert.equal(await metric(app, 'switchboard_executions_scrape_error'), 0);
});

test('on SQLite the active gauge adds a count of the executions active at start; their sprints here are not counted twice', async (t) => {
  // Three executions waiting for a reply, written by a node that has since stopped.
  const dir = mkdtempSync(join(tmpdir(), 'sb-gauges-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = { ...loadConfig({}, {}), dataDir: dir };
  const first = await createApp(config);
  const { account } = await first.accounts.ensureStartupAccount();
  const headers = { authorization: basicAuth(account.sid, account.authToken), ...FORM };
  const definition = readFileSync(new URL('../fixtures/flows/ask-and-wait.json', import.meta.url), 'utf8');
  const flow = (await first.server.inject({ method: 'POST', url: '/v2/Flows', headers, payload: form({ FriendlyName: 'f', Status: 'published', Definition: definition }) })).json();
  const sids: string[] = [];
  for (const to of ['+15550000001', '+15550000002', '+15550000003']) {
    sids.push((await first.server.inject({ method: 'POST', url: `/v2/Flows/${flow.sid}/Executions`, headers, payload: form({ To: to, From: '+15005550006' }) })).json().sid);
  }
  await first.executions.idle();
  await first.close();

  /** A restarted node's observer, whose start-up count answers when `release` is called. */
  async function restarted() {
    const store = new SqliteStore({ path: join(dir, 'switchboard.db') });
    t.after(() => store.close());
    const count = store.countActiveExecutionsBefore.bind(store);
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    let answered = () => {};
    const answer = new Promise<void>((resolve) => (answered = resolve));
    store.countActiveExecutionsBefore = async (before) => {
      await released;
      const n = await count(before);
      setImmediate(answered);
      return n;
    };
    const { observer, metrics } = await createObservability(config);
    observer.watchStore(store);
    const active = async () => (await metrics.executionsActive.get()).values[0]?.value;
    const waiting = async () => (await metrics.executionsWaiting.get()).values.find((v) => v.labels.waiting_for === 'reply')?.value;
    /** A sprint here wrote the execution: ended, or still active (as a reply that changed nothing would). */
    const sprint = async (sid: string, status: 'active' | 'ended') => {
      const execution = (await store.getExecutionBySid(sid))!;
      observer.sprintWritten({ execution: { ...execution, status }, previousStatus: 'active', steps: [] });
    };
    const deleted = (sid: string, status: 'active' | 'ended') => observer.executionDeleted({ sid, status, dateCreated: 0 });
    return { active, waiting, sprint, deleted, resolve: async () => (release(), await answer) };
  }

  const counted = await restarted();
  assert.equal(await counted.active(), 0, 'nothing until the count answers');
  await counted.resolve();
  assert.equal(await counted.active(), 3);
  assert.equal(await counted.waiting(), 0, 'what the counted ones wait for is unknown');
  await counted.sprint(sids[0]!, 'active');
  await counted.sprint(sids[0]!, 'active');
  assert.equal(await counted.active(), 3, 'one that sprints and stays active is counted once');
  assert.equal(await counted.waiting(), 1, 'and its wait is known now');
  await counted.sprint(sids[0]!, 'ended');
  await counted.sprint(sids[1]!, 'ended');
  assert.equal(await counted.active(), 1, 'those that end leave the count');

  // The count answers after sprints here touched some of those it counts.
  const late = await restarted();
  await late.sprint(sids[0]!, 'active');
  await late.sprint(sids[1]!, 'active');
  await late.sprint(sids[1]!, 'ended');
  assert.equal(await late.active(), 1);
  await late.resolve();
  assert.equal(await late.active(), 3, 'the store still holds all three active: none counted twice');
  await late.sprint(sids[0]!, 'ended');
  assert.equal(await late.active(), 2);

  // Deleted through the API: executions counted at start and not run here since leave the count.
  late.deleted(sids[2]!, 'active');
  assert.equal(await late.active(), 1, 'a deleted execution from before the start leaves the count');
  late.deleted(sids[1]!, 'active');
  assert.equal(await late.active(), 0);
});

test("an execution deleted through the API leaves the node's active gauge", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-gauges-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const app = await createApp({ ...loadConfig({}, {}), dataDir: dir });
  t.after(() => app.close());
  const { account } = await app.accounts.ensureStartupAccount();
  const headers = { authorization: basicAuth(account.sid, account.authToken), ...FORM };
  const definition = readFileSync(new URL('../fixtures/flows/ask-and-wait.json', import.meta.url), 'utf8');
  const flow = (await app.server.inject({ method: 'POST', url: '/v2/Flows', headers, payload: form({ FriendlyName: 'f', Status: 'published', Definition: definition }) })).json();
  const execution = (await app.server.inject({ method: 'POST', url: `/v2/Flows/${flow.sid}/Executions`, headers, payload: form({ To: '+15550000009', From: '+15005550006' }) })).json();
  await app.executions.idle();
  const active = async () => Number(/^switchboard_executions_active\{[^}]*\} (\d+)$/m.exec((await app.server.inject({ method: 'GET', url: '/metrics' })).body)?.[1]);
  assert.equal(await active(), 1);
  const deleted = await app.server.inject({ method: 'DELETE', url: `/v2/Flows/${flow.sid}/Executions/${execution.sid}`, headers });
  assert.equal(deleted.statusCode, 204);
  assert.equal(await active(), 0);
});

test('/metrics answers while the store cannot count: the execution gauges are left out and the scrape error says so', async (t) => {
  const store = new SqliteStore({ path: ':memory:' });
  let down = true;
  Object.assign(store, {
    countActiveExecutions: async () => {
      if (down) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      return { active: 3, waiting: { reply: 3 } };
    },
  });
  const app = await createApp({ ...loadConfig({}, {}), dataDir: ':memory:' }, { store, observability: { processMetrics: true } });
  t.after(() => app.close());
  await app.server.inject({ method: 'GET', url: '/healthz' });
  const res = await app.server.inject({ method: 'GET', url: '/metrics' });
  assert.equal(res.statusCode, 200, res.body);
  assert.doesNotMatch(res.body, /^switchboard_executions_(active|waiting)\b/m, 'no made-up value while the count failed');
  assert.match(res.body, /^switchboard_executions_scrape_error\{service="switchboard"\} 1$/m);
  assert.match(res.body, /^switchboard_http_requests_total\{/m, 'the other series are still there');
  assert.match(res.body, /^switchboard_process_cpu_seconds_total/m);
  // The failure is counted as it settles, after the first scrape rendered its counters.
  const again = (await app.server.inject({ method: 'GET', url: '/metrics' })).body;
  assert.match(again, /^switchboard_store_errors_total\{backend="sqlite",operation="countActiveExecutions",service="switchboard"\} [1-9]/m);

  down = false;
  assert.equal(await metric(app, 'switchboard_executions_active'), 3);
  assert.equal(await metric(app, 'switchboard_executions_scrape_error'), 0);
});

test('a store count that hangs holds a scrape for the bound only, and is not asked again while it runs', async () => {
  const metrics = new Metrics();
  let queries = 0;
  metrics.countExecutionsWith(
    () => {
      queries += 1;
      return new Promise(() => {}); // a database that accepts the query and never answers
    },
    { timeoutMs: 50 },
  );
  metrics.executionsStarted.inc({ flow_sid: 'FW1', trigger: 'incomingMessage' });
  for (let scrape = 0; scrape < 2; scrape++) {
    const started = Date.now();
    const text = await Promise.race([metrics.text(), new Promise<string>((resolve) => setTimeout(resolve, 1000, 'scrape still waiting after 1 s'))]);
    assert.ok(Date.now() - started < 1000, text);
    assert.match(text, /^switchboard_executions_scrape_error 1$/m);
    assert.doesNotMatch(text, /^switchboard_executions_active\b/m);
    assert.match(text, /^switchboard_executions_started_total\{flow_sid="FW1",trigger="incomingMessage"\} 1$/m);
  }
  assert.equal(queries, 1, 'the second scrape waits on the query already running');
});

test('probes and scrapes are not logged at info; API requests are', async (t) => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  const app = await createApp({ ...loadConfig({}, {}), dataDir: ':memory:', logFormat: 'json' }, { store: new SqliteStore({ path: ':memory:' }), observability: { log: sink } });
  t.after(() => app.close());
  for (const url of ['/healthz', '/readyz', '/metrics']) assert.equal((await app.server.inject({ method: 'GET', url })).statusCode, 200);
  assert.deepEqual(lines.filter((l) => l.msg === 'request completed'), []);
  assert.equal((await app.server.inject({ method: 'GET', url: '/v2/Flows' })).statusCode, 401);
  const completed = lines.filter((l) => l.msg === 'request completed');
  assert.equal(completed.length, 1);
  assert.match(String(completed[0]!.requestId), /^RQ/);
  assert.equal('reqId' in completed[0]!, false);
});

test('every metric carries the service label of --service-name (OTEL_SERVICE_NAME), process metrics included', async (t) => {
  const app = await createApp({ ...loadConfig({ 'service-name': 'switchboard-eu' }, {}), dataDir: ':memory:' }, { store: new SqliteStore({ path: ':memory:' }), observability: { processMetrics: true } });
  t.after(() => app.close());
  await app.server.inject({ method: 'GET', url: '/healthz' });
  const series = (await app.server.inject({ method: 'GET', url: '/metrics' })).body.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
  assert.ok(series.some((line) => line.startsWith('switchboard_http_requests_total{')), 'an HTTP request was counted');
  assert.ok(series.some((line) => line.startsWith('switchboard_process_')), 'process metrics are there');
  for (const line of series) assert.match(line, /[{,]service="switchboard-eu"[,}]/, line);
});
