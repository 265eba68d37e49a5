// One builder of the message webhook parameters for the simulator channel (the server) and the
// flow-test runner: a conversation trigger in a test used to carry DateCreated with milliseconds and
// no Index, WebhookSid, RetryCount or WebhookType, unlike what the server's flows receive.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatorChannel } from '../../src/channels/simulator/simulator-channel.ts';
import { conversationWebhookParams, messageWebhookParams } from '../../src/channels/simulator/webhook-params.ts';
import { startSpec, inboundSids } from '../../src/flowtest/run-test.ts';

const AT = Date.UTC(2030, 0, 7, 9, 0, 0, 123);
const ACCOUNT = 'AC' + '0'.repeat(31) + '1';
const SERVICE = 'IS' + '0'.repeat(31) + '1';

describe('message webhook parameters', () => {
  it('the simulator channel posts what the builder makes', () => {
    const channel = new SimulatorChannel(() => AT);
    const params = channel.inbound(ACCOUNT, 'FW' + '0'.repeat(32), '+15551230001', '+15005550006', 'hi', ['https://example.com/a.png']);
    assert.deepEqual(params, messageWebhookParams({ sid: params.MessageSid!, accountSid: ACCOUNT, from: '+15551230001', to: '+15005550006', body: 'hi', mediaUrl: ['https://example.com/a.png'] }));
    assert.equal(params.MediaUrl0, 'https://example.com/a.png');
    assert.equal(params.NumMedia, '1');
  });

  it('a conversation message: Index, WebhookSid, RetryCount, WebhookType, and DateCreated to the second', async () => {
    const channel = new SimulatorChannel(() => AT);
    const context = { accountSid: ACCOUNT, flowSid: 'FW' + '0'.repeat(32), executionSid: 'FN' + '0'.repeat(32) };
    const started = await channel.startConversation(context as never, { conversationServiceSid: SERVICE, participants: [{ identity: 'alice' }] } as never);
    assert.ok(started.ok);
    const sid = String(started.conversation.sid);
    const inbound = channel.inboundConversation(sid, 'alice', sid, 'hello')!;
    const params = inbound.params;
    assert.deepEqual(
      params,
      conversationWebhookParams({
        accountSid: ACCOUNT,
        chatServiceSid: SERVICE,
        conversationSid: sid,
        messageSid: params.MessageSid!,
        participantSid: params.ParticipantSid!,
        source: 'SDK',
        author: 'alice',
        body: 'hello',
        index: 0,
        dateCreated: AT,
        webhookSid: params.WebhookSid!,
      }),
    );
    assert.equal(params.DateCreated, '2030-01-07T09:00:00Z');
    assert.equal(params.Index, '0');
    assert.match(params.WebhookSid!, /^WH[0-9a-f]{32}$/);
  });

  it('a flow test starts a conversation trigger with the same parameter set', () => {
    const spec = startSpec({ conversation: { body: 'hi', from: 'alice' } }, inboundSids(), AT);
    const params = spec.triggerData.conversation as Record<string, string>;
    assert.deepEqual(Object.keys(params).sort(), Object.keys(conversationWebhookParams({ accountSid: ACCOUNT, chatServiceSid: SERVICE, conversationSid: 'CH1', messageSid: 'IM1', participantSid: 'MB1', source: 'SMS', author: 'alice', body: 'hi', index: 0, dateCreated: AT, webhookSid: 'WH1' })).sort());
    assert.equal(params.DateCreated, '2030-01-07T09:00:00Z');
    assert.equal(params.Index, '0');
    assert.match(params.WebhookSid!, /^WH/);
    assert.equal(params.RetryCount, '0');
    assert.equal(params.WebhookType, 'webhook');
  });
});
