// record-call on an account configured for the Twilio carrier: the widget starts and stops the
// call's recording through the Call Recordings API of a local fake of api.twilio.com (never the
// Internet). Twilio's call webhooks are played by the fake (signed with the upstream auth token);
// the recording requests' exact forms, paths and auth are checked, and Twilio's refusals take
// `failed` with Twilio's code and message.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseTwiml } from '../../src/channels/simulator/twiml-parse.ts';
import type { FakeTwilio, RecordedRequest } from '../support/fake-twilio.ts';
import { CONTACT, NUMBER, UPSTREAM_SID, UPSTREAM_TOKEN, createFlow, firstExecution, flow, stepList, useCarrierServer, waitForEnd, webhookUrl, widgetOutputs, type CarrierServer, type State } from './helpers.ts';

const CALL_SID = 'CA' + 'c0'.repeat(16);
const RECORDINGS = `/2010-04-01/Accounts/${UPSTREAM_SID}/Calls/${CALL_SID}/Recordings`;

const say = (name: string, text: string, next?: string): State => ({
  name,
  type: 'say-play',
  properties: { offset: { x: 0, y: 0 }, say: text },
  transitions: [{ event: 'audioComplete', ...(next ? { next } : {}) }],
});

const recordCall = (name: string, properties: Record<string, unknown>, success: string, failed: string): State => ({
  name,
  type: 'record-call',
  properties: { offset: { x: 0, y: 0 }, ...properties },
  transitions: [
    { event: 'success', next: success },
    { event: 'failed', next: failed },
  ],
});

const callFlow = (first: string, states: State[]) => flow(states, { incomingCall: first });

/** Start recording, talk, stop recording, goodbye; either recording step failing says so. */
const START_STOP = callFlow('greet', [
  say('greet', 'This call may be recorded.', 'rec_on'),
  recordCall(
    'rec_on',
    {
      record_call: true,
      recording_status_callback: 'https://hooks.example/rec?call={{trigger.call.CallSid}}',
      recording_status_callback_method: 'GET',
      recording_status_callback_events: 'in-progress completed',
      recording_channels: 'mono',
      trim: 'trim-silence',
    },
    'talk',
    'sorry',
  ),
  say('talk', 'Recording. Go ahead.', 'rec_off'),
  recordCall('rec_off', { record_call: false }, 'bye', 'sorry'),
  say('bye', 'Recording stopped. Goodbye.'),
  say('sorry', 'Recording failed: {{widgets.rec_on.ErrorCode}}{{widgets.rec_off.ErrorCode}}'),
]);

function callParams(status: string): Record<string, string> {
  return { AccountSid: UPSTREAM_SID, ApiVersion: '2010-04-01', CallSid: CALL_SID, CallStatus: status, Called: NUMBER, Caller: CONTACT, Direction: 'inbound', From: CONTACT, To: NUMBER };
}

/** Plays the call as Twilio does: the first webhook, then each Redirect, until the flow stops redirecting. */
async function runCall(server: CarrierServer, flowSid: string): Promise<{ said: string[]; last: string }> {
  const said: string[] = [];
  let url: string | null = webhookUrl(server, flowSid);
  let status = 'ringing';
  let last = '';
  for (let turn = 0; url && turn < 20; turn++) {
    const answer = await server.fake.postSigned(url, callParams(status));
    assert.equal(answer.status, 200, answer.body);
    status = 'in-progress';
    url = null;
    for (const verb of parseTwiml(answer.body)) {
      last = verb.tagName;
      if (verb.tagName === 'Say') said.push(verb.textContent ?? '');
      if (verb.tagName === 'Redirect') url = verb.textContent;
    }
  }
  return { said, last };
}

async function hangUpAndEnd(server: CarrierServer, flowSid: string): Promise<string> {
  const status = await server.fake.postSigned(webhookUrl(server, flowSid), { ...callParams('completed'), CallDuration: '42' });
  assert.equal(status.status, 200, status.body);
  const executionSid = await firstExecution(server, flowSid);
  await waitForEnd(server, executionSid);
  return executionSid;
}

function recordingPosts(fake: FakeTwilio): RecordedRequest[] {
  return fake.requests.filter((r) => r.method === 'POST' && r.path.startsWith(RECORDINGS));
}

describe('record-call on the Twilio carrier', () => {
  let fake: FakeTwilio;
  let server: CarrierServer;
  useCarrierServer((started) => ({ fake, server } = started));

  it('starts the recording with the widget\'s options and stops the current one; outputs are the Recording resource', async () => {
    const flowSid = await createFlow(server, START_STOP);
    const call = await runCall(server, flowSid);
    assert.deepEqual(call.said, ['This call may be recorded.', 'Recording. Go ahead.', 'Recording stopped. Goodbye.']);
    assert.equal(call.last, 'Hangup');
    const executionSid = await hangUpAndEnd(server, flowSid);
    assert.deepEqual(await stepList(server.app, server.account.sid, flowSid, executionSid), [
      'Trigger -incomingCall-> greet',
      'greet -audioComplete-> rec_on',
      'rec_on -success-> talk',
      'talk -audioComplete-> rec_off',
      'rec_off -success-> bye',
      'bye -audioComplete-> Ended',
    ]);

    const [start, stop, ...more] = recordingPosts(fake);
    assert.equal(more.length, 0, 'one start and one stop request');
    const basic = 'Basic ' + Buffer.from(`${UPSTREAM_SID}:${UPSTREAM_TOKEN}`).toString('base64');
    assert.equal(start!.path, `${RECORDINGS}.json`);
    assert.equal(start!.headers.authorization, basic);
    assert.equal(start!.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.deepEqual(start!.form, [
      ['RecordingStatusCallbackEvent', 'in-progress'],
      ['RecordingStatusCallbackEvent', 'completed'],
      ['RecordingStatusCallback', `https://hooks.example/rec?call=${CALL_SID}`],
      ['RecordingStatusCallbackMethod', 'GET'],
      ['Trim', 'trim-silence'],
      ['RecordingChannels', 'mono'],
    ]);
    assert.equal(stop!.path, `${RECORDINGS}/Twilio.CURRENT.json`);
    assert.equal(stop!.headers.authorization, basic);
    assert.deepEqual(stop!.form, [['Status', 'stopped']]);

    const recording = fake.recordings[0]!;
    assert.equal(recording.status, 'stopped', 'the fake saw the recording stopped');
    const started = await widgetOutputs(server.app, executionSid, 'rec_on');
    assert.equal(started.Sid, recording.sid);
    assert.equal(started.Status, 'in-progress');
    assert.equal(started.CallSid, CALL_SID);
    assert.equal(started.AccountSid, UPSTREAM_SID);
    assert.equal(started.Channels, 1);
    assert.equal(started.Source, 'StartCallRecordingAPI');
    assert.equal(started.Uri, `${RECORDINGS}/${String(recording.sid)}.json`);
    assert.equal(started.ConferenceSid, null);
    assert.equal(started.EncryptionDetails, null);
    const stopped = await widgetOutputs(server.app, executionSid, 'rec_off');
    assert.equal(stopped.Sid, recording.sid);
    assert.equal(stopped.Status, 'stopped');
  });

  it('a 400 from Twilio (the call is not in progress) takes failed with Twilio\'s code and message', async () => {
    fake.endedCalls.add(CALL_SID);
    const flowSid = await createFlow(server, START_STOP);
    const call = await runCall(server, flowSid);
    assert.deepEqual(call.said, ['This call may be recorded.', 'Recording failed: 21220']);
    const executionSid = await hangUpAndEnd(server, flowSid);
    assert.deepEqual(await stepList(server.app, server.account.sid, flowSid, executionSid), [
      'Trigger -incomingCall-> greet',
      'greet -audioComplete-> rec_on',
      'rec_on -failed-> sorry',
      'sorry -audioComplete-> Ended',
    ]);
    assert.equal(recordingPosts(fake).length, 1, 'a refusal is not retried');
    assert.deepEqual(await widgetOutputs(server.app, executionSid, 'rec_on'), { ErrorCode: 21220, ErrorMessage: 'Call is not in-progress. Cannot start recording.' });
  });

  it('stopping when nothing is being recorded is Twilio\'s 404: failed', async () => {
    const flowSid = await createFlow(server, callFlow('rec_off', [recordCall('rec_off', { record_call: false }, 'bye', 'sorry'), say('bye', 'Stopped.'), say('sorry', 'Nothing to stop: {{widgets.rec_off.ErrorCode}}')]));
    const call = await runCall(server, flowSid);
    assert.deepEqual(call.said, ['Nothing to stop: 20404']);
    const executionSid = await hangUpAndEnd(server, flowSid);
    assert.deepEqual(await stepList(server.app, server.account.sid, flowSid, executionSid), ['Trigger -incomingCall-> rec_off', 'rec_off -failed-> sorry', 'sorry -audioComplete-> Ended']);
    const [stop] = recordingPosts(fake);
    assert.equal(stop!.path, `${RECORDINGS}/Twilio.CURRENT.json`);
  });

  it('a 429 is retried (Twilio did nothing); a 500 is reported failed and never repeated (a second recording could start)', async () => {
    fake.failNext({ kind: 'status', status: 429, retryAfter: 0 });
    const flowSid = await createFlow(server, START_STOP);
    const retried = await runCall(server, flowSid);
    assert.deepEqual(retried.said, ['This call may be recorded.', 'Recording. Go ahead.', 'Recording stopped. Goodbye.']);
    const starts = recordingPosts(fake).filter((r) => r.path === `${RECORDINGS}.json`);
    assert.equal(starts.length, 2, 'the 429 and its retry');
    assert.deepEqual(starts[0]!.form, starts[1]!.form);
    assert.equal(fake.recordings.length, 1);
    await hangUpAndEnd(server, flowSid);

    const before = recordingPosts(fake).length;
    fake.failNext({ kind: 'created-then-500' });
    const secondCall = await createFlow(server, START_STOP);
    const unknown = await runCall(server, secondCall);
    assert.match(unknown.said.at(-1)!, /^Recording failed: 20500$/);
    assert.equal(recordingPosts(fake).length - before, 1, 'the start whose outcome is unknown is not repeated');
  });
});
