// What the Replay panel lists under its verdict when the other revision ends before the recording did:
// the recorded input it did not use, in words. It showed the replay script's own JSON instead
// ("the replay ended before the recorded input '{"wait":"3097ms"}'"), naming the time the contact took
// to reply rather than the reply itself.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { play } from '../../src/flowtest/run-test.ts';
import { replayExecution, type ReplaySource } from '../../src/flowtest/replay.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';
import type { TestCase } from '../../src/flowtest/types.ts';

const at = (y: number) => ({ offset: { x: 0, y } });

/** Asks a size and confirms it; `body` is the question's text (empty: it fails to send and the flow ends). */
function sizeFlow(body: string, confirm = true): FlowDefinition {
  return {
    description: 'size',
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [
      { name: 'Trigger', type: 'trigger', properties: at(0), transitions: [{ event: 'incomingMessage', next: 'ask' }, { event: 'incomingCall' }, { event: 'incomingRequest' }] },
      {
        name: 'ask',
        type: 'send-and-wait-for-reply',
        properties: { ...at(200), from: '{{flow.channel.address}}', body, timeout: '3600' },
        transitions: [{ event: 'incomingMessage', ...(confirm ? { next: 'again' } : {}) }, { event: 'timeout' }, { event: 'deliveryFailure' }],
      },
      {
        name: 'again',
        type: 'send-and-wait-for-reply',
        properties: { ...at(400), from: '{{flow.channel.address}}', body: 'Sure?', timeout: '3600' },
        transitions: [{ event: 'incomingMessage' }, { event: 'timeout' }, { event: 'deliveryFailure' }],
      },
    ],
  } as unknown as FlowDefinition;
}

function recordedRun(definition: FlowDefinition, test: TestCase): ReplaySource {
  const { sim } = play({ file: 'x', flow: { path: 'x.json', definition, warnings: [] }, test, subflows: new Map() });
  return {
    executionSid: 'FN' + 'd'.repeat(32),
    flowSid: 'FW' + 'd'.repeat(32),
    revision: 2,
    context: sim.observation().context,
    // Each step 3.097 s after the one before, as a contact takes time to reply on a server.
    steps: sim.recordedSteps.map((step, i) => ({ ...step, at: 1_790_000_000_000 + i * 3097 })),
    endedManually: false,
    ended: !sim.active,
    original: { definition },
  };
}

describe('Replay notes on recorded inputs a revision did not use', () => {
  const source = recordedRun(sizeFlow('What size?'), { name: 'order', trigger: { message: { body: 'hi' } }, script: [{ send: 'L' }, { send: 'yes' }] });

  it('names the reply, not the time before it, and how many more there were', () => {
    const report = replayExecution(source, { revision: 3, definition: sizeFlow('') });
    assert.equal(report.diverged, true);
    assert.deepEqual(report.notes, ['the replay ended before the reply "L" and 1 more recorded input, which were not used']);
    assert.ok(!report.notes.some((note) => /[{}]/.test(note)), 'no JSON');
  });

  it('names the one reply left', () => {
    const report = replayExecution(source, { revision: 3, definition: sizeFlow('What size?', false) });
    assert.deepEqual(report.notes, ['the replay ended before the reply "yes", which was not used']);
  });
});
