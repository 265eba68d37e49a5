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
