// Inbound webhooks retried on two nodes at once, with the other node's write landing at the worst
// moment. Node B is a second ExecutionService (and CallService) on the same store, seen through a
// wrapper that runs node A's work, or fails a write, exactly where the race would: deterministic
// versions of what two `switchboard serve` nodes on one PostgreSQL schema did now and then.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.ts';
import { DEFAULT_RUNTIME_OPTIONS, ExecutionService } from '../../src/runtime/executions.ts';
import { CallService } from '../../src/runtime/calls.ts';
import { StoreConflictError, type SprintWrite, type Store } from '../../src/runtime/ports/store.ts';
import type { MessageChannel, OutboundHttp } from '../../src/runtime/ports/channel.ts';

// No effects before the first wait: node B, never started, has nothing to carry out.
const FLOW = {
  description: 'interleavings',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: false },
  states: [
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: 'r' }, { event: 'incomingCall', next: 'menu' }, { event: 'incomingRequest', next: 'r' }], properties: { offset: { x: 0, y: 0 } } },
    { name: 'r', type: 'add-twiml-redirect', transitions: [{ event: 'return' }, { event: 'timeout' }, { event: 'fail' }], properties: { offset: { x: 0, y: 100 }, url: 'https://app.example/sms', method: 'POST', timeout: '600' } },
    { name: 'menu', type: 'gather-input-on-call', transitions: [{ event: 'keypress' }, { event: 'speech' }, { event: 'timeout' }], properties: { offset: { x: 0, y: 200 }, say: 'Press a key' } },
  ],
};
const FLOW_ADDRESS = '+15005550006';

/** `store` with some methods replaced; the rest bound to it (stores keep private fields). */
function wrap(store: Store, overrides: Partial<Record<keyof Store, unknown>>): Store {
  return new Proxy(store, {
    get(target, name) {
      if (Object.hasOwn(overrides, name)) return overrides[name as keyof Store];
      const value = Reflect.get(target, name, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function nodeOn(store: Store): { executions: ExecutionService; calls: CallService } {
  const executions = new ExecutionService(store, { name: 'none' } as MessageChannel, {} as OutboundHttp, { ...DEFAULT_RUNTIME_OPTIONS, now: Date.now });
  return { executions, calls: new CallService(store, executions, { serverSecret: 'test' }) };
}

/**
 * A store whose first new-execution write first runs `before` (node A's work), then fails as PostgreSQL
 * fails a transaction caught in a deadlock (40P01, which the store reports as a 'version' conflict).
 */
function deadlockOnFirstInsert(store: Store, before: () => Promise<unknown> = async () => {}): { store: Store; failed: () => number } {
  let failed = 0;
  const wrapped = wrap(store, {
    writeSprint: async (write: SprintWrite) => {
      if (write.isNew && failed === 0) {
        failed++;
        await before();
        throw new StoreConflictError('version', 'deadlock detected');
      }
      return store.writeSprint(write);
    },
  });
  return { store: wrapped, failed: () => failed };
}

/** The app (node A) and its call webhooks' service (the app keeps its own inside the API). */
async function setUp(): Promise<{ t: TestServer; flowSid: string; callsA: CallService }> {
  const t = await startTestServer();
  const flowSid = (await t.app.flows.create(t.account.sid, { friendlyName: 'interleavings', status: 'published', definition: FLOW as never })).sid;
  return { t, flowSid, callsA: new CallService(t.app.store, t.app.executions, { serverSecret: 'test' }) };
}

const hex = (c: string) => c.repeat(32);
const call = (sid: string, from: string) => ({ CallSid: sid, From: from, To: FLOW_ADDRESS, CallStatus: 'ringing', Direction: 'inbound' });
const message = (sid: string, from: string) => ({ MessageSid: sid, From: from, To: FLOW_ADDRESS, Body: 'hi' });

describe('inbound webhooks retried on two nodes', () => {
  it('allow_concurrent_calls off: a call whose own execution another node commits after the receipt check goes on with it, not "out of service"', async () => {
    const { t, flowSid, callsA } = await setUp();
    try {
      const params = call('CA' + hex('1'), '+15557770001');
      const nodeA: { turn?: ReturnType<CallService['incoming']> } = {};
      // Node A takes the same webhook between node B's receipt check and its read of the caller's calls.
      const b = nodeOn(
        wrap(t.app.store, {
          listActiveExecutionsOfPair: async (...args: Parameters<Store['listActiveExecutionsOfPair']>) => {
            nodeA.turn ??= callsA.incoming(t.account.sid, flowSid, params);
            await nodeA.turn;
            return t.app.store.listActiveExecutionsOfPair(...args);
          },
        }),
      );
      const turn = await b.calls.incoming(t.account.sid, flowSid, params);
      assert.ok(nodeA.turn, 'node A ran in between');
      const first = await nodeA.turn;
      assert.equal(first.kind, 'twiml');
      assert.equal(turn.kind, 'twiml', `node B answered ${turn.kind}`);
      assert.equal(turn.kind === 'twiml' && turn.execution.sid, first.kind === 'twiml' && first.execution.sid, 'the same execution');
      const executions = (await t.app.store.listExecutions(t.account.sid, flowSid, {}, { pageSize: 10 })).items;
      assert.deepEqual(executions.map((e) => e.status), ['active'], 'one execution, still live');
      await t.app.executions.idle();
    } finally {
      await t.close();
    }
  });

  it('allow_concurrent_calls off: the caller\'s other call still blocks the new one', async () => {
    const { t, flowSid, callsA } = await setUp();
    try {
      const from = '+15557770002';
      const first = await callsA.incoming(t.account.sid, flowSid, call('CA' + hex('2'), from));
      assert.equal(first.kind, 'twiml');
      const b = nodeOn(t.app.store);
      const second = await b.calls.incoming(t.account.sid, flowSid, call('CA' + hex('3'), from));
      assert.equal(second.kind, 'blocked');
      await t.app.executions.idle();
    } finally {
      await t.close();
    }
  });

  it('a deadlock on a new execution\'s write is run again: message, call and REST create each start their execution', async () => {
    const { t, flowSid, callsA } = await setUp();
    try {
      const started: string[] = [];
      {
        const { store, failed } = deadlockOnFirstInsert(t.app.store);
        const result = await nodeOn(store).executions.inboundMessage(t.account.sid, flowSid, message('SM' + hex('4'), '+15557770004'));
        assert.equal(failed(), 1);
        assert.ok(result.executionSid && !result.duplicate, JSON.stringify(result));
        started.push(result.executionSid);
      }
      {
        const { store, failed } = deadlockOnFirstInsert(t.app.store);
        const result = await nodeOn(store).executions.inboundCall(t.account.sid, flowSid, call('CA' + hex('5'), '+15557770005'));
        assert.equal(failed(), 1);
        assert.ok(result.execution && !result.duplicate && !result.blocked, JSON.stringify(result));
        started.push(result.execution.sid);
      }
      {
        const { store, failed } = deadlockOnFirstInsert(t.app.store);
        const result = await nodeOn(store).executions.create(t.account.sid, flowSid, { to: '+15557770006', from: FLOW_ADDRESS }, 'error');
        assert.equal(failed(), 1);
        assert.equal(result.created, true);
        started.push(result.execution.sid);
      }
      const all = (await t.app.store.listExecutions(t.account.sid, flowSid, {}, { pageSize: 10 })).items.map((e) => e.sid);
      assert.deepEqual(all.sort(), started.sort(), 'one execution each');
      await t.app.executions.idle();
    } finally {
      await t.close();
    }
  });

  it('a deadlock with the node that took the same webhook: the retry finds its receipt and is a duplicate', async () => {
    const { t, flowSid, callsA } = await setUp();
    try {
      const text = message('SM' + hex('7'), '+15557770007');
      let taken: Awaited<ReturnType<ExecutionService['inboundMessage']>> | undefined;
      const forMessage = deadlockOnFirstInsert(t.app.store, async () => (taken = await t.app.executions.inboundMessage(t.account.sid, flowSid, text)));
      const retried = await nodeOn(forMessage.store).executions.inboundMessage(t.account.sid, flowSid, text);
      assert.ok(taken?.executionSid && !taken.duplicate);
      assert.deepEqual(retried, { executionSid: taken.executionSid, duplicate: true }, 'a duplicate, answered with the execution that took it');

      const ring = call('CA' + hex('8'), '+15557770008');
      let answered: Awaited<ReturnType<CallService['incoming']>> | undefined;
      const forCall = deadlockOnFirstInsert(t.app.store, async () => (answered = await callsA.incoming(t.account.sid, flowSid, ring)));
      const turn = await nodeOn(forCall.store).calls.incoming(t.account.sid, flowSid, ring);
      assert.equal(answered?.kind, 'twiml');
      assert.equal(turn.kind, 'twiml', `node B answered ${turn.kind}`);
      assert.equal(turn.kind === 'twiml' && turn.execution.sid, answered.kind === 'twiml' && answered.execution.sid);

      const all = (await t.app.store.listExecutions(t.account.sid, flowSid, {}, { pageSize: 10 })).items;
      assert.equal(all.length, 2, 'one execution for the message, one for the call');
      await t.app.executions.idle();
    } finally {
      await t.close();
    }
  });
});
