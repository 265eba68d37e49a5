// `test --record` of a call through Run ConversationRelay: the session's end becomes a conversationRelay mock
// (SessionStatus as `status`, SessionDuration as `duration`, the app's HandoffData as `handoffData`, an action
// that came with the call over as `callerHangsUp`, no action at all as `status: hangup`, the rest as `params`),
// and the recorded test passes against the same flow.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { play } from '../../src/flowtest/run-test.ts';
import { loadFlowFile } from '../../src/flowtest/load.ts';
import { testFileYaml, testFromRecording } from '../../src/flowtest/record.ts';
import { runFiles } from '../../src/flowtest/runner.ts';
import { textReport } from '../../src/flowtest/reporters.ts';
import type { ConversationRelayMock } from '../../src/flowtest/types.ts';

const FLOW = {
  description: 'relay',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingCall', next: 'relay' }], properties: { offset: { x: 0, y: 0 } } },
    { name: 'relay', type: 'run-conversation-relay', transitions: [{ event: 'success', next: 'bye' }, { event: 'failed', next: 'sorry' }], properties: { offset: { x: 0, y: 100 }, url: 'wss://relay.example/ws' } },
    { name: 'bye', type: 'say-play', transitions: [{ event: 'audioComplete' }], properties: { offset: { x: 0, y: 200 }, say: 'Session {{widgets.relay.SessionId}}: {{widgets.relay.HandoffData.reason}}.' } },
    { name: 'sorry', type: 'say-play', transitions: [{ event: 'audioComplete' }], properties: { offset: { x: 200, y: 200 }, say: 'Sorry.' } },
  ],
};

describe('test --record: Run ConversationRelay', () => {
  it('writes how each session ended as a conversationRelay mock, and the recorded test passes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-record-relay-'));
    try {
      writeFileSync(join(dir, 'relay.json'), JSON.stringify(FLOW));
      const flow = loadFlowFile(join(dir, 'relay.json'));
      const record = (name: string, mock: ConversationRelayMock) => {
        const { sim } = play({ file: 'x', flow, test: { name, trigger: { call: {} }, mocks: { conversationRelay: [mock] } }, subflows: new Map() });
        const steps = sim.recordedSteps;
        const file = testFromRecording({ executionSid: 'FN' + 'c'.repeat(32), status: sim.active ? 'active' : 'ended', context: sim.observation().context, steps, definition: flow.definition }, { flowPath: 'relay.json', name });
        writeFileSync(join(dir, `${name}.test.yaml`), testFileYaml(file, ['recorded']));
        const summary = runFiles([join(dir, `${name}.test.yaml`)]);
        assert.equal(summary.failed, 0, textReport(summary));
        const relaySession = steps.find((s) => s.from === 'relay')!.context.SessionId;
        return { mocks: file.tests[0]!.mocks?.conversationRelay, script: file.tests[0]!.script, path: file.tests[0]!.expect.path, relaySession };
      };

      const handedOff = record('handoff', { status: 'ended', duration: 42, handoffData: { reason: 'billing' } });
      assert.deepEqual(handedOff.mocks, [{ widget: 'relay', status: 'ended', handoffData: { reason: 'billing' }, duration: 42, params: { SessionId: handedOff.relaySession as string } }]);
      assert.deepEqual(handedOff.path, ['Trigger', 'relay', 'bye']);

      const text = record('text', { handoffData: 'call me back' });
      assert.deepEqual(text.mocks?.[0]?.handoffData, 'call me back');

      const failed = record('failed', { status: 'failed', params: { ErrorCode: '64107' } });
      assert.deepEqual(failed.mocks, [{ widget: 'relay', status: 'failed', duration: 0, params: { SessionId: failed.relaySession as string, ErrorCode: '64107' } }]);
      assert.deepEqual(failed.path, ['Trigger', 'relay', 'sorry']);

      const hungUp = record('hung-up', { callerHangsUp: true });
      assert.deepEqual(hungUp.mocks, [{ widget: 'relay', status: 'completed', duration: 0, callerHangsUp: true, params: { SessionId: hungUp.relaySession as string } }]);
      assert.equal(hungUp.script, undefined, 'the hang-up is the mock, not a script step');

      const noAction = record('no-action', { status: 'hangup' });
      assert.deepEqual(noAction.mocks, [{ widget: 'relay', status: 'hangup' }]);
      assert.equal(noAction.script, undefined, 'the hang-up is the mock, not a script step');

      // A SessionStatus the schema does not list goes on as the parameter it came as.
      const other = record('other', { params: { SessionStatus: 'in-progress' } });
      assert.deepEqual(other.mocks, [{ widget: 'relay', duration: 0, params: { SessionId: other.relaySession as string, SessionStatus: 'in-progress' } }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
