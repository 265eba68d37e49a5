// Conversations through the carrier: a signed onMessageAdded webhook starts an
// `incomingConversationMessage` execution (trigger.conversation.*), replies are posted into the
// conversation with the Conversations API, the contact's next message resumes send-and-wait, and
// the flow's own messages echoed back by Twilio do not feed the flow.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { CONTACT, createFlow, firstExecution, flow, restExecution, sendAndWait, sendMessage, stepList, useCarrierServer, waitFor, waitForEnd, webhookUrl, widgetOutputs, type CarrierServer } from './helpers.ts';
import type { FakeTwilio } from '../support/fake-twilio.ts';
import { contextOf } from '../../src/runtime/execution-context.ts';

const CONVERSATION = 'CH' + 'f6'.repeat(16);
const CHAT_SERVICE = 'IS' + '7'.repeat(32);

function conversationWebhook(fake: FakeTwilio, author: string, body: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    AccountSid: fake.options.accountSid,
    ChatServiceSid: CHAT_SERVICE,
    ConversationSid: CONVERSATION,
    MessageSid: 'IM' + randomBytes(16).toString('hex'),
    ParticipantSid: 'MB' + '8'.repeat(32),
    EventType: 'onMessageAdded',
    Source: 'SMS',
    Author: author,
    Body: body,
    Index: '0',
    Attributes: '{}',
    DateCreated: new Date().toISOString(),
    RetryCount: '0',
    WebhookType: 'studio',
    ...extra,
  };
}

/** Makes the fake hold `conversationSid` in `serviceSid` (not the default service), as Flex's conversations are. */
function inService(fake: FakeTwilio, conversationSid: string, serviceSid: string): void {
  fake.conversations.push({ sid: conversationSid, chat_service_sid: serviceSid, participants: [], webhooks: [] });
}

describe('Twilio carrier: Conversations', () => {
  let fake: FakeTwilio;
  let server: CarrierServer;
  useCarrierServer((started) => ({ fake, server } = started));

  it('starts on incomingConversationMessage, replies into the conversation, resumes on the next message', async () => {
    const flowSid = await createFlow(
      server,
      flow(
        [
          sendAndWait('ask', { body: 'Hi {{trigger.conversation.Author}}, what do you need?' }, { incomingMessage: 'thanks' }),
          sendMessage('thanks', { body: 'Noted: {{widgets.ask.inbound.Body}}', to: '{{contact.channel.address}}' }),
        ],
        { incomingConversationMessage: 'ask' },
      ),
    );
    const url = webhookUrl(server, flowSid);
    const first = await fake.postSigned(url, conversationWebhook(fake, CONTACT, 'hello'));
    assert.equal(first.status, 200, first.body);
    const [question] = await waitFor('the question in the conversation', () => (fake.creates('Conversations').length === 1 ? fake.creates('Conversations') : null));
    // In the conversation's service (the webhook's ChatServiceSid): the unscoped path reaches the default service only.
    assert.equal(question!.path, `/v1/Services/${CHAT_SERVICE}/Conversations/${CONVERSATION}/Messages`);
    assert.deepEqual(question!.form, [['Body', `Hi ${CONTACT}, what do you need?`]]);

    const executions = await server.app.store.listExecutions(server.account.sid, flowSid, {}, { pageSize: 10 });
    assert.equal(executions.items.length, 1);
    const execution = executions.items[0]!;
    assert.equal(execution.contactChannelAddress, CONTACT);
    assert.equal(execution.channelAddress, CONVERSATION);
    assert.equal((contextOf(execution) as any).trigger.conversation.Body, 'hello');

    // Twilio echoes the flow's own message (authored "system") to the webhook: ignored.
    const echo = await fake.postSigned(url, conversationWebhook(fake, 'system', `Hi ${CONTACT}, what do you need?`, { MessageSid: String(fake.conversationMessages[0]!.sid) }));
    assert.equal(echo.status, 200);
    // Other conversation events are acknowledged and ignored.
    assert.equal((await fake.postSigned(url, conversationWebhook(fake, CONTACT, '', { EventType: 'onParticipantAdded' }))).status, 200);
    assert.deepEqual(await stepList(server.app, server.account.sid, flowSid, execution.sid), ['Trigger -incomingConversationMessage-> ask']);

    await fake.postSigned(url, conversationWebhook(fake, CONTACT, 'a refund', { Index: '2' }));
    await waitForEnd(server, execution.sid);
    assert.deepEqual(await stepList(server.app, server.account.sid, flowSid, execution.sid), [
      'Trigger -incomingConversationMessage-> ask',
      'ask -incomingMessage-> thanks',
      'thanks -sent-> Ended',
    ]);
    assert.deepEqual(
      fake.conversationMessages.map((m) => [m.author, m.body]),
      [
        ['system', `Hi ${CONTACT}, what do you need?`],
        ['system', 'Noted: a refund'],
      ],
    );
    const thanks = await widgetOutputs(server.app, execution.sid, 'thanks');
    assert.equal(thanks.outbound.ConversationSid, CONVERSATION);
    assert.equal(thanks.outbound.Index, 1);
    assert.equal(thanks.outbound.Sid, fake.conversationMessages[1]!.sid);
    assert.equal(fake.creates('Messages').length, 0, 'nothing went through the Messages API');
  });

  it('a reply whose response never came is found in the conversation, not posted twice', async () => {
    // In a service other than the default: the lookup, too, must name it (the unscoped path answers 404).
    inService(fake, CONVERSATION, CHAT_SERVICE);
    const flowSid = await createFlow(server, flow([sendMessage('hello', { body: 'Hello there' })], { incomingConversationMessage: 'hello' }));
    fake.failNext({ kind: 'created-then-hang' });
    await fake.postSigned(webhookUrl(server, flowSid), conversationWebhook(fake, CONTACT, 'hi'));
    const executionSid = await firstExecution(server, flowSid);
    await waitForEnd(server, executionSid);
    assert.deepEqual(await stepList(server.app, server.account.sid, flowSid, executionSid), ['Trigger -incomingConversationMessage-> hello', 'hello -sent-> Ended']);
    assert.equal(fake.creates('Conversations').length, 1);
    assert.equal((await widgetOutputs(server.app, executionSid, 'hello')).outbound.Sid, fake.conversationMessages[0]!.sid);
  });

  it('replies in a conversation of a non-default service under its service (ChatServiceSid); the unscoped path answers 404', async () => {
    inService(fake, CONVERSATION, CHAT_SERVICE);
    const flowSid = await createFlow(server, flow([sendMessage('hello', { body: 'Hello there' })], { incomingConversationMessage: 'hello' }));
    await fake.postSigned(webhookUrl(server, flowSid), conversationWebhook(fake, CONTACT, 'hi'));
    const executionSid = await firstExecution(server, flowSid);
    await waitForEnd(server, executionSid);
    assert.deepEqual(await stepList(server.app, server.account.sid, flowSid, executionSid), ['Trigger -incomingConversationMessage-> hello', 'hello -sent-> Ended']);
    assert.deepEqual(fake.creates('Conversations').map((r) => r.path), [`/v1/Services/${CHAT_SERVICE}/Conversations/${CONVERSATION}/Messages`]);
    const unscoped = await fetch(`${fake.baseUrl}/v1/Conversations/${CONVERSATION}/Messages`, {
      method: 'POST',
      headers: { authorization: 'Basic ' + Buffer.from(`${fake.options.accountSid}:${fake.options.authToken}`).toString('base64'), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Body=x',
    });
    assert.equal(unscoped.status, 404);
  });

  it('a webhook without ChatServiceSid is replied to under the default path', async () => {
    const flowSid = await createFlow(server, flow([sendMessage('hello', { body: 'Hello there' })], { incomingConversationMessage: 'hello' }));
    const { ChatServiceSid: _service, ...params } = conversationWebhook(fake, CONTACT, 'hi');
    await fake.postSigned(webhookUrl(server, flowSid), params);
    await waitForEnd(server, await firstExecution(server, flowSid));
    assert.deepEqual(fake.creates('Conversations').map((r) => r.path), [`/v1/Conversations/${CONVERSATION}/Messages`]);
  });

  it('a named sender becomes the Author; media URLs are refused clearly (Conversations take Media SIDs)', async () => {
    const flowSid = await createFlow(
      server,
      flow(
        [
          sendMessage('hello', { body: 'Hello', from: 'Support Bot' }, { sent: 'pic' }),
          sendMessage('pic', { body: 'Look', media_url: 'https://cdn.example.com/a.png' }, { failed: 'after' }),
          { name: 'after', type: 'set-variables', properties: { offset: { x: 0, y: 0 }, variables: [] }, transitions: [{ event: 'next' }] },
        ],
        { incomingConversationMessage: 'hello' },
      ),
    );
    await fake.postSigned(webhookUrl(server, flowSid), conversationWebhook(fake, 'ada@example.com', 'hi'));
    const executionSid = await firstExecution(server, flowSid);
    await waitForEnd(server, executionSid);
    assert.deepEqual(await stepList(server.app, server.account.sid, flowSid, executionSid), [
      'Trigger -incomingConversationMessage-> hello',
      'hello -sent-> pic',
      'pic -failed-> after',
      'after -next-> Ended',
    ]);
    assert.deepEqual(fake.creates('Conversations').map((r) => r.form), [[['Author', 'Support Bot'], ['Body', 'Hello']]]);
    assert.match((await widgetOutputs(server.app, executionSid, 'pic')).outbound.ErrorMessage, /Media SIDs/);
  });
});

describe('Twilio carrier: start-conversation', () => {
  let fake: FakeTwilio;
  let server: CarrierServer;
  const SERVICE = 'IS' + 'a9'.repeat(16);
  useCarrierServer((started) => ({ fake, server } = started));

  const definition = (service: string) =>
    flow(
      [
        {
          name: 'open',
          type: 'start-conversation',
          properties: {
            offset: { x: 0, y: 0 },
            conversation_service_sid: service,
            friendly_name: 'Support {{flow.data.ticket}}',
            participants: [{ type: 'sms', messaging_binding_address: '{{contact.channel.address}}', messaging_binding_proxy_address: '{{flow.channel.address}}' }],
          },
          transitions: [{ event: 'created' }, { event: 'failed' }],
        },
      ],
      { incomingRequest: 'open' },
    );

  async function start(flowSid: string): Promise<string> {
    const res = await restExecution(server, flowSid, { To: CONTACT, From: '+15005550006', Parameters: JSON.stringify({ ticket: 'T-9' }) });
    assert.equal(res.statusCode, 201, res.body);
    const executionSid = res.json().sid as string;
    await waitForEnd(server, executionSid);
    return executionSid;
  }

  it('creates the Conversation, its participant and a webhook back to the flow, through the Conversations API', async () => {
    const flowSid = await createFlow(server, definition(SERVICE));
    const executionSid = await start(flowSid);
    assert.deepEqual(await stepList(server.app, server.account.sid, flowSid, executionSid), ['Trigger -incomingRequest-> open', 'open -created-> Ended']);
    assert.equal(fake.conversations.length, 1);
    const created = fake.conversations[0]!;
    assert.equal(created.friendly_name, 'Support T-9');
    assert.equal(created.chat_service_sid, SERVICE);
    assert.deepEqual(created.participants.map((p) => p.messaging_binding), [{ type: 'sms', address: CONTACT, proxy_address: '+15005550006' }]);
    assert.deepEqual(created.webhooks.map((w) => w.configuration), [{ url: webhookUrl(server, flowSid), method: 'POST', filters: ['onMessageAdded'] }]);
    const open = await widgetOutputs(server.app, executionSid, 'open');
    assert.equal(open.conversation.sid, created.sid);
    assert.equal(open.webhook_sid, created.webhooks[0]!.sid);

    // The contact's message in that conversation reaches the flow through the webhook it registered.
    const webhook = created.webhooks[0]!.configuration as { url: string };
    const answer = await fake.postSigned(webhook.url, conversationWebhook(fake, CONTACT, 'hello', { ConversationSid: String(created.sid) }));
    assert.equal(answer.status, 200);
  });

  it('moves the execution into the conversation: the question is posted there, in its service, and the reply there resumes it', async () => {
    const flowSid = await createFlow(
      server,
      flow(
        [
          {
            name: 'open',
            type: 'start-conversation',
            properties: {
              offset: { x: 0, y: 0 },
              conversation_service_sid: SERVICE,
              participants: [{ type: 'messaging', messaging_binding_address: '{{trigger.request.to}}', messaging_binding_proxy_address: '+15005550006' }],
            },
            transitions: [{ event: 'created', next: 'ask' }, { event: 'failed' }],
          },
          sendAndWait('ask', { body: 'How was it? conv={{flow.channel.sid}} addr={{flow.channel.address}}' }, { incomingMessage: 'thanks' }),
          sendMessage('thanks', { body: 'Thanks for {{widgets.ask.inbound.Body}}' }),
        ],
        { incomingRequest: 'open', incomingConversationMessage: 'thanks' },
      ),
    );
    const res = await restExecution(server, flowSid, { To: CONTACT, From: '+15005550006' });
    assert.equal(res.statusCode, 201, res.body);
    const executionSid = res.json().sid as string;
    const [question] = await waitFor('the question in the conversation', () => (fake.conversationMessages.length > 0 ? fake.conversationMessages : null));
    const created = fake.conversations[0]!;
    const ch = String(created.sid);
    assert.deepEqual([question!.author, question!.body], ['system', `How was it? conv=${ch} addr=${ch}`]);
    assert.deepEqual(fake.creates('Conversations').filter((r) => r.path.endsWith('/Messages')).map((r) => r.path), [`/v1/Services/${SERVICE}/Conversations/${ch}/Messages`]);
    assert.equal(fake.creates('Messages').length, 0, 'nothing went through the Messages API');
    const moved = await server.app.store.getExecutionBySid(executionSid);
    assert.deepEqual([moved!.contactChannelAddress, moved!.channelAddress, moved!.status], [CONTACT, ch, 'active']);
    assert.equal((contextOf(moved!) as any).flow.channel.sid, ch);

    // The contact answers in the conversation: the webhook Start Conversation registered resumes the same execution.
    const webhook = created.webhooks[0]!.configuration as { url: string };
    const answer = await fake.postSigned(webhook.url, conversationWebhook(fake, CONTACT, 'great', { ConversationSid: ch, ChatServiceSid: SERVICE, ParticipantSid: String(created.participants[0]!.sid), Index: '1' }));
    assert.equal(answer.status, 200);
    await waitForEnd(server, executionSid);
    assert.deepEqual(await stepList(server.app, server.account.sid, flowSid, executionSid), [
      'Trigger -incomingRequest-> open',
      'open -created-> ask',
      'ask -incomingMessage-> thanks',
      'thanks -sent-> Ended',
    ]);
    assert.equal((await server.app.store.listExecutions(server.account.sid, flowSid, {}, { pageSize: 10 })).items.length, 1, 'no second execution');
    assert.deepEqual(fake.conversationMessages.map((m) => m.body), [`How was it? conv=${ch} addr=${ch}`, 'Thanks for great']);
  });

  it('an unknown service takes failed with Twilio’s error', async () => {
    const missing = 'IS' + '0'.repeat(32);
    fake.missingServices.add(missing);
    const flowSid = await createFlow(server, definition(missing));
    const executionSid = await start(flowSid);
    const steps = await stepList(server.app, server.account.sid, flowSid, executionSid);
    assert.deepEqual(steps, ['Trigger -incomingRequest-> open', 'open -failed-> Ended']);
    assert.equal(fake.conversations.length, 0);
  });
});

describe('Twilio carrier: resume-conversation', () => {
  let fake: FakeTwilio;
  let server: CarrierServer;
  const SERVICE = 'IS' + 'b8'.repeat(16);
  const EXISTING = 'CH' + 'e5'.repeat(16);
  const PARTICIPANT = 'MB' + '3c'.repeat(16);
  useCarrierServer((started) => ({ fake, server } = started));

  /** A conversation made outside Studio (through the Conversations API): the contact on SMS, in SERVICE. */
  function existing(): void {
    fake.conversations.push({
      sid: EXISTING,
      account_sid: fake.options.accountSid,
      chat_service_sid: SERVICE,
      friendly_name: 'Order 77',
      attributes: '{}',
      state: 'active',
      participants: [{ sid: PARTICIPANT, conversation_sid: EXISTING, identity: null, messaging_binding: { type: 'sms', address: CONTACT, proxy_address: '+15005550006' } }],
      webhooks: [],
    });
  }

  const definition = (service = SERVICE) =>
    flow(
      [
        {
          name: 'resume',
          type: 'resume-conversation',
          properties: {
            offset: { x: 0, y: 0 },
            conversation_service_sid: service,
            conversation_sid: '{{flow.data.conversation}}',
            webhook_filters: ['onParticipantAdded'],
            attributes: '{"order":"{{flow.data.order}}"}',
          },
          transitions: [{ event: 'resumed', next: 'ask' }, { event: 'failed' }],
        },
        sendAndWait('ask', { body: 'About {{widgets.resume.conversation.friendly_name}}: all good? ({{flow.channel.sid}})' }, { incomingMessage: 'thanks' }),
        sendMessage('thanks', { body: 'Thanks: {{widgets.ask.inbound.Body}}' }),
      ],
      { incomingRequest: 'resume', incomingConversationMessage: 'thanks' },
    );

  it('fetches the conversation and its participants, sets its attributes, adds a webhook to the flow, and the reply there resumes the execution', async () => {
    existing();
    const flowSid = await createFlow(server, definition());
    const res = await restExecution(server, flowSid, { To: CONTACT, From: '+15005550006', Parameters: JSON.stringify({ conversation: EXISTING, order: '77' }) });
    assert.equal(res.statusCode, 201, res.body);
    const executionSid = res.json().sid as string;
    const [question] = await waitFor('the question in the conversation', () => (fake.conversationMessages.length > 0 ? fake.conversationMessages : null));
    assert.deepEqual([question!.author, question!.body], ['system', `About Order 77: all good? (${EXISTING})`]);
    const path = `/v1/Services/${SERVICE}/Conversations/${EXISTING}`;
    assert.deepEqual(
      fake.requests.filter((r) => r.path.startsWith(path)).map((r) => `${r.method} ${r.path}${r.method === 'GET' && r.query.size ? `?${r.query}` : ''}`),
      [`GET ${path}`, `GET ${path}/Participants?PageSize=100`, `POST ${path}`, `POST ${path}/Webhooks`, `POST ${path}/Messages`],
    );
    const conversation = fake.conversations[0]!;
    assert.equal(conversation.attributes, '{"order":"77"}');
    assert.deepEqual(conversation.webhooks.map((w) => w.configuration), [{ url: webhookUrl(server, flowSid), method: 'POST', filters: ['onMessageAdded', 'onParticipantAdded'] }]);
    const outputs = await widgetOutputs(server.app, executionSid, 'resume');
    assert.equal(outputs.conversation.sid, EXISTING);
    assert.equal(outputs.conversation.attributes, '{"order":"77"}');
    assert.deepEqual(outputs.conversation.participants.map((p: any) => p.sid), [PARTICIPANT]);
    assert.equal(outputs.webhook_sid, conversation.webhooks[0]!.sid);
    const moved = await server.app.store.getExecutionBySid(executionSid);
    assert.deepEqual([moved!.contactChannelAddress, moved!.channelAddress], [CONTACT, EXISTING]);

    const webhook = conversation.webhooks[0]!.configuration as { url: string };
    const answer = await fake.postSigned(webhook.url, conversationWebhook(fake, CONTACT, 'yes', { ConversationSid: EXISTING, ChatServiceSid: SERVICE, ParticipantSid: PARTICIPANT, Index: '1' }));
    assert.equal(answer.status, 200);
    await waitForEnd(server, executionSid);
    assert.deepEqual(await stepList(server.app, server.account.sid, flowSid, executionSid), ['Trigger -incomingRequest-> resume', 'resume -resumed-> ask', 'ask -incomingMessage-> thanks', 'thanks -sent-> Ended']);
    assert.equal((await server.app.store.listExecutions(server.account.sid, flowSid, {}, { pageSize: 10 })).items.length, 1, 'no second execution');
    assert.deepEqual(fake.conversationMessages.map((m) => m.body), [`About Order 77: all good? (${EXISTING})`, 'Thanks: yes']);
  });

  it('a conversation that is not in the service takes failed with Twilio’s 404, and nothing is added to it', async () => {
    existing();
    const missing = 'CH' + '0'.repeat(32);
    // One the service does not hold, and EXISTING named under another service (the service-scoped path finds neither).
    for (const [service, conversation] of [[SERVICE, missing], ['IS' + 'f'.repeat(32), EXISTING]] as const) {
      const flowSid = await createFlow(server, definition(service));
      const res = await restExecution(server, flowSid, { To: CONTACT, From: '+15005550006', Parameters: JSON.stringify({ conversation, order: '1' }) });
      assert.equal(res.statusCode, 201, res.body);
      const executionSid = res.json().sid as string;
      await waitForEnd(server, executionSid);
      assert.deepEqual(await stepList(server.app, server.account.sid, flowSid, executionSid), ['Trigger -incomingRequest-> resume', 'resume -failed-> Ended']);
      const error = (await widgetOutputs(server.app, executionSid, 'resume')).error;
      assert.equal(error.code, 20404);
      assert.match(error.message, /^Fetching the conversation: The requested resource \/v1\/Services\//);
    }
    assert.equal(fake.requests.filter((r) => r.method === 'POST').length, 0, 'nothing created or updated');
    assert.deepEqual(fake.conversations[0]!.webhooks, []);
  });
});
