// Every voice widget on its own: the TwiML it produces (rendered with the real builder and parsed
// back with an XML parser), each of its events, and its outputs in the execution context. The
// engine is driven directly (pure), as a call webhook would drive it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { executionContext, handleEvent, startExecution } from '../../src/engine/interpreter.ts';
import type { CallWait, EngineEvent, ExecutionState, JsonObject, SprintResult } from '../../src/engine/types.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';
import { renderTwiml } from '../../src/api/twiml/render.ts';
import { HANGUP_ACTION_GRACE_MS } from '../../src/engine/widgets/voice.ts';
import { HANDOFF_GRACE_MS } from '../../src/engine/widgets/add-twiml-redirect.ts';
import { verbs, type Verb } from './support.ts';

const URLS = { action: 'https://sb.example/cb?sb=ACTION', fallthrough: 'https://sb.example/cb?sb=FALL' };
const CALL: JsonObject = { CallSid: 'CA' + '1'.repeat(32), From: '+15551230001', To: '+15005550006', CallStatus: 'ringing', Direction: 'inbound', AccountSid: 'AC' + 'a'.repeat(32) };

/** A flow: incomingCall → the widget; each of its events goes to a say-play named after the event. */
function flowWith(type: string, properties: JsonObject, events: string[], trigger: 'incomingCall' | 'incomingRequest' = 'incomingCall'): FlowDefinition {
  return {
    description: `${type} test`,
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [
      { name: 'Trigger', type: 'trigger', transitions: [{ event: trigger, next: 'w' }], properties: { offset: { x: 0, y: 0 } } },
      { name: 'w', type, transitions: events.map((event) => ({ event, next: `after_${event}` })), properties: { offset: { x: 0, y: 100 }, ...properties } },
      ...events.map((event) => ({ name: `after_${event}`, type: 'set-variables', transitions: [{ event: 'next' }], properties: { offset: { x: 0, y: 200 }, variables: [{ key: 'left_by', value: event }] } })),
    ],
  } as unknown as FlowDefinition;
}

class Run {
  definition: FlowDefinition;
  state!: ExecutionState;
  last!: SprintResult;
  counter = 0;
  now = Date.parse('2026-05-04T09:00:00Z');
  constructor(definition: FlowDefinition) {
    this.definition = definition;
  }
  input() {
    return { definition: this.definition, now: this.now, newId: (p: string) => p + (++this.counter).toString(16).padStart(32, '0') } as Parameters<typeof handleEvent>[0];
  }
  start(trigger: 'incomingCall' | 'incomingRequest' = 'incomingCall', data: JsonObject = { call: CALL }): this {
    this.last = startExecution(
      this.input(),
      { executionSid: 'FN' + 'b'.repeat(32), accountSid: 'AC' + 'a'.repeat(32), flowSid: 'FW' + 'c'.repeat(32), revision: 1, channelAddress: '+15005550006', contactAddress: '+15551230001' },
      trigger,
      data,
    );
    this.state = this.last.state;
    return this;
  }
  send(event: EngineEvent): this {
    this.last = handleEvent(this.input(), this.state, event);
    this.state = this.last.state;
    return this;
  }
  get wait(): CallWait {
    const wait = this.state.frames.at(-1)!.wait;
    assert.equal(wait?.kind, 'call', `waiting on a call, got ${JSON.stringify(wait)}`);
    return wait as CallWait;
  }
  twiml(): Verb[] {
    return verbs(renderTwiml(this.wait.twiml, URLS));
  }
  callback(params: JsonObject, fallthrough = false): this {
    return this.send({ type: 'call-callback', callbackId: this.wait.callbackId, params: { ...CALL, CallStatus: 'in-progress', ...params }, ...(fallthrough ? { fallthrough: true } : {}) });
  }
  hangup(): this {
    return this.send({ type: 'call-ended', params: { ...CALL, CallStatus: 'completed', CallDuration: '12' } });
  }
  /** The grace timer Record and Dial set at a hangup fires (the action never came). */
  graceElapsed(): this {
    const wait = this.wait;
    assert.ok(wait.hungUp && wait.timerId, `waiting for the action after a hangup, got ${JSON.stringify(wait)}`);
    this.now += HANGUP_ACTION_GRACE_MS;
    return this.send({ type: 'timer', timerId: wait.timerId });
  }
  /** The event the widget left by (from the step into after_<event>). */
  leftBy(): string {
    const variables = this.state.frames[0]!.variables;
    return String(variables.left_by ?? '(none)');
  }
  outputs(): JsonObject {
    return (executionContext(this.state).widgets as JsonObject).w as JsonObject;
  }
}

describe('say-play', () => {
  const events = ['audioComplete'];
  it('says with voice, language and loop, then redirects back; audioComplete with the call parameters and voice/language', () => {
    const run = new Run(flowWith('say-play', { say: 'Hello {{trigger.call.From}} & <friends>', voice: 'Polly.Joanna', language: 'en-US', loop: 2 }, events)).start();
    assert.deepEqual(run.twiml(), [
      { verb: 'Say', attributes: { voice: 'Polly.Joanna', language: 'en-US', loop: '2' }, text: 'Hello +15551230001 & <friends>' },
      { verb: 'Redirect', attributes: { method: 'POST' }, text: URLS.action },
    ]);
    run.callback({});
    assert.equal(run.leftBy(), 'audioComplete');
    assert.equal(run.outputs().voice, 'Polly.Joanna');
    assert.equal(run.outputs().language, 'en-US');
    assert.equal(run.outputs().CallSid, CALL.CallSid);
    assert.equal(run.state.status, 'ended');
  });
  it('plays a URL, or DTMF digits; "Default" voice means no attribute', () => {
    assert.deepEqual(new Run(flowWith('say-play', { play: 'https://cdn.example/a.mp3', loop: 3 }, events)).start().twiml()[0], { verb: 'Play', attributes: { loop: '3' }, text: 'https://cdn.example/a.mp3' });
    assert.deepEqual(new Run(flowWith('say-play', { digits: '1w2#' }, events)).start().twiml()[0], { verb: 'Play', attributes: { digits: '1w2#' } });
    assert.deepEqual(new Run(flowWith('say-play', { say: 'Hi', voice: 'Default' }, events)).start().twiml()[0], { verb: 'Say', attributes: {}, text: 'Hi' });
  });
  it('hangup while it plays ends the execution (say-play has no hangup event)', () => {
    const run = new Run(flowWith('say-play', { say: 'Hi' }, events)).start().hangup();
    assert.equal(run.state.status, 'ended');
    assert.deepEqual(run.state.endReason, { kind: 'completed' });
    assert.equal(run.leftBy(), '(none)');
  });
  it('outside a call it fails with 81003 instead of guessing', () => {
    const run = new Run(flowWith('say-play', { say: 'Hi' }, events, 'incomingRequest')).start('incomingRequest', { request: { from: 'a', to: 'b', parameters: {} } });
    assert.equal(run.state.status, 'ended');
    assert.equal((run.state.endReason as { code: number }).code, 81003);
  });
});

describe('gather-input-on-call', () => {
  const events = ['keypress', 'speech', 'timeout'];
  const props = { say: 'Press 1', voice: 'alice', language: 'en-US', loop: 1, timeout: 7, finish_on_key: '*', stop_gather: true, number_of_digits: 1, speech_timeout: '3', gather_language: 'en-GB', hints: 'sales,support', profanity_filter: 'false', speech_model: 'phone_call' };
  it('gathers keys and speech with the prompt inside, action back, and a fall-through redirect', () => {
    const twiml = new Run(flowWith('gather-input-on-call', props, events)).start().twiml();
    assert.deepEqual(twiml, [
      {
        verb: 'Gather',
        attributes: {
          input: 'dtmf speech', method: 'POST', timeout: '7', actionOnEmptyResult: 'true', finishOnKey: '*', numDigits: '1', speechTimeout: '3',
          language: 'en-GB', hints: 'sales,support', profanityFilter: 'false', speechModel: 'phone_call', action: URLS.action,
        },
        children: [{ verb: 'Say', attributes: { voice: 'alice', language: 'en-US' }, text: 'Press 1' }],
      },
      { verb: 'Redirect', attributes: { method: 'POST' }, text: URLS.fallthrough },
    ]);
  });
  it('stop_gather false: no finish key (every key is gathered), the prompt still inside the Gather', () => {
    const twiml = new Run(flowWith('gather-input-on-call', { ...props, stop_gather: false }, events)).start().twiml();
    assert.deepEqual(twiml.map((v) => v.verb), ['Gather', 'Redirect']);
    assert.equal(twiml[0]!.attributes.finishOnKey, '', 'no key submits early, not even finish_on_key');
    assert.deepEqual(twiml[0]!.children, [{ verb: 'Say', attributes: { voice: 'alice', language: 'en-US' }, text: 'Press 1' }]);
    // Written as a string in some exports; finish_on_key applies only when it is on (the default).
    assert.equal(new Run(flowWith('gather-input-on-call', { ...props, stop_gather: 'false' }, events)).start().twiml()[0]!.attributes.finishOnKey, '');
    const { stop_gather: _on, finish_on_key: _key, ...defaults } = props;
    assert.equal(new Run(flowWith('gather-input-on-call', defaults, events)).start().twiml()[0]!.attributes.finishOnKey, '#');
  });
  it('speech recognition only when "User said something" is wired; keys always', () => {
    /** The Gather's attributes with these transitions wired (the others present but unwired, as exports write them). */
    const gatherWith = (wired: string[]) => {
      const flow = flowWith('gather-input-on-call', props, events);
      flow.states[1]!.transitions = events.map((event) => (wired.includes(event) ? { event, next: `after_${event}` } : { event }));
      return new Run(flow).start().twiml()[0]!.attributes;
    };
    const keysOnly = gatherWith(['keypress', 'timeout']);
    assert.equal(keysOnly.input, 'dtmf');
    // No recognizer, so none of its settings.
    for (const name of ['speechTimeout', 'language', 'hints', 'profanityFilter', 'speechModel']) assert.equal(keysOnly[name], undefined, name);
    assert.equal(keysOnly.finishOnKey, '*');
    assert.equal(keysOnly.numDigits, '1');
    assert.equal(gatherWith([]).input, 'dtmf');
    assert.equal(gatherWith(['speech']).input, 'dtmf speech', 'speech wired alone: keys are still gathered (and end by the unwired keypress)');
    const both = gatherWith(['keypress', 'speech']);
    assert.equal(both.input, 'dtmf speech');
    assert.equal(both.speechTimeout, '3');
    assert.equal(both.language, 'en-GB');
  });
  it('keys only: a Liquid error in a speech setting does not stop the menu', () => {
    const flow = flowWith('gather-input-on-call', { ...props, hints: '{{ broken' }, ['keypress']);
    const run = new Run(flow).start();
    assert.equal(run.state.status, 'active');
    assert.equal(run.twiml()[0]!.attributes.input, 'dtmf');
  });
  it('keypress, speech and timeout, with Digits / SpeechResult / Confidence as outputs', () => {
    const keys = new Run(flowWith('gather-input-on-call', props, events)).start().callback({ Digits: '1' });
    assert.equal(keys.leftBy(), 'keypress');
    assert.equal(keys.outputs().Digits, '1');
    const speech = new Run(flowWith('gather-input-on-call', props, events)).start().callback({ Digits: '', SpeechResult: 'Sales.', Confidence: '0.91' });
    assert.equal(speech.leftBy(), 'speech');
    assert.equal(speech.outputs().SpeechResult, 'Sales.');
    assert.equal(speech.outputs().Confidence, '0.91');
    assert.equal(new Run(flowWith('gather-input-on-call', props, events)).start().callback({ Digits: '' }).leftBy(), 'timeout');
    assert.equal(new Run(flowWith('gather-input-on-call', props, events)).start().callback({}, true).leftBy(), 'timeout');
  });
  it('a callback with another callback id is not for it (81002, still waiting)', () => {
    const run = new Run(flowWith('gather-input-on-call', props, events)).start();
    run.send({ type: 'call-callback', callbackId: 'EFnope', params: { Digits: '1' } });
    assert.equal(run.state.status, 'active');
    assert.equal(run.last.diagnostics[0]?.code, 81002);
  });
  it('hangup while gathering ends the execution', () => {
    assert.equal(new Run(flowWith('gather-input-on-call', props, events)).start().hangup().state.status, 'ended');
  });
});

describe('connect-call-to', () => {
  const events = ['callCompleted', 'hangup'];
  it('dials a number with caller id, timeout, record and time limit', () => {
    const twiml = new Run(flowWith('connect-call-to', { noun: 'number', to: '+15550001111', caller_id: '{{trigger.call.To}}', timeout: 20, record: true, time_limit: '600' }, events)).start().twiml();
    assert.deepEqual(twiml, [{
      verb: 'Dial',
      attributes: { method: 'POST', timeout: '20', callerId: '+15005550006', record: 'record-from-answer', timeLimit: '600', action: URLS.action },
      children: [{ verb: 'Number', attributes: {}, text: '+15550001111' }],
    }]);
  });
  it('number-multi, client, conference, sim and sip nouns', () => {
    const dial = (props: JsonObject) => new Run(flowWith('connect-call-to', props, events)).start().twiml()[0]!.children!;
    assert.deepEqual(dial({ noun: 'number-multi', to: '+15550001111, +15550002222' }).map((n) => n.text), ['+15550001111', '+15550002222']);
    assert.deepEqual(dial({ noun: 'client', to: 'alice' })[0], { verb: 'Client', attributes: {}, text: 'alice' });
    assert.deepEqual(dial({ noun: 'conference', to: 'room-1' })[0], { verb: 'Conference', attributes: {}, text: 'room-1' });
    assert.deepEqual(dial({ noun: 'sim', to: 'DE' + '1'.repeat(32) })[0]!.verb, 'Sim');
    assert.deepEqual(dial({ noun: 'sip', sip_endpoint: 'sip:a@example.com', sip_username: 'u', sip_password: 'p' })[0], { verb: 'Sip', attributes: { username: 'u', password: 'p' }, text: 'sip:a@example.com' });
  });
  it('callCompleted with the Dial outputs; hangup on the final status', () => {
    const done = new Run(flowWith('connect-call-to', { noun: 'number', to: '+15550001111' }, events)).start().callback({ DialCallStatus: 'completed', DialCallSid: 'CA' + '2'.repeat(32), DialCallDuration: '42' });
    assert.equal(done.leftBy(), 'callCompleted');
    assert.equal(done.outputs().DialCallStatus, 'completed');
    assert.equal(done.outputs().DialCallDuration, '42');
    const hung = new Run(flowWith('connect-call-to', { noun: 'number', to: '+15550001111' }, events)).start().hangup();
    assert.equal(hung.state.status, 'active', 'waits for the Dial action Twilio requests at a hangup');
    hung.graceElapsed();
    assert.equal(hung.leftBy(), 'hangup');
    assert.equal(hung.outputs().CallStatus, 'completed');
  });
  it('a hangup: the Dial action decides whether it arrives before or after the final status', () => {
    const dialled = { DialCallStatus: 'completed', DialCallDuration: '42', CallStatus: 'completed' };
    const actionFirst = new Run(flowWith('connect-call-to', { noun: 'number', to: '+15550001111' }, events)).start().callback(dialled).hangup();
    const statusFirst = new Run(flowWith('connect-call-to', { noun: 'number', to: '+15550001111' }, events)).start().hangup().hangup();
    statusFirst.callback(dialled);
    for (const run of [actionFirst, statusFirst]) {
      assert.equal(run.leftBy(), 'hangup');
      assert.equal(run.outputs().DialCallStatus, 'completed');
      assert.equal(run.state.status, 'ended');
    }
    assert.ok(statusFirst.last.effects.some((e) => e.type === 'cancel-timer'), 'the grace timer is cancelled');
  });
});

describe('record-voicemail', () => {
  const events = ['recordingComplete', 'noAudio', 'hangup'];
  const props = { timeout: 4, finish_on_key: '#', max_length: 60, transcribe: true, transcription_callback_url: 'https://hooks.example/t', trim: 'do-not-trim', play_beep: 'false', recording_status_callback_url: 'https://hooks.example/r' };
  it('records with its options, then a fall-through redirect for no audio', () => {
    assert.deepEqual(new Run(flowWith('record-voicemail', props, events)).start().twiml(), [
      {
        verb: 'Record',
        attributes: { method: 'POST', timeout: '4', maxLength: '60', playBeep: 'false', trim: 'do-not-trim', finishOnKey: '#', transcribe: 'true', transcribeCallback: 'https://hooks.example/t', recordingStatusCallback: 'https://hooks.example/r', action: URLS.action },
      },
      { verb: 'Redirect', attributes: { method: 'POST' }, text: URLS.fallthrough },
    ]);
  });
  it('recordingComplete (outputs RecordingUrl/Duration), noAudio, hangup', () => {
    const done = new Run(flowWith('record-voicemail', props, events)).start().callback({ RecordingUrl: 'https://api.example/RE1', RecordingDuration: '9', Digits: '#' });
    assert.equal(done.leftBy(), 'recordingComplete');
    assert.equal(done.outputs().RecordingUrl, 'https://api.example/RE1');
    assert.equal(done.outputs().RecordingDuration, '9');
    assert.equal(new Run(flowWith('record-voicemail', props, events)).start().callback({}, true).leftBy(), 'noAudio');
    assert.equal(new Run(flowWith('record-voicemail', props, events)).start().hangup().graceElapsed().leftBy(), 'hangup');
  });
  it('a message left before hanging up is recordingComplete, whichever of the action and the final status comes first', () => {
    const left = { RecordingUrl: 'https://api.example/RE2', RecordingDuration: '14', Digits: 'hangup', CallStatus: 'completed' };
    const actionFirst = new Run(flowWith('record-voicemail', props, events)).start().callback(left).hangup();
    const statusFirst = new Run(flowWith('record-voicemail', props, events)).start().hangup();
    assert.equal(statusFirst.state.status, 'active');
    statusFirst.callback(left);
    for (const run of [actionFirst, statusFirst]) {
      assert.equal(run.leftBy(), 'recordingComplete');
      assert.equal(run.outputs().RecordingUrl, 'https://api.example/RE2');
    }
  });
});

describe('a hangup during Record, then its action', () => {
  it('the flow goes on without the call: the next widget that talks to the caller ends the execution', () => {
    const flow = {
      description: 'voicemail then thanks',
      initial_state: 'Trigger',
      flags: { allow_concurrent_calls: true },
      states: [
        { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingCall', next: 'w' }], properties: { offset: { x: 0, y: 0 } } },
        { name: 'w', type: 'record-voicemail', transitions: [{ event: 'recordingComplete', next: 'thanks' }, { event: 'noAudio' }, { event: 'hangup' }], properties: { offset: { x: 0, y: 100 } } },
        { name: 'thanks', type: 'say-play', transitions: [{ event: 'audioComplete' }], properties: { offset: { x: 0, y: 200 }, say: 'Thanks' } },
      ],
    } as unknown as FlowDefinition;
    const run = new Run(flow).start().hangup();
    run.callback({ RecordingUrl: 'https://api.example/RE3', RecordingDuration: '9', Digits: 'hangup', CallStatus: 'completed' });
    assert.equal(run.state.status, 'ended', 'not left waiting on a caller who is gone');
    assert.deepEqual(run.state.endReason, { kind: 'completed' });
    assert.equal((executionContext(run.state).widgets as JsonObject & { w: JsonObject }).w.RecordingUrl, 'https://api.example/RE3');
  });
});

describe('record-call', () => {
  const events = ['success', 'failed'];
  it('asks the voice channel to start recording the call; success with the Recording, failed with the error', () => {
    const run = new Run(flowWith('record-call', { record_call: true, recording_status_callback: 'https://hooks.example/rec', recording_channels: 'mono', trim: 'trim-silence' }, events)).start();
    const effect = run.last.effects.find((e) => e.type === 'call-recording');
    assert.ok(effect && effect.type === 'call-recording');
    assert.equal(effect.callSid, CALL.CallSid);
    assert.equal(effect.start, true);
    assert.deepEqual(effect.options, { RecordingChannels: 'mono', Trim: 'trim-silence', RecordingStatusCallbackMethod: 'POST', RecordingStatusCallbackEvent: 'completed', RecordingStatusCallback: 'https://hooks.example/rec' });
    run.send({ type: 'effect-result', effectId: effect.effectId, result: { kind: 'call-recording', recording: { Sid: 'RE1', Status: 'in-progress', CallSid: CALL.CallSid as string } } });
    assert.equal(run.leftBy(), 'success');
    assert.equal(run.outputs().Sid, 'RE1');
    const failed = new Run(flowWith('record-call', { record_call: false }, events)).start();
    const stop = failed.last.effects.find((e) => e.type === 'call-recording')!;
    assert.equal((stop as { start: boolean }).start, false);
    failed.send({ type: 'effect-result', effectId: (stop as { effectId: string }).effectId, result: { kind: 'call-failed', code: 21220, message: 'not in progress' } });
    assert.equal(failed.leftBy(), 'failed');
    assert.equal(failed.outputs().ErrorCode, 21220);
  });
});

describe('enqueue-call', () => {
  const events = ['callComplete', 'failedToEnqueue', 'callFailure'];
  it('enqueues into a named queue with a wait URL', () => {
    assert.deepEqual(new Run(flowWith('enqueue-call', { queue_name: 'support', wait_url: 'https://hold.example/music', wait_url_method: 'POST' }, events)).start().twiml(), [
      { verb: 'Enqueue', attributes: { method: 'POST', waitUrl: 'https://hold.example/music', waitUrlMethod: 'POST', action: URLS.action }, text: 'support' },
    ]);
  });
  it('enqueues into a TaskRouter workflow with a Task; a non-URL wait URL is dropped', () => {
    const twiml = new Run(flowWith('enqueue-call', { workflow_sid: 'WW' + '1'.repeat(32), task_attributes: '{"from":"{{trigger.call.From}}"}', priority: 5, timeout: 300, wait_url: 'not a url' }, events)).start().twiml();
    assert.deepEqual(twiml, [{
      verb: 'Enqueue',
      attributes: { method: 'POST', workflowSid: 'WW' + '1'.repeat(32), action: URLS.action },
      children: [{ verb: 'Task', attributes: { priority: '5', timeout: '300' }, text: '{"from":"+15551230001"}' }],
    }]);
  });
  it('QueueResult decides callComplete / failedToEnqueue / callFailure; outputs carry the queue fields', () => {
    const run = (result: string) => new Run(flowWith('enqueue-call', { queue_name: 'q' }, events)).start().callback({ QueueResult: result, QueueSid: 'QU1', QueueTime: '30' });
    const bridged = run('bridged');
    assert.equal(bridged.leftBy(), 'callComplete');
    assert.equal(bridged.outputs().QueueTime, '30');
    assert.equal(run('queue-full').leftBy(), 'failedToEnqueue');
    assert.equal(run('system-error').leftBy(), 'callFailure');
  });
  it('a hangup in the queue is callComplete whichever of the action and the final status comes first', () => {
    const left = { QueueResult: 'hangup', QueueSid: 'QU1', QueueTime: '40', CallStatus: 'completed' };
    const actionFirst = new Run(flowWith('enqueue-call', { queue_name: 'q' }, events)).start().callback(left).hangup();
    const statusFirst = new Run(flowWith('enqueue-call', { queue_name: 'q' }, events)).start().hangup();
    assert.equal(statusFirst.state.status, 'active', 'waits for the Enqueue action Twilio requests at a hangup');
    statusFirst.hangup().callback(left);
    for (const run of [actionFirst, statusFirst]) {
      assert.equal(run.leftBy(), 'callComplete');
      assert.equal(run.outputs().QueueResult, 'hangup');
      assert.equal(run.outputs().QueueTime, '40');
    }
    assert.ok(statusFirst.last.effects.some((e) => e.type === 'cancel-timer'), 'the grace timer is cancelled');
    // The action never comes: callComplete with the final status's parameters once the grace is over.
    const lost = new Run(flowWith('enqueue-call', { queue_name: 'q' }, events)).start().hangup().graceElapsed();
    assert.equal(lost.leftBy(), 'callComplete');
    assert.equal(lost.outputs().CallStatus, 'completed');
  });
});

describe('add-twiml-redirect', () => {
  const events = ['return', 'timeout', 'fail'];
  it('redirects to the URL with its method and sets the timeout timer', () => {
    const run = new Run(flowWith('add-twiml-redirect', { url: 'https://app.example/twiml?x={{trigger.call.From | url_encode}}', method: 'GET', timeout: '60' }, events)).start();
    assert.deepEqual(run.twiml(), [{ verb: 'Redirect', attributes: { method: 'GET' }, text: 'https://app.example/twiml?x=%2B15551230001' }]);
    const timer = run.last.effects.find((e) => e.type === 'set-timer');
    assert.ok(timer && timer.type === 'set-timer');
    assert.equal(timer.dueAt, run.now + 60_000);
    assert.equal(run.wait.returnable, true);
  });
  it('return with the extra query parameters as outputs (FlowEvent is not one); the timer is cancelled', () => {
    const run = new Run(flowWith('add-twiml-redirect', { url: 'https://app.example/t' }, events)).start();
    run.callback({ query: { FlowEvent: 'return', foo: 'bar', n: '1' } });
    assert.equal(run.leftBy(), 'return');
    assert.deepEqual(run.outputs(), { foo: 'bar', n: '1' });
    assert.ok(run.last.effects.some((e) => e.type === 'cancel-timer'));
  });
  it('timeout when nothing comes back; fail for a URL that is not a URL', () => {
    const run = new Run(flowWith('add-twiml-redirect', { url: 'https://app.example/t', timeout: '5' }, events)).start();
    const timer = run.last.effects.find((e) => e.type === 'set-timer') as { timerId: string };
    run.send({ type: 'timer', timerId: timer.timerId });
    assert.equal(run.leftBy(), 'timeout');
    assert.equal(new Run(flowWith('add-twiml-redirect', { url: '{{flow.variables.nothing}}' }, events)).start().leftBy(), 'fail');
  });
  it('hangup while redirected ends the execution and cancels its timer', () => {
    const run = new Run(flowWith('add-twiml-redirect', { url: 'https://app.example/t' }, events)).start().hangup();
    assert.equal(run.state.status, 'ended');
    assert.ok(run.last.effects.some((e) => e.type === 'cancel-timer'));
  });
  it('timeout "0" hands the call over: the <Redirect> is the answer, no return is awaited, and the execution ends', () => {
    const run = new Run(flowWith('add-twiml-redirect', { url: 'https://app.example/t', timeout: '0' }, events)).start();
    assert.deepEqual(run.twiml(), [{ verb: 'Redirect', attributes: { method: 'POST' }, text: 'https://app.example/t' }]);
    assert.equal(run.wait.returnable, false, 'FlowEvent=return is not taken: the app owns the call');
    const timer = run.last.effects.find((e) => e.type === 'set-timer');
    assert.ok(timer && timer.type === 'set-timer');
    assert.equal(timer.dueAt, run.now + HANDOFF_GRACE_MS, 'parked only while the webhook is answered');
    run.now += HANDOFF_GRACE_MS;
    run.send({ type: 'timer', timerId: timer.timerId });
    assert.equal(run.state.status, 'ended');
    assert.deepEqual(run.state.endReason, { kind: 'completed' });
    assert.equal(run.leftBy(), '(none)', 'neither return nor timeout is followed');
    assert.deepEqual(run.last.steps.map((s) => `${s.transitionedFrom} -${s.name}-> ${s.transitionedTo}`), ['w -handedOff-> Ended']);
  });
  it('timeout "0": a hangup before the hand-off timer ends the execution and cancels the timer', () => {
    const run = new Run(flowWith('add-twiml-redirect', { url: 'https://app.example/t', timeout: '0' }, events)).start().hangup();
    assert.equal(run.state.status, 'ended');
    assert.deepEqual(run.state.endReason, { kind: 'completed' });
    assert.ok(run.last.effects.some((e) => e.type === 'cancel-timer'));
  });
});

describe('make-outgoing-call-v2', () => {
  const events = ['answered', 'busy', 'noAnswer', 'failed'];
  const props = { to: '{{contact.channel.address}}', from: '{{flow.channel.address}}', timeout: 30, record: true, recording_channels: 'dual', detect_answering_machine: true, machine_detection: 'DetectMessageEnd', machine_detection_timeout: '20', send_digits: '1234' };
  const request = { request: { from: '+15005550006', to: '+15551230001', parameters: {} } };
  function placed(): { run: Run; effectId: string } {
    const run = new Run(flowWith('make-outgoing-call-v2', props, events, 'incomingRequest')).start('incomingRequest', request);
    const effect = run.last.effects.find((e) => e.type === 'place-call');
    assert.ok(effect && effect.type === 'place-call');
    assert.deepEqual(effect.call, {
      to: '+15551230001', from: '+15005550006', timeout: 30, record: true,
      // trim left out: Studio's default, do-not-trim, not the Calls API's trim-silence.
      options: { MachineDetection: 'DetectMessageEnd', MachineDetectionTimeout: '20', SendDigits: '1234', RecordingChannels: 'dual', Trim: 'do-not-trim' },
    });
    run.send({ type: 'effect-result', effectId: effect.effectId, result: { kind: 'call-placed', call: { CallSid: 'CA' + '9'.repeat(32), CallStatus: 'queued', From: '+15005550006', To: '+15551230001' } } });
    assert.equal(run.wait.callbackId, effect.effectId, 'the callback the call was placed with');
    assert.deepEqual(run.wait.twiml, []);
    return { run, effectId: effect.effectId };
  }
  it('answered: outputs AnsweredBy and CallSid, and the call becomes the execution call', () => {
    const { run } = placed();
    run.send({ type: 'call-callback', callbackId: run.wait.callbackId, params: { CallSid: 'CA' + '9'.repeat(32), CallStatus: 'in-progress', AnsweredBy: 'human', From: '+15005550006', To: '+15551230001', AccountSid: 'AC1' } });
    assert.equal(run.leftBy(), 'answered');
    assert.equal(run.outputs().AnsweredBy, 'human');
    assert.equal(run.state.callSid, 'CA' + '9'.repeat(32));
  });
  it('busy, noAnswer and failed from the final status', () => {
    for (const [status, event] of [['busy', 'busy'], ['no-answer', 'noAnswer'], ['failed', 'failed'], ['canceled', 'failed']]) {
      const { run } = placed();
      run.send({ type: 'call-ended', params: { CallSid: 'CA' + '9'.repeat(32), CallStatus: status! } });
      assert.equal(run.leftBy(), event, status);
      assert.equal(run.outputs().CallStatus, status);
    }
  });
  it('failed when the channel cannot place the call', () => {
    const run = new Run(flowWith('make-outgoing-call-v2', props, events, 'incomingRequest')).start('incomingRequest', request);
    const effect = run.last.effects.find((e) => e.type === 'place-call') as { effectId: string };
    run.send({ type: 'effect-result', effectId: effect.effectId, result: { kind: 'call-failed', code: 21215, message: 'geo permissions' } });
    assert.equal(run.leftBy(), 'failed');
    assert.equal(run.outputs().ErrorCode, 21215);
  });
});

describe('fork-stream', () => {
  it('starts a websocket stream with parameters, or stops it; next with no outputs', () => {
    const run = new Run(flowWith('fork-stream', { stream_action: 'start', stream_name: 's1', stream_url: 'wss://media.example/s', stream_track: 'both_tracks', stream_transport_type: 'websocket', stream_parameters: [{ key: 'caller', value: '{{trigger.call.From}}' }] }, ['next'])).start();
    assert.deepEqual(run.twiml(), [
      { verb: 'Start', attributes: {}, children: [{ verb: 'Stream', attributes: { name: 's1', track: 'both_tracks', url: 'wss://media.example/s' }, children: [{ verb: 'Parameter', attributes: { name: 'caller', value: '+15551230001' } }] }] },
      { verb: 'Redirect', attributes: { method: 'POST' }, text: URLS.action },
    ]);
    run.callback({});
    assert.equal(run.leftBy(), 'next');
    assert.deepEqual(run.outputs(), {});
    assert.deepEqual(new Run(flowWith('fork-stream', { stream_action: 'stop', stream_name: 's1' }, ['next'])).start().twiml()[0], { verb: 'Stop', attributes: {}, children: [{ verb: 'Stream', attributes: { name: 's1' } }] });
    assert.deepEqual(new Run(flowWith('fork-stream', { stream_action: 'start', stream_transport_type: 'siprec', stream_connector: 'rec1', stream_name: 'r' }, ['next'])).start().twiml()[0]!.children![0]!.verb, 'Siprec');
  });
  it('takes stream_action as the validator does: start or stop as written (unset is start); "STOP" or "Start" ends the execution with 81003 instead of starting a stream', () => {
    assert.equal(new Run(flowWith('fork-stream', { stream_url: 'wss://media.example/s' }, ['next'])).start().twiml()[0]!.verb, 'Start');
    for (const action of ['STOP', 'Start', 'restart']) {
      const run = new Run(flowWith('fork-stream', { stream_action: action, stream_name: 's1', stream_url: 'wss://media.example/s' }, ['next'])).start();
      assert.equal(run.state.status, 'ended', action);
      assert.deepEqual(
        run.last.diagnostics.filter((d) => d.level === 'error').map((d) => [d.code, d.message]),
        [[81003, `Fork Stream stream_action '${action}' is not start or stop (lowercase, as Studio takes it)`]],
        action,
      );
    }
  });
});

describe('capture-payments', () => {
  const events = ['success', 'maxFailedAttempts', 'providerError', 'payInterrupted', 'hangup', 'validationError'];
  const props = { payment_connector: 'Stripe', payment_amount: '{{flow.data.amount | default: "10.00"}}', currency: 'usd', payment_token_type: 'one-time', timeout: 7, max_attempts: 3, security_code: false, postal_code: 'false', valid_card_types: ['visa', 'master-card'], payment_method: 'CREDIT_CARD', parameters: [{ key: 'order', value: '42' }] };
  it('asks for a payment with <Pay> (no method attribute; Studio\'s master-card spelled mastercard as Pay takes it)', () => {
    assert.deepEqual(new Run(flowWith('capture-payments', props, events)).start().twiml(), [{
      verb: 'Pay',
      attributes: { tokenType: 'one-time', timeout: '7', maxAttempts: '3', securityCode: 'false', postalCode: 'false', paymentConnector: 'Stripe', chargeAmount: '10.00', currency: 'usd', validCardTypes: 'visa mastercard', paymentMethod: 'credit-card', action: URLS.action },
      children: [{ verb: 'Parameter', attributes: { name: 'order', value: '42' } }],
    }]);
  });
  it("ACH: Studio's four bank account types as <Pay bankAccountType> spells them (TwiML's set includes commercial-savings)", () => {
    // twilio-node's VoiceResponse PayBankAccountType: consumer-checking | consumer-savings | commercial-checking |
    // commercial-savings. (The REST Payments resource lists only the first three; this is the TwiML verb.)
    const types: [string, string][] = [['CONSUMER_CHECKING', 'consumer-checking'], ['CONSUMER_SAVINGS', 'consumer-savings'], ['COMMERCIAL_CHECKING', 'commercial-checking'], ['COMMERCIAL_SAVINGS', 'commercial-savings']];
    for (const [studio, twiml] of types) {
      const pay = new Run(flowWith('capture-payments', { ...props, payment_method: 'ACH_DEBIT', bank_account_type: studio }, events)).start().twiml()[0]!;
      assert.deepEqual([pay.attributes!.paymentMethod, pay.attributes!.bankAccountType], ['ach-debit', twiml], studio);
    }
  });
  it('each Result to its event, with the Pay outputs; hangup on the final status', () => {
    const pairs: [string, string][] = [['success', 'success'], ['too-many-failed-attempts', 'maxFailedAttempts'], ['payment-connector-error', 'providerError'], ['caller-interrupted-with-star', 'payInterrupted'], ['caller-hung-up', 'hangup'], ['validation-error', 'validationError']];
    for (const [result, event] of pairs) {
      const run = new Run(flowWith('capture-payments', props, events)).start().callback({ Result: result, PaymentConfirmationCode: 'ch_1', PaymentCardNumber: 'xxxx1111' });
      assert.equal(run.leftBy(), event, result);
      assert.equal(run.outputs().Result, result);
    }
    assert.equal(new Run(flowWith('capture-payments', props, events)).start().hangup().graceElapsed().leftBy(), 'hangup');
  });
  it('a hangup mid-payment is hangup with the Pay outputs whichever of the action and the final status comes first', () => {
    const left = { Result: 'caller-hung-up', PaymentCardNumber: 'xxxx1111', CallStatus: 'completed' };
    const actionFirst = new Run(flowWith('capture-payments', props, events)).start().callback(left).hangup();
    const statusFirst = new Run(flowWith('capture-payments', props, events)).start().hangup();
    assert.equal(statusFirst.state.status, 'active', 'waits for the Pay action Twilio requests at a hangup');
    statusFirst.callback(left);
    for (const run of [actionFirst, statusFirst]) {
      assert.equal(run.leftBy(), 'hangup');
      assert.equal(run.outputs().Result, 'caller-hung-up');
      assert.equal(run.outputs().PaymentCardNumber, 'xxxx1111');
    }
    assert.ok(statusFirst.last.effects.some((e) => e.type === 'cancel-timer'), 'the grace timer is cancelled');
  });
});

describe('connect-virtual-agent-v2', () => {
  const events = ['completed', 'live-agent-handoff', 'hangup', 'failed', 'paused', 'timeout'];
  const props = { connector_name: 'cx-agent', channel: 'voice', configurations: [{ key: 'language', value: 'en-US' }, { key: 'caller', value: '{{trigger.call.From}}' }], parameters: [{ key: 'caller', value: '{{trigger.call.From}}' }], status_callback: 'https://hooks.example/va' };
  it('connects the caller to the virtual agent; configurations and parameters are Liquid', () => {
    assert.deepEqual(new Run(flowWith('connect-virtual-agent-v2', props, events)).start().twiml(), [{
      verb: 'Connect',
      attributes: { method: 'POST', action: URLS.action },
      children: [{
        verb: 'VirtualAgent',
        attributes: { connectorName: 'cx-agent', statusCallback: 'https://hooks.example/va', statusCallbackMethod: 'POST' },
        children: [{ verb: 'Config', attributes: { name: 'language', value: 'en-US' } }, { verb: 'Config', attributes: { name: 'caller', value: '+15551230001' } }, { verb: 'Parameter', attributes: { name: 'caller', value: '+15551230001' } }],
      }],
    }]);
  });
  it('VirtualAgentStatus decides the event; provider data is parsed; hangup on the final status', () => {
    for (const status of ['completed', 'live-agent-handoff', 'paused', 'failed']) {
      const run = new Run(flowWith('connect-virtual-agent-v2', props, events)).start().callback({ VirtualAgentProvider: 'DialogflowCX', VirtualAgentStatus: status, VirtualAgentProviderData: '{"ConversationId":"c1"}' });
      assert.equal(run.leftBy(), status);
      assert.deepEqual(run.outputs().VirtualAgentProviderData, { ConversationId: 'c1' });
    }
    const hung = new Run(flowWith('connect-virtual-agent-v2', props, events)).start().hangup();
    assert.equal(hung.state.status, 'active', 'waits for the Connect action Twilio requests at a hangup');
    assert.equal(hung.graceElapsed().leftBy(), 'hangup');
    assert.equal(hung.outputs().CallStatus, 'completed');
  });
  it('a hangup is `hangup` with the session outputs whichever of the action and the final status comes first', () => {
    const ended = { VirtualAgentProvider: 'DialogflowCX', VirtualAgentStatus: 'completed', VirtualAgentProviderData: '{"ConversationId":"c2"}', CallStatus: 'completed' };
    const actionFirst = new Run(flowWith('connect-virtual-agent-v2', props, events)).start().callback(ended).hangup();
    const statusFirst = new Run(flowWith('connect-virtual-agent-v2', props, events)).start().hangup().callback(ended);
    for (const run of [actionFirst, statusFirst]) {
      assert.equal(run.leftBy(), 'hangup');
      assert.equal(run.outputs().VirtualAgentStatus, 'completed');
      assert.deepEqual(run.outputs().VirtualAgentProviderData, { ConversationId: 'c2' });
    }
    assert.ok(statusFirst.last.effects.some((e) => e.type === 'cancel-timer'), 'the grace timer is cancelled');
  });
});

describe('run-conversation-relay', () => {
  const events = ['success', 'failed'];
  const props = {
    url: 'wss://relay.example/{{flow.data.bot | default: "ws"}}',
    welcome_greeting: 'Hi {{trigger.call.From}}, how can I help?',
    tts_provider: 'ElevenLabs',
    voice: 'UgBBYS2sOqTuMpoF3BR0',
    language: 'en-US',
    transcription_provider: 'Deepgram',
    speech_model: 'nova-3-general',
    dtmf_detection: true,
    interruptible: 'true',
    parameters: [{ key: 'caller', value: '{{trigger.call.From}}' }, { key: 'tier', value: 'gold' }],
  };
  it('connects the call to the app with <Connect action><ConversationRelay …> and <Parameter>s, all Liquid', () => {
    assert.deepEqual(new Run(flowWith('run-conversation-relay', props, events)).start().twiml(), [{
      verb: 'Connect',
      attributes: { method: 'POST', action: URLS.action },
      children: [{
        verb: 'ConversationRelay',
        attributes: {
          url: 'wss://relay.example/ws',
          welcomeGreeting: 'Hi +15551230001, how can I help?',
          ttsProvider: 'ElevenLabs',
          voice: 'UgBBYS2sOqTuMpoF3BR0',
          language: 'en-US',
          transcriptionProvider: 'Deepgram',
          speechModel: 'nova-3-general',
          dtmfDetection: 'true',
          interruptible: 'true',
        },
        children: [{ verb: 'Parameter', attributes: { name: 'caller', value: '+15551230001' } }, { verb: 'Parameter', attributes: { name: 'tier', value: 'gold' } }],
      }],
    }]);
  });
  it('only the url when nothing else is set: no empty attributes, no <Parameter>', () => {
    assert.deepEqual(new Run(flowWith('run-conversation-relay', { url: 'wss://relay.example/ws' }, events)).start().twiml(), [{
      verb: 'Connect',
      attributes: { method: 'POST', action: URLS.action },
      children: [{ verb: 'ConversationRelay', attributes: { url: 'wss://relay.example/ws' } }],
    }]);
  });
  it('the session ending leaves by success with the action’s fields as outputs (HandoffData parsed when JSON)', () => {
    const run = new Run(flowWith('run-conversation-relay', props, events)).start();
    run.callback({ SessionId: 'VX' + '1'.repeat(32), SessionStatus: 'ended', SessionDuration: '42', HandoffData: '{"reason":"agent","summary":"refund"}' });
    assert.equal(run.leftBy(), 'success');
    const outputs = run.outputs();
    assert.deepEqual([outputs.SessionId, outputs.SessionStatus, outputs.SessionDuration], ['VX' + '1'.repeat(32), 'ended', '42']);
    assert.deepEqual(outputs.HandoffData, { reason: 'agent', summary: 'refund' });
    assert.equal(outputs.CallSid, CALL.CallSid);
    const plain = new Run(flowWith('run-conversation-relay', props, events)).start().callback({ SessionId: 'VX2', SessionStatus: 'completed', SessionDuration: '3', HandoffData: 'transfer please' });
    assert.equal(plain.leftBy(), 'success');
    assert.equal(plain.outputs().HandoffData, 'transfer please');
  });
  it('failed when the session failed or the action reports an error', () => {
    const failed = new Run(flowWith('run-conversation-relay', props, events)).start().callback({ SessionId: 'VX3', SessionStatus: 'failed', SessionDuration: '0' });
    assert.equal(failed.leftBy(), 'failed');
    const errored = new Run(flowWith('run-conversation-relay', props, events)).start().callback({ SessionId: 'VX4', SessionStatus: 'ended', ErrorCode: '64105', ErrorMessage: 'WebSocket closed abruptly' });
    assert.equal(errored.leftBy(), 'failed');
    assert.equal(errored.outputs().ErrorCode, '64105');
  });
  it('a caller who hangs up: the action decides whichever comes first; without one the execution ends with the call', () => {
    const ended = { SessionId: 'VX5', SessionStatus: 'completed', SessionDuration: '12', CallStatus: 'completed' };
    const actionFirst = new Run(flowWith('run-conversation-relay', props, events)).start().callback(ended).hangup();
    const statusFirst = new Run(flowWith('run-conversation-relay', props, events)).start().hangup();
    assert.equal(statusFirst.state.status, 'active', 'waits for the Connect action Twilio requests at a hangup');
    statusFirst.callback(ended);
    for (const run of [actionFirst, statusFirst]) {
      assert.equal(run.leftBy(), 'success');
      assert.equal(run.outputs().SessionDuration, '12');
    }
    assert.ok(statusFirst.last.effects.some((e) => e.type === 'cancel-timer'), 'the grace timer is cancelled');
    const silent = new Run(flowWith('run-conversation-relay', props, events)).start().hangup().graceElapsed();
    assert.equal(silent.leftBy(), '(none)');
    assert.equal(silent.state.status, 'ended');
    assert.deepEqual(silent.state.endReason, { kind: 'completed' });
  });
  it('a url that is not a WebSocket URL takes failed; outside a call it fails with 81003', () => {
    for (const url of ['https://relay.example/ws', '', '{{flow.data.missing}}']) {
      const run = new Run(flowWith('run-conversation-relay', { ...props, url }, events)).start();
      assert.equal(run.leftBy(), 'failed', url);
      assert.equal((run.outputs().error as JsonObject).code, 81003);
    }
    const rest = new Run(flowWith('run-conversation-relay', props, events, 'incomingRequest')).start('incomingRequest', { request: { from: 'a', to: 'b', parameters: {} } });
    assert.equal(rest.leftBy(), 'failed');
    assert.equal((rest.outputs().error as JsonObject).code, 81003);
    assert.match(String((rest.outputs().error as JsonObject).message), /needs a voice call/);
  });
});

describe('send-to-flex on a call', () => {
  const events = ['callComplete', 'failedToEnqueue', 'callFailure'];
  const props = { workflow: 'WW' + '1'.repeat(32), channel: 'TC' + '2'.repeat(32), attributes: '{"type":"inbound","name":"{{trigger.call.From}}"}', priority: '3', timeout: '600', waitUrl: 'https://hold.example/m', waitUrlMethod: 'GET' };
  it('enqueues into the workflow with the task attributes (task channel added)', () => {
    assert.deepEqual(new Run(flowWith('send-to-flex', props, events)).start().twiml(), [{
      verb: 'Enqueue',
      attributes: { workflowSid: props.workflow, method: 'POST', waitUrl: 'https://hold.example/m', waitUrlMethod: 'GET', action: URLS.action },
      children: [{ verb: 'Task', attributes: { priority: '3', timeout: '600' }, text: JSON.stringify({ type: 'inbound', name: '+15551230001', task_channel: props.channel }) }],
    }]);
  });
  it("no attributes: Studio's voice default, rendered (type inbound, name the caller), with the task channel", () => {
    const { attributes: _a, ...rest } = props;
    for (const flowProps of [rest, { ...rest, attributes: '' }]) {
      const task = new Run(flowWith('send-to-flex', flowProps, events)).start().twiml()[0]!.children![0]!;
      assert.deepEqual(JSON.parse(task.text!), { type: 'inbound', name: '+15551230001', task_channel: props.channel });
    }
  });
  it('a hangup in the queue is callComplete whichever of the action and the final status comes first', () => {
    const left = { QueueResult: 'hangup', QueueSid: 'QU1', QueueTime: '25', CallStatus: 'completed' };
    const actionFirst = new Run(flowWith('send-to-flex', props, events)).start().callback(left).hangup();
    const statusFirst = new Run(flowWith('send-to-flex', props, events)).start().hangup();
    assert.equal(statusFirst.state.status, 'active', 'waits for the Enqueue action');
    statusFirst.callback(left);
    for (const run of [actionFirst, statusFirst]) {
      assert.equal(run.leftBy(), 'callComplete');
      assert.equal(run.outputs().QueueResult, 'hangup');
    }
    assert.equal(new Run(flowWith('send-to-flex', props, events)).start().hangup().graceElapsed().leftBy(), 'callComplete');
  });
  it('QueueResult decides the event; outputs carry QueueResult/QueueSid/QueueTime', () => {
    const run = new Run(flowWith('send-to-flex', props, events)).start().callback({ QueueResult: 'bridged', QueueSid: 'QU1', QueueTime: '12' });
    assert.equal(run.leftBy(), 'callComplete');
    assert.equal(run.outputs().QueueSid, 'QU1');
    assert.equal(new Run(flowWith('send-to-flex', props, events)).start().callback({ QueueResult: 'queue-full' }).leftBy(), 'failedToEnqueue');
    assert.equal(new Run(flowWith('send-to-flex', props, events)).start().callback({ QueueResult: 'system-error' }).leftBy(), 'callFailure');
  });
  it('outside a call it asks the channel for a TaskRouter task instead (create-task; see test/engine/send-to-flex.test.ts)', () => {
    const run = new Run(flowWith('send-to-flex', props, events, 'incomingRequest')).start('incomingRequest', { request: { from: 'a', to: 'b', parameters: {} } });
    const effect = run.last.effects.find((e) => e.type === 'create-task');
    assert.ok(effect && effect.type === 'create-task', 'a create-task effect, no <Enqueue>');
    run.send({ type: 'effect-result', effectId: effect.effectId, result: { kind: 'task-created', task: { sid: 'WT' + '1'.repeat(32), attributes: effect.task.attributes, age: 0 } } });
    assert.equal(run.leftBy(), 'callComplete');
    assert.equal(run.outputs().TaskSid, 'WT' + '1'.repeat(32));
  });
});

describe('connect-virtual-agent (v1)', () => {
  const events = ['return', 'hangup'];
  it('connects to the connector; return with the callback outputs; hangup on the final status', () => {
    const run = new Run(flowWith('connect-virtual-agent', { connector: 'es-agent', language: 'en-US', sentiment_analysis: 'true', status_callback: 'https://hooks.example/va' }, events)).start();
    assert.deepEqual(run.twiml(), [{
      verb: 'Connect',
      attributes: { method: 'POST', action: URLS.action },
      children: [{ verb: 'VirtualAgent', attributes: { connectorName: 'es-agent', language: 'en-US', sentimentAnalysis: 'true', statusCallback: 'https://hooks.example/va' } }],
    }]);
    run.callback({ VirtualAgentStatus: 'completed', VirtualAgentProviderData: '{}' });
    assert.equal(run.leftBy(), 'return');
    assert.equal(run.outputs().VirtualAgentStatus, 'completed');
    // As v2: the final status waits a moment for the action Twilio also requests at a hangup.
    assert.equal(new Run(flowWith('connect-virtual-agent', { connector: 'es-agent' }, events)).start().hangup().graceElapsed().leftBy(), 'hangup');
  });
});

describe('string-typed numbers of voice widgets take Liquid (§1.3), with 81028 for an unusable value', () => {
  const warnings = (run: Run) => run.last.diagnostics.filter((d) => d.code === 81028).map((d) => d.message);
  it('TwiML Redirect timeout: rendered; "0" from Liquid hands off; an unusable value waits the default 14400 s', () => {
    const events = ['return', 'timeout', 'fail'];
    const timerOf = (run: Run) => (run.last.effects.find((e) => e.type === 'set-timer') as { dueAt: number }).dueAt - run.now;
    const rendered = new Run(flowWith('add-twiml-redirect', { url: 'https://app.example/t', timeout: '{{ 20 | plus: 40 }}' }, events)).start();
    assert.equal(timerOf(rendered), 60_000);
    assert.deepEqual(warnings(rendered), []);
    const zero = new Run(flowWith('add-twiml-redirect', { url: 'https://app.example/t', timeout: '{{ 5 | minus: 5 }}' }, events)).start();
    assert.equal(zero.wait.handoff, true);
    const bad = new Run(flowWith('add-twiml-redirect', { url: 'https://app.example/t', timeout: '{{trigger.call.From}}' }, events)).start();
    assert.equal(timerOf(bad), 14_400_000);
    assert.deepEqual(warnings(bad), ["TwiML Redirect timeout '{{trigger.call.From}}' (rendered '+15551230001') is not a whole number from 0 to 14400; the default 14400 is used"]);
  });
  it("Send to Flex on a call: priority and timeout are rendered onto <Task>; absent or unusable, Studio's defaults 0 and 3600 (with a warning)", () => {
    const events = ['callComplete', 'failedToEnqueue', 'callFailure'];
    const props = { workflow: 'WW' + '1'.repeat(32), channel: 'TC' + '2'.repeat(32), attributes: '{}' };
    const task = (run: Run) => run.twiml()[0]!.children![0]!.attributes;
    const rendered = new Run(flowWith('send-to-flex', { ...props, priority: '{{ 1 | plus: 2 }}', timeout: '{{ 300 | times: 2 }}' }, events)).start();
    assert.deepEqual(task(rendered), { priority: '3', timeout: '600' });
    const bad = new Run(flowWith('send-to-flex', { ...props, priority: 'high', timeout: '{{ 1209600 | plus: 1 }}' }, events)).start();
    assert.deepEqual(task(bad), { priority: '0', timeout: '3600' });
    assert.deepEqual(warnings(bad), [
      "Send to Flex priority 'high' is not a whole number from 0 to 9007199254740991; the default 0 is used",
      "Send to Flex timeout '{{ 1209600 | plus: 1 }}' (rendered '1209601') is not a whole number from 0 to 1209600; the default 3600 is used",
    ]);
    // Absent (§2.11 defaults "0" and "3600", as a message's task gets them), not TaskRouter's 24-hour task timeout.
    for (const absent of [props, { ...props, priority: '', timeout: '' }]) {
      const run = new Run(flowWith('send-to-flex', absent, events)).start();
      assert.deepEqual(task(run), { priority: '0', timeout: '3600' });
      assert.deepEqual(warnings(run), []);
    }
  });
  it('Connect Call To time_limit, Make Outgoing Call machine detection settings and Gather speech_timeout are rendered', () => {
    const dial = new Run(flowWith('connect-call-to', { noun: 'number', to: '+15550001111', time_limit: '{{ 60 | times: 10 }}' }, ['callCompleted', 'hangup'])).start();
    assert.equal(dial.twiml()[0]!.attributes.timeLimit, '600');
    const gather = new Run(flowWith('gather-input-on-call', { say: 'Hi', speech_timeout: '{{ 1 | plus: 2 }}' }, ['keypress', 'speech', 'timeout'])).start();
    assert.equal(gather.twiml()[0]!.attributes.speechTimeout, '3');
    const vague = new Run(flowWith('gather-input-on-call', { say: 'Hi', speech_timeout: 'soon' }, ['keypress', 'speech', 'timeout'])).start();
    assert.equal(vague.twiml()[0]!.attributes.speechTimeout, 'auto');
    assert.equal(warnings(vague).length, 1);
    const props = { to: '{{contact.channel.address}}', from: '{{flow.channel.address}}', detect_answering_machine: true, machine_detection_timeout: '{{ 10 | times: 2 }}', machine_detection_silence_timeout: '{{ 1 | plus: 1 }}' };
    const run = new Run(flowWith('make-outgoing-call-v2', props, ['answered', 'busy', 'noAnswer', 'failed'], 'incomingRequest')).start('incomingRequest', { request: { from: '+15005550006', to: '+15551230001', parameters: {} } });
    const effect = run.last.effects.find((e) => e.type === 'place-call');
    assert.ok(effect && effect.type === 'place-call');
    assert.deepEqual(effect.call.options, { MachineDetection: 'Enable', MachineDetectionTimeout: '20' });
    assert.deepEqual(warnings(run), ["Make Outgoing Call machine_detection_silence_timeout '{{ 1 | plus: 1 }}' (rendered '2') is not a whole number from 2000 to 10000; it is left out"]);
  });
});

describe('string-typed booleans of voice widgets take Liquid (§1.3), with 81028 for an unusable value', () => {
  const warnings = (run: Run) => run.last.diagnostics.filter((d) => d.code === 81028).map((d) => d.message);
  it('Record Voicemail play_beep: rendered, "FALSE" in any case; an unusable value beeps (the default) with a warning', () => {
    const events = ['recordingComplete', 'noAudio', 'hangup'];
    const record = (playBeep: string | boolean) => new Run(flowWith('record-voicemail', { play_beep: playBeep }, events)).start();
    const off = record('{% if trigger.call.From %}FALSE{% endif %}');
    assert.equal(off.twiml()[0]!.attributes.playBeep, 'false');
    assert.deepEqual(warnings(off), []);
    assert.equal(record('{{ "True" }}').twiml()[0]!.attributes.playBeep, 'true');
    assert.equal(record(false).twiml()[0]!.attributes.playBeep, 'false', 'a real boolean is taken as it is');
    const bad = record('{{trigger.call.Direction}}');
    assert.equal(bad.twiml()[0]!.attributes.playBeep, 'true');
    assert.deepEqual(warnings(bad), [`Record Voicemail play_beep '{{trigger.call.Direction}}' (rendered 'inbound') is not "true" or "false"; the default true is used`]);
    const absent = record('');
    assert.equal(absent.twiml()[0]!.attributes.playBeep, 'true');
    assert.deepEqual(warnings(absent), [], 'empty is the default, silently');
  });
  it('Gather profanity_filter and Connect Virtual Agent (v1) sentiment_analysis are rendered', () => {
    const gather = (value: string) => new Run(flowWith('gather-input-on-call', { say: 'Hi', profanity_filter: value }, ['keypress', 'speech', 'timeout'])).start();
    assert.equal(gather('{{ "false" | upcase }}').twiml()[0]!.attributes.profanityFilter, 'false');
    const vague = gather('maybe');
    assert.equal(vague.twiml()[0]!.attributes.profanityFilter, 'true');
    assert.deepEqual(warnings(vague), [`Gather profanity_filter 'maybe' is not "true" or "false"; the default true is used`]);
    const agent = (value: string) => new Run(flowWith('connect-virtual-agent', { connector: 'es-agent', sentiment_analysis: value }, ['return', 'hangup'])).start();
    const on = agent('{% if trigger.call.To %}true{% endif %}');
    assert.equal(on.twiml()[0]!.children![0]!.attributes.sentimentAnalysis, 'true');
    const unset = agent('{{trigger.call.Nothing}}');
    assert.equal(unset.twiml()[0]!.children![0]!.attributes.sentimentAnalysis, undefined);
    assert.deepEqual(warnings(unset), [`Connect Virtual Agent sentiment_analysis '{{trigger.call.Nothing}}' (rendered '') is not "true" or "false"; the default false is used`]);
  });
});

// studio-flow-language §2: a property left out takes the Console default the reference lists (or the
// TwiML attribute is left out where Twilio's own default is the same).
describe('Console defaults when a property is left out (§2)', () => {
  it('gather: 5 s timeout, # finishes, keys only; record-voicemail: 5 s, 3600 s, trim-silence, beep', () => {
    assert.deepEqual(new Run(flowWith('gather-input-on-call', { say: 'Hi' }, ['keypress', 'timeout'])).start().twiml()[0]!.attributes,
      { input: 'dtmf', method: 'POST', timeout: '5', actionOnEmptyResult: 'true', finishOnKey: '#', action: URLS.action });
    assert.deepEqual(new Run(flowWith('record-voicemail', {}, ['recordingComplete'])).start().twiml()[0]!.attributes,
      { method: 'POST', timeout: '5', maxLength: '3600', playBeep: 'true', trim: 'trim-silence', action: URLS.action });
  });

  it('connect-call-to rings 30 s without recording; capture-payments: reusable token, 5 s, 2 attempts, security and postal codes', () => {
    assert.deepEqual(new Run(flowWith('connect-call-to', { noun: 'number', to: '+15550009999' }, ['callCompleted'])).start().twiml()[0]!.attributes,
      { method: 'POST', timeout: '30', action: URLS.action });
    assert.deepEqual(new Run(flowWith('capture-payments', { payment_connector: 'Stripe', payment_amount: '5' }, ['success'])).start().twiml()[0]!.attributes,
      { tokenType: 'reusable', timeout: '5', maxAttempts: '2', securityCode: 'true', postalCode: 'true', paymentConnector: 'Stripe', chargeAmount: '5', action: URLS.action });
  });

  it('add-twiml-redirect: POST, waits 14400 s; enqueue-call: the wait URL is fetched with GET', () => {
    const redirect = new Run(flowWith('add-twiml-redirect', { url: 'https://app.example/twiml' }, ['return', 'timeout'])).start();
    assert.deepEqual(redirect.twiml(), [{ verb: 'Redirect', attributes: { method: 'POST' }, text: 'https://app.example/twiml' }]);
    assert.equal(redirect.wait.dueAt, redirect.now + 14_400_000);
    assert.deepEqual(new Run(flowWith('enqueue-call', { queue_name: 'support', wait_url: 'https://app.example/hold' }, ['callComplete'])).start().twiml()[0]!.attributes,
      { method: 'POST', waitUrl: 'https://app.example/hold', waitUrlMethod: 'GET', action: URLS.action });
  });

  it('record-call: dual channels, no trimming, POST callback on completed; make-outgoing-call-v2: contact from the flow address, 60 s, no recording', () => {
    const recording = new Run(flowWith('record-call', { record_call: true }, ['success'])).start().last.effects.find((e) => e.type === 'call-recording');
    assert.ok(recording && recording.type === 'call-recording');
    assert.deepEqual(recording.options, { RecordingChannels: 'dual', Trim: 'do-not-trim', RecordingStatusCallbackMethod: 'POST', RecordingStatusCallbackEvent: 'completed' });
    const call = new Run(flowWith('make-outgoing-call-v2', {}, ['answered'], 'incomingRequest')).start('incomingRequest', { request: {} }).last.effects.find((e) => e.type === 'place-call');
    assert.ok(call && call.type === 'place-call');
    assert.deepEqual(call.call, { to: '+15551230001', from: '+15005550006', timeout: 60, record: false, options: {} });
  });
});
