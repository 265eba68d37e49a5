// One budget for a whole replay (both runs: the target revision and the execution's own, replayed for the
// effect comparison). The engine bounds each sprint; a replay runs every recorded sprint again, so an
// execution of a few hundred replies whose every sprint renders heavy Liquid (each within the sprint's
// budget) held the event loop for minutes. The replay's Liquid allowance (counted nodes, shared by all its sprints) and its
// fuse on work time stop it with ReplayTooCostly; the interleaved driver gives the event loop up between
// recorded inputs. Ordinary long executions still replay.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { play } from '../../src/flowtest/run-test.ts';
import { ReplayBudget, ReplayTooCostly, REPLAY_LIMITS, replayExecution, replayExecutionInterleaved, type ReplaySource } from '../../src/flowtest/replay.ts';
import { LIQUID_LIMITS } from '../../src/engine/liquid/limits.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';
import type { TestCase } from '../../src/flowtest/types.ts';
import { COSTLY_VALUE, loopFlow } from '../support/loop-flow.ts';

function recorded(definition: FlowDefinition, replies: number): ReplaySource {
  const test: TestCase = { name: 'long', trigger: { message: { body: 'hi' } }, script: Array.from({ length: replies }, (_, i) => ({ send: `m${i}` })) };
  const { sim } = play({ file: 'x', flow: { path: 'loop.json', definition, warnings: [] }, test, subflows: new Map() });
  return {
    executionSid: 'FN' + 'b'.repeat(32),
    flowSid: 'FW' + 'b'.repeat(32),
    revision: 1,
    context: sim.observation().context,
    steps: sim.recordedSteps,
    endedManually: false,
    state: sim.state,
    original: { definition },
  };
}

const cheap = loopFlow('{{widgets.ask.inbound.Body | upcase}}');

describe('a replay has one budget for both of its runs', () => {
  it('a replay of many sprints, each within the engine budgets, is refused once the shared Liquid allowance is spent', () => {
    const source = recorded(cheap, 150);
    // ~98,000 nodes a sprint, within the engine's budgets (a render's 100,000, a sprint's 300,000): each sprint
    // alone passes, 150 of them (15 million nodes) do not. (Not three such values, just under the sprint's
    // budget: on a loaded machine such a sprint can reach the engine's 2 s fuse, fail its widget and end the run.)
    const costly = loopFlow(COSTLY_VALUE);
    // Only the node count decides here (the time fuse is the backstop, tested below with a clock of our own).
    const budget = new ReplayBudget({ busyMs: Infinity });
    assert.throws(
      () => replayExecution(source, { revision: 'Definition', definition: costly }, {}, budget),
      (error: unknown) => {
        assert.ok(error instanceof ReplayTooCostly, String(error));
        assert.equal(error.limit, 'liquid');
        assert.match(error.message, /^replay too costly: .*more than 3000000 nodes rendered in all.* exceeded$/);
        return true;
      },
    );
    assert.equal(budget.liquid.maxNodes, REPLAY_LIMITS.liquidNodes);
    assert.ok(budget.liquid.nodes > budget.liquid.maxNodes, 'the shared node counter was hit');
    assert.match(budget.liquid.spent ?? '', /nodes rendered in all/);
    // Stopped within the sprint that spent it: a sprint past the allowance fails every render at its first node.
    assert.ok(budget.liquid.nodes <= budget.liquid.maxNodes + LIQUID_LIMITS.sprintNodes, `${budget.liquid.nodes} nodes`);
  });

  it('each sprint of that replay alone is within the engine budgets (the cost was in their number)', () => {
    const source = recorded(cheap, 3);
    const budget = new ReplayBudget({ busyMs: Infinity });
    const report = replayExecution(source, { revision: 'Definition', definition: loopFlow(COSTLY_VALUE) }, {}, budget);
    // Three replies: three costly sprints (the baseline run, the execution's own cheap revision, renders
    // little), none refused by the engine: every value renders.
    assert.equal(report.replay.end, 'waiting');
    assert.deepEqual(report.replay.path, report.original.path);
    assert.ok(budget.liquid.nodes > 3 * 90_000 && budget.liquid.nodes < budget.liquid.maxNodes, `${budget.liquid.nodes} nodes`);
  });

  it('its answer does not depend on how busy the machine is: a wall clock running far ahead of the work fails no sprint', () => {
    const source = recorded(cheap, 3);
    // As on a loaded machine, where other processes have the CPU between liquidjs' readings of the clock:
    // every template node seems to take 50 ms, so each costly sprint spans over an hour of wall-clock time.
    // The engine's per-sprint fuse counts this thread's CPU time, so the replay answers as on an idle machine
    // (with a wall-clock fuse every costly sprint failed its widget and the replay reported a divergence).
    let wall = performance.now();
    // Not t.mock.method: it records each of the 300,000 calls.
    performance.now = () => (wall += 50);
    let report: ReturnType<typeof replayExecution>;
    try {
      report = replayExecution(source, { revision: 'Definition', definition: loopFlow(COSTLY_VALUE) }, {}, new ReplayBudget({ busyMs: Infinity }));
    } finally {
      delete (performance as { now?: unknown }).now; // the prototype's again
    }
    assert.equal(report.replay.end, 'waiting');
    assert.deepEqual(report.replay.path, report.original.path);
  });

  it('the time fuse, measured between sprints on the clock the budget is given, stops a replay too', () => {
    const source = recorded(cheap, 50);
    let now = 0;
    // Each reading of the clock is a second later: the fuse (5 s of work) blows after a few sprints.
    const budget = new ReplayBudget({}, () => (now += 1000));
    assert.throws(
      () => replayExecution(source, { revision: 'Definition', definition: cheap }, {}, budget),
      (error: unknown) => error instanceof ReplayTooCostly && error.limit === 'time' && /5000 ms of work/.test(error.message),
    );
    assert.ok(budget.spentMs() > REPLAY_LIMITS.busyMs);
  });

  it('an ordinary execution of 1,000 steps replays well within the budget, both runs', async () => {
    const source = recorded(cheap, 499);
    assert.equal(source.steps.length, 999);
    const budget = new ReplayBudget();
    const report = await replayExecutionInterleaved(source, { revision: 2, definition: loopFlow('{{widgets.ask.inbound.Body | downcase}}') }, {}, budget);
    assert.equal(report.replay.steps.length, 999);
    assert.equal(report.divergence, null, 'same path');
    assert.equal(report.effectsCompared, true, 'both runs made');
    assert.ok(report.outputDifferences.some((d) => d.widget === 'flow.variables'), 'the new revision stores another value');
    // Comfortably: a small fraction of the Liquid allowance, and of the time fuse (a generous bound).
    assert.ok(budget.liquid.nodes < budget.liquid.maxNodes / 100, `${budget.liquid.nodes} nodes`);
    assert.ok(budget.busyMs < REPLAY_LIMITS.busyMs, `${budget.busyMs} ms`);
  });

  it('the interleaved replay gives the event loop up between recorded inputs', async () => {
    const source = recorded(cheap, 100);
    let turns = 0;
    let ticking = true;
    const tick = () => {
      turns++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const report = await replayExecutionInterleaved(source, { revision: 1, definition: cheap });
    ticking = false;
    assert.equal(report.diverged, false);
    // 100 replies and the trigger, in each of the two runs: the loop turned between them.
    assert.ok(turns >= 100, `${turns} turns of the event loop during the replay`);
  });
});
