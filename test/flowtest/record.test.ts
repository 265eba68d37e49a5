// --record's test-file builder: a run's steps and context become a test (trigger, replies, HTTP and
// Function mocks keyed by the widgets' URLs, expectations) that passes against the same flow.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { play } from '../../src/flowtest/run-test.ts';
import { loadFlowFile } from '../../src/flowtest/load.ts';
import { testFileYaml, testFromRecording } from '../../src/flowtest/record.ts';
import { runFiles } from '../../src/flowtest/runner.ts';
import { textReport } from '../../src/flowtest/reporters.ts';
import type { TestCase } from '../../src/flowtest/types.ts';

const flowPath = fileURLToPath(new URL('../../examples/flows/pizza-order.json', import.meta.url));
const flow = loadFlowFile(flowPath);

function recording(test: TestCase) {
  const { sim } = play({ file: 'x', flow, test, subflows: new Map() });
  return { executionSid: 'FN' + 'c'.repeat(32), status: sim.active ? ('active' as const) : ('ended' as const), context: sim.observation().context, steps: sim.recordedSteps, definition: flow.definition };
}

describe('test --record', () => {
  it('turns an ordering conversation into a test with Function and HTTP mocks that passes', () => {
    const file = testFromRecording(
      recording({
        name: 'live',
        trigger: { message: { body: 'pizza', from: '+15550009999' } },
        mocks: { functions: [{ name: 'price', body: { price: 11 } }], http: [{ url: 'https://api.pizza.example/orders', status: 201, body: { id: 'R-1' } }] },
        script: [{ send: 'S' }],
      }),
      { flowPath: 'pizza.json', name: 'small pizza' },
    );
    const test = file.tests[0]!;
    assert.deepEqual(test.trigger, { message: { body: 'pizza', from: '+15550009999', to: '+15005550006' } });
    assert.deepEqual(test.script, [{ send: 'S' }]);
    assert.deepEqual(test.mocks?.functions, [{ name: 'price', status: 200, body: '{"price":11}', contentType: 'application/json' }]);
    assert.deepEqual(test.mocks?.http, [{ method: 'POST', url: 'https://api.pizza.example/orders', status: 201, body: '{"id":"R-1"}', contentType: 'application/json' }]);
    assert.deepEqual(test.expect?.messages, ['Hi! What size pizza? Reply S, M or L.', 'Order R-1 confirmed: one S pizza, $11. Ready in 20 minutes.']);
    assert.equal(test.expect?.end, 'completed');

    const dir = mkdtempSync(join(tmpdir(), 'sb-record-'));
    try {
      copyFileSync(flowPath, join(dir, 'pizza.json'));
      const yaml = testFileYaml(file, ['Recorded for a test']);
      assert.match(yaml, /^# Recorded for a test\nflow: pizza\.json\n/);
      assert.deepEqual(parse(yaml), JSON.parse(JSON.stringify(file)));
      writeFileSync(join(dir, 'small.test.yaml'), yaml);
      const summary = runFiles([join(dir, 'small.test.yaml')]);
      assert.equal(summary.failed, 0, textReport(summary));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a conversation left waiting and one that timed out', () => {
    const waiting = testFromRecording(recording({ name: 'w', trigger: { message: { body: 'hi' } } }), { flowPath: 'p.json' });
    assert.equal(waiting.tests[0]!.expect?.end, 'waiting');
    const timedOut = testFromRecording(recording({ name: 't', trigger: { message: { body: 'hi' } }, script: [{ wait: '1h' }] }), { flowPath: 'p.json' });
    assert.deepEqual(timedOut.tests[0]!.script, [{ wait: '3600s' }]);
    assert.deepEqual(timedOut.tests[0]!.expect?.path, ['Trigger', 'ask_size', 'no_answer']);
  });
});
