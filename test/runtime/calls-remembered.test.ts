// A node remembers which execution each call drives, bounded: past the bound, a call still in
// progress (heard of on every callback) stays remembered while the older ones go.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CALLS_REMEMBERED, CallService } from '../../src/runtime/calls.ts';
import { signCallback } from '../../src/runtime/call-tokens.ts';
import type { ExecutionService } from '../../src/runtime/executions.ts';
import type { ExecutionRecord, Store } from '../../src/runtime/ports/store.ts';

const ACCOUNT = 'AC' + '0'.repeat(32);
const FLOW = 'FW' + '0'.repeat(32);
const SECRET = 'callback-secret';
const execution = (n: number) => 'FN' + n.toString(16).padStart(32, '0');

describe('calls remembered by a node', () => {
  it('keeps a live call past the bound while more calls than it come and go', async () => {
    const store = {
      getAccount: async () => ({ sid: ACCOUNT, authToken: 'x'.repeat(32), callbackSecret: SECRET }),
      getExecutionBySid: async (sid: string) => ({ sid, accountSid: ACCOUNT, flowSid: FLOW, status: 'active', state: {} }) as unknown as ExecutionRecord,
    } as unknown as Store;
    const calls = new CallService(store, {} as ExecutionService, { serverSecret: 'server' });
    // A status callback that is not final: the call is remembered, nothing is delivered.
    const statusOf = (n: number, callSid: string) =>
      calls.callback(ACCOUNT, FLOW, signCallback({ executionSid: execution(n), callbackId: 'st', kind: 's' }, SECRET, 'server'), { CallSid: callSid, CallStatus: 'in-progress' });
    await statusOf(0, 'CAhot');
    for (let n = 1; n <= CALLS_REMEMBERED * 2; n++) {
      await statusOf(n, `CA${n}`);
      if (n % 97 === 0) {
        assert.equal(calls.executionOf('CAhot'), execution(0), `after ${n} other calls`);
        await statusOf(0, 'CAhot');
      }
    }
    assert.equal(calls.executionOf('CA1'), null, 'the oldest went');
    assert.equal(calls.executionOf(`CA${CALLS_REMEMBERED * 2}`), execution(CALLS_REMEMBERED * 2));
  });
});
