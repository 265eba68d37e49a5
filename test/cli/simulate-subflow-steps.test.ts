// `simulate` and `call` print each step as it happens. A subflow's steps were printed as the flow's own:
// `route —match→ sub`, then `Trigger —incomingParent→ hi` and `hi —sent→ Ended`, as if the flow had
// started again and ended, before `sub —completed→ bye`. They are now one level in and marked
// "(subflow)", as `executions steps` marks them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { printNewSteps } from '../../src/cli/flow-file.ts';
import { FORM, form, startTestServer, type TestServer } from '../support/server.ts';

const at = (y: number) => ({ offset: { x: 0, y } });
const send = (name: string, body: string, next?: string) => ({
  name,
  type: 'send-message',
  properties: { ...at(100), from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body },
  transitions: [{ event: 'sent', ...(next ? { next } : {}) }, { event: 'failed' }],
});

describe('simulate: a subflow’s steps', () => {
  let t: TestServer;
  let flowSid = '';
  let executionSid = '';
  before(async () => {
    t = await startTestServer();
    const subSid = (
      await t.app.flows.create(t.account.sid, {
        friendlyName: 'Sub',
        status: 'published',
        definition: { description: 'sub', initial_state: 'Trigger', flags: { allow_concurrent_calls: true }, states: [{ name: 'Trigger', type: 'trigger', properties: at(0), transitions: [{ event: 'incomingParent', next: 'hi' }] }, send('hi', 'from the subflow')] } as never,
      })
    ).sid;
    flowSid = (
      await t.app.flows.create(t.account.sid, {
        friendlyName: 'Parent',
        status: 'published',
        definition: {
          description: 'parent',
          initial_state: 'Trigger',
          flags: { allow_concurrent_calls: true },
          states: [
            { name: 'Trigger', type: 'trigger', properties: at(0), transitions: [{ event: 'incomingRequest', next: 'sub' }] },
            { name: 'sub', type: 'run-subflow', properties: { ...at(100), flow_sid: subSid, flow_revision: 'LatestPublished', parameters: [] }, transitions: [{ event: 'completed', next: 'bye' }, { event: 'failed' }] },
            send('bye', 'bye'),
          ],
        } as never,
      })
    ).sid;
    const created = await t.app.server.inject({ method: 'POST', url: `/v2/Flows/${flowSid}/Executions`, headers: { authorization: t.auth, ...FORM }, payload: form({ To: '+15551230001', From: '+15005550006' }) });
    assert.equal(created.statusCode, 201, created.body);
    executionSid = created.json().sid;
    await t.app.executions.idle();
  });
  after(() => t.close());

  it('are printed one level in, marked (subflow)', async () => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (...parts: unknown[]) => void lines.push(parts.map(String).join(' '));
    try {
      await printNewSteps(t.app, t.account.sid, flowSid, executionSid, new Set());
    } finally {
      console.log = log;
    }
    assert.deepEqual(lines, [
      '    · Trigger —incomingRequest→ sub',
      '      · Trigger —incomingParent→ hi  (subflow)',
      '      · hi —sent→ Ended  (subflow)',
      '    · sub —completed→ bye',
      '    · bye —sent→ Ended',
    ]);
  });
});
