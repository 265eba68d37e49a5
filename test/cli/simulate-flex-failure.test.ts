// `simulate` and `call` print why a widget left by a failure transition. Send to Flex fails by
// `failedToEnqueue` (and `callFailure` on calls), which the engine's generic failure events do not
// include: `SendMessageToAgent —failedToEnqueue→ Ended` came with no reason although the step held one.
import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFlowTarget, printNewSteps } from '../../src/cli/flow-file.ts';
import { FAILURE_STEP_NAMES } from '../../src/flowtest/failure-reason.ts';
import { WIDGET_SPECS } from '../../src/definition/widget-specs.ts';

const flow = {
  description: 'flex failure',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: 'SendMessageToAgent' }, { event: 'incomingCall' }, { event: 'incomingRequest' }], properties: { offset: { x: 0, y: 0 } } },
    {
      name: 'SendMessageToAgent',
      type: 'send-to-flex',
      transitions: [{ event: 'callComplete' }, { event: 'failedToEnqueue' }, { event: 'callFailure' }],
      properties: { offset: { x: 0, y: 200 }, workflow: 'not-a-workflow', channel: 'TC' + '0'.repeat(32), attributes: '{}' },
    },
  ],
};

describe('simulate: the reason under a Send to Flex failure', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-flex-failure-'));
    writeFileSync(join(dir, 'flex.json'), JSON.stringify(flow));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('failedToEnqueue is followed by the ✗ line with the error', async () => {
    const opened = await openFlowTarget(join(dir, 'flex.json'), { 'data-dir': join(dir, 'data') });
    assert.ok(opened);
    const { app, account, flowSid } = opened;
    const lines: string[] = [];
    const saved = console.log;
    try {
      const params = app.simulator.inbound(account.sid, flowSid, '+15550001111', '+15005550006', 'agent please');
      const { executionSid } = await app.executions.inboundMessage(account.sid, flowSid, params);
      await app.executions.idle();
      console.log = (...parts: unknown[]) => void lines.push(parts.map(String).join(' '));
      await printNewSteps(app, account.sid, flowSid, executionSid!, new Set());
    } finally {
      console.log = saved;
      await app.close();
    }
    const text = lines.join('\n');
    assert.match(text, /SendMessageToAgent —failedToEnqueue→ Ended\n\s+✗ .*not-a-workflow.*\(error 20001\)/);
  });

  it('every failure-like event a widget spec names is one', () => {
    const failureLike = /fail|error/i;
    const names = new Set(Object.values(WIDGET_SPECS).flatMap((spec) => spec.events.filter((e) => failureLike.test(e))));
    // Caller outcomes of Capture Payments, not errors the step explains.
    for (const outcome of ['maxFailedAttempts', 'validationError']) names.delete(outcome);
    for (const name of names) assert.ok(FAILURE_STEP_NAMES.has(name), `${name} is missing from FAILURE_STEP_NAMES`);
  });
});
