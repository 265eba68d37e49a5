// resume-conversation on the pure engine: the request it asks the channel for (rendered Liquid, webhook
// filters with onMessageAdded first), `resumed` with its outputs and the execution moved into the
// conversation, `failed` from the channel, from a missing SID, and for an execution already in a conversation.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { executionContext, handleEvent } from '../../src/engine/interpreter.ts';
import type { Effect, JsonObject } from '../../src/engine/types.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';
import { triggerFlow, wiredTriggerFlow } from '../support/flows.ts';
import { CONTACT, FLOW_ADDRESS, startFlow, stepPath } from './helpers.ts';

const SERVICE = 'IS' + 'a'.repeat(32);
const CH = 'CH' + 'c'.repeat(32);
const WH = 'WH' + '2'.repeat(32);

const resumeWidget = (properties: JsonObject, next?: string) => ({
  name: 'resume',
  type: 'resume-conversation',
  properties: { offset: { x: 0, y: 100 }, ...properties },
  transitions: [{ event: 'resumed', ...(next ? { next } : {}) }, { event: 'failed' }],
});

const ask = {
  name: 'ask',
  type: 'send-and-wait-for-reply',
  properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', body: 'Back in {{flow.channel.sid}} ({{widgets.resume.conversation.friendly_name}})', timeout: '3600' },
  transitions: [{ event: 'incomingMessage' }, { event: 'timeout' }, { event: 'deliveryFailure' }],
};

function definition(properties: JsonObject, next?: string): FlowDefinition {
  return triggerFlow('resume', 'incomingRequest', 'resume', [resumeWidget(properties, next), ...(next ? [ask] : [])]);
}

/** A REST execution for CONTACT with the flow data { conversation: CH, ticket: 'T-1' }. */
const start = (def: FlowDefinition) => startFlow(def, 'incomingRequest', { request: { from: FLOW_ADDRESS, to: CONTACT, parameters: { conversation: CH } } }, { conversation: CH, ticket: 'T-1' });

const properties = {
  conversation_service_sid: SERVICE,
  conversation_sid: '{{flow.data.conversation}}',
  webhook_filters: ['onParticipantAdded', 'onMessageAdded', '{{flow.data.extra | default: "onConversationUpdated"}}'],
  attributes: '{"ticket":"{{flow.data.ticket}}"}',
};

const effectOf = (result: { effects: Effect[] }) => result.effects.find((e): e is Extract<Effect, { type: 'resume-conversation' }> => e.type === 'resume-conversation');

describe('resume-conversation widget', () => {
  it('asks the channel for the conversation with rendered properties, onMessageAdded the first filter', () => {
    const { result } = start(definition(properties));
    const effect = effectOf(result);
    assert.ok(effect, `a resume-conversation effect, got ${JSON.stringify(result.state.endReason)}`);
    assert.deepEqual(effect.request, {
      conversationServiceSid: SERVICE,
      conversationSid: CH,
      webhookFilters: ['onMessageAdded', 'onParticipantAdded', 'onConversationUpdated'],
      attributes: '{"ticket":"T-1"}',
    });
    assert.equal(result.state.status, 'active');
  });

  it('filters written as one string, or none: onMessageAdded always; no attributes, none asked for', () => {
    const asString = effectOf(start(definition({ conversation_service_sid: SERVICE, conversation_sid: CH, webhook_filters: 'onParticipantAdded, onMessageAdded' })).result)!;
    assert.deepEqual(asString.request, { conversationServiceSid: SERVICE, conversationSid: CH, webhookFilters: ['onMessageAdded', 'onParticipantAdded'] });
    const none = effectOf(start(definition({ conversation_service_sid: SERVICE, conversation_sid: CH })).result)!;
    assert.deepEqual(none.request.webhookFilters, ['onMessageAdded']);
  });

  it('resumed: the conversation and webhook_sid as outputs, and the execution moves into it', () => {
    const { input, result } = start(definition(properties, 'ask'));
    const effect = effectOf(result)!;
    const conversation = { sid: CH, chat_service_sid: SERVICE, friendly_name: 'Support', state: 'active', participants: [{ sid: 'MB' + '4'.repeat(32), messaging_binding: { type: 'sms', address: CONTACT, proxy_address: '+15005550009' } }] };
    const next = handleEvent(input, result.state, { type: 'effect-result', effectId: effect.effectId, result: { kind: 'conversation-started', conversation, webhookSid: WH } });
    assert.deepEqual(stepPath(next), ['resume -resumed-> ask']);
    assert.deepEqual(next.steps[0]!.context, { conversation, webhook_sid: WH });
    assert.equal(next.state.channelAddress, CH);
    assert.equal(next.state.contactAddress, CONTACT, 'the contact is a participant: still the contact');
    const send = next.effects.find((e): e is Extract<Effect, { type: 'send-message' }> => e.type === 'send-message');
    assert.deepEqual([send?.message.from, send?.message.to, send?.message.body], [CH, CONTACT, `Back in ${CH} (Support)`]);
    assert.deepEqual((executionContext(next.state).flow as JsonObject).channel, {
      address: CH,
      sid: CH,
      type: 'conversation',
      status: 'active',
      details: { chat_service_sid: SERVICE, messaging_service_sid: null, webhook_sid: WH },
    });
  });

  it('leaves by failed with the channel’s error (a conversation that is not there)', () => {
    const { input, result } = start(definition(properties));
    const effect = effectOf(result)!;
    const next = handleEvent(input, result.state, { type: 'effect-result', effectId: effect.effectId, result: { kind: 'conversation-failed', code: 20404, message: 'not found' } });
    assert.deepEqual(stepPath(next), ['resume -failed-> Ended']);
    assert.deepEqual(next.steps[0]!.context, { error: { code: 20404, message: 'not found' } });
    assert.equal(next.state.channelAddress, FLOW_ADDRESS, 'the execution stays where it was');
  });

  it('takes failed without asking the channel: no conversation SID, no service, a template that cannot render', () => {
    for (const [props, code] of [
      [{ conversation_service_sid: SERVICE, conversation_sid: '{{flow.data.none}}' }, 20404],
      [{ conversation_sid: CH }, 50050],
      [{ ...properties, attributes: '{% if %}broken' }, undefined],
    ] as const) {
      const { result } = start(definition(props as JsonObject));
      assert.equal(effectOf(result), undefined, JSON.stringify(props));
      assert.equal(result.steps.at(-1)!.name, 'failed');
      if (code) assert.equal(((result.steps.at(-1)!.context as JsonObject).error as JsonObject).code, code);
    }
  });

  it('an execution already in a conversation takes failed: one conversation per execution', () => {
    const def = wiredTriggerFlow('resume', { incomingConversationMessage: 'resume' }, [resumeWidget({ conversation_service_sid: SERVICE, conversation_sid: 'CH' + 'd'.repeat(32) })]);
    const { result } = startFlow(def, 'incomingConversationMessage', { conversation: { ConversationSid: CH, Author: CONTACT, Body: 'hi' } }, {}, { flow: CH, contact: CONTACT });
    assert.equal(effectOf(result), undefined);
    assert.deepEqual(stepPath(result).at(-1), 'resume -failed-> Ended');
    assert.match(String(((result.steps.at(-1)!.context as JsonObject).error as JsonObject).message), new RegExp(`already in conversation ${CH}`));
  });
});
