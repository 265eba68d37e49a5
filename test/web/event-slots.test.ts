// A widget's full event set in the console: every event its type can have has a slot on the canvas
// and in the panel; a slot the widget has no transition for adds one only when it is connected, so
// an untouched imported flow saves as it came.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateDefinition } from '../../src/definition/validate.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';
import { connect, eventSlots } from '../../web/src/editor/definition-ops.ts';
import { slotLabel, toGraph } from '../../web/src/editor/graph.ts';

/** An imported flow: a Trigger without incomingParent (and incomingConversationMessage), a Send to Flex without composerStarted. */
function imported(): FlowDefinition {
  return {
    description: 'imported',
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [
      {
        name: 'Trigger',
        type: 'trigger',
        transitions: [{ event: 'incomingMessage', next: 'flex' }, { event: 'incomingCall' }, { event: 'incomingRequest' }],
        properties: { offset: { x: 0, y: 0 } },
      },
      {
        name: 'flex',
        type: 'send-to-flex',
        transitions: [{ event: 'callComplete' }, { event: 'failedToEnqueue' }, { event: 'callFailure' }],
        properties: { offset: { x: 0, y: 200 }, workflow: 'WW00000000000000000000000000000000', channel: 'TC00000000000000000000000000000000' },
      },
    ],
  };
}

describe('event slots', () => {
  it('lists the transitions, then the events of the type the widget has none for', () => {
    const [trigger, flex] = imported().states;
    assert.deepEqual(
      eventSlots(trigger!).map((s) => [s.index, s.event, s.transition !== null]),
      [
        [0, 'incomingMessage', true],
        [1, 'incomingCall', true],
        [2, 'incomingRequest', true],
        [3, 'incomingConversationMessage', false],
        [4, 'incomingParent', false],
      ],
    );
    assert.deepEqual(eventSlots(flex!).slice(3).map((s) => s.event), ['composerStarted']);
    assert.equal(slotLabel(eventSlots(flex!)[3]!), 'composerStarted');
  });

  it('a split’s missing slot is noMatch, never match; unknown types show their transitions only', () => {
    const split = { name: 's', type: 'split-based-on', transitions: [], properties: { input: '' } } as FlowDefinition['states'][number];
    assert.deepEqual(eventSlots(split).map((s) => s.event), ['noMatch']);
    const legacy = { name: 'l', type: 'create-chat-channel', transitions: [{ event: 'whatever' }], properties: {} } as FlowDefinition['states'][number];
    assert.deepEqual(eventSlots(legacy).map((s) => s.event), ['whatever']);
  });

  it('an event the widget has in another spelling has its slot (Make Outgoing Call v1: no-answer is noAnswer)', () => {
    const v1 = {
      name: 'call',
      type: 'make-outgoing-call-v1',
      transitions: [{ event: 'answered' }, { event: 'answered-by-machine' }, { event: 'no-answer' }],
      properties: { from: '{{flow.channel.address}}', to: '{{contact.channel.address}}' },
    } as FlowDefinition['states'][number];
    assert.deepEqual(eventSlots(v1).map((s) => s.event), ['answered', 'answered-by-machine', 'no-answer', 'busy', 'failed', 'hangup']);
  });

  it('connecting a missing slot adds that transition; disconnecting it changes nothing', () => {
    const flow = imported();
    const slot = eventSlots(flow.states[0]!).find((s) => s.event === 'incomingParent')!;
    const wired = connect(flow, 'Trigger', slot.index, 'flex');
    assert.deepEqual(wired.states[0]!.transitions.at(-1), { event: 'incomingParent', next: 'flex' });
    assert.equal(wired.states[0]!.transitions.length, 4);
    assert.deepEqual(validateDefinition(wired).errors, []);
    // The edge is drawn from the new transition's handle; the remaining missing slot follows it.
    const edge = toGraph(wired).edges.find((e) => e.source === 'Trigger' && e.label === 'incomingParent')!;
    assert.equal(edge.sourceHandle, 't3');
    assert.deepEqual(eventSlots(wired.states[0]!).slice(4).map((s) => s.event), ['incomingConversationMessage']);
    assert.equal(connect(flow, 'Trigger', slot.index, null), flow);
    const composer = connect(flow, 'flex', 3, 'flex').states[1]!.transitions;
    assert.deepEqual(composer.at(-1), { event: 'composerStarted', next: 'flex' });
    assert.throws(() => connect(flow, 'flex', 4, 'flex'), /no transition 4/);
  });

  it('an untouched imported flow keeps exactly the transitions it had', () => {
    const flow = imported();
    const before = JSON.stringify(flow);
    toGraph(flow);
    for (const state of flow.states) eventSlots(state);
    assert.equal(JSON.stringify(flow), before);
  });
});
