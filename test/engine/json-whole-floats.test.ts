// A whole number an HTTP response writes as a float (`{"price": 10.0}`) is a Float to Ruby's JSON, and Studio's
// Liquid prints it `10.0`; JSON.parse keeps no trace of the `.0`. The engine records where such floats are when
// the widget's outputs are stored, and Liquid sees them as floats; the context the API shows keeps the number.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EngineRun } from './helpers.ts';
import { executionContext } from '../../src/engine/context.ts';
import { mayHoldWholeFloats, responseFloatPaths, wholeFloatPaths } from '../../src/engine/json-floats.ts';
import type { FlowDefinition, State } from '../../src/definition/types.ts';
import type { Effect, EffectResult } from '../../src/engine/types.ts';

const BODY = '{"price": 10.0, "items": [{"n": 2.50, "q": 1.00}, {"q": 3}], "big": 1e3, "ratio": 2.5E1, "count": 3, "text": "1.0", "neg": -0.0}';

/** An HTTP widget (or Run Function) whose response a Set Variables prints through Liquid, field by field. */
function flowWith(type: 'make-http-request' | 'run-function', templates: Record<string, string>): FlowDefinition {
  const call: State = type === 'make-http-request'
    ? { name: 'api', type, transitions: [{ event: 'success', next: 'show' }, { event: 'failed' }], properties: { method: 'GET', url: 'https://example.com/x', content_type: 'application/json' } } as unknown as State
    : { name: 'api', type, transitions: [{ event: 'success', next: 'show' }, { event: 'fail' }], properties: { url: 'https://example.twil.io/x' } } as unknown as State;
  return {
    description: 'whole floats',
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [
      { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingRequest', next: 'api' }], properties: {} } as unknown as State,
      call,
      { name: 'show', type: 'set-variables', transitions: [{ event: 'next' }], properties: { variables: Object.entries(templates).map(([key, value]) => ({ key, value })) } } as unknown as State,
    ],
  };
}

function run(type: 'make-http-request' | 'run-function', templates: Record<string, string>, body = BODY): EngineRun {
  const engine = new EngineRun(flowWith(type, templates));
  const started = engine.startBy('incomingRequest', { request: { from: '+15551230001', to: '+15005550006', parameters: {} } }, {}, { flow: '+15005550006', contact: '+15551230001' });
  const effect = started.effects.find((e): e is Extract<Effect, { effectId: string }> => 'effectId' in e)!;
  const result: EffectResult = { kind: 'http-response', statusCode: 200, contentType: 'application/json', body };
  engine.send({ type: 'effect-result', effectId: effect.effectId, result });
  return engine;
}

describe('whole floats in an HTTP response print as Ruby prints them', () => {
  const templates = {
    price: 'p={{widgets.api.parsed.price}}',
    q: '{{widgets.api.parsed.items[0].q}}|{{widgets.api.parsed.items[1].q}}|{{widgets.api.parsed.items[0].n}}',
    big: '{{widgets.api.parsed.big}}|{{widgets.api.parsed.ratio}}|{{widgets.api.parsed.neg}}',
    plain: '{{widgets.api.parsed.count}}|{{widgets.api.parsed.text}}',
    math: '{{widgets.api.parsed.price | plus: 1}}|{{widgets.api.parsed.count | plus: 1}}',
    json: '{{widgets.api.parsed.items | to_json}}',
    equal: '{% if widgets.api.parsed.price == 10 %}equal{% endif %}',
  };

  it('a Set Variables value that is the float alone is a float variable, as Set Variables reads "10.0"', () => {
    const frame = run('make-http-request', { price: '{{widgets.api.parsed.price}}' }).state.frames[0]!;
    assert.equal(frame.variables.price, 10);
    assert.deepEqual(frame.floatVariables, ['price']);
  });

  for (const type of ['make-http-request', 'run-function'] as const) {
    it(`${type}: 10.0 prints 10.0, 1e3 1000.0, an integer or a text as written; math and comparisons see the number`, () => {
      const engine = run(type, templates);
      assert.deepEqual(engine.state.frames[0]!.variables, {
        price: 'p=10.0',
        q: '1.0|3|2.5',
        big: '1000.0|25.0|-0.0',
        plain: '3|1.0',
        math: '11.0|4',
        json: '[{"n":2.5,"q":1.0},{"q":3}]',
        equal: 'equal',
      });
    });
  }

  it('the API context keeps the parsed numbers as JSON writes them', () => {
    const engine = run('make-http-request', { price: '{{widgets.api.parsed.price}}' });
    const context = executionContext(engine.state) as { widgets: { api: { parsed: { price: unknown; items: unknown } } } };
    assert.equal(context.widgets.api.parsed.price, 10);
    assert.equal(JSON.stringify(context.widgets.api.parsed.items), '[{"n":2.5,"q":1},{"q":3}]');
    assert.deepEqual(engine.state.frames[0]!.floatPaths, { api: [['parsed', 'big'], ['parsed', 'items', 0, 'q'], ['parsed', 'neg'], ['parsed', 'price'], ['parsed', 'ratio']] });
  });

  it('a response without whole floats records nothing', () => {
    const engine = run('make-http-request', { price: 'p={{widgets.api.parsed.price}}' }, '{"price": 10, "note": "v1.0"}');
    assert.equal(engine.state.frames[0]!.variables.price, 'p=10');
    assert.equal(engine.state.frames[0]!.floatPaths, undefined);
  });
});

describe('finding whole floats in JSON text', () => {
  it('the pre-check passes text that may hold one and skips text that cannot', () => {
    for (const text of ['{"a":2.0}', '{"a":1e3}', '{"a":10.00}', '[1E+2]']) assert.equal(mayHoldWholeFloats(text), true, text);
    for (const text of ['{"a":2}', '{"a":2.5}', '{"a":"x"}', '{"a":10.05}']) assert.equal(mayHoldWholeFloats(text), false, text);
  });

  it('paths are found at any depth, keys as written (a dotted key is one key), none in text that does not parse', () => {
    assert.deepEqual(wholeFloatPaths('{"a.b": 1.0, "l": [[2.0]], "s": "3.0", "n": 4.5}'), [['a.b'], ['l', 0, 0]]);
    assert.deepEqual(wholeFloatPaths('{"a": 1.0'), []);
  });

  it('only outputs with a body they were parsed from, where parsed still holds a number', () => {
    assert.deepEqual(responseFloatPaths({ body: '{"a": 1.0, "b": 2.0}', parsed: { a: 1, b: 'replaced' } }), [['parsed', 'a']]);
    assert.deepEqual(responseFloatPaths({ parsed: { a: 1 } }), []);
    assert.deepEqual(responseFloatPaths({ body: '[1.0]' }), []);
  });
});

describe('the state keeps a bounded number of float paths', () => {
  it('at most 256 of a response\'s whole floats are recorded', () => {
    const body = JSON.stringify({ list: Array.from({ length: 1000 }, (_, i) => i) }).replace(/(\d+)(?=[,\]])/g, '$1.0');
    assert.equal(wholeFloatPaths(body).length, 256);
    assert.equal(wholeFloatPaths(body, 5).length, 5);
  });
});
