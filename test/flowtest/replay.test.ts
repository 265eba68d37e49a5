// Replay on the pure engine: a run's inputs are recovered from its steps alone (replies from
// send-and-wait outputs, HTTP and Function answers from status_code/body outputs, timeouts from
// timeout steps) and re-run against the same or another definition.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { play } from '../../src/flowtest/run-test.ts';
import { loadFlowFile } from '../../src/flowtest/load.ts';
import { deriveInputs } from '../../src/flowtest/derive.ts';
import { replayExecution, replayText } from '../../src/flowtest/replay.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';
import type { JsonObject } from '../../src/engine/types.ts';
import type { TestCase } from '../../src/flowtest/types.ts';

const flowPath = new URL('../../examples/flows/pizza-order.json', import.meta.url).pathname;
const flow = loadFlowFile(flowPath);

function recorded(test: TestCase) {
  const { sim } = play({ file: 'x', flow, test, subflows: new Map() });
  return {
    executionSid: 'FN' + 'a'.repeat(32),
    flowSid: 'FW' + 'a'.repeat(32),
    revision: 1,
    context: sim.observation().context,
    steps: sim.recordedSteps,
    endedManually: false,
  };
}

const order: TestCase = {
  name: 'order',
  trigger: { message: { body: 'hi' } },
  mocks: { functions: [{ name: 'price', body: { price: 14 } }], http: [{ url: 'https://api.pizza.example/orders', status: 201, body: { id: 'ORD-9' } }] },
  script: [{ send: 'm' }],
};

const edit = (change: (d: FlowDefinition) => void): FlowDefinition => {
  const copy = JSON.parse(readFileSync(flowPath, 'utf8')) as FlowDefinition;
  change(copy);
  return copy;
};

describe('replay', () => {
  it('recovers the trigger, replies, timeouts and HTTP answers from the steps', () => {
    const source = recorded(order);
    const inputs = deriveInputs(source.context.trigger as JsonObject, source.steps);
    assert.deepEqual(inputs.trigger, { message: { body: 'hi', from: '+15551230001', to: '+15005550006' } });
    assert.deepEqual(inputs.script, [{ send: 'm' }]);
    assert.deepEqual(inputs.http.get('price'), [{ status: 200, body: '{"price":14}', contentType: 'application/json' }]);
    assert.deepEqual(inputs.http.get('place_order'), [{ status: 201, body: '{"id":"ORD-9"}', contentType: 'application/json' }]);
    const timedOut = recorded({ name: 't', trigger: { message: { body: 'hi' } }, script: [{ wait: '2h' }] });
    assert.deepEqual(deriveInputs(timedOut.context.trigger as JsonObject, timedOut.steps, { definition: flow.definition }).script, [{ wait: '3600s' }]);
  });

  it('the same definition replays to the same path, messages and outputs', () => {
    const report = replayExecution(recorded(order), { revision: 1, definition: flow.definition });
    assert.equal(report.diverged, false, replayText(report));
    assert.deepEqual(report.replay.messages, ['Hi! What size pizza? Reply S, M or L.', 'Order ORD-9 confirmed: one M pizza, $14. Ready in 20 minutes.']);
    assert.match(replayText(report), /same path \(Trigger → ask_size → check_size → remember_size → price → place_order → confirm\)/);
  });

  it('a changed definition shows where the path and the messages diverge', () => {
    const source = recorded(order);
    // The new revision sends small and medium orders to a "sorry" branch.
    const changed = edit((d) => {
      const split = d.states.find((s) => s.name === 'check_size')!;
      split.transitions[1]!.conditions![0]!.value = 'L, l';
    });
    const report = replayExecution(source, { revision: 'draft', definition: changed });
    assert.equal(report.diverged, true);
    assert.deepEqual(report.divergence, { index: 2, original: { from: 'check_size', event: 'match', to: 'remember_size' }, replay: { from: 'check_size', event: 'noMatch', to: 'unknown_size' } });
    assert.deepEqual(report.replay.path, ['Trigger', 'ask_size', 'check_size', 'unknown_size']);
    const text = replayText(report);
    assert.match(text, /paths diverge at step 3:\n {4}recorded: check_size -match-> remember_size\n {4}replay: {3}check_size -noMatch-> unknown_size/);
    assert.match(text, /- "Order ORD-9 confirmed: one M pizza, \$14\. Ready in 20 minutes\."\n {4}\+ "Sorry, we only have S, M and L\."/);
  });

  it('same path but different outputs are reported per widget', () => {
    const changed = edit((d) => {
      const vars = d.states.find((s) => s.name === 'remember_size')!;
      (vars.properties.variables as { key: string; value: string }[])[0]!.value = '{{widgets.ask_size.inbound.Body | downcase}}';
    });
    const report = replayExecution(recorded(order), { revision: 2, definition: changed });
    assert.equal(report.divergence, null);
    assert.equal(report.diverged, true);
    const variables = report.outputDifferences.find((d) => d.widget === 'flow.variables');
    assert.deepEqual(variables, { widget: 'flow.variables', original: { size: 'M' }, replay: { size: 'm' }, fields: [{ path: 'size', original: 'M', replay: 'm' }] });
    assert.match(replayText(report), /one m pizza/);
  });
});

describe('replay of calls', () => {
  const ivr = loadFlowFile(new URL('../../examples/flows/ivr.json', import.meta.url).pathname);
  const record = (script: TestCase['script']) => {
    const { sim } = play({ file: 'x', flow: ivr, test: { name: 'c', trigger: { call: {} }, ...(script ? { script } : {}) }, subflows: new Map() });
    return { executionSid: 'FN' + 'b'.repeat(32), flowSid: 'FW' + 'b'.repeat(32), revision: 1, context: sim.observation().context, steps: sim.recordedSteps, endedManually: false, ended: !sim.active };
  };

  it('recovers keys, speech and silence from gather outputs and replays them', () => {
    const source = record([{ wait: '5s' }, { speech: 'address' }]);
    const inputs = deriveInputs(source.context.trigger as JsonObject, source.steps, { definition: ivr.definition });
    assert.deepEqual(inputs.script, [{ wait: '5s' }, { speech: 'address' }]);
    assert.deepEqual(inputs.trigger, { call: { from: '+15551230001', to: '+15005550006' } });
    const report = replayExecution(source, { revision: 1, definition: ivr.definition });
    assert.equal(report.diverged, false, replayText(report));
    assert.deepEqual(report.replay.path, ['Trigger', 'menu', 'count_silence', 'silent_twice', 'menu', 'choice', 'text_address', 'address_sent']);
  });

  it('a caller who hangs up is replayed as a hang-up', () => {
    const source = record([{ digits: '1' }]);
    assert.equal(replayExecution(source, { revision: 1, definition: ivr.definition }).diverged, false);
    const hungUp = record([{ hangup: true }]);
    const report = replayExecution(hungUp, { revision: 1, definition: ivr.definition });
    assert.equal(report.diverged, false, replayText(report));
    assert.equal(report.replay.end, 'completed');
  });
});
