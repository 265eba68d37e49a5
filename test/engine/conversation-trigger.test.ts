// trigger.conversation carries the fields Studio documents (studio-flow-language.md §4.1: AccountSid,
// Body, ChannelSid, ConversationSid, DateCreated, From, MessageSid, MessagingServiceSid) on top of the
// Conversations onMessageAdded webhook it comes from, which names the sender Author and has no From or
// ChannelSid: From is the Author, ChannelSid the conversation. Fields the webhook posted stay as posted.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { conversationWebhookParams } from '../../src/channels/simulator/webhook-params.ts';
import { normalizeTriggerData } from '../../src/engine/trigger-data.ts';
import type { JsonObject, SprintResult } from '../../src/engine/types.ts';
import { runFiles } from '../../src/flowtest/runner.ts';
import { textReport } from '../../src/flowtest/reporters.ts';
import { triggerFlow } from '../support/flows.ts';
import { startFlow } from './helpers.ts';

const CONVERSATION = 'CH' + 'a'.repeat(32);
const AUTHOR = '+15551239999';
const BODY = 'From=[{{trigger.conversation.From}}] ChannelSid=[{{trigger.conversation.ChannelSid}}] MG=[{{trigger.conversation.MessagingServiceSid}}] Date=[{{trigger.conversation.DateCreated}}] Author=[{{trigger.conversation.Author}}]';

/** What the simulator (and Twilio) posts for a contact's message in a conversation. */
function webhook(extra: Record<string, string> = {}): JsonObject {
  return {
    ...conversationWebhookParams({
      accountSid: 'AC' + '0'.repeat(32),
      chatServiceSid: 'IS' + '0'.repeat(32),
      conversationSid: CONVERSATION,
      messageSid: 'IM' + '1'.repeat(32),
      participantSid: 'MB' + '2'.repeat(32),
      source: 'SMS',
      author: AUTHOR,
      body: 'hi',
      index: 0,
      dateCreated: Date.parse('2026-05-01T10:00:00Z'),
      webhookSid: 'WH' + '3'.repeat(32),
    }),
    ...extra,
  };
}

const flow = triggerFlow('conversation', 'incomingConversationMessage', 'reply', [
  { name: 'reply', type: 'send-message', properties: { from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: BODY }, transitions: [{ event: 'sent' }, { event: 'failed' }] },
]);

function sent(result: SprintResult): string {
  const effect = result.effects.find((e) => e.type === 'send-message');
  assert.ok(effect && effect.type === 'send-message', JSON.stringify(result.effects));
  return effect.message.body;
}

describe('trigger.conversation (§4.1)', () => {
  it('has From (the Author) and ChannelSid (the conversation) for an onMessageAdded webhook, which has neither', () => {
    const { result } = startFlow(flow, 'incomingConversationMessage', { conversation: webhook() }, {}, { flow: CONVERSATION, contact: AUTHOR });
    assert.equal(sent(result), `From=[${AUTHOR}] ChannelSid=[${CONVERSATION}] MG=[] Date=[2026-05-01T10:00:00Z] Author=[${AUTHOR}]`);
    // The trigger step's context (what the Execution Context and the console show) has them too, beside every posted field.
    const context = result.steps[0]!.context.conversation as JsonObject;
    assert.deepEqual(context, { ...webhook(), From: AUTHOR, ChannelSid: CONVERSATION });
  });

  it('keeps the fields a webhook posted: From, ChannelSid and MessagingServiceSid are never replaced', () => {
    const posted = webhook({ From: 'whatsapp:+15550001111', ChannelSid: 'CH' + 'b'.repeat(32), MessagingServiceSid: 'MG' + 'c'.repeat(32) });
    const { result } = startFlow(flow, 'incomingConversationMessage', { conversation: posted }, {}, { flow: CONVERSATION, contact: AUTHOR });
    assert.equal(sent(result), `From=[whatsapp:+15550001111] ChannelSid=[CH${'b'.repeat(32)}] MG=[MG${'c'.repeat(32)}] Date=[2026-05-01T10:00:00Z] Author=[${AUTHOR}]`);
  });

  it('adds nothing to a message trigger, and leaves the caller\'s object alone', () => {
    const message = { Body: 'hi', From: AUTHOR, To: '+15005550006' };
    assert.deepEqual(normalizeTriggerData({ message }), { message });
    const conversation = webhook();
    const normalized = normalizeTriggerData({ conversation });
    assert.notEqual(normalized.conversation, conversation);
    assert.equal(conversation.From, undefined, 'the posted parameters are copied, not changed');
  });

  it('is what a flow test starting from a conversation message sees', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-conversation-trigger-'));
    try {
      writeFileSync(join(dir, 'flow.json'), JSON.stringify(flow));
      const file = join(dir, 'x.test.yaml');
      writeFileSync(
        file,
        `flow: flow.json
tests:
  - name: documented fields
    clock: 2026-05-01T00:00:00Z
    trigger: { conversation: { body: hi, from: alice, conversationSid: ${CONVERSATION} } }
    expect:
      messages: ["From=[alice] ChannelSid=[${CONVERSATION}] MG=[] Date=[2026-05-01T00:00:00Z] Author=[alice]"]
`,
      );
      const summary = runFiles([file]);
      assert.equal(summary.results[0]!.status, 'passed', textReport(summary));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
