// A mocked HTTP request or Function call that times out (`fail: timeout`) takes the runtime's request
// timeout on the simulated clock before the widget fails, as `delay:` of that length does and as a
// server waiting on a slow endpoint does: the failure branch runs that much later, and what falls due
// meanwhile (the execution's age cap) comes first.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runFiles } from '../../src/flowtest/runner.ts';
import { textReport } from '../../src/flowtest/reporters.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_RUNTIME_OPTIONS } from '../../src/runtime/runtime-context.ts';
import type { SimulationOptions } from '../../src/flowtest/simulation.ts';
import { callingFlow } from '../support/flows.ts';

const TIMEOUT_S = DEFAULT_RUNTIME_OPTIONS.http.timeoutMs / 1000;

/** Trigger → `call` (Make HTTP Request or Run Function) → `ok` / `sorry`, each saying the time it runs at. */
function flowCalling(kind: 'make-http-request' | 'run-function') {
  return callingFlow(kind, { url: 'https://api.example.com/slow', functionUrl: 'https://example-1234.twil.io/slow' }, { ok: "ok at {{ 'now' | date: '%H:%M:%S' }}", sorry: "failed at {{ 'now' | date: '%H:%M:%S' }}" });
}

/** Runs one test of `kind`'s flow with `mock` (YAML flow mapping) under mocks.<list>; the observation. */
function run(kind: 'make-http-request' | 'run-function', mock: string, simulation: SimulationOptions = {}) {
  const list = kind === 'make-http-request' ? 'http' : 'functions';
  const dir = mkdtempSync(join(tmpdir(), 'sb-http-timeout-'));
  try {
    writeFileSync(join(dir, 'flow.json'), JSON.stringify(flowCalling(kind)));
    const file = join(dir, 'x.test.yaml');
    writeFileSync(file, `flow: flow.json
tests:
  - name: slow endpoint
    trigger: { message: { body: hi } }
    mocks: { ${list}: [${mock}] }
`);
    const summary = runFiles([file], { simulation });
    const result = summary.results[0]!;
    assert.ok(result.observation, textReport(summary));
    assert.deepEqual(result.observation.problems, [], textReport(summary));
    return result.observation;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const at = (seconds: number) => `09:00:${String(seconds).padStart(2, '0')}`;

describe('fail: timeout takes the request timeout on the simulated clock', () => {
  it('Make HTTP Request: the failed branch runs the timeout later, as delay: <timeout> and a slow server make it', () => {
    const timedOut = run('make-http-request', '{ url: "https://api.example.com/slow", fail: timeout }');
    assert.deepEqual(timedOut.messages.map((m) => m.body), [`failed at ${at(TIMEOUT_S)}`]);
    const delayed = run('make-http-request', `{ url: "https://api.example.com/slow", delay: ${TIMEOUT_S}s }`);
    assert.deepEqual(delayed.messages.map((m) => m.body), timedOut.messages.map((m) => m.body));
    // The failed step is recorded at that time too.
    const step = timedOut.steps.find((s) => s.from === 'call')!;
    assert.equal(step.event, 'failed');
    assert.equal(step.at, Date.UTC(2030, 0, 7, 9, 0, TIMEOUT_S));
  });

  it('Run Function: the fail branch runs the same timeout later', () => {
    const timedOut = run('run-function', '{ name: slow, fail: timeout }');
    assert.deepEqual(timedOut.messages.map((m) => m.body), [`failed at ${at(TIMEOUT_S)}`]);
  });

  it('a shorter delay on a timeout still fails at the timeout (no answer came before it); a network failure takes only its delay', () => {
    assert.deepEqual(run('make-http-request', '{ fail: timeout, delay: 3s }').messages.map((m) => m.body), [`failed at ${at(TIMEOUT_S)}`]);
    assert.deepEqual(run('make-http-request', '{ fail: network }').messages.map((m) => m.body), [`failed at ${at(0)}`]);
    assert.deepEqual(run('make-http-request', '{ fail: network, delay: 3s }').messages.map((m) => m.body), [`failed at ${at(3)}`]);
    assert.deepEqual(run('make-http-request', '{ body: {}, delay: 3s }').messages.map((m) => m.body), [`ok at ${at(3)}`]);
  });

  it('the execution reaching its age cap while the request is out ends it then: the failure comes too late for the flow', () => {
    for (const mock of ['{ fail: timeout }', `{ delay: ${TIMEOUT_S}s }`]) {
      const observed = run('make-http-request', mock, { maxExecutionAgeMs: 5000 });
      assert.equal(observed.end, 'expired', mock);
      assert.deepEqual(observed.messages, [], mock);
    }
    // Under the cap, the failure branch runs.
    assert.equal(run('make-http-request', '{ fail: timeout }', { maxExecutionAgeMs: (TIMEOUT_S + 1) * 1000 }).end, 'completed');
  });
});
