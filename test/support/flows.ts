// Flow definitions for tests that build their own: the trigger and its one wired event around the
// widgets under test.
import type { FlowDefinition, State } from '../../src/definition/types.ts';
import type { TriggerEvent } from '../../src/engine/types.ts';

/** A flow whose Trigger (at the origin) sends `event` to `first`, followed by `states`. */
export function triggerFlow(description: string, event: TriggerEvent, first: string, states: object[]): FlowDefinition {
  return {
    description,
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [{ name: 'Trigger', type: 'trigger', properties: { offset: { x: 0, y: 0 } }, transitions: [{ event, next: first }] }, ...(states as State[])],
  } as FlowDefinition;
}
