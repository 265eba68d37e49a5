// Gather Input On Call through the simulator phone, which carries out the TwiML as Twilio does:
// speech is heard only when "User said something" is wired, and with "stop gathering on keypress"
// off there is no finish key (# is gathered like any other key).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject } from '../../src/engine/types.ts';
import { contextOf } from '../../src/runtime/execution-context.ts';
import { call, phone, serverWithFlow, stepsOf } from './support.ts';

/** Trigger → menu (a Gather with these properties and wired events) → a set-variables per wired event. */
function menuFlow(properties: JsonObject, wired: string[]): unknown {
  const events = ['keypress', 'speech', 'timeout'];
  return {
    description: 'gather test',
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [
      { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingCall', next: 'menu' }], properties: { offset: { x: 0, y: 0 } } },
      { name: 'menu', type: 'gather-input-on-call', transitions: events.map((event) => (wired.includes(event) ? { event, next: `on_${event}` } : { event })), properties: { offset: { x: 0, y: 100 }, say: 'Enter your account number', ...properties } },
      ...wired.map((event) => ({ name: `on_${event}`, type: 'set-variables', transitions: [{ event: 'next' }], properties: { offset: { x: 0, y: 200 }, variables: [{ key: 'got', value: event }] } })),
    ],
  };
}

async function run(definition: unknown, from: string, input: { Digits: string } | { SpeechResult: string }): Promise<{ steps: string[]; menu: JsonObject; transcript: string[] }> {
  const { server, flowSid } = await serverWithFlow(definition);
  try {
    const view = await call(server, flowSid, from);
    const after = await phone(server, `/simulator/calls/${view.sid}/${'Digits' in input ? 'Digits' : 'Speech'}`, input);
    await server.app.executions.idle();
    const execution = (await server.app.store.getExecutionBySid(after.execution_sid!))!;
    return {
      steps: await stepsOf(server, flowSid, execution.sid),
      menu: (contextOf(execution) as { widgets: Record<string, JsonObject> }).widgets.menu ?? {},
      transcript: after.transcript.map((l) => `${l.who} ${l.kind}: ${l.text}`),
    };
  } finally {
    await server.close();
  }
}

describe('gather-input-on-call on the simulator phone', () => {
  it('keys only wired: the caller\'s words are not heard, the menu times out', async () => {
    const result = await run(menuFlow({}, ['keypress', 'timeout']), '+15551230401', { SpeechResult: 'one two three' });
    assert.ok(result.transcript.includes('flow gather: waiting for dtmf (timeout 5 s)'), result.transcript.join('\n'));
    assert.deepEqual(result.steps, ['Trigger -incomingCall-> menu', 'menu -timeout-> on_timeout', 'on_timeout -next-> Ended']);
    assert.equal(result.menu.SpeechResult, undefined);
  });
  it('speech wired: the words are heard (speech)', async () => {
    const result = await run(menuFlow({}, ['keypress', 'speech']), '+15551230402', { SpeechResult: 'billing' });
    assert.deepEqual(result.steps, ['Trigger -incomingCall-> menu', 'menu -speech-> on_speech', 'on_speech -next-> Ended']);
    assert.equal(result.menu.SpeechResult, 'billing');
  });
  it('stop_gather false: # is an ordinary key, all keys are submitted', async () => {
    const result = await run(menuFlow({ stop_gather: false, finish_on_key: '#' }, ['keypress']), '+15551230403', { Digits: '12#34' });
    assert.deepEqual(result.steps, ['Trigger -incomingCall-> menu', 'menu -keypress-> on_keypress', 'on_keypress -next-> Ended']);
    assert.equal(result.menu.Digits, '12#34');
    assert.equal(result.menu.FinishedOnKey, '');
    // The prompt is inside the Gather, so the caller heard it before pressing.
    assert.ok(result.transcript.some((l) => l === 'flow say: Enter your account number'), result.transcript.join('\n'));
  });
  it('stop_gather true (the default): finish_on_key ends the input and is left out', async () => {
    const result = await run(menuFlow({ finish_on_key: '#' }, ['keypress']), '+15551230404', { Digits: '12#34' });
    assert.equal(result.menu.Digits, '12');
    assert.equal(result.menu.FinishedOnKey, '#');
  });
  it('number_of_digits reached before the finish key: the input ends there, FinishedOnKey empty (the # after it is never read)', async () => {
    const result = await run(menuFlow({ finish_on_key: '#', number_of_digits: 2 }, ['keypress']), '+15551230405', { Digits: '123#' });
    assert.equal(result.menu.Digits, '12');
    assert.equal(result.menu.FinishedOnKey, '');
    const early = await run(menuFlow({ finish_on_key: '#', number_of_digits: 4 }, ['keypress']), '+15551230406', { Digits: '1#23' });
    assert.equal(early.menu.Digits, '1');
    assert.equal(early.menu.FinishedOnKey, '#');
  });
});
