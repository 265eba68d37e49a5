// An effect is carried out again only when its node died or stalled past the lease (README,
// "PostgreSQL and many nodes"). A live node whose store briefly fails while it records an HTTP
// call's result must record it again, not leave the outbox row to the orphan sweep (which would
// call the customer's server a second time).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { FlowService } from '../../src/runtime/flows.ts';
import { DEFAULT_RUNTIME_OPTIONS, ExecutionService } from '../../src/runtime/executions.ts';
import type { MessageChannel, OutboundHttp } from '../../src/runtime/ports/channel.ts';
import type { SprintWrite } from '../../src/runtime/ports/store.ts';
import { StoreUnavailableError } from '../../src/runtime/ports/store-errors.ts';

const flowDefinition = {
  description: 'one HTTP call',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage' }, { event: 'incomingCall' }, { event: 'incomingConversationMessage' }, { event: 'incomingRequest', next: 'call' }, { event: 'incomingParent' }], properties: { offset: { x: 0, y: 0 } } },
    { name: 'call', type: 'make-http-request', transitions: [{ event: 'success' }, { event: 'failed' }], properties: { offset: { x: 0, y: 200 }, method: 'POST', url: 'https://orders.example.com/v1/orders', content_type: 'application/json', body: '{}' } },
  ],
};

/** Every store method fails while `down` is set, as when the database is stopped (close excepted). */
function outage(store: SqliteStore): { down: boolean } {
  const state = { down: false };
  const target = store as unknown as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(store))) {
    const original = target[name];
    if (name === 'constructor' || name === 'close' || typeof original !== 'function') continue;
    const bound = (original as (...args: unknown[]) => unknown).bind(store);
    // As pg reports a refused connection: the errno as the code.
    target[name] = (...args: unknown[]) => (state.down ? Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })) : bound(...args));
  }
  return state;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `check` holds (what a test goes on from), failing with `what` after 5 s. */
async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await sleep(10);
  }
}

async function setup(definition: object = flowDefinition) {
  const store = new SqliteStore({ path: ':memory:' });
  const accountSid = 'AC' + '0'.repeat(32);
  await store.createAccount({ sid: accountSid, authToken: 'x'.repeat(32), friendlyName: 'a', dateCreated: Date.now() });
  const flow = await new FlowService(store, { now: Date.now } as never).create(accountSid, { friendlyName: 'http', status: 'published', definition: definition as never });
  return { store, accountSid, flowSid: flow.sid };
}

const sendDefinition = {
  ...flowDefinition,
  states: [
    { ...flowDefinition.states[0]!, transitions: flowDefinition.states[0]!.transitions.map((t) => (t.event === 'incomingRequest' ? { event: 'incomingRequest', next: 'greet' } : t)) },
    { name: 'greet', type: 'send-message', transitions: [{ event: 'sent' }, { event: 'failed' }], properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'hi' } },
  ],
};

describe('recording an effect result', () => {
  it('a transient store error while recording an HTTP result does not make the call twice', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    const accountSid = 'AC' + '0'.repeat(32);
    await store.createAccount({ sid: accountSid, authToken: 'x'.repeat(32), friendlyName: 'a', dateCreated: Date.now() });
    const flow = await new FlowService(store, { now: Date.now } as never).create(accountSid, { friendlyName: 'http', status: 'published', definition: flowDefinition });
    let calls = 0;
    const http: OutboundHttp = { request: async () => (calls++, { kind: 'http-response', statusCode: 200, contentType: 'application/json', body: '{}' }) };
    // The first write of an effect's result fails, as on a dropped database connection.
    const writeSprint = store.writeSprint.bind(store);
    let failed = 0;
    store.writeSprint = async (write: SprintWrite) => {
      if (write.effectsDone.length > 0 && failed === 0) {
        failed++;
        throw new Error('Connection terminated unexpectedly');
      }
      return writeSprint(write);
    };
    const executions = new ExecutionService(store, { name: 'none' } as MessageChannel, http, { ...DEFAULT_RUNTIME_OPTIONS, now: Date.now, leaseMs: 150 });
    await executions.start();
    try {
      const { execution } = await executions.create(accountSid, flow.sid, { to: '+15550000001', from: '+15559990000' }, 'error');
      const deadline = Date.now() + 3000;
      while ((await store.getExecutionBySid(execution.sid))?.status !== 'ended' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      // Give the orphan sweep time to redo the call if the row was left behind.
      await new Promise((r) => setTimeout(r, 1500));
      await executions.idle();
      assert.equal(failed, 1);
      assert.equal((await store.getExecutionBySid(execution.sid))?.status, 'ended');
      assert.equal(calls, 1, 'the customer server was called once');
      assert.deepEqual(await store.pendingEffects(10), []);
    } finally {
      await executions.stop();
      await store.close();
    }
  });

  it('a result the store refuses for what it holds (not an outage) is given up after a few tries: the claim goes back, other work goes on', async () => {
    const { store, accountSid, flowSid } = await setup();
    const http: OutboundHttp = { request: async () => ({ kind: 'http-response', statusCode: 200, contentType: 'application/json', body: '{}' }) };
    const writeSprint = store.writeSprint.bind(store);
    let refused = 0;
    // As PostgreSQL refuses a NUL character (22021): the same write fails however often it is tried.
    store.writeSprint = async (write: SprintWrite) => {
      if (write.effectsDone.length > 0 && write.execution.contactChannelAddress === '+15550000001') {
        refused++;
        throw Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' });
      }
      return writeSprint(write);
    };
    // A bound of one result waiting: held for good, the poisoned result would stop every later effect.
    const executions = new ExecutionService(store, { name: 'none' } as MessageChannel, http, { ...DEFAULT_RUNTIME_OPTIONS, now: Date.now, leaseMs: 60_000, maxUnwrittenResults: 1 });
    await executions.start();
    try {
      await executions.create(accountSid, flowSid, { to: '+15550000001', from: '+15559990000' }, 'error');
      const deadline = Date.now() + 10_000;
      while (refused < 5 && Date.now() < deadline) await sleep(20);
      assert.equal(refused, 5, 'tried a few times');
      await sleep(1500);
      assert.equal(refused, 5, 'then given up, not retried for as long as the node runs');
      const { execution: other } = await executions.create(accountSid, flowSid, { to: '+15550000002', from: '+15559990000' }, 'error');
      while ((await store.getExecutionBySid(other.sid))?.status !== 'ended' && Date.now() < deadline) await sleep(20);
      assert.equal((await store.getExecutionBySid(other.sid))?.status, 'ended', 'later effects still run');
    } finally {
      await executions.stop();
      await store.close();
    }
  });

  it('a database outage shorter than the lease, begun while an HTTP call is out: the call is made once', async () => {
    const { store, accountSid, flowSid } = await setup();
    const db = outage(store);
    let calls = 0;
    const http: OutboundHttp = {
      request: async () => {
        calls++;
        db.down = true; // the database stops while the customer's server is answering
        await sleep(100);
        return { kind: 'http-response', statusCode: 200, contentType: 'application/json', body: '{}' };
      },
    };
    // Longer than the old 5 tries (1.5 s) and shorter than the lease: the claim must be kept meanwhile.
    const executions = new ExecutionService(store, { name: 'none' } as MessageChannel, http, { ...DEFAULT_RUNTIME_OPTIONS, now: Date.now, leaseMs: 4000 });
    await executions.start();
    try {
      const started = Date.now();
      const { execution } = await executions.create(accountSid, flowSid, { to: '+15550000001', from: '+15559990000' }, 'error');
      await sleep(2500);
      db.down = false;
      // The result lands at the next try (backoff capped at 2 s): waited for, as a busy machine's tries come late.
      while ((await store.getExecutionBySid(execution.sid))?.status !== 'ended' && Date.now() - started < 20_000) await sleep(50);
      // Past the lease: an orphan sweep would have taken the row and made the call again by now.
      await sleep(Math.max(0, started + 6000 - Date.now()));
      assert.equal((await store.getExecutionBySid(execution.sid))?.status, 'ended');
      assert.equal(calls, 1, 'the customer server was called once');
      assert.deepEqual(await store.pendingEffects(10), []);
    } finally {
      db.down = false;
      await executions.stop();
      await store.close();
    }
  });

  it('a node stopped during an outage keeps trying to write the result until the store is back (within the drain)', async () => {
    const { store, accountSid, flowSid } = await setup();
    const db = outage(store);
    let calls = 0;
    const http: OutboundHttp = {
      request: async () => {
        calls++;
        db.down = true;
        return { kind: 'http-response', statusCode: 200, contentType: 'application/json', body: '{}' };
      },
    };
    const executions = new ExecutionService(store, { name: 'none' } as MessageChannel, http, { ...DEFAULT_RUNTIME_OPTIONS, now: Date.now, leaseMs: 4000, stopDrainMs: 5000 });
    await executions.start();
    const { execution } = await executions.create(accountSid, flowSid, { to: '+15550000001', from: '+15559990000' }, 'error');
    await until('the call was made (and the store went down)', () => calls > 0);
    const stopped = executions.stop().catch(() => undefined);
    await sleep(2000); // longer than the old five tries
    db.down = false;
    await stopped;
    assert.equal(calls, 1);
    assert.equal((await store.getExecutionBySid(execution.sid))?.status, 'ended', 'the result was written during the drain');
    assert.deepEqual(await store.pendingEffects(10), []);
    await store.close();
  });

  it('a node stopped with the store down for longer than the drain gives up, and stop() returns', async () => {
    const { store, accountSid, flowSid } = await setup();
    const db = outage(store);
    let calls = 0;
    const http: OutboundHttp = {
      request: async () => {
        calls++;
        db.down = true;
        return { kind: 'http-response', statusCode: 200, contentType: 'application/json', body: '{}' };
      },
    };
    const executions = new ExecutionService(store, { name: 'none' } as MessageChannel, http, { ...DEFAULT_RUNTIME_OPTIONS, now: Date.now, leaseMs: 4000, stopDrainMs: 500 });
    await executions.start();
    await executions.create(accountSid, flowSid, { to: '+15550000001', from: '+15559990000' }, 'error');
    await until('the call was made (and the store went down)', () => calls > 0);
    const started = Date.now();
    await assert.rejects(executions.stop(), /ECONNREFUSED/, 'handing the claims back fails too');
    assert.ok(Date.now() - started < 4000, `stop() took ${Date.now() - started} ms`);
    db.down = false;
    assert.equal((await store.pendingEffects(10)).length, 1, 'the effect is left in the outbox for the next node');
    await store.close();
  });

  it('a send the store kept from starting is not a failure: it is tried again, and a stopping node leaves it to the next', async () => {
    const { store, accountSid, flowSid } = await setup(sendDefinition);
    let unavailable = 3;
    let tries = 0;
    const sent: string[] = [];
    const channel: MessageChannel = {
      name: 'test',
      sendMessage: async (context) => {
        tries++;
        if (unavailable-- > 0) throw new StoreUnavailableError(new Error('canceling statement due to statement timeout'));
        sent.push(context.executionSid);
        return { ok: true, message: { Sid: 'SM' + '1'.repeat(32), Status: 'sent' } };
      },
    };
    const http: OutboundHttp = { request: async () => ({ kind: 'http-response', statusCode: 200, contentType: 'application/json', body: '{}' }) };
    const executions = new ExecutionService(store, channel, http, { ...DEFAULT_RUNTIME_OPTIONS, now: Date.now, leaseMs: 4000 });
    await executions.start();
    const { execution } = await executions.create(accountSid, flowSid, { to: '+15550000001', from: '+15559990000' }, 'error');
    await executions.idle();
    assert.deepEqual(sent, [execution.sid]);
    const steps = (await store.listSteps(accountSid, flowSid, execution.sid, { pageSize: 10 })).items.map((step) => step.name);
    assert.deepEqual(steps, ['incomingRequest', 'sent']);

    // Stopped while the store keeps refusing: nothing is recorded, and the row waits for the next start.
    unavailable = Number.POSITIVE_INFINITY;
    const triedBefore = tries;
    const second = await executions.create(accountSid, flowSid, { to: '+15550000002', from: '+15559990000' }, 'error');
    await until('the send was tried (and refused)', () => tries > triedBefore);
    await executions.stop();
    assert.equal((await store.getExecutionBySid(second.execution.sid))?.status, 'active');
    assert.equal((await store.pendingEffects(10)).length, 1);
    unavailable = 0;
    const next = new ExecutionService(store, channel, http, { ...DEFAULT_RUNTIME_OPTIONS, now: Date.now, leaseMs: 4000 });
    await next.start();
    await next.idle();
    await next.stop();
    assert.deepEqual(sent, [execution.sid, second.execution.sid]);
    assert.equal((await store.getExecutionBySid(second.execution.sid))?.status, 'ended');
    await store.close();
  });

  it('results waiting for the store are bounded: past the bound, new effects wait in the outbox', async () => {
    const { store, accountSid, flowSid } = await setup();
    const writeSprint = store.writeSprint.bind(store);
    let failing = true;
    const refused = new Set<string>();
    store.writeSprint = (write: SprintWrite) =>
      failing && write.effectsDone.length > 0 ? (refused.add(write.execution.sid), Promise.reject(new Error('canceling statement due to statement timeout'))) : writeSprint(write);
    let calls = 0;
    const http: OutboundHttp = { request: async () => (calls++, { kind: 'http-response', statusCode: 200, contentType: 'application/json', body: '{}' }) };
    const executions = new ExecutionService(store, { name: 'none' } as MessageChannel, http, { ...DEFAULT_RUNTIME_OPTIONS, now: Date.now, leaseMs: 300, maxUnwrittenResults: 2 });
    await executions.start();
    try {
      const sids: string[] = [];
      const create = async (i: number) => sids.push((await executions.create(accountSid, flowSid, { to: `+1555000000${i}`, from: '+15559990000' }, 'error')).execution.sid);
      await create(0);
      await create(1);
      // Both results have failed to write once: the node holds as many as it may.
      await until('both results were refused', () => refused.size === 2);
      for (let i = 2; i < 5; i++) await create(i);
      await sleep(800); // past the new effects' lease: still nobody carries them out here
      assert.equal(calls, 2, 'no more effects are taken on while two results wait');
      failing = false;
      const deadline = Date.now() + 8000;
      const ended = async () => (await Promise.all(sids.map((sid) => store.getExecutionBySid(sid)))).filter((e) => e?.status === 'ended').length;
      while ((await ended()) < sids.length && Date.now() < deadline) await sleep(50);
      assert.equal(await ended(), 5);
      assert.equal(calls, 5, 'each call made once');
    } finally {
      failing = false;
      await executions.stop();
      await store.close();
    }
  });
});
