// Engine behaviour checked against studio-flow-language.md, one rule per test (a reviewer's
// findings: each test failed before its fix).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { handleEvent } from '../../src/engine/interpreter.ts';
import type { Effect, EngineEvent, EngineInput, JsonObject, SprintResult, TriggerEvent } from '../../src/engine/types.ts';
import type { FlowDefinition, State } from '../../src/definition/types.ts';
import { triggerFlow } from '../support/flows.ts';
import { startFlow } from './helpers.ts';

const CONTACT = '+15550001111';
const FLOW_ADDRESS = '+15559990000';

function definition(first: string, event: TriggerEvent, widgets: Partial<State>[]): FlowDefinition {
  return triggerFlow('conformance', event, first, widgets.map((w) => ({ properties: {}, transitions: [], ...w })));
}

function run(def: FlowDefinition, event: TriggerEvent, triggerData: JsonObject, data: JsonObject = {}): { input: EngineInput; result: SprintResult } {
  return startFlow(def, event, triggerData, data, { flow: FLOW_ADDRESS, contact: CONTACT });
}

function next(input: EngineInput, previous: SprintResult, event: EngineEvent): SprintResult {
  return handleEvent(input, previous.state, event);
}

function effectOf(result: SprintResult, type: Effect['type']): Effect {
  const effect = result.effects.find((e) => e.type === type);
  assert.ok(effect, `expected a ${type} effect, got ${JSON.stringify(result.effects.map((e) => e.type))}`);
  return effect;
}

function sentBody(result: SprintResult): string {
  const effect = effectOf(result, 'send-message');
  assert.equal(effect.type, 'send-message');
  return effect.message.body;
}

describe('trigger context (§4.1)', () => {
  it('hands chat ChannelAttributes to Liquid JSON-parsed, posted as text by the webhook', () => {
    const def = definition('reply', 'incomingMessage', [
      {
        name: 'reply',
        type: 'send-message',
        properties: { body: '{{trigger.message.ChannelAttributes.channel_type}}|{{trigger.message.ChannelAttributes.pre_engagement_data.language}}|{{trigger.message.ChannelAttributes.memory | to_json}}' },
        transitions: [{ event: 'sent' }, { event: 'failed' }],
      },
    ]);
    const attributes = JSON.stringify({ channel_type: 'web', pre_engagement_data: { language: 'en-US' }, memory: { a: 1 } });
    const { result } = run(def, 'incomingMessage', { message: { Body: 'hi', From: CONTACT, To: FLOW_ADDRESS, ChannelAttributes: attributes } });
    assert.equal(sentBody(result), 'web|en-US|{"a":1}');
    // The trigger step context shows the same parsed object.
    assert.deepEqual((result.steps[0]!.context.message as JsonObject).ChannelAttributes, JSON.parse(attributes));
  });

  it('parses Conversations ChannelAttributes too, and leaves text that is not a JSON object as posted', () => {
    const def = definition('reply', 'incomingConversationMessage', [
      { name: 'reply', type: 'send-message', properties: { body: '{{trigger.conversation.ChannelAttributes.from}}' }, transitions: [{ event: 'sent' }, { event: 'failed' }] },
    ]);
    const { result } = run(def, 'incomingConversationMessage', { conversation: { Body: 'hi', Author: CONTACT, ChannelAttributes: '{"from":"Ann"}' } });
    assert.equal(sentBody(result), 'Ann');
    const plain = run(definition('reply', 'incomingMessage', [
      { name: 'reply', type: 'send-message', properties: { body: '[{{trigger.message.ChannelAttributes}}]' }, transitions: [{ event: 'sent' }, { event: 'failed' }] },
    ]), 'incomingMessage', { message: { Body: 'hi', ChannelAttributes: 'not json' } });
    assert.equal(sentBody(plain.result), '[not json]');
  });

  it('hands Add-ons results (AddOns, posted as JSON text) to Liquid parsed, on messages and calls', () => {
    const addOns = JSON.stringify({ status: 'successful', results: { twilio_caller_name: { result: { caller_name: { caller_name: 'ADA LOVELACE' } } } } });
    const path = 'AddOns.results.twilio_caller_name.result.caller_name.caller_name';
    const sms = run(definition('reply', 'incomingMessage', [
      { name: 'reply', type: 'send-message', properties: { body: `{{trigger.message.${path}}}|{{trigger.message.AddOns.status}}` }, transitions: [{ event: 'sent' }, { event: 'failed' }] },
    ]), 'incomingMessage', { message: { Body: 'hi', From: CONTACT, To: FLOW_ADDRESS, AddOns: addOns } });
    assert.equal(sentBody(sms.result), 'ADA LOVELACE|successful');
    assert.deepEqual((sms.result.steps[0]!.context.message as JsonObject).AddOns, JSON.parse(addOns));
    const call = run(definition('say', 'incomingCall', [
      { name: 'say', type: 'say-play', properties: { say: `Hello {{trigger.call.${path}}}` }, transitions: [{ event: 'audioComplete' }] },
    ]), 'incomingCall', { call: { CallSid: 'CA' + '1'.repeat(32), From: CONTACT, To: FLOW_ADDRESS, AddOns: addOns } });
    const wait = call.result.state.frames[0]!.wait;
    assert.equal(wait?.kind, 'call');
    assert.equal(wait.kind === 'call' ? wait.twiml[0]?.text : undefined, 'Hello ADA LOVELACE');
  });
});

describe('connect-call-to events (§2.6)', () => {
  const def = definition('dial', 'incomingCall', [
    {
      name: 'dial',
      type: 'connect-call-to',
      properties: { noun: 'number', to: '+15550002222', caller_id: '{{trigger.call.To}}' },
      transitions: [{ event: 'callCompleted' }, { event: 'hangup' }],
    },
  ]);
  const call = { CallSid: 'CA' + '1'.repeat(32), From: CONTACT, To: FLOW_ADDRESS, CallStatus: 'ringing', Direction: 'inbound' };
  function dialThen(params: JsonObject): SprintResult {
    const { input, result } = run(def, 'incomingCall', { call });
    const wait = result.state.frames[0]!.wait;
    assert.equal(wait?.kind, 'call');
    return next(input, result, { type: 'call-callback', callbackId: (wait as { callbackId: string }).callbackId, params: { ...call, ...params } });
  }

  it('the Dial action with the caller still on the line is "Connected Call Ended" (callCompleted)', () => {
    const result = dialThen({ CallStatus: 'in-progress', DialCallStatus: 'completed', DialCallDuration: '42' });
    assert.equal(result.steps.at(-1)!.name, 'callCompleted');
    assert.equal(result.steps.at(-1)!.context.DialCallDuration, '42');
  });

  it('the Dial action Twilio sends after the caller hung up is "Caller Hung Up" (hangup)', () => {
    const result = dialThen({ CallStatus: 'completed', DialCallStatus: 'completed', DialCallDuration: '7' });
    assert.equal(result.steps.at(-1)!.name, 'hangup');
    assert.equal(result.steps.at(-1)!.context.DialCallStatus, 'completed');
  });
});

describe('a hangup a widget cannot handle (§6.2, 81002)', () => {
  const call = { CallSid: 'CA' + '1'.repeat(32), From: CONTACT, To: FLOW_ADDRESS, CallStatus: 'in-progress', Direction: 'inbound' };
  const def = definition('lookup', 'incomingCall', [
    { name: 'lookup', type: 'make-http-request', properties: { method: 'GET', url: 'https://api.example.com/x', content_type: 'application/json' }, transitions: [{ event: 'success', next: 'sms' }, { event: 'failed', next: 'sms' }] },
    { name: 'sms', type: 'send-message', properties: { body: 'Sorry we missed you' }, transitions: [{ event: 'sent', next: 'say' }, { event: 'failed' }] },
    { name: 'say', type: 'say-play', properties: { say: 'Still there?' }, transitions: [{ event: 'audioComplete' }] },
  ]);

  it('is ignored during an HTTP Request: the widget finishes and the flow goes on until a widget needs the caller', () => {
    const { input, result } = run(def, 'incomingCall', { call });
    const http = effectOf(result, 'http-request');
    const hung = next(input, result, { type: 'call-ended', params: { ...call, CallStatus: 'completed' } });
    assert.equal(hung.state.status, 'active');
    assert.equal(hung.diagnostics.at(-1)?.code, 81002);
    assert.equal(hung.diagnostics.at(-1)?.level, 'warning');
    const answered = next(input, hung, { type: 'effect-result', effectId: (http as { effectId: string }).effectId, result: { kind: 'http-response', statusCode: 200, contentType: 'application/json', body: '{}' } });
    assert.equal(answered.state.status, 'active');
    const sms = effectOf(answered, 'send-message');
    assert.equal(sentBody(answered), 'Sorry we missed you');
    const sent = next(input, answered, { type: 'effect-result', effectId: (sms as { effectId: string }).effectId, result: { kind: 'message-sent', message: { Sid: 'SM1', Status: 'queued' } } });
    // say-play needs the caller, who is gone: the execution ends there.
    assert.equal(sent.state.status, 'ended');
    assert.deepEqual(sent.state.endReason, { kind: 'completed' });
    assert.deepEqual(sent.steps.map((s) => `${s.transitionedFrom}:${s.name}`), ['sms:sent']);
  });

  it('still ends the execution when a voice widget without a hangup event is waiting on the caller', () => {
    const voice = definition('say', 'incomingCall', [{ name: 'say', type: 'say-play', properties: { say: 'Hi' }, transitions: [{ event: 'audioComplete' }] }]);
    const { input, result } = run(voice, 'incomingCall', { call });
    const hung = next(input, result, { type: 'call-ended', params: { ...call, CallStatus: 'completed' } });
    assert.equal(hung.state.status, 'ended');
  });
});

describe('Liquid context roots (§4.1)', () => {
  it('a REST execution sees flow.sid (the execution), flow.flow_sid, flow.data and trigger.request, and the two addresses', () => {
    const def = definition('reply', 'incomingRequest', [
      {
        name: 'reply',
        type: 'send-message',
        properties: {
          body: [
            '{{flow.sid}}', '{{flow.flow_sid}}', '{{flow.channel.address}}', '{{contact.channel.address}}',
            '{{flow.data.order}}', '{{trigger.request.parameters.order}}', '{{trigger.request.from}}', '{{trigger.request.to}}',
          ].join('|'),
        },
        transitions: [{ event: 'sent' }, { event: 'failed' }],
      },
    ]);
    const parameters = { order: 'A-17' };
    const { result } = run(def, 'incomingRequest', { request: { from: FLOW_ADDRESS, to: CONTACT, parameters } }, parameters);
    // startFlow's execution and flow SIDs.
    assert.equal(sentBody(result), ['FN' + '0'.repeat(32), 'FW' + '0'.repeat(32), FLOW_ADDRESS, CONTACT, 'A-17', 'A-17', FLOW_ADDRESS, CONTACT].join('|'));
  });
});

describe('run-function outputs (§2.17)', () => {
  it("keeps the Function's x-twilio-function-concurrency header as headers[...], and no other header", () => {
    const def = definition('fn', 'incomingRequest', [
      { name: 'fn', type: 'run-function', properties: { url: 'https://fn.example.com/f' }, transitions: [{ event: 'success', next: 'reply' }, { event: 'fail' }] },
      { name: 'reply', type: 'send-message', properties: { body: "{{widgets.fn.headers['x-twilio-function-concurrency']}}" }, transitions: [{ event: 'sent' }, { event: 'failed' }] },
    ]);
    const { input, result } = run(def, 'incomingRequest', { request: { from: FLOW_ADDRESS, to: CONTACT, parameters: {} } });
    const call = effectOf(result, 'http-request') as { effectId: string };
    const headers = { 'x-twilio-function-concurrency': '3', 'set-cookie': 'secret=1' };
    const answered = next(input, result, { type: 'effect-result', effectId: call.effectId, result: { kind: 'http-response', statusCode: 200, contentType: 'text/plain', body: 'ok', headers } });
    assert.equal(sentBody(answered), '3');
    assert.deepEqual(answered.steps[0]!.context, { status_code: 200, content_type: 'text/plain', body: 'ok', headers: { 'x-twilio-function-concurrency': '3' } });
  });
});
