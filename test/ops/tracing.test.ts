// Tracing with nothing exported: spans carry ids for the logs (a child in its parent's trace) and
// record nothing, as the SDK's do under an always-off sampler.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { IdOnlyTracer, createTracing } from '../../src/observability/tracing.ts';
import { remoteParent } from '../../src/observability/http.ts';

test('without an exporter the tracer gives id-only spans; with one, recorded spans', async () => {
  assert.ok((await createTracing({ serviceName: 's' })).tracer instanceof IdOnlyTracer);
  assert.equal((await createTracing({ serviceName: 's' })).exporting, false);
  const exporting = await createTracing({ serviceName: 's', exporter: { export: (_spans, done) => done({ code: 0 }), shutdown: async () => undefined } });
  assert.equal(exporting.exporting, true);
  assert.ok(!(exporting.tracer instanceof IdOnlyTracer));
  assert.equal(exporting.tracer.startSpan('recorded').isRecording(), true);
});

test('a root span starts a trace; its children keep the trace with span ids of their own; nothing is recorded', () => {
  const tracer = new IdOnlyTracer();
  const root = tracer.startSpan('root', {}, ROOT_CONTEXT);
  const { traceId, spanId, traceFlags } = root.spanContext();
  assert.match(traceId, /^[0-9a-f]{32}$/);
  assert.match(spanId, /^[0-9a-f]{16}$/);
  assert.equal(traceFlags, 0);
  assert.equal(root.isRecording(), false);
  // Calls on an unrecorded span are accepted and change nothing.
  root.setAttribute('k', 'v').setStatus({ code: 2 }).end();

  const child = tracer.startSpan('child', {}, trace.setSpan(ROOT_CONTEXT, root));
  assert.equal(child.spanContext().traceId, traceId);
  assert.notEqual(child.spanContext().spanId, spanId);

  const other = tracer.startSpan('other', {}, ROOT_CONTEXT);
  assert.notEqual(other.spanContext().traceId, traceId);
  const ids = new Set(Array.from({ length: 1000 }, () => tracer.startSpan('s', {}, ROOT_CONTEXT).spanContext().spanId));
  assert.equal(ids.size, 1000);
});

test("a caller's traceparent is the trace an id-only request span joins", () => {
  const tracer = new IdOnlyTracer();
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const joined = tracer.startSpan('GET /healthz', {}, remoteParent(`00-${traceId}-00f067aa0ba902b7-01`));
  assert.equal(joined.spanContext().traceId, traceId);
  assert.notEqual(joined.spanContext().spanId, '00f067aa0ba902b7');
  assert.notEqual(tracer.startSpan('GET /healthz', {}, remoteParent('garbage')).spanContext().traceId, traceId);
});

// (Which span is active depends on a registered context manager; Switchboard registers none and calls
// startActiveSpan nowhere, but the Tracer interface has it.)
test('startActiveSpan hands the function its span and returns its result', () => {
  const tracer = new IdOnlyTracer();
  const seen = tracer.startActiveSpan('active', (span) => span.spanContext().spanId);
  assert.match(seen, /^[0-9a-f]{16}$/);
  const parent = tracer.startSpan('parent', {}, ROOT_CONTEXT);
  const inherited = tracer.startActiveSpan('child', {}, trace.setSpan(ROOT_CONTEXT, parent), (span) => span.spanContext().traceId);
  assert.equal(inherited, parent.spanContext().traceId);
});
