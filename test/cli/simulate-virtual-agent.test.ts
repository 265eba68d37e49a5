// `switchboard simulate` while a virtual agent has the conversation (Connect Virtual Agent, Conversations
// channel): a hint line says so once per session, texts still go to the agent, and `/agent [status] [provider
// data]` ends its session as the simulator's VirtualAgent action does; the flow goes on by the status.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { agentEndRequest } from '../../src/cli/simulate.ts';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

const at = (y: number) => ({ offset: { x: 0, y } });
const say = (name: string, body: string, y: number) => ({ name, type: 'send-message', properties: { ...at(y), from: 'Bot', to: '{{contact.channel.address}}', body }, transitions: [{ event: 'sent' }, { event: 'failed' }] });
const FLOW = {
  description: 'virtual agent',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', properties: at(0), transitions: [{ event: 'incomingMessage' }, { event: 'incomingCall' }, { event: 'incomingConversationMessage', next: 'agent' }, { event: 'incomingRequest' }, { event: 'incomingParent' }] },
    {
      name: 'agent',
      type: 'connect-virtual-agent-v2',
      properties: { ...at(200), channel: 'conversations', connector_name: 'order-handling-va', timeout: '300' },
      transitions: [
        { event: 'completed', next: 'done' },
        { event: 'live-agent-handoff', next: 'handoff' },
        { event: 'hangup' },
        { event: 'failed' },
        { event: 'paused' },
        { event: 'timeout' },
      ],
    },
    say('done', 'Done: {{widgets.agent.VirtualAgentProviderData.summary}}', 400),
    say('handoff', 'Handing you to {{widgets.agent.VirtualAgentProviderData.AgentHandoffParameters.queue}}', 600),
  ],
};

function simulate(input: string) {
  const dir = mkdtempSync(join(tmpdir(), 'sb-simulate-va-'));
  try {
    const file = join(dir, 'agent.json');
    writeFileSync(file, JSON.stringify(FLOW));
    const env = { ...process.env, SWITCHBOARD_DATA_DIR: join(dir, 'data'), TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '', SWITCHBOARD_DEV: '' };
    return spawnSync(process.execPath, [main, 'simulate', file, '--from', '+15550003333'], { input, encoding: 'utf8', env, timeout: 60_000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('switchboard simulate: a virtual agent in the conversation', () => {
  it('reads /agent lines as the session end: status, then provider data; other lines are texts', () => {
    assert.equal(agentEndRequest('hello'), null);
    assert.equal(agentEndRequest('/agents'), null, 'not the command');
    assert.deepEqual(agentEndRequest('/agent'), { VirtualAgentStatus: 'completed' });
    assert.deepEqual(agentEndRequest(' /agent failed '), { VirtualAgentStatus: 'failed' });
    assert.deepEqual(agentEndRequest('/agent live-agent-handoff {"a": 1}'), { VirtualAgentStatus: 'live-agent-handoff', VirtualAgentProviderData: '{"a": 1}' });
    assert.deepEqual(agentEndRequest('/agent {"summary":"x"}'), { VirtualAgentStatus: 'completed', VirtualAgentProviderData: '{"summary":"x"}' });
    assert.equal(agentEndRequest('/agent paused'), 'not understood');
  });

  it('hints once while the agent has the conversation, and /agent ends its session', () => {
    const result = simulate(
      ['hello', 'where is my order?', '/agent paused', '/agent live-agent-handoff {"AgentHandoffParameters":{"queue":"billing"}}', '/agent', ''].join('\n') + '\n',
    );
    assert.equal(result.status, 0, result.stderr);
    const out = result.stdout;
    assert.match(out, /Trigger —incomingConversationMessage→ agent/);
    const hints = out.match(/a virtual agent \(order-handling-va\) has the conversation: your texts go to it\. End its session with \/agent completed \| live-agent-handoff \| failed/g) ?? [];
    assert.equal(hints.length, 1, out);
    assert.match(out, /\(not understood: \/agent completed/);
    assert.match(out, /\(virtual agent session ended: live-agent-handoff\)/);
    assert.match(out, /agent —live-agent-handoff→ handoff/);
    assert.match(out, /← Handing you to billing/);
    assert.match(out, /\(no virtual agent has the conversation now\)/);
    assert.ok(out.indexOf('not understood') < out.indexOf('session ended'), 'in the order typed');
  });
});
