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

describe('whole floats in JSON a flow parses itself (json_object values) print as Ruby prints them', () => {
  const trigger = { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingRequest', next: 'set' }], properties: {} } as unknown as State;
  const setVars = (name: string, variables: unknown[], next?: string) =>
    ({ name, type: 'set-variables', transitions: [{ event: 'next', ...(next ? { next } : {}) }], properties: { variables } }) as unknown as State;
  const definition = (states: State[]): FlowDefinition => ({ description: 'json floats', initial_state: 'Trigger', flags: { allow_concurrent_calls: true }, states: [trigger, ...states] });
  const start = (engine: EngineRun) => engine.startBy('incomingRequest', { request: { from: '+15551230001', to: '+15005550006', parameters: {} } }, {}, { flow: '+15005550006', contact: '+15551230001' });
  const CONFIG = '{"price": 10.0, "list": [1.0, 2, 2.5], "n": 3, "big": 1e2, "note": "1.0"}';

  it('Set Variables: a json_object value keeps its whole floats in flow.variables and in its widget\'s outputs; the API context keeps the numbers', () => {
    const engine = new EngineRun(definition([
      setVars('set', [{ key: 'cfg', value: CONFIG, type: 'json_object' }, { key: 'one', value: '5.0', type: 'json_object' }, { key: 'plain', value: '{"a": 1}', type: 'json_object' }], 'show'),
      setVars('show', [
        { key: 'vars', value: '{{flow.variables.cfg.price}}|{{flow.variables.cfg.list | join: ","}}|{{flow.variables.cfg.n}}|{{flow.variables.cfg.big}}|{{flow.variables.cfg.note}}|{{flow.variables.one}}|{{flow.variables.plain.a}}' },
        { key: 'outputs', value: '{{widgets.set.cfg.price}}|{{widgets.set.one}}|{{widgets.set.cfg.price | plus: 1}}' },
      ]),
    ]));
    start(engine);
    const frame = engine.state.frames[0]!;
    assert.equal(frame.variables.vars, '10.0|1.0,2,2.5|3|100.0|1.0|5.0|1');
    assert.equal(frame.variables.outputs, '10.0|5.0|11.0');
    assert.deepEqual(frame.floatVariables, [['cfg', 'big'], ['cfg', 'list', 0], ['cfg', 'price'], 'one']);
    assert.deepEqual(frame.floatOutputs, { set: ['one'] });
    assert.deepEqual(frame.floatPaths, { set: [['cfg', 'big'], ['cfg', 'list', 0], ['cfg', 'price']] });
    const context = executionContext(engine.state) as { flow: { variables: { cfg: unknown } } };
    assert.equal(JSON.stringify(context.flow.variables.cfg), '{"price":10,"list":[1,2,2.5],"n":3,"big":100,"note":"1.0"}');
  });

  it('setting the member again drops its marks; other members keep theirs', () => {
    const engine = new EngineRun(definition([
      setVars('set', [{ key: 'cfg', value: CONFIG, type: 'json_object' }, { key: 'other', value: '{"x": 2.0}', type: 'json_object' }], 'again'),
      setVars('again', [{ key: 'cfg', value: '{"price": 10}', type: 'json_object' }], 'show'),
      setVars('show', [{ key: 'out', value: '{{flow.variables.cfg.price}}|{{flow.variables.other.x}}' }]),
    ]));
    start(engine);
    const frame = engine.state.frames[0]!;
    assert.equal(frame.variables.out, '10|2.0');
    assert.deepEqual(frame.floatVariables, [['other', 'x']]);
    assert.equal(frame.floatPaths?.again, undefined);
  });

  it('Run Subflow: json_object parameters keep their whole floats in trigger.parent.parameters; the subflow\'s JSON variables come back as floats', () => {
    const SUB = 'FW' + 'b'.repeat(32);
    const parent = definition([
      { name: 'set', type: 'run-subflow', transitions: [{ event: 'completed', next: 'show' }, { event: 'failed' }], properties: { flow_sid: SUB, flow_revision: 'LatestPublished', parameters: [{ key: 'cfg', value: CONFIG, type: 'json_object' }, { key: 'text', value: '{"p": 1.0}' }] } } as unknown as State,
      setVars('show', [{ key: 'back', value: '{{widgets.set.seen}}|{{widgets.set.made.total}}' }]),
    ]);
    const child: FlowDefinition = {
      description: 'child',
      initial_state: 'Trigger',
      flags: { allow_concurrent_calls: true },
      states: [
        { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingParent', next: 'inner' }], properties: {} } as unknown as State,
        setVars('inner', [
          { key: 'seen', value: '{{trigger.parent.parameters.cfg.price}}/{{trigger.parent.parameters.cfg.list[0]}}/{{trigger.parent.parameters.text}}' },
          { key: 'made', value: '{"total": 4.0}', type: 'json_object' },
        ]),
      ],
    };
    const engine = new EngineRun(parent);
    const started = start(engine);
    const load = started.effects.find((e): e is Extract<Effect, { type: 'load-subflow' }> => e.type === 'load-subflow')!;
    engine.send({ type: 'effect-result', effectId: load.effectId, result: { kind: 'subflow-loaded', flowSid: SUB, revision: 1, definition: child } });
    assert.equal(engine.state.frames.length, 1);
    assert.equal(engine.state.frames[0]!.variables.back, '10.0/1.0/{"p": 1.0}|4.0');
  });
});
