// Replay compares what the flow DID, not only its path, messages and outputs: a request to another URL
// or with another body is answered from the recording by widget and changes no output, and a Say a
// call widget changed is in no output either. Each widget's requests (Make HTTP Request, Run
// Function) and TwiML are compared with those of the revision the execution ran, replayed on the same
// recorded answers; an unchanged flow still reports no divergence.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { play } from '../../src/flowtest/run-test.ts';
import { loadFlowFile } from '../../src/flowtest/load.ts';
import { replayExecution, replayText, type ReplaySource } from '../../src/flowtest/replay.ts';
import type { FlowDefinition } from '../../src/definition/types.ts';
import type { TestCase } from '../../src/flowtest/types.ts';
import { triggerFlow } from '../support/flows.ts';

const at = (y: number) => ({ offset: { x: 0, y } });

/** A REST-started flow that posts a score to a server and says thanks. */
function scoreFlow(change: (states: Record<string, { properties: Record<string, unknown> }>) => void = () => {}): FlowDefinition {
  const flow = triggerFlow('score', 'incomingRequest', 'send_results_to_server', [
    {
      name: 'send_results_to_server',
      type: 'make-http-request',
      transitions: [{ event: 'success', next: 'thanks' }, { event: 'failed' }],
      properties: { ...at(100), method: 'POST', content_type: 'application/json;charset=utf-8', url: 'https://scores.example.com/results', body: '{"score": "{{flow.data.score}}"}' },
    },
    { name: 'thanks', type: 'send-message', transitions: [{ event: 'sent' }, { event: 'failed' }], properties: { ...at(200), from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'Saved: {{widgets.send_results_to_server.parsed.id}}' } },
  ]);
  change(Object.fromEntries(flow.states.map((s) => [s.name, s])) as never);
  return flow;
}

function recordedRun(definition: FlowDefinition, test: TestCase, revision = 1): ReplaySource {
  const flow = { path: 'x.json', definition, warnings: [] };
  const { sim } = play({ file: 'x', flow, test, subflows: new Map() });
  return {
    executionSid: 'FN' + 'c'.repeat(32),
    flowSid: 'FW' + 'c'.repeat(32),
    revision,
    context: sim.observation().context,
    steps: sim.recordedSteps,
    endedManually: false,
    ended: !sim.active,
    original: { definition },
  };
}

const scored: TestCase = {
  name: 'score',
  trigger: { request: { parameters: { score: '42' } } },
  mocks: { http: [{ url: 'https://scores.example.com/results', status: 200, body: { id: 'R-1' } }] },
};

describe('replay compares the requests widgets make', () => {
  it('an unchanged flow with an HTTP request reports no divergence, requests compared', () => {
    const report = replayExecution(recordedRun(scoreFlow(), scored), { revision: 1, definition: scoreFlow() });
    assert.equal(report.diverged, false, replayText(report));
    assert.equal(report.effectsCompared, true);
    assert.deepEqual(report.effectDifferences, []);
    assert.deepEqual(report.notes, []);
    assert.match(replayText(report), /same messages and outputs, same requests and voice/);
  });

  it('a changed URL diverges, though the recorded answer keeps path and outputs the same', () => {
    const changed = scoreFlow((s) => (s.send_results_to_server!.properties.url = 'https://wrong.example.com/other'));
    const report = replayExecution(recordedRun(scoreFlow(), scored), { revision: 'new.json', definition: changed });
    assert.equal(report.divergence, null);
    assert.deepEqual(report.outputDifferences, []);
    assert.equal(report.diverged, true);
    assert.deepEqual(
      report.effectDifferences.map((d) => ({ widget: d.widget, kind: d.kind, occurrence: d.occurrence, fields: d.fields })),
      [{ widget: 'send_results_to_server', kind: 'request', occurrence: 1, fields: [{ path: 'url', original: 'https://scores.example.com/results', replay: 'https://wrong.example.com/other' }] }],
    );
    const text = replayText(report);
    assert.match(text, /the HTTP request of 'send_results_to_server' differs \(answered with the response recorded for the original request\):\n {4}- url: "https:\/\/scores\.example\.com\/results"\n {4}\+ url: "https:\/\/wrong\.example\.com\/other"/);
    assert.doesNotMatch(text, /same messages and outputs/);
  });

  it('a changed body diverges (a template that renders empty too)', () => {
    const changed = scoreFlow((s) => (s.send_results_to_server!.properties.body = '{"score": "{{widgets.nosuch.inbound.Body}}"}'));
    const report = replayExecution(recordedRun(scoreFlow(), scored), { revision: 2, definition: changed });
    assert.equal(report.diverged, true, replayText(report));
    assert.deepEqual(report.effectDifferences[0]!.fields, [{ path: 'body', original: '{"score": "42"}', replay: '{"score": ""}' }]);
  });

  it("Run Function: a changed parameter diverges", () => {
    const pizza = loadFlowFile(new URL('../../examples/flows/pizza-order.json', import.meta.url).pathname);
    const order: TestCase = {
      name: 'order',
      trigger: { message: { body: 'hi' } },
      mocks: { functions: [{ name: 'price', body: { price: 14 } }], http: [{ url: 'https://api.pizza.example/orders', status: 201, body: { id: 'ORD-9' } }] },
      script: [{ send: 'm' }],
    };
    const source = recordedRun(pizza.definition, order);
    assert.equal(replayExecution(source, { revision: 1, definition: pizza.definition }).diverged, false);
    const changed = structuredClone(pizza.definition);
    (changed.states.find((s) => s.name === 'price')!.properties.parameters as { key: string; value: string }[])[0]!.value = '{{flow.variables.size | downcase}}';
    const report = replayExecution(source, { revision: 2, definition: changed });
    assert.equal(report.diverged, true);
    // The Function's answer is the recorded one, so the order (and its request) are as they were.
    assert.deepEqual(
      report.effectDifferences.map((d) => [d.widget, d.kind, d.fields]),
      [['price', 'function', [{ path: 'parameters.size', original: 'M', replay: 'm' }]]],
    );
  });

  it('without the revision the execution ran, requests are not compared and a note says so', () => {
    const { original: _, ...source } = recordedRun(scoreFlow(), scored);
    const changed = scoreFlow((s) => (s.send_results_to_server!.properties.url = 'https://wrong.example.com/other'));
    const report = replayExecution(source, { revision: 2, definition: changed });
    assert.equal(report.effectsCompared, false);
    assert.equal(report.diverged, false);
    assert.ok(report.notes.some((n) => /revision was not available/.test(n)), JSON.stringify(report.notes));
  });

  it('a request the recording has no answer for keeps its note', () => {
    const twice = scoreFlow((s) => (s.thanks!.properties.body = 'Saved'));
    twice.states.find((s) => s.name === 'send_results_to_server')!.transitions[0]!.next = 'again';
    twice.states.push({ name: 'again', type: 'make-http-request', transitions: [{ event: 'success', next: 'thanks' }, { event: 'failed', next: 'thanks' }], properties: { ...at(150), method: 'GET', content_type: 'application/x-www-form-urlencoded;charset=utf-8', url: 'https://scores.example.com/check' } } as never);
    const report = replayExecution(recordedRun(scoreFlow(), scored), { revision: 2, definition: twice });
    assert.equal(report.diverged, true);
    assert.ok(report.notes.some((n) => /widget 'again' made a request the recording has no answer for \(GET https:\/\/scores\.example\.com\/check\)/.test(n)), JSON.stringify(report.notes));
  });
});

describe('replay compares what the caller heard', () => {
  const ivr = loadFlowFile(new URL('../../examples/flows/ivr.json', import.meta.url).pathname);
  const call = (script: TestCase['script']) => recordedRun(ivr.definition, { name: 'c', trigger: { call: {} }, ...(script ? { script } : {}) });
  const edit = (change: (d: FlowDefinition) => void) => {
    const copy = structuredClone(ivr.definition);
    change(copy);
    return copy;
  };

  it('an unchanged call reports no divergence, TwiML compared', () => {
    const report = replayExecution(call([{ wait: '5s' }, { digits: '1' }]), { revision: 1, definition: ivr.definition });
    assert.equal(report.diverged, false, replayText(report));
    assert.equal(report.effectsCompared, true);
    assert.deepEqual(report.effectDifferences, []);
  });

  it("a Gather's changed say text diverges, each time the caller heard it", () => {
    const changed = edit((d) => (d.states.find((s) => s.name === 'menu')!.properties.say = 'Hello. Press 1 for hours.'));
    const report = replayExecution(call([{ wait: '5s' }, { digits: '1' }]), { revision: 2, definition: changed });
    assert.equal(report.divergence, null);
    assert.equal(report.diverged, true);
    assert.deepEqual(
      report.effectDifferences.map((d) => [d.widget, d.kind, d.occurrence, d.fields.map((f) => f.path)]),
      [
        ['menu', 'voice', 1, ['twiml[0].children[0].text']],
        ['menu', 'voice', 2, ['twiml[0].children[0].text']],
      ],
    );
    assert.equal(report.effectDifferences[0]!.fields[0]!.replay, 'Hello. Press 1 for hours.');
    assert.match(replayText(report), /what the caller heard from 'menu' differs:\n {4}- twiml\[0\]\.children\[0\]\.text: "Welcome to Pizza Planet\./);
  });

  it("a Say widget's text and a Gather's voice diverge", () => {
    const changed = edit((d) => {
      d.states.find((s) => s.name === 'hours')!.properties.say = 'We are open from noon.';
      d.states.find((s) => s.name === 'menu')!.properties.voice = 'Polly.Matthew';
    });
    const report = replayExecution(call([{ digits: '1' }]), { revision: 2, definition: changed });
    assert.equal(report.diverged, true);
    assert.deepEqual(
      report.effectDifferences.map((d) => [d.widget, d.fields]),
      [
        ['menu', [{ path: 'twiml[0].children[0].attributes.voice', original: 'Polly.Joanna', replay: 'Polly.Matthew' }]],
        ['hours', [{ path: 'twiml[0].text', original: 'We are open every day from 11 am to 11 pm.', replay: 'We are open from noon.' }]],
      ],
    );
  });

  it('a Dial to another number diverges', () => {
    const outcomes = JSON.parse(readFileSync(new URL('fixtures/call-outcomes.json', import.meta.url), 'utf8')) as FlowDefinition;
    const source = recordedRun(outcomes, { name: 'd', trigger: { call: {} } });
    assert.equal(replayExecution(source, { revision: 1, definition: outcomes }).diverged, false);
    const changed = structuredClone(outcomes);
    changed.states.find((s) => s.name === 'dial_sales')!.properties.to = '+15550002222';
    const report = replayExecution(source, { revision: 2, definition: changed });
    assert.equal(report.diverged, true);
    const dial = report.effectDifferences.find((d) => d.widget === 'dial_sales');
    assert.deepEqual(dial?.fields.map((f) => [f.original, f.replay]), [['+15550001111', '+15550002222']], JSON.stringify(report.effectDifferences));
  });
});
