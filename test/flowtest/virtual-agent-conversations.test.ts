// Flow tests of Connect Virtual Agent on the Conversations channel, on the simulated clock: mocks.virtualAgent
// ends the agent's session (status, params, and `delay` after the agent took the conversation); the contact's
// messages meanwhile (`send:`) restart the widget's reply timeout, which ends the session first when it passes;
// unmocked, the agent never ends it (the test notes it), so only the timeout moves the flow on.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFiles } from '../../src/flowtest/runner.ts';
import { textReport } from '../../src/flowtest/reporters.ts';
import { triggerFlow } from '../support/flows.ts';

const CONVERSATION = 'CH' + 'b'.repeat(32);

const say = (name: string, body: string) => ({ name, type: 'send-message', properties: { from: 'Bot', to: '{{contact.channel.address}}', body }, transitions: [{ event: 'sent' }, { event: 'failed' }] });

const flow = triggerFlow('virtual agent', 'incomingConversationMessage', 'agent', [
  {
    name: 'agent',
    type: 'connect-virtual-agent-v2',
    properties: { channel: 'conversations', connector_name: 'order-handling-va', timeout: '300' },
    transitions: [
      { event: 'completed', next: 'done' },
      { event: 'live-agent-handoff', next: 'handoff' },
      { event: 'hangup' },
      { event: 'failed', next: 'sorry' },
      { event: 'paused' },
      { event: 'timeout', next: 'gone' },
    ],
  },
  say('done', 'Done ({{widgets.agent.VirtualAgentProvider}})'),
  say('handoff', 'To {{widgets.agent.VirtualAgentProviderData.AgentHandoffParameters.queue}}'),
  say('sorry', 'Sorry: {{widgets.agent.VirtualAgentError}}'),
  say('gone', 'Bye'),
]);

function run(tests: string) {
  const dir = mkdtempSync(join(tmpdir(), 'sb-va-conversations-'));
  try {
    writeFileSync(join(dir, 'flow.json'), JSON.stringify(flow));
    const file = join(dir, 'va.test.yaml');
    writeFileSync(file, `flow: flow.json\ntests:\n${tests}`);
    return runFiles([file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const trigger = `trigger: { conversation: { body: hi, from: visitor, conversationSid: ${CONVERSATION} } }`;

describe('flow tests: Connect Virtual Agent in a conversation', () => {
  it('a virtualAgent mock ends the session with its status and params', () => {
    const summary = run(`  - name: handoff
    ${trigger}
    mocks:
      virtualAgent:
        - status: live-agent-handoff
          params: { VirtualAgentProviderData: '{"AgentHandoffParameters":{"queue":"billing"}}' }
    expect:
      path: [Trigger, agent, handoff]
      messages: [To billing]
      widgets: { agent: { VirtualAgentStatus: live-agent-handoff, VirtualAgentProvider: DialogflowCX } }
      end: completed
  - name: failed
    ${trigger}
    mocks: { virtualAgent: [{ status: failed, params: { VirtualAgentError: no agent } }] }
    expect: { path: [Trigger, agent, sorry], messages: ["Sorry: no agent"] }
`);
    assert.deepEqual(summary.results.map((r) => r.status), ['passed', 'passed'], textReport(summary));
  });

  it('the contact\'s messages restart the timeout until the agent ends the session after its delay', () => {
    const summary = run(`  - name: kept talking
    ${trigger}
    mocks: { virtualAgent: [{ status: completed, delay: 10m }] }
    script:
      - wait: 4m
      - send: where is it?
      - wait: 4m
      - send: hello?
    expect:
      path: [Trigger, agent, done]
      steps: { contains: [{ from: agent, event: completed, to: done }] }
      messages: ["Done (DialogflowCX)"]
  - name: went quiet
    ${trigger}
    mocks: { virtualAgent: [{ status: completed, delay: 10m }] }
    script:
      - wait: 4m
      - send: where is it?
    expect:
      path: [Trigger, agent, gone]
      messages: [Bye]
`);
    assert.deepEqual(summary.results.map((r) => r.status), ['passed', 'passed'], textReport(summary));
    const quiet = summary.results[1]!.observation!;
    // 4 min, then the message restarts the 300 s timeout: it falls due at 9 min, before the agent's end at 10.
    assert.equal(quiet.steps.find((s) => s.from === 'agent')!.at - quiet.steps[0]!.at, 540_000);
    assert.deepEqual(summary.results[1]!.notes ?? [], []);
  });

  it('unmocked, the agent never ends its session: the test notes it, and only the timeout moves the flow on', () => {
    const summary = run(`  - name: waiting
    ${trigger}
    expect: { path: [Trigger, agent], end: waiting }
  - name: timed out
    ${trigger}
    script: [{ wait: 5m }]
    expect: { path: [Trigger, agent, gone], messages: [Bye] }
`);
    assert.deepEqual(summary.results.map((r) => r.status), ['passed', 'passed'], textReport(summary));
    assert.match(summary.results[0]!.notes?.join('\n') ?? '', /widget 'agent' ran unmocked: the virtual agent has the conversation and never ends its session/);
  });

  it('a status a conversation session cannot end with is reported', () => {
    const summary = run(`  - name: hangup
    ${trigger}
    mocks: { virtualAgent: [{ status: hangup }] }
    expect: { path: [Trigger, agent, sorry] }
`);
    assert.equal(summary.results[0]!.status, 'failed', textReport(summary));
    assert.match(textReport(summary), /says hangup, which a session in a conversation cannot end with/);
  });
});
