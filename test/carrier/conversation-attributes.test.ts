// Send Message `attributes` through the carrier: a message posted into the conversation carries them as its
// Conversations Attributes (the Messages create call's form), and the resource Twilio returns (attributes
// included) is the widget's outbound.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { CONTACT, createFlow, firstExecution, flow, sendMessage, stepList, useCarrierServer, waitForEnd, webhookUrl, widgetOutputs, type CarrierServer } from './helpers.ts';
import type { FakeTwilio } from '../support/fake-twilio.ts';

const CONVERSATION = 'CH' + 'e5'.repeat(16);

describe('Twilio carrier: message attributes in a conversation', () => {
  let fake: FakeTwilio;
  let server: CarrierServer;
  useCarrierServer((started) => ({ fake, server } = started));

  it('posts the rendered attributes with the message, as its Attributes', async () => {
    const flowSid = await createFlow(server, flow([sendMessage('hello', { from: 'Bot', body: 'Hello', attributes: '{"author": "{{trigger.conversation.Author}}"}' })], { incomingConversationMessage: 'hello' }));
    await fake.postSigned(webhookUrl(server, flowSid), {
      AccountSid: fake.options.accountSid,
      ConversationSid: CONVERSATION,
      MessageSid: 'IM' + randomBytes(16).toString('hex'),
      EventType: 'onMessageAdded',
      Author: CONTACT,
      Body: 'hi',
      Index: '0',
    });
    const executionSid = await firstExecution(server, flowSid);
    await waitForEnd(server, executionSid);
    assert.deepEqual(await stepList(server.app, server.account.sid, flowSid, executionSid), ['Trigger -incomingConversationMessage-> hello', 'hello -sent-> Ended']);
    const [posted] = fake.creates('Conversations');
    assert.deepEqual(posted!.form, [
      ['Author', 'Bot'],
      ['Body', 'Hello'],
      ['Attributes', `{"author": "${CONTACT}"}`],
    ]);
    assert.equal((await widgetOutputs(server.app, executionSid, 'hello')).outbound.Attributes, `{"author": "${CONTACT}"}`);
  });
});
