// Inbound message receipts are per flow (msg:<FlowSid>:<MessageSid>), as a call's: a message one flow's
// TwiML Redirect hands to another flow's webhook runs that flow once; a retry of a message a flow took
// is answered as the first webhook was (the <Redirect> its execution waits at), not with an empty
// <Response/>; and a receipt written before the change (the plain MessageSid) still makes its retry a
// duplicate.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, FORM, form, type TestServer } from '../support/server.ts';
import { verbs } from '../voice/support.ts';
import { HANDOFF_GRACE_MS } from '../../src/engine/widgets/add-twiml-redirect.ts';

const FLOW_ADDRESS = '+15005550006';
const APP_URL = 'https://app.example/sms';
const TRIGGER = { name: 'Trigger', type: 'trigger', properties: { offset: { x: 0, y: 0 } } };

function redirectFlow(url: string, timeout: string, first: 'redirect' | 'ask' = 'redirect') {
  return {
    description: 'redirect',
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [
      { ...TRIGGER, transitions: [{ event: 'incomingMessage', next: first === 'ask' ? 'ask' : 'r' }] },
      { name: 'ask', type: 'send-and-wait-for-reply', transitions: [{ event: 'incomingMessage', next: 'r' }, { event: 'timeout' }, { event: 'deliveryFailure' }], properties: { offset: { x: 0, y: 50 }, body: 'Topic?', from: '{{flow.channel.address}}', timeout: '3600' } },
      { name: 'r', type: 'add-twiml-redirect', transitions: [{ event: 'return' }, { event: 'timeout' }, { event: 'fail' }], properties: { offset: { x: 0, y: 100 }, url, method: 'POST', timeout } },
    ],
  };
}

/** Asks, then thanks for the reply and ends. */
const SURVEY = {
  description: 'survey',
  initial_state: 'Trigger',
  states: [
    { ...TRIGGER, transitions: [{ event: 'incomingMessage', next: 'ask' }] },
    { name: 'ask', type: 'send-and-wait-for-reply', transitions: [{ event: 'incomingMessage', next: 'thanks' }, { event: 'timeout' }, { event: 'deliveryFailure' }], properties: { offset: { x: 0, y: 100 }, body: 'Q? {{trigger.message.Body}}', from: '{{flow.channel.address}}', timeout: '3600' } },
    { name: 'thanks', type: 'send-message', transitions: [{ event: 'sent' }, { event: 'failed' }], properties: { offset: { x: 0, y: 200 }, body: 'Got {{widgets.ask.inbound.Body}}', from: '{{flow.channel.address}}', to: '{{contact.channel.address}}' } },
  ],
};

let n = 0;
const message = (from: string, body: string) => ({ MessageSid: 'SM' + String(++n).padStart(32, '0'), From: from, To: FLOW_ADDRESS, Body: body, NumMedia: '0' });

async function withServer(run: (t: TestServer, clock: { now: number }) => Promise<void>): Promise<void> {
  const clock = { now: Date.parse('2026-06-01T09:00:00Z') };
  const t = await startTestServer({ now: () => clock.now });
  try {
    await run(t, clock);
  } finally {
    await t.close();
  }
}

const flowOf = async (t: TestServer, definition: unknown) => (await t.app.flows.create(t.account.sid, { friendlyName: 'f', status: 'published', definition: definition as never })).sid;
const webhookPath = (t: TestServer, flowSid: string) => `/v1/Accounts/${t.account.sid}/Flows/${flowSid}`;

async function post(t: TestServer, flowSid: string, params: Record<string, string>, token?: string) {
  const res = await t.app.server.inject({
    method: 'POST',
    url: webhookPath(t, flowSid),
    headers: { authorization: t.auth, ...FORM, ...(token ? { 'i-twilio-idempotency-token': token } : {}) },
    payload: form(params),
  });
  assert.equal(res.statusCode, 200, res.body);
  await t.app.executions.idle();
  return verbs(res.body);
}

const executionsOf = async (t: TestServer, flowSid: string) => (await t.app.store.listExecutions(t.account.sid, flowSid, {}, { pageSize: 20 })).items;
const sent = (t: TestServer, contact: string) => t.app.simulator.transcript(FLOW_ADDRESS, contact).filter((m) => m.direction === 'outbound-api').map((m) => m.body);
const redirectTo = (url: string) => [{ verb: 'Redirect', attributes: { method: 'POST' }, text: url }];

describe('inbound message receipts per flow', () => {
  it('a message a TwiML Redirect hands to another flow\'s webhook runs that flow, once', () =>
    withServer(async (t, clock) => {
      const b = await flowOf(t, SURVEY);
      const bUrl = `http://localhost${webhookPath(t, b)}`;
      const a = await flowOf(t, redirectFlow(bUrl, '0'));
      const contact = '+15552220001';
      const text = message(contact, 'hello');
      assert.deepEqual(await post(t, a, text, 'token-a'), redirectTo(bUrl));
      // Twilio follows the <Redirect>: the same MessageSid, to flow B (a new request, a new token).
      assert.deepEqual(await post(t, b, text, 'token-b'), []);
      assert.equal((await executionsOf(t, b)).length, 1, 'flow B ran for the message');
      assert.deepEqual(sent(t, contact), ['Q? hello']);
      // Twilio retrying B's webhook: still once.
      await post(t, b, text, 'token-b');
      assert.equal((await executionsOf(t, b)).length, 1);
      assert.deepEqual(sent(t, contact), ['Q? hello']);
      // An app sending the handed-off message back to A's webhook (not FlowEvent=return): A took it
      // already, so it does not run again, as a call handed off and redirected back is hung up.
      clock.now += HANDOFF_GRACE_MS;
      await t.app.executions.fireDueTimers();
      await t.app.executions.idle();
      assert.deepEqual(await post(t, a, text, 'token-c'), []);
      assert.deepEqual((await executionsOf(t, a)).map((e) => e.status), ['ended']);
    }));

  it('a receipt written before receipts were per flow (the plain MessageSid) still makes its retry a duplicate', () =>
    withServer(async (t) => {
      const flowSid = await flowOf(t, SURVEY);
      const contact = '+15552220002';
      await post(t, flowSid, message(contact, 'hi'));
      const [execution] = await executionsOf(t, flowSid);
      // The reply as a node before the change took it: its receipt keyed by the MessageSid alone.
      const reply = message(contact, 'five');
      await t.app.executions.deliver(execution!.sid, { type: 'inbound-message', message: reply }, { receipt: { accountSid: t.account.sid, key: reply.MessageSid, receivedAt: Date.now() }, requireActive: true });
      await t.app.executions.idle();
      assert.deepEqual(sent(t, contact), ['Q? hi', 'Got five']);
      // Twilio retries it to an upgraded node.
      await post(t, flowSid, reply);
      assert.deepEqual(sent(t, contact), ['Q? hi', 'Got five'], 'not run again');
      assert.equal((await executionsOf(t, flowSid)).length, 1, 'no second execution');
    }));

  for (const timeout of ['600', '0']) {
    it(`a retried message webhook answers the <Redirect> the first answer had (timeout "${timeout}")`, () =>
      withServer(async (t) => {
        const flowSid = await flowOf(t, redirectFlow(APP_URL, timeout));
        const text = message('+15552220003', 'x');
        assert.deepEqual(await post(t, flowSid, text, 'token-r'), redirectTo(APP_URL));
        assert.deepEqual(await post(t, flowSid, text, 'token-r'), redirectTo(APP_URL), 'the retry (same token)');
        assert.deepEqual(await post(t, flowSid, text), redirectTo(APP_URL), 'a retry without a token');
        assert.equal((await executionsOf(t, flowSid)).length, 1);
      }));
  }

  it('a retried reply answers the <Redirect> the reply led to', () =>
    withServer(async (t) => {
      const flowSid = await flowOf(t, redirectFlow(APP_URL, '600', 'ask'));
      const contact = '+15552220004';
      assert.deepEqual(await post(t, flowSid, message(contact, 'hi')), []);
      const reply = message(contact, 'billing');
      assert.deepEqual(await post(t, flowSid, reply, 'token-q'), redirectTo(APP_URL));
      assert.deepEqual(await post(t, flowSid, reply, 'token-q'), redirectTo(APP_URL), 'the retry');
      const [execution] = await executionsOf(t, flowSid);
      const steps = (await t.app.store.listSteps(t.account.sid, flowSid, execution!.sid, { pageSize: 20 })).items;
      assert.equal(steps.filter((s) => s.transitionedFrom === 'ask').length, 1, 'the reply was taken once');
    }));

  it('a retry of a message whose execution has ended is answered empty', () =>
    withServer(async (t, clock) => {
      const flowSid = await flowOf(t, redirectFlow(APP_URL, '0'));
      const text = message('+15552220005', 'x');
      assert.deepEqual(await post(t, flowSid, text, 'token-e'), redirectTo(APP_URL));
      clock.now += HANDOFF_GRACE_MS;
      await t.app.executions.fireDueTimers();
      await t.app.executions.idle();
      assert.deepEqual(await post(t, flowSid, text, 'token-e'), []);
      assert.deepEqual((await executionsOf(t, flowSid)).map((e) => e.status), ['ended']);
    }));
});
