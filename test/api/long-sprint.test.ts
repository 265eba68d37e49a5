// A REST execution whose flow runs tens of thousands of widgets without waiting, with --max-steps raised:
// it is created (201) and runs to its step limit, ending with 81000, instead of the engine overflowing the
// JS stack and the create answering 500 (test/engine/long-sprints.test.ts covers the engine itself).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { FORM, form, startTestServer, type TestServer } from '../support/server.ts';
import { triggerFlow } from '../support/flows.ts';

const FLOW_ADDRESS = '+15550000001';
const setVariables = (name: string, value: string, next: string) => ({
  name,
  type: 'set-variables',
  transitions: [{ event: 'next', next }],
  properties: { offset: { x: 0, y: 100 }, variables: [{ key: 'n', value }] },
});
const loop = triggerFlow('loop', 'incomingRequest', 'a', [setVariables('a', '{{flow.variables.n | plus: 1}}', 'b'), setVariables('b', '{{flow.variables.n}}', 'a')]);

describe('REST: an execution of many steps in one go', () => {
  let t: TestServer;
  let flowSid: string;
  before(async () => {
    t = await startTestServer({ config: { maxSteps: 30_000 } });
    flowSid = (await t.app.flows.create(t.account.sid, { friendlyName: 'loop', status: 'published', definition: loop })).sid;
  });
  after(() => t.close());

  it('is created (201) and ends with 81000 at the configured step limit', async () => {
    const inject = (method: 'GET' | 'POST', url: string, fields?: Record<string, string>) =>
      t.app.server.inject({ method, url, headers: { authorization: t.auth, ...(fields ? FORM : {}) }, ...(fields ? { payload: form(fields) } : {}) });
    const res = await inject('POST', `/v2/Flows/${flowSid}/Executions`, { To: '+15558880001', From: FLOW_ADDRESS });
    assert.equal(res.statusCode, 201, res.body);
    const sid = res.json().sid;
    await t.app.executions.idle();
    const reason = (await inject('GET', `/console/api/Flows/${flowSid}/Executions/${sid}/EndReason`)).json();
    assert.deepEqual(reason, { sid, status: 'ended', end_reason: { kind: 'error', code: 81000, message: 'Execution has exceeded max steps (30000)' } });
    const context = (await inject('GET', `/v2/Flows/${flowSid}/Executions/${sid}/Context`)).json();
    assert.equal(context.context.flow.variables.n, 15_000, 'a ran once for every two of the 30,000 steps');
  });
});
