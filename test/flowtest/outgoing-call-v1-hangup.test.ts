// Make Outgoing Call v1 leaves by `hangup` (when the flow lists it) for a call that ended completed or canceled before
// its answer reached the flow. Replay answered a recorded `completed` one as a person (the call answered: a divergence
// at the step), and test --record wrote no calls mock for it, so the recorded test answered it too and failed. Both
// now end the call as it ended (`calls: answer: completed` in a test).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { play } from '../../src/flowtest/run-test.ts';
import { replayExecution, type ReplaySource } from '../../src/flowtest/replay.ts';
import { testFileYaml, testFromRecording } from '../../src/flowtest/record.ts';
import { runFiles } from '../../src/flowtest/runner.ts';
import { textReport } from '../../src/flowtest/reporters.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';
import type { RecordedStep } from '../../src/flowtest/derive.ts';
import type { TestCase } from '../../src/flowtest/types.ts';
import { triggerFlow } from '../support/flows.ts';

const say = (name: string, body: string) => ({ name, type: 'send-message', properties: { from: 'Bot', to: '{{contact.channel.address}}', body }, transitions: [{ event: 'sent' }, { event: 'failed' }] });

const definition = triggerFlow('v1 hangup', 'incomingRequest', 'call', [
  {
    name: 'call',
    type: 'make-outgoing-call-v1',
    properties: { to: '{{contact.channel.address}}', from: '{{flow.channel.address}}', timeout: 60 },
    transitions: [{ event: 'answered', next: 'hello' }, { event: 'busy' }, { event: 'noAnswer' }, { event: 'hangup', next: 'gone' }, { event: 'failed', next: 'failed' }],
  },
  { name: 'hello', type: 'say-play', properties: { say: 'Hello' }, transitions: [{ event: 'audioComplete' }] },
  say('gone', 'Gone ({{widgets.call.CallStatus}})'),
  say('failed', 'Failed ({{widgets.call.CallStatus}})'),
]) as FlowDefinition;

const test: TestCase = { name: 'x', trigger: { request: { to: '+15551230001' } } };

/** The execution as the server records a call that ended `status` before its answer reached the flow. */
function recorded(status: 'completed' | 'canceled'): { context: ReplaySource['context']; steps: RecordedStep[] } {
  const { sim } = play({ file: 'x', flow: { path: 'v1.json', definition, warnings: [] }, test, subflows: new Map() });
  const trigger = sim.recordedSteps[0]!;
  const call = { AccountSid: 'AC' + '1'.repeat(32), CallSid: 'CA' + '7'.repeat(32), CallStatus: status, From: '+15005550006', To: '+15551230001', Direction: 'outbound-api', ApiVersion: '2010-04-01' };
  return {
    context: sim.observation().context,
    steps: [
      trigger,
      { from: 'call', event: 'hangup', to: 'gone', type: 'make-outgoing-call-v1', context: call },
      { from: 'gone', event: 'sent', to: 'Ended', type: 'send-message', context: { outbound: { Body: `Gone (${status})`, Status: 'sent' } } },
    ],
  };
}

for (const status of ['completed', 'canceled'] as const) {
  describe(`Make Outgoing Call v1: a call that ended ${status} before its answer`, () => {
    it('replays by hangup, as it went', () => {
      const { context, steps } = recorded(status);
      const source: ReplaySource = { executionSid: 'FN' + 'b'.repeat(32), flowSid: 'FW' + 'b'.repeat(32), revision: 1, context, steps, endedManually: false, ended: true, original: { definition } };
      const report = replayExecution(source, { revision: 1, definition });
      assert.deepEqual(report.stepDiff, ['  Trigger -incomingRequest-> call', '  call -hangup-> gone', '  gone -sent-> Ended']);
      assert.deepEqual(report.replay.messages, [`Gone (${status})`]);
      assert.equal(report.diverged, false);
    });

    it('is recorded as a calls mock whose test passes', () => {
      const { context, steps } = recorded(status);
      const file = testFromRecording({ executionSid: 'FN' + 'c'.repeat(32), status: 'ended', context, steps, definition }, { flowPath: 'v1.json' });
      assert.deepEqual(file.tests[0]!.mocks?.calls, [{ to: '+15551230001', answer: status }]);
      assert.deepEqual(file.tests[0]!.expect.path, ['Trigger', 'call', 'gone']);
      const dir = mkdtempSync(join(tmpdir(), 'v1-hangup-'));
      try {
        writeFileSync(join(dir, 'v1.json'), JSON.stringify(definition));
        writeFileSync(join(dir, 'v1.test.yaml'), testFileYaml(file, ['recorded']));
        const summary = runFiles([join(dir, 'v1.test.yaml')]);
        assert.equal(summary.passed, 1, textReport(summary));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

describe('mocks.calls answer: completed', () => {
  it('ends the call before its answer: v1 leaves by hangup when the flow lists it, else (and v2) by failed', () => {
    const mocks = { calls: [{ answer: 'completed' as const }] };
    const run = (flow: FlowDefinition) => play({ file: 'x', flow: { path: 'v.json', definition: flow, warnings: [] }, test: { ...test, mocks }, subflows: new Map() }).sim.observation();
    assert.deepEqual(run(definition).path, ['Trigger', 'call', 'gone']);
    const withoutHangup = { ...definition, states: definition.states.map((s) => (s.name === 'call' ? { ...s, transitions: s.transitions.filter((t) => t.event !== 'hangup') } : s)) };
    assert.deepEqual(run(withoutHangup).path, ['Trigger', 'call', 'failed']);
    const v2 = { ...definition, states: definition.states.map((s) => (s.name === 'call' ? { ...s, type: 'make-outgoing-call-v2' as const, transitions: s.transitions.filter((t) => t.event !== 'hangup') } : s)) };
    const observed = run(v2);
    assert.deepEqual(observed.path, ['Trigger', 'call', 'failed']);
    assert.deepEqual(observed.messages.map((m) => m.body), ['Failed (completed)']);
  });
});
