// The steps one execution writes are bounded (--max-step-bytes, default 50 MiB), beside its context
// (--max-context-bytes). The reviewer's case: a REST execution looping through a Set Variables of 20
// variables of 16,000 bytes wrote 1,000 steps, 160 MB, in 1.6 s; it now ends with an 84003 error alert
// once its steps would pass the limit.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runtimeRules } from '../../src/app.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { DEFAULT_MAX_STEP_BYTES, type ExecutionState } from '../../src/engine/types.ts';
import { form, startServerWithFlow, type TestServer } from '../support/server.ts';
import { growingStepsFlow } from '../support/growing-steps-flow.ts';

const PARAMETERS = JSON.stringify({ pad: 'x'.repeat(16_000) });

async function runOnce(config: Parameters<typeof startServerWithFlow>[1]) {
  const { server, flowSid, post } = await startServerWithFlow(growingStepsFlow(20), config);
  try {
    const res = await post(`/v2/Flows/${flowSid}/Executions`, form({ To: '+15550300001', From: '+15005550006', Parameters: PARAMETERS }));
    assert.equal(res.statusCode, 201, res.body);
    const sid = (res.json() as { sid: string }).sid;
    const execution = await waitEnded(server, flowSid, sid);
    const steps = (await server.app.store.listSteps(server.account.sid, flowSid, sid, { pageSize: 2000 })).items;
    const stored = steps.reduce((sum, step) => sum + Buffer.byteLength(JSON.stringify(step.context), 'utf8'), 0);
    const alerts = (await server.app.store.listAlerts(server.account.sid, { executionSid: sid }, { pageSize: 50 })).items;
    return { execution, steps, stored, alerts };
  } finally {
    await server.close();
  }
}

async function waitEnded(server: TestServer, flowSid: string, sid: string) {
  for (let i = 0; i < 500; i++) {
    const execution = await server.app.store.getExecution(server.account.sid, flowSid, sid);
    if (execution?.status === 'ended') return execution;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail('the execution did not end');
}

describe('the step size limit in the runtime', () => {
  it("the reviewer's REST execution ends with an 84003 error alert, its stored steps within the default 50 MiB (not 160 MB)", async () => {
    const { execution, steps, stored, alerts } = await runOnce({});
    const state = execution.state as ExecutionState;
    assert.ok(state.endReason?.kind === 'error', JSON.stringify(state.endReason));
    assert.equal(state.endReason.code, 84003);
    assert.match(state.endReason.message, /^Widget 'grow' would take the steps the execution recorded to \d+ bytes, over their limit of 52428800 bytes/);
    assert.ok(stored <= DEFAULT_MAX_STEP_BYTES, `${stored} bytes of steps stored`);
    assert.ok(stored > DEFAULT_MAX_STEP_BYTES - 400_000, `it ran until the limit (${stored})`);
    assert.ok(steps.length < 1000, `${steps.length} steps`);
    assert.equal(state.stepBytes, stored, 'the state counts what the store holds');
    assert.deepEqual(alerts.map((a) => [a.logLevel, a.errorCode]), [['error', 84003]]);
  });

  it('--max-step-bytes sets the limit', async () => {
    const config = loadConfig({ 'max-step-bytes': '1048576' }, {});
    assert.equal(config.maxStepBytes, 1_048_576);
    const { execution, stored, alerts } = await runOnce({ config: { maxStepBytes: config.maxStepBytes } });
    const state = execution.state as ExecutionState;
    assert.ok(state.endReason?.kind === 'error' && state.endReason.code === 84003, JSON.stringify(state.endReason));
    assert.ok(stored <= 1_048_576 && stored > 1_048_576 - 400_000, `${stored} bytes of steps stored`);
    assert.deepEqual(alerts.map((a) => a.errorCode), [84003]);
  });

  it('SWITCHBOARD_MAX_STEP_BYTES and maxStepBytes reach the runtime rules; 50 MiB by default; bad values are refused', () => {
    assert.equal(runtimeRules(loadConfig({}, { SWITCHBOARD_MAX_STEP_BYTES: '2097152' })).limits?.maxStepBytes, 2_097_152);
    assert.equal(runtimeRules(loadConfig({}, {})).limits?.maxStepBytes, 50 * 1024 * 1024);
    assert.throws(() => loadConfig({}, { SWITCHBOARD_MAX_STEP_BYTES: '1000' }), (e: unknown) => e instanceof ConfigError && /SWITCHBOARD_MAX_STEP_BYTES/.test(e.message));
    assert.throws(() => loadConfig({ 'max-step-bytes': 'lots' }, {}), ConfigError);
  });
});

describe('a normal flow under the step size limit', () => {
  let server: TestServer;
  let flowSid = '';
  let post: Awaited<ReturnType<typeof startServerWithFlow>>['post'];
  before(async () => {
    ({ server, flowSid, post } = await startServerWithFlow(growingStepsFlow(1), { config: { maxStepBytes: 65_536 } }));
  });
  after(() => server.close());

  it('runs as before: small steps reach the step cap (81000) under even the smallest limit', async () => {
    const res = await post(`/v2/Flows/${flowSid}/Executions`, form({ To: '+15550300002', From: '+15005550006', Parameters: JSON.stringify({ pad: 'ok' }) }));
    assert.equal(res.statusCode, 201, res.body);
    const execution = await waitEnded(server, flowSid, (res.json() as { sid: string }).sid);
    const state = execution.state as ExecutionState;
    assert.ok(state.endReason?.kind === 'error' && state.endReason.code === 81000, JSON.stringify(state.endReason));
    assert.equal(state.stepCount, 1000);
    assert.ok(state.stepBytes! > 0 && state.stepBytes! <= 65_536, `${state.stepBytes}`);
  });
});
