// Connect Virtual Agent on the Conversations channel, on the simulator: the agent has the conversation (the
// contact's messages are recorded and go to no widget of the flow), and is scripted as the voice one is: POST
// /simulator/Flows/{FW}/Executions/{FN}/VirtualAgent ends its session with a status and what the agent reports,
// and the flow goes on by that event. No reply within the widget's timeout (the server's clock, simulated here)
// leaves by `timeout`; the simulator drops the session.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, FORM, form, type TestServer } from '../support/server.ts';
import { wiredTriggerFlow } from '../support/flows.ts';

interface Entry {
  direction: string;
  body: string;
  execution_sid: string | null;
}

const at = (y: number) => ({ offset: { x: 0, y } });
const say = (name: string, body: string, y: number) => ({ name, type: 'send-message', properties: { ...at(y), from: 'Bot', to: '{{contact.channel.address}}', body }, transitions: [{ event: 'sent' }, { event: 'failed' }] });

const definition = wiredTriggerFlow('virtual agent', { incomingConversationMessage: 'agent' }, [
  {
    name: 'agent',
    type: 'connect-virtual-agent-v2',
    properties: { ...at(200), channel: 'conversations', connector_name: 'order-handling-va', parameters: [{ key: 'greeting', value: '{{trigger.conversation.Body}}' }], timeout: '300' },
    transitions: [
      { event: 'completed', next: 'done' },
      { event: 'live-agent-handoff', next: 'handoff' },
      { event: 'hangup' },
      { event: 'failed', next: 'sorry' },
      { event: 'paused' },
      { event: 'timeout', next: 'gone' },
    ],
  },
  say('done', 'Done: {{widgets.agent.VirtualAgentProviderData.summary}}', 400),
  say('handoff', 'Handing you to {{widgets.agent.VirtualAgentProviderData.AgentHandoffParameters.queue}}', 600),
  say('sorry', 'Sorry ({{widgets.agent.VirtualAgentErrorCode}}: {{widgets.agent.VirtualAgentError}})', 800),
  say('gone', 'Still there? ({{widgets.agent.VirtualAgentProvider}})', 1000),
]);

describe('simulator: Connect Virtual Agent in a conversation', () => {
  let t: TestServer;
  const clock = { ms: Date.parse('2026-06-01T00:00:00Z') };
  let flowSid: string;
  let n = 0;
  before(async () => {
    t = await startTestServer({ now: () => clock.ms });
    flowSid = (await t.app.flows.create(t.account.sid, { friendlyName: 'va', status: 'published', definition })).sid;
  });
  after(() => t.close());

  const text = async (fields: Record<string, string>, flow = flowSid) => {
    const res = await t.app.server.inject({ method: 'POST', url: `/simulator/Flows/${flow}/Messages`, headers: { authorization: t.auth, ...FORM }, payload: form(fields) });
    assert.equal(res.statusCode, 201, res.body);
    return res.json() as { execution_sid: string; messages: Entry[] };
  };
  const endSession = (executionSid: string, fields: Record<string, string>, flow = flowSid) =>
    t.app.server.inject({ method: 'POST', url: `/simulator/Flows/${flow}/Executions/${executionSid}/VirtualAgent`, headers: { authorization: t.auth, ...FORM }, payload: form(fields) });
  const steps = async (executionSid: string) => (await t.app.store.listSteps(t.account.sid, flowSid, executionSid, { pageSize: 50 })).items.map((s) => `${s.transitionedFrom} -${s.name}-> ${s.transitionedTo}`);
  /** A contact in a conversation of their own, who has started the flow: the agent has the conversation. */
  const started = async () => {
    const contact = `visitor-${++n}`;
    const conversation = 'CH' + String(n).padStart(32, '0');
    const first = await text({ From: contact, To: conversation, Body: 'hello' });
    assert.ok(first.execution_sid);
    assert.deepEqual(await steps(first.execution_sid), ['Trigger -incomingConversationMessage-> agent']);
    return { contact, conversation, executionSid: first.execution_sid };
  };

  it('the agent has the conversation until its session ends; then the flow goes on by the status, with its outputs', async () => {
    const { contact, conversation, executionSid } = await started();
    const session = t.app.simulator.agentSession(conversation);
    assert.deepEqual(
      { connector: session?.connectorName, endUser: session?.endUser, parameters: session?.parameters, executionSid: session?.executionSid },
      { connector: 'order-handling-va', endUser: contact, parameters: [{ key: 'greeting', value: 'hello' }], executionSid },
    );
    // The contact talks to the agent: recorded, same execution, no step of the flow.
    const reply = await text({ From: contact, To: conversation, Body: 'where is my order?' });
    assert.equal(reply.execution_sid, executionSid);
    assert.deepEqual(reply.messages.map((m) => m.body), ['hello', 'where is my order?']);
    assert.deepEqual(await steps(executionSid), ['Trigger -incomingConversationMessage-> agent']);

    const res = await endSession(executionSid, { VirtualAgentStatus: 'live-agent-handoff', VirtualAgentProviderData: '{"AgentHandoffParameters":{"queue":"billing"}}' });
    assert.equal(res.statusCode, 200, res.body);
    const answer = res.json();
    assert.equal(answer.status, 'live-agent-handoff');
    assert.equal(answer.execution_status, 'ended');
    assert.equal(answer.session_id, session!.sessionId);
    assert.deepEqual(answer.messages.map((m: Entry) => m.body), ['hello', 'where is my order?', 'Handing you to billing']);
    assert.deepEqual(await steps(executionSid), ['Trigger -incomingConversationMessage-> agent', 'agent -live-agent-handoff-> handoff', 'handoff -sent-> Ended']);
    assert.equal(t.app.simulator.agentSession(conversation), undefined, 'the session is over');
    // Over: another end is refused.
    const again = await endSession(executionSid, {});
    assert.equal(again.statusCode, 409, again.body);
    assert.equal(again.json().code, 20409);
  });

  it('a contact who texted the number: the answer holds their transcript as they see it (the proxy number), as a text\'s does', async () => {
    const contact = '+15551239001';
    const first = await text({ From: contact, To: '+15005550006', Body: 'hi' });
    assert.ok(first.execution_sid);
    const res = await endSession(first.execution_sid, { VirtualAgentStatus: 'live-agent-handoff', VirtualAgentProviderData: '{"AgentHandoffParameters":{"queue":"billing"}}' });
    assert.equal(res.statusCode, 200, res.body);
    const answer = res.json() as { messages: Array<Entry & { from: string; to: string; sid: string; sequence: number }> };
    const shown = await t.app.server.inject({ method: 'GET', url: `/simulator/Flows/${flowSid}/Messages?Contact=${encodeURIComponent(contact)}`, headers: { authorization: t.auth } });
    const transcript = (shown.json() as { messages: unknown[] }).messages;
    // The conversation's own view (to/from CH…, other sequence numbers) replaced these in the console's Chat,
    // which then sent the contact's next texts into the conversation as a chat participant.
    assert.deepEqual(answer.messages, transcript);
    assert.deepEqual(answer.messages.map((m) => [m.direction, m.from, m.to, m.body]), [
      ['inbound', contact, '+15005550006', 'hi'],
      ['outbound-api', '+15005550006', contact, 'Handing you to billing'],
    ]);
  });

  it('completed (the default status) and failed, with what the agent reports', async () => {
    const completed = await started();
    const done = await endSession(completed.executionSid, { VirtualAgentProviderData: '{"summary":"refund issued"}' });
    assert.equal(done.json().status, 'completed');
    assert.equal(done.json().messages.at(-1).body, 'Done: refund issued');

    const failed = await started();
    const sorry = await endSession(failed.executionSid, { VirtualAgentStatus: 'failed', VirtualAgentErrorCode: '32601', VirtualAgentError: 'Dialogflow unreachable' });
    assert.equal(sorry.json().messages.at(-1).body, 'Sorry (32601: Dialogflow unreachable)');
  });

  it('no reply within the timeout: the flow leaves by timeout and the simulator drops the session', async () => {
    const { contact, conversation, executionSid } = await started();
    clock.ms += 200_000;
    // A reply restarts the 300 s timeout.
    await text({ From: contact, To: conversation, Body: 'hmm' });
    clock.ms += 200_000;
    await t.app.executions.fireDueTimers();
    assert.deepEqual(await steps(executionSid), ['Trigger -incomingConversationMessage-> agent']);
    clock.ms += 101_000;
    await t.app.executions.fireDueTimers();
    await t.app.executions.idle();
    assert.deepEqual(await steps(executionSid), ['Trigger -incomingConversationMessage-> agent', 'agent -timeout-> gone', 'gone -sent-> Ended']);
    const transcript = t.app.simulator.transcript(conversation, contact).map((m) => m.body);
    assert.deepEqual(transcript, ['hello', 'hmm', 'Still there? (DialogflowCX)']);
    assert.equal(t.app.simulator.agentSession(conversation), undefined);
    // Replayed, the session times out as it did (the contact's message, which no step holds, had put it off):
    // the replay used to wait on the agent for ever and report a divergence at the timeout step.
    const replay = await t.app.server.inject({ method: 'GET', url: `/replay/Flows/${flowSid}/Executions/${executionSid}`, headers: { authorization: t.auth } });
    assert.equal(replay.statusCode, 200, replay.body);
    assert.deepEqual(replay.json().step_diff, ['  Trigger -incomingConversationMessage-> agent', '  agent -timeout-> gone', '  gone -sent-> Ended']);
    assert.equal(replay.json().diverged, false);
  });

  it('ending or deleting the execution takes the conversation back from the agent (the simulator drops the session)', async () => {
    const ended = await started();
    assert.ok(t.app.simulator.agentSession(ended.conversation));
    const update = await t.app.server.inject({ method: 'POST', url: `/v2/Flows/${flowSid}/Executions/${ended.executionSid}`, headers: { authorization: t.auth, ...FORM }, payload: form({ Status: 'ended' }) });
    assert.equal(update.statusCode, 200, update.body);
    await t.app.executions.idle();
    assert.equal(t.app.simulator.agentSession(ended.conversation), undefined);

    const deleted = await started();
    assert.ok(t.app.simulator.agentSession(deleted.conversation));
    const res = await t.app.server.inject({ method: 'DELETE', url: `/v2/Flows/${flowSid}/Executions/${deleted.executionSid}`, headers: { authorization: t.auth } });
    assert.equal(res.statusCode, 204, res.body);
    assert.equal(t.app.simulator.agentSession(deleted.conversation), undefined);
    // The agent's report for a session of an execution that is gone is refused, and changes nothing.
    const late = await endSession(deleted.executionSid, { VirtualAgentStatus: 'completed' });
    assert.equal(late.statusCode, 404, late.body);
  });

  it('deleting the whole flow (v2 or v1) takes every conversation back from its agent first', async () => {
    for (const version of ['v2', 'v1']) {
      const sid = (await t.app.flows.create(t.account.sid, { friendlyName: `va ${version}`, status: 'published', definition })).sid;
      const started3: { conversation: string; executionSid: string }[] = [];
      for (let i = 0; i < 3; i++) {
        const conversation = 'CH' + String(++n).padStart(32, '0');
        started3.push({ conversation, executionSid: (await text({ From: `visitor-${n}`, To: conversation, Body: 'hello' }, sid)).execution_sid });
      }
      const conversations = started3.map((s) => s.conversation);
      // One of the flow's executions no longer waits on its agent: nothing to take back there.
      const end = await t.app.server.inject({ method: 'POST', url: `/v2/Flows/${sid}/Executions/${started3[0]!.executionSid}`, headers: { authorization: t.auth, ...FORM }, payload: form({ Status: 'ended' }) });
      assert.equal(end.statusCode, 200, end.body);
      await t.app.executions.idle();
      assert.equal(t.app.simulator.agentSession(conversations[0]!), undefined);
      for (const conversation of conversations.slice(1)) assert.ok(t.app.simulator.agentSession(conversation));
      // Another flow's session is not touched.
      const other = await started();
      const res = await t.app.server.inject({ method: 'DELETE', url: `/${version}/Flows/${sid}`, headers: { authorization: t.auth } });
      assert.equal(res.statusCode, 204, res.body);
      for (const conversation of conversations) assert.equal(t.app.simulator.agentSession(conversation), undefined, `${version}: ${conversation}`);
      assert.ok(t.app.simulator.agentSession(other.conversation), 'the other flow keeps its agent');
      assert.equal((await t.app.server.inject({ method: 'DELETE', url: `/${version}/Flows/${sid}`, headers: { authorization: t.auth } })).statusCode, 404);
    }
  });

  it('refuses to end a session on an account whose carrier is the Twilio carrier or the webhook channel (409 naming it): a real connector has it', async () => {
    const { conversation, executionSid } = await started();
    const carrier = (fields: Record<string, string> | null) =>
      t.app.server.inject({
        method: fields ? 'POST' : 'DELETE',
        url: `/v1/Accounts/${t.account.sid}/Carrier`,
        headers: { authorization: t.auth, ...(fields ? FORM : {}) },
        ...(fields ? { payload: form(fields) } : {}),
      });
    try {
      const configs: Record<string, string>[] = [
        { Channel: 'twilio', UpstreamAccountSid: 'AC' + 'a'.repeat(32), AuthToken: 'x'.repeat(32) },
        { Channel: 'webhook', WebhookUrl: 'https://hooks.example.com/sms' },
      ];
      for (const config of configs) {
        const set = await carrier(config);
        assert.equal(set.statusCode, 200, set.body);
        const refused = await endSession(executionSid, { VirtualAgentStatus: 'failed', VirtualAgentError: 'nope' });
        assert.equal(refused.statusCode, 409, refused.body);
        const body = refused.json();
        assert.equal(body.code, 20409);
        assert.equal(body.status, 409);
        assert.match(body.message, new RegExp(`the ${config.Channel} channel, not the simulator`));
        assert.equal(body.more_info, 'https://www.twilio.com/docs/errors/20409');
        // Nothing changed: the execution still waits on its agent, the simulator's session is still there.
        assert.deepEqual(await steps(executionSid), ['Trigger -incomingConversationMessage-> agent']);
        assert.ok(t.app.simulator.agentSession(conversation));
      }
    } finally {
      assert.equal((await carrier(null)).statusCode, 204);
    }
    // Back on the simulator: the session ends.
    assert.equal((await endSession(executionSid, {})).statusCode, 200);
  });

  it('refuses a status the widget has no event for (400), another flow\'s or an unknown execution (404)', async () => {
    const { executionSid } = await started();
    const bad = await endSession(executionSid, { VirtualAgentStatus: 'paused' });
    assert.equal(bad.statusCode, 400, bad.body);
    assert.match(bad.json().message, /VirtualAgentStatus/);
    const other = (await t.app.flows.create(t.account.sid, { friendlyName: 'other', status: 'published', definition })).sid;
    assert.equal((await endSession(executionSid, {}, other)).statusCode, 404);
    assert.equal((await endSession('FN' + 'f'.repeat(32), {})).statusCode, 404);
    assert.equal((await endSession('not-a-sid', {})).statusCode, 404);
    const nul = await endSession(executionSid, { VirtualAgentError: 'a\u0000b' });
    assert.equal(nul.statusCode, 400, nul.body);
    assert.match(nul.json().message, /VirtualAgentError/);
    const long = await endSession(executionSid, { ConversationSid: 'CH' + 'a'.repeat(300) });
    assert.equal(long.statusCode, 400, long.body);
    assert.match(long.json().message, /ConversationSid/);
    // Still in the session after the refusals.
    assert.equal((await endSession(executionSid, {})).statusCode, 200);
  });
});
