// handleEvent without `owned` works on copyForSprint's copy: the containers a sprint writes to are copied,
// what they hold is shared (see src/engine/clone.ts). The copy must equal the state, and no write a sprint
// makes to it may reach the state it was copied from.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { copyForSprint } from '../../src/engine/clone.ts';
import type { ExecutionState, Frame, JsonObject } from '../../src/engine/types.ts';

const object = fc.dictionary(fc.string(), fc.jsonValue()) as fc.Arbitrary<JsonObject>;
const frame: fc.Arbitrary<Frame> = fc.record(
  {
    flowSid: fc.string(),
    revision: fc.nat(),
    current: fc.option(fc.string(), { nil: null }),
    wait: fc.constant(null),
    trigger: object,
    variables: object,
    data: object,
    widgets: object,
    floatOutputs: fc.dictionary(fc.string(), fc.array(fc.string())),
    floatPaths: fc.dictionary(fc.string(), fc.array(fc.array(fc.oneof(fc.string(), fc.nat())))),
  },
  { requiredKeys: ['flowSid', 'revision', 'current', 'wait', 'trigger', 'variables', 'data', 'widgets'] },
);
const state: fc.Arbitrary<ExecutionState> = fc.record(
  {
    executionSid: fc.string(),
    accountSid: fc.string(),
    flowSid: fc.string(),
    channelAddress: fc.string(),
    contactAddress: fc.string(),
    status: fc.constantFrom('active' as const, 'ended' as const),
    frames: fc.array(frame, { minLength: 1, maxLength: 3 }),
    stepCount: fc.nat(),
    lastWidget: fc.constant(null),
    lastStepSid: fc.constant(null),
    endReason: fc.constant(null),
    queuedInbound: fc.array(object, { maxLength: 3 }),
  },
  { requiredKeys: ['executionSid', 'accountSid', 'flowSid', 'channelAddress', 'contactAddress', 'status', 'frames', 'stepCount', 'lastWidget', 'lastStepSid', 'endReason'] },
);

describe('copyForSprint', () => {
  it('equals the state, and what a sprint writes to the copy leaves the state as it was', () => {
    fc.assert(
      fc.property(state, (generated) => {
        const original = JSON.parse(JSON.stringify(generated)) as ExecutionState; // as the store reads it
        const snapshot = structuredClone(original);
        const copy = copyForSprint(original);
        assert.deepStrictEqual(copy, snapshot);
        // A sprint's writes: the state's and the frames' own fields, the frames list, widgets' outputs and their
        // float marks by name, the queued replies.
        copy.status = 'ended';
        copy.stepCount++;
        copy.queuedInbound?.push({ Body: 'late' });
        copy.queuedInbound?.shift();
        for (const f of copy.frames) {
          f.current = 'elsewhere';
          f.contextBytes = 1;
          Object.defineProperty(f.widgets, '__proto__', { value: { replaced: true }, enumerable: true, writable: true, configurable: true });
          f.widgets.w = { set: true };
          for (const key of Object.keys(f.widgets)) if (key !== 'w') delete f.widgets[key];
          if (f.floatOutputs) for (const key of Object.keys(f.floatOutputs)) delete f.floatOutputs[key];
          if (f.floatPaths) f.floatPaths.p = [['a', 0]];
        }
        copy.frames.push(copy.frames[0]!);
        assert.deepStrictEqual(original, snapshot);
      }),
    );
  });

  it('keeps a widget named "__proto__" as an own member of the copy, and the prototype as it was', () => {
    const parsed = JSON.parse('{"executionSid":"FN1","frames":[{"widgets":{"__proto__":{"polluted":true},"a":{"b":1}}}]}') as ExecutionState;
    const copy = copyForSprint(parsed);
    const widgets = copy.frames[0]!.widgets;
    assert.equal(Object.getPrototypeOf(widgets), Object.prototype);
    assert.deepEqual(Object.keys(widgets), ['__proto__', 'a']);
    assert.deepEqual(Object.getOwnPropertyDescriptor(widgets, '__proto__')?.value, { polluted: true });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
