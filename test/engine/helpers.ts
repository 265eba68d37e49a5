// Helpers for the pure-engine tests: an execution started at a fixed time with sequential ids, and
// its steps as `from -event-> to`.
import { startExecution } from '../../src/engine/interpreter.ts';
import type { EngineInput, JsonObject, SprintResult, TriggerEvent } from '../../src/engine/types.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';

export const FLOW_ADDRESS = '+15005550006';
export const CONTACT = '+15551230001';

/**
 * Starts `def` by `event` with the trigger's data and the flow's data, at 2026-05-01 with ids
 * numbered from 1, between `addresses.flow` (FLOW_ADDRESS) and `addresses.contact` (CONTACT).
 * The input is returned for handleEvent.
 */
export function startFlow(
  def: FlowDefinition,
  event: TriggerEvent,
  triggerData: JsonObject,
  data: JsonObject = {},
  addresses: { flow?: string; contact?: string } = {},
): { input: EngineInput; result: SprintResult } {
  let n = 0;
  const input: EngineInput = { definition: def, now: Date.parse('2026-05-01T00:00:00Z'), newId: (prefix) => `${prefix}${String(++n).padStart(32, '0')}` };
  const result = startExecution(
    input,
    { executionSid: 'FN' + '0'.repeat(32), accountSid: 'AC' + '0'.repeat(32), flowSid: 'FW' + '0'.repeat(32), revision: 1, channelAddress: addresses.flow ?? FLOW_ADDRESS, contactAddress: addresses.contact ?? CONTACT },
    event,
    triggerData,
    data,
  );
  return { input, result };
}

/** The sprint's steps as `from -event-> to`. */
export const stepPath = (result: SprintResult) => result.steps.map((s) => `${s.transitionedFrom} -${s.name}-> ${s.transitionedTo}`);
