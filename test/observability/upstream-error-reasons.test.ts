// switchboard_upstream_errors_total's `reason` label holds a fixed list of values: a reason made of what
// an upstream sent (the `code` of a Twilio API answer or a webhook endpoint's JSON) would make a new
// Prometheus series for every value it sends. Unknown reasons are `other`; the log keeps them whole.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { trace } from '@opentelemetry/api';
import pino from 'pino';
import { Metrics } from '../../src/observability/metrics.ts';
import { TelemetryObserver } from '../../src/observability/runtime-observer.ts';
import { upstreamReasonLabel } from '../../src/observability/upstream-reasons.ts';
import { ActivityCounter } from '../../src/lib/activity.ts';
import type { EffectResult } from '../../src/engine/types.ts';

describe('upstream error reasons', () => {
  it('known reasons keep their label; anything else is other', () => {
    for (const known of ['timeout', 'network', 'blocked', 'too-large', 'http_4xx', 'http_5xx', 'exception', 'error_30008', 'error_21211', 'error_20429']) {
      assert.equal(upstreamReasonLabel(known), known);
    }
    for (const unknown of ['error_99999', 'error_1', 'error_-5', 'error_1.5', 'error_NaN', 'http_9xx', 'HTTP 502: Bad Gateway from upstream', 'connect ECONNREFUSED 10.0.0.1:443', '']) {
      assert.equal(upstreamReasonLabel(unknown), 'other', unknown);
    }
  });

  it('an effect failing with codes a webhook makes up adds one series, other, however many codes it sends', async () => {
    const metrics = new Metrics();
    const observer = new TelemetryObserver(trace.getTracer('test'), metrics, pino({ level: 'silent' }), new ActivityCounter());
    const send = (result: EffectResult) =>
      observer.effect({ accountSid: 'AC1', executionSid: 'FN1', effectId: 'e1', type: 'send-message', widget: 'send' }, async () => result);
    for (const code of [12345, 67890, 424242]) await send({ kind: 'message-failed', code, message: `made up ${code}` });
    await send({ kind: 'message-failed', code: 30008, message: 'unknown error' });
    const text = await metrics.text();
    const series = text.split('\n').filter((line) => line.startsWith('switchboard_upstream_errors_total{'));
    assert.equal(series.length, 2, series.join('\n'));
    assert.match(text, /switchboard_upstream_errors_total\{kind="message",reason="other"\} 3/);
    assert.match(text, /switchboard_upstream_errors_total\{kind="message",reason="error_30008"\} 1/);
  });
});
