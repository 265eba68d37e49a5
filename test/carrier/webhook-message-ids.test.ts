// The plain webhook channel's message ids: a gateway's `sid` is its own (any string, the same for
// two steps, even another account's Twilio SID). A status callback finds its step by the URL the step
// gave the gateway; a gateway's id never takes or displaces a claim on a Twilio SID.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CONTACT, NUMBER, createFlow, flow, freePort, sendAndWait, startGateway, stepList, useCarrierServer, waitFor, waitForEnd, webhookUrl, type CarrierServer, type Gateway } from './helpers.ts';
import type { FakeTwilio } from '../support/fake-twilio.ts';
import { InflightLedger, type InflightSend } from '../../src/channels/twilio/inflight.ts';
import { WebhookChannel } from '../../src/channels/webhook/webhook-channel.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../../src/runtime/ports/store.ts';

const OTHER_CONTACT = '+15551230002';

const waitingForReply = (server: CarrierServer, executionSid: string) =>
  waitFor('the step to wait for the reply', async () => ((await server.app.store.getExecutionBySid(executionSid))?.state as any)?.frames?.[0]?.wait?.kind === 'reply');

describe('webhook channel: two steps answered with the same gateway id', () => {
  let gateway: Gateway;
  let server: CarrierServer;
  let fake: FakeTwilio;

  beforeEach(async () => {
    gateway = await startGateway(() => ({ sid: 'queued' }));
  });
  useCarrierServer((started) => ({ fake, server } = started), {
    server: async () => {
      const port = await freePort();
      return { port, config: { publicBaseUrl: `http://127.0.0.1:${port}` }, carrier: { Channel: 'webhook', WebhookUrl: gateway.url } };
    },
  });
  afterEach(() => gateway.close());

  it(
    'each step takes the failure reported at its own StatusCallback',
    async () => {
      const flowSid = await createFlow(server, flow([sendAndWait('ask', { body: 'Ready?' })], { incomingMessage: 'ask' }));
      for (const contact of [CONTACT, OTHER_CONTACT]) {
        const answer = await fake.postSigned(webhookUrl(server, flowSid), fake.inboundMessageParams(contact, NUMBER, 'hi'), server.account.authToken);
        assert.equal(answer.status, 200, answer.body);
      }
      await waitFor('both webhook POSTs', () => gateway.received.length === 2);
      const sends = [...gateway.received];
      for (const send of sends) await waitingForReply(server, send.ExecutionSid!);
      for (const send of sends) {
        const report = await fake.postSigned(send.StatusCallback!, { MessageSid: 'queued', MessageStatus: 'failed', ErrorCode: '30003' }, server.account.authToken);
        assert.equal(report.status, 204, `${send.ExecutionSid}: ${report.body}`);
      }
      for (const send of sends) {
        await waitForEnd(server, send.ExecutionSid!, 'deliveryFailure');
        assert.deepEqual(await stepList(server.app, server.account.sid, flowSid, send.ExecutionSid!), ['Trigger -incomingMessage-> ask', 'ask -deliveryFailure-> Ended']);
      }
    },
  );
});

describe("webhook channel: a gateway answering with another account's Twilio message SID", () => {
  let gateway: Gateway;
  let twilioSid = '';
  let server: CarrierServer;
  let fake: FakeTwilio;

  beforeEach(async () => {
    gateway = await startGateway(() => ({ sid: twilioSid }));
  });
  // The startup account sends through (fake) Twilio; status callbacks are sent by the test.
  useCarrierServer((started) => ({ fake, server } = started), { fake: { callbacks: 'manual' } });
  afterEach(() => gateway.close());

  it("leaves that message's status callback to the step that sent it", async () => {
    const flowSid = await createFlow(server, flow([sendAndWait('ask', { body: 'Ready?' })], { incomingMessage: 'ask' }));
    await fake.postSigned(webhookUrl(server, flowSid), fake.inboundMessageParams(CONTACT, NUMBER, 'hi'));
    const [message] = await waitFor('the Twilio message', () => (fake.messages.length === 1 ? fake.messages : null));
    twilioSid = message!.sid;
    const executionSid = (await server.app.store.listExecutions(server.account.sid, flowSid, {}, { pageSize: 1 })).items[0]!.sid;
    await waitingForReply(server, executionSid);
    const ledger = new InflightLedger(server.app.store);
    const owner = await ledger.claimOf(twilioSid);
    assert.ok(owner, 'the Twilio step claimed its message');

    // Another tenant, on the webhook channel, whose gateway answers with that SID.
    const tenant = await server.app.accounts.create('gateway tenant');
    const step = { accountSid: tenant.sid, flowSid: 'FW' + '5'.repeat(32), executionSid: 'FN' + '5'.repeat(32), effectId: 'EF' + '5'.repeat(32) };
    const sent = await new WebhookChannel(server.app.store).send({ url: gateway.url }, step, { from: NUMBER, to: CONTACT, body: 'hi' });
    assert.equal(sent.ok && sent.message.Sid, twilioSid, "the tenant's step records its gateway's answer");
    assert.deepEqual(await ledger.claimOf(twilioSid), owner, 'the claim on the Twilio message is left as it was');

    assert.equal(await fake.sendStatus(message!, 'undelivered', 30003), 204);
    await waitForEnd(server, executionSid, 'deliveryFailure');
    assert.deepEqual(await stepList(server.app, server.account.sid, flowSid, executionSid), ['Trigger -incomingMessage-> ask', 'ask -deliveryFailure-> Ended']);
  });
});

describe('InflightLedger.callbackMatches: whose message a status callback names', () => {
  let store: Store;
  let ledger: InflightLedger;
  const ACCOUNT = 'AC' + '1'.repeat(32);
  const OTHER_ACCOUNT = 'AC' + '2'.repeat(32);
  const step = (n: number, accountSid = ACCOUNT) => ({ effectId: `EF${String(n).repeat(32)}`, executionSid: `FN${String(n).repeat(32)}`, accountSid });
  const sid = (n: number) => `SM${String(n).repeat(32)}`;

  /** A send recorded as done with `messageSid`, through `channel`. */
  async function sent(owner: ReturnType<typeof step>, messageSid: string | null, channel?: 'webhook'): Promise<void> {
    const record: InflightSend = { v: 1, ...owner, target: 'message', to: CONTACT, from: NUMBER, body: 'hi', startedAt: 0, gated: true, state: 'requesting', ...(channel ? { channel } : {}) };
    await ledger.begin(record);
    await ledger.finish(record, messageSid ? { ok: true, message: { Sid: messageSid } } : { ok: false, code: 30008, message: 'refused' });
  }

  beforeEach(async () => {
    store = new SqliteStore({ path: ':memory:' });
    ledger = new InflightLedger(store);
  });
  afterEach(() => store.close());

  it('webhook steps: the SID minted for the step or the id its gateway answered, whoever else holds it', async () => {
    const [a, b, x, v] = [step(1), step(2), step(3, OTHER_ACCOUNT), step(4)];
    for (const [owner, minted] of [[a, sid(1)], [b, sid(2)], [x, sid(3)]] as const) assert.ok(await ledger.claimIfFree(minted, owner));
    await sent(a, 'queued', 'webhook');
    await sent(b, 'queued', 'webhook');
    assert.ok(await ledger.claimIfFree(sid(4), v));
    await sent(v, sid(4));
    await sent(x, sid(4), 'webhook'); // another account's Twilio SID

    assert.equal(await ledger.callbackMatches(a, 'queued'), true);
    assert.equal(await ledger.callbackMatches(b, 'queued'), true);
    assert.equal(await ledger.callbackMatches(a, sid(1)), true);
    assert.equal(await ledger.callbackMatches(a, sid(2)), false, "another step's minted SID");
    assert.equal(await ledger.callbackMatches(a, 'gw-other'), false, 'an id the step never sent under');
    assert.equal(await ledger.callbackMatches(x, sid(4)), true, "the tenant's own step, by its record");
    assert.equal(await ledger.callbackMatches(v, sid(4)), true, 'the Twilio step, by its claim');
    assert.equal(await ledger.callbackMatches(x, sid(3)), true);
  });

  it('webhook steps: any SID while the send is not recorded as sent (a report may race the answer)', async () => {
    const [a, v] = [step(1), step(4)];
    assert.ok(await ledger.claimIfFree(sid(4), v));
    await ledger.begin({ v: 1, ...a, target: 'message', to: CONTACT, from: NUMBER, body: 'hi', startedAt: 0, gated: true, channel: 'webhook', state: 'requesting' });
    assert.equal(await ledger.callbackMatches(a, sid(4)), true);
    await sent(step(5), null, 'webhook');
    assert.equal(await ledger.callbackMatches(step(5), sid(4)), true, 'a failed send');
  });

  it('Twilio steps: as before, by the claims', async () => {
    const [t, u] = [step(6), step(7)];
    assert.ok(await ledger.claimIfFree(sid(6), t));
    assert.equal(await ledger.callbackMatches(t, sid(6)), true, 'claimed by the step');
    assert.equal(await ledger.callbackMatches(u, sid(6)), false, 'claimed by another step, before the send is recorded');
    assert.equal(await ledger.callbackMatches(u, sid(8)), true, 'unclaimed, before the send is recorded');
    await sent(u, sid(7));
    assert.equal(await ledger.callbackMatches(u, sid(8)), false, 'unclaimed, once the send is recorded');
    assert.equal(await ledger.callbackMatches(u, sid(7)), false, 'its own SID, claimed by no step');
  });

  it("never a step of another execution or account: the URL's execution and account must be the step's", async () => {
    const a = step(1);
    await sent(a, 'queued', 'webhook');
    assert.equal(await ledger.callbackMatches({ ...a, executionSid: step(2).executionSid }, 'queued'), false);
    assert.equal(await ledger.callbackMatches({ ...a, accountSid: OTHER_ACCOUNT }, 'queued'), false);
  });
});
