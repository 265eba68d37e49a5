// trigger.parent in a subflow (studio-flow-language.md §4.1): `parameters.<k>`, plus — as a secondary source lists
// them, UNCONFIRMED — the parent's `flow_sid`, the execution's `execution_sid` and the `step_sid` of the step that
// entered the Run Subflow widget. Flows written against those members read them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { handleEvent } from '../../src/engine/interpreter.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';
import type { JsonObject, SprintResult } from '../../src/engine/types.ts';
import { triggerFlow } from '../support/flows.ts';
import { startFlow } from './helpers.ts';

const SUB = 'FW' + 'b'.repeat(32);

const parent = triggerFlow('parent', 'incomingMessage', 'sub', [
  { name: 'sub', type: 'run-subflow', properties: { flow_sid: SUB, flow_revision: 'LatestPublished', parameters: [{ key: 'k', value: 'v' }] }, transitions: [{ event: 'completed' }, { event: 'failed' }] },
]);

const child: FlowDefinition = triggerFlow('child', 'incomingParent', 'read', [
  {
    name: 'read',
    type: 'set-variables',
    properties: {
      variables: [
        { key: 'k', value: '{{trigger.parent.parameters.k}}' },
        { key: 'flow', value: '{{trigger.parent.flow_sid}}' },
        { key: 'execution', value: '{{trigger.parent.execution_sid}}' },
        { key: 'step', value: '{{trigger.parent.step_sid}}' },
      ],
    },
    transitions: [{ event: 'next' }],
  },
]);

describe('trigger.parent in a subflow (§4.1)', () => {
  it('holds the parameters, the parent flow SID, the execution SID and the SID of the step that entered Run Subflow', () => {
    const { input, result } = startFlow(parent, 'incomingMessage', { message: { Body: 'hi' } });
    const load = result.effects.find((e) => e.type === 'load-subflow');
    assert.ok(load && load.type === 'load-subflow');
    const done: SprintResult = handleEvent(input, result.state, { type: 'effect-result', effectId: load.effectId, result: { kind: 'subflow-loaded', flowSid: SUB, revision: 1, definition: child } });
    const entered = result.steps.find((s) => s.transitionedTo === 'sub');
    assert.ok(entered);
    const outputs = done.state.frames[0]!.widgets.sub as JsonObject;
    assert.deepEqual(outputs, { k: 'v', flow: result.state.flowSid, execution: result.state.executionSid, step: entered.sid });
    // The step SID is the one the subflow's own steps name as their parent step.
    const subSteps = done.steps.filter((s) => s.parentStepSid !== null);
    assert.ok(subSteps.length > 0);
    for (const step of subSteps) assert.equal(step.parentStepSid, outputs.step);
  });
});
