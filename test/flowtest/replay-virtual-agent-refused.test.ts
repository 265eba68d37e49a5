// Replay of a Connect Virtual Agent in a conversation whose connection the channel refused (the Twilio carrier
// without a VirtualAgentUrl: 81003; the webhook channel: 50000): the replay answers the connection as it went, so
// the same revision leaves by `failed` again with the same error, instead of connecting an agent that never ends
// its session (a divergence at the failed step).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { play } from '../../src/flowtest/run-test.ts';
import { replayExecution, type ReplaySource } from '../../src/flowtest/replay.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';
import type { TestCase } from '../../src/flowtest/types.ts';
import { triggerFlow } from '../support/flows.ts';

const say = (name: string, body: string) => ({ name, type: 'send-message', properties: { from: 'Bot', to: '{{contact.channel.address}}', body }, transitions: [{ event: 'sent' }, { event: 'failed' }] });

const definition = triggerFlow('virtual agent', 'incomingConversationMessage', 'agent', [
  {
    name: 'agent',
    type: 'connect-virtual-agent-v2',
    properties: { channel: 'conversations', connector_name: 'va', timeout: '300' },
    transitions: [{ event: 'completed' }, { event: 'live-agent-handoff' }, { event: 'hangup' }, { event: 'failed', next: 'sorry' }, { event: 'paused' }, { event: 'timeout' }],
  },
  say('sorry', 'Sorry ({{widgets.agent.VirtualAgentErrorCode}})'),
]) as FlowDefinition;

describe('replay: a virtual agent connection the channel refused', () => {
  it('is refused again, so the same revision takes the same path', () => {
    // The trigger's context as a run gives it; the steps as the server recorded the refusal.
    const test: TestCase = { name: 'x', trigger: { conversation: { body: 'hi', from: 'visitor', conversationSid: 'CH' + 'c'.repeat(32) } } };
    const { sim } = play({ file: 'x', flow: { path: 'va.json', definition, warnings: [] }, test, subflows: new Map() });
    const trigger = sim.recordedSteps[0]!;
    const message = "needs the account's VirtualAgentUrl";
    const error = { VirtualAgentErrorCode: 81003, VirtualAgentError: message, error: { code: 81003, message } };
    const source: ReplaySource = {
      executionSid: 'FN' + 'b'.repeat(32),
      flowSid: 'FW' + 'b'.repeat(32),
      revision: 1,
      context: sim.observation().context,
      steps: [
        trigger,
        { from: 'agent', event: 'failed', to: 'sorry', type: 'connect-virtual-agent-v2', context: error },
        { from: 'sorry', event: 'sent', to: 'Ended', type: 'send-message', context: { outbound: { Body: 'Sorry (81003)', Status: 'sent' } } },
      ],
      endedManually: false,
      ended: true,
      original: { definition },
    };
    const report = replayExecution(source, { revision: 1, definition });
    assert.deepEqual(report.stepDiff, ['  Trigger -incomingConversationMessage-> agent', '  agent -failed-> sorry', '  sorry -sent-> Ended']);
    assert.deepEqual(report.replay.messages, ['Sorry (81003)']);
    assert.equal(report.diverged, false);
    assert.deepEqual(report.outputDifferences, []);
  });
});
