// Voice outcomes a flow test chooses: Capture Payments' Result and a virtual agent's status (the pay
// and virtualAgent mocks; unmocked, the test runs on and notes it), machine detection as Make Outgoing
// Call asks for it (AnsweredBy only with detection: machine_end_beep under DetectMessageEnd), a caller
// who hangs up during a Record without a message, and the parameters the simulator phone sends with
// every call request (Called, Caller, ApiVersion), a recorded Dial's recording, an Enqueue's QueueSid.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runFiles } from '../../src/flowtest/runner.ts';
import { textReport } from '../../src/flowtest/reporters.ts';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

describe('voice mocks and call parameters in flow tests', () => {
  it('a payment and a virtual agent end as the pay and virtualAgent mocks say; unmocked ones are noted, not failed', () => {
    const summary = runFiles([here('./fixtures/pay-agent.test.yaml')]);
    assert.equal(summary.failed, 0, textReport(summary));
    assert.equal(summary.passed, 12);
    const notes = (name: RegExp) => summary.results.find((r) => name.test(r.name))?.notes ?? [];
    assert.deepEqual(notes(/an unmocked payment/), [
      "widget 'pay' ran unmocked: <Pay> answered with no Result, which Capture Payments takes for providerError — add an entry under mocks.pay (result: success…)",
    ]);
    assert.deepEqual(notes(/an unmocked virtual agent/), [
      "widget 'agent' ran unmocked: <Connect><VirtualAgent> answered with no VirtualAgentStatus, which Connect Virtual Agent takes for failed (v2) or return (v1) — add an entry under mocks.virtualAgent (status: completed…)",
    ]);
    // A mocked run has nothing to say.
    assert.deepEqual(notes(/goes through/), []);
  });

  it('machine detection: AnsweredBy as the widget detects (or not at all), from the calls mock', () => {
    const summary = runFiles([here('./fixtures/answering-machine.test.yaml')]);
    assert.equal(summary.failed, 0, textReport(summary));
    assert.equal(summary.passed, 6);
  });

  it('a call carries the parameters the simulator phone sends; a recorded Dial reports its recording, an Enqueue its queue', () => {
    const summary = runFiles([here('./fixtures/call-parameters.test.yaml')]);
    assert.equal(summary.failed, 0, textReport(summary));
    assert.equal(summary.passed, 2);
  });

  it('a caller who hangs up during a Record without a message: no action, hangup once the grace is over', () => {
    // call-outcomes.test.yaml has the same through the whole flow; here the grace's time shows.
    const dir = mkdtempSync(join(tmpdir(), 'sb-voice-mocks-'));
    try {
      const flow = {
        description: 'voicemail',
        initial_state: 'Trigger',
        flags: { allow_concurrent_calls: true },
        states: [
          { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingCall', next: 'vm' }], properties: { offset: { x: 0, y: 0 } } },
          { name: 'vm', type: 'record-voicemail', transitions: [{ event: 'recordingComplete' }, { event: 'noAudio' }, { event: 'hangup', next: 'log' }], properties: { offset: { x: 0, y: 100 }, timeout: 5, max_length: 60 } },
          { name: 'log', type: 'set-variables', transitions: [{ event: 'next' }], properties: { offset: { x: 0, y: 200 }, variables: [{ key: 'at', value: "{{ 'now' | date: '%H:%M:%S' }}" }] } },
        ],
      };
      writeFileSync(join(dir, 'vm.json'), JSON.stringify(flow));
      writeFileSync(
        join(dir, 'vm.test.yaml'),
        [
          'flow: vm.json',
          'tests:',
          '  - name: hangs up in silence',
          '    trigger: { call: {} }',
          '    mocks: { record: [{ widget: vm, result: hangup }] }',
          '    expect:',
          '      steps: ["Trigger -incomingCall-> vm", "vm -hangup-> log", "log -next-> Ended"]',
          // The final status's parameters: how long the call lasted and when it ended (the grace came after).
          '      widgets: { vm: { CallStatus: completed, CallDuration: "0", Timestamp: "Mon, 07 Jan 2030 09:00:00 GMT", RecordingSid: null, Digits: null } }',
          '      variables: { at: "09:00:05" }',
          '      end: completed',
          '',
        ].join('\n'),
      );
      const summary = runFiles([join(dir, 'vm.test.yaml')]);
      assert.equal(summary.failed, 0, textReport(summary));
      assert.equal(summary.passed, 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a ConversationRelay session ends as the conversationRelay mock says; unmocked it completed, with no note', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-voice-mocks-'));
    try {
      const flow = {
        description: 'relay',
        initial_state: 'Trigger',
        flags: { allow_concurrent_calls: true },
        states: [
          { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingCall', next: 'relay' }], properties: { offset: { x: 0, y: 0 } } },
          { name: 'relay', type: 'run-conversation-relay', transitions: [{ event: 'success' }, { event: 'failed' }], properties: { offset: { x: 0, y: 100 }, url: 'wss://relay.example/ws' } },
        ],
      };
      writeFileSync(join(dir, 'relay.json'), JSON.stringify(flow));
      const success = 'steps: ["Trigger -incomingCall-> relay", "relay -success-> Ended"]';
      writeFileSync(
        join(dir, 'relay.test.yaml'),
        [
          'flow: relay.json',
          'tests:',
          '  - name: unmocked',
          '    trigger: { call: {} }',
          '    expect:',
          `      ${success}`,
          '      widgets: { relay: { SessionStatus: completed, SessionDuration: "0", SessionId: "/^VX[0-9a-f]{32}$/", HandoffData: null, VirtualAgentStatus: null } }',
          '  - name: the app hands off after 42 s',
          '    trigger: { call: {} }',
          '    mocks: { conversationRelay: [{ widget: relay, status: ended, duration: 42, handoffData: { reason: billing, tier: 2 } }] }',
          '    expect:',
          `      ${success}`,
          '      widgets: { relay: { SessionStatus: ended, SessionDuration: "42", HandoffData: { reason: billing, tier: 2 } } }',
          '  - name: handoff data that is not JSON stays text',
          '    trigger: { call: {} }',
          "    mocks: { conversationRelay: [{ handoffData: 'call me back', params: { SessionId: VX00000000000000000000000000000001 } }] }",
          '    expect:',
          `      ${success}`,
          '      widgets: { relay: { HandoffData: call me back, SessionId: VX00000000000000000000000000000001 } }',
          '  - name: the session fails',
          '    trigger: { call: {} }',
          '    mocks: { conversationRelay: [{ status: failed, params: { ErrorCode: "64107" } }] }',
          '    expect: { steps: ["Trigger -incomingCall-> relay", "relay -failed-> Ended"], widgets: { relay: { SessionStatus: failed, ErrorCode: "64107" } } }',
          '  - name: the caller hangs up, and the action comes with the call over',
          '    trigger: { call: {} }',
          '    mocks: { conversationRelay: [{ callerHangsUp: true }] }',
          `    expect: { ${success}, widgets: { relay: { SessionStatus: completed, CallStatus: completed } } }`,
          '  - name: the caller hangs up and no action comes',
          '    trigger: { call: {} }',
          '    mocks: { conversationRelay: [{ status: hangup }] }',
          '    expect: { steps: ["Trigger -incomingCall-> relay", "relay -hangup-> Ended"] }',
          '  - name: a virtualAgent mock is not a relay session',
          '    trigger: { call: {} }',
          '    mocks: { virtualAgent: [{ status: failed }] }',
          `    expect: { ${success}, widgets: { relay: { SessionStatus: completed } } }`,
          '',
        ].join('\n'),
      );
      const summary = runFiles([join(dir, 'relay.test.yaml')]);
      assert.equal(summary.failed, 0, textReport(summary));
      assert.equal(summary.passed, 7);
      // The virtualAgent mock answers no relay session: noted as a mock that answered nothing.
      assert.deepEqual(summary.results.flatMap((r) => r.notes ?? []), ['mocks.virtualAgent[0] (any widget) answered nothing']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checks pay, virtualAgent and conversationRelay mocks against the schema, as the other call mocks are', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-voice-mocks-'));
    try {
      writeFileSync(join(dir, 'bad.test.yaml'), [
        'flow: ' + here('./fixtures/pay-agent.json'),
        'tests:',
        '  - name: a Result Twilio does not send',
        '    trigger: { call: {} }',
        '    mocks: { pay: [{ result: paid }] }',
        '  - name: a status that is not one',
        '    trigger: { call: {} }',
        '    mocks: { virtualAgent: [{ status: done, param: {} }] }',
        '  - name: a session status that is not one, and a handoff that is a list',
        '    trigger: { call: {} }',
        '    mocks: { conversationRelay: [{ status: live-agent-handoff, handoffData: [1] }] }',
        '',
      ].join('\n'));
      const summary = runFiles([join(dir, 'bad.test.yaml')]);
      assert.equal(summary.failed, 3, textReport(summary));
      const text = textReport(summary);
      assert.match(text, /pay\.0\.result/);
      assert.match(text, /virtualAgent\.0\.status/);
      assert.match(text, /unknown field 'param' \(did you mean 'params'\?\)/);
      assert.match(text, /conversationRelay\.0\.status/);
      assert.match(text, /conversationRelay\.0\.handoffData/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
