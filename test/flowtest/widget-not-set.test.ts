// A `widgets` expectation for a widget of the flow that has no outputs said only
// "widgets.x: expected an object" (actual: null): it now says whether the widget did not run, ran and
// set none (and by which transition it left), or has not finished.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFiles } from '../../src/flowtest/runner.ts';

const flow = {
  description: 'subflow, then a question',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: 'lookup' }, { event: 'incomingCall' }, { event: 'incomingRequest' }], properties: { offset: { x: 0, y: 0 } } },
    { name: 'lookup', type: 'run-subflow', transitions: [{ event: 'completed', next: 'thanks' }, { event: 'failed', next: 'ask' }], properties: { offset: { x: 0, y: 100 }, flow_sid: 'FW00000000000000000000000000000001', flow_revision: 'LatestPublished' } },
    { name: 'thanks', type: 'send-message', transitions: [{ event: 'sent' }, { event: 'failed' }], properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'thanks' } },
    { name: 'ask', type: 'send-and-wait-for-reply', transitions: [{ event: 'incomingMessage' }, { event: 'timeout' }, { event: 'deliveryFailure' }], properties: { offset: { x: 0, y: 300 }, from: '{{flow.channel.address}}', body: 'Which one?', timeout: '3600' } },
  ],
};

const subflowMocks = [
  '    mocks:',
  '      http: [{ url: "https://api.example.com/customer", status: 500 }]',
  '      subflows:',
  '        FW00000000000000000000000000000001:',
  '          { description: lookup, initial_state: Trigger, flags: { allow_concurrent_calls: true }, states: [',
  '            { name: Trigger, type: trigger, transitions: [{ event: incomingParent, next: get }], properties: {} },',
  '            { name: get, type: make-http-request, transitions: [{ event: success }, { event: failed }], properties: { method: GET, url: "https://api.example.com/customer", content_type: application/json } } ] }',
];

function failures(definition: typeof flow, expect: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'sb-widget-not-set-'));
  try {
    writeFileSync(join(dir, 'flow.json'), JSON.stringify(definition));
    const file = join(dir, 'lookup.test.yaml');
    writeFileSync(file, ['flow: flow.json', 'tests:', '  - name: lookup fails', '    trigger: { message: { body: hi } }', ...subflowMocks, '    expect:', ...expect.map((line) => `      ${line}`), ''].join('\n'));
    const result = runFiles([file]).results[0]!;
    return (field: string) => result.failures.find((f) => f.field === field)?.message;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('widgets expectations on a widget without outputs', () => {
  it('say whether it did not run or has not finished', () => {
    const byField = failures(flow, ['widgets:', '  thanks: { status: sent }', '  ask: { inbound: { Body: "1" } }', 'end: waiting']);
    assert.equal(byField('widgets.thanks'), "widgets.thanks is not set: 'thanks' did not run");
    assert.equal(byField('widgets.ask'), "widgets.ask is not set: 'ask' has not finished (no outputs yet)");
  });

  it('say that it ran and by which transition it left', () => {
    // The failure ends the execution (81014), which leaves the widget without outputs.
    const ending = { ...flow, states: flow.states.map((s) => (s.name === 'lookup' ? { ...s, transitions: [{ event: 'completed', next: 'thanks' }, { event: 'failed' }] } : s)) };
    const byField = failures(ending as typeof flow, ['widgets: { lookup: { customer: Ann } }', 'end: { error: 81014 }']);
    assert.equal(byField('widgets.lookup'), "widgets.lookup is not set: 'lookup' ran but set no outputs (it left by 'failed')");
  });
});
