// Through a database outage (or a full SQLite disk) the runtime writes every pending effect result
// again every 2 s until it lands. Each failed attempt was one warning with a full stack: with 200
// results waiting, ~100 lines a second for as long as the outage lasted. Now a sprint failing for the
// store's unavailability is a warning at most once a window, counting the alike ones since; the rest
// are debug lines. Other sprint failures are still a warning each.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { trace } from '@opentelemetry/api';
import pino from 'pino';
import { Metrics } from '../../src/observability/metrics.ts';
import { TelemetryObserver } from '../../src/observability/runtime-observer.ts';
import { ActivityCounter } from '../../src/lib/activity.ts';

function observed(outageLogEveryMs: number) {
  const lines: { level: number; msg: string; event?: string; alikeSinceLastWarning?: number; err?: { message: string } }[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  const log = pino({ level: 'debug' }, sink);
  const observer = new TelemetryObserver(trace.getTracer('test'), new Metrics(), log, new ActivityCounter(), { outageLogEveryMs });
  const fail = (error: Error, executionSid = 'FN1') =>
    observer.sprint({ event: 'effect-result', executionSid }, () => Promise.reject(error)).catch(() => undefined);
  return { lines, fail, warnings: () => lines.filter((line) => line.level === 40) };
}

/** What pg throws when the server cut the connection (no code: its message is all there is). */
const lost = () => new Error('Connection terminated unexpectedly');
const full = () => Object.assign(new Error('database or disk is full'), { code: 'ERR_SQLITE_ERROR', errcode: 13 });

describe('sprint failures through a store outage', () => {
  it('are one warning per window, the next one counting those logged at debug meanwhile', async (t) => {
    // The window is read on performance.now(): here a clock that moves only when told, as fifty failures
    // logged on a busy machine could outlast a real 200 ms window (a second warning within the burst).
    let clock = 1_000_000;
    performance.now = () => clock;
    t.after(() => delete (performance as { now?: unknown }).now); // the prototype's again
    const { lines, fail, warnings } = observed(200);
    for (let i = 0; i < 50; i++) await fail(i % 2 ? lost() : full(), `FN${i}`);
    assert.equal(warnings().length, 1, JSON.stringify(warnings()));
    assert.match(warnings()[0]!.msg, /^sprint failed \(store unavailable/);
    assert.equal(warnings()[0]!.event, 'effect-result');
    assert.equal(warnings()[0]!.alikeSinceLastWarning, undefined);
    assert.equal(lines.filter((line) => line.level === 20 && line.msg === 'sprint failed').length, 49);

    clock += 250;
    await fail(lost());
    assert.equal(warnings().length, 2);
    assert.equal(warnings()[1]!.alikeSinceLastWarning, 49);
    assert.equal(warnings()[1]!.err?.message, 'Connection terminated unexpectedly');
  });

  it('other failures stay one warning each, in or out of an outage', async () => {
    const { fail, warnings } = observed(10_000);
    await fail(lost());
    for (let i = 0; i < 3; i++) await fail(new Error(`a bug ${i}`));
    await fail(lost());
    assert.deepEqual(
      warnings().map((line) => line.err?.message),
      ['Connection terminated unexpectedly', 'a bug 0', 'a bug 1', 'a bug 2'],
    );
  });
});
