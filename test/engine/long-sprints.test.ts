// Sprints that run many widgets without waiting (a loop of Set Variables and Split widgets, with the step
// limit raised towards its configurable 1,000,000): the engine goes from widget to widget in a loop, not
// by recursion, so such a sprint runs to its step limit (81000) or to its end instead of overflowing the
// JS stack after a few thousand steps.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowDefinition } from '../../src/definition/types.ts';
import type { JsonObject } from '../../src/engine/types.ts';
import { triggerFlow } from '../support/flows.ts';
import { EngineRun } from './helpers.ts';

const CONTACT = '+15550001111';
const FLOW_ADDRESS = '+15559990000';
const SUB = 'FW' + 'b'.repeat(32);

const setVariables = (name: string, variables: Record<string, string>, next?: string) => ({
  name,
  type: 'set-variables',
  transitions: [{ event: 'next', ...(next ? { next } : {}) }],
  properties: { offset: { x: 0, y: 100 }, variables: Object.entries(variables).map(([key, value]) => ({ key, value })) },
});

/** A Split that goes back to `loop` while flow.variables.n is below `below`, else to `done` (or ends). */
const whileBelow = (name: string, below: number, loop: string, done?: string) => ({
  name,
  type: 'split-based-on',
  transitions: [
    { event: 'noMatch', ...(done ? { next: done } : {}) },
    { event: 'match', next: loop, conditions: [{ friendly_name: 'more', arguments: ['{{flow.variables.n}}'], type: 'less_than', value: String(below) }] },
  ],
  properties: { offset: { x: 0, y: 200 }, input: '{{flow.variables.n}}' },
});

const increment = (name: string, next: string) => setVariables(name, { n: '{{flow.variables.n | plus: 1}}' }, next);

class Run extends EngineRun {
  start(): void {
    this.startBy('incomingRequest', { request: { from: CONTACT, to: FLOW_ADDRESS, parameters: {} } }, {}, { flow: FLOW_ADDRESS, contact: CONTACT });
  }

  /** Answers the execution's one pending effect. */
  answer(result: JsonObject): void {
    const effects = this.results.at(-1)!.effects;
    assert.equal(effects.length, 1, JSON.stringify(effects));
    const effect = effects[0]!;
    assert.ok('effectId' in effect);
    this.send({ type: 'effect-result', effectId: effect.effectId, result } as never);
  }
}

describe('sprints of many steps', () => {
  it('a loop of 50,000 steps without waiting ends with 81000 exactly at a raised step limit', () => {
    const run = new Run(triggerFlow('loop', 'incomingRequest', 'a', [increment('a', 'b'), setVariables('b', { m: '{{flow.variables.n}}' }, 'a')]), { maxSteps: 50_000 });
    run.start();
    assert.equal(run.results.length, 1, 'one sprint');
    assert.equal(run.state.status, 'ended');
    assert.deepEqual(run.state.endReason, { kind: 'error', code: 81000, message: 'Execution has exceeded max steps (50000)' });
    assert.equal(run.steps.length, 50_000);
    assert.equal(run.state.stepCount, 50_000);
    assert.deepEqual(run.path().slice(0, 3), ['Trigger -incomingRequest-> a', 'a -next-> b', 'b -next-> a']);
    assert.equal(run.path().at(-1), 'a -next-> b', 'the last step recorded is the one that reached the limit');
    const variables = run.state.frames[0]!.variables;
    assert.equal(variables.n, 25_000);
    assert.equal(variables.m, 24_999);
    assert.deepEqual(run.diagnostics.map((d) => [d.level, d.code]), [['warning', 81000]]);
  });

  it('a loop of a Set Variables and a Split that goes round 20,000 times completes', () => {
    const run = new Run(triggerFlow('count', 'incomingRequest', 'inc', [increment('inc', 'check'), whileBelow('check', 20_000, 'inc', 'done'), setVariables('done', { finished: 'yes' })]), {
      maxSteps: 1_000_000,
    });
    run.start();
    assert.equal(run.state.status, 'ended');
    assert.deepEqual(run.state.endReason, { kind: 'completed' });
    // The trigger's step, two for each time round, and done's.
    assert.equal(run.steps.length, 1 + 2 * 20_000 + 1);
    assert.deepEqual(run.path().slice(-3), ['inc -next-> check', 'check -noMatch-> done', 'done -next-> Ended']);
    assert.equal(run.state.frames[0]!.variables.n, 20_000);
    assert.equal(run.state.frames[0]!.variables.finished, 'yes');
    assert.deepEqual(run.diagnostics, []);
    const sids = new Set(run.steps.map((s) => s.sid));
    assert.equal(sids.size, run.steps.length, 'every step has its own sid');
  });

  it('a subflow of 20,000 steps returns to its parent, which goes on looping to the step limit', () => {
    const parent: FlowDefinition = triggerFlow('parent', 'incomingRequest', 'sub', [
      { name: 'sub', type: 'run-subflow', transitions: [{ event: 'completed', next: 'a' }, { event: 'failed' }], properties: { offset: { x: 0, y: 100 }, flow_sid: SUB, flow_revision: 'LatestPublished' } },
      increment('a', 'b'),
      setVariables('b', {}, 'a'),
    ]);
    const child = triggerFlow('child', 'incomingParent', 'inc', [increment('inc', 'check'), whileBelow('check', 10_000, 'inc')]);
    const run = new Run(parent, { maxSteps: 40_000 });
    run.start();
    assert.deepEqual(run.path(), ['Trigger -incomingRequest-> sub']);
    run.answer({ kind: 'subflow-loaded', flowSid: SUB, revision: 1, definition: child as unknown as JsonObject });

    assert.equal(run.state.status, 'ended');
    assert.deepEqual(run.state.endReason, { kind: 'error', code: 81000, message: 'Execution has exceeded max steps (40000)' });
    assert.equal(run.steps.length, 40_000);
    assert.equal(run.state.frames.length, 1, 'the subflow returned');
    // The subflow: its trigger's step and two for each time round; then the parent's widget completes.
    const subSteps = run.steps.slice(1, 1 + 1 + 2 * 10_000);
    assert.ok(subSteps.every((s) => s.parentStepSid === run.steps[0]!.sid), "the subflow's steps point at the step that entered sub");
    assert.equal(subSteps.at(-1)!.transitionedFrom, 'check');
    assert.equal(subSteps.at(-1)!.transitionedTo, 'Ended');
    const returned = run.steps[subSteps.length + 1]!;
    assert.deepEqual([returned.transitionedFrom, returned.name, returned.transitionedTo, returned.parentStepSid], ['sub', 'completed', 'a', null]);
    assert.deepEqual(returned.context, { n: 10_000 }, "the subflow's variables are the widget's outputs");
    // The parent's loop took the rest of the 40,000 steps, a's first and last: a ran one time more than b.
    const parentLoop = run.steps.slice(subSteps.length + 2);
    assert.equal(parentLoop.length, 40_000 - 2 - subSteps.length);
    assert.equal(run.path().at(-1), 'a -next-> b');
    assert.equal(run.state.frames[0]!.variables.n, (parentLoop.length + 1) / 2);
    assert.deepEqual(run.diagnostics.map((d) => [d.level, d.code]), [['warning', 81000]]);
  });
});
