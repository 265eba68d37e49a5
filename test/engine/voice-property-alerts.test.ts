// Voice widget properties that are unusable after Liquid: Studio leaves them out (or uses the default)
// and raises warning 81028 (§6.7): hold-music URLs of Enqueue Call and Send to Flex, and the prompt
// `loop` of Say/Play and Gather (Twilio repeats loop="0" forever). Also the Recording resource fields
// Record Voicemail adds to the <Record> action's parameters (§2.8).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { executionContext, handleEvent } from '../../src/engine/interpreter.ts';
import type { CallWait, EngineInput, ExecutionState, JsonObject, SprintResult, TwimlNode } from '../../src/engine/types.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';
import { startFlow } from './helpers.ts';

const ACCOUNT = 'AC' + 'a'.repeat(32);
const CALL: JsonObject = { CallSid: 'CA' + '1'.repeat(32), From: '+15551230001', To: '+15005550006', CallStatus: 'ringing', Direction: 'inbound', AccountSid: ACCOUNT };

/** incomingCall → widget `w`, whose events all end the flow; the flow's variable `hold` is "music". */
function flowWith(type: string, properties: JsonObject, events: string[]): FlowDefinition {
  return {
    description: `${type} alerts`,
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [
      { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingCall', next: 'v' }], properties: { offset: { x: 0, y: 0 } } },
      { name: 'v', type: 'set-variables', transitions: [{ event: 'next', next: 'w' }], properties: { offset: { x: 0, y: 50 }, variables: [{ key: 'hold', value: 'music' }] } },
      { name: 'w', type, transitions: events.map((event) => ({ event })), properties: { offset: { x: 0, y: 100 }, ...properties } },
    ],
  } as unknown as FlowDefinition;
}

function enter(type: string, properties: JsonObject, events: string[]): { input: EngineInput; result: SprintResult; twiml: TwimlNode[]; warnings: string[] } {
  const { input, result } = startFlow(flowWith(type, properties, events), 'incomingCall', { call: CALL });
  const wait = result.state.frames.at(-1)!.wait as CallWait;
  assert.equal(wait?.kind, 'call', `waiting on the call, got ${JSON.stringify(wait)}`);
  const warnings = result.diagnostics.filter((d) => d.code === 81028).map((d) => d.message);
  for (const d of result.diagnostics.filter((d) => d.code === 81028)) {
    assert.equal(d.level, 'warning');
    assert.equal(d.widget, 'w');
  }
  return { input, result, twiml: wait.twiml, warnings };
}

describe('Enqueue Call / Send to Flex: a hold-music URL that is not an http(s) URL is left out with 81028', () => {
  const enqueueEvents = ['callComplete', 'failedToEnqueue', 'callFailure'];
  const flex = { workflow: 'WW' + '1'.repeat(32), channel: 'TC' + '2'.repeat(32), attributes: '{}' };

  it('Enqueue Call wait_url rendering to "music not a url": no waitUrl, one warning naming it', () => {
    const run = enter('enqueue-call', { queue_name: 'q', wait_url: '{{flow.variables.hold}} not a url' }, enqueueEvents);
    assert.deepEqual(run.twiml[0]!.attributes, { method: 'POST' });
    assert.equal(run.twiml[0]!.text, 'q');
    assert.deepEqual(run.warnings, [
      "Enqueue Call wait_url '{{flow.variables.hold}} not a url' (rendered 'music not a url') is not an http(s) URL; it is left out and the default hold music plays",
    ]);
  });
  it('Enqueue Call: a relative or non-http URL is left out too; an http(s) URL or none gives no warning', () => {
    assert.deepEqual(enter('enqueue-call', { queue_name: 'q', wait_url: 'ftp://cdn.example/hold.mp3' }, enqueueEvents).warnings.length, 1);
    const good = enter('enqueue-call', { queue_name: 'q', wait_url: 'https://cdn.example/{{flow.variables.hold}}.xml', wait_url_method: 'POST' }, enqueueEvents);
    assert.deepEqual(good.twiml[0]!.attributes, { method: 'POST', waitUrl: 'https://cdn.example/music.xml', waitUrlMethod: 'POST' });
    assert.deepEqual(good.warnings, []);
    assert.deepEqual(enter('enqueue-call', { queue_name: 'q', wait_url: '' }, enqueueEvents).warnings, []);
    assert.deepEqual(enter('enqueue-call', { queue_name: 'q', wait_url: '{{flow.variables.none}}' }, enqueueEvents).warnings, [], 'empty after Liquid is unset, silently');
  });
  it('Send to Flex on a call: waitUrl "hold.mp3" is left out with a warning; the hand-off still happens', () => {
    const run = enter('send-to-flex', { ...flex, waitUrl: 'hold.mp3' }, enqueueEvents);
    assert.equal(run.twiml[0]!.verb, 'Enqueue');
    assert.deepEqual(run.twiml[0]!.attributes, { workflowSid: flex.workflow, method: 'POST' });
    assert.deepEqual(run.warnings, ["Send to Flex waitUrl 'hold.mp3' is not an http(s) URL; it is left out and the default hold music plays"]);
    const good = enter('send-to-flex', { ...flex, waitUrl: 'https://cdn.example/hold.xml' }, enqueueEvents);
    assert.equal(good.twiml[0]!.attributes!.waitUrl, 'https://cdn.example/hold.xml');
    assert.deepEqual(good.warnings, []);
  });
});

describe('Say/Play and Gather: a prompt loop outside 1–99 plays once with 81028 (never loop="0", Twilio\'s forever)', () => {
  const gatherEvents = ['keypress', 'speech', 'timeout'];
  it('say-play loop 0 and 100 are not emitted; each raises one warning', () => {
    for (const loop of [0, 100, -3]) {
      const run = enter('say-play', { say: 'Hello', loop }, ['audioComplete']);
      assert.deepEqual(run.twiml[0], { verb: 'Say', attributes: {}, text: 'Hello' }, `loop ${loop}`);
      assert.deepEqual(run.warnings, [`Say/Play loop '${loop}' is not a whole number from 1 to 99; the default 1 is used`]);
    }
  });
  it('say-play: a rendered loop is taken when it is 1–99; a non-integer falls back', () => {
    const run = enter('say-play', { play: 'https://cdn.example/a.mp3', loop: '{{ 2 | plus: 1 }}' }, ['audioComplete']);
    assert.deepEqual(run.twiml[0], { verb: 'Play', attributes: { loop: 3 }, text: 'https://cdn.example/a.mp3' });
    assert.deepEqual(run.warnings, []);
    assert.deepEqual(enter('say-play', { say: 'Hi', loop: 99 }, ['audioComplete']).twiml[0]!.attributes, { loop: 99 });
    const half = enter('say-play', { say: 'Hi', loop: '{{ 5 | divided_by: 2.0 }}' }, ['audioComplete']);
    assert.deepEqual(half.twiml[0]!.attributes, {});
    assert.deepEqual(half.warnings, ["Say/Play loop '{{ 5 | divided_by: 2.0 }}' (rendered '2.5') is not a whole number from 1 to 99; the default 1 is used"]);
  });
  it('say-play digits carry no loop, so a bad loop there says nothing', () => {
    const run = enter('say-play', { digits: '12#', loop: 0 }, ['audioComplete']);
    assert.deepEqual(run.twiml[0], { verb: 'Play', attributes: { digits: '12#' } });
    assert.deepEqual(run.warnings, []);
  });
  it('gather prompt loop 0 is left out with a warning, next to its other property warnings', () => {
    const run = enter('gather-input-on-call', { say: 'Press 1', loop: 0 }, gatherEvents);
    assert.deepEqual(run.twiml[0]!.children, [{ verb: 'Say', attributes: {}, text: 'Press 1' }]);
    assert.deepEqual(run.warnings, ["Gather loop '0' is not a whole number from 1 to 99; the default 1 is used"]);
    const ok = enter('gather-input-on-call', { say: 'Press 1', loop: 2 }, gatherEvents);
    assert.deepEqual(ok.twiml[0]!.children, [{ verb: 'Say', attributes: { loop: 2 }, text: 'Press 1' }]);
    assert.deepEqual(ok.warnings, []);
  });
});

describe('Record Voicemail outputs: the Recording resource fields the action parameters determine (§2.8)', () => {
  const events = ['recordingComplete', 'noAudio', 'hangup'];
  function record(params: JsonObject, fallthrough = false): JsonObject {
    const { input, result } = startFlow(flowWith('record-voicemail', {}, events), 'incomingCall', { call: CALL });
    const state: ExecutionState = result.state;
    const wait = state.frames.at(-1)!.wait as CallWait;
    const after = handleEvent(input, state, { type: 'call-callback', callbackId: wait.callbackId, params: { ...CALL, CallStatus: 'in-progress', ...params }, ...(fallthrough ? { fallthrough: true } : {}) });
    assert.equal(after.state.status, 'ended');
    return (executionContext(after.state).widgets as JsonObject).w as JsonObject;
  }
  const RE = 'RE' + '3'.repeat(32);

  it('adds Sid, Uri, Channels, Source, Duration and Status next to the parameters; no Price or dates', () => {
    const out = record({ RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT}/Recordings/${RE}`, RecordingDuration: '9', RecordingSid: RE, Digits: '#' });
    assert.equal(out.Sid, RE);
    assert.equal(out.Uri, `/2010-04-01/Accounts/${ACCOUNT}/Recordings/${RE}.json`);
    assert.equal(out.Channels, '1');
    assert.equal(out.Source, 'RecordVerb');
    assert.equal(out.Duration, '9');
    assert.equal(out.Status, 'completed');
    assert.equal(out.CallSid, CALL.CallSid);
    assert.equal(out.AccountSid, ACCOUNT);
    assert.equal(out.RecordingDuration, '9');
    assert.equal(out.Digits, '#');
    for (const absent of ['Price', 'PriceUnit', 'DateCreated', 'DateUpdated']) assert.equal(Object.hasOwn(out, absent), false, absent);
  });
  it('never replaces a parameter the request carried; RecordingChannels gives Channels', () => {
    const out = record({ RecordingUrl: 'https://api.example/RE1', RecordingSid: RE, RecordingDuration: '4', RecordingChannels: '2', Status: 'absent', Source: 'Mine', Sid: 'RE-given' });
    assert.equal(out.Channels, '2');
    assert.equal(out.Status, 'absent');
    assert.equal(out.Source, 'Mine');
    assert.equal(out.Sid, 'RE-given');
  });
  it('without AccountSid there is no Uri; with no recording (noAudio) no recording fields are made up', () => {
    const noAccount = record({ AccountSid: '', RecordingUrl: 'https://api.example/RE1', RecordingSid: RE, RecordingDuration: '4' });
    assert.equal(Object.hasOwn(noAccount, 'Uri'), false);
    assert.equal(noAccount.Sid, RE);
    const silent = record({}, true);
    for (const absent of ['Sid', 'Uri', 'Channels', 'Source', 'Duration', 'Status']) assert.equal(Object.hasOwn(silent, absent), false, absent);
    assert.equal(silent.CallSid, CALL.CallSid);
  });
});
