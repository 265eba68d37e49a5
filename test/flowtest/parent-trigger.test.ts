// A flow tested as a subflow (`trigger: { parent: … }`) sees trigger.parent as Run Subflow builds it on a server:
// parameters, flow_sid, execution_sid and step_sid (the last two had been left out, so a subflow reading them
// passed on a server and read nothing in its tests), with defaults or the values the test gives.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFiles } from '../../src/flowtest/runner.ts';
import { textReport } from '../../src/flowtest/reporters.ts';

const subflow = {
  description: 'a subflow',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', properties: { offset: { x: 0, y: 0 } }, transitions: [{ event: 'incomingParent', next: 'show' }] },
    {
      name: 'show',
      type: 'set-variables',
      properties: { offset: { x: 0, y: 100 }, variables: [{ key: 'parent', value: '{{trigger.parent.flow_sid}}|{{trigger.parent.execution_sid}}|{{trigger.parent.step_sid}}|{{trigger.parent.parameters.name}}' }] },
      transitions: [{ event: 'next' }],
    },
  ],
};
const zeros = (prefix: string, last: string) => prefix + '0'.repeat(31) + last;
const FN = 'FN' + 'a'.repeat(32);
const FT = 'FT' + 'b'.repeat(32);

describe('a flow test started as a subflow', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-parent-trigger-'));
    writeFileSync(join(dir, 'sub.json'), JSON.stringify(subflow));
    writeFileSync(
      join(dir, 'sub.test.yaml'),
      `flow: sub.json
tests:
  - name: defaults
    trigger: { parent: { parameters: { name: Ann } } }
    expect: { variables: { parent: "${zeros('FW', '2')}|${zeros('FN', '2')}|${zeros('FT', '1')}|Ann" } }
  - name: given
    trigger: { parent: { flowSid: ${zeros('FW', '9')}, executionSid: ${FN}, stepSid: ${FT} } }
    expect: { variables: { parent: "${zeros('FW', '9')}|${FN}|${FT}|" } }
`,
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('sees trigger.parent.execution_sid and step_sid, defaulted or as given', () => {
    const summary = runFiles([join(dir, 'sub.test.yaml')]);
    assert.equal(summary.failed, 0, textReport(summary));
    assert.equal(summary.passed, 2);
  });
});

// A voice subflow (a Gather for its parent's caller) tested alone: `parent: {trigger: {call: …}}` runs it in that
// call, as Run Subflow runs it in a voice parent's call on a server, so its Gather has a caller to ask. Before, the
// call was only data: the Gather failed the test with 81003 (needs a voice call) where a server asks the caller.
const voiceSubflow = {
  description: 'a voice subflow',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', properties: { offset: { x: 0, y: 0 } }, transitions: [{ event: 'incomingParent', next: 'menu' }] },
    {
      name: 'menu',
      type: 'gather-input-on-call',
      properties: { offset: { x: 0, y: 100 }, say: 'Press 1 for sales', number_of_digits: 1, timeout: 5 },
      transitions: [{ event: 'keypress', next: 'pick' }, { event: 'speech' }, { event: 'timeout' }],
    },
    {
      name: 'pick',
      type: 'split-based-on',
      properties: { offset: { x: 0, y: 200 }, input: '{{widgets.menu.Digits}}' },
      transitions: [
        { event: 'noMatch' },
        { event: 'match', next: 'sales', conditions: [{ friendly_name: '1', arguments: ['{{widgets.menu.Digits}}'], type: 'equal_to', value: '1' }] },
      ],
    },
    { name: 'sales', type: 'say-play', properties: { offset: { x: 0, y: 300 }, say: 'Sales, for {{trigger.call.From}} on {{trigger.call.CallSid}}' }, transitions: [{ event: 'audioComplete' }] },
  ],
};

describe('a voice flow tested as a subflow of a call', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-parent-call-'));
    writeFileSync(join(dir, 'voice-sub.json'), JSON.stringify(voiceSubflow));
    writeFileSync(
      join(dir, 'voice-sub.test.yaml'),
      `flow: voice-sub.json
tests:
  - name: in the parent's call
    trigger: { parent: { parameters: { lang: en }, trigger: { call: { From: "+15551112222" } } } }
    script: [{ digits: "1" }]
    expect:
      path: [Trigger, menu, pick, sales]
      heard: ["Press 1 for sales", "Sales, for +15551112222 on ${'CA' + '0'.repeat(31) + '1'}"]
      end: completed
`,
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("asks the parent's caller, whose call fills in the webhook's fields the test leaves out", () => {
    const summary = runFiles([join(dir, 'voice-sub.test.yaml')]);
    assert.equal(summary.failed, 0, textReport(summary));
    assert.equal(summary.passed, 1);
  });
});
