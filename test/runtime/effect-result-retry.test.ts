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

const flowDefinition = {
  description: 'one HTTP call',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage' }, { event: 'incomingCall' }, { event: 'incomingConversationMessage' }, { event: 'incomingRequest', next: 'call' }, { event: 'incomingParent' }], properties: { offset: { x: 0, y: 0 } } },
    { name: 'call', type: 'make-http-request', transitions: [{ event: 'success' }, { event: 'failed' }], properties: { offset: { x: 0, y: 200 }, method: 'POST', url: 'https://orders.example.com/v1/orders', content_type: 'application/json', body: '{}' } },
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
});
