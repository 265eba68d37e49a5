// make-outgoing-call-v2 through the runtime: a REST execution places a call on the simulator's phone
// network; the simulated callee answers (human or machine), rejects it (busy) or never answers;
// the answered call then runs the rest of the flow over the same signed callbacks as inbound calls.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FORM, form, type TestServer } from '../support/server.ts';
import { fixture, phone, said, serverWithFlow, stepsOf, type CallView } from './support.ts';
import { contextOf } from '../../src/runtime/execution-context.ts';

async function startReminder(server: TestServer, flowSid: string, to: string): Promise<{ executionSid: string; call: CallView }> {
  const res = await server.app.server.inject({
    method: 'POST',
    url: `/v2/Flows/${flowSid}/Executions`,
    headers: { authorization: server.auth, ...FORM },
    payload: form({ To: to, From: '+15005550006', Parameters: JSON.stringify({ name: 'Ada' }) }),
  });
  assert.equal(res.statusCode, 201, res.body);
  await server.app.executions.idle();
  const calls = await phone(server, `/simulator/calls?FlowSid=${flowSid}`, {}, 'GET') as unknown as { calls: CallView[] };
  const call = calls.calls.find((c) => (c as unknown as { to: string }).to === to);
  assert.ok(call, 'the flow placed a call');
  return { executionSid: res.json().sid, call };
}

describe('make-outgoing-call-v2 in the simulator', () => {
  it('a human answers: the call is recorded, the flow asks, the callee presses 1', async () => {
    const { server, flowSid } = await serverWithFlow(fixture('outbound-reminder.json'));
    try {
      const { executionSid, call } = await startReminder(server, flowSid, '+15551230201');
      assert.equal(call.status, 'ringing');
      assert.equal(call.waiting_for?.kind, 'answer');
      const answered = await phone(server, `/simulator/calls/${call.sid}/Answer`, { AnsweredBy: 'human' });
      assert.deepEqual(said(answered), ['Hello Ada, press 1 to confirm your appointment.']);
      assert.equal((answered as unknown as { recording: boolean }).recording, true, 'record-call started the recording');
      const done = await phone(server, `/simulator/calls/${call.sid}/Digits`, { Digits: '1' });
      assert.equal(said(done).at(-1), 'Thank you, Ada. You pressed 1.');
      assert.equal(done.status, 'completed');
      await server.app.executions.idle();
      const execution = (await server.app.store.getExecutionBySid(executionSid))!;
      assert.equal(execution.status, 'ended');
      assert.deepEqual(await stepsOf(server, flowSid, executionSid), [
        'Trigger -incomingRequest-> dial_out',
        'dial_out -answered-> record',
        'record -success-> who',
        'who -noMatch-> confirm',
        'confirm -keypress-> thanks',
        'thanks -audioComplete-> Ended',
      ]);
      const widgets = (contextOf(execution) as { widgets: Record<string, Record<string, unknown>> }).widgets;
      assert.equal(widgets.dial_out!.AnsweredBy, 'human');
      assert.equal(widgets.dial_out!.CallSid, call.sid);
      assert.equal(widgets.dial_out!.CallStatus, 'in-progress');
      assert.equal(widgets.record!.Status, 'in-progress');
      assert.equal(widgets.record!.CallSid, call.sid);
    } finally {
      await server.close();
    }
  });

  it('an answering machine gets the message', async () => {
    const { server, flowSid } = await serverWithFlow(fixture('outbound-reminder.json'));
    try {
      const { call } = await startReminder(server, flowSid, '+15551230202');
      const answered = await phone(server, `/simulator/calls/${call.sid}/Answer`, { AnsweredBy: 'machine_start' });
      assert.deepEqual(said(answered), ['This is a reminder for Ada. Please call us back.']);
      assert.equal(answered.status, 'completed');
    } finally {
      await server.close();
    }
  });

  it('busy and no-answer leave by busy / noAnswer (the flow texts instead); the call never reached the flow', async () => {
    for (const [status, event] of [['busy', 'busy'], ['no-answer', 'noAnswer']] as const) {
      const { server, flowSid } = await serverWithFlow(fixture('outbound-reminder.json'));
      try {
        const to = '+15551230203';
        const { executionSid, call } = await startReminder(server, flowSid, to);
        const rejected = await phone(server, `/simulator/calls/${call.sid}/Reject`, { Status: status });
        assert.equal(rejected.status, status);
        await server.app.executions.idle();
        assert.deepEqual(await stepsOf(server, flowSid, executionSid), ['Trigger -incomingRequest-> dial_out', `dial_out -${event}-> text_missed`, 'text_missed -sent-> Ended']);
        const texts = server.app.simulator.transcript('+15005550006', to).map((m) => m.body);
        assert.deepEqual(texts, [`We tried to call you (${status}). Reply to reschedule.`]);
      } finally {
        await server.close();
      }
    }
  });

  it('a call nobody answers gives up as no-answer after its ring timeout; while ringing it names the execution that placed it', async () => {
    const definition = fixture('outbound-reminder.json') as { states: { name: string; properties: Record<string, unknown> }[] };
    definition.states.find((state) => state.name === 'dial_out')!.properties.timeout = 1;
    const { server, flowSid } = await serverWithFlow(definition);
    try {
      const to = '+15551230205';
      const { executionSid, call } = await startReminder(server, flowSid, to);
      assert.equal(call.status, 'ringing');
      assert.equal(call.execution_sid, executionSid);
      assert.match(call.transcript[0]!.text, /rings up to 1 s/);
      let view = call;
      for (let i = 0; i < 60 && view.status === 'ringing'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        view = await phone(server, `/simulator/calls/${call.sid}`, {}, 'GET');
      }
      assert.equal(view.status, 'no-answer');
      // The phone posts the final status callback on its own: the steps follow it, not the call's view.
      const expected = ['Trigger -incomingRequest-> dial_out', 'dial_out -noAnswer-> text_missed', 'text_missed -sent-> Ended'];
      let steps: string[] = [];
      for (let i = 0; i < 100; i++) {
        await server.app.executions.idle();
        steps = await stepsOf(server, flowSid, executionSid);
        if (steps.length >= expected.length) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.deepEqual(steps, expected);
    } finally {
      await server.close();
    }
  });

  it('the callee cannot be asked for digits before answering; a finished call refuses actions (409)', async () => {
    const { server, flowSid } = await serverWithFlow(fixture('outbound-reminder.json'));
    try {
      const { call } = await startReminder(server, flowSid, '+15551230204');
      const early = await server.app.server.inject({ method: 'POST', url: `/simulator/calls/${call.sid}/Digits`, headers: { authorization: server.auth, ...FORM }, payload: form({ Digits: '1' }) });
      assert.equal(early.statusCode, 409);
      await phone(server, `/simulator/calls/${call.sid}/Reject`, { Status: 'busy' });
      const late = await server.app.server.inject({ method: 'POST', url: `/simulator/calls/${call.sid}/Hangup`, headers: { authorization: server.auth, ...FORM }, payload: '' });
      assert.equal(late.statusCode, 409);
      assert.equal(late.json().code, 20409);
    } finally {
      await server.close();
    }
  });
});
