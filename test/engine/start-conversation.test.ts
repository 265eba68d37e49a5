// start-conversation on the pure engine: the request it asks the channel for (rendered Liquid,
// participants), `created` with its outputs, `failed` from the channel and from a Liquid error.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { executionContext, handleEvent } from '../../src/engine/interpreter.ts';
import type { Effect } from '../../src/engine/types.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';
import { triggerFlow } from '../support/flows.ts';
import { CONTACT, FLOW_ADDRESS, startFlow } from './helpers.ts';

const SERVICE = 'IS' + 'a'.repeat(32);

function definition(properties: Record<string, unknown>): FlowDefinition {
  return triggerFlow('conversation', 'incomingRequest', 'start', [
    {
      name: 'start',
      type: 'start-conversation',
      properties: { offset: { x: 0, y: 100 }, ...properties },
      transitions: [{ event: 'created', next: 'done' }, { event: 'failed' }],
    },
    { name: 'done', type: 'set-variables', properties: { offset: { x: 0, y: 200 }, variables: [{ key: 'ch', value: '{{widgets.start.conversation.sid}}' }] }, transitions: [{ event: 'next' }] },
  ]);
}

/** A REST execution for CONTACT with the flow data { name: 'Ann' }. */
const start = (def: FlowDefinition) => startFlow(def, 'incomingRequest', { request: { from: FLOW_ADDRESS, to: CONTACT, parameters: { name: 'Ann' } } }, { name: 'Ann' });

const properties = {
  conversation_service_sid: SERVICE,
  friendly_name: 'Chat with {{flow.data.name}}',
  attributes: '{"source":"{{flow.channel.address}}"}',
  participants: [{ type: 'sms', messaging_binding_address: '{{contact.channel.address}}', messaging_binding_proxy_address: '{{flow.channel.address}}' }],
  close_conversation_on_execution_end: true,
};

describe('start-conversation widget', () => {
  it('asks the channel for a conversation with rendered properties and participants', () => {
    const { result } = start(definition(properties));
    const effect = result.effects.find((e): e is Extract<Effect, { type: 'start-conversation' }> => e.type === 'start-conversation');
    assert.ok(effect, 'a start-conversation effect');
    assert.deepEqual(effect.request, {
      conversationServiceSid: SERVICE,
      friendlyName: 'Chat with Ann',
      attributes: '{"source":"+15005550006"}',
      participants: [{ type: 'sms', messaging_binding_address: '+15551230001', messaging_binding_proxy_address: '+15005550006' }],
    });
    assert.equal(result.state.status, 'active');
  });

  it('leaves by created with the conversation, webhook_sid and close flag as outputs', () => {
    const { input, result } = start(definition(properties));
    const effect = result.effects.find((e) => e.type === 'start-conversation') as Extract<Effect, { type: 'start-conversation' }>;
    const conversation = { sid: 'CH' + '1'.repeat(32), friendly_name: 'Chat with Ann' };
    const next = handleEvent(input, result.state, { type: 'effect-result', effectId: effect.effectId, result: { kind: 'conversation-started', conversation, webhookSid: 'WH' + '2'.repeat(32) } });
    assert.deepEqual(next.steps.map((s) => [s.transitionedFrom, s.name, s.transitionedTo]), [['start', 'created', 'done'], ['done', 'next', 'Ended']]);
    assert.deepEqual(next.steps[0]!.context, { conversation, webhook_sid: 'WH' + '2'.repeat(32), close_channel_on_execution_end: true });
    assert.equal(next.state.frames[0]!.variables.ch, conversation.sid);
    assert.equal(next.state.status, 'ended');
  });

  it('moves the execution into the conversation: flow.channel is the conversation, sends go there', () => {
    const def = triggerFlow('conversation', 'incomingRequest', 'start', [
      { name: 'start', type: 'start-conversation', properties: { offset: { x: 0, y: 100 }, ...properties }, transitions: [{ event: 'created', next: 'ask' }, { event: 'failed' }] },
      {
        name: 'ask',
        type: 'send-and-wait-for-reply',
        properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', body: 'conv={{flow.channel.sid}} addr={{flow.channel.address}}', timeout: '3600' },
        transitions: [{ event: 'incomingMessage' }, { event: 'timeout' }, { event: 'deliveryFailure' }],
      },
    ]);
    const { input, result } = start(def);
    const effect = result.effects.find((e) => e.type === 'start-conversation') as Extract<Effect, { type: 'start-conversation' }>;
    const ch = 'CH' + '1'.repeat(32);
    const conversation = { sid: ch, chat_service_sid: SERVICE, state: 'active', participants: [{ type: 'sms', messaging_binding_address: CONTACT }] };
    const next = handleEvent(input, result.state, { type: 'effect-result', effectId: effect.effectId, result: { kind: 'conversation-started', conversation, webhookSid: 'WH' + '2'.repeat(32) } });
    assert.equal(next.state.channelAddress, ch);
    assert.equal(next.state.contactAddress, CONTACT, 'the contact is a participant: still the contact');
    const send = next.effects.find((e): e is Extract<Effect, { type: 'send-message' }> => e.type === 'send-message');
    assert.deepEqual([send?.message.from, send?.message.to, send?.message.body], [ch, CONTACT, `conv=${ch} addr=${ch}`]);
    const flowChannel = (executionContext(next.state).flow as any).channel;
    assert.deepEqual(flowChannel, {
      address: ch,
      sid: ch,
      type: 'conversation',
      status: 'active',
      details: { chat_service_sid: SERVICE, messaging_service_sid: null, webhook_sid: 'WH' + '2'.repeat(32) },
    });
  });

  it('a conversation whose one participant is someone else makes them the contact', () => {
    const { input, result } = start(definition(properties));
    const effect = result.effects.find((e) => e.type === 'start-conversation') as Extract<Effect, { type: 'start-conversation' }>;
    const conversation = { sid: 'CH' + '3'.repeat(32), participants: [{ sid: 'MB' + '4'.repeat(32), identity: 'ann@example.com', messaging_binding: null }] };
    const next = handleEvent(input, result.state, { type: 'effect-result', effectId: effect.effectId, result: { kind: 'conversation-started', conversation, webhookSid: 'WH' + '2'.repeat(32) } });
    assert.equal(next.state.contactAddress, 'ann@example.com');
    assert.equal(next.state.channelAddress, conversation.sid);
  });

  it('leaves by failed when the channel refuses', () => {
    const { input, result } = start(definition(properties));
    const effect = result.effects.find((e) => e.type === 'start-conversation') as Extract<Effect, { type: 'start-conversation' }>;
    const next = handleEvent(input, result.state, { type: 'effect-result', effectId: effect.effectId, result: { kind: 'conversation-failed', code: 50050, message: 'no such service' } });
    assert.equal(next.steps[0]!.name, 'failed');
    assert.equal(next.steps[0]!.transitionedTo, 'Ended');
    assert.deepEqual(next.steps[0]!.context, { error: { code: 50050, message: 'no such service' } });
  });

  it('takes failed without asking the channel when a template cannot render', () => {
    const { result } = start(definition({ ...properties, friendly_name: '{% if %}broken' }));
    assert.equal(result.effects.some((e) => e.type === 'start-conversation'), false);
    assert.equal(result.steps.at(-1)!.name, 'failed');
  });
});
