// Replaying an execution against the very revision it ran reports no divergence, so CI's
// `replay --fail-on-divergence` passes on unchanged flows: an execution still waiting in Send & Wait
// (its question has no step yet: it comes from the stored state's waiting frame), one ended by hand
// while waiting, and calls through the simulator phone (the call's identity — CallSid, Called,
// Caller — is not an output difference; FinishedOnKey, empty Digits on silence and the recognizer's
// Confidence are replayed as they came). Real changes still show.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { runCliInProcess } from '../support/cli-in-process.ts';
import { startTestServer, FORM, form, type TestServer } from '../support/server.ts';
import { replayCommand } from '../../src/cli/replay.ts';

const example = (name: string) => JSON.parse(readFileSync(new URL(`../../examples/flows/${name}`, import.meta.url), 'utf8'));
const QUESTION = 'Hi! What size pizza? Reply S, M or L.';

describe('replay against the revision an execution ran', () => {
  let s: TestServer;
  let pizzaSid = '';
  let ivrSid = '';
  let finishKeySid = '';
  before(async () => {
    s = await startTestServer({ listen: true });
    pizzaSid = (await s.app.flows.create(s.account.sid, { friendlyName: 'Pizza', status: 'published', definition: example('pizza-order.json') })).sid;
    ivrSid = (await s.app.flows.create(s.account.sid, { friendlyName: 'IVR', status: 'published', definition: example('ivr.json') })).sid;
    // A menu that takes up to 3 keys ended by '#'.
    const finishKey = example('ivr.json');
    finishKey.states.find((st: { name: string }) => st.name === 'menu').properties.number_of_digits = 3;
    finishKeySid = (await s.app.flows.create(s.account.sid, { friendlyName: 'IVR #', status: 'published', definition: finishKey })).sid;
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
});
