// Make Outgoing Call v1 (legacy) on the pure engine: it places the call as v2 does and leaves by v1's
// events, whose names are unconfirmed (reference §2.7, §9): the spelling the flow's transitions use
// (answeredByMachine or answered-by-machine, noAnswer or no-answer) is the one taken, hangup only when listed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Effect, JsonObject } from '../../src/engine/types.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';
import { triggerFlow } from '../support/flows.ts';
import { EngineRun } from './helpers.ts';

const CALL_SID = 'CA' + '9'.repeat(32);
const ADDRESSES = { flow: '+15005550006', contact: '+15551230001' };

/** REST trigger → the v1 widget `dial`; each listed event leads to a Set Variables noting it. */
function flow(events: string[], properties: JsonObject = {}): FlowDefinition {
  return triggerFlow('v1', 'incomingRequest', 'dial', [
    {
      name: 'dial',
      type: 'make-outgoing-call-v1',
      properties: { offset: { x: 0, y: 100 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', ...properties },
      transitions: events.map((event) => ({ event, next: `after_${event}` })),
    },
    ...events.map((event) => ({ name: `after_${event}`, type: 'set-variables', properties: { offset: { x: 0, y: 200 }, variables: [{ key: 'left_by', value: event }] }, transitions: [{ event: 'next' }] })),
  ]);
}

/** Starts the flow and has the channel place the call: the widget then waits for its answer. */
function placed(def: FlowDefinition): { run: EngineRun; effect: Extract<Effect, { type: 'place-call' }> } {
  const run = new EngineRun(def);
  run.startBy('incomingRequest', { request: { from: ADDRESSES.flow, to: ADDRESSES.contact, parameters: {} } }, {}, ADDRESSES);
  const effect = run.results[0]!.effects.find((e): e is Extract<Effect, { type: 'place-call' }> => e.type === 'place-call');
  assert.ok(effect, `a place-call effect, got ${JSON.stringify(run.results[0]!.effects)} / ${JSON.stringify(run.state.endReason)}`);
  run.send({ type: 'effect-result', effectId: effect.effectId, result: { kind: 'call-placed', call: { CallSid: CALL_SID, CallStatus: 'queued', From: ADDRESSES.flow, To: ADDRESSES.contact } } });
  assert.equal(run.state.status, 'active');
  return { run, effect };
}

const leftBy = (run: EngineRun) => run.state.frames[0]!.variables.left_by;
const answer = (run: EngineRun, effectId: string, params: JsonObject) => run.send({ type: 'call-callback', callbackId: effectId, params: { CallSid: CALL_SID, CallStatus: 'in-progress', From: ADDRESSES.flow, To: ADDRESSES.contact, ...params } });
const ended = (run: EngineRun, status: string) => run.send({ type: 'call-ended', params: { CallSid: CALL_SID, CallStatus: status } });

describe('make-outgoing-call-v1', () => {
  it('places the call with from, to, record and timeout, as v2 does', () => {
    const { effect } = placed(flow(['answered', 'busy', 'noAnswer', 'failed'], { record: true, timeout: 25 }));
    assert.deepEqual(effect.call, { to: ADDRESSES.contact, from: ADDRESSES.flow, timeout: 25, record: true, options: { RecordingChannels: 'mono', Trim: 'do-not-trim' } });
  });

  it('answered by a person: answered, the answered call becomes the execution call', () => {
    const { run, effect } = placed(flow(['answered', 'answeredByMachine', 'busy', 'noAnswer', 'failed']));
    answer(run, effect.effectId, { AnsweredBy: 'human' });
    assert.deepEqual(run.path().slice(1), ['dial -answered-> after_answered', 'after_answered -next-> Ended']);
    assert.equal(run.state.callSid, CALL_SID);
    assert.equal((run.state.frames[0]!.widgets.dial as JsonObject).AnsweredBy, 'human');
  });

  it('a flow with a machine event asks for machine detection and leaves by it when a machine answers', () => {
    const { run, effect } = placed(flow(['answered', 'answeredByMachine', 'busy', 'noAnswer', 'failed']));
    assert.equal(effect.call.options.MachineDetection, 'Enable');
    answer(run, effect.effectId, { AnsweredBy: 'machine_start', MachineDetectionDuration: '2100' });
    assert.equal(leftBy(run), 'answeredByMachine');
    assert.equal((run.state.frames[0]!.widgets.dial as JsonObject).MachineDetectionDuration, '2100');
  });

  it('the docs’ spelling answered-by-machine is taken when the flow uses it (a fax is no person either)', () => {
    const { run, effect } = placed(flow(['answered', 'answered-by-machine', 'busy', 'no-answer', 'failed']));
    assert.equal(effect.call.options.MachineDetection, 'Enable');
    answer(run, effect.effectId, { AnsweredBy: 'fax' });
    assert.equal(leftBy(run), 'answered-by-machine');
  });

  it('an unwired machine event listed beside a wired spelling: the wired one is taken', () => {
    const def = flow(['answered', 'answered-by-machine']);
    const dial = def.states.find((s) => s.name === 'dial')!;
    dial.transitions.push({ event: 'answeredByMachine' } as (typeof dial.transitions)[number]);
    const { run, effect } = placed(def);
    answer(run, effect.effectId, { AnsweredBy: 'machine_end_beep' });
    assert.equal(leftBy(run), 'answered-by-machine');
  });

  it('a flow without a machine event asks for no detection, and any answer is answered', () => {
    const { run, effect } = placed(flow(['answered', 'busy', 'noAnswer', 'failed']));
    assert.equal(effect.call.options.MachineDetection, undefined);
    answer(run, effect.effectId, { AnsweredBy: 'machine_start' });
    assert.equal(leftBy(run), 'answered');
  });

  it('no-answer: noAnswer or no-answer, as the flow spells it; busy', () => {
    for (const [events, expected] of [
      [['answered', 'noAnswer'], 'noAnswer'],
      [['answered', 'no-answer'], 'no-answer'],
    ] as const) {
      const { run } = placed(flow([...events]));
      ended(run, 'no-answer');
      assert.equal(leftBy(run), expected);
      assert.equal((run.state.frames[0]!.widgets.dial as JsonObject).CallStatus, 'no-answer');
    }
    const { run } = placed(flow(['busy']));
    ended(run, 'busy');
    assert.equal(leftBy(run), 'busy');
  });

  it('a call that ended without its answer reaching the flow: hangup when the flow has it, else failed', () => {
    const withHangup = placed(flow(['answered', 'failed', 'hangup'])).run;
    ended(withHangup, 'canceled');
    assert.equal(leftBy(withHangup), 'hangup');
    const without = placed(flow(['answered', 'failed'])).run;
    ended(without, 'canceled');
    assert.equal(leftBy(without), 'failed');
    const failed = placed(flow(['answered', 'failed', 'hangup'])).run;
    ended(failed, 'failed');
    assert.equal(leftBy(failed), 'failed');
  });

  it('failed when the Calls API refuses the call', () => {
    const run = new EngineRun(flow(['answered', 'failed']));
    run.startBy('incomingRequest', { request: { from: ADDRESSES.flow, to: ADDRESSES.contact, parameters: {} } }, {}, ADDRESSES);
    const effect = run.results[0]!.effects.find((e) => e.type === 'place-call') as { effectId: string };
    run.send({ type: 'effect-result', effectId: effect.effectId, result: { kind: 'call-failed', code: 21215, message: 'geo permissions' } });
    assert.equal(leftBy(run), 'failed');
    assert.equal((run.state.frames[0]!.widgets.dial as JsonObject).ErrorCode, 21215);
  });
});
