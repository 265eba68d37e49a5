// A Send Message to an address Twilio's Messages API cannot send to (`alice`, a short code, `not a
// number`) fails with 21211 on a server (the simulator channel, as Twilio), so the widget takes `failed`:
// a flow test says the same, whatever a mock says, rather than pass a send the server refuses. In a
// Conversation, `to` plays no part (the message goes into it), so an identity there is still sent.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFiles } from '../../src/flowtest/runner.ts';
import { textReport } from '../../src/flowtest/reporters.ts';

const at = (y: number) => ({ offset: { x: 0, y } });
const flow = {
  description: 'reply to the contact',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    {
      name: 'Trigger',
      type: 'trigger',
      properties: at(0),
      transitions: [{ event: 'incomingRequest', next: 'say' }, { event: 'incomingConversationMessage', next: 'say' }],
    },
    { name: 'say', type: 'send-message', properties: { ...at(100), from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'hi' }, transitions: [{ event: 'sent', next: 'ok' }, { event: 'failed', next: 'refused' }] },
    { name: 'ok', type: 'set-variables', properties: { ...at(200), variables: [{ key: 'r', value: 'sent' }] }, transitions: [{ event: 'next' }] },
    { name: 'refused', type: 'set-variables', properties: { ...at(300), variables: [{ key: 'r', value: '{{widgets.say.error.message}}' }] }, transitions: [{ event: 'next' }] },
  ],
};

const tests = `
flow: flow.json
tests:
  - name: a phone number is sent to
    trigger: { request: { to: "+15551230001" } }
    expect: { path: [Trigger, say, ok] }
  - name: an identity is refused with 21211
    trigger: { request: { to: "alice" } }
    expect: { path: [Trigger, say, refused], variables: { r: "/The 'To' number alice is not a valid phone number/" } }
  - name: a short code is refused with 21211, whatever a mock says
    trigger: { request: { to: "12345" } }
    mocks: { messages: [{ to: "12345" }] }
    expect: { path: [Trigger, say, refused] }
  - name: in a conversation the identity is sent (into the conversation)
    trigger: { conversation: { from: "alice", body: "hi" } }
    expect: { path: [Trigger, say, ok] }
`;

describe('flow tests refuse a Send Message to an address Twilio cannot send to', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-invalid-to-'));
    writeFileSync(join(dir, 'flow.json'), JSON.stringify(flow));
    writeFileSync(join(dir, 'invalid-to.test.yaml'), tests);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('as the server does: 21211 outside a conversation, sent inside one', () => {
    const summary = runFiles([join(dir, 'invalid-to.test.yaml')]);
    assert.equal(summary.failed, 0, textReport(summary));
    assert.equal(summary.passed, 4);
  });
});
