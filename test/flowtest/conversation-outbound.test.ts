// A message a flow sends into a Conversation: the widget's `outbound` is the Conversations message resource
// (ConversationSid, Author, Index, Attributes), in a flow test as on the server's simulator, not an SMS resource;
// and media URLs are refused there (81011) in both. A flow reading widgets.say.outbound.ConversationSid passed
// on a server and read nothing in its tests.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFiles } from '../../src/flowtest/runner.ts';
import { textReport } from '../../src/flowtest/reporters.ts';
import { startTestServer, FORM, form } from '../support/server.ts';

const at = (y: number) => ({ offset: { x: 0, y } });
const SHOWN = '{{widgets.say.outbound.ConversationSid}}|{{widgets.say.outbound.Index}}|{{widgets.say.outbound.Author}}|{{widgets.say.outbound.Attributes}}|{{widgets.say.outbound.NumSegments}}|{{widgets.say.outbound.Sid | slice: 0, 2}}';
const flow = {
  description: 'answers in the conversation',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', properties: at(0), transitions: [{ event: 'incomingConversationMessage', next: 'say' }] },
    { name: 'say', type: 'send-message', properties: { ...at(100), from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'hi', attributes: '{"k": 1}' }, transitions: [{ event: 'sent', next: 'show' }, { event: 'failed' }] },
    { name: 'show', type: 'set-variables', properties: { ...at(200), variables: [{ key: 'shown', value: SHOWN }] }, transitions: [{ event: 'next', next: 'picture' }] },
    { name: 'picture', type: 'send-message', properties: { ...at(300), from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'look', media_url: 'https://example.com/a.png' }, transitions: [{ event: 'sent' }, { event: 'failed', next: 'refused' }] },
    { name: 'refused', type: 'set-variables', properties: { ...at(400), variables: [{ key: 'why', value: '{{widgets.picture.error.code}}' }] }, transitions: [{ event: 'next' }] },
  ],
};
const CONVERSATION = 'CH' + 'c'.repeat(32);
const EXPECTED = `${CONVERSATION}|1|system|{"k": 1}||IM`;

describe('a message sent into a Conversation, in a flow test and on the server', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-conversation-outbound-'));
    writeFileSync(join(dir, 'flow.json'), JSON.stringify(flow));
    writeFileSync(
      join(dir, 'outbound.test.yaml'),
      `flow: flow.json
tests:
  - name: outbound is the conversation message
    trigger: { conversation: { from: "alice", body: "hello", conversationSid: "${CONVERSATION}" } }
    expect:
      path: [Trigger, say, show, picture, refused]
      variables: { shown: ${JSON.stringify(EXPECTED)}, why: 81011 }
`,
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the flow test sees the Conversations resource, and a picture refused with 81011', () => {
    const summary = runFiles([join(dir, 'outbound.test.yaml')]);
    assert.equal(summary.failed, 0, textReport(summary));
    assert.equal(summary.passed, 1);
  });

  it('the server\'s simulator gives the same', async (t) => {
    const server = await startTestServer();
    t.after(() => server.close());
    const created = await server.app.flows.create(server.account.sid, { friendlyName: 'outbound', status: 'published', definition: flow });
    const res = await server.app.server.inject({ method: 'POST', url: `/simulator/Flows/${created.sid}/Messages`, headers: { authorization: server.auth, ...FORM }, payload: form({ From: 'alice', To: CONVERSATION, Body: 'hello' }) });
    assert.equal(res.statusCode, 201, res.body);
    await server.app.executions.idle();
    const execution = await server.app.store.getExecution(server.account.sid, created.sid, res.json().execution_sid);
    const variables = (execution!.state as { frames: { variables: Record<string, unknown> }[] }).frames[0]!.variables;
    assert.deepEqual(variables, { shown: EXPECTED, why: 81011 });
  });
});
