// Send to Flex outside a call: TaskRouter may refuse the task (the server's channel answers task-failed),
// and the widget leaves by failedToEnqueue. A flow test could not make it: the enqueue mock is for a
// caller in a queue, and one written for a messaging Send to Flex was silently ignored (callComplete).
// `enqueue: [{ widget, fail: code }]` now refuses the task; a call's `result` there is reported, and
// `test --record` writes it for an execution whose task was refused (it wrote nothing: callComplete).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFiles } from '../../src/flowtest/runner.ts';
import { textReport } from '../../src/flowtest/reporters.ts';
import { play } from '../../src/flowtest/run-test.ts';
import { testFileYaml, testFromRecording } from '../../src/flowtest/record.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';

const at = { offset: { x: 0, y: 0 } };
const flow = {
  description: 'hand a chat to Flex',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: 'to_agent' }, { event: 'incomingCall' }, { event: 'incomingRequest' }], properties: at },
    {
      name: 'to_agent',
      type: 'send-to-flex',
      transitions: [{ event: 'callComplete' }, { event: 'failedToEnqueue', next: 'sorry' }, { event: 'callFailure' }],
      properties: { ...at, workflow: 'WW00000000000000000000000000000001', channel: 'TC00000000000000000000000000000001', attributes: '{"name": "{{contact.channel.address}}"}' },
    },
    { name: 'sorry', type: 'send-message', transitions: [{ event: 'sent' }, { event: 'failed' }], properties: { ...at, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'No agent now ({{widgets.to_agent.error.code}}).' } },
  ],
};

function run(mock: string) {
  const dir = mkdtempSync(join(tmpdir(), 'sb-flex-task-'));
  try {
    writeFileSync(join(dir, 'flow.json'), JSON.stringify(flow));
    const file = join(dir, 'flex.test.yaml');
    writeFileSync(
      file,
      ['flow: flow.json', 'tests:', '  - name: task refused', '    trigger: { message: { body: help, from: "+15551230001" } }', `    mocks: { enqueue: [${mock}] }`, '    expect:', '      steps: ["Trigger -incomingMessage-> to_agent", "to_agent -failedToEnqueue-> sorry", "sorry -sent-> Ended"]', '      messages: ["No agent now (20001)."]', ''].join('\n'),
    );
    return runFiles([file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('Send to Flex outside a call, refused', () => {
  it('enqueue fail: the widget leaves by failedToEnqueue with the error', () => {
    const summary = run('{ widget: to_agent, fail: 20001 }');
    assert.equal(summary.passed, 1, textReport(summary));
    const withMessage = run('{ fail: { code: 20001, message: "Workflow not found" } }');
    assert.equal(withMessage.passed, 1, textReport(withMessage));
    assert.match(textReport(run('{ fail: { code: 20404 } }')), /to_agent -failedToEnqueue-> sorry\n {8}✗ Simulated failure 20404 \(error 20404\)/);
  });

  it("a caller's queue result there is reported, not ignored", () => {
    const report = textReport(run('{ widget: to_agent, result: queue-full }'));
    assert.match(report, /mocks\.enqueue for widget 'to_agent' says result: queue-full, which only a caller in a queue reports; outside a call Send to Flex creates the task \(callComplete\) or TaskRouter refuses it — write fail: <error code> for failedToEnqueue/, report);
  });

  it('test --record writes the refusal, and the recorded test passes', () => {
    const definition = flow as unknown as FlowDefinition;
    const test = { name: 'x', trigger: { message: { body: 'help', from: '+15551230001' } }, mocks: { enqueue: [{ fail: { code: 20001, message: 'Workflow not found' } }] } };
    const { sim } = play({ file: 'x', flow: { path: 'flow.json', definition, warnings: [] }, test, subflows: new Map() });
    const observed = sim.observation();
    const file = testFromRecording({ executionSid: 'FN' + 'c'.repeat(32), status: 'ended', context: observed.context, steps: sim.recordedSteps, definition }, { flowPath: 'flow.json' });
    assert.deepEqual(file.tests[0]!.mocks?.enqueue, [{ widget: 'to_agent', fail: { code: 20001, message: 'Workflow not found' } }]);
    const dir = mkdtempSync(join(tmpdir(), 'sb-flex-task-record-'));
    try {
      writeFileSync(join(dir, 'flow.json'), JSON.stringify(flow));
      writeFileSync(join(dir, 'recorded.test.yaml'), testFileYaml(file, ['recorded']));
      const summary = runFiles([join(dir, 'recorded.test.yaml')]);
      assert.equal(summary.passed, 1, textReport(summary));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
