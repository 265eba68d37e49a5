// The Phone panel's view of a simulator call (web/src/simulator/phone-call.ts): which caller actions
// fit what the call waits for, the outcomes offered match what the simulator API and the widgets take,
// the call remembered per flow, a ringing call the flow placed, and a Trigger that takes no calls.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  OUTCOMES,
  REJECTED_AS,
  lostCallStub,
  readStoredCall,
  ringingCall,
  storeCall,
  takesKeys,
  takesSilence,
  takesSpeech,
  timeoutDeadline,
  timeoutText,
  triggerTakesCalls,
  waitIdOf,
  waitingText,
  type KeyValueStorage,
  type SimulatorCall,
} from '../../web/src/simulator/phone-call.ts';
import { wiredTriggerFlow } from '../support/flows.ts';
import { queueEvent } from '../../src/engine/widgets/queue-result.ts';
import { RELAY_SESSION_STATUSES } from '../../src/channels/simulator/phone.ts';

const SID = 'CA' + 'a'.repeat(32);

function call(fields: Partial<SimulatorCall>): SimulatorCall {
  return { sid: SID, flow_sid: 'FW1', execution_sid: 'FN1', from: '+1', to: '+2', status: 'in-progress', waiting_for: null, transcript: [], ...fields };
}

function memoryStorage(): KeyValueStorage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v), removeItem: (k) => void map.delete(k) };
}

describe('phone call view', () => {
  it('offers keys, speech and silence only where the call takes them', () => {
    const gather = (input: string[]) => ({ kind: 'input', input });
    assert.deepEqual([takesKeys(gather(['dtmf'])), takesSpeech(gather(['dtmf'])), takesSilence(gather(['dtmf']))], [true, false, true]);
    assert.deepEqual([takesKeys(gather(['speech'])), takesSpeech(gather(['speech']))], [false, true]);
    assert.deepEqual([takesKeys({ kind: 'record' }), takesSpeech({ kind: 'record' }), takesSilence({ kind: 'record' })], [true, false, true]);
    for (const kind of ['dial', 'queue', 'payment', 'virtual-agent', 'conversation-relay', 'answer', 'hold']) {
      assert.deepEqual([takesKeys({ kind }), takesSpeech({ kind }), takesSilence({ kind })], [false, false, false], kind);
    }
    assert.deepEqual([takesKeys(null), takesSpeech(null), takesSilence(null)], [false, false, false]);
    assert.equal(waitingText({ kind: 'dial', to: ['number:+15550001111', 'client:alice'] }), 'The flow is connecting the call to +15550001111, client alice: say how that call ends.');
  });

  it('offers the outcomes the simulator API and the widgets know', () => {
    assert.deepEqual(Object.keys(OUTCOMES).sort(), ['conversation-relay', 'dial', 'payment', 'queue', 'virtual-agent']);
    assert.deepEqual(OUTCOMES.dial!.choices.map((c) => c.value), ['completed', 'busy', 'no-answer', 'failed', 'canceled']);
    assert.deepEqual(REJECTED_AS.map((c) => c.value), ['busy', 'no-answer', 'failed', 'canceled']);
    // Every queue result leads somewhere, and each of the Enqueue widget's events is reachable.
    assert.deepEqual([...new Set(OUTCOMES.queue!.choices.map((c) => queueEvent(c.value)))].sort(), ['callComplete', 'callFailure', 'failedToEnqueue']);
    assert.deepEqual(OUTCOMES['virtual-agent']!.choices.map((c) => c.value), ['completed', 'live-agent-handoff', 'paused', 'failed']);
    assert.ok(OUTCOMES.payment!.choices.some((c) => c.value === 'success'));
  });

  it("a ConversationRelay session has an action of its own: the session's status (the simulator API's) and the app's handoff data", () => {
    const relay = OUTCOMES['conversation-relay']!;
    assert.equal(relay.action, 'ConversationRelay');
    assert.equal(relay.field, 'SessionStatus');
    assert.deepEqual(relay.choices.map((c) => c.value), [...RELAY_SESSION_STATUSES]);
    assert.equal(relay.text?.field, 'HandoffData');
    assert.equal(relay.submit, 'End the relay session');
    assert.equal(waitingText({ kind: 'conversation-relay', url: 'wss://relay.example/ws' }), 'The call is with the ConversationRelay app at wss://relay.example/ws: say how the relay session ends.');
  });

  it('remembers the call per flow, forgets a lost one, and ignores what is not a call', () => {
    const storage = memoryStorage();
    assert.equal(readStoredCall(storage, 'FW1'), null);
    storeCall(storage, 'FW1', call({}));
    assert.deepEqual(readStoredCall(storage, 'FW1'), { sid: SID, execution_sid: 'FN1', live: true });
    assert.equal(readStoredCall(storage, 'FW2'), null, 'per flow');
    storeCall(storage, 'FW1', call({ status: 'completed' }));
    assert.equal(readStoredCall(storage, 'FW1')?.live, false);
    storeCall(storage, 'FW1', call({}), true);
    assert.equal(readStoredCall(storage, 'FW1'), null, 'a lost call is not remembered');
    storage.setItem('switchboard.simulator.call.FW1', '{"sid":"CA../../x","live":true}');
    assert.equal(readStoredCall(storage, 'FW1'), null);
    storage.setItem('switchboard.simulator.call.FW1', 'not json');
    assert.equal(readStoredCall(storage, 'FW1'), null);
    const stub = lostCallStub({ sid: SID, execution_sid: 'FN9', live: true }, 'FW1');
    assert.deepEqual([stub.sid, stub.execution_sid, stub.transcript], [SID, 'FN9', []]);
  });

  it('finds the newest call the flow placed that still rings', () => {
    const ringing = (sid: string) => call({ sid, direction: 'outbound-api', status: 'ringing', waiting_for: { kind: 'answer' } });
    assert.equal(ringingCall([call({ direction: 'inbound' }), call({ direction: 'outbound-api', status: 'no-answer' })]), null);
    assert.equal(ringingCall([ringing('CA1'), call({ direction: 'inbound' }), ringing('CA2')])?.sid, 'CA2');
  });

  it('tells a Trigger that takes calls from one that does not', () => {
    assert.equal(triggerTakesCalls(wiredTriggerFlow('calls', { incomingCall: 'x' }, [])), true);
    assert.equal(triggerTakesCalls(wiredTriggerFlow('texts', { incomingMessage: 'x' }, [])), false);
    assert.equal(triggerTakesCalls({ initial_state: 'Nowhere', states: [] }), null);
    assert.equal(triggerTakesCalls(null), null);
  });

  it("counts a Gather's or Record's timeout down from the time left the server gave, and names the wait an action answers", () => {
    const gather = { kind: 'input', input: ['dtmf'], id: 3, timeout: 5, timesOutIn: 4200 };
    assert.equal(timeoutDeadline(gather, 1_000_000), 1_004_200);
    assert.equal(timeoutDeadline({ ...gather, timesOutIn: null }, 1_000_000), null);
    assert.equal(timeoutText(gather, 4), 'No input in 4 s and the Gather times out.');
    assert.equal(timeoutText(gather, 0), 'No input: the Gather is timing out…');
    assert.equal(timeoutText(gather, null), 'Timeouts are off: the Gather waits until you stay silent.');
    assert.equal(timeoutText({ kind: 'record', id: 4, timeout: 5, timesOutIn: 5000 }, 5), 'No audio in 5 s and the recording ends with nothing recorded.');
    assert.equal(timeoutText({ kind: 'dial', id: 5 }, null), '', 'a Dial does not time out on the caller');
    assert.equal(waitIdOf(gather), '3');
    assert.equal(waitIdOf({ kind: 'input' }), null, 'a server that gives no id: actions go without one');
    assert.equal(waitIdOf(null), null);
  });
});
