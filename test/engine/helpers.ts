// Helpers for the pure-engine tests: an execution started at a fixed time with sequential ids, and
// its steps as `from -event-> to`; an execution driven sprint by sprint under given limits.
import { handleEvent, startExecution } from '../../src/engine/interpreter.ts';
import type { EngineEvent, EngineInput, EngineLimits, ExecutionState, JsonObject, SprintResult, StepRecordDraft, TriggerEvent } from '../../src/engine/types.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';
import { threadCpuMs } from '../../src/lib/thread-cpu.ts';

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

/**
 * An execution of `definition` on the pure engine under `limits`, at 2026-03-01 with ids numbered from 1:
 * its state, every step recorded and every sprint's result, kept as it is driven.
 */
export class EngineRun {
  state!: ExecutionState;
  steps: StepRecordDraft[] = [];
  results: SprintResult[] = [];
  counter = 0;
  readonly definition: FlowDefinition;
  readonly limits: Partial<EngineLimits>;
  constructor(definition: FlowDefinition, limits: Partial<EngineLimits> = {}) {
    this.definition = definition;
    this.limits = limits;
  }

  // The Liquid fuse counts this thread's CPU time, as in the runtime: by the wall clock, a long sprint on a
  // machine busy with other tests could blow it (a 40,000-step sprint took 2.03 s of wall time there).
  input(): EngineInput {
    return { definition: this.definition, now: Date.UTC(2026, 2, 1), newId: (prefix) => prefix + String(++this.counter).padStart(32, '0'), limits: this.limits, cpuClock: threadCpuMs };
  }

  take(result: SprintResult): SprintResult {
    this.state = result.state;
    this.steps.push(...result.steps);
    this.results.push(result);
    return result;
  }

  /** Starts by `event` with the trigger's data and the flow's, between the flow's and the contact's address. */
  startBy(event: TriggerEvent, trigger: JsonObject, data: JsonObject, addresses: { flow: string; contact: string }): SprintResult {
    const init = { executionSid: 'FN' + '0'.repeat(32), accountSid: 'AC' + '0'.repeat(32), flowSid: 'FW' + '0'.repeat(32), revision: 1, channelAddress: addresses.flow, contactAddress: addresses.contact };
    return this.take(startExecution(this.input(), init, event, trigger, data));
  }

  send(event: EngineEvent): SprintResult {
    return this.take(handleEvent(this.input(), this.state, event));
  }

  get diagnostics() {
    return this.results.flatMap((r) => r.diagnostics);
  }

  path(): string[] {
    return this.steps.map((s) => `${s.transitionedFrom} -${s.name}-> ${s.transitionedTo}`);
  }
}
