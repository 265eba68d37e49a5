// The Twilio carrier end to end against the local fake Twilio: signed inbound webhook → flow →
// Messages API requests with exact parameters → signed status callbacks → steps. Also Messaging
// Services, WhatsApp, media, Content templates and REST-started executions.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CONTACT,
  NUMBER,
  UPSTREAM_SID,
  UPSTREAM_TOKEN,
  createFlow,
  flow,
  onlyExecution,
  restExecution,
  sendAndWait,
  sendMessage,
  stepList,
  textAndWaitForEnd,
  useCarrierServer,
  waitFor,
  waitForEnd,
  webhookUrl,
  widgetOutputs,
  type CarrierServer,
  slowChannelRecords,
} from './helpers.ts';
import type { FakeTwilio } from '../support/fake-twilio.ts';
import { placeCall } from '../../src/channels/twilio/rest-client.ts';
import { InflightLedger } from '../../src/channels/twilio/inflight.ts';
import { voiceNetwork } from '../../src/channels/voice/voice-network.ts';
import { SimulatorPhone } from '../../src/channels/simulator/phone.ts';
import { SignedPhoneTransport } from '../../src/channels/simulator/phone-transport.ts';

const MG = 'MG' + 'b2'.repeat(16);
const askFlow = flow(
  [
    sendAndWait('ask', { body: 'What is your name?' }, { incomingMessage: 'thanks' }),
    sendMessage('thanks', { body: 'Thanks {{widgets.ask.inbound.Body}}' }),
  ],
  { incomingMessage: 'ask', incomingRequest: 'ask' },
);

describe('Twilio carrier: messaging through the fake Twilio', () => {
  let fake: FakeTwilio;
  let server: CarrierServer;
  useCarrierServer((started) => ({ fake, server } = started));

  it('runs a conversation: signed inbound SMS, Messages API request, status callbacks, reply, steps', async () => {
    const flowSid = await createFlow(server, askFlow);
    const inbound = fake.inboundMessageParams(CONTACT, NUMBER, 'hi');
    const answer = await fake.postSigned(webhookUrl(server, flowSid), inbound);
    assert.equal(answer.status, 200, answer.body);
    assert.match(answer.body, /<Response\/>/);
    const executionSid = await onlyExecution(server, flowSid);

    const [request] = await waitFor('the Messages request', () => (fake.creates('Messages').length === 1 ? fake.creates('Messages') : null));
    assert.equal(request!.path, `/2010-04-01/Accounts/${UPSTREAM_SID}/Messages.json`);
    assert.equal(request!.headers.authorization, 'Basic ' + Buffer.from(`${UPSTREAM_SID}:${UPSTREAM_TOKEN}`).toString('base64'));
    assert.equal(request!.headers['content-type'], 'application/x-www-form-urlencoded');
    const callback = request!.form.find(([name]) => name === 'StatusCallback')?.[1] ?? '';
    assert.match(callback, new RegExp(`^${server.baseUrl}/v1/Accounts/${server.account.sid}/Carrier/Executions/${executionSid}/Messages/EF[0-9a-f]{32}/Status$`));
    assert.deepEqual(request!.form, [
      ['To', CONTACT],
      ['StatusCallback', callback],
      ['From', NUMBER],
      ['Body', 'What is your name?'],
    ]);

    await waitFor('both status callbacks', () => fake.callbacksSent.length === 2);
    assert.deepEqual(fake.callbacksSent.map((c) => [c.params.MessageStatus, c.status]), [
      ['sent', 204],
      ['delivered', 204],
    ]);
    const reply = await fake.postSigned(webhookUrl(server, flowSid), fake.inboundMessageParams(CONTACT, NUMBER, 'Ada'));
    assert.equal(reply.status, 200);
    await waitForEnd(server, executionSid);
    assert.deepEqual(await stepList(server.app, server.account.sid, flowSid, executionSid), [
      'Trigger -incomingMessage-> ask',
      'ask -incomingMessage-> thanks',
      'thanks -sent-> Ended',
    ]);
    assert.deepEqual(
      fake.messages.map((m) => [m.from, m.to, m.body]),
      [
        [NUMBER, CONTACT, 'What is your name?'],
        [NUMBER, CONTACT, 'Thanks Ada'],
      ],
    );
    const ask = await widgetOutputs(server.app, executionSid, 'ask');
    assert.equal(ask.outbound.Sid, fake.messages[0]!.sid);
    assert.equal(ask.outbound.To, CONTACT);
    assert.equal(ask.outbound.NumSegments, '1');
    assert.equal(ask.inbound.Body, 'Ada');
    const thanks = await widgetOutputs(server.app, executionSid, 'thanks');
    assert.equal(thanks.outbound.Sid, fake.messages[1]!.sid);
    assert.equal(thanks.outbound.Body, 'Thanks Ada');
  });

  it('an undelivered status callback takes send-and-wait to deliveryFailure with the error code', async () => {
    const flowSid = await createFlow(
      server,
      flow(
        [sendAndWait('ask', { body: 'Still there?' }, { deliveryFailure: 'note' }), sendMessage('note', { body: 'Could not reach you', to: '+15551239999' })],
        { incomingMessage: 'ask' },
      ),
    );
    fake.deliverNext('undelivered');
    const executionSid = await textAndWaitForEnd(server, flowSid, 'hi');
    assert.deepEqual(await stepList(server.app, server.account.sid, flowSid, executionSid), [
      'Trigger -incomingMessage-> ask',
      'ask -deliveryFailure-> note',
      'note -sent-> Ended',
    ]);
    const ask = await widgetOutputs(server.app, executionSid, 'ask');
    assert.equal(ask.outbound.Status, 'undelivered');
    assert.equal(ask.outbound.ErrorCode, 30003);
  });

  it('REST-started executions send from the given address; Messaging Service From becomes MessagingServiceSid', async () => {
    const flowSid = await createFlow(server, askFlow);
    const res = await restExecution(server, flowSid, { To: CONTACT, From: MG });
    assert.equal(res.statusCode, 201, res.body);
    const [request] = await waitFor('the Messages request', () => (fake.creates('Messages').length === 1 ? fake.creates('Messages') : null));
    const names = request!.form.map(([name]) => name);
    assert.deepEqual(names, ['To', 'StatusCallback', 'MessagingServiceSid', 'Body']);
    assert.equal(request!.form[2]![1], MG);
    assert.equal(fake.messages[0]!.messaging_service_sid, MG);
  });

  it('link shortening sends the Messaging Service found on the trigger, with From', async () => {
    const flowSid = await createFlow(
      server,
      flow([sendMessage('promo', { body: 'See https://example.com/offer', shorten_urls: true })], { incomingMessage: 'promo' }),
    );
    await fake.postSigned(webhookUrl(server, flowSid), fake.inboundMessageParams(CONTACT, NUMBER, 'offer?', { MessagingServiceSid: MG }));
    const [request] = await waitFor('the Messages request', () => (fake.creates('Messages').length === 1 ? fake.creates('Messages') : null));
    assert.deepEqual(
      request!.form.filter(([name]) => name !== 'StatusCallback'),
      [
        ['To', CONTACT],
        ['From', NUMBER],
        ['MessagingServiceSid', MG],
        ['Body', 'See https://example.com/offer'],
        ['ShortenUrls', 'true'],
      ],
    );
  });

  it('WhatsApp addresses pass through unchanged, media_url is one MediaUrl field (commas and all)', async () => {
    const media = 'https://res.cloudinary.com/demo/image/upload/w_100,h_100/cat.jpg';
    const flowSid = await createFlow(
      server,
      flow([sendMessage('pic', { body: 'Here you go', media_url: ` ${media} ` })], { incomingMessage: 'pic' }),
    );
    const waContact = 'whatsapp:+15551230002';
    const waNumber = 'whatsapp:+14155238886';
    const executionSid = await textAndWaitForEnd(server, flowSid, 'photo please', { from: waContact, to: waNumber, extra: { ProfileName: 'Ada', WaId: '15551230002' } });
    const [request] = fake.creates('Messages');
    assert.deepEqual(
      request!.form.filter(([name]) => name !== 'StatusCallback'),
      [
        ['To', waContact],
        ['From', waNumber],
        ['Body', 'Here you go'],
        ['MediaUrl', media],
      ],
    );
    const pic = await widgetOutputs(server.app, executionSid, 'pic');
    assert.equal(pic.outbound.NumMedia, '1');
    assert.match(pic.outbound.Sid, /^MM/);
  });

  it('Content API templates send ContentSid and ContentVariables (keys "1" and "{{2}}" both accepted), no Body', async () => {
    const flowSid = await createFlow(
      server,
      flow(
        [
          sendMessage('template', {
            message_type: 'content_template',
            content_sid: 'HX' + 'c3'.repeat(16),
            content_variables: [
              { key: '1', value: '{{trigger.message.Body}}' },
              { key: '{{2}}', value: 'tomorrow' },
            ],
          }),
        ],
        { incomingMessage: 'template' },
      ),
    );
    const executionSid = await textAndWaitForEnd(server, flowSid, 'Ada');
    const [request] = fake.creates('Messages');
    assert.deepEqual(
      request!.form.filter(([name]) => name !== 'StatusCallback'),
      [
        ['To', CONTACT],
        ['From', NUMBER],
        ['ContentSid', 'HX' + 'c3'.repeat(16)],
        ['ContentVariables', '{"1":"Ada","2":"tomorrow"}'],
      ],
    );
    assert.deepEqual(await stepList(server.app, server.account.sid, flowSid, executionSid), ['Trigger -incomingMessage-> template', 'template -sent-> Ended']);
  });

  it('a status callback with a bad signature is a 403 and changes nothing', async () => {
    const flowSid = await createFlow(server, flow([sendAndWait('ask', { body: 'Q?' }, { deliveryFailure: 'ask' })], { incomingMessage: 'ask' }));
    // Keep the fake from reporting on its own: this test sends the callbacks.
    fake.options.callbacks = 'manual';
    await fake.postSigned(webhookUrl(server, flowSid), fake.inboundMessageParams(CONTACT, NUMBER, 'hi'));
    const executionSid = await onlyExecution(server, flowSid);
    await waitFor('ask to wait for the reply', async () => {
      const state = (await server.app.store.getExecutionBySid(executionSid))?.state as any;
      return state?.frames?.[0]?.wait?.kind === 'reply';
    });
    const message = fake.messages[0]!;
    const params = { MessageSid: message.sid, MessageStatus: 'undelivered', ErrorCode: '30003', AccountSid: UPSTREAM_SID };
    const forged = await fake.postSigned(message.statusCallback!, params, 'not-the-token');
    assert.equal(forged.status, 403);
    const unsigned = await fetch(message.statusCallback!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params).toString() });
    assert.equal(unsigned.status, 403);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(await stepList(server.app, server.account.sid, flowSid, executionSid), ['Trigger -incomingMessage-> ask']);
    const genuine = await fake.postSigned(message.statusCallback!, params);
    assert.equal(genuine.status, 204);
    await waitFor('deliveryFailure', async () => (await stepList(server.app, server.account.sid, flowSid, executionSid)).length === 2);
    assert.deepEqual((await stepList(server.app, server.account.sid, flowSid, executionSid))[1], 'ask -deliveryFailure-> ask');
  });
});

describe('Twilio carrier: delivery reports', () => {
  let fake: FakeTwilio;
  let server: CarrierServer;
  useCarrierServer((started) => ({ fake, server } = started), { fake: { callbacks: 'manual' } });

  it('a report whose apply fails is tried again, not dropped after its 204', async () => {
    const flowSid = await createFlow(server, flow([sendAndWait('ask', { body: 'Q?' })], { incomingRequest: 'ask' }));
    const executionSid = (await restExecution(server, flowSid, { To: CONTACT, From: NUMBER })).json().sid as string;
    await waitFor('ask to wait for the reply', async () => ((await server.app.store.getExecutionBySid(executionSid))?.state as any)?.frames?.[0]?.wait?.kind === 'reply');
    const executions = server.app.executions;
    const deliveryStatus = executions.deliveryStatus.bind(executions);
    let failures = 0;
    executions.deliveryStatus = async (report) => {
      if (failures++ === 0) throw new Error('terminating connection due to administrator command');
      return deliveryStatus(report);
    };
    const message = fake.messages[0]!;
    const answer = await fake.postSigned(message.statusCallback!, { MessageSid: message.sid, MessageStatus: 'undelivered', ErrorCode: '30003', AccountSid: UPSTREAM_SID });
    assert.equal(answer.status, 204);
    await waitForEnd(server, executionSid, 'the report to be applied on a second try');
    assert.equal(failures, 2);
    assert.deepEqual(await stepList(server.app, server.account.sid, flowSid, executionSid), ['Trigger -incomingRequest-> ask', 'ask -deliveryFailure-> Ended']);
    assert.deepEqual(await server.app.store.listChannelRecords('carrier-report:', 10), [], 'an applied report is not kept');
  });
});

describe('Twilio carrier: the send ledger', () => {
  let fake: FakeTwilio;
  let server: CarrierServer;
  useCarrierServer((started) => ({ fake, server } = started), { fake: { callbacks: 'manual' } });

  it('names its account and execution: pruned once the execution is over, deleted with the account', async () => {
    const greet = await createFlow(server, flow([sendMessage('greet', { body: 'Your code is 1234' })], { incomingRequest: 'greet' }));
    const ended = (await restExecution(server, greet, { To: CONTACT, From: NUMBER })).json().sid as string;
    await waitForEnd(server, ended);
    const ask = await createFlow(server, askFlow);
    const active = (await restExecution(server, ask, { To: CONTACT + '9', From: NUMBER })).json().sid as string;
    await waitFor('ask to wait for the reply', async () => ((await server.app.store.getExecutionBySid(active))?.state as any)?.frames?.[0]?.wait?.kind === 'reply');
    const records = await server.app.store.listChannelRecords('', 100);
    const of = (executionSid: string) => records.filter((r) => r.executionSid === executionSid).map((r) => r.key.split(':')[0]).sort();
    // The in-flight record, the gate its request went through, the claim of the message it sent.
    assert.deepEqual(of(ended), ['carrier-go', 'carrier-msg', 'inflight']);
    assert.deepEqual(of(active), ['carrier-go', 'carrier-msg', 'inflight']);
    assert.ok(records.every((r) => r.accountSid === server.account.sid));

    // A week and a day later: the ended execution's records go, the active one's stay.
    for (const record of records) await server.app.store.putChannelRecord({ ...record, updatedAt: Date.now() - 8 * 24 * 3600 * 1000 });
    await server.app.executions.pruneHistory();
    assert.deepEqual((await server.app.store.listChannelRecords('', 100)).map((r) => r.executionSid), [active, active, active]);
    // A late report for the ended execution is acknowledged and writes nothing back.
    const late = await fake.postSigned(fake.messages[0]!.statusCallback!, { MessageSid: fake.messages[0]!.sid, MessageStatus: 'delivered', AccountSid: UPSTREAM_SID });
    assert.equal(late.status, 204);
    assert.equal((await server.app.store.listChannelRecords('', 100)).length, 3);

    assert.ok(await server.app.store.deleteAccount(server.account.sid));
    assert.deepEqual(await server.app.store.listChannelRecords('', 100), []);
  });
});

describe('Twilio carrier: callbacks and calls', () => {
  let fake: FakeTwilio;
  let server: CarrierServer;
  useCarrierServer((started) => ({ fake, server } = started), { fake: { callbacks: 'manual' } });

  it('an undelivered report that arrives before the 201 still takes deliveryFailure', async () => {
    const flowSid = await createFlow(server, flow([sendAndWait('ask', { body: 'Q?' })], { incomingMessage: 'ask' }));
    fake.failNext({ kind: 'callback-before-response', status: 'undelivered' });
    const executionSid = await textAndWaitForEnd(server, flowSid, 'hi');
    assert.equal(fake.callbacksSent[0]!.status, 204);
    assert.deepEqual(await stepList(server.app, server.account.sid, flowSid, executionSid), ['Trigger -incomingMessage-> ask', 'ask -deliveryFailure-> Ended']);
  });

  it('a call Twilio created before answering 500 is found upstream and treated as placed; one it never created is not', async () => {
    const upstream = { accountSid: UPSTREAM_SID, authToken: UPSTREAM_TOKEN, apiBaseUrl: fake.baseUrl, conversationsBaseUrl: fake.baseUrl };
    const call = { to: CONTACT, from: NUMBER, url: 'https://example.test/answer' };
    const rest = { timeoutMs: 500, retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 } };
    fake.failNext({ kind: 'created-then-500' });
    const placed = await placeCall(upstream, call, rest, { delayMs: 0 });
    assert.equal(placed.kind, 'created', JSON.stringify(placed));
    assert.equal(placed.kind === 'created' && placed.resource.sid, fake.calls[0]!.sid);
    assert.ok(fake.requests.some((r) => r.method === 'GET' && r.path.endsWith('/Calls.json') && r.query.get('To') === CONTACT), 'looked up');

    // The same call is another step's: it is not taken, and a 500 that created nothing stays unknown.
    const owned = await placeCall(upstream, call, rest, { delayMs: 0, claim: async (sid) => sid !== fake.calls[0]!.sid });
    assert.equal(owned.kind, 'created', 'the second request created its own call');
    fake.failNext({ kind: 'status', status: 500 });
    const lost = await placeCall(upstream, call, rest, { delayMs: 0, claim: async () => false });
    assert.equal(lost.kind, 'unknown');
    assert.equal(fake.calls.length, 2);
  });

  it('two steps calling the same number, both answered 500, each take a call of their own', async () => {
    // Both creates reach Twilio and answer 500; both steps find both calls upstream at once. Only the
    // claim, written as a call is taken, keeps them from taking the same one.
    fake.failNext({ kind: 'created-then-500' }, { kind: 'created-then-500' });
    const store = server.app.store;
    slowChannelRecords(store);
    const voice = server.app.executions.voice!;
    const step = (n: number) => ({ accountSid: server.account.sid, flowSid: 'FW' + '7'.repeat(32), executionSid: 'FN' + String(n).repeat(32), callbackId: `EF${String(n).repeat(32)}` });
    const call = { to: CONTACT, from: NUMBER, timeout: 30, record: false, options: {} };
    const placed = await Promise.all([voice.placeCall(step(1), call), voice.placeCall(step(2), call)]);
    assert.equal(fake.calls.length, 2);
    const sids = placed.map((outcome) => (outcome.ok ? outcome.call.CallSid : `failed: ${outcome.message}`));
    assert.deepEqual([...sids].sort(), fake.calls.map((c) => c.sid).sort(), 'each step took a different call');
    const ledger = new InflightLedger(server.app.store);
    for (const [i, sid] of sids.entries()) assert.equal((await ledger.claimOf(String(sid)))?.effectId, step(i + 1).callbackId);
  });

  it('a confirmed call never overwrites a claim another step holds on it: it is logged', async () => {
    const store = server.app.store;
    const warnings: { fields: object; message: string }[] = [];
    const voice = voiceNetwork(new SimulatorPhone(new SignedPhoneTransport(store, { base: server.baseUrl })), {
      store,
      calls: { token: async (_account, _execution, _callbackId, kind) => `tok-${kind}` },
      base: () => server.baseUrl,
      log: { info: () => undefined, warn: (fields, message) => warnings.push({ fields, message }) },
    });
    const ledger = new InflightLedger(store);
    const other = { effectId: 'EF' + 'e'.repeat(32), executionSid: 'FN' + 'e'.repeat(32), accountSid: server.account.sid };
    // Another step's lookup takes the call between Twilio's 201 and this step's claim.
    const insert = store.insertChannelRecord.bind(store);
    store.insertChannelRecord = async (record) => {
      store.insertChannelRecord = insert;
      await ledger.claimIfFree(record.key.slice('carrier-msg:'.length), other);
      return insert(record);
    };
    const step = { accountSid: server.account.sid, flowSid: 'FW' + '7'.repeat(32), executionSid: 'FN' + 'd'.repeat(32), callbackId: 'EF' + 'd'.repeat(32) };
    const placed = await voice.placeCall(step, { to: CONTACT, from: NUMBER, timeout: 30, record: false, options: {} });
    assert.ok(placed.ok, 'the call stands');
    const sid = String(placed.call.CallSid);
    assert.equal(sid, fake.calls[0]!.sid);
    assert.equal((await ledger.claimOf(sid))?.effectId, other.effectId, 'the other claim is left as it is');
    assert.ok(warnings.some((w) => (w.fields as { callSid?: string }).callSid === sid && /claimed by another step/.test(w.message)), JSON.stringify(warnings));
  });

  it('placeCall sends the Calls API form (repeated StatusCallbackEvent) with the upstream credentials', async () => {
    const upstream = { accountSid: UPSTREAM_SID, authToken: UPSTREAM_TOKEN, apiBaseUrl: fake.baseUrl, conversationsBaseUrl: fake.baseUrl };
    const outcome = await placeCall(upstream, {
      to: CONTACT,
      from: NUMBER,
      url: 'https://sb.example.com/v1/Accounts/AC/Flows/FW?FlowEvent=trigger',
      statusCallback: 'https://sb.example.com/status',
      statusCallbackEvents: ['initiated', 'answered', 'completed'],
      timeout: 30,
    });
    assert.equal(outcome.kind, 'created');
    assert.match(String(outcome.kind === 'created' && outcome.resource.sid), /^CA[0-9a-f]{32}$/);
    assert.deepEqual(fake.creates('Calls')[0]!.form, [
      ['To', CONTACT],
      ['From', NUMBER],
      ['Url', 'https://sb.example.com/v1/Accounts/AC/Flows/FW?FlowEvent=trigger'],
      ['StatusCallback', 'https://sb.example.com/status'],
      ['StatusCallbackEvent', 'initiated'],
      ['StatusCallbackEvent', 'answered'],
      ['StatusCallbackEvent', 'completed'],
      ['Timeout', '30'],
    ]);
    const refused = await placeCall(upstream, { to: CONTACT, from: NUMBER });
    assert.equal(refused.kind, 'rejected');
    assert.equal(fake.creates('Calls').length, 1, 'a call without Url/Twiml/ApplicationSid never leaves');
  });
});

describe('Twilio carrier: Messaging Service conversations', () => {
  let fake: FakeTwilio;
  let server: CarrierServer;
  useCarrierServer((started) => ({ fake, server } = started));

  it('a reply delivered by the Messaging Service (To = number, MessagingServiceSid = MG) resumes the execution started From the MG', async () => {
    const flowSid = await createFlow(server, askFlow);
    const res = await restExecution(server, flowSid, { To: CONTACT, From: MG });
    const executionSid = res.json().sid as string;
    await waitFor('ask to wait for the reply', async () => ((await server.app.store.getExecutionBySid(executionSid))?.state as any)?.frames?.[0]?.wait?.kind === 'reply');
    await fake.postSigned(webhookUrl(server, flowSid), fake.inboundMessageParams(CONTACT, NUMBER, 'Grace', { MessagingServiceSid: MG }));
    await waitForEnd(server, executionSid);
    assert.deepEqual(await stepList(server.app, server.account.sid, flowSid, executionSid), [
      'Trigger -incomingRequest-> ask',
      'ask -incomingMessage-> thanks',
      'thanks -sent-> Ended',
    ]);
    assert.equal((await server.app.store.listExecutions(server.account.sid, flowSid, {}, { pageSize: 10 })).items.length, 1, 'no second execution');
    assert.deepEqual(fake.creates('Messages').map((r) => r.form.find(([name]) => name === 'MessagingServiceSid')?.[1]), [MG, MG]);
  });
});
