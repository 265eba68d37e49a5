// A database blip while a channel carries out a step (a statement timeout, a terminated
// connection) is not what the step did. A store read or write that fails before the request leaves
// means nothing was sent: the runtime tries again, and the message goes out once. A store write
// that fails after a confirmed send does not turn the send into a failure: the step is `sent`, and
// the at-most-once ledger is written once the store answers again.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { InflightLedger } from '../../src/channels/twilio/inflight.ts';
import type { FakeTwilio } from '../support/fake-twilio.ts';
import { CONTACT, NUMBER, createFlow, flow, restExecution, sendMessage, startCarrierServer, startFake, stepList, waitForEnd, type CarrierServer, type State } from './helpers.ts';

/** Settings hold the carrier configuration; the send ledger is in the channel records. */
type SettingsMethod = 'getSetting' | 'setSetting' | 'getChannelRecord' | 'putChannelRecord' | 'insertChannelRecord';

/**
 * Makes the next `times` calls of `method` whose key (and value) match fail as a dropped database
 * connection does; with `landed`, the write is made first and only its answer is lost.
 */
function failNext(store: SqliteStore, method: SettingsMethod, match: (key: string, value?: string) => boolean, times: number, options: { landed?: boolean; message?: string } = {}): { failed: () => number } {
  let failed = 0;
  const original = (store[method] as (...args: unknown[]) => Promise<unknown>).bind(store);
  const message = options.message ?? 'terminating connection due to administrator command';
  (store as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
    const [key, value] = typeof args[0] === 'object' ? [(args[0] as { key: string }).key, (args[0] as { value: string }).value] : [args[0] as string, args[1] as string | undefined];
    if (failed < times && match(key, value)) {
      failed++;
      if (options.landed) await original(...args);
      throw new Error(message);
    }
    return original(...args);
  };
  return { failed: () => failed };
}

const inflightRequesting = (key: string, value?: string) => key.startsWith('inflight:') && value !== undefined && JSON.parse(value).state === 'requesting';
const inflightDone = (key: string, value?: string) => key.startsWith('inflight:') && value !== undefined && JSON.parse(value).state === 'done';

const noted: State = { name: 'noted', type: 'set-variables', properties: { offset: { x: 0, y: 0 }, variables: [] }, transitions: [{ event: 'next' }] };
const greetFlow = () => flow([sendMessage('greet', { body: 'Your code is 1234' }, { failed: 'noted' }), noted], { incomingRequest: 'greet' });

async function runOnce(server: CarrierServer, definition: object): Promise<{ executionSid: string; steps: string[] }> {
  const flowSid = await createFlow(server, definition);
  const started = await restExecution(server, flowSid, { To: CONTACT, From: NUMBER });
  assert.equal(started.statusCode, 201, started.body);
  const executionSid = started.json().sid as string;
  await waitForEnd(server, executionSid);
  await server.app.executions.idle();
  return { executionSid, steps: await stepList(server.app, server.account.sid, flowSid, executionSid) };
}

describe('a database blip while the webhook channel sends', () => {
  let receiver: http.Server;
  let receiverUrl: string;
  let received: URLSearchParams[];
  let store: SqliteStore;
  let server: CarrierServer;
  let fake: FakeTwilio;

  beforeEach(async () => {
    received = [];
    receiver = http.createServer(async (req, res) => {
      let text = '';
      for await (const chunk of req) text += chunk;
      received.push(new URLSearchParams(text));
      res.writeHead(200, { 'content-type': 'application/json' }).end(req.url === '/fn' ? '{"ok":true}' : JSON.stringify({ sid: 'SM' + '9'.repeat(32) }));
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    fake = await startFake();
    store = new SqliteStore({ path: ':memory:' });
    server = await startCarrierServer(fake, { store, carrier: { Channel: 'webhook', WebhookUrl: `${receiverUrl}/sms` } });
  });
  afterEach(async () => {
    await server.close();
    await fake.close();
    receiver.closeAllConnections();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it('a ledger read that times out: the message is sent once, the step is sent', async () => {
    const blip = failNext(store, 'getChannelRecord', (key) => key.startsWith('inflight:'), 2, { message: 'canceling statement due to statement timeout' });
    const { steps } = await runOnce(server, greetFlow());
    assert.equal(blip.failed(), 2);
    assert.deepEqual(steps, ['Trigger -incomingRequest-> greet', 'greet -sent-> Ended']);
    assert.equal(received.length, 1);
  });

  it("the carrier configuration's read fails: the message is sent once", async () => {
    const blip = failNext(store, 'getSetting', (key) => key.startsWith('carrier:'), 2);
    const { steps } = await runOnce(server, greetFlow());
    assert.equal(blip.failed(), 2);
    assert.deepEqual(steps, ['Trigger -incomingRequest-> greet', 'greet -sent-> Ended']);
    assert.equal(received.length, 1);
  });

  it('the in-flight record lands but its answer is lost: the retry knows nothing left and sends once', async () => {
    const blip = failNext(store, 'insertChannelRecord', inflightRequesting, 1, { landed: true });
    const { steps } = await runOnce(server, greetFlow());
    assert.equal(blip.failed(), 1);
    assert.deepEqual(steps, ['Trigger -incomingRequest-> greet', 'greet -sent-> Ended']);
    assert.equal(received.length, 1);
  });

  it('the gate of the request lands but its answer is lost: the retry knows nothing left and sends once', async () => {
    const blip = failNext(store, 'insertChannelRecord', (key) => key.startsWith('carrier-go:'), 1, { landed: true });
    const { steps } = await runOnce(server, greetFlow());
    assert.equal(blip.failed(), 1);
    assert.deepEqual(steps, ['Trigger -incomingRequest-> greet', 'greet -sent-> Ended']);
    assert.equal(received.length, 1);
  });

  for (const landed of [false, true]) {
    it(`the MessageSid claim (insert-only) fails${landed ? ', having landed,' : ''} after the in-flight record was written: sent once, not "outcome unknown"`, async () => {
      const blip = failNext(store, 'insertChannelRecord', (key) => key.startsWith('carrier-msg:'), 1, { landed });
      const { executionSid, steps } = await runOnce(server, greetFlow());
      assert.equal(blip.failed(), 1);
      assert.deepEqual(steps, ['Trigger -incomingRequest-> greet', 'greet -sent-> Ended']);
      assert.equal(received.length, 1);
      assert.equal((await new InflightLedger(store).claimOf(received[0]!.get('MessageSid')!))?.executionSid, executionSid, 'the SID sent is claimed for the step');
    });
  }

  it('the ledger write after a confirmed send fails: the step is sent, and the ledger is written later', async () => {
    const blip = failNext(store, 'putChannelRecord', inflightDone, 3);
    const { steps } = await runOnce(server, greetFlow());
    assert.equal(blip.failed(), 3);
    assert.deepEqual(steps, ['Trigger -incomingRequest-> greet', 'greet -sent-> Ended']);
    assert.equal(received.length, 1);
    const claim = await new InflightLedger(store).claimOf(received[0]!.get('MessageSid')!);
    assert.ok(claim, 'the MessageSid is claimed for its step');
    const sent = await new InflightLedger(store).get(claim.effectId);
    assert.equal(sent?.state, 'done');
    assert.equal(sent?.result?.ok, true);
  });

  it("run-function: the carrier configuration's read (for signing) fails: the request is made once and succeeds", async () => {
    const blip = failNext(store, 'getSetting', (key) => key.startsWith('carrier:'), 2);
    const fn: State = {
      name: 'fn',
      type: 'run-function',
      properties: { offset: { x: 0, y: 0 }, url: `${receiverUrl}/fn`, service_sid: 'ZS' + '1'.repeat(32), function_sid: 'ZH' + '2'.repeat(32), parameters: [] },
      transitions: [{ event: 'success' }, { event: 'fail', next: 'noted' }],
    };
    const { steps } = await runOnce(server, flow([fn, noted], { incomingRequest: 'fn' }));
    assert.equal(blip.failed(), 2);
    assert.deepEqual(steps, ['Trigger -incomingRequest-> fn', 'fn -success-> Ended']);
    assert.equal(received.length, 1);
  });
});

describe('a database blip while the Twilio carrier sends', () => {
  let store: SqliteStore;
  let server: CarrierServer;
  let fake: FakeTwilio;

  beforeEach(async () => {
    fake = await startFake();
    store = new SqliteStore({ path: ':memory:' });
    server = await startCarrierServer(fake, { store });
  });
  afterEach(async () => {
    await server.close();
    await fake.close();
  });

  it('a ledger read that fails: one message upstream, the step is sent', async () => {
    const blip = failNext(store, 'getChannelRecord', (key) => key.startsWith('inflight:'), 2);
    const { steps } = await runOnce(server, greetFlow());
    assert.equal(blip.failed(), 2);
    assert.deepEqual(steps, ['Trigger -incomingRequest-> greet', 'greet -sent-> Ended']);
    assert.equal(fake.messages.length, 1);
  });

  it('the in-flight record lands but its answer is lost: sent once, not reported unknown', async () => {
    const blip = failNext(store, 'insertChannelRecord', inflightRequesting, 1, { landed: true });
    const { steps } = await runOnce(server, greetFlow());
    assert.equal(blip.failed(), 1);
    assert.deepEqual(steps, ['Trigger -incomingRequest-> greet', 'greet -sent-> Ended']);
    assert.equal(fake.messages.length, 1);
  });

  it('the ledger write after Twilio created the message fails: the step is sent, the ledger written later', async () => {
    const blip = failNext(store, 'putChannelRecord', inflightDone, 3);
    const { steps } = await runOnce(server, greetFlow());
    assert.equal(blip.failed(), 3);
    assert.deepEqual(steps, ['Trigger -incomingRequest-> greet', 'greet -sent-> Ended']);
    assert.equal(fake.messages.length, 1);
    const sid = fake.messages[0]!.sid;
    const claim = await new InflightLedger(store).claimOf(sid);
    assert.ok(claim, 'the message is claimed for its step');
    assert.equal((await new InflightLedger(store).get(claim.effectId))?.state, 'done');
  });
});
