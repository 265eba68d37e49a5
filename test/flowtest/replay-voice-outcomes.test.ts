// Calls through the simulator phone whose voice widgets ended every way they can — a payment, a virtual
// agent and a ConversationRelay session (Capture Payments, Connect Virtual Agent, Run ConversationRelay),
// an outbound call answered by a
// machine, busy, unanswered or refused, a voicemail that heard nothing, a caller who hung up in a
// queue or on a widget with no action — replay against the revision they ran with no divergence (the
// recorded outcomes are answered back: Pay and Connect action parameters, the outgoing call's answer,
// status or API error, Record's fall-through, a hang-up with no action), and `test --record` writes
// them as mocks (pay, virtualAgent, conversationRelay, calls, record, enqueue, dial) so the recorded test
// passes at once.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runCliInProcess } from '../support/cli-in-process.ts';
import { testCommand } from '../../src/cli/test.ts';
import { runFiles } from '../../src/flowtest/runner.ts';
import { textReport } from '../../src/flowtest/reporters.ts';
import type { TestFile } from '../../src/flowtest/types.ts';
import { triggerFlow } from '../support/flows.ts';
import { startTestServer, FORM, form, type TestServer } from '../support/server.ts';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8'));
const voicemail = (name: string, y: number, next?: string) => ({
  name,
  type: 'record-voicemail',
  transitions: [{ event: 'recordingComplete', ...(next ? { next } : {}) }, { event: 'noAudio', ...(next ? { next } : {}) }, { event: 'hangup' }],
  properties: { offset: { x: 0, y }, timeout: 5, max_length: 60 },
});
/** Two voicemails in a row: the first hears nothing, the caller hangs up on the second. */
const voicemailFlow = triggerFlow('voicemail', 'incomingCall', 'first', [voicemail('first', 100, 'second'), voicemail('second', 200)]);
/** A voicemail that thanks the caller: a message left before the hang-up ends the call at the thanks. */
const voicemailThanksFlow = triggerFlow('voicemail thanks', 'incomingCall', 'vm', [
  voicemail('vm', 100, 'thanks'),
  { name: 'thanks', type: 'say-play', transitions: [{ event: 'audioComplete' }], properties: { offset: { x: 0, y: 200 }, say: 'Thanks.' } },
]);
/** A ConversationRelay session, then what the app handed off. */
const relayFlow = triggerFlow('relay', 'incomingCall', 'relay', [
  { name: 'relay', type: 'run-conversation-relay', transitions: [{ event: 'success', next: 'bye' }, { event: 'failed', next: 'bye' }], properties: { offset: { x: 0, y: 100 }, url: 'wss://relay.example/ws' } },
  { name: 'bye', type: 'say-play', transitions: [{ event: 'audioComplete' }], properties: { offset: { x: 0, y: 200 }, say: 'Session {{widgets.relay.SessionId}} {{widgets.relay.SessionStatus}}: {{widgets.relay.HandoffData.reason}}.' } },
]);
/** A REST-started call with machine detection, asking for a key once answered. */
const outboundFlow = triggerFlow('outbound', 'incomingRequest', 'call', [
  {
    name: 'call',
    type: 'make-outgoing-call-v2',
    transitions: [{ event: 'answered', next: 'ask' }, { event: 'busy' }, { event: 'noAnswer' }, { event: 'failed' }],
    properties: { offset: { x: 0, y: 100 }, to: '{{contact.channel.address}}', from: '{{flow.channel.address}}', timeout: 60, detect_answering_machine: true },
  },
  { name: 'ask', type: 'gather-input-on-call', transitions: [{ event: 'keypress' }, { event: 'speech' }, { event: 'timeout' }], properties: { offset: { x: 0, y: 200 }, say: 'Press 1.', timeout: 5 } },
]);

describe('voice outcomes: replayed against their own revision, and recorded as tests', () => {
  let s: TestServer;
  const clock = { ms: Date.UTC(2030, 0, 7, 9, 0, 0) };
  const flows: Record<string, string> = {};
  let dir = '';
  let creds: string[] = [];
  before(async () => {
    s = await startTestServer({ listen: true, now: () => clock.ms });
    creds = ['--base-url', s.baseUrl, '--account-sid', s.account.sid, '--auth-token', s.account.authToken];
    dir = mkdtempSync(join(tmpdir(), 'sb-voice-outcomes-'));
    const definitions = { payAgent: fixture('pay-agent.json'), voicemail: voicemailFlow, voicemailThanks: voicemailThanksFlow, outbound: outboundFlow, callOutcomes: fixture('call-outcomes.json'), relay: relayFlow };
    for (const [name, definition] of Object.entries(definitions)) {
      flows[name] = (await s.app.flows.create(s.account.sid, { friendlyName: name, status: 'published', definition })).sid;
    }
  });
  after(async () => {
    await s?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (url: string, fields: Record<string, string>) => s.app.server.inject({ method: 'POST', url, headers: { authorization: s.auth, ...FORM }, payload: form(fields) });
  /** Lets the engine's grace for an action after a hang-up (5 s) run out, on the server's clock. */
  const graceOver = async () => {
    await s.app.executions.idle();
    clock.ms += 6000;
    await s.app.executions.fireDueTimers();
    await s.app.executions.idle();
  };
  const act = async (callSid: string, actions: [string, Record<string, string>][]) => {
    for (const [action, fields] of actions) {
      const r = await post(`/simulator/calls/${callSid}/${action}`, fields);
      assert.equal(r.statusCode, 200, r.body);
    }
    await graceOver();
  };
  const phoneCall = async (flow: string, actions: [string, Record<string, string>][]) => {
    const r = await post('/simulator/calls', { FlowSid: flows[flow]!, From: '+15551112222' });
    assert.equal(r.statusCode, 201, r.body);
    await act(r.json().sid, actions);
    return r.json().execution_sid as string;
  };
  /** A REST execution whose outbound call the callee answers or rejects. */
  const outboundCall = async (to: string, actions: [string, Record<string, string>][]) => {
    const r = await post(`/v2/Flows/${flows.outbound}/Executions`, { To: to, From: '+15005550006' });
    assert.equal(r.statusCode, 201, r.body);
    const executionSid = r.json().sid as string;
    await s.app.executions.idle();
    if (actions.length) {
      const list = await s.app.server.inject({ method: 'GET', url: `/simulator/calls?FlowSid=${flows.outbound}`, headers: { authorization: s.auth } });
      const call = (list.json().calls as { sid: string; execution_sid: string }[]).find((c) => c.execution_sid === executionSid);
      assert.ok(call, list.body);
      await act(call.sid, actions);
    }
    return executionSid;
  };
  const replay = async (flow: string, executionSid: string) => {
    const r = await s.app.server.inject({ method: 'GET', url: `/replay/Flows/${flows[flow]}/Executions/${executionSid}`, headers: { authorization: s.auth } });
    assert.equal(r.statusCode, 200, r.body);
    return r.json();
  };
  /** `test --record` of the execution, then the recorded test run as it was written. */
  const record = async (flow: string, executionSid: string) => {
    const out = join(dir, `${executionSid}.test.yaml`);
    const run = await runCliInProcess(testCommand, ['--record', '--flow', flows[flow]!, '--execution', executionSid, '--out', out, '--flow-file', join(dir, `${flow}.json`), ...creds], dir);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const summary = runFiles([out]);
    assert.equal(summary.failed, 0, `${textReport(summary)}\n${readFileSync(out, 'utf8')}`);
    return (parse(readFileSync(out, 'utf8')) as TestFile).tests[0]!;
  };
  /** The replay takes the recorded path with the recorded outputs, and the recorded test passes. */
  const same = async (flow: string, executionSid: string, path: string[]) => {
    const body = await replay(flow, executionSid);
    assert.deepEqual(body.original.path, path);
    assert.deepEqual(body.output_differences, [], JSON.stringify(body.output_differences, null, 1));
    assert.equal(body.diverged, false, JSON.stringify(body, null, 1));
    assert.deepEqual(body.notes, []);
    return record(flow, executionSid);
  };

  it('Capture Payments and Connect Virtual Agent: each Result and status, with the action parameters', async () => {
    const paid = ['Payment', { Result: 'success', PaymentConfirmationCode: 'ch_1', PaymentCardNumber: 'xxxxxxxxxxxx1111' }] as [string, Record<string, string>];
    const handoff = await phoneCall('payAgent', [paid, ['VirtualAgent', { VirtualAgentStatus: 'live-agent-handoff', VirtualAgentProviderData: '{"AgentHandoffParameters":{"queue":"billing"}}' }]]);
    const test = await same('payAgent', handoff, ['Trigger', 'pay', 'agent']);
    assert.deepEqual(test.mocks?.pay, [{ widget: 'pay', result: 'success', params: { PaymentConfirmationCode: 'ch_1', PaymentCardNumber: 'xxxxxxxxxxxx1111' } }]);
    assert.deepEqual(test.mocks?.virtualAgent, [
      { widget: 'agent', status: 'live-agent-handoff', params: { VirtualAgentProvider: 'DialogflowCX', VirtualAgentProviderData: '{"AgentHandoffParameters":{"queue":"billing"}}' } },
    ]);

    await same('payAgent', await phoneCall('payAgent', [paid, ['VirtualAgent', { VirtualAgentStatus: 'completed' }]]), ['Trigger', 'pay', 'agent']);
    await same('payAgent', await phoneCall('payAgent', [paid, ['VirtualAgent', { VirtualAgentStatus: 'failed', VirtualAgentErrorCode: '32601', VirtualAgentError: 'no agent' }]]), ['Trigger', 'pay', 'agent']);
    await same('payAgent', await phoneCall('payAgent', [['Payment', { Result: 'too-many-failed-attempts' }]]), ['Trigger', 'pay']);
  });

  it('a caller who hangs up on a payment or a virtual agent: the action comes with the call over', async () => {
    const onPay = await phoneCall('payAgent', [['Hangup', {}]]);
    const pay = await same('payAgent', onPay, ['Trigger', 'pay']);
    assert.deepEqual(pay.mocks?.pay, [{ widget: 'pay', result: 'caller-hung-up' }]);
    const onAgent = await phoneCall('payAgent', [['Payment', { Result: 'success' }], ['Hangup', {}]]);
    const agent = await same('payAgent', onAgent, ['Trigger', 'pay', 'agent']);
    assert.deepEqual(agent.mocks?.virtualAgent, [{ widget: 'agent', status: 'hangup', params: { VirtualAgentProvider: 'DialogflowCX' } }]);
    assert.equal(agent.script, undefined, 'the hang-up is the mock, not a script step');
  });

  it('Run ConversationRelay: the session the phone ended, or the caller ended by hanging up, as conversationRelay mocks', async () => {
    const ended = await phoneCall('relay', [['ConversationRelay', { SessionStatus: 'ended', HandoffData: '{"reason":"billing"}' }]]);
    const test = await same('relay', ended, ['Trigger', 'relay', 'bye']);
    const [mock] = test.mocks?.conversationRelay ?? [];
    assert.match(String(mock?.params?.SessionId), /^VX[0-9a-f]{32}$/);
    assert.deepEqual(mock, { widget: 'relay', status: 'ended', handoffData: { reason: 'billing' }, duration: 0, params: { SessionId: mock?.params?.SessionId } });
    await same('relay', await phoneCall('relay', [['ConversationRelay', { SessionStatus: 'failed', ErrorCode: '64107' }]]), ['Trigger', 'relay', 'bye']);

    const hungUp = await same('relay', await phoneCall('relay', [['Hangup', {}]]), ['Trigger', 'relay', 'bye']);
    assert.deepEqual({ ...hungUp.mocks?.conversationRelay?.[0], params: undefined }, { widget: 'relay', status: 'completed', duration: 0, callerHangsUp: true, params: undefined });
    assert.equal(hungUp.script, undefined, 'the hang-up is the mock, not a script step');
  });

  it('Record Voicemail that heard nothing, then a hang-up without a message', async () => {
    const executionSid = await phoneCall('voicemail', [['Silence', {}], ['Hangup', {}]]);
    const test = await same('voicemail', executionSid, ['Trigger', 'first', 'second']);
    assert.deepEqual(test.mocks?.record, [{ widget: 'first', result: 'noAudio' }, { widget: 'second', result: 'hangup' }]);
  });

  it('Record Voicemail with a message left before the hang-up: the mock hangs up, no script step after it', async () => {
    const executionSid = await phoneCall('voicemailThanks', [['Hangup', { RecordedSeconds: '7' }]]);
    const test = await same('voicemailThanks', executionSid, ['Trigger', 'vm', 'thanks']);
    assert.equal(test.mocks?.record?.[0]?.digits, 'hangup');
    assert.equal(test.script, undefined, 'the hang-up is the mock, not a script step');
  });

  it('a caller who hangs up in a queue: the action came with the call over, and the voicemail after it waits out the grace', async () => {
    const executionSid = await phoneCall('callOutcomes', [['Dial', { Status: 'completed', Duration: '12' }], ['Hangup', {}]]);
    const test = await same('callOutcomes', executionSid, ['Trigger', 'dial_sales', 'queue', 'voicemail']);
    assert.deepEqual(test.mocks?.dial, [{ widget: 'dial_sales', status: 'completed', duration: 12 }]);
  });

  it('Make Outgoing Call: answered by a machine, busy, unanswered, refused by the Calls API', async () => {
    const machine = await outboundCall('+15551230001', [['Answer', { AnsweredBy: 'machine_start' }], ['Digits', { Digits: '1' }]]);
    const answered = await same('outbound', machine, ['Trigger', 'call', 'ask']);
    assert.deepEqual(answered.mocks?.calls, [{ to: '+15551230001', answer: 'machine', answeredBy: 'machine_start' }]);

    const busy = await same('outbound', await outboundCall('+15551230002', [['Reject', { Status: 'busy' }]]), ['Trigger', 'call']);
    assert.deepEqual(busy.mocks?.calls, [{ to: '+15551230002', answer: 'busy' }]);
    await same('outbound', await outboundCall('+15551230003', [['Reject', { Status: 'no-answer' }]]), ['Trigger', 'call']);

    const refused = await same('outbound', await outboundCall('client:', []), ['Trigger', 'call']);
    assert.equal(typeof refused.mocks?.calls?.[0]?.fail, 'number');
  });
});
