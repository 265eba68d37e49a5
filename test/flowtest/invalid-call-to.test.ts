// Make Outgoing Call to an address the simulator phone cannot call (`alice`, a short code) fails with
// 21211 on a server (phone.ts isCallAddress, as Twilio's Calls API): the widget takes `failed` at once.
// A flow test says the same, whatever a calls mock says, instead of answering a call the server never places.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runFiles } from '../../src/flowtest/runner.ts';
import { textReport } from '../../src/flowtest/reporters.ts';

const flow = fileURLToPath(new URL('./fixtures/outbound-call.json', import.meta.url));

const tests = `
flow: ${JSON.stringify(flow)}
tests:
  - name: a phone number is called
    trigger: { request: { to: "+15551230005", parameters: { day: Friday } } }
    script:
      - digits: "1"
    expect: { path: [Trigger, dial, remind, thanks] }
  - name: an identity is not called (21211), whatever the mock says
    trigger: { request: { to: "alice", parameters: { day: Friday } } }
    mocks:
      calls: [{ answer: human }]
    expect:
      path: [Trigger, dial, text]
      widgets: { dial: { ErrorCode: 21211 } }
      # The text that follows goes to the same address, which the Messages API refuses too.
      end: { error: 81011 }
  - name: a short code is not called (21211)
    trigger: { request: { to: "12345", parameters: { day: Friday } } }
    expect:
      path: [Trigger, dial, text]
      widgets: { dial: { ErrorCode: 21211 } }
      # The text that follows goes to the same address, which the Messages API refuses too.
      end: { error: 81011 }
`;

describe('flow tests refuse Make Outgoing Call to an address Twilio cannot call', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-invalid-call-to-'));
    writeFileSync(join(dir, 'calls.test.yaml'), tests);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('as the simulator phone does', () => {
    const summary = runFiles([join(dir, 'calls.test.yaml')]);
    assert.equal(summary.failed, 0, textReport(summary));
    assert.equal(summary.passed, 3);
  });
});
