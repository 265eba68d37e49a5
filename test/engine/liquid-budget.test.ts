// Liquid work is bounded per render and per sprint by deterministic budgets (template nodes, liquidjs'
// allocation units): a small hostile flow cannot hold the event loop for seconds, and the same flow and events
// fail the same way on any node. No timings are asserted; the budgets are counts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startExecution } from '../../src/engine/interpreter.ts';
import { renderTemplate } from '../../src/engine/liquid.ts';
import { LIQUID_LIMITS, LiquidBudget } from '../../src/engine/liquid/limits.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';
import type { SprintResult } from '../../src/engine/types.ts';

const TRIGGERS = ['incomingMessage', 'incomingCall', 'incomingConversationMessage', 'incomingRequest', 'incomingParent'];

function run(states: FlowDefinition['states']): SprintResult {
  let n = 0;
  const definition: FlowDefinition = {
    description: 'budget',
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [
      { name: 'Trigger', type: 'trigger', transitions: TRIGGERS.map((event) => (event === 'incomingMessage' ? { event, next: states[0]!.name } : { event })), properties: { offset: { x: 0, y: 0 } } },
      ...states,
    ],
  } as FlowDefinition;
  return startExecution(
    // A CPU clock that stands still: the fuse (a safety valve on time, wall-clock without a clock) stays out of
    // reach, so what stops these renders is the counted budgets alone, however busy the machine is.
    { definition, now: Date.parse('2026-03-01T12:00:00Z'), newId: (prefix) => prefix + String(++n).padStart(32, '0'), cpuClock: () => 0 },
    { executionSid: 'FN' + '1'.repeat(32), accountSid: 'AC' + '1'.repeat(32), flowSid: 'FW' + '1'.repeat(32), revision: 1, channelAddress: '+15559990000', contactAddress: '+15550001111' },
    'incomingMessage',
    { message: { Body: 'hi', From: '+15550001111', To: '+15559990000' } },
    {},
  );
}

const failure = (result: SprintResult): string => {
  const error = result.state.endReason;
  assert.ok(error && error.kind === 'error', `expected the execution to end in an error, got ${JSON.stringify(error)}`);
  assert.equal((error as { code: number }).code, 84003);
  return (error as { message: string }).message;
};

describe('Liquid budgets', () => {
  it('a huge range is refused before it is built (the units count its length)', () => {
    const pairs = Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: '{{ (1..499990) | sort | size }}' }));
    const result = run([{ name: 'vars', type: 'set-variables', transitions: [{ event: 'next' }], properties: { offset: { x: 0, y: 0 }, variables: pairs } }] as FlowDefinition['states']);
    assert.match(failure(result), new RegExp(`more than ${LIQUID_LIMITS.memoryLimit} memory units`));
  });

  it("a Set Variables <-> Split loop of heavy templates stops at the sprint's budget, well before the step cap, the same way every time", () => {
    const heavy = '{% for a in (1..15) %}{% for b in (1..15) %}{% for c in (1..15) %}{% assign x = a | plus: b %}{% endfor %}{% endfor %}{% endfor %}{{ x }}';
    const pairs = Array.from({ length: 150 }, (_, i) => ({ key: `k${i}`, value: heavy }));
    const states = [
      { name: 'vars', type: 'set-variables', transitions: [{ event: 'next', next: 'again' }], properties: { offset: { x: 0, y: 0 }, variables: pairs } },
      { name: 'again', type: 'split-based-on', transitions: [{ event: 'noMatch', next: 'vars' }], properties: { offset: { x: 0, y: 0 }, input: '{{flow.variables.k0}}' } },
    ] as FlowDefinition['states'];
    const first = run(states);
    const message = failure(first);
    assert.match(message, new RegExp(`more than ${LIQUID_LIMITS.sprintNodes} nodes rendered in one step's work`));
    assert.ok(first.steps.length < 10, `stopped after ${first.steps.length} steps`);
    const second = run(states);
    assert.equal(failure(second), message);
    assert.deepEqual(second.steps.map((s) => s.transitionedTo), first.steps.map((s) => s.transitionedTo));
  });

  it('a Set Variables doubling captures inside loops ends in 84003 (the capture cap), not in an exhausted heap', () => {
    let value = '';
    for (let k = 0; k < 24; k++) value += `{% assign s${k} = "x${k}" %}{% for i in (1..12) %}{% for j in (1..2) %}{% capture s${k} %}{{ s${k} }}{{ s${k} }}{% endcapture %}{% endfor %}{% endfor %}`;
    value += '{% if s0 contains "y" or s23 contains "y" %}y{% endif %}done';
    const result = run([{ name: 'vars', type: 'set-variables', transitions: [{ event: 'next' }], properties: { offset: { x: 0, y: 0 }, variables: [{ key: 'v', value }] } }] as FlowDefinition['states']);
    assert.match(failure(result), /captured text exceeds 16384 bytes/);
  });

  it('renders sharing one budget fail once it is spent; a fresh budget renders again', () => {
    const budget = new LiquidBudget();
    const template = '{{ "x" | append: "0123456789012345678901234567890123456789" | size }}';
    let renders = 0;
    for (; renders < 100_000; renders++) {
      const r = renderTemplate('{% assign s = (1..90000) %}' + template, {}, { now: new Date(0), budget });
      if (!r.ok) {
        assert.match(r.error.message, /in one step's work/);
        break;
      }
    }
    assert.ok(renders >= 1 && renders < 10, `the shared budget lasted ${renders} renders`);
    assert.equal(renderTemplate(template, {}, { now: new Date(0), budget: new LiquidBudget() }).ok, true);
  });
});
