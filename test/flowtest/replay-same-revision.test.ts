// Replaying an execution against the very revision it ran reports no divergence, so CI's
// `replay --fail-on-divergence` passes on unchanged flows: an execution still waiting in Send & Wait
// (its question has no step yet: it comes from the stored state's waiting frame), one ended by hand
// while waiting, and calls through the simulator phone (the call's identity — CallSid, Called,
// Caller — is not an output difference; FinishedOnKey, empty Digits on silence and the recognizer's
// Confidence are replayed as they came). Answers the outside world made up — a Flex task's SID, a
// Conversation's, a dialled call's, a recording's, a queue's — are replayed as recorded, not made
// afresh. Real changes still show.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { runCliInProcess } from '../support/cli-in-process.ts';
import { startTestServer, FORM, form, type TestServer } from '../support/server.ts';
import { replayCommand } from '../../src/cli/replay.ts';
import { triggerFlow } from '../support/flows.ts';

const example = (name: string) => JSON.parse(readFileSync(new URL(`../../examples/flows/${name}`, import.meta.url), 'utf8'));
const QUESTION = 'Hi! What size pizza? Reply S, M or L.';
const WORKFLOW = 'WW' + '0'.repeat(32);
const SERVICE = 'IS' + 'b'.repeat(32);

/** Asks a name, hands the conversation to Flex with it, and says so. */
function flexFlow(attributes = '{"name":"{{widgets.ask.inbound.Body}}","from":"{{trigger.message.From}}"}') {
  return triggerFlow('flex', 'incomingMessage', 'ask', [
    { name: 'ask', type: 'send-and-wait-for-reply', transitions: [{ event: 'incomingMessage', next: 'flex' }, { event: 'timeout' }, { event: 'deliveryFailure' }], properties: { offset: { x: 0, y: 100 }, from: '{{flow.channel.address}}', body: 'Your name?', timeout: '3600' } },
    { name: 'flex', type: 'send-to-flex', transitions: [{ event: 'callComplete', next: 'done' }, { event: 'failedToEnqueue' }, { event: 'callFailure' }], properties: { offset: { x: 0, y: 200 }, workflow: WORKFLOW, channel: 'sms', attributes } },
    { name: 'done', type: 'send-message', transitions: [{ event: 'sent' }, { event: 'failed' }], properties: { offset: { x: 0, y: 300 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'An agent will be with you, {{widgets.ask.inbound.Body}}.' } },
  ]);
}

/** Opens a Conversation with the contact and writes in it. */
const conversationFlow = triggerFlow('conversation', 'incomingRequest', 'open', [
  {
    name: 'open',
    type: 'start-conversation',
    transitions: [{ event: 'created', next: 'hello' }, { event: 'failed' }],
    properties: { offset: { x: 0, y: 100 }, conversation_service_sid: SERVICE, friendly_name: 'Support', participants: [{ type: 'sms', messaging_binding_address: '{{contact.channel.address}}', messaging_binding_proxy_address: '{{flow.channel.address}}' }] },
  },
  { name: 'hello', type: 'send-message', transitions: [{ event: 'sent' }, { event: 'failed' }], properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'Hello in {{widgets.open.conversation.sid}}' } },
]);

/** Answers, starts recording the call (Call Recording: only an answered call can be), then says which recording it is. */
const recordingFlow = triggerFlow('recording', 'incomingCall', 'hello', [
  { name: 'hello', type: 'say-play', transitions: [{ event: 'audioComplete', next: 'rec' }], properties: { offset: { x: 0, y: 50 }, say: 'This call is recorded.', loop: 1 } },
  { name: 'rec', type: 'record-call', transitions: [{ event: 'success', next: 'say' }, { event: 'failed' }], properties: { offset: { x: 0, y: 100 }, record_call: true } },
  { name: 'say', type: 'say-play', transitions: [{ event: 'audioComplete' }], properties: { offset: { x: 0, y: 200 }, say: 'Recording {{widgets.rec.Sid}}', loop: 1 } },
]);

describe('replay against the revision an execution ran', () => {
  let s: TestServer;
  let pizzaSid = '';
  let ivrSid = '';
  let finishKeySid = '';
  let flexSid = '';
  let conversationSid = '';
  let callOutcomesSid = '';
  let recordingSid = '';
  before(async () => {
    s = await startTestServer({ listen: true });
    pizzaSid = (await s.app.flows.create(s.account.sid, { friendlyName: 'Pizza', status: 'published', definition: example('pizza-order.json') })).sid;
    ivrSid = (await s.app.flows.create(s.account.sid, { friendlyName: 'IVR', status: 'published', definition: example('ivr.json') })).sid;
    // A menu that takes up to 3 keys ended by '#'.
    const finishKey = example('ivr.json');
    finishKey.states.find((st: { name: string }) => st.name === 'menu').properties.number_of_digits = 3;
    finishKeySid = (await s.app.flows.create(s.account.sid, { friendlyName: 'IVR #', status: 'published', definition: finishKey })).sid;
    flexSid = (await s.app.flows.create(s.account.sid, { friendlyName: 'Flex', status: 'published', definition: flexFlow() })).sid;
    conversationSid = (await s.app.flows.create(s.account.sid, { friendlyName: 'Conversation', status: 'published', definition: conversationFlow })).sid;
    recordingSid = (await s.app.flows.create(s.account.sid, { friendlyName: 'Call Recording', status: 'published', definition: recordingFlow })).sid;
    callOutcomesSid = (await s.app.flows.create(s.account.sid, { friendlyName: 'Dial, queue, voicemail', status: 'published', definition: JSON.parse(readFileSync(new URL('fixtures/call-outcomes.json', import.meta.url), 'utf8')) })).sid;
  });
  after(() => s?.close());

  const post = (url: string, fields: Record<string, string>) => s.app.server.inject({ method: 'POST', url, headers: { authorization: s.auth, ...FORM }, payload: form(fields) });
  const replay = async (flowSid: string, executionSid: string, definition?: unknown) => {
    const r = definition
      ? await post(`/replay/Flows/${flowSid}/Executions/${executionSid}`, { Definition: JSON.stringify(definition) })
      : await s.app.server.inject({ method: 'GET', url: `/replay/Flows/${flowSid}/Executions/${executionSid}`, headers: { authorization: s.auth } });
    assert.equal(r.statusCode, 200, r.body);
    return r.json();
  };
  const restExecution = async (to: string) => {
    const r = await post(`/v2/Flows/${pizzaSid}/Executions`, { To: to, From: '+15005550006' });
    assert.equal(r.statusCode, 201, r.body);
    await s.app.executions.idle();
    return r.json().sid as string;
  };
  const phoneCall = async (flowSid: string, actions: [string, Record<string, string>][]) => {
    const r = await post('/simulator/calls', { FlowSid: flowSid, From: '+15551112222' });
    assert.equal(r.statusCode, 201, r.body);
    const { sid, execution_sid: executionSid } = r.json();
    for (const [action, fields] of actions) {
      const a = await post(`/simulator/calls/${sid}/${action}`, fields);
      assert.equal(a.statusCode, 200, a.body);
    }
    await s.app.executions.idle();
    return executionSid as string;
  };
  const cli = async (flowSid: string, executionSid: string) => {
    const run = await runCliInProcess(replayCommand, [executionSid, '--flow', flowSid, '--fail-on-divergence', '--base-url', s.baseUrl, '--account-sid', s.account.sid, '--auth-token', s.account.authToken], process.cwd());
    return { code: run.code, out: run.stdout + run.stderr };
  };

  it('an execution waiting in Send & Wait: its question is on the recorded side too', async () => {
    const executionSid = await restExecution('+15551230001');
    const body = await replay(pizzaSid, executionSid);
    assert.deepEqual(body.original.messages, [QUESTION]);
    assert.deepEqual(body.replay.messages, [QUESTION]);
    assert.equal(body.replay.end, 'waiting');
    assert.equal(body.diverged, false, JSON.stringify(body));

    const run = await cli(pizzaSid, executionSid);
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /same path \(Trigger → ask_size\), same messages and outputs/);

    // A revision that asks differently still shows, as a changed message.
    const changed = example('pizza-order.json');
    changed.states.find((st: { name: string }) => st.name === 'ask_size').properties.body = 'Which size? S, M or L.';
    const diff = await replay(pizzaSid, executionSid, changed);
    assert.equal(diff.diverged, true);
    assert.deepEqual(diff.message_diff, [`- ${JSON.stringify(QUESTION)}`, '+ "Which size? S, M or L."']);
  });

  it('an execution ended by hand while waiting: the question it never kept is left out, with a note', async () => {
    const executionSid = await restExecution('+15551230002');
    const ended = await post(`/v2/Flows/${pizzaSid}/Executions/${executionSid}`, { Status: 'ended' });
    assert.equal(ended.statusCode, 200, ended.body);
    await s.app.executions.idle();
    const body = await replay(pizzaSid, executionSid);
    assert.equal(body.diverged, false, JSON.stringify(body));
    assert.equal(body.replay.end, 'manual');
    assert.ok(body.notes.some((n: string) => n.includes(JSON.stringify(QUESTION)) && /not compared/.test(n)), JSON.stringify(body.notes));
  });

  it('a simulator call that pressed 1: the call parameters are not output differences', async () => {
    const executionSid = await phoneCall(ivrSid, [['Digits', { Digits: '1' }]]);
    const body = await replay(ivrSid, executionSid);
    assert.deepEqual(body.original.path, ['Trigger', 'menu', 'choice', 'hours']);
    assert.deepEqual(body.output_differences, []);
    assert.equal(body.diverged, false, JSON.stringify(body));

    const run = await cli(ivrSid, executionSid);
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /same path/);
  });

  it('silence, speech (with its confidence) and a hang-up replay as they came', async () => {
    for (const actions of [
      [['Silence', {}], ['Speech', { SpeechResult: 'address', Confidence: '0.5' }]],
      [['Silence', {}], ['Hangup', {}]],
    ] as [string, Record<string, string>][][]) {
      const executionSid = await phoneCall(ivrSid, actions);
      const body = await replay(ivrSid, executionSid);
      assert.equal(body.diverged, false, JSON.stringify(body));
    }
  });

  it('keys ended by the finish key: the same Gather ends the same way, a changed finish key shows', async () => {
    const executionSid = await phoneCall(finishKeySid, [['Digits', { Digits: '1#' }]]);
    const same = await replay(finishKeySid, executionSid);
    assert.equal(same.diverged, false, JSON.stringify(same));

    const changed = example('ivr.json');
    Object.assign(changed.states.find((st: { name: string }) => st.name === 'menu').properties, { number_of_digits: 3, finish_on_key: '*' });
    const diff = await replay(finishKeySid, executionSid, changed);
    assert.equal(diff.diverged, true);
    const menu = diff.output_differences.find((d: { widget: string }) => d.widget === 'menu');
    assert.ok(menu, JSON.stringify(diff.output_differences));
    assert.deepEqual([menu.original.Digits, menu.original.FinishedOnKey], ['1', '#']);
    assert.deepEqual([menu.replay.Digits, menu.replay.FinishedOnKey], ['1#', '']);
  });

  it('a hand-off to Flex: the task the recording made is the task the replay makes', async () => {
    const text = async (body: string) => {
      const r = await post(`/simulator/Flows/${flexSid}/Messages`, { From: '+15551239999', Body: body });
      assert.equal(r.statusCode, 201, r.body);
      return r.json().execution_sid as string;
    };
    const executionSid = await text('hi');
    await text('Ada');
    const body = await replay(flexSid, executionSid);
    assert.deepEqual(body.original.path, ['Trigger', 'ask', 'flex', 'done']);
    assert.deepEqual(body.output_differences, []);
    assert.equal(body.diverged, false, JSON.stringify(body));
    const run = await cli(flexSid, executionSid);
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /same path/);

    // The attributes the revision renders are still compared (only the task's identity is replayed).
    const diff = await replay(flexSid, executionSid, flexFlow('{"name":"{{widgets.ask.inbound.Body | upcase}}"}'));
    assert.equal(diff.diverged, true);
    const flex = diff.output_differences.find((d: { widget: string }) => d.widget === 'flex');
    assert.ok(flex, JSON.stringify(diff.output_differences));
    assert.equal(flex.replay.TaskSid, flex.original.TaskSid);
    assert.deepEqual(flex.replay.Attributes, { name: 'ADA' });
  });

  it('a Conversation the execution opened: its SID and webhook are replayed as recorded', async () => {
    const r = await post(`/v2/Flows/${conversationSid}/Executions`, { To: '+15551230003', From: '+15005550006' });
    assert.equal(r.statusCode, 201, r.body);
    await s.app.executions.idle();
    const body = await replay(conversationSid, r.json().sid);
    assert.deepEqual(body.original.path, ['Trigger', 'open', 'hello']);
    assert.equal(body.diverged, false, JSON.stringify(body));
  });

  it('a call that was dialled on, queued and left a voicemail: the call, queue and recording are replayed as recorded', async () => {
    const executionSid = await phoneCall(callOutcomesSid, [
      ['Dial', { Status: 'completed', Duration: '12' }],
      ['Queue', { QueueResult: 'bridged', QueueTime: '7' }],
      ['Recording', { Duration: '9', FinishKey: '#' }],
    ]);
    const body = await replay(callOutcomesSid, executionSid);
    assert.deepEqual(body.original.path, ['Trigger', 'dial_sales', 'queue', 'voicemail', 'thanks']);
    assert.deepEqual(body.output_differences, []);
    assert.equal(body.diverged, false, JSON.stringify(body));

    // A dial that went unanswered is replayed unanswered.
    const busy = await phoneCall(callOutcomesSid, [['Dial', { Status: 'busy' }], ['Queue', { QueueResult: 'queue-full' }]]);
    const replayed = await replay(callOutcomesSid, busy);
    assert.deepEqual(replayed.original.path, ['Trigger', 'dial_sales', 'queue', 'queue_full']);
    assert.equal(replayed.diverged, false, JSON.stringify(replayed));

    // A caller who hung up during the dial: the action came with the call over, so `hangup`.
    const hungUp = await phoneCall(callOutcomesSid, [['Hangup', {}]]);
    const gone = await replay(callOutcomesSid, hungUp);
    assert.deepEqual(gone.original.path, ['Trigger', 'dial_sales', 'log_hangup']);
    assert.equal(gone.diverged, false, JSON.stringify(gone));
    assert.deepEqual(gone.notes, []);
  });

  it('a call recording the execution started: the recording resource is replayed as recorded', async () => {
    const executionSid = await phoneCall(recordingSid, []);
    const body = await replay(recordingSid, executionSid);
    assert.deepEqual(body.original.path, ['Trigger', 'hello', 'rec', 'say']);
    assert.deepEqual(body.output_differences, []);
    assert.equal(body.diverged, false, JSON.stringify(body));
  });
});
