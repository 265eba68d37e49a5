// Run ConversationRelay called through the simulator phone: the call waits on the <Connect><ConversationRelay>
// (waiting_for names the app's WebSocket URL), and the session's end (the VirtualAgent caller action, or the
// caller hanging up) posts the Connect action with ConversationRelay's parameters (SessionId, SessionStatus,
// SessionDuration, and fields such as HandoffData), which decide success or failed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject } from '../../src/engine/types.ts';
import { contextOf } from '../../src/runtime/execution-context.ts';
import type { TestServer } from '../support/server.ts';
import { call, phone, said, serverWithFlow, stepsOf, type CallView } from './support.ts';

const FLOW = {
  description: 'conversation relay',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingCall', next: 'relay' }], properties: { offset: { x: 0, y: 0 } } },
    {
      name: 'relay',
      type: 'run-conversation-relay',
      transitions: [{ event: 'success', next: 'bye' }, { event: 'failed', next: 'sorry' }],
      properties: { offset: { x: 0, y: 100 }, url: 'wss://relay.example/ws', welcome_greeting: 'Hello, I am the assistant.', parameters: [{ key: 'caller', value: '{{trigger.call.From}}' }] },
    },
    { name: 'bye', type: 'say-play', transitions: [{ event: 'audioComplete' }], properties: { offset: { x: 0, y: 200 }, say: 'Handing you over: {{widgets.relay.HandoffData.reason}}.' } },
    { name: 'sorry', type: 'say-play', transitions: [{ event: 'audioComplete' }], properties: { offset: { x: 200, y: 200 }, say: 'Sorry, the assistant is unavailable.' } },
  ],
};

async function outputsOf(server: TestServer, view: CallView): Promise<JsonObject> {
  await server.app.executions.idle();
  const execution = (await server.app.store.getExecutionBySid(view.execution_sid!))!;
  return (contextOf(execution) as { widgets: Record<string, JsonObject> }).widgets.relay!;
}

describe('simulator phone: Run ConversationRelay', () => {
  it('waits on the relay session; its end reports the session and the handoff data, and the flow goes on by success', async () => {
    const { server, flowSid } = await serverWithFlow(FLOW);
    try {
      const started = await call(server, flowSid, '+15551230701');
      assert.equal(started.waiting_for?.kind, 'virtual-agent');
      assert.equal((started.waiting_for as { relay?: string }).relay, 'wss://relay.example/ws');
      assert.ok(started.transcript.some((l) => /ConversationRelay app at wss:\/\/relay\.example\/ws: Hello, I am the assistant\./.test(l.text)), JSON.stringify(started.transcript));
      const ended = await phone(server, `/simulator/calls/${started.sid}/VirtualAgent`, { VirtualAgentStatus: 'ended', HandoffData: '{"reason":"billing"}' });
      assert.deepEqual(await stepsOf(server, flowSid, ended.execution_sid!), ['Trigger -incomingCall-> relay', 'relay -success-> bye', 'bye -audioComplete-> Ended']);
      assert.ok(said(ended).includes('Handing you over: billing.'), JSON.stringify(said(ended)));
      const outputs = await outputsOf(server, ended);
      assert.match(String(outputs.SessionId), /^VX[0-9a-f]{32}$/);
      assert.equal(outputs.SessionStatus, 'ended');
      assert.match(String(outputs.SessionDuration), /^\d+$/, 'whole seconds since the session began');
      assert.deepEqual(outputs.HandoffData, { reason: 'billing' });
      assert.equal(outputs.VirtualAgentStatus, undefined, 'no virtual agent parameters');
    } finally {
      await server.close();
    }
  });

  it('a failed session takes failed', async () => {
    const { server, flowSid } = await serverWithFlow(FLOW);
    try {
      const started = await call(server, flowSid, '+15551230702');
      const ended = await phone(server, `/simulator/calls/${started.sid}/VirtualAgent`, { VirtualAgentStatus: 'failed' });
      assert.deepEqual(await stepsOf(server, flowSid, ended.execution_sid!), ['Trigger -incomingCall-> relay', 'relay -failed-> sorry', 'sorry -audioComplete-> Ended']);
      assert.equal((await outputsOf(server, ended)).SessionStatus, 'failed');
    } finally {
      await server.close();
    }
  });

  it('the caller hanging up ends the session: its action comes with the call over', async () => {
    const { server, flowSid } = await serverWithFlow(FLOW);
    try {
      const started = await call(server, flowSid, '+15551230703');
      const ended = await phone(server, `/simulator/calls/${started.sid}/Hangup`);
      assert.equal(ended.status, 'completed');
      const outputs = await outputsOf(server, ended);
      assert.deepEqual([outputs.SessionStatus, outputs.CallStatus], ['completed', 'completed']);
      // success, then Say/Play with the caller gone: the execution ends there.
      assert.deepEqual(await stepsOf(server, flowSid, ended.execution_sid!), ['Trigger -incomingCall-> relay', 'relay -success-> bye']);
      assert.equal(await server.app.store.nextTimerDue(), null, 'no grace timer left behind');
    } finally {
      await server.close();
    }
  });
});
