// The context the API shows for an execution (GET …/Executions/{Sid}/Context, and each Execution's
// `context`): derived from the stored engine state on read, never stored beside it.
import { executionContext } from '../engine/context.ts';
import type { ExecutionState, JsonObject } from '../engine/types.ts';
import type { ExecutionRecord } from './ports/store.ts';

/**
 * The context the API shows for an execution ({flow, trigger, widgets, contact}), derived from its
 * state. A row whose state is not an engine state (written by hand, or damaged) shows an empty one.
 */
export function contextOf(execution: ExecutionRecord): JsonObject {
  const state = execution.state as Partial<ExecutionState> | null;
  return Array.isArray(state?.frames) && state.frames.length > 0 ? executionContext(state as ExecutionState) : {};
}
