// A mock that names a widget (messages, dial, enqueue, record, pay, virtualAgent, conversationRelay) the
// flow and its subflows do not have was silently ignored: the widget ran unmocked, and the test passed or
// failed for another reason. Such a name now fails the test, with the closest widget name.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFiles } from '../../src/flowtest/runner.ts';
import { textReport } from '../../src/flowtest/reporters.ts';

const at = { offset: { x: 0, y: 0 } };
const flow = {
  description: 'call an agent',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage' }, { event: 'incomingCall', next: 'connect_agent' }, { event: 'incomingRequest' }], properties: at },
    { name: 'connect_agent', type: 'connect-call-to', transitions: [{ event: 'callCompleted' }, { event: 'hangup' }], properties: { ...at, noun: 'number', to: '+15557654321', caller_id: '{{contact.channel.address}}' } },
    { name: 'lookup', type: 'run-subflow', transitions: [{ event: 'completed' }, { event: 'failed' }], properties: { ...at, flow_sid: 'FW00000000000000000000000000000001', flow_revision: 'LatestPublished' } },
  ],
};
const subflow = {
  description: 'texts',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingParent', next: 'notify' }], properties: at },
    { name: 'notify', type: 'send-message', transitions: [{ event: 'sent' }, { event: 'failed' }], properties: { ...at, from: '+15550001111', to: '+15552223333', body: 'hi' } },
  ],
};

describe('mocks naming a widget', () => {
  it('a name neither the flow nor its subflows has fails the test, with the closest name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-mock-widgets-'));
    try {
      writeFileSync(join(dir, 'flow.json'), JSON.stringify(flow));
      writeFileSync(join(dir, 'sub.json'), JSON.stringify(subflow));
      const file = join(dir, 'agent.test.yaml');
      const text = [
        'flow: flow.json',
        'mocks:',
        '  subflows: { FW00000000000000000000000000000001: sub.json }',
        '  messages: [{ widget: notify, fail: 21610 }]',
        '  record: [{ widget: voicemial }]',
        'tests:',
        '  - name: agent busy',
        '    trigger: { call: { from: "+15551230001" } }',
        '    mocks:',
        '      dial: [{ widget: connect_agnet, status: busy }]',
        '    expect:',
        '      steps: ["Trigger -incomingCall-> connect_agent", "connect_agent -callCompleted-> Ended"]',
        '',
      ].join('\n');
      writeFileSync(file, text);
      const summary = runFiles([file]);
      const failures = summary.results[0]!.failures;
      const messages = failures.map((f) => f.message);
      assert.deepEqual(messages, [
        "mocks.dial[0].widget: 'connect_agnet' is not a widget in this flow (did you mean 'connect_agent'?), so the mock answers nothing",
        "the file's mocks.record[0].widget: 'voicemial' is not a widget in this flow, so the mock answers nothing",
      ], textReport(summary));
      // --update leaves the mocks (and the test file) as they are.
      runFiles([file], { update: true });
      assert.equal(readFileSync(file, 'utf8'), text);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('message, call and call-verb mocks that answered nothing', () => {
  it('are noted, as HTTP mocks are: the test’s, and the file’s unused by every test', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-mock-unused-'));
    try {
      writeFileSync(join(dir, 'flow.json'), JSON.stringify(flow));
      writeFileSync(join(dir, 'sub.json'), JSON.stringify(subflow));
      const file = join(dir, 'agent.test.yaml');
      writeFileSync(
        file,
        [
          'flow: flow.json',
          'mocks:',
          '  record: [{ widget: connect_agent }]',
          'tests:',
          '  - name: agent answers',
          '    trigger: { call: { from: "+15551230001" } }',
          '    mocks:',
          '      dial: [{ widget: connect_agent, status: completed }, { status: busy }]',
          '      messages: [{ to: "+1999", fail: 21610 }]',
          '      calls: [{ answer: busy }]',
          '',
        ].join('\n'),
      );
      const summary = runFiles([file]);
      assert.equal(summary.passed, 1, textReport(summary));
      assert.deepEqual(summary.results[0]!.notes, [
        'mocks.messages[0] (to: +1999) answered nothing',
        'mocks.calls[0] (any call) answered nothing',
        'mocks.dial[1] (any widget) answered nothing',
        "the file's mocks.record[0] (widget: connect_agent) answered nothing in any test",
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
