// The flow of the step-size finding: `grow` (a Set Variables of `count` variables, each flow.data.pad) and
// `check` (a split that always goes back to `grow`). Its context stays the same size (the same variables
// are set again) while every `grow` step records them all again: only the step-size limit
// (limits.maxStepBytes) stops it before the step cap.
import type { FlowDefinition } from '../../src/definition/types.ts';
import type { TriggerEvent } from '../../src/engine/types.ts';
import { triggerFlow } from './flows.ts';

export function growingStepsFlow(count = 20, event: TriggerEvent = 'incomingRequest'): FlowDefinition {
  const variables = Array.from({ length: count }, (_, i) => ({ key: `v${i}`, value: '{{flow.data.pad}}' }));
  return triggerFlow('growing steps', event, 'grow', [
    { name: 'grow', type: 'set-variables', transitions: [{ event: 'next', next: 'check' }], properties: { offset: { x: 0, y: 100 }, variables } },
    { name: 'check', type: 'split-based-on', transitions: [{ event: 'noMatch', next: 'grow' }], properties: { offset: { x: 0, y: 200 }, input: '{{flow.variables.v0 | size}}' } },
  ]);
}
