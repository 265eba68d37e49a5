// contextOf: the API's execution context, derived from the stored engine state.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { contextOf } from '../../src/runtime/execution-context.ts';
import type { ExecutionRecord } from '../../src/runtime/ports/store.ts';

function record(state: unknown): ExecutionRecord {
  return {
    sid: 'FN' + '1'.repeat(32),
    accountSid: 'AC' + '1'.repeat(32),
    flowSid: 'FW' + '1'.repeat(32),
    flowVersion: 1,
    contactSid: 'FC' + '1'.repeat(32),
    contactChannelAddress: '+15550001111',
    channelAddress: '+15005550006',
    status: 'active',
    initiatedBy: 'API',
    state,
    dateCreated: 0,
    dateUpdated: null,
  };
}

describe('contextOf', () => {
  it("shows the main flow's data, variables, trigger and widgets, and the contact", () => {
    const frame = (flowSid: string, widgets: object) => ({ flowSid, revision: 1, current: 'ask', wait: null, trigger: { message: { Body: 'hi' } }, variables: { n: 1 }, data: { name: 'Ada' }, widgets });
    const state = {
      executionSid: 'FN' + '1'.repeat(32),
      accountSid: 'AC' + '1'.repeat(32),
      flowSid: 'FW' + '1'.repeat(32),
      channelAddress: '+15005550006',
      contactAddress: '+15550001111',
      status: 'active',
      // A subflow's frame (the second) is not the execution's context.
      frames: [frame('FW' + '1'.repeat(32), { ask: { Body: 'yes' } }), frame('FW' + '2'.repeat(32), { inner: {} })],
      stepCount: 2,
      lastWidget: null,
      lastStepSid: null,
      endReason: null,
    };
    assert.deepEqual(contextOf(record(state)), {
      flow: { flow_sid: 'FW' + '1'.repeat(32), sid: 'FN' + '1'.repeat(32), channel: { address: '+15005550006' }, data: { name: 'Ada' }, variables: { n: 1 } },
      trigger: { message: { Body: 'hi' } },
      widgets: { ask: { Body: 'yes' } },
      contact: { channel: { address: '+15550001111' } },
    });
  });

  it('shows an empty context for a state that is not an engine state', () => {
    for (const state of [null, {}, { frames: [] }, { frames: 'x' }, 42]) assert.deepEqual(contextOf(record(state)), {}, JSON.stringify(state));
  });
});
