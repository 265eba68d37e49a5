// Send & Wait For Reply's delivery failures: a report is on the question whose send (effect) it names,
// not on whatever question shares its message SID. A webhook gateway may answer every send with the same
// sid, and a late report on a question already answered must not fail the next one.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { handleEvent } from '../../src/engine/interpreter.ts';
import type { Effect, EngineEvent, EngineInput, ExecutionState, JsonObject, SprintResult } from '../../src/engine/types.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';
import { startFlow, stepPath } from './helpers.ts';

const GATEWAY_SID = 'GW-constant';

type SendEffect = Extract<Effect, { type: 'send-message' }>;

function ask(name: string, body: string, next: { incomingMessage?: string; deliveryFailure?: string }) {
  return {
    name,
    type: 'send-and-wait-for-reply',
    transitions: [
      { event: 'incomingMessage', ...(next.incomingMessage ? { next: next.incomingMessage } : {}) },
      { event: 'timeout' },
      { event: 'deliveryFailure', ...(next.deliveryFailure ? { next: next.deliveryFailure } : {}) },
    ],
    properties: { body, timeout: '3600' },
  };
}

const note = (name: string, body: string) => ({ name, type: 'send-message', transitions: [{ event: 'sent' }, { event: 'failed' }], properties: { body } });

/** Trigger → ask → (reply) → ask2; each question's deliveryFailure is wired, as the review's flow. */
const TWO_QUESTIONS = {
  description: 'two questions',
  initial_state: 'Trigger',
  states: [
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: 'ask' }], properties: {} },
    ask('ask', 'Q?', { incomingMessage: 'ask2', deliveryFailure: 'df' }),
    ask('ask2', 'Q2?', { incomingMessage: 'done', deliveryFailure: 'df2' }),
    note('done', 'thanks'),
    note('df', 'DF'),
    note('df2', 'DF2'),
  ],
} as unknown as FlowDefinition;

/** Trigger → ask, which the reply leads back to (the same question asked again). */
const LOOP = {
  description: 'loop',
  initial_state: 'Trigger',
  states: [
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: 'ask' }], properties: {} },
    ask('ask', 'Again?', { incomingMessage: 'ask', deliveryFailure: 'df' }),
    note('df', 'DF'),
  ],
} as unknown as FlowDefinition;

/** Plays the runtime: every send is answered with the same gateway sid. */
class Run {
  input: EngineInput;
  state: ExecutionState;
  steps: string[] = [];
  sends: SendEffect[] = [];

  constructor(definition: FlowDefinition) {
    const { input, result } = startFlow(definition, 'incomingMessage', { message: { Body: 'hi' } });
    this.input = input;
    this.state = result.state;
    this.#take(result);
  }

  #take(result: SprintResult): SprintResult {
    this.state = result.state;
    this.steps.push(...stepPath(result));
    const sends = result.effects.filter((e): e is SendEffect => e.type === 'send-message');
    this.sends.push(...sends);
    return result;
  }

  send(event: EngineEvent): SprintResult {
    return this.#take(handleEvent(this.input, this.state, event));
  }

  /** Answers the last send as accepted, under the gateway's (shared) sid. */
  accept(): SprintResult {
    const effect = this.sends.at(-1)!;
    return this.send({ type: 'effect-result', effectId: effect.effectId, result: { kind: 'message-sent', message: { Sid: GATEWAY_SID, Status: 'queued', Body: effect.message.body } } });
  }

  reply(body: string): SprintResult {
    return this.send({ type: 'inbound-message', message: { Body: body } });
  }

  outbound(widget: string): JsonObject {
    return (this.state.frames[0]!.widgets[widget] as JsonObject | undefined)?.outbound as JsonObject;
  }
}

describe('send-and-wait: a delivery report is on the send it names', () => {
  it("a late failure of an answered question leaves the next question's wait alone", () => {
    const run = new Run(TWO_QUESTIONS);
    run.accept();
    run.reply('yes');
    run.accept();
    const [first, second] = run.sends;
    assert.deepEqual(run.steps, ['Trigger -incomingMessage-> ask', 'ask -incomingMessage-> ask2']);
    assert.equal(run.state.frames[0]!.wait?.kind, 'reply');
    const before = run.outbound('ask2');

    const late = run.send({ type: 'delivery-status', effectId: first!.effectId, messageSid: GATEWAY_SID, status: 'undelivered', errorCode: '30005' });
    assert.deepEqual(late.steps, [], 'ask2 does not leave');
    assert.equal(run.state.status, 'active');
    assert.equal(run.state.frames[0]!.current, 'ask2');
    assert.deepEqual(run.outbound('ask2'), before, "ask2's outbound is untouched");
    assert.equal(late.effects.length, 0);

    // The report on ask2's own send is ask2's failure.
    run.send({ type: 'delivery-status', effectId: second!.effectId, messageSid: GATEWAY_SID, status: 'failed', errorCode: '30003' });
    assert.deepEqual(run.steps.slice(2), ['ask2 -deliveryFailure-> df2']);
    assert.equal(run.outbound('ask2').Status, 'failed');
    assert.equal(run.outbound('ask2').ErrorCode, 30003);
  });

  it('a late failure of the question asked before does not fail the same widget entered again', () => {
    const run = new Run(LOOP);
    run.accept();
    run.reply('once');
    run.accept();
    const [first, second] = run.sends;
    assert.deepEqual(run.steps, ['Trigger -incomingMessage-> ask', 'ask -incomingMessage-> ask']);
    const late = run.send({ type: 'delivery-status', effectId: first!.effectId, messageSid: GATEWAY_SID, status: 'undelivered', errorCode: '30005' });
    assert.deepEqual(late.steps, []);
    assert.equal(run.outbound('ask').Status, 'queued');
    run.send({ type: 'delivery-status', effectId: second!.effectId, messageSid: GATEWAY_SID, status: 'undelivered', errorCode: '30005' });
    assert.equal(run.steps.at(-1), 'ask -deliveryFailure-> df');
  });

  it('the reply wait keeps the effect that sent the question', () => {
    const run = new Run(TWO_QUESTIONS);
    run.accept();
    const wait = run.state.frames[0]!.wait;
    assert.equal(wait?.kind, 'reply');
    assert.equal(wait.kind === 'reply' && wait.effectId, run.sends[0]!.effectId);
  });

  it('a wait kept before the effect was (an upgrade), or a report naming no effect: matched by the message SID', () => {
    // A state written by an older version: its reply wait has no effectId.
    const old = new Run(TWO_QUESTIONS);
    old.accept();
    const wait = old.state.frames[0]!.wait as Extract<NonNullable<typeof old.state.frames[0]>['wait'], { kind: 'reply' }>;
    delete wait.effectId;
    const other = old.send({ type: 'delivery-status', effectId: 'EF' + 'f'.repeat(32), messageSid: 'SM-other', status: 'undelivered' });
    assert.deepEqual(other.steps, [], 'another SID is another message');
    old.send({ type: 'delivery-status', effectId: old.sends[0]!.effectId, messageSid: GATEWAY_SID, status: 'undelivered', errorCode: '30005' });
    assert.equal(old.steps.at(-1), 'ask -deliveryFailure-> df');

    // A channel that names no effect (the simulator): by the SID, as before.
    const plain = new Run(TWO_QUESTIONS);
    plain.accept();
    assert.deepEqual(plain.send({ type: 'delivery-status', messageSid: 'SM-other', status: 'failed' }).steps, []);
    plain.send({ type: 'delivery-status', messageSid: GATEWAY_SID, status: 'failed' });
    assert.equal(plain.steps.at(-1), 'ask -deliveryFailure-> df');
  });
});
