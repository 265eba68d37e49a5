// Connect Virtual Agent v2 with `channel: conversations` (reference §2.14): in an execution in a conversation
// the widget asks the channel to connect the agent (connector, rendered parameters, the contact as end user),
// waits while the agent has the conversation (each contact message restarts the `timeout` reply timer), and
// leaves by the session's status (completed, live-agent-handoff, failed) with its outputs, or by `timeout`, the
// flow then taking the conversation back. On a simulated clock: every event is applied at the time given.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { handleEvent, startExecution } from '../../src/engine/interpreter.ts';
import type { Effect, EngineEvent, EngineInput, ExecutionState, JsonObject, SprintResult } from '../../src/engine/types.ts';
import { triggerFlow } from '../support/flows.ts';

const CONVERSATION = 'CH' + 'c'.repeat(32);
const CONTACT = 'visitor-7';
const T0 = Date.parse('2026-05-01T10:00:00Z');

type AgentProps = Record<string, unknown>;

function agentFlow(props: AgentProps = {}, trigger: 'incomingConversationMessage' | 'incomingMessage' = 'incomingConversationMessage') {
  const next = (event: string) => ({ event, next: `after_${event.replace(/-/g, '_')}` });
  const after = (event: string) => ({
    name: `after_${event.replace(/-/g, '_')}`,
    type: 'set-variables',
    properties: { variables: [{ key: 'left', value: event }] },
    transitions: [{ event: 'next' }],
  });
  return triggerFlow('virtual agent', trigger, 'set', [
    { name: 'set', type: 'set-variables', properties: { variables: [{ key: 'lang', value: 'en' }] }, transitions: [{ event: 'next', next: 'agent' }] },
    {
      name: 'agent',
      type: 'connect-virtual-agent-v2',
      properties: { channel: 'conversations', connector_name: 'cx-{{flow.variables.lang}}', parameters: [{ key: 'lang', value: '{{flow.variables.lang}}' }, { key: 'who', value: '{{contact.channel.address}}' }], timeout: '120', ...props },
      transitions: ['completed', 'live-agent-handoff', 'hangup', 'failed', 'paused', 'timeout'].map(next),
    },
    ...['completed', 'live-agent-handoff', 'failed', 'timeout'].map(after),
  ]);
}

/** An execution driven event by event on a clock the test moves. */
class Run {
  now = T0;
  counter = 0;
  state!: ExecutionState;
  results: SprintResult[] = [];
  readonly definition: ReturnType<typeof agentFlow>;
  constructor(definition: ReturnType<typeof agentFlow>) {
    this.definition = definition;
  }
  input(): EngineInput {
    return { definition: this.definition, now: this.now, newId: (prefix) => prefix + String(++this.counter).padStart(32, '0') };
  }
  take(result: SprintResult): SprintResult {
    this.state = result.state;
    this.results.push(result);
    return result;
  }
  start(addresses = { flow: CONVERSATION, contact: CONTACT }, trigger: 'incomingConversationMessage' | 'incomingMessage' = 'incomingConversationMessage'): SprintResult {
    const data: JsonObject = trigger === 'incomingConversationMessage' ? { conversation: { ConversationSid: CONVERSATION, Author: CONTACT, Body: 'hi' } } : { message: { From: addresses.contact, To: addresses.flow, Body: 'hi' } };
    const init = { executionSid: 'FN' + '0'.repeat(32), accountSid: 'AC' + '0'.repeat(32), flowSid: 'FW' + '0'.repeat(32), revision: 1, channelAddress: addresses.flow, contactAddress: addresses.contact };
    return this.take(startExecution(this.input(), init, trigger, data, {}));
  }
  /** Applies `event` `seconds` after the start (the event arrives then: what fell due before it happens first). */
  at(seconds: number, event: EngineEvent): SprintResult {
    this.now = T0 + seconds * 1000;
    return this.take(handleEvent(this.input(), this.state, event, { arrivedAt: this.now }));
  }
  steps(): string[] {
    return this.results.flatMap((r) => r.steps.map((s) => `${s.transitionedFrom} -${s.name}-> ${s.transitionedTo}`));
  }
  outputs(widget: string): JsonObject {
    return this.state.frames[0]!.widgets[widget] as JsonObject;
  }
}

function effect<T extends Effect['type']>(result: SprintResult, type: T): Extract<Effect, { type: T }> {
  const found = result.effects.find((e): e is Extract<Effect, { type: T }> => e.type === type);
  assert.ok(found, `a ${type} effect in ${JSON.stringify(result.effects)}`);
  return found;
}

/** Starts the flow and connects the agent (session VA1); returns the run and the reply timer's set-timer. */
function connected(props: AgentProps = {}) {
  const run = new Run(agentFlow(props));
  const started = run.start();
  const connect = effect(started, 'connect-virtual-agent');
  const result = run.at(1, { type: 'effect-result', effectId: connect.effectId, result: { kind: 'virtual-agent-connected', sessionId: 'VA1', outputs: { VirtualAgentProvider: 'DialogflowCX' } } });
  return { run, connect, timer: effect(result, 'set-timer'), result };
}

describe('Connect Virtual Agent on the Conversations channel', () => {
  it('asks the channel to connect the agent to the conversation: connector and parameters rendered, the contact as end user', () => {
    const { connect, timer, result, run } = connected();
    assert.deepEqual(connect.request, {
      conversationSid: CONVERSATION,
      connectorName: 'cx-en',
      endUser: CONTACT,
      parameters: [
        { key: 'lang', value: 'en' },
        { key: 'who', value: CONTACT },
      ],
    });
    // The agent has the conversation: the reply timer runs `timeout` seconds from the connection.
    assert.equal(timer.dueAt, T0 + 1000 + 120_000);
    assert.deepEqual(result.steps, []);
    assert.equal(run.state.frames[0]!.wait?.kind, 'virtual-agent');
  });

  it('each contact message restarts the reply timer; the session\'s end leaves by its status with its outputs', () => {
    const { run, timer } = connected();
    const reply = run.at(100, { type: 'inbound-message', message: { Author: CONTACT, Body: 'my order is late', ConversationSid: CONVERSATION } });
    assert.deepEqual(reply.steps, [], 'the message is the agent\'s, not a step of the flow');
    assert.deepEqual(reply.diagnostics, []);
    assert.deepEqual(reply.effects.map((e) => e.type), ['cancel-timer', 'set-timer']);
    assert.equal(effect(reply, 'cancel-timer').timerId, timer.timerId);
    const again = effect(reply, 'set-timer');
    assert.equal(again.dueAt, T0 + 100_000 + 120_000);
    // 200 s: past the first timer's due time, before the second's: the agent still has the conversation.
    const ended = run.at(200, {
      type: 'virtual-agent-ended',
      sessionId: 'VA1',
      params: { VirtualAgentStatus: 'live-agent-handoff', VirtualAgentProviderData: '{"ConversationId":"cx-1","AgentHandoffParameters":{"queue":"billing"}}' },
    });
    assert.deepEqual(run.steps().slice(-2), ['agent -live-agent-handoff-> after_live_agent_handoff', 'after_live_agent_handoff -next-> Ended']);
    assert.deepEqual(ended.effects.filter((e) => e.type === 'cancel-timer').map((e) => (e as { timerId: string }).timerId), [again.timerId]);
    assert.deepEqual(run.outputs('agent'), {
      VirtualAgentProvider: 'DialogflowCX',
      VirtualAgentStatus: 'live-agent-handoff',
      VirtualAgentProviderData: { ConversationId: 'cx-1', AgentHandoffParameters: { queue: 'billing' } },
    });
  });

  for (const [status, event] of [['completed', 'completed'], ['failed', 'failed'], ['Completed', 'completed'], ['paused', 'failed'], ['', 'failed']] as const) {
    it(`a session ended with status '${status}' leaves by ${event}`, () => {
      const { run } = connected();
      run.at(30, { type: 'virtual-agent-ended', sessionId: 'VA1', params: { VirtualAgentStatus: status, ...(event === 'failed' ? { VirtualAgentErrorCode: '32601', VirtualAgentError: 'provider error' } : {}) } });
      assert.equal(run.steps().at(-2), `agent -${event}-> after_${event}`);
    });
  }

  it('no reply within the timeout: leaves by timeout and takes the conversation back from the agent', () => {
    const { run, timer } = connected();
    const fired = run.at(121, { type: 'timer', timerId: timer.timerId });
    assert.deepEqual(run.steps().slice(-2), ['agent -timeout-> after_timeout', 'after_timeout -next-> Ended']);
    const disconnect = effect(fired, 'disconnect-virtual-agent');
    assert.deepEqual(disconnect.session, { conversationSid: CONVERSATION, sessionId: 'VA1' });
    assert.deepEqual(run.outputs('agent'), { VirtualAgentProvider: 'DialogflowCX' });
    // Its result reaches an execution that ended: dropped, no alert.
    const late = run.at(122, { type: 'effect-result', effectId: disconnect.effectId, result: { kind: 'virtual-agent-disconnected' } });
    assert.deepEqual(late.diagnostics, []);
  });

  it('a contact message that arrives after the timeout was due comes too late: timeout first', () => {
    const { run } = connected();
    const late = run.at(500, { type: 'inbound-message', message: { Author: CONTACT, Body: 'still there?' } });
    assert.equal(run.steps().at(-2), 'agent -timeout-> after_timeout');
    assert.equal(effect(late, 'disconnect-virtual-agent').session.sessionId, 'VA1');
  });

  it('a session end for another session, or after the widget left, is ignored (81002)', () => {
    const { run } = connected();
    const other = run.at(10, { type: 'virtual-agent-ended', sessionId: 'VA2', params: { VirtualAgentStatus: 'completed' } });
    assert.deepEqual(other.steps, []);
    assert.equal(other.diagnostics[0]?.code, 81002);
    assert.equal(run.state.frames[0]!.wait?.kind, 'virtual-agent');
  });

  it('the execution ended during the session (Stop Execution): the timer is cancelled and the agent disconnected', () => {
    const { run, timer } = connected();
    const ended = run.at(20, { type: 'end', reason: 'manual' });
    assert.equal(run.state.status, 'ended');
    assert.equal(effect(ended, 'cancel-timer').timerId, timer.timerId);
    assert.deepEqual(effect(ended, 'disconnect-virtual-agent').session, { conversationSid: CONVERSATION, sessionId: 'VA1' });
  });

  it('a connection the channel refuses leaves by failed with its error', () => {
    const run = new Run(agentFlow());
    const connect = effect(run.start(), 'connect-virtual-agent');
    const result = run.at(1, { type: 'effect-result', effectId: connect.effectId, result: { kind: 'virtual-agent-failed', code: 20404, message: 'no such connector' } });
    assert.equal(run.steps().at(-2), 'agent -failed-> after_failed');
    assert.deepEqual(run.outputs('agent'), { VirtualAgentErrorCode: 20404, VirtualAgentError: 'no such connector', error: { code: 20404, message: 'no such connector' } });
    assert.equal(result.diagnostics[0]?.code, 20404);
  });

  it('the timeout is Liquid; an unusable one waits the default 3600 s with 81028', () => {
    const liquid = connected({ timeout: '{{flow.variables.lang | size | times: 30}}' });
    assert.equal(liquid.timer.dueAt, T0 + 1000 + 60_000);
    const broken = connected({ timeout: 'soon' });
    assert.equal(broken.timer.dueAt, T0 + 1000 + 3_600_000);
    assert.equal(broken.result.diagnostics[0]?.code, 81028);
    assert.match(broken.result.diagnostics[0]!.message, /^Connect Virtual Agent timeout 'soon' is not a whole number/);
    assert.equal(connected({ timeout: undefined }).timer.dueAt, T0 + 1000 + 3_600_000);
  });

  it('cannot run outside a conversation, without a connector or with more than 10 parameters: failed (81003)', () => {
    const sms = new Run(agentFlow({}, 'incomingMessage'));
    const outside = sms.start({ flow: '+15005550006', contact: '+15551230001' }, 'incomingMessage');
    assert.equal(sms.steps().at(-2), 'agent -failed-> after_failed');
    assert.match(outside.diagnostics.find((d) => d.widget === 'agent')!.message, /needs an execution in a Conversation/);
    assert.equal(outside.effects.length, 0);

    const noConnector = new Run(agentFlow({ connector_name: '  ' }));
    assert.match(noConnector.start().diagnostics[0]!.message, /needs a connector name/);
    assert.equal(noConnector.steps().at(-2), 'agent -failed-> after_failed');

    const parameters = Array.from({ length: 11 }, (_, i) => ({ key: `p${i}`, value: String(i) }));
    const many = new Run(agentFlow({ parameters }));
    const refused = many.start().diagnostics[0]!;
    assert.equal(refused.code, 81003);
    assert.match(refused.message, /at most 10 parameters on the Conversations channel, got 11/);
  });
});
