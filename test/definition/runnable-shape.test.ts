// runnableShape: what the engine runs of a revision. A valid definition is returned as it is (the same
// object); an invalid draft's parts the engine cannot follow are dropped or named by their JSON text.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { runnableShape } from '../../src/definition/runnable-shape.ts';
import { validateDefinition } from '../../src/definition/validate.ts';

const FIXTURES = new URL('../fixtures/flows/', import.meta.url);
const trigger = (next: unknown) => ({ name: 'Trigger', type: 'trigger', properties: {}, transitions: [{ event: 'incomingRequest', next }] });

describe('runnableShape', () => {
  it('returns a valid definition itself, untouched', () => {
    let checked = 0;
    for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith('.json') && !f.startsWith('legacy'))) {
      const definition: unknown = JSON.parse(readFileSync(new URL(file, FIXTURES), 'utf8'));
      assert.equal(validateDefinition(definition).valid, true, file);
      const copy = structuredClone(definition);
      assert.equal(runnableShape(definition), definition, file);
      assert.deepEqual(definition, copy, file);
      checked++;
    }
    assert.ok(checked >= 5, `${checked} fixtures`);
  });

  it('states missing, null or not a list: none; initial_state not a string: its JSON text', () => {
    assert.deepEqual(runnableShape({ initial_state: 'Trigger' }), { initial_state: 'Trigger', states: [] });
    assert.deepEqual(runnableShape({ initial_state: 'Trigger', states: { a: trigger('') } }).states, []);
    assert.deepEqual(runnableShape({ initial_state: 'Trigger', states: null }).states, []);
    assert.equal(runnableShape({ initial_state: { toString: 1 }, states: [] }).initial_state, '{"toString":1}');
    assert.equal(runnableShape({ states: [] }).initial_state, '');
    assert.deepEqual(runnableShape(null), { initial_state: '', states: [] });
    assert.equal('flags' in runnableShape({ initial_state: 'T', states: [], flags: 'yes' }), false);
  });

  it('a widget without a string name and type is skipped; one without properties or transitions gets none', () => {
    const definition = {
      initial_state: 'Trigger',
      states: [null, 7, trigger('a'), { name: { toString: 1 }, type: 'set-variables' }, { name: 'b', type: ['say-play'] }, { name: 'a', type: 'send-message', properties: [1], transitions: 'sent' }],
    };
    assert.deepEqual(runnableShape(definition).states, [trigger('a'), { name: 'a', type: 'send-message', properties: {}, transitions: [] }]);
  });

  it('transitions: malformed ones dropped, a next null unconnected, another non-string next its JSON text (cut when long)', () => {
    const transitions = [null, { next: 'a' }, { event: 5, next: 'a' }, { event: 'sent', next: null }, { event: 'failed', next: ['x'] }, { event: 'deliveryFailure', next: { y: 'z'.repeat(500) } }];
    const [state] = runnableShape({ initial_state: 's', states: [{ name: 's', type: 'send-message', properties: {}, transitions }] }).states;
    assert.deepEqual(state!.transitions.slice(0, 2), [{ event: 'sent' }, { event: 'failed', next: '["x"]' }]);
    assert.equal(state!.transitions[2]!.next, `{"y":"${'z'.repeat(100 - '{"y":"'.length)}…`);
  });

  it('a next that is a number or boolean never reaches a widget its text names', () => {
    const definition = runnableShape({
      initial_state: 'Trigger',
      states: [{ name: 'Trigger', type: 'trigger', properties: {}, transitions: [{ event: 'incomingRequest', next: 123 }, { event: 'incomingMessage', next: true }] }, { name: '123', type: 'send-message', properties: {}, transitions: [] }, { name: 'true', type: 'send-message', properties: {}, transitions: [] }],
    });
    const nexts = definition.states[0]!.transitions.map((t) => t.next);
    assert.deepEqual(nexts, ['123 (a number, not a widget name)', 'true (a boolean, not a widget name)']);
    for (const next of nexts) assert.ok(!definition.states.some((state) => state.name === next), next);
  });

  it('split conditions that are not a list of objects are dropped: the match can never be taken', () => {
    const transitions = [{ event: 'noMatch' }, { event: 'match', next: 'a', conditions: { length: 1 } }, { event: 'match', next: 'b', conditions: [{ type: 'equal_to' }, 'x'] }];
    const [state] = runnableShape({ initial_state: 's', states: [{ name: 's', type: 'split-based-on', properties: { input: 'x' }, transitions }] }).states;
    assert.deepEqual(state!.transitions, [{ event: 'noMatch' }, { event: 'match', next: 'a' }, { event: 'match', next: 'b' }]);
  });
});
