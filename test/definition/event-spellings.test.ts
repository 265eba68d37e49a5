// Events whose names are unconfirmed (Make Outgoing Call v1: answeredByMachine or answered-by-machine,
// noAnswer or no-answer): the validator accepts each spelling, warns when a widget has two spellings of
// one event, and still refuses a name that is neither.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateDefinition } from '../../src/definition/validate.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';
import { triggerFlow } from '../support/flows.ts';

function v1(events: string[]): FlowDefinition {
  return triggerFlow('v1', 'incomingRequest', 'call', [
    {
      name: 'call',
      type: 'make-outgoing-call-v1',
      properties: { offset: { x: 0, y: 100 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}' },
      transitions: events.map((event) => ({ event })),
    },
  ]);
}

describe('event spellings', () => {
  it('each spelling of make-outgoing-call-v1’s events validates', () => {
    for (const events of [
      ['answered', 'answeredByMachine', 'busy', 'noAnswer', 'failed', 'hangup'],
      ['answered', 'answered-by-machine', 'busy', 'no-answer', 'failed'],
    ]) {
      const result = validateDefinition(v1(events));
      assert.deepEqual(result.errors, [], events.join());
      assert.deepEqual(result.warnings.filter((w) => /event/.test(w.message)), [], events.join());
    }
  });

  it('two spellings of one event on a widget are a warning; a name that is neither is an error', () => {
    const both = validateDefinition(v1(['answered', 'noAnswer', 'no-answer']));
    assert.deepEqual(both.errors, []);
    assert.deepEqual(
      both.warnings.map((w) => [w.property_path, w.message]),
      [['#/states/1/transitions/2/event', 'Widget "call" (make-outgoing-call-v1): events "noAnswer" (transitions[1]) and "no-answer" are two spellings of one event; the widget leaves by the first one wired to a widget']],
    );
    const wrong = validateDefinition(v1(['answered', 'no_answer']));
    assert.equal(wrong.errors.length, 1);
    assert.match(wrong.errors[0]!.message, /event "no_answer" is not an event of make-outgoing-call-v1/);
  });
});
