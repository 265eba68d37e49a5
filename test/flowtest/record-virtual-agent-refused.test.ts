// test --record of a Connect Virtual Agent in a conversation whose connection the channel refused (here the Twilio
// carrier without a VirtualAgentUrl: 81003): the recorded test refuses the connection again (mocks.virtualAgent
// `fail`, with the recorded error) and passes. It used to write no mock, so the test's agent took the conversation,
// never ended its session, and the test failed at the refused step. A `fail` mock also refuses a connection in a
// hand-written test (the webhook channel's 50000), and on a call, where no connection is refused, it is reported.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runCliInProcess } from '../support/cli-in-process.ts';
import { testCommand } from '../../src/cli/test.ts';
import { play } from '../../src/flowtest/run-test.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';
import type { TestCase } from '../../src/flowtest/types.ts';
import { CONTACT, createFlow, firstExecution, flow, sendMessage, useCarrierServer, waitForEnd, webhookUrl, type CarrierServer, type State } from '../carrier/helpers.ts';
import type { FakeTwilio } from '../support/fake-twilio.ts';
import { triggerFlow } from '../support/flows.ts';

const CONVERSATION = 'CH' + 'b8'.repeat(16);
const CHAT_SERVICE = 'IS' + '6'.repeat(32);

const agent: State = {
  name: 'agent',
  type: 'connect-virtual-agent-v2',
  properties: { offset: { x: 0, y: 200 }, channel: 'conversations', connector_name: 'va', timeout: '300' },
  transitions: [{ event: 'completed' }, { event: 'live-agent-handoff' }, { event: 'hangup' }, { event: 'failed', next: 'sorry' }, { event: 'paused' }, { event: 'timeout' }],
};
const definition = flow([agent, sendMessage('sorry', { from: 'Bot', body: 'Sorry ({{widgets.agent.VirtualAgentErrorCode}}): {{widgets.agent.VirtualAgentError}}' })], { incomingConversationMessage: 'agent' });

async function cli(args: string[]) {
  const run = await runCliInProcess(testCommand, args, process.cwd());
  return { code: run.code, out: run.stdout + run.stderr };
}

describe('test --record: a virtual agent connection the channel refused', () => {
  let fake: FakeTwilio;
  let server: CarrierServer;
  useCarrierServer((s) => ({ fake, server } = s));

  it('writes a fail mock with the recorded error, and the recorded test passes', async () => {
    fake.conversations.push({ sid: CONVERSATION, chat_service_sid: CHAT_SERVICE, participants: [], webhooks: [] });
    const flowSid = await createFlow(server, definition);
    const message = { AccountSid: fake.options.accountSid, ChatServiceSid: CHAT_SERVICE, ConversationSid: CONVERSATION, MessageSid: 'IM' + randomBytes(16).toString('hex'), EventType: 'onMessageAdded', Source: 'SDK', Author: CONTACT, Body: 'hello' };
    assert.equal((await fake.postSigned(webhookUrl(server, flowSid), message)).status, 200);
    const executionSid = await firstExecution(server, flowSid);
    await waitForEnd(server, executionSid);

    const dir = mkdtempSync(join(tmpdir(), 'va-refused-'));
    try {
      const out = join(dir, 'va.test.yaml');
      writeFileSync(join(dir, 'va.json'), JSON.stringify(definition));
      const creds = ['--base-url', server.baseUrl, '--account-sid', server.account.sid, '--auth-token', server.account.authToken];
      const rec = await cli(['--record', '--flow', flowSid, '--execution', executionSid, '--out', out, '--flow-file', join(dir, 'va.json'), ...creds]);
      assert.equal(rec.code, 0, rec.out);
      const written = parse(readFileSync(out, 'utf8'));
      const [test] = written.tests;
      const [mock] = test.mocks.virtualAgent;
      assert.equal(mock.widget, 'agent');
      assert.equal(mock.fail.code, 81003);
      assert.match(mock.fail.message, /needs the account's VirtualAgentUrl/);
      assert.deepEqual(test.expect.path, ['Trigger', 'agent', 'sorry']);
      assert.match(test.expect.messages[0], /^Sorry \(81003\): Connect Virtual Agent in a conversation on the Twilio carrier needs/);
      const run = await cli([out, '--no-color']);
      assert.equal(run.code, 0, run.out);
      assert.match(run.out, /1 passed, 0 failed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('mocks.virtualAgent fail', () => {
  const say = (name: string, body: string) => ({ name, type: 'send-message', properties: { from: 'Bot', to: '{{contact.channel.address}}', body }, transitions: [{ event: 'sent' }, { event: 'failed' }] });
  const conversational = triggerFlow('va', 'incomingConversationMessage', 'agent', [
    { ...agent, properties: { channel: 'conversations', connector_name: 'va', timeout: '300' } },
    say('sorry', '{{widgets.agent.VirtualAgentErrorCode}} {{widgets.agent.VirtualAgentError}}'),
  ]) as FlowDefinition;
  const run = (definition: FlowDefinition, test: TestCase) => play({ file: 'x', flow: { path: 'va.json', definition, warnings: [] }, test, subflows: new Map() });

  it('in a conversation, refuses the connection: the widget leaves by failed with the error', () => {
    const { sim } = run(conversational, { name: 'x', trigger: { conversation: { body: 'hi' } }, mocks: { virtualAgent: [{ widget: 'agent', fail: 50000 }] } });
    const observed = sim.observation();
    assert.deepEqual(observed.path, ['Trigger', 'agent', 'sorry']);
    assert.deepEqual(observed.messages.map((m) => m.body), ['50000 Simulated failure 50000']);
    assert.deepEqual(observed.problems, []);
    assert.equal(observed.end, 'completed');
  });

  it('takes a message with the code', () => {
    const { sim } = run(conversational, { name: 'x', trigger: { conversation: { body: 'hi' } }, mocks: { virtualAgent: [{ fail: { code: 50000, message: 'The webhook channel cannot connect a virtual agent' } }] } });
    assert.deepEqual(sim.observation().messages.map((m) => m.body), ['50000 The webhook channel cannot connect a virtual agent']);
  });

  it('on a call, where Twilio refuses no connection, is reported', () => {
    const onCall = triggerFlow('va', 'incomingCall', 'agent', [
      { name: 'agent', type: 'connect-virtual-agent-v2', properties: { connector_name: 'va' }, transitions: [{ event: 'completed' }, { event: 'live-agent-handoff' }, { event: 'hangup' }, { event: 'failed' }, { event: 'paused' }] },
    ]) as FlowDefinition;
    const { sim } = run(onCall, { name: 'x', trigger: { call: {} }, mocks: { virtualAgent: [{ widget: 'agent', fail: 50000 }] } });
    assert.equal(sim.observation().problems.length, 1);
    assert.match(sim.observation().problems[0]!, /mocks\.virtualAgent for widget 'agent' says fail: 50000, which only a connection in a conversation/);
  });
});
