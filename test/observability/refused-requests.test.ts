// Requests the server refuses before their route runs (a 401 from authentication, a 503 while the
// node starts or drains) are requests too: they are counted, timed in the latency histogram and
// traced, like any other. The observation hooks were registered after authentication, so a refused
// request never started its timer or span.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { basicAuth } from '../support/server.ts';

/** The value of one Prometheus sample, by name and exact labels (the `service` label aside). */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) found[key!] = value!;
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return undefined;
}

async function start(deferStart = false) {
  const spans = new InMemorySpanExporter();
  const config = { ...loadConfig({}, {}, { cwd: '/nonexistent' }), dataDir: ':memory:' };
  const app = await createApp(config, { store: new SqliteStore({ path: ':memory:' }), observability: { spanExporter: spans }, deferStart });
  await app.server.ready();
  return { app, spans };
}

test('a request refused by authentication (401) is timed in the latency histogram and traced', async (t) => {
  const { app, spans } = await start();
  t.after(() => app.close());
  const { account } = await app.accounts.ensureStartupAccount();
  const res = await app.server.inject({ method: 'GET', url: '/v2/Flows', headers: { authorization: basicAuth(account.sid, 'wrong-token') } });
  assert.equal(res.statusCode, 401);
  const metrics = (await app.server.inject({ method: 'GET', url: '/metrics' })).body;
  const labels = { method: 'GET', route: '/v2/Flows' };
  assert.equal(sample(metrics, 'switchboard_http_requests_total', { ...labels, status_code: '401' }), 1);
  assert.equal(sample(metrics, 'switchboard_http_request_duration_seconds_count', labels), 1);
  const span = spans.getFinishedSpans().find((s) => s.name === 'GET /v2/Flows');
  assert.ok(span, 'the refused request has a span');
  assert.equal(span.attributes['http.response.status_code'], 401);
});

test('a request refused while the node starts (503) is timed and traced', async (t) => {
  const { app, spans } = await start(true);
  t.after(() => app.close());
  const res = await app.server.inject({ method: 'GET', url: '/v2/Flows' });
  assert.equal(res.statusCode, 503);
  const metrics = (await app.server.inject({ method: 'GET', url: '/metrics' })).body;
  assert.equal(sample(metrics, 'switchboard_http_request_duration_seconds_count', { method: 'GET', route: '/v2/Flows' }), 1);
  const span = spans.getFinishedSpans().find((s) => s.name === 'GET /v2/Flows');
  assert.ok(span, 'the refused request has a span');
  assert.equal(span.attributes['http.response.status_code'], 503);
});
