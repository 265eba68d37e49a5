// `test --record` from an execution a Conversations message started: the engine adds Studio's
// documented From and ChannelSid to trigger.conversation (from Author and ConversationSid), and adds
// them again when the test runs, so the recorded trigger leaves them out (they were listed under
// `params`); a From or ChannelSid the webhook posted otherwise is the trigger's own and is kept.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runCliInProcess } from '../support/cli-in-process.ts';
import { startTestServer, FORM, form, type TestServer } from '../support/server.ts';
import { wiredTriggerFlow } from '../support/flows.ts';
import { testCommand } from '../../src/cli/test.ts';
import { triggerFromContext } from '../../src/flowtest/derive.ts';
import { normalizeTriggerData } from '../../src/engine/trigger-data.ts';

const definition = wiredTriggerFlow('conversation trigger', { incomingConversationMessage: 'ask' }, [
  {
    name: 'ask',
    type: 'send-and-wait-for-reply',
    properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', body: '{{trigger.conversation.From}} in {{trigger.conversation.ChannelSid}} said {{trigger.conversation.Body}}. Name?', timeout: '3600' },
    transitions: [{ event: 'incomingMessage', next: 'bye' }, { event: 'timeout' }, { event: 'deliveryFailure' }],
  },
  {
    name: 'bye',
    type: 'send-message',
    properties: { offset: { x: 0, y: 400 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'Bye {{widgets.ask.inbound.Body}}' },
    transitions: [{ event: 'sent' }, { event: 'failed' }],
  },
]);

describe('test --record: a Conversations trigger', () => {
  let server: TestServer;
  let flowSid = '';
  let executionSid = '';
  let dir = '';
  const contact = '+15551260001';
  before(async () => {
    server = await startTestServer({ listen: true });
    flowSid = (await server.app.flows.create(server.account.sid, { friendlyName: 'Chat', status: 'published', definition })).sid;
    for (const body of ['hello', 'Ada']) {
      const r = await server.app.server.inject({ method: 'POST', url: `/simulator/Flows/${flowSid}/Messages`, headers: { authorization: server.auth, ...FORM }, payload: form({ From: contact, Body: body }) });
      assert.equal(r.statusCode, 201, r.body);
      executionSid = JSON.parse(r.body).execution_sid;
      await server.app.executions.idle();
    }
    dir = mkdtempSync(join(tmpdir(), 'sb-record-conversation-'));
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves out the From and ChannelSid the engine filled in, and the recorded test passes', async () => {
    const res = await server.app.server.inject({ method: 'GET', url: `/v2/Flows/${flowSid}/Executions/${executionSid}/Context`, headers: { authorization: server.auth } });
    assert.equal(res.statusCode, 200, res.body);
    const live = res.json().context.trigger.conversation as Record<string, unknown>;
    // What the engine added, to be left out: From = Author, ChannelSid = ConversationSid.
    assert.equal(live.From, contact);
    assert.equal(live.From, live.Author);
    assert.equal(live.ChannelSid, live.ConversationSid);
    const out = join(dir, 'chat.test.yaml');
    writeFileSync(join(dir, 'chat.json'), JSON.stringify(definition));
    const creds = ['--base-url', server.baseUrl, '--account-sid', server.account.sid, '--auth-token', server.account.authToken];
    const recorded = await runCliInProcess(testCommand, ['--record', '--flow', flowSid, '--execution', executionSid, '--out', out, '--flow-file', join(dir, 'chat.json'), ...creds], process.cwd());
    assert.equal(recorded.code, 0, recorded.stdout + recorded.stderr);
    const file = parse(readFileSync(out, 'utf8')) as { tests: { trigger: { conversation: { from: string; conversationSid: string; params?: Record<string, unknown> } }; expect: { messages: string[] } }[] };
    const trigger = file.tests[0]!.trigger.conversation;
    assert.equal(trigger.from, contact);
    assert.match(trigger.conversationSid, /^CH[0-9a-f]{32}$/);
    assert.equal(trigger.params?.From, undefined, JSON.stringify(trigger));
    assert.equal(trigger.params?.ChannelSid, undefined, JSON.stringify(trigger));
    assert.deepEqual(file.tests[0]!.expect.messages, [`${contact} in ${trigger.conversationSid} said hello. Name?`, 'Bye Ada']);
    const run = await runCliInProcess(testCommand, [out, '--no-color'], process.cwd());
    assert.equal(run.code, 0, run.stdout + run.stderr);
  });
});

describe('triggerFromContext: a conversation', () => {
  const posted = { Body: 'hi', Author: 'alice', ConversationSid: 'CH' + 'a'.repeat(32), MessageSid: 'IM' + 'b'.repeat(32), Source: 'SDK' };

  it('the From and ChannelSid normalizeTriggerData fills are not params; other fields are', () => {
    const conversation = normalizeTriggerData({ conversation: posted }).conversation;
    assert.equal((conversation as Record<string, unknown>).From, 'alice');
    assert.deepEqual(triggerFromContext({ conversation }), { conversation: { body: 'hi', from: 'alice', conversationSid: posted.ConversationSid, params: { Source: 'SDK' } } });
  });

  it('a From or ChannelSid the webhook posted otherwise is kept', () => {
    const conversation = normalizeTriggerData({ conversation: { ...posted, From: '+15550001111', ChannelSid: 'CH' + 'c'.repeat(32) } }).conversation;
    assert.deepEqual(triggerFromContext({ conversation }), {
      conversation: { body: 'hi', from: 'alice', conversationSid: posted.ConversationSid, params: { Source: 'SDK', From: '+15550001111', ChannelSid: 'CH' + 'c'.repeat(32) } },
    });
  });
});
