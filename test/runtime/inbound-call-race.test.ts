// Two nodes (two ExecutionServices on one store) taking the same caller's first call at the same
// moment: the loser must look again, as REST creates and inbound messages do, not fail the webhook.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestServer } from '../support/server.ts';
import { DEFAULT_RUNTIME_OPTIONS, ExecutionService } from '../../src/runtime/executions.ts';
import type { MessageChannel, OutboundHttp } from '../../src/runtime/ports/channel.ts';

const base = JSON.parse(readFileSync(new URL('../fixtures/flows/ask-and-wait.json', import.meta.url), 'utf8'));

function callFlow(allowConcurrentCalls: boolean) {
  const definition = structuredClone(base);
  definition.states[0].transitions[1].next = 'ask'; // incomingCall waits, so the first execution stays active
  definition.flags = { allow_concurrent_calls: allowConcurrentCalls };
  return definition;
}

describe('inbound calls racing on two nodes', () => {
  for (const allow of [false, true]) {
    it(`allow_concurrent_calls ${allow}: both webhooks are answered (${allow ? 'two executions' : 'one started, one blocked'})`, async () => {
      const t = await startTestServer();
      // A second node on the same store: never started, so it carries no effects out itself.
      const other = new ExecutionService(t.app.store, { name: 'none' } as MessageChannel, {} as OutboundHttp, { ...DEFAULT_RUNTIME_OPTIONS, now: Date.now });
      try {
        const flow = await t.app.flows.create(t.account.sid, { friendlyName: 'calls', status: 'published', definition: callFlow(allow) });
        const call = (sid: string) => ({ CallSid: sid, From: '+15558880001', To: '+15550000001', CallStatus: 'ringing' });
        const results = await Promise.allSettled([
          t.app.executions.inboundCall(t.account.sid, flow.sid, call('CA' + 'a'.repeat(32))),
          other.inboundCall(t.account.sid, flow.sid, call('CA' + 'b'.repeat(32))),
        ]);
        const failures = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
        assert.deepEqual(failures, []);
        const answers = results.map((r) => (r as PromiseFulfilledResult<Awaited<ReturnType<ExecutionService['inboundCall']>>>).value);
        const started = answers.filter((a) => a.execution !== null);
        if (allow) assert.equal(started.length, 2);
        else {
          assert.equal(started.length, 1);
          assert.equal(answers.filter((a) => a.blocked?.sid === started[0]!.execution!.sid).length, 1);
        }
        await t.app.executions.idle();
      } finally {
        await t.close();
      }
    });
  }
});
