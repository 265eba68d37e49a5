// Connect Virtual Agent v1 when the caller hangs up: Twilio requests the Connect action as the call
// ends (CallStatus completed) and sends the final status, in either order. Like v2, v1 leaves by
// `hangup` either way (with the action's outputs), and after the final status waits a moment for the
// action (hangupAwaitingAction) rather than leaving at once without it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { handleEvent } from '../../src/engine/interpreter.ts';
import type { CallWait, EngineEvent, EngineInput, ExecutionState, JsonObject, SprintResult } from '../../src/engine/types.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';
import { HANGUP_ACTION_GRACE_MS } from '../../src/engine/widgets/voice.ts';
import { startFlow, stepPath } from './helpers.ts';

const CALL: JsonObject = { CallSid: 'CA' + '1'.repeat(32), From: '+15551230001', To: '+15005550006', CallStatus: 'ringing', Direction: 'inbound', AccountSid: 'AC' + '0'.repeat(32) };

function flow(type: 'connect-virtual-agent' | 'connect-virtual-agent-v2'): FlowDefinition {
  const events = type === 'connect-virtual-agent' ? ['return', 'hangup'] : ['completed', 'live-agent-handoff', 'hangup', 'failed', 'paused'];
  return {
    description: 'virtual agent',
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [
      { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingCall', next: 'va' }], properties: { offset: { x: 0, y: 0 } } },
      {
        name: 'va',
        type,
        transitions: events.map((event) => ({ event, next: `after_${event}` })),
        properties: { offset: { x: 0, y: 100 }, ...(type === 'connect-virtual-agent' ? { connector: 'es-agent' } : { connector_name: 'cx-agent' }) },
      },
      ...events.map((event) => ({ name: `after_${event}`, type: 'set-variables', transitions: [{ event: 'next' }], properties: { offset: { x: 0, y: 200 }, variables: [{ key: 'left_by', value: event }] } })),
    ],
  } as unknown as FlowDefinition;
}

class Run {
  input: EngineInput;
  state: ExecutionState;
  last: SprintResult;
  steps: string[];
  constructor(type: Parameters<typeof flow>[0]) {
    const { input, result } = startFlow(flow(type), 'incomingCall', { call: CALL });
    this.input = input;
    this.last = result;
    this.state = result.state;
    this.steps = stepPath(result);
  }
  get wait(): CallWait {
    const wait = this.state.frames.at(-1)!.wait;
    assert.equal(wait?.kind, 'call', `waiting on the call, got ${JSON.stringify(wait)}`);
    return wait as CallWait;
  }
  send(event: EngineEvent): this {
    this.last = handleEvent(this.input, this.state, event);
    this.state = this.last.state;
    this.steps.push(...stepPath(this.last));
    return this;
  }
  action(params: JsonObject): this {
    return this.send({ type: 'call-callback', callbackId: this.wait.callbackId, params: { ...CALL, ...params } });
  }
  finalStatus(): this {
    return this.send({ type: 'call-ended', params: { ...CALL, CallStatus: 'completed', CallDuration: '12' } });
  }
  graceElapsed(): this {
    const wait = this.wait;
    assert.ok(wait.hungUp && wait.timerId, `waiting for the action after the hangup, got ${JSON.stringify(wait)}`);
    this.input = { ...this.input, now: this.input.now + HANGUP_ACTION_GRACE_MS };
    return this.send({ type: 'timer', timerId: wait.timerId });
  }
  get leftBy(): string {
    return String(this.state.frames[0]!.variables.left_by ?? '(none)');
  }
  get outputs(): JsonObject {
    return this.state.frames[0]!.widgets.va as JsonObject;
  }
}

const HUNG_UP = { CallStatus: 'completed', VirtualAgentProvider: 'DialogflowCX', VirtualAgentStatus: 'completed' };

describe('connect-virtual-agent (v1): the caller hangs up', () => {
  it('the action Twilio requests at the hangup (CallStatus completed) leaves by hangup, not return, with its outputs', () => {
    const run = new Run('connect-virtual-agent').action(HUNG_UP);
    assert.equal(run.leftBy, 'hangup');
    assert.equal(run.outputs.VirtualAgentStatus, 'completed');
    assert.deepEqual(run.steps, ['Trigger -incomingCall-> va', 'va -hangup-> after_hangup', 'after_hangup -next-> Ended']);
    // The final status after it changes nothing.
    run.finalStatus();
    assert.equal(run.state.status, 'ended');
  });

  it('the final status first: it waits for the action, then leaves by hangup with the action\'s outputs (its timer cancelled)', () => {
    const run = new Run('connect-virtual-agent').finalStatus();
    assert.equal(run.state.status, 'active', 'waits for the action');
    const timerId = run.wait.timerId;
    assert.ok(timerId);
    assert.ok(run.last.effects.some((e) => e.type === 'set-timer' && e.timerId === timerId));
    run.finalStatus();
    assert.equal(run.state.status, 'active', 'a repeated status changes nothing');
    run.action(HUNG_UP);
    assert.equal(run.leftBy, 'hangup');
    assert.equal(run.outputs.VirtualAgentProvider, 'DialogflowCX');
    assert.ok(run.last.effects.some((e) => e.type === 'cancel-timer' && e.timerId === timerId), 'the grace timer is cancelled');
  });

  it('no action within the grace: hangup with the final status\'s parameters', () => {
    const run = new Run('connect-virtual-agent').finalStatus().graceElapsed();
    assert.equal(run.leftBy, 'hangup');
    assert.equal(run.outputs.CallDuration, '12');
    assert.equal(run.state.status, 'ended');
  });

  it('a session that ends with the caller still on the line returns', () => {
    const run = new Run('connect-virtual-agent').action({ CallStatus: 'in-progress', VirtualAgentProvider: 'DialogflowCX', VirtualAgentStatus: 'completed' });
    assert.equal(run.leftBy, 'return');
  });

  it('v1 and v2 take the same event for the same hangup, in either order', () => {
    for (const type of ['connect-virtual-agent', 'connect-virtual-agent-v2'] as const) {
      assert.equal(new Run(type).action(HUNG_UP).leftBy, 'hangup', `${type}, action first`);
      assert.equal(new Run(type).finalStatus().action(HUNG_UP).leftBy, 'hangup', `${type}, status first`);
      assert.equal(new Run(type).finalStatus().graceElapsed().leftBy, 'hangup', `${type}, no action`);
    }
  });
});
