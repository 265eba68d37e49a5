// A split's conditions in the console's editing model: they test the split's input (arguments
// follow it, as Twilio's console keeps them), are named after their operator and value like
// Studio's ("If value equal_to yes") and uniquely, and operators that test no value get Studio's fixed value.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateDefinition } from '../../src/definition/validate.ts';
import type { FlowDefinition, SplitCondition } from '../../src/definition/types.ts';
import {
  addSplitCondition,
  addWidget,
  conditionName,
  followInput,
  followsInput,
  hasGeneratedName,
  newFlowDefinition,
  removeTransition,
  setProperty,
  updateSplitCondition,
} from '../../web/src/editor/definition-ops.ts';

const SPLIT = 'split_based_on_1';

function split(): FlowDefinition {
  return addWidget(newFlowDefinition(), 'split-based-on', { x: 0, y: 0 }).definition;
}

function conditions(definition: FlowDefinition): SplitCondition[] {
  return definition.states.find((s) => s.name === SPLIT)!.transitions.flatMap((t) => t.conditions ?? []);
}

describe('split conditions follow the input', () => {
  it('a condition added before the input is typed tests the input once it is', () => {
    let definition = addSplitCondition(split(), SPLIT);
    assert.deepEqual(conditions(definition)[0]!.arguments, ['']);
    definition = setProperty(definition, SPLIT, 'input', '{{widgets.ask.inbound.Body}}');
    definition = updateSplitCondition(definition, SPLIT, 1, { value: 'yes' });
    assert.deepEqual(conditions(definition)[0]!.arguments, ['{{widgets.ask.inbound.Body}}']);
    assert.deepEqual(validateDefinition(definition).warnings.filter((w) => /arguments/.test(w.property_path)), []);
  });

  it('editing the input sets every condition’s arguments to [input], stale imported ones too', () => {
    let definition = setProperty(split(), SPLIT, 'input', '{{trigger.message.Body}}');
    definition = addSplitCondition(addSplitCondition(definition, SPLIT), SPLIT);
    // An imported condition testing something else.
    definition.states[1]!.transitions[2]!.conditions![0]!.arguments = ['{{flow.variables.x}}', 'extra'];
    assert.equal(followsInput(conditions(definition)[1]!, '{{trigger.message.Body}}'), false);
    const edited = setProperty(definition, SPLIT, 'input', '{{trigger.message.Body | downcase}}');
    assert.deepEqual(conditions(edited).map((c) => c.arguments), [['{{trigger.message.Body | downcase}}'], ['{{trigger.message.Body | downcase}}']]);
    // Another property leaves the conditions as they are.
    assert.equal(setProperty(definition, SPLIT, 'foo', 'x').states[1]!.transitions, definition.states[1]!.transitions);
  });

  it('a new condition tests the current input', () => {
    const definition = addSplitCondition(setProperty(split(), SPLIT, 'input', '{{a}}'), SPLIT);
    assert.deepEqual(conditions(definition)[0]!.arguments, ['{{a}}']);
  });

  it('followInput sets one condition (or all) back to the input', () => {
    let definition = addSplitCondition(addSplitCondition(setProperty(split(), SPLIT, 'input', '{{a}}'), SPLIT), SPLIT);
    for (const t of definition.states[1]!.transitions) if (t.conditions) t.conditions[0]!.arguments = ['{{b}}'];
    const one = followInput(definition, SPLIT, 1);
    assert.deepEqual(conditions(one).map((c) => c.arguments), [['{{a}}'], ['{{b}}']]);
    assert.deepEqual(conditions(followInput(definition, SPLIT)).map((c) => c.arguments), [['{{a}}'], ['{{a}}']]);
  });
});

describe('split condition names', () => {
  it('are named after operator and value as Studio does, following edits until renamed', () => {
    let definition = addSplitCondition(split(), SPLIT);
    assert.equal(conditions(definition)[0]!.friendly_name, 'If value equal_to');
    definition = updateSplitCondition(definition, SPLIT, 1, { value: 'y' });
    definition = updateSplitCondition(definition, SPLIT, 1, { value: 'yes' });
    assert.equal(conditions(definition)[0]!.friendly_name, 'If value equal_to yes');
    definition = updateSplitCondition(definition, SPLIT, 1, { type: 'contains' });
    assert.equal(conditions(definition)[0]!.friendly_name, 'If value contains yes');
    definition = updateSplitCondition(definition, SPLIT, 1, { friendly_name: 'Said yes' });
    definition = updateSplitCondition(definition, SPLIT, 1, { value: 'yeah' });
    assert.equal(conditions(definition)[0]!.friendly_name, 'Said yes');
  });

  it('stay unique, also after a deletion', () => {
    let definition = addSplitCondition(addSplitCondition(split(), SPLIT), SPLIT);
    assert.deepEqual(conditions(definition).map((c) => c.friendly_name), ['If value equal_to', 'If value equal_to (2)']);
    definition = removeTransition(definition, SPLIT, 1);
    definition = addSplitCondition(definition, SPLIT);
    const names = conditions(definition).map((c) => c.friendly_name);
    assert.equal(new Set(names).size, names.length, names.join(', '));
    // Given the same value as another, a generated name gets a suffix; a distinct value, its own name.
    definition = updateSplitCondition(addSplitCondition(definition, SPLIT), SPLIT, 1, { value: 'no' });
    definition = updateSplitCondition(definition, SPLIT, 3, { value: 'no' });
    assert.deepEqual(conditions(definition).map((c) => c.friendly_name), ['If value equal_to no', 'If value equal_to', 'If value equal_to no (2)']);
    definition = updateSplitCondition(definition, SPLIT, 3, { value: 'maybe' });
    assert.equal(conditions(definition)[2]!.friendly_name, 'If value equal_to maybe');
  });

  it('recognises generated names, old "Condition N" ones included, and not the user’s own', () => {
    const c = (friendly_name: string): SplitCondition => ({ friendly_name, arguments: [''], type: 'equal_to', value: 'yes' });
    assert.equal(hasGeneratedName(c('If value equal_to yes')), true);
    assert.equal(hasGeneratedName(c('If value equal_to yes (3)')), true);
    assert.equal(hasGeneratedName(c('Condition 2')), true);
    assert.equal(hasGeneratedName(c('')), true);
    assert.equal(hasGeneratedName(c('If value equal_to no')), false);
    assert.equal(hasGeneratedName(c('Said yes')), false);
    assert.equal(conditionName('regex', 'a.(b)+'), 'If value regex a.(b)+');
    assert.equal(hasGeneratedName({ ...c('If value regex a.(b)+'), type: 'regex', value: 'a.(b)+' }), true);
  });
});

describe('operators without a value', () => {
  it('is_blank and is_not_blank take Studio’s fixed value; another operator starts empty again', () => {
    let definition = updateSplitCondition(addSplitCondition(split(), SPLIT), SPLIT, 1, { value: 'yes' });
    definition = updateSplitCondition(definition, SPLIT, 1, { type: 'is_blank' });
    assert.deepEqual(conditions(definition)[0], { friendly_name: 'If value is_blank', arguments: [''], type: 'is_blank', value: 'Is Blank' });
    definition = updateSplitCondition(definition, SPLIT, 1, { type: 'is_not_blank' });
    assert.deepEqual([conditions(definition)[0]!.value, conditions(definition)[0]!.friendly_name], ['Is Not Blank', 'If value is_not_blank']);
    definition = updateSplitCondition(definition, SPLIT, 1, { type: 'equal_to' });
    assert.deepEqual([conditions(definition)[0]!.value, conditions(definition)[0]!.friendly_name], ['', 'If value equal_to']);
  });
});
