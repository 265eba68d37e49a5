// A test's `skip: true` or `skip: "why"` (in the schema, not in the README until now): the test does not
// run, is reported as skipped in every reporter, and does not fail the run.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFiles } from '../../src/flowtest/runner.ts';
import { junitReport, tapReport, textReport } from '../../src/flowtest/reporters.ts';

const flow = {
  description: 'hello',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: 'hi' }, { event: 'incomingCall' }, { event: 'incomingRequest' }], properties: { offset: { x: 0, y: 0 } } },
    { name: 'hi', type: 'send-message', transitions: [{ event: 'sent' }, { event: 'failed' }], properties: { offset: { x: 0, y: 100 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'Hi' } },
  ],
};

describe('skip', () => {
  it('skips a test, says why, and the run passes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-skip-'));
    try {
      writeFileSync(join(dir, 'flow.json'), JSON.stringify(flow));
      const file = join(dir, 'hi.test.yaml');
      writeFileSync(
        file,
        ['flow: flow.json', 'tests:', '  - name: later', '    skip: waiting on the new API', '    trigger: { message: { body: hi } }', '    expect: { messages: [nope] }', '  - name: says hi', '    trigger: { message: { body: hi } }', '    expect: { messages: [Hi] }', ''].join('\n'),
      );
      const summary = runFiles([file]);
      assert.deepEqual([summary.passed, summary.failed, summary.skipped], [1, 0, 1]);
      assert.match(textReport(summary), /› later \(skipped: waiting on the new API\)/);
      assert.match(tapReport(summary), /^ok 1 - .* › later # SKIP waiting on the new API$/m);
      assert.match(junitReport(summary), /<testcase name="later"[^>]*>\n\s*<skipped message="waiting on the new API"\/>/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
