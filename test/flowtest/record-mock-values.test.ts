// `test --record` writes only values the flow-test schema allows, so a recorded test always loads again:
// a status or result a mock has no value for goes on as the action parameter it came as (Pay's Result, a
// virtual agent's VirtualAgentStatus, a call's AnsweredBy) or becomes the value that takes the same event,
// with a note (a Dial's DialCallStatus answered, an unknown QueueResult); an HTTP status is any a server
// may answer with (100-999). Each test records a run, then runs the recorded file.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { FlowDefinition } from '../../src/definition/types.ts';
import { deriveInputs } from '../../src/flowtest/derive.ts';
import { parseTestFile } from '../../src/flowtest/load.ts';
import { testFileYaml, testFromRecording } from '../../src/flowtest/record.ts';
import { textReport } from '../../src/flowtest/reporters.ts';
import { play } from '../../src/flowtest/run-test.ts';
import { runFiles } from '../../src/flowtest/runner.ts';
import type { TestCase } from '../../src/flowtest/types.ts';
import { testCommand } from '../../src/cli/test.ts';
import { runCliInProcess } from '../support/cli-in-process.ts';
import { startTestServer, textThroughSimulator, type TestServer } from '../support/server.ts';

const at = (y: number) => ({ offset: { x: 0, y } });
const keep = (names: string[]) => names.map((n) => ({ key: n, value: `{{widgets.${n}.${{ http: 'status_code', pay: 'Result', agent: 'VirtualAgentStatus', call: 'AnsweredBy' }[n]}}}` }));
const FLOW: FlowDefinition = {
  description: 'values no mock enumerates',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage' }, { event: 'incomingCall', next: 'http' }, { event: 'incomingRequest', next: 'call' }], properties: at(0) },
    { name: 'http', type: 'make-http-request', transitions: [{ event: 'success', next: 'dial' }, { event: 'failed', next: 'dial' }], properties: { ...at(100), method: ' post ', content_type: 'application/json;charset=utf-8', url: 'https://api.example.com/odd' } },
    { name: 'dial', type: 'connect-call-to', transitions: [{ event: 'callCompleted', next: 'queue' }, { event: 'hangup' }], properties: { ...at(200), noun: 'number', to: '+15550001111', caller_id: '{{contact.channel.address}}', timeout: 30 } },
    { name: 'queue', type: 'enqueue-call', transitions: [{ event: 'callComplete', next: 'pay' }, { event: 'failedToEnqueue' }, { event: 'callFailure' }], properties: { ...at(300), queue_name: 'support' } },
    {
      name: 'pay',
      type: 'capture-payments',
      transitions: [{ event: 'success' }, { event: 'maxFailedAttempts' }, { event: 'providerError', next: 'agent' }, { event: 'payInterrupted' }, { event: 'hangup' }, { event: 'validationError' }],
      properties: { ...at(400), payment_connector: 'stripe', payment_amount: '10.00', currency: 'usd' },
    },
    {
      name: 'agent',
      type: 'connect-virtual-agent-v2',
      transitions: [{ event: 'completed', next: 'keep' }, { event: 'live-agent-handoff', next: 'keep' }, { event: 'hangup' }, { event: 'failed', next: 'keep' }, { event: 'paused' }, { event: 'timeout' }],
      properties: { ...at(500), connector_name: 'dialogflow' },
    },
    { name: 'keep', type: 'set-variables', transitions: [{ event: 'next' }], properties: { ...at(600), variables: keep(['http', 'pay', 'agent']) } },
    {
      name: 'call',
      type: 'make-outgoing-call-v2',
      transitions: [{ event: 'answered', next: 'answered' }, { event: 'busy' }, { event: 'noAnswer' }, { event: 'failed' }],
      properties: { ...at(100), from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', timeout: 30, detect_answering_machine: true, machine_detection: 'Enable' },
    },
    { name: 'answered', type: 'set-variables', transitions: [{ event: 'next' }], properties: { ...at(200), variables: keep(['call']) } },
  ],
};

/** Records a run of FLOW, writes the test file, checks it loads, and runs it. */
function recordAndRun(test: TestCase) {
  const flow = { path: 'odd.json', definition: FLOW, warnings: [] };
  const { sim } = play({ file: 'x', flow, test, subflows: new Map() });
  const notes: string[] = [];
  const file = testFromRecording(
    { executionSid: 'FN' + 'c'.repeat(32), status: sim.active ? 'active' : 'ended', context: sim.observation().context, steps: sim.recordedSteps, definition: FLOW },
    { flowPath: 'odd.json', notes },
  );
  const yaml = testFileYaml(file, ['recorded']);
  const dir = mkdtempSync(join(tmpdir(), 'sb-record-values-'));
  try {
    const parsed = parseTestFile(join(dir, 'odd.test.yaml'), yaml);
    assert.deepEqual([...parsed.invalid.values()], []);
    writeFileSync(join(dir, 'odd.json'), JSON.stringify(FLOW));
    writeFileSync(join(dir, 'odd.test.yaml'), yaml);
    const summary = runFiles([join(dir, 'odd.test.yaml')]);
    assert.equal(summary.failed, 0, textReport(summary));
    assert.equal(summary.passed, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { test: parse(yaml).tests[0], notes, variables: (sim.observation().context.flow as { variables: object }).variables };
}

describe('test --record: values the schema does not list', () => {
  it('call verbs: Pay and virtual-agent values go on as parameters; a Dial answered and an unknown QueueResult take the same event, with a note', () => {
    const { test, notes, variables } = recordAndRun({
      name: 'odd',
      trigger: { call: {} },
      mocks: {
        http: [{ url: 'https://api.example.com/odd', status: 999, body: 'odd' }],
        // As a carrier may report them: values the mocks do not enumerate (a replay sends what it recorded).
        dial: [{ status: 'answered' as never }],
        enqueue: [{ result: 'abandoned' as never }],
        pay: [{ params: { Result: 'internal-error' } }],
        virtualAgent: [{ params: { VirtualAgentStatus: 'escalated' } }],
      },
    });
    assert.deepEqual(variables, { http: 999, pay: 'internal-error', agent: 'escalated' });
    assert.deepEqual(test.expect.variables, variables);
    assert.deepEqual(test.expect.path, ['Trigger', 'http', 'dial', 'queue', 'pay', 'agent', 'keep']);
    // The method as the engine sent it (trimmed, upper case), the status as the server answered.
    assert.deepEqual(test.mocks.http, [{ method: 'POST', url: 'https://api.example.com/odd', status: 999, body: 'odd', contentType: 'text/plain' }]);
    assert.deepEqual(test.mocks.dial, [{ widget: 'dial', status: 'completed', duration: 0 }]);
    assert.equal(test.mocks.enqueue[0].result, undefined);
    assert.equal(test.mocks.pay[0].result, undefined);
    assert.equal(test.mocks.pay[0].params.Result, 'internal-error');
    assert.equal(test.mocks.virtualAgent[0].status, undefined);
    assert.equal(test.mocks.virtualAgent[0].params.VirtualAgentStatus, 'escalated');
    assert.deepEqual(notes, [
      "dial: DialCallStatus 'answered' is not a status a dial mock takes: written as completed (the same event; widgets.<name>.DialCallStatus reads completed)",
      "queue: QueueResult 'abandoned' is not a result an enqueue mock takes: left out, so the test's caller is bridged (the same event, callComplete)",
    ]);
  });

  it("a placed call's AnsweredBy that the schema does not list goes on as a parameter", () => {
    const { test, variables } = recordAndRun({ name: 'machine', trigger: { request: {} }, mocks: { calls: [{ answer: 'machine', answeredBy: 'machine_end_other_tone' as never }] } });
    assert.deepEqual(variables, { call: 'machine_end_other_tone' });
    assert.equal(test.mocks.calls[0].answeredBy, undefined);
    assert.deepEqual(test.mocks.calls[0].params, { AnsweredBy: 'machine_end_other_tone' });
  });
});

describe('test --record against a server: an HTTP status past 599', () => {
  let server: TestServer;
  let web: Server;
  const dirs: string[] = [];
  before(async () => {
    web = createServer((_request, response) => {
      response.writeHead(999, { 'content-type': 'text/plain' });
      response.end('odd');
    });
    await new Promise<void>((done) => web.listen(0, '127.0.0.1', done));
    server = await startTestServer({ listen: true, config: { httpAllow: ['127.0.0.1'] } });
  });
  after(async () => {
    await server.close();
    await new Promise((done) => web.close(done));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('records the status the server answered with, and the recorded test passes', async () => {
    const url = `http://127.0.0.1:${(web.address() as AddressInfo).port}/odd`;
    const definition: FlowDefinition = {
      ...FLOW,
      states: [
        { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: 'http' }, { event: 'incomingCall' }, { event: 'incomingRequest' }], properties: at(0) },
        { name: 'http', type: 'make-http-request', transitions: [{ event: 'success', next: 'keep' }, { event: 'failed', next: 'keep' }], properties: { ...at(100), method: 'GET', content_type: 'application/json;charset=utf-8', url } },
        { name: 'keep', type: 'set-variables', transitions: [{ event: 'next' }], properties: { ...at(200), variables: keep(['http']) } },
      ],
    };
    const flowSid = (await server.app.flows.create(server.account.sid, { friendlyName: 'Odd status', status: 'published', definition })).sid;
    await textThroughSimulator(server, flowSid, '+15550001111', 'hi');
    const dir = mkdtempSync(join(tmpdir(), 'sb-record-status-'));
    dirs.push(dir);
    const creds = ['--base-url', server.baseUrl, '--account-sid', server.account.sid, '--auth-token', server.account.authToken];
    const record = await runCliInProcess(testCommand, ['--record', '--flow', flowSid, '--contact', '+15550001111', '--out', 'tests/odd.test.yaml', ...creds], dir);
    assert.equal(record.code, 0, record.stdout + record.stderr);
    const test = parse(readFileSync(join(dir, 'tests/odd.test.yaml'), 'utf8')).tests[0];
    assert.equal(test.mocks.http[0].status, 999);
    assert.deepEqual(test.expect.variables, { http: 999 });
    // The server allows 127.0.0.1 (--http-allow), so the test runs under the same policy.
    const run = await runCliInProcess(testCommand, ['tests', '--http-allow', '127.0.0.1'], dir);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /1 tests?: 1 passed, 0 failed/);
  });
});

describe('a send failure whose ErrorCode is text', () => {
  it('becomes a whole-number code in the message mock (its number, else the default), never NaN', () => {
    const failed = (code: string | number) => ({ from: 'send', event: 'failed', to: 'Ended', type: 'send-message', context: { outbound: { ErrorCode: code } } });
    const { messages } = deriveInputs({ message: { Body: 'hi' } }, [failed('30007'), failed('not a code'), failed(30005)]);
    assert.deepEqual(messages.map((m) => m.fail), [30007, 30008, 30005]);
  });
});
