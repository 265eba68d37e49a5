// The editor's "Go to" list: the Trigger first, then the widgets by name, ignoring case.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gotoOrder } from '../../web/src/editor/goto-order.ts';

const state = (name: string, type = 'set-variables') => ({ name, type }) as const;

describe('gotoOrder', () => {
  it('puts the Trigger first and the others by name, case-insensitively', () => {
    const order = gotoOrder([state('zeta'), state('Beta'), state('Trigger', 'trigger'), state('alpha'), state('Gamma'), state('delta')]).map((s) => s.name);
    assert.deepEqual(order, ['Trigger', 'alpha', 'Beta', 'delta', 'Gamma', 'zeta']);
  });

  it('keeps the Trigger first even when its name sorts later, and leaves the input as it was', () => {
    const states = [state('b'), state('start_here', 'trigger'), state('a')];
    assert.deepEqual(gotoOrder(states).map((s) => s.name), ['start_here', 'a', 'b']);
    assert.deepEqual(states.map((s) => s.name), ['b', 'start_here', 'a']);
  });

  it('orders numbered names by number (step_2 before step_10)', () => {
    assert.deepEqual(gotoOrder([state('step_10'), state('step_2'), state('Step_1')]).map((s) => s.name), ['Step_1', 'step_2', 'step_10']);
  });
});
