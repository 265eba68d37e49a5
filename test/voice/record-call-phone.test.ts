// record-call on the simulator phone answers as Twilio's Call Recordings API (and so the Twilio
// carrier) does: a stop returns the recording that was started (Twilio.CURRENT), not a new one; a
// stop with nothing recording fails with 20404; a call not yet answered (record-call as an incoming
// call's first widget, while its webhook is being answered) cannot be recorded (21220).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject } from '../../src/engine/types.ts';
import { contextOf } from '../../src/runtime/execution-context.ts';
import { call, phone, said, serverWithFlow, stepsOf } from './support.ts';

type State = { name: string; type: string; transitions: { event: string; next?: string }[]; properties: Record<string, unknown> };

const say = (name: string, text: string, next?: string): State => ({
  name,
  type: 'say-play',
  transitions: [{ event: 'audioComplete', ...(next ? { next } : {}) }],
  properties: { offset: { x: 0, y: 0 }, say: text },
});

const recordCall = (name: string, properties: Record<string, unknown>, success: string, failed: string): State => ({
  name,
  type: 'record-call',
  transitions: [{ event: 'success', next: success }, { event: 'failed', next: failed }],
  properties: { offset: { x: 0, y: 0 }, ...properties },
});

function callFlow(first: string, states: State[]) {
  return {
    description: 'call recording',
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [{ name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingCall', next: first }], properties: { offset: { x: 0, y: 0 } } }, ...states],
  };
}

/** Calls the flow from the simulator phone; the call runs to its end (no widget waits for the caller). */
async function run(definition: unknown): Promise<{ said: string[]; steps: string[]; widgets: Record<string, JsonObject> }> {
  const { server, flowSid } = await serverWithFlow(definition);
  try {
    const view = await call(server, flowSid);
    await server.app.executions.idle();
    const done = await phone(server, `/simulator/calls/${view.sid}`, {}, 'GET');
    assert.equal(done.status, 'completed');
    const execution = (await server.app.store.getExecutionBySid(view.execution_sid!))!;
    return {
      said: said(done),
      steps: await stepsOf(server, flowSid, execution.sid),
      widgets: (contextOf(execution) as { widgets: Record<string, JsonObject> }).widgets,
    };
  } finally {
    await server.close();
  }
}

describe('record-call on the simulator phone', () => {
  it('a stop returns the recording the start made (same Sid, Channels), now stopped', async () => {
    const result = await run(callFlow('greet', [
      say('greet', 'This call may be recorded.', 'rec_on'),
      recordCall('rec_on', { record_call: true, recording_channels: 'mono' }, 'talk', 'sorry'),
      say('talk', 'Go ahead.', 'rec_off'),
      recordCall('rec_off', { record_call: false }, 'bye', 'sorry'),
      say('bye', 'Stopped {{widgets.rec_off.Sid}}.'),
      say('sorry', 'Recording failed: {{widgets.rec_on.ErrorCode}}{{widgets.rec_off.ErrorCode}}'),
    ]));
    const on = result.widgets.rec_on!;
    const off = result.widgets.rec_off!;
    assert.match(String(on.Sid), /^RE[0-9a-f]{32}$/);
    assert.equal(on.Status, 'in-progress');
    assert.equal(on.Channels, 1);
    assert.equal(off.Sid, on.Sid, 'Twilio.CURRENT is the recording that was started');
    assert.equal(off.Status, 'stopped');
    assert.equal(off.Channels, 1);
    assert.equal(off.StartTime, on.StartTime);
    assert.equal(off.Uri, on.Uri);
    assert.deepEqual(result.said, ['This call may be recorded.', 'Go ahead.', `Stopped ${String(on.Sid)}.`]);
  });

  it('a stop with nothing being recorded fails with 20404, as Twilio answers', async () => {
    const result = await run(callFlow('greet', [
      say('greet', 'Hello.', 'rec_off'),
      recordCall('rec_off', { record_call: false }, 'bye', 'sorry'),
      say('bye', 'Stopped.'),
      say('sorry', 'Failed {{widgets.rec_off.ErrorCode}}.'),
    ]));
    assert.deepEqual(result.steps, ['Trigger -incomingCall-> greet', 'greet -audioComplete-> rec_off', 'rec_off -failed-> sorry', 'sorry -audioComplete-> Ended']);
    assert.equal(result.widgets.rec_off!.ErrorCode, 20404);
    assert.deepEqual(result.said, ['Hello.', 'Failed 20404.']);
  });

  it('a second stop after a start and a stop fails with 20404 too', async () => {
    const result = await run(callFlow('greet', [
      say('greet', 'Hello.', 'rec_on'),
      recordCall('rec_on', { record_call: true }, 'rec_off', 'sorry'),
      recordCall('rec_off', { record_call: false }, 'rec_off_again', 'sorry'),
      recordCall('rec_off_again', { record_call: false }, 'bye', 'sorry'),
      say('bye', 'Stopped twice.'),
      say('sorry', 'Failed {{widgets.rec_off_again.ErrorCode}}.'),
    ]));
    assert.equal(result.widgets.rec_off!.Status, 'stopped');
    assert.equal(result.widgets.rec_off!.Channels, 2, 'dual, the widget default');
    assert.deepEqual(result.said, ['Hello.', 'Failed 20404.']);
  });

  it('record-call before the call is answered (an incoming call\'s first widget) fails with 21220', async () => {
    const result = await run(callFlow('rec_on', [
      recordCall('rec_on', { record_call: true }, 'recorded', 'sorry'),
      say('recorded', 'Recording.'),
      say('sorry', 'Failed {{widgets.rec_on.ErrorCode}}.'),
    ]));
    assert.deepEqual(result.steps, ['Trigger -incomingCall-> rec_on', 'rec_on -failed-> sorry', 'sorry -audioComplete-> Ended']);
    assert.equal(result.widgets.rec_on!.ErrorCode, 21220);
    assert.deepEqual(result.said, ['Failed 21220.']);
  });
});
