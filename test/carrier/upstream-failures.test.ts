// Upstream failures and the at-most-once rule: 429 and 503 are retried with backoff (Twilio did
// nothing); a 500, a timeout or a lost request is never re-sent: the send is looked up upstream
// and reported as sent when Twilio has it, failed otherwise.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, TwilioRestClient } from '../../src/channels/twilio/rest-client.ts';
import { DEFAULT_CONVERSATIONS_BASE_URL } from '../../src/channels/twilio/carrier-config.ts';
import { TwilioChannel } from '../../src/channels/twilio/twilio-channel.ts';
import { CONTACT, NUMBER, UPSTREAM_SID, UPSTREAM_TOKEN, createFlow, flow, freePort, sendMessage, startFake, stepList, slowChannelRecords, textAndWaitForEnd, useCarrierServer, widgetOutputs, type CarrierServer } from './helpers.ts';
import type { FakeTwilio } from '../support/fake-twilio.ts';

const noted = { name: 'noted', type: 'set-variables', properties: { offset: { x: 0, y: 0 }, variables: [] }, transitions: [{ event: 'next' }] };
const greetFlow = flow([sendMessage('greet', { body: 'Hello from the flow' }, { failed: 'noted' }), noted], { incomingMessage: 'greet' });

async function runGreet(server: CarrierServer): Promise<{ executionSid: string; steps: string[]; flowSid: string }> {
  const flowSid = await createFlow(server, greetFlow);
  const executionSid = await textAndWaitForEnd(server, flowSid, 'hi');
  return { executionSid, flowSid, steps: await stepList(server.app, server.account.sid, flowSid, executionSid) };
}

describe('Twilio carrier: upstream failures', () => {
  let fake: FakeTwilio;
  let server: CarrierServer;
  useCarrierServer((started) => ({ fake, server } = started));

  it('429 is retried with backoff and the message is sent once', async () => {
    fake.failNext({ kind: 'status', status: 429, retryAfter: 0 }, { kind: 'status', status: 429 });
    const { steps, executionSid } = await runGreet(server);
    assert.deepEqual(steps, ['Trigger -incomingMessage-> greet', 'greet -sent-> Ended']);
    assert.equal(fake.creates('Messages').length, 3, 'two refusals, then the send');
    assert.equal(fake.messages.length, 1);
    assert.equal((await widgetOutputs(server.app, executionSid, 'greet')).outbound.Sid, fake.messages[0]!.sid);
  });

  it('503 is retried too; 429 on every attempt ends in failed with 20429', async () => {
    fake.failNext({ kind: 'status', status: 503 });
    const first = await runGreet(server);
    assert.deepEqual(first.steps.at(-1), 'greet -sent-> Ended');
    fake.failNext(...Array.from({ length: 3 }, () => ({ kind: 'status' as const, status: 429 as const })));
    const second = await runGreet(server);
    assert.deepEqual(second.steps, ['Trigger -incomingMessage-> greet', 'greet -failed-> noted', 'noted -next-> Ended']);
    const greet = await widgetOutputs(server.app, second.executionSid, 'greet');
    assert.equal(greet.outbound.ErrorCode, 20429);
    assert.equal(fake.messages.length, 1, 'only the first flow sent');
  });

  it('a 4xx refusal (invalid To) is failed at once, not retried', async () => {
    const flowSid = await createFlow(server, flow([sendMessage('greet', { body: 'Hi', to: '+15005550001' }, { failed: 'noted' }), noted], { incomingMessage: 'greet' }));
    const executionSid = await textAndWaitForEnd(server, flowSid, 'hi');
    assert.deepEqual(await stepList(server.app, server.account.sid, flowSid, executionSid), ['Trigger -incomingMessage-> greet', 'greet -failed-> noted', 'noted -next-> Ended']);
    assert.equal((await widgetOutputs(server.app, executionSid, 'greet')).outbound.ErrorCode, 21211);
    assert.equal(fake.creates('Messages').length, 1);
  });

  it('a 500 after Twilio created the message is reconciled by lookup: sent, and never re-sent', async () => {
    fake.failNext({ kind: 'created-then-500' });
    const { steps, executionSid } = await runGreet(server);
    assert.deepEqual(steps, ['Trigger -incomingMessage-> greet', 'greet -sent-> Ended']);
    assert.equal(fake.creates('Messages').length, 1);
    assert.equal(fake.messages.length, 1);
    assert.equal((await widgetOutputs(server.app, executionSid, 'greet')).outbound.Sid, fake.messages[0]!.sid);
    assert.ok(fake.requests.some((r) => r.method === 'GET' && r.path.endsWith('/Messages.json') && r.query.get('To') === CONTACT), 'looked up upstream');
  });

  it('the lookup recognises the message as Twilio stores it: E.164 To, trial prefix, Smart Encoding', async () => {
    fake.trialAccount = true;
    fake.smartEncoding = true;
    try {
      const formatted = `+1 555-123-${CONTACT.slice(-4)}`;
      const flowSid = await createFlow(server, flow([sendMessage('greet', { body: 'It\u2019s \u201Cready\u201D \u2013 reply STOP', to: formatted }, { failed: 'noted' }), noted], { incomingMessage: 'greet' }));
      fake.failNext({ kind: 'created-then-500' });
      const executionSid = await textAndWaitForEnd(server, flowSid, 'hi');
      assert.deepEqual(await stepList(server.app, server.account.sid, flowSid, executionSid), ['Trigger -incomingMessage-> greet', 'greet -sent-> Ended']);
      assert.equal(fake.messages.length, 1);
      assert.equal(fake.messages[0]!.body, 'Sent from your Twilio trial account - It\'s "ready" - reply STOP');
      assert.equal((await widgetOutputs(server.app, executionSid, 'greet')).outbound.Sid, fake.messages[0]!.sid);
    } finally {
      fake.trialAccount = false;
      fake.smartEncoding = false;
    }
  });

  it('a 500 with nothing created upstream is failed, not retried', async () => {
    fake.failNext({ kind: 'status', status: 500 });
    const { steps, executionSid } = await runGreet(server);
    assert.deepEqual(steps, ['Trigger -incomingMessage-> greet', 'greet -failed-> noted', 'noted -next-> Ended']);
    assert.equal(fake.creates('Messages').length, 1);
    assert.equal(fake.messages.length, 0);
    assert.equal((await widgetOutputs(server.app, executionSid, 'greet')).outbound.ErrorCode, 30008);
  });

  it('a timeout after Twilio acted is found upstream (sent); a lost request is failed; neither is re-sent', async () => {
    fake.failNext({ kind: 'created-then-hang' });
    const first = await runGreet(server);
    assert.deepEqual(first.steps.at(-1), 'greet -sent-> Ended');
    assert.equal(fake.messages.length, 1);
    fake.failNext({ kind: 'hang' });
    const second = await runGreet(server);
    assert.deepEqual(second.steps.at(-1), 'noted -next-> Ended');
    assert.equal(fake.creates('Messages').length, 2);
    assert.equal(fake.messages.length, 1);
    assert.match((await widgetOutputs(server.app, second.executionSid, 'greet')).outbound.ErrorMessage, /not re-sent/);
  });

  it('a lookup never claims a message another step already owns', async () => {
    // Two identical messages to the same contact: the first flow sends normally, the second's
    // request is lost. The lookup sees the first flow's message and must not take it.
    const first = await runGreet(server);
    assert.deepEqual(first.steps.at(-1), 'greet -sent-> Ended');
    fake.failNext({ kind: 'hang' });
    const second = await runGreet(server);
    assert.deepEqual(second.steps.at(-1), 'noted -next-> Ended');
    assert.equal(fake.messages.length, 1);
  });
});

describe('Twilio REST client', () => {
  it('honours Retry-After and caps the backoff; a Retry-After past the cap is no wait at all', () => {
    const policy = { attempts: 4, baseDelayMs: 100, maxDelayMs: 5000 };
    assert.equal(backoffDelay(policy, 1, '3'), 3000);
    assert.equal(backoffDelay(policy, 1, '5'), 5000);
    assert.equal(backoffDelay(policy, 1, '60'), null, 'not retried before the time Twilio asked for');
    for (let attempt = 1; attempt <= 3; attempt++) {
      const delay = backoffDelay(policy, attempt, null)!;
      assert.ok(delay >= (100 * 2 ** (attempt - 1)) / 2 && delay <= 100 * 2 ** (attempt - 1), `attempt ${attempt}: ${delay}`);
    }
  });

  it('retries a refused connection (the request never left) and reports the last failure as a rejection', async () => {
    // A port nothing listens on, below the ephemeral range: one listen(0) handed out and we closed may go to a test alongside.
    const port = await freePort();
    const sleeps: number[] = [];
    const client = new TwilioRestClient(
      { accountSid: UPSTREAM_SID, authToken: UPSTREAM_TOKEN, apiBaseUrl: `http://127.0.0.1:${port}`, conversationsBaseUrl: DEFAULT_CONVERSATIONS_BASE_URL },
      { timeoutMs: 500, retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 40 }, sleep: async (ms) => void sleeps.push(ms) },
    );
    const outcome = await client.createMessage([['To', CONTACT], ['From', NUMBER], ['Body', 'x']]);
    assert.equal(outcome.kind, 'rejected');
    assert.equal(sleeps.length, 2, 'two waits between three attempts');
  });

  it('a 429 whose Retry-After is past the retry budget fails at once with its code; one within it is waited out', async () => {
    const fake = await startFake();
    try {
      const sleeps: number[] = [];
      const client = new TwilioRestClient(
        { accountSid: UPSTREAM_SID, authToken: UPSTREAM_TOKEN, apiBaseUrl: fake.baseUrl, conversationsBaseUrl: fake.baseUrl },
        { timeoutMs: 500, retry: { attempts: 4, baseDelayMs: 10, maxDelayMs: 5000 }, sleep: async (ms) => void sleeps.push(ms) },
      );
      const form: [string, string][] = [['To', CONTACT], ['From', NUMBER], ['Body', 'x']];
      fake.failNext({ kind: 'status', status: 429, retryAfter: 30 });
      const outcome = await client.createMessage(form);
      assert.equal(outcome.kind, 'rejected');
      assert.equal(outcome.kind === 'rejected' && outcome.code, 20429);
      assert.match(outcome.kind === 'rejected' ? outcome.message : '', /Retry-After 30 s/);
      assert.equal(fake.creates('Messages').length, 1, 'not retried early');
      assert.deepEqual(sleeps, []);

      fake.failNext({ kind: 'status', status: 429, retryAfter: 3 });
      assert.equal((await client.createMessage(form)).kind, 'created');
      assert.deepEqual(sleeps, [3000]);
    } finally {
      await fake.close();
    }
  });

  it('authenticates with an API key when one is configured', async () => {
    const fake = await startFake({ apiKey: { sid: 'SK' + 'd4'.repeat(16), secret: 'key-secret' } });
    try {
      const client = new TwilioRestClient({
        accountSid: UPSTREAM_SID,
        authToken: 'wrong-token-not-used',
        apiKey: { sid: 'SK' + 'd4'.repeat(16), secret: 'key-secret' },
        apiBaseUrl: fake.baseUrl,
        conversationsBaseUrl: fake.baseUrl,
      });
      const outcome = await client.createMessage([['To', CONTACT], ['From', NUMBER], ['Body', 'x']]);
      assert.equal(outcome.kind, 'created');
      assert.equal(fake.creates('Messages')[0]!.headers.authorization, 'Basic ' + Buffer.from(`SK${'d4'.repeat(16)}:key-secret`).toString('base64'));
    } finally {
      await fake.close();
    }
  });
});

describe('Twilio carrier: outbound policy', () => {
  let fake: FakeTwilio;
  let server: CarrierServer;
  useCarrierServer((started) => ({ fake, server } = started), { server: () => ({ config: { dev: false } }) });

  it('outside dev mode an account cannot point its upstream at a loopback address: nothing is sent', async () => {
    const { steps, executionSid } = await runGreet(server);
    assert.deepEqual(steps, ['Trigger -incomingMessage-> greet', 'greet -failed-> noted', 'noted -next-> Ended']);
    assert.match((await widgetOutputs(server.app, executionSid, 'greet')).outbound.ErrorMessage, /Outbound request blocked/);
    assert.equal(fake.requests.length, 0);
  });
});

describe('Twilio channel: one outcome per step', () => {
  let fake: FakeTwilio;
  let server: CarrierServer;
  useCarrierServer((started) => ({ fake, server } = started));

  it('a step sent again (its outbox row re-run after a restart) returns the recorded outcome without a request', async () => {
    const channel = new TwilioChannel(server.app.store, { reconcileDelayMs: 0 });
    const upstream = { accountSid: UPSTREAM_SID, authToken: UPSTREAM_TOKEN, apiBaseUrl: fake.baseUrl, conversationsBaseUrl: fake.baseUrl };
    const context = { accountSid: server.account.sid, flowSid: 'FW' + '0'.repeat(32), executionSid: 'FN' + '0'.repeat(32), effectId: 'EF' + 'a'.repeat(32) };
    const message = { from: NUMBER, to: CONTACT, body: 'once' };
    const first = await channel.send(upstream, context, message);
    const again = await channel.send(upstream, context, message);
    assert.equal(first.ok, true);
    assert.deepEqual(again, first);
    assert.equal(fake.creates('Messages').length, 1);

    // A send left 'requesting' by a crash, whose status callback already named the message.
    const crashed = { ...context, effectId: 'EF' + 'b'.repeat(32) };
    await channel.ledger.begin({ v: 1, effectId: crashed.effectId, executionSid: crashed.executionSid, accountSid: crashed.accountSid, target: 'message', to: CONTACT, from: NUMBER, body: 'lost?', startedAt: Date.now(), state: 'requesting' });
    await channel.ledger.sawCallback(crashed, 'SM' + 'c'.repeat(32), 'sent');
    const reconciled = await channel.send(upstream, crashed, { from: NUMBER, to: CONTACT, body: 'lost?' });
    assert.equal(reconciled.ok && reconciled.message.Sid, 'SM' + 'c'.repeat(32));
    assert.equal(fake.creates('Messages').length, 1, 'reconciled, not re-sent');
  });

  it('two steps sending the same body to the same number, both answered 500, each take a message of their own', async () => {
    // Both creates reach Twilio and answer 500; both lookups find both messages at once. Only the
    // claim, written as a message is taken, keeps them from taking the same one.
    fake.failNext({ kind: 'created-then-500' }, { kind: 'created-then-500' });
    const store = server.app.store;
    slowChannelRecords(store);
    const channel = new TwilioChannel(store, { reconcileDelayMs: 0 });
    const upstream = { accountSid: UPSTREAM_SID, authToken: UPSTREAM_TOKEN, apiBaseUrl: fake.baseUrl, conversationsBaseUrl: fake.baseUrl };
    const step = (n: number) => ({ accountSid: server.account.sid, flowSid: 'FW' + '0'.repeat(32), executionSid: 'FN' + String(n).repeat(32), effectId: 'EF' + String(n).repeat(32) });
    const message = { from: NUMBER, to: CONTACT, body: 'same words' };
    const sent = await Promise.all([channel.send(upstream, step(1), message), channel.send(upstream, step(2), message)]);
    assert.equal(fake.messages.length, 2);
    const sids = sent.map((result) => (result.ok ? result.message.Sid : `failed: ${result.message}`));
    assert.deepEqual([...sids].sort(), fake.messages.map((m) => m.sid).sort(), 'each step took a different message');
    for (const [i, sid] of sids.entries()) assert.equal((await channel.ledger.claimOf(String(sid)))?.effectId, step(i + 1).effectId);
  });

  it('a confirmed send never overwrites a claim another step holds on its message: it is logged', async () => {
    const warnings: { fields: object; message: string }[] = [];
    const channel = new TwilioChannel(server.app.store, { reconcileDelayMs: 0, log: { info: () => undefined, warn: (fields, message) => warnings.push({ fields, message }) } });
    const upstream = { accountSid: UPSTREAM_SID, authToken: UPSTREAM_TOKEN, apiBaseUrl: fake.baseUrl, conversationsBaseUrl: fake.baseUrl };
    const other = { effectId: 'EF' + 'e'.repeat(32), executionSid: 'FN' + 'e'.repeat(32), accountSid: server.account.sid };
    // Another step's lookup takes the message between Twilio's 201 and this step's claim.
    const store = server.app.store;
    const insert = store.insertChannelRecord.bind(store);
    store.insertChannelRecord = async (record) => {
      if (!record.key.startsWith('carrier-msg:')) return insert(record);
      store.insertChannelRecord = insert;
      await channel.ledger.claimIfFree(record.key.slice('carrier-msg:'.length), other);
      return insert(record);
    };
    const context = { accountSid: server.account.sid, flowSid: 'FW' + '0'.repeat(32), executionSid: 'FN' + 'd'.repeat(32), effectId: 'EF' + 'd'.repeat(32) };
    const sent = await channel.send(upstream, context, { from: NUMBER, to: CONTACT, body: 'mine' });
    assert.equal(sent.ok, true, 'the send stands');
    const sid = String(sent.ok && sent.message.Sid);
    assert.equal((await channel.ledger.claimOf(sid))?.effectId, other.effectId, 'the other claim is left as it is');
    assert.ok(warnings.some((w) => (w.fields as { messageSid?: string }).messageSid === sid && /claimed by another step/.test(w.message)), JSON.stringify(warnings));
    assert.equal((await channel.ledger.get(context.effectId))?.state, 'done');
  });
});
