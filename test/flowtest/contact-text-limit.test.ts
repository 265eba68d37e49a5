// A contact's text over 1,600 characters never reaches a flow on the server: the simulator refuses it with a
// 400 and Twilio's 21617 (test/api/simulator-body-limit.test.ts), whether it starts the execution or
// answers a Send & Wait, into a conversation too. A flow test refuses it the same way: the test fails naming
// 21617 and the trigger or script step, and a refused reply is not delivered (the flow goes on waiting).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFiles } from '../../src/flowtest/runner.ts';
import { textReport } from '../../src/flowtest/reporters.ts';
import { wiredTriggerFlow } from '../support/flows.ts';

const at = (y: number) => ({ offset: { x: 0, y } });
const flow = wiredTriggerFlow('ask and answer', { incomingMessage: 'ask', incomingConversationMessage: 'ask' }, [
  { name: 'ask', type: 'send-and-wait-for-reply', properties: { ...at(100), from: '{{flow.channel.address}}', body: 'Name?', timeout: '3600' }, transitions: [{ event: 'incomingMessage', next: 'bye' }, { event: 'timeout' }, { event: 'deliveryFailure' }] },
  { name: 'bye', type: 'send-message', properties: { ...at(200), from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'Bye {{widgets.ask.inbound.Body | size}}' }, transitions: [{ event: 'sent' }, { event: 'failed' }] },
]);

const long = 'x'.repeat(1601);
const limit = '✓'.repeat(1600);

describe('flow tests refuse a contact text over 1,600 characters, as the server does (21617)', () => {
  let dir: string;
  const run = (tests: string) => {
    const file = join(dir, `t${Math.random().toString(36).slice(2)}.test.yaml`);
    writeFileSync(file, `flow: flow.json\ntests:\n${tests}`);
    return runFiles([file]);
  };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-text-limit-'));
    writeFileSync(join(dir, 'flow.json'), JSON.stringify(flow));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const kind of ['message', 'conversation'] as const) {
    it(`a ${kind} trigger over the limit fails the test, naming 21617; nothing runs`, () => {
      const summary = run(`  - name: long\n    trigger: { ${kind}: { body: "${long}" } }\n    expect: { path: [Trigger, ask], end: waiting }\n`);
      const result = summary.results[0]!;
      assert.equal(result.status, 'failed', textReport(summary));
      assert.equal(result.observation, null);
      assert.equal(result.failures.length, 1, textReport(summary));
      assert.equal(result.failures[0]!.field, `trigger.${kind}.body`);
      assert.match(result.failures[0]!.message, new RegExp(`^trigger\\.${kind}\\.body \\(a text of 1601 characters\\): the simulator refuses it with 21617 \\(The concatenated message body exceeds the 1600 character limit\\.\\), as Twilio does; no execution starts$`));
    });

    it(`a ${kind} trigger of exactly 1,600 characters (UTF-16 units) runs`, () => {
      const summary = run(`  - name: at the limit\n    trigger: { ${kind}: { body: "${limit}" } }\n    expect: { path: [Trigger, ask], end: waiting }\n`);
      assert.equal(summary.failed, 0, textReport(summary));
    });

    it(`a ${kind} reply over the limit fails its script step and is not delivered: the flow still waits`, () => {
      const summary = run(
        `  - name: long reply\n    trigger: { ${kind}: { body: hi } }\n    script:\n      - send: "${long}"\n      - expect: { path: [Trigger, ask], end: waiting }\n      - send: { body: "${limit}" }\n    expect: { path: [Trigger, ask, bye], messages: [Name?, Bye 1600] }\n`,
      );
      const result = summary.results[0]!;
      assert.equal(result.status, 'failed', textReport(summary));
      assert.deepEqual(
        result.failures.map((f) => f.field),
        ['script[0].send'],
        textReport(summary),
      );
      assert.match(result.failures[0]!.message, /^script\[0\] \(send: a text of 1601 characters\): the simulator refuses it with 21617 .*; the flow never gets it$/);
      assert.match(textReport(summary), /21617/);
    });
  }
});
