// A late delivery failure of a question already answered is that question's (its StatusCallback names
// its step): the next question, waiting for its own reply, neither leaves by deliveryFailure nor has its
// outbound rewritten, even on the plain webhook channel whose gateway answers every send with the same
// sid. The report on the next question's own callback still fails it.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CONTACT, NUMBER, createFlow, flow, freePort, sendAndWait, sendMessage, startGateway, stepList, useCarrierServer, waitFor, waitForEnd, webhookUrl, widgetOutputs, type CarrierServer, type Gateway } from './helpers.ts';
import type { FakeTwilio } from '../support/fake-twilio.ts';
import { InflightLedger } from '../../src/channels/twilio/inflight.ts';

const GATEWAY_SID = 'GW-constant';
const OTHER_CONTACT = '+15551230002';

/** ask → (reply) → ok → ask2; both questions' deliveryFailure wired to a message naming the failure. */
const DEFINITION = flow(
  [
    sendAndWait('ask', { body: 'Q? {{trigger.message.Body}}' }, { incomingMessage: 'ok', deliveryFailure: 'df' }),
    sendMessage('ok', { body: 'Got {{widgets.ask.inbound.Body}}' }, { sent: 'ask2' }),
    sendAndWait('ask2', { body: 'Q2?' }, { incomingMessage: 'ok2', deliveryFailure: 'df2' }),
    sendMessage('ok2', { body: 'Got2 {{widgets.ask2.inbound.Body}}' }),
    sendMessage('df', { body: 'DF {{widgets.ask.outbound.ErrorCode}} {{widgets.ask.outbound.Status}}' }),
    sendMessage('df2', { body: 'DF2 {{widgets.ask2.outbound.ErrorCode}} {{widgets.ask2.outbound.Status}}' }),
  ],
  { incomingMessage: 'ask' },
);

/** The step's effect, as its StatusCallback URL names it. */
const effectOf = (statusCallback: string) => /\/Messages\/(EF[0-9a-fA-F]{32})\/Status$/.exec(new URL(statusCallback).pathname)![1]!;

describe('webhook channel with a constant gateway sid: a late failure of an answered question', () => {
  let gateway: Gateway;
  let server: CarrierServer;
  let fake: FakeTwilio;

  beforeEach(async () => {
    gateway = await startGateway(() => ({ sid: GATEWAY_SID }));
  });
  useCarrierServer((started) => ({ fake, server } = started), {
    server: async () => {
      const port = await freePort();
      return { port, config: { publicBaseUrl: `http://127.0.0.1:${port}` }, carrier: { Channel: 'webhook', WebhookUrl: gateway.url } };
    },
  });
  afterEach(() => gateway.close());

  const sentTo = (contact: string) => gateway.received.filter((form) => form.To === contact);
  const text = async (flowSid: string, contact: string, body: string) => {
    const answer = await fake.postSigned(webhookUrl(server, flowSid), fake.inboundMessageParams(contact, NUMBER, body), server.account.authToken);
    assert.equal(answer.status, 200, answer.body);
  };

  it('leaves the next question waiting, under the gateway sid or the minted MessageSid', async () => {
    const flowSid = await createFlow(server, DEFINITION);
    const ledger = new InflightLedger(server.app.store);
    for (const [contact, reportedAs] of [
      [CONTACT, 'gateway'],
      [OTHER_CONTACT, 'minted'],
    ] as const) {
      await text(flowSid, contact, 'hi');
      const [question] = await waitFor('the first question', () => (sentTo(contact).length === 1 ? sentTo(contact) : null));
      const executionSid = question!.ExecutionSid!;
      const waitOf = async () => ((await server.app.store.getExecutionBySid(executionSid))?.state as any)?.frames?.[0];
      await waitFor('ask to wait for the reply', async () => (await waitOf())?.wait?.kind === 'reply');
      await text(flowSid, contact, 'reply');
      await waitFor('ask2 to wait for its reply', async () => {
        const frame = await waitOf();
        return frame?.current === 'ask2' && frame.wait?.kind === 'reply';
      });
      assert.deepEqual(sentTo(contact).map((form) => form.Body), ['Q? hi', 'Got reply', 'Q2?']);
      // ask2's outbound, kept in its wait until it leaves.
      const before = (await waitOf()).wait.outbound;
      assert.equal(before.Sid, GATEWAY_SID);
      const asked = await widgetOutputs(server.app, executionSid, 'ask');

      // The first question's failure, late, on its own StatusCallback.
      const messageSid = reportedAs === 'gateway' ? GATEWAY_SID : question!.MessageSid!;
      const report = await fake.postSigned(question!.StatusCallback!, { MessageSid: messageSid, MessageStatus: 'undelivered', ErrorCode: '30005' }, server.account.authToken);
      assert.equal(report.status, 204, report.body);
      // Applied (or found to change nothing) once the stored report is gone.
      await waitFor('the report to be applied', async () => (await ledger.report(effectOf(question!.StatusCallback!))) === null);

      const execution = await server.app.store.getExecutionBySid(executionSid);
      assert.equal(execution?.status, 'active', reportedAs);
      assert.equal((execution?.state as any).frames[0].current, 'ask2', reportedAs);
      assert.deepEqual(await stepList(server.app, server.account.sid, flowSid, executionSid), ['Trigger -incomingMessage-> ask', 'ask -incomingMessage-> ok', 'ok -sent-> ask2'], reportedAs);
      assert.deepEqual((execution?.state as any).frames[0].wait.outbound, before, `${reportedAs}: ask2's outbound is untouched`);
      assert.deepEqual(sentTo(contact).map((form) => form.Body), ['Q? hi', 'Got reply', 'Q2?'], reportedAs);

      // ask2's own failure, on its StatusCallback, under the same gateway sid: ask2's.
      const second = sentTo(contact)[2]!;
      const own = await fake.postSigned(second.StatusCallback!, { MessageSid: GATEWAY_SID, MessageStatus: 'failed', ErrorCode: '30003' }, server.account.authToken);
      assert.equal(own.status, 204, own.body);
      await waitForEnd(server, executionSid, `${reportedAs}: ask2's deliveryFailure`);
      assert.deepEqual((await stepList(server.app, server.account.sid, flowSid, executionSid)).slice(3), ['ask2 -deliveryFailure-> df2', 'df2 -sent-> Ended'], reportedAs);
      assert.deepEqual(sentTo(contact).map((form) => form.Body), ['Q? hi', 'Got reply', 'Q2?', 'DF2 30003 failed'], reportedAs);
      assert.deepEqual(await widgetOutputs(server.app, executionSid, 'ask'), asked, `${reportedAs}: ask's outputs are as it left them`);
    }
  });
});

// On the Twilio carrier every message has its own SID, so this held before the effect was matched; it must
// go on holding now that the step's effect, not the SID, decides.
describe('Twilio carrier: a late failure of an answered question', () => {
  let server: CarrierServer;
  let fake: FakeTwilio;
  useCarrierServer((started) => ({ fake, server } = started), { fake: { callbacks: 'manual' } });

  it("is not the next question's", async () => {
    const flowSid = await createFlow(server, DEFINITION);
    const ledger = new InflightLedger(server.app.store);
    const answer = await fake.postSigned(webhookUrl(server, flowSid), fake.inboundMessageParams(CONTACT, NUMBER, 'hi'));
    assert.equal(answer.status, 200, answer.body);
    const [question] = await waitFor('the first question', () => (fake.messages.length === 1 ? fake.messages : null));
    const executionSid = (await server.app.store.listExecutions(server.account.sid, flowSid, {}, { pageSize: 1 })).items[0]!.sid;
    const frameOf = async () => ((await server.app.store.getExecutionBySid(executionSid))?.state as any)?.frames?.[0];
    await waitFor('ask to wait for the reply', async () => (await frameOf())?.wait?.kind === 'reply');
    assert.equal((await fake.postSigned(webhookUrl(server, flowSid), fake.inboundMessageParams(CONTACT, NUMBER, 'reply'))).status, 200);
    await waitFor('ask2 to wait for its reply', async () => {
      const frame = await frameOf();
      return frame?.current === 'ask2' && frame.wait?.kind === 'reply';
    });
    const before = (await frameOf()).wait.outbound;

    assert.equal(await fake.sendStatus(question!, 'undelivered', 30005), 204);
    await waitFor('the report to be applied', async () => (await ledger.report(effectOf(question!.statusCallback!))) === null);
    const frame = await frameOf();
    assert.equal(frame.current, 'ask2');
    assert.deepEqual(frame.wait.outbound, before);
    assert.deepEqual(await stepList(server.app, server.account.sid, flowSid, executionSid), ['Trigger -incomingMessage-> ask', 'ask -incomingMessage-> ok', 'ok -sent-> ask2']);

    const second = fake.messages.find((message) => message.body === 'Q2?')!;
    assert.equal(await fake.sendStatus(second, 'failed', 30003), 204);
    await waitFor('ask2 to leave by deliveryFailure', async () => (await stepList(server.app, server.account.sid, flowSid, executionSid)).includes('ask2 -deliveryFailure-> df2'));
  });
});
