// The copy of an execution state a sprint works on, for the interpreter's "input is never modified" rule
// (handleEvent without `owned`). A sprint writes to the state's spine only: the state's own fields, the
// frames list, each frame's own fields, the members of a frame's `widgets`, `floatOutputs` and `floatPaths`
// (a widget's outputs and their float marks are set or removed by name) and the `queuedInbound` list
// (replies taken off it and put on it). Everything below those (the trigger, flow.data, the variables, a
// widget's outputs, a wait, a subflow's definition) is replaced whole when it changes, never changed in
// place: Set Variables writes to a copy of the variables (Sprint.staged), Liquid's filters return new
// values. So those containers are copied and what they hold is shared with the input. A deep copy of the
// whole state was the engine's largest cost per sprint (bench scenario 4, PERFORMANCE.md (p)), and it grew
// with every widget's outputs the execution had kept. test/engine/interpreter.test.ts hands every sprint a
// deep-frozen state, so a write below the spine throws there.
import type { ExecutionState, Frame } from './types.ts';

/** A copy of `state` that a sprint may change without changing `state` (see above). */
export function copyForSprint(state: ExecutionState): ExecutionState {
  const copy: ExecutionState = { ...state, frames: state.frames.map(copyFrame) };
  if (state.queuedInbound) copy.queuedInbound = [...state.queuedInbound];
  return copy;
}

function copyFrame(frame: Frame): Frame {
  // Spread defines members (a widget named `__proto__` stays an own member), as JSON.parse does.
  const copy: Frame = { ...frame, widgets: { ...frame.widgets } };
  if (frame.floatOutputs) copy.floatOutputs = { ...frame.floatOutputs };
  if (frame.floatPaths) copy.floatPaths = { ...frame.floatPaths };
  return copy;
}
