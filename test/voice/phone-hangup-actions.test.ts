// The simulator phone when the caller hangs up, as Twilio does: the action of the verb the call waits
// on is requested as the call ends (CallStatus completed), then the final status is sent. A Record the
// caller said nothing to has no recording and no action (the widget takes `hangup` once its grace for
// the action has passed); a message left before hanging up is requested with Digits=hangup. Pay's
// action has Result=caller-hung-up, Connect's the virtual agent's session. A Dial that asked to record
// and was answered carries RecordingUrl, RecordingSid and RecordingDuration.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject } from '../../src/engine/types.ts';
import { contextOf } from '../../src/runtime/execution-context.ts';
import { HANGUP_ACTION_GRACE_MS } from '../../src/engine/widgets/voice.ts';
import type { TestServer } from '../support/server.ts';
import { call, phone, said, serverWithFlow, stepsOf, type CallView } from './support.ts';

/** Trigger → w (the widget); `thanks` after `next` events, a note after `hangup`. */
function flowWith(type: string, properties: JsonObject, events: string[], next: string[] = []): unknown {
  return {
    description: `hangup during ${type}`,
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [
      { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingCall', next: 'w' }], properties: { offset: { x: 0, y: 0 } } },
      { name: 'w', type, transitions: events.map((event) => ({ event, ...(event === 'hangup' ? { next: 'note' } : next.includes(event) ? { next: 'thanks' } : {}) })), properties: { offset: { x: 0, y: 100 }, ...properties } },
      { name: 'thanks', type: 'say-play', transitions: [{ event: 'audioComplete' }], properties: { offset: { x: 0, y: 200 }, say: 'Thanks.' } },
      { name: 'note', type: 'set-variables', transitions: [{ event: 'next' }], properties: { offset: { x: 200, y: 200 }, variables: [{ key: 'hung_up', value: 'yes' }] } },
    ],
  };
}

async function executionOf(server: TestServer, view: CallView) {
  await server.app.executions.idle();
  const execution = (await server.app.store.getExecutionBySid(view.execution_sid!))!;
  return { execution, widgets: (contextOf(execution) as { widgets: Record<string, JsonObject> }).widgets };
}

const RECORDING_URL = /^https:\/\/api\.twilio\.com\/2010-04-01\/Accounts\/AC[0-9a-f]{32}\/Recordings\/RE[0-9a-f]{32}$/;

describe('simulator phone: hanging up during a Record', () => {
  const VOICEMAIL = flowWith('record-voicemail', { timeout: 5, max_length: 60 }, ['recordingComplete', 'noAudio', 'hangup'], ['recordingComplete', 'noAudio']);

  it('hung up before saying anything: no recording and no action; the widget takes hangup after its grace', async () => {
    let now = Date.parse('2026-05-04T09:00:00Z');
    const { server, flowSid } = await serverWithFlow(VOICEMAIL, { now: () => now });
    try {
      const started = await call(server, flowSid, '+15551230501');
      assert.equal(started.waiting_for?.kind, 'record');
      now += 3_000; // seconds at the beep, in silence
      const ended = await phone(server, `/simulator/calls/${started.sid}/Hangup`);
      assert.equal(ended.status, 'completed');
      assert.ok(!ended.transcript.some((l) => l.kind === 'recording'), JSON.stringify(ended.transcript));
      // No action came (it would have left by recordingComplete): the widget waits out its grace.
      assert.equal((await executionOf(server, ended)).execution.status, 'active', 'waiting for an action that does not come');
      now += HANGUP_ACTION_GRACE_MS;
      await server.app.executions.fireDueTimers();
      const { execution, widgets } = await executionOf(server, ended);
      assert.equal(execution.status, 'ended');
      assert.deepEqual(await stepsOf(server, flowSid, ended.execution_sid!), ['Trigger -incomingCall-> w', 'w -hangup-> note', 'note -next-> Ended']);
      assert.equal(widgets.w!.CallStatus, 'completed');
      assert.equal(widgets.w!.RecordingUrl, undefined);
      assert.equal(widgets.w!.Digits, undefined);
    } finally {
      await server.close();
    }
  });

  it('a message left before hanging up (Hangup with RecordedSeconds): the action with the recording and Digits=hangup, recordingComplete', async () => {
    const { server, flowSid } = await serverWithFlow(VOICEMAIL);
    try {
      const started = await call(server, flowSid, '+15551230502');
      const ended = await phone(server, `/simulator/calls/${started.sid}/Hangup`, { RecordedSeconds: '7' });
      assert.equal(ended.status, 'completed');
      assert.ok(!said(ended).includes('Thanks.'), 'the TwiML after the hangup is not played');
      const { execution, widgets } = await executionOf(server, ended);
      assert.equal(execution.status, 'ended', 'the action came: no grace to wait out');
      assert.deepEqual(await stepsOf(server, flowSid, ended.execution_sid!), ['Trigger -incomingCall-> w', 'w -recordingComplete-> thanks']);
      assert.equal(widgets.w!.Digits, 'hangup');
      assert.equal(widgets.w!.RecordingDuration, '7');
      assert.match(String(widgets.w!.RecordingUrl), RECORDING_URL);
      assert.equal(await server.app.store.nextTimerDue(), null);
    } finally {
      await server.close();
    }
  });
});

describe('simulator phone: Connect Call To with record', () => {
  const dialFlow = (record: boolean) => flowWith('connect-call-to', { noun: 'number', to: '+15550001111', caller_id: '{{trigger.call.To}}', record }, ['callCompleted', 'hangup'], ['callCompleted']);

  it('answered: the Dial action carries the recording (RecordingUrl, RecordingSid, RecordingDuration)', async () => {
    const { server, flowSid } = await serverWithFlow(dialFlow(true));
    try {
      const started = await call(server, flowSid, '+15551230503');
      assert.equal(started.waiting_for?.kind, 'dial');
      const done = await phone(server, `/simulator/calls/${started.sid}/Dial`, { Status: 'completed', Duration: '20' });
      const { widgets } = await executionOf(server, done);
      const dial = widgets.w!;
      assert.equal(dial.DialCallStatus, 'completed');
      assert.match(String(dial.RecordingUrl), RECORDING_URL);
      assert.equal(String(dial.RecordingUrl).split('/').at(-1), dial.RecordingSid);
      assert.equal(dial.RecordingDuration, '20');
    } finally {
      await server.close();
    }
  });

  it('not answered, or not recording: no recording', async () => {
    for (const [record, status] of [[true, 'busy'], [true, 'no-answer'], [false, 'completed']] as const) {
      const { server, flowSid } = await serverWithFlow(dialFlow(record));
      try {
        const started = await call(server, flowSid, '+15551230504');
        const done = await phone(server, `/simulator/calls/${started.sid}/Dial`, { Status: status });
        const dial = (await executionOf(server, done)).widgets.w!;
        assert.equal(dial.DialCallStatus, status);
        assert.equal(dial.RecordingUrl, undefined, `record ${record}, ${status}`);
        assert.equal(dial.RecordingSid, undefined);
      } finally {
        await server.close();
      }
    }
  });

  it('the caller hangs up while connected: hangup, with the recording', async () => {
    const { server, flowSid } = await serverWithFlow(dialFlow(true));
    try {
      const started = await call(server, flowSid, '+15551230505');
      const ended = await phone(server, `/simulator/calls/${started.sid}/Hangup`);
      const { execution, widgets } = await executionOf(server, ended);
      assert.equal(execution.status, 'ended');
      assert.deepEqual(await stepsOf(server, flowSid, ended.execution_sid!), ['Trigger -incomingCall-> w', 'w -hangup-> note', 'note -next-> Ended']);
      assert.match(String(widgets.w!.RecordingUrl), RECORDING_URL);
    } finally {
      await server.close();
    }
  });
});

describe('simulator phone: hanging up during Pay or a virtual agent requests the action', () => {
  const cases: [string, JsonObject, string[], (w: JsonObject) => void][] = [
    ['capture-payments', { payment_connector: 'Stripe', payment_amount: '5' }, ['success', 'maxFailedAttempts', 'providerError', 'payInterrupted', 'hangup', 'validationError'], (w) => assert.equal(w.Result, 'caller-hung-up')],
    ['connect-virtual-agent-v2', { connector_name: 'cx' }, ['completed', 'live-agent-handoff', 'hangup', 'failed', 'paused'], (w) => assert.equal(w.VirtualAgentStatus, 'completed')],
    ['connect-virtual-agent', { connector: 'es' }, ['return', 'hangup'], (w) => assert.equal(w.VirtualAgentStatus, 'completed')],
  ];
  for (const [type, properties, events, check] of cases) {
    it(`${type}: hangup at once, with the action's outputs (CallStatus completed)`, async () => {
      const { server, flowSid } = await serverWithFlow(flowWith(type, properties, events, events.filter((e) => e !== 'hangup')));
      try {
        const started = await call(server, flowSid, '+15551230506');
        assert.ok(['payment', 'virtual-agent'].includes(started.waiting_for?.kind ?? ''), JSON.stringify(started.waiting_for));
        const ended = await phone(server, `/simulator/calls/${started.sid}/Hangup`);
        assert.equal(ended.status, 'completed');
        const { execution, widgets } = await executionOf(server, ended);
        assert.equal(execution.status, 'ended', 'the action came with the hangup: no grace to wait out');
        assert.deepEqual(await stepsOf(server, flowSid, ended.execution_sid!), ['Trigger -incomingCall-> w', 'w -hangup-> note', 'note -next-> Ended']);
        assert.equal(widgets.w!.CallStatus, 'completed');
        check(widgets.w!);
        assert.equal(await server.app.store.nextTimerDue(), null, 'no grace timer left behind');
      } finally {
        await server.close();
      }
    });
  }
});
