// The size limit of the steps an execution records (limits.maxStepBytes): each step's context (what the
// store writes as JSON) is measured once, when the step is produced, and added up in the state
// (ExecutionState.stepBytes). A step that would take the total over the limit is not recorded and
// nothing of it is applied: the execution ends with 84003, an error alert naming the widget.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MAX_STEP_BYTES, type JsonObject, type SprintResult, type StepRecordDraft } from '../../src/engine/types.ts';
import { triggerFlow } from '../support/flows.ts';
import { growingStepsFlow } from '../support/growing-steps-flow.ts';
import { EngineRun } from './helpers.ts';

const CONTACT = '+15550001111';
const FLOW_ADDRESS = '+15559990000';

/** What the store writes for a step's context (sql-rows.ts json()). */
const stored = (step: StepRecordDraft) => Buffer.byteLength(JSON.stringify(step.context), 'utf8');

class Run extends EngineRun {
  start(data: JsonObject = {}): SprintResult {
    return this.startBy('incomingRequest', { request: { from: CONTACT, to: FLOW_ADDRESS, parameters: data } }, data, { flow: FLOW_ADDRESS, contact: CONTACT });
  }

  storedBytes(): number {
    return this.steps.reduce((sum, step) => sum + stored(step), 0);
  }
}

const setVariables = (name: string, variables: Record<string, string>, next?: string) => ({
  name,
  type: 'set-variables',
  transitions: [{ event: 'next', ...(next ? { next } : {}) }],
  properties: { offset: { x: 0, y: 100 }, variables: Object.entries(variables).map(([key, value]) => ({ key, value })) },
});

describe('the step size limit', () => {
  it("the reviewer's flow (20 variables of 16,000 bytes set again and again) ends with 84003 at the default 50 MiB, not at 1,000 steps and 160 MB", () => {
    const run = new Run(growingStepsFlow(20));
    run.start({ pad: 'x'.repeat(16_000) });
    assert.equal(run.state.status, 'ended');
    const reason = run.state.endReason;
    assert.ok(reason?.kind === 'error', JSON.stringify(reason));
    assert.equal(reason.code, 84003);
    assert.match(reason.message, new RegExp(`^Widget 'grow' would take the steps the execution recorded to \\d+ bytes, over their limit of ${DEFAULT_MAX_STEP_BYTES} bytes \\(the step adds \\d+ bytes\\)$`));
    assert.deepEqual(run.diagnostics.map((d) => [d.level, d.code, d.widget]), [['error', 84003, 'grow']], 'one error alert, naming the widget');

    const total = run.storedBytes();
    const growStep = stored(run.steps.find((s) => s.transitionedFrom === 'grow')!);
    assert.ok(growStep > 20 * 16_000, `a grow step holds the 20 values (${growStep})`);
    assert.equal(run.state.stepBytes, total, 'the state counts exactly what the store writes');
    assert.ok(total <= DEFAULT_MAX_STEP_BYTES, `${total} bytes of steps`);
    assert.ok(total > DEFAULT_MAX_STEP_BYTES - growStep, `it stopped at the limit, not before (${total})`);
    assert.ok(run.steps.length < 1000, `${run.steps.length} steps`);
    assert.equal(run.path().at(-1), 'check -noMatch-> grow', 'the refused grow step was not recorded');
    const size = Number(/recorded to (\d+) bytes/.exec(reason.message)![1]);
    assert.equal(size, total + growStep, 'the message says where the refused step would have taken them');
  });

  it('a refused step applies nothing: no variables, no outputs, no step', () => {
    const pad = 'p'.repeat(10_000);
    const flow = triggerFlow('two', 'incomingRequest', 'a', [setVariables('a', { x: '{{flow.data.pad}}' }, 'b'), setVariables('b', { y: '{{flow.data.pad}}' })]);
    // The trigger step (~10 kB: the request's parameters) and a's fit; b's would not.
    const run = new Run(flow, { maxStepBytes: 25_000 });
    run.start({ pad });
    assert.deepEqual(run.path(), ['Trigger -incomingRequest-> a', 'a -next-> b']);
    const reason = run.state.endReason;
    assert.ok(reason?.kind === 'error' && reason.code === 84003, JSON.stringify(reason));
    assert.match(reason.message, /^Widget 'b' would take/);
    const frame = run.state.frames[0]!;
    assert.equal(frame.variables.x, pad);
    assert.equal(frame.variables.y, undefined, 'the refused widget set nothing');
    assert.equal(frame.widgets.b, undefined, 'nor are its outputs in the context');
    assert.equal(run.state.stepBytes, run.storedBytes());
    assert.ok(run.storedBytes() <= 25_000);
  });

  it('a trigger step alone over the limit ends the execution before any step', () => {
    const run = new Run(triggerFlow('one', 'incomingRequest', 'a', [setVariables('a', { x: '1' })]), { maxStepBytes: 1000 });
    run.start({ pad: 'q'.repeat(2000) });
    assert.equal(run.steps.length, 0);
    assert.ok(run.state.endReason?.kind === 'error' && run.state.endReason.code === 84003);
    assert.deepEqual(run.diagnostics.map((d) => [d.level, d.code, d.widget]), [['error', 84003, 'Trigger']]);
  });

  it('a normal flow is unaffected: it completes, and a tiny loop still ends with 81000 at the step cap', () => {
    const done = new Run(triggerFlow('one', 'incomingRequest', 'a', [setVariables('a', { x: 'hello {{flow.data.name}}' }, 'b'), setVariables('b', { y: 'bye' })]));
    done.start({ name: 'Ada' });
    assert.deepEqual(done.state.endReason, { kind: 'completed' });
    assert.deepEqual(done.diagnostics, []);
    assert.equal(done.state.stepBytes, done.storedBytes());

    const loop = new Run(growingStepsFlow(2));
    loop.start({ pad: 'small' });
    assert.equal(loop.steps.length, 1000);
    assert.ok(loop.state.endReason?.kind === 'error' && loop.state.endReason.code === 81000, JSON.stringify(loop.state.endReason));
    assert.equal(loop.state.stepBytes, loop.storedBytes());
  });

  it('a step that brings the total exactly to the limit is recorded', () => {
    const flow = triggerFlow('one', 'incomingRequest', 'a', [setVariables('a', { x: '{{flow.data.pad}}' })]);
    const probe = new Run(flow);
    probe.start({ pad: 'r'.repeat(500) });
    const exact = new Run(flow, { maxStepBytes: probe.storedBytes() });
    exact.start({ pad: 'r'.repeat(500) });
    assert.deepEqual(exact.state.endReason, { kind: 'completed' });
    const short = new Run(flow, { maxStepBytes: probe.storedBytes() - 1 });
    short.start({ pad: 'r'.repeat(500) });
    assert.ok(short.state.endReason?.kind === 'error' && short.state.endReason.code === 84003);
  });

  it('a state written before the counter was kept counts from 0', () => {
    const flow = triggerFlow('ask', 'incomingRequest', 'ask', [
      {
        name: 'ask',
        type: 'send-and-wait-for-reply',
        transitions: [{ event: 'incomingMessage', next: 'a' }, { event: 'timeout' }, { event: 'deliveryFailure' }],
        properties: { offset: { x: 0, y: 100 }, from: '{{flow.channel.address}}', body: 'size?', timeout: '3600' },
      },
      setVariables('a', { x: '{{flow.data.pad}}' }),
    ]);
    const pad = 's'.repeat(6000);
    const run = new Run(flow, { maxStepBytes: 10_000 });
    run.start({ pad });
    const wait = run.state.frames[0]!.wait;
    assert.ok(wait?.kind === 'effect');
    run.send({ type: 'effect-result', effectId: wait.effectId, result: { kind: 'message-sent', message: { Sid: 'SM1', Status: 'queued', Body: 'size?' } } });
    const before = run.storedBytes();
    assert.equal(run.state.stepBytes, before);
    // With what the trigger step (the 6 kB parameters) already counts, ask's and a's steps would not fit.
    delete run.state.stepBytes;
    run.send({ type: 'inbound-message', message: { Body: 'ok', From: CONTACT, To: FLOW_ADDRESS, MessageSid: 'SMin' } });
    assert.deepEqual(run.state.endReason, { kind: 'completed' });
    assert.deepEqual(run.path(), ['Trigger -incomingRequest-> ask', 'ask -incomingMessage-> a', 'a -next-> Ended']);
    assert.equal(run.state.stepBytes, run.storedBytes() - before, 'only the steps recorded since');
    assert.ok(run.storedBytes() > 10_000, 'the old steps and the new together are over the limit');
  });
});
