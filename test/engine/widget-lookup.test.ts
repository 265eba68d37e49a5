// The interpreter finds widgets by name through an index it builds once per definition (a speed-up:
// every step looks widgets up). What it finds must be what a plain search of `states` finds: the first
// widget of that name, a definition's widget with malformed transitions leading nowhere, and the
// definition as it is now when a caller changed it in place after the index was built.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { handleEvent } from '../../src/engine/interpreter.ts';
import type { FlowDefinition, State } from '../../src/definition/types.ts';
import { startFlow, stepPath } from './helpers.ts';

const trigger = (next: string): State => ({ name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next }], properties: {} });
const send = (name: string, body: string, next = ''): State => ({
  name,
  type: 'send-message',
  transitions: [{ event: 'sent', next }, { event: 'failed' }],
  properties: { from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body },
});
const wait = (name: string, next: string): State => ({
  name,
  type: 'send-and-wait-for-reply',
  transitions: [{ event: 'incomingMessage', next }, { event: 'timeout' }, { event: 'deliveryFailure' }],
  properties: { from: '{{flow.channel.address}}', body: 'question', timeout: '3600' },
});
const flow = (...states: State[]): FlowDefinition => ({ description: 'lookup', initial_state: 'Trigger', flags: { allow_concurrent_calls: true }, states });
const message = { message: { Body: 'hi', From: '+15551230001', To: '+15005550006' } };
const bodies = (effects: readonly { type: string }[]) => effects.flatMap((e) => (e.type === 'send-message' ? [(e as unknown as { message: { body: string } }).message.body] : []));

/** Answers every effect the sprint asked for as done, then the reply; the sprints' steps and sent bodies. */
function replyAndFinish(def: FlowDefinition, change: (def: FlowDefinition) => void): { steps: string[]; sent: string[] } {
  const { input, result } = startFlow(def, 'incomingMessage', message);
  const effect = result.effects.find((e) => e.type === 'send-message') as { effectId: string } | undefined;
  assert.ok(effect);
  let state = handleEvent(input, result.state, { type: 'effect-result', effectId: effect.effectId, result: { kind: 'message-sent', message: { Sid: 'SM' + '1'.repeat(32), Status: 'queued' } } }).state;
  change(def); // after the definition was indexed by the sprints above
  const next = handleEvent(input, state, { type: 'inbound-message', message: { Body: 'yes', From: '+15551230001', To: '+15005550006' } });
  state = next.state;
  return { steps: stepPath(next), sent: bodies(next.effects) };
}

describe('widget lookup by name', () => {
  it('takes the first of two widgets with the same name, as a search of the states does', () => {
    const { result } = startFlow(flow(trigger('say'), send('say', 'first'), send('say', 'second')), 'incomingMessage', message);
    assert.deepEqual(bodies(result.effects), ['first']);
  });

  it('follows a widget replaced in place by one of another name after the definition was indexed', () => {
    const def = flow(trigger('ask'), wait('ask', 'answer'), send('answer', 'old answer'), send('other', 'unused'));
    const { sent, steps } = replyAndFinish(def, (d) => {
      d.states[2] = send('renamed', 'not this one');
      d.states[3] = send('answer', 'new answer');
    });
    assert.deepEqual(steps, ['ask -incomingMessage-> answer']);
    assert.deepEqual(sent, ['new answer']);
  });

  it('sees a widget added in place, and an earlier widget of the same name taking precedence', () => {
    const def = flow(trigger('ask'), wait('ask', 'answer'), send('answer', 'old answer'));
    const { sent } = replyAndFinish(def, (d) => {
      d.states.splice(1, 0, send('answer', 'earlier answer'));
    });
    assert.deepEqual(sent, ['earlier answer']);
  });

  it('leads nowhere from a widget whose transitions became malformed after it was found well-formed', () => {
    const def = flow(trigger('ask'), wait('ask', 'answer'), send('answer', 'old answer'));
    const { steps, sent } = replyAndFinish(def, (d) => {
      (d.states[1] as { transitions: unknown }).transitions = 'not a list';
    });
    assert.deepEqual(sent, []);
    assert.deepEqual(steps, ['ask -incomingMessage-> Ended']);
  });
});
