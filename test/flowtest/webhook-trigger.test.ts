// Executions started through the flow webhook (a Flex webchat message with ChannelAttributes, a call
// with HandoffData and SIP headers) replay and record with every webhook parameter the trigger had:
// replay used to keep only Body/From/To/Media (From/To for calls), so a split on
// trigger.message.ChannelAttributes.* took noMatch in the replay; and `test --record` wrote
// `messages: []` because the simulator transcript has nothing of webhook traffic.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { computeSignature } from '../../src/api/wire/signature.ts';
import { testCommand } from '../../src/cli/test.ts';
import { runFiles } from '../../src/flowtest/runner.ts';
import { textReport } from '../../src/flowtest/reporters.ts';
import type { TestFile } from '../../src/flowtest/types.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const send = (name: string, body: string, y: number) => ({
  name,
  type: 'send-message',
  transitions: [{ event: 'sent' }, { event: 'failed' }],
  properties: { offset: { x: 0, y }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body },
});

const flow = {
  description: 'webchat and call routing',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    {
      name: 'Trigger',
      type: 'trigger',
      transitions: [{ event: 'incomingMessage', next: 'intent' }, { event: 'incomingCall', next: 'callIntent' }, { event: 'incomingConversationMessage' }, { event: 'incomingRequest' }, { event: 'incomingParent' }],
      properties: { offset: { x: 0, y: 0 } },
    },
    {
      name: 'intent',
      type: 'split-based-on',
      transitions: [
        { event: 'noMatch', next: 'generic' },
        { event: 'match', next: 'setTargetPageSupport', conditions: [{ friendly_name: 'support', arguments: ['{{trigger.message.ChannelAttributes.pre_engagement_data.customerIntent}}'], type: 'equal_to', value: 'Support' }] },
      ],
      properties: { offset: { x: 0, y: 100 }, input: '{{trigger.message.ChannelAttributes.pre_engagement_data.customerIntent}}' },
    },
    { name: 'setTargetPageSupport', type: 'set-variables', transitions: [{ event: 'next', next: 'support' }], properties: { offset: { x: 0, y: 200 }, variables: [{ key: 'channel', value: '{{trigger.message.ChannelSid}}' }] } },
    send('support', 'Support is on its way ({{flow.variables.channel}})', 300),
    {
      name: 'generic',
      type: 'send-and-wait-for-reply',
      transitions: [{ event: 'incomingMessage', next: 'topic' }, { event: 'timeout' }, { event: 'deliveryFailure' }],
      properties: { offset: { x: 200, y: 300 }, from: '{{flow.channel.address}}', body: 'How can we help?', timeout: '3600' },
    },
    { name: 'topic', type: 'set-variables', transitions: [{ event: 'next' }], properties: { offset: { x: 200, y: 400 }, variables: [{ key: 'topic', value: '{{widgets.generic.inbound.Body}} via {{widgets.generic.inbound.ChannelSid}}' }] } },
    {
      name: 'callIntent',
      type: 'split-based-on',
      transitions: [
        { event: 'noMatch', next: 'hello' },
        { event: 'match', next: 'vip', conditions: [{ friendly_name: 'vip', arguments: ['{{trigger.call.HandoffData}}'], type: 'contains', value: 'vip' }] },
      ],
      properties: { offset: { x: 400, y: 100 }, input: '{{trigger.call.HandoffData}}' },
    },
    { name: 'vip', type: 'set-variables', transitions: [{ event: 'next' }], properties: { offset: { x: 400, y: 200 }, variables: [{ key: 'via', value: '{{trigger.call.SipHeader_X}} {{trigger.call.CallSid}}' }] } },
    { name: 'hello', type: 'set-variables', transitions: [{ event: 'next' }], properties: { offset: { x: 600, y: 200 }, variables: [{ key: 'via', value: 'plain' }] } },
  ],
};

const BASE = 'https://sb.example.com';
const CHAT = 'CH' + 'a'.repeat(32);

describe('executions started through the flow webhook', () => {
  let server: TestServer;
  let flowSid = '';
  let creds: string[] = [];
  let dir = '';

  async function post(params: Record<string, string>): Promise<void> {
    const path = `/v1/Accounts/${server.account.sid}/Flows/${flowSid}`;
    const res = await server.app.server.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': computeSignature(server.account.authToken, BASE + path, params) },
      payload: new URLSearchParams(params).toString(),
    });
    assert.equal(res.statusCode, 200, res.body);
    await server.app.executions.idle();
  }

  async function newestExecution(contact: string): Promise<string> {
    const page = await server.app.store.listExecutions(server.account.sid, flowSid, {}, { pageSize: 50 });
    const found = page.items.find((e) => e.contactChannelAddress === contact);
    assert.ok(found, `an execution for ${contact}`);
    return found.sid;
  }

  async function replay(executionSid: string) {
    const res = await server.app.server.inject({ method: 'GET', url: `/replay/Flows/${flowSid}/Executions/${executionSid}`, headers: { authorization: server.auth } });
    assert.equal(res.statusCode, 200, res.body);
    return JSON.parse(res.body);
  }

  async function record(executionSid: string, out: string): Promise<{ code: number; file: TestFile }> {
    const saved = { log: console.log, error: console.error };
    const lines: string[] = [];
    console.log = (...parts: unknown[]) => void lines.push(parts.map(String).join(' '));
    console.error = console.log;
    let code: number;
    try {
      code = await testCommand(['--record', '--flow', flowSid, '--execution', executionSid, '--out', join(dir, out), '--flow-file', join(dir, 'flow.json'), ...creds]);
    } finally {
      Object.assign(console, saved);
    }
    assert.equal(code, 0, lines.join('\n'));
    return { code, file: parse(readFileSync(join(dir, out), 'utf8')) as TestFile };
  }

  before(async () => {
    server = await startTestServer({ listen: true, config: { publicBaseUrl: BASE } });
    creds = ['--base-url', server.baseUrl, '--account-sid', server.account.sid, '--auth-token', server.account.authToken];
    flowSid = (await server.app.flows.create(server.account.sid, { friendlyName: 'Webchat', status: 'published', definition: flow })).sid;
    dir = mkdtempSync(join(tmpdir(), 'sb-webhook-trigger-'));
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a webchat message with ChannelAttributes: the replay takes the same path, and the recorded test carries them and its messages', async () => {
    const contact = 'visitor-1';
    await post({
      MessageSid: 'IM' + '1'.repeat(32),
      AccountSid: server.account.sid,
      From: contact,
      To: CHAT,
      Body: 'hello',
      ChannelSid: CHAT,
      ChannelAttributes: JSON.stringify({ from: contact, channel_type: 'web', pre_engagement_data: { customerIntent: 'Support' } }),
      Source: 'SDK',
    });
    const executionSid = await newestExecution(contact);
    const report = await replay(executionSid);
    assert.deepEqual(report.original.path, ['Trigger', 'intent', 'setTargetPageSupport', 'support']);
    assert.equal(report.diverged, false, JSON.stringify(report, null, 2));

    const { file } = await record(executionSid, 'chat.test.yaml');
    const test = file.tests[0]!;
    assert.ok('message' in test.trigger);
    const params = test.trigger.message.params ?? {};
    assert.deepEqual(params.ChannelAttributes, { from: contact, channel_type: 'web', pre_engagement_data: { customerIntent: 'Support' } });
    assert.equal(params.ChannelSid, CHAT);
    assert.equal(params.MessageSid, undefined, 'a fresh SID per run, as for conversation triggers');
    assert.deepEqual(test.expect?.messages, [`Support is on its way (${CHAT})`]);
    const summary = runFiles([join(dir, 'chat.test.yaml')]);
    assert.equal(summary.failed, 0, textReport(summary));
  });

  it("a reply through the webhook: its ChannelSid reaches the replay and the recorded test's script", async () => {
    const contact = 'visitor-2';
    const chat = (sid: string, body: string) => ({ MessageSid: sid, AccountSid: server.account.sid, From: contact, To: CHAT, Body: body, ChannelSid: CHAT, ChannelAttributes: JSON.stringify({ from: contact }) });
    await post(chat('IM' + '2'.repeat(32), 'hi'));
    await post(chat('IM' + '3'.repeat(32), 'billing'));
    const executionSid = await newestExecution(contact);
    const report = await replay(executionSid);
    assert.deepEqual(report.original.path, ['Trigger', 'intent', 'generic', 'topic']);
    assert.equal(report.diverged, false, JSON.stringify(report, null, 2));

    const { file } = await record(executionSid, 'reply.test.yaml');
    const test = file.tests[0]!;
    // The recorder keeps real gaps between messages as waits (a loaded machine may take a second between the two posts).
    const sends = test.script?.filter((step) => !('wait' in step));
    assert.deepEqual(sends, [{ send: { body: 'billing', params: { ChannelSid: CHAT, ChannelAttributes: JSON.stringify({ from: contact }) } } }]);
    assert.deepEqual(test.expect?.variables, { topic: `billing via ${CHAT}` });
    const summary = runFiles([join(dir, 'reply.test.yaml')]);
    assert.equal(summary.failed, 0, textReport(summary));
  });

  it('a call with HandoffData and a SIP header: the replay takes the same path and sets the same variables', async () => {
    const caller = '+15557770001';
    const callSid = 'CA' + 'b'.repeat(32);
    await post({
      AccountSid: server.account.sid,
      ApiVersion: '2010-04-01',
      CallSid: callSid,
      CallStatus: 'ringing',
      Direction: 'inbound',
      From: caller,
      To: '+15005550006',
      HandoffData: JSON.stringify({ tier: 'vip' }),
      SipHeader_X: 'agent-7',
    });
    const executionSid = await newestExecution(caller);
    const report = await replay(executionSid);
    assert.deepEqual(report.original.path, ['Trigger', 'callIntent', 'vip']);
    assert.equal(report.diverged, false, JSON.stringify(report, null, 2));

    const { file } = await record(executionSid, 'call.test.yaml');
    const test = file.tests[0]!;
    assert.ok('call' in test.trigger);
    assert.equal(test.trigger.call.params?.HandoffData, '{"tier":"vip"}');
    assert.equal(test.trigger.call.params?.CallSid, callSid);
    assert.deepEqual(test.expect?.variables, { via: `agent-7 ${callSid}` });
    const summary = runFiles([join(dir, 'call.test.yaml')]);
    assert.equal(summary.failed, 0, textReport(summary));
  });
});
