// send-to-auto-pilot (Autopilot is retired): an exported widget validates (and one missing its
// required properties does not), and running it takes its failure path: `failure` with the error
// when wired, else the execution ends with that error. sessionEnded/timeout are never taken.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowDefinition } from '../../src/definition/types.ts';
import { validateDefinition } from '../../src/definition/validate.ts';
import { triggerFlow } from '../support/flows.ts';
import { CONTACT, FLOW_ADDRESS, startFlow, stepPath as path } from './helpers.ts';

const ASSISTANT = 'UA' + 'a'.repeat(32);

/** The widget as the Console exported it (real exports: timeout 14400, body from the trigger). */
function definition(failureNext: string | undefined, properties: Record<string, unknown> = {}): FlowDefinition {
  return triggerFlow('autopilot', 'incomingMessage', 'bot', [
    {
      name: 'bot',
      type: 'send-to-auto-pilot',
      properties: { offset: { x: 0, y: 100 }, autopilot_assistant_sid: ASSISTANT, from: '{{flow.channel.address}}', body: '{{trigger.message.Body}}', timeout: 14400, chat_channel: '{{trigger.message.ChannelSid}}', target_task: '', memory_parameters: [{ key: 'k', value: 'v' }], ...properties },
      transitions: [{ event: 'sessionEnded', next: 'after' }, { event: 'failure', ...(failureNext ? { next: failureNext } : {}) }, { event: 'timeout', next: 'after' }],
    },
    { name: 'after', type: 'set-variables', properties: { offset: { x: 0, y: 200 }, variables: [{ key: 'went', value: 'after' }] }, transitions: [{ event: 'next' }] },
    { name: 'fallback', type: 'set-variables', properties: { offset: { x: 0, y: 200 }, variables: [{ key: 'went', value: '{{widgets.bot.error.code}}' }] }, transitions: [{ event: 'next' }] },
  ]);
}

/** CONTACT texts "hi". */
const run = (def: FlowDefinition) => startFlow(def, 'incomingMessage', { message: { Body: 'hi', From: CONTACT, To: FLOW_ADDRESS, MessageSid: 'SM1' } }).result;

describe('send-to-auto-pilot (retired Autopilot)', () => {
  it('validates as exported; missing required properties are errors', () => {
    assert.deepEqual(validateDefinition(definition('fallback')).errors, []);
    const broken = definition('fallback');
    delete (broken.states[1]!.properties as Record<string, unknown>).autopilot_assistant_sid;
    const checked = validateDefinition(broken);
    assert.equal(checked.valid, false);
    assert.ok(checked.errors.some((e) => /autopilot_assistant_sid/.test(`${e.property_path} ${e.message}`)), JSON.stringify(checked.errors));
  });

  it('takes `failure` with the error when it is wired, and never sessionEnded or timeout', () => {
    const result = run(definition('fallback'));
    assert.deepEqual(path(result), ['Trigger -incomingMessage-> bot', 'bot -failure-> fallback', 'fallback -next-> Ended']);
    const error = (result.state.frames[0]!.widgets.bot as { error: { code: number; message: string } }).error;
    assert.equal(error.code, 81003);
    assert.match(error.message, /send-to-auto-pilot: Autopilot was retired/);
    assert.match(error.message, new RegExp(ASSISTANT));
    assert.equal(String(result.state.frames[0]!.variables.went), '81003');
    assert.equal(result.state.status, 'ended');
    assert.deepEqual(result.state.endReason, { kind: 'completed' });
  });

  it('ends the execution with the error when `failure` is not wired', () => {
    const result = run(definition(undefined));
    assert.deepEqual(path(result), ['Trigger -incomingMessage-> bot', 'bot -failure-> Ended']);
    assert.equal(result.state.status, 'ended');
    assert.equal((result.state.endReason as { kind: string; code?: number }).kind, 'error');
    assert.equal((result.state.endReason as { code?: number }).code, 81003);
    assert.ok(result.effects.every((e) => e.type !== 'send-message' && e.type !== 'http-request'), 'nothing is sent anywhere');
  });
});
