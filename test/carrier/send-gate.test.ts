// At most one request per step, and no step reported failed for a store error. A send's ledger
// records are written in several steps (the in-flight record, the gate, the claim of the message
// SID, the outcome); the store may fail at any of them, in any order, on any attempt, and its answer
// may be lost after a write landed. Whatever the order, a step this process never made the request
// for is sent once when the store answers again, and a runner that did not make the request never
// reports it unknown while another runner's request is what left. Two runners of one step (a claim
// that lapsed while its node retried) make one request between them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { WebhookChannel } from '../../src/channels/webhook/webhook-channel.ts';
import { TwilioChannel } from '../../src/channels/twilio/twilio-channel.ts';
import { InflightLedger } from '../../src/channels/twilio/inflight.ts';
import { StoreUnavailableError, UnsavedOutcomeError } from '../../src/runtime/ports/store-errors.ts';
import type { SendContext } from '../../src/runtime/ports/channel.ts';
import type { FakeTwilio } from '../support/fake-twilio.ts';
import { CONTACT, NUMBER, UPSTREAM_SID, UPSTREAM_TOKEN, slowChannelRecords, startFake } from './helpers.ts';

const ACCOUNT = 'AC' + '5e'.repeat(16);
const FAULTY = ['getChannelRecord', 'putChannelRecord', 'insertChannelRecord', 'getAccount', 'getExecutionBySid', 'getSetting'] as const;
type Faulty = (typeof FAULTY)[number];

/**
 * Makes the store calls `plan` names fail as a dropped connection does ('landed': a write is made,
 * only its answer is lost). Calls are numbered from 0 in the order made; `stop` restores the store.
 */
function injectFaults(store: SqliteStore, plan: (index: number, method: Faulty, key: string) => 'fail' | 'landed' | null): { calls: string[]; stop: () => void } {
  const calls: string[] = [];
  const originals = new Map<Faulty, unknown>();
  const target = store as unknown as Record<Faulty, (...args: unknown[]) => Promise<unknown>>;
  for (const method of FAULTY) {
    const original = target[method].bind(store);
    originals.set(method, target[method]);
    target[method] = async (...args: unknown[]) => {
      const key = typeof args[0] === 'object' && args[0] !== null ? (args[0] as { key: string }).key : String(args[0]);
      const fault = plan(calls.length, method, key);
      calls.push(`${method} ${key}${fault ? ` (${fault})` : ''}`);
      if (fault === 'landed') await original(...args);
      if (fault) throw new Error('Connection terminated unexpectedly');
      return original(...args);
    };
  }
  return { calls, stop: () => originals.forEach((fn, method) => (target[method] = fn as never)) };
}

/** Carries an effect out as the runtime does: again after a store failure, an unsaved outcome saved until it lands. */
async function carryOut<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 0; tries < 100; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (error instanceof StoreUnavailableError) continue;
      if (error instanceof UnsavedOutcomeError) {
        for (;;) {
          try {
            await error.save();
            return error.result as T;
          } catch {
            // The store is still failing: written again.
          }
        }
      }
      throw error;
    }
  }
  throw new Error('the effect was never carried out');
}

/** Every set of up to `size` call numbers below `below`. */
function* faultSets(below: number, size: number, from = 0): Generator<number[]> {
  yield [];
  if (size === 0) return;
  for (let i = from; i < below; i++) for (const rest of faultSets(below, size - 1, i + 1)) yield [i, ...rest];
}

const context = (n: number): SendContext => ({ accountSid: ACCOUNT, flowSid: 'FW' + '0'.repeat(32), executionSid: 'FN' + n.toString(16).padStart(32, '0'), effectId: 'EF' + n.toString(16).padStart(32, '0') });

describe('webhook channel: the send ledger under store failures', () => {
  let receiver: http.Server;
  let url: string;
  /** POSTs received, by idempotency token (the step's effect id). */
  const received = new Map<string, number>();
  let store: SqliteStore;

  before(async () => {
    receiver = http.createServer(async (req, res) => {
      for await (const _chunk of req);
      const token = String(req.headers['i-twilio-idempotency-token']);
      received.set(token, (received.get(token) ?? 0) + 1);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/sms`;
    store = new SqliteStore({ path: ':memory:' });
    await store.createAccount({ sid: ACCOUNT, authToken: 'w'.repeat(32), friendlyName: 'gate', dateCreated: Date.now() });
  });
  after(async () => {
    receiver.closeAllConnections();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    store.close();
  });

  const message = { from: NUMBER, to: CONTACT, body: 'Your code is 1234' };
  let next = 0x1000;

  it('the claim fails after the in-flight record, then a later attempt fails before writing: sent once, not "outcome unknown"', async () => {
    // The review's sequence: attempt 1 writes the record and fails on the SID claim; attempt 2 fails
    // on its first ledger write; attempt 3 must still know that nothing left.
    const step = context(next++);
    const channel = new WebhookChannel(store);
    let writes = 0;
    const faults = injectFaults(store, (_i, method) => (method === 'putChannelRecord' || method === 'insertChannelRecord') && [2, 3].includes(++writes) ? 'fail' : null);
    try {
      const sent = await carryOut(() => channel.send({ url }, step, message));
      assert.equal(sent.ok, true, JSON.stringify({ sent, calls: faults.calls }));
      assert.equal(received.get(step.effectId!), 1);
    } finally {
      faults.stop();
    }
  });

  it('whatever store calls fail (up to three, landed or not): the message is POSTed once and the step is sent', async () => {
    let runs = 0;
    for (const landed of [false, true]) {
      for (const failing of faultSets(12, 3)) {
        const step = context(next++);
        const channel = new WebhookChannel(store);
        const faults = injectFaults(store, (i) => (failing.includes(i) ? (landed ? 'landed' : 'fail') : null));
        try {
          const sent = await carryOut(() => channel.send({ url }, step, message));
          const why = JSON.stringify({ failing, landed, calls: faults.calls });
          assert.equal(sent.ok, true, `reported ${JSON.stringify(sent)}: ${why}`);
          assert.equal(received.get(step.effectId!), 1, `POSTs: ${received.get(step.effectId!)}: ${why}`);
        } finally {
          faults.stop();
        }
        runs++;
      }
    }
    assert.ok(runs > 500);
  });

  it('two runners of one step at once (a lapsed claim): one POST between them, both give its outcome', async () => {
    slowChannelRecords(store, 5);
    for (let i = 0; i < 5; i++) {
      const step = context(next++);
      const [a, b] = await Promise.all([carryOut(() => new WebhookChannel(store).send({ url }, step, message)), carryOut(() => new WebhookChannel(store).send({ url }, step, message))]);
      assert.equal(received.get(step.effectId!), 1);
      // The runner that did not POST found the other's request made: its outcome or "unknown", never a second POST.
      assert.ok(a.ok || b.ok, JSON.stringify([a, b]));
      assert.ok([a, b].every((r) => r.ok || r.code === 30008), JSON.stringify([a, b]));
    }
  });

  it("a runner that wrote the in-flight record and stopped before the request: another runner sends, the first then finds the outcome", async () => {
    const step = context(next++);
    const first = new WebhookChannel(store);
    // The first runner's gate write fails: nothing left.
    const faults = injectFaults(store, (_i, method, key) => (method === 'insertChannelRecord' && key.startsWith('carrier-go:') ? 'fail' : null));
    try {
      await assert.rejects(first.send({ url }, step, message), StoreUnavailableError);
    } finally {
      faults.stop();
    }
    assert.equal((await new InflightLedger(store).get(step.effectId!))?.state, 'requesting');
    assert.equal(received.get(step.effectId!), undefined);

    const taken = await carryOut(() => new WebhookChannel(store).send({ url }, step, message));
    assert.equal(taken.ok, true, JSON.stringify(taken));
    assert.equal(received.get(step.effectId!), 1);
    const again = await carryOut(() => first.send({ url }, step, message));
    assert.deepEqual(again, taken);
    assert.equal(received.get(step.effectId!), 1);
  });

  it("a runner that lost the gate to another whose request is in flight reports the outcome unknown, and sends nothing", async () => {
    const step = context(next++);
    const ledger = new InflightLedger(store);
    await ledger.begin({ v: 1, gated: true, effectId: step.effectId!, executionSid: step.executionSid, accountSid: ACCOUNT, target: 'message', to: CONTACT, from: NUMBER, body: message.body, startedAt: Date.now(), state: 'requesting' });
    await store.insertChannelRecord({ key: `carrier-go:inflight:${step.effectId}`, accountSid: ACCOUNT, executionSid: step.executionSid, value: JSON.stringify({ nonce: 'another-runner', at: Date.now() }), updatedAt: Date.now() });
    const sent = await carryOut(() => new WebhookChannel(store).send({ url }, step, message));
    assert.equal(sent.ok ? 'sent' : sent.code, 30008);
    assert.equal(received.get(step.effectId!), undefined);
  });

  it('an in-flight record from before the gate (an older version) is an unknown outcome: not re-sent', async () => {
    const step = context(next++);
    await new InflightLedger(store).begin({ v: 1, effectId: step.effectId!, executionSid: step.executionSid, accountSid: ACCOUNT, target: 'message', to: CONTACT, from: NUMBER, body: message.body, startedAt: Date.now(), state: 'requesting' });
    const sent = await carryOut(() => new WebhookChannel(store).send({ url }, step, message));
    assert.equal(sent.ok ? 'sent' : sent.code, 30008);
    assert.equal(received.get(step.effectId!), undefined);
  });
});

describe('Twilio carrier: the send ledger under store failures', () => {
  let fake: FakeTwilio;
  let store: SqliteStore;
  const upstream = () => ({ accountSid: UPSTREAM_SID, authToken: UPSTREAM_TOKEN, apiBaseUrl: fake.baseUrl, conversationsBaseUrl: fake.baseUrl, taskrouterBaseUrl: fake.baseUrl, taskrouterWorkspaceSid: 'WS' + '1'.repeat(32) });
  const creates = (body: string) => fake.creates('Messages').filter((r) => r.form.some(([name, value]) => name === 'Body' && value === body)).length;

  before(async () => {
    fake = await startFake({ callbacks: 'manual' });
    store = new SqliteStore({ path: ':memory:' });
    await store.createAccount({ sid: ACCOUNT, authToken: 'w'.repeat(32), friendlyName: 'gate', dateCreated: Date.now() });
  });
  after(async () => {
    await fake.close();
    store.close();
  });
  let next = 0x2000;

  it('whatever store calls fail (up to two, landed or not): one message upstream and the step is sent', async () => {
    for (const landed of [false, true]) {
      for (const failing of faultSets(10, 2)) {
        const step = context(next++);
        const body = `run ${step.effectId}`;
        const channel = new TwilioChannel(store, { reconcileDelayMs: 0 });
        const faults = injectFaults(store, (i) => (failing.includes(i) ? (landed ? 'landed' : 'fail') : null));
        try {
          const sent = await carryOut(() => channel.send(upstream(), step, { from: NUMBER, to: CONTACT, body }));
          const why = JSON.stringify({ failing, landed, calls: faults.calls });
          assert.equal(sent.ok, true, `reported ${JSON.stringify(sent)}: ${why}`);
          assert.equal(creates(body), 1, why);
        } finally {
          faults.stop();
        }
      }
    }
  });

  it('two runners of one step at once: one message upstream', async () => {
    slowChannelRecords(store, 5);
    for (let i = 0; i < 5; i++) {
      const step = context(next++);
      const body = `twice ${step.effectId}`;
      const send = () => carryOut(() => new TwilioChannel(store, { reconcileDelayMs: 0 }).send(upstream(), step, { from: NUMBER, to: CONTACT, body }));
      const [a, b] = await Promise.all([send(), send()]);
      assert.equal(creates(body), 1);
      // The other runner finds that message (its status or a lookup), or says the outcome is unknown.
      const sid = fake.messages.find((m) => m.body === body)!.sid;
      assert.deepEqual([a, b].map((r) => (r.ok ? r.message.Sid : r.code)).filter((r) => r !== 30008 && r !== sid), [], JSON.stringify([a, b]));
      assert.ok(a.ok || b.ok, JSON.stringify([a, b]));
    }
  });

  it('a TaskRouter task: whatever store calls fail (up to two), one task is created and the step has it', async () => {
    const task = { workflowSid: 'WW' + '2'.repeat(32), taskChannel: 'default', attributes: '{}', priority: 0, timeout: 3600 };
    const tasks = () => fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/Tasks')).length;
    for (const landed of [false, true]) {
      for (const failing of faultSets(6, 2)) {
        const step = context(next++);
        const channel = new TwilioChannel(store, { reconcileDelayMs: 0 });
        const before = tasks();
        const faults = injectFaults(store, (i) => (failing.includes(i) ? (landed ? 'landed' : 'fail') : null));
        try {
          const created = await carryOut(() => channel.createFlexTask(upstream(), step, task));
          const why = JSON.stringify({ failing, landed, calls: faults.calls });
          assert.equal(created.ok, true, `reported ${JSON.stringify(created)}: ${why}`);
          assert.equal(tasks() - before, 1, why);
        } finally {
          faults.stop();
        }
      }
    }
  });
});
