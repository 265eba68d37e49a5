// Run ConversationRelay called through the simulator phone: the call waits on the <Connect><ConversationRelay>
// (waiting_for is a conversation-relay wait naming the app's WebSocket URL), and the session's end (the
// ConversationRelay caller action, or the caller hanging up) posts the Connect action with ConversationRelay's
// parameters (SessionId, SessionStatus, SessionDuration by the server's clock, and HandoffData), which decide
// success or failed. The virtual agent's action does not end a relay session.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject } from '../../src/engine/types.ts';
import { contextOf } from '../../src/runtime/execution-context.ts';
import { FORM, form, type TestServer } from '../support/server.ts';
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
  it('waits on the relay session; its end reports the session, its length by the server clock and the handoff data, and the flow goes on by success', async () => {
    const clock = { ms: Date.UTC(2030, 0, 7, 9, 0, 0) };
    const { server, flowSid } = await serverWithFlow(FLOW, { now: () => clock.ms });
    try {
      const started = await call(server, flowSid, '+15551230701');
      assert.equal(started.waiting_for?.kind, 'conversation-relay');
      assert.equal((started.waiting_for as { url?: string }).url, 'wss://relay.example/ws');
      assert.ok(started.transcript.some((l) => /ConversationRelay app at wss:\/\/relay\.example\/ws: Hello, I am the assistant\./.test(l.text)), JSON.stringify(started.transcript));
      clock.ms += 83_400;
      const ended = await phone(server, `/simulator/calls/${started.sid}/ConversationRelay`, { SessionStatus: 'ended', HandoffData: '{"reason":"billing"}' });
      assert.deepEqual(await stepsOf(server, flowSid, ended.execution_sid!), ['Trigger -incomingCall-> relay', 'relay -success-> bye', 'bye -audioComplete-> Ended']);
      assert.ok(said(ended).includes('Handing you over: billing.'), JSON.stringify(said(ended)));
      assert.ok(ended.transcript.some((l) => l.kind === 'conversation-relay' && l.text === 'ConversationRelay session ended, handing off: {"reason":"billing"}'), JSON.stringify(ended.transcript));
      const outputs = await outputsOf(server, ended);
      assert.match(String(outputs.SessionId), /^VX[0-9a-f]{32}$/);
      assert.equal(outputs.SessionStatus, 'ended');
      assert.equal(outputs.SessionDuration, '83', 'whole seconds since the session began, by the server clock');
      assert.deepEqual(outputs.HandoffData, { reason: 'billing' });
      assert.equal(outputs.VirtualAgentStatus, undefined, 'no virtual agent parameters');
    } finally {
      await server.close();
    }
  });

  it("the virtual agent's action does not end a relay session; a SessionStatus it does not know is refused, in Twilio's error format", async () => {
    const { server, flowSid } = await serverWithFlow(FLOW);
    try {
      const started = await call(server, flowSid, '+15551230704');
      const asAgent = await server.app.server.inject({ method: 'POST', url: `/simulator/calls/${started.sid}/VirtualAgent`, headers: { authorization: server.auth, ...FORM }, payload: form({ VirtualAgentStatus: 'completed' }) });
      assert.equal(asAgent.statusCode, 409, asAgent.body);
      assert.match(asAgent.json().message, /waiting for conversation-relay, not virtual-agent/);
      const unknown = await server.app.server.inject({ method: 'POST', url: `/simulator/calls/${started.sid}/ConversationRelay`, headers: { authorization: server.auth, ...FORM }, payload: form({ SessionStatus: 'paused' }) });
      assert.equal(unknown.statusCode, 400, unknown.body);
      assert.equal(unknown.json().code, 20001);
      assert.match(unknown.json().message, /SessionStatus.*'paused' is not one of completed, ended, failed/);
      // Still waiting on the session; an empty HandoffData is none.
      const ended = await phone(server, `/simulator/calls/${started.sid}/ConversationRelay`, { HandoffData: '' });
      const outputs = await outputsOf(server, ended);
      assert.deepEqual([outputs.SessionStatus, outputs.HandoffData], ['completed', undefined]);
    } finally {
      await server.close();
    }
  });

  it('a field the flow webhook would refuse (an over-long SID) is a 400 naming it, and the call still waits on the session', async () => {
    const { server, flowSid } = await serverWithFlow(FLOW);
    try {
      const started = await call(server, flowSid, '+15551230705');
      const res = await server.app.server.inject({ method: 'POST', url: `/simulator/calls/${started.sid}/ConversationRelay`, headers: { authorization: server.auth, ...FORM }, payload: form({ SessionStatus: 'ended', CallSid: 'CA' + 'a'.repeat(300) }) });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().code, 20001);
      assert.match(res.json().message, /CallSid/);
      const ended = await phone(server, `/simulator/calls/${started.sid}/ConversationRelay`, { SessionStatus: 'ended' });
      assert.deepEqual(await stepsOf(server, flowSid, ended.execution_sid!), ['Trigger -incomingCall-> relay', 'relay -success-> bye', 'bye -audioComplete-> Ended']);
    } finally {
      await server.close();
    }
  });

  it('a failed session takes failed', async () => {
    const { server, flowSid } = await serverWithFlow(FLOW);
    try {
      const started = await call(server, flowSid, '+15551230702');
      const ended = await phone(server, `/simulator/calls/${started.sid}/ConversationRelay`, { SessionStatus: 'failed' });
      assert.deepEqual(await stepsOf(server, flowSid, ended.execution_sid!), ['Trigger -incomingCall-> relay', 'relay -failed-> sorry', 'sorry -audioComplete-> Ended']);
      assert.equal((await outputsOf(server, ended)).SessionStatus, 'failed');
    } finally {
      await server.close();
    }
  });

  it('the caller hanging up ends the session: its action comes with the call over', async () => {
    const clock = { ms: Date.UTC(2030, 0, 7, 9, 0, 0) };
    const { server, flowSid } = await serverWithFlow(FLOW, { now: () => clock.ms });
    try {
      const started = await call(server, flowSid, '+15551230703');
      clock.ms += 12_000;
      const ended = await phone(server, `/simulator/calls/${started.sid}/Hangup`);
      assert.equal(ended.status, 'completed');
      const outputs = await outputsOf(server, ended);
      assert.deepEqual([outputs.SessionStatus, outputs.SessionDuration, outputs.CallStatus], ['completed', '12', 'completed']);
      // success, then Say/Play with the caller gone: the execution ends there.
      assert.deepEqual(await stepsOf(server, flowSid, ended.execution_sid!), ['Trigger -incomingCall-> relay', 'relay -success-> bye']);
      assert.equal(await server.app.store.nextTimerDue(), null, 'no grace timer left behind');
    } finally {
      await server.close();
    }
  });
});
