import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDefinition, parseDefinitionFile } from '../../src/definition/parse.ts';
import { validateDefinition } from '../../src/definition/validate.ts';
import { baseFlow } from './fixtures.ts';

describe('parseDefinition', () => {
  it('accepts an object as is', () => {
    const f = baseFlow();
    const res = parseDefinition(f);
    assert.ok(res.ok);
    assert.equal(res.definition, f);
  });

  it('accepts JSON text, UTF-8 bytes, a BOM and double-encoded JSON', () => {
    const text = JSON.stringify(baseFlow());
    for (const input of [text, new TextEncoder().encode(text), '\uFEFF' + text, JSON.stringify(text)]) {
      const res = parseDefinition(input);
      assert.ok(res.ok, res.ok ? '' : res.error);
      assert.equal(res.definition.initial_state, 'Trigger');
      assert.equal(res.definition.states.length, baseFlow().states.length);
    }
  });

  it('tolerates oddities: unknown keys, missing states (left to the validator)', () => {
    const res = parseDefinition('{"initial_state": "Trigger", "x-extra": 1}');
    assert.ok(res.ok);
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['invalid JSON names line and column', '{\n  "states": [\n    {"name" "a"}\n  ]\n}', /^Invalid JSON at line 3, column 13 \(position 28\): Expected ':' after property name$/],
    // V8 points at the '}' after a trailing comma, in an array names no position at all: both at the comma.
    ['a trailing comma in an object, at the comma', '{\n  "states": [\n    {"name": "a",\n    }\n  ]\n}', /^Invalid JSON at line 3, column 17 \(position 32\): a trailing comma before '\}' \(JSON allows none: delete the comma\)$/],
    ['a trailing comma in an array, at the comma', '{\n  "states": [\n    {"name": "a"},\n  ]\n}', /^Invalid JSON at line 3, column 18 \(position 33\): a trailing comma before '\]' /],
    ['an unexpected token V8 gives no position for', '{\n  "states": [\n    {"name": a}\n  ]\n}', /^Invalid JSON at line 3, column 14 \(position 29\): 'a' is not JSON \(strings take double quotes/],
    ['a comment', '{\n  "states": [] // none yet\n}', /^Invalid JSON at line 2, column 16 \(position 17\): JSON has no comments$/],
    ['truncated JSON', '{"states": [', /^Invalid JSON at line 1, column 13/],
    ['empty string', '   ', /empty/],
    ['JSON array', '[1, 2]', /must be a JSON object, array found/],
    ['JSON null', 'null', /must be a JSON object, null found/],
    ['JSON number', '42', /must be a JSON object, integer found/],
    ['non-JSON value', undefined, /must be a JSON object, undefined found/],
    ['array value', [], /must be a JSON object, array found/],
    ['number value', 1.5, /must be a JSON object, number found/],
  ];
  for (const [name, input, message] of bad) {
    it(`rejects: ${name}`, () => {
      const res = parseDefinition(input);
      assert.equal(res.ok, false);
      if (!res.ok) assert.match(res.error, message);
    });
  }
});

// A file saved from GET /v2/Flows/FW… holds the definition under `definition`: `flows validate`,
// `simulate`, `switchboard test` and the web import all take it; the API's Definition does not.
describe('parseDefinitionFile', () => {
  const resource = (definition: unknown) => ({ sid: 'FW' + '0'.repeat(32), friendly_name: 'x', status: 'published', revision: 3, definition });

  it('unwraps a Flow resource (its definition as an object or as JSON text) and keeps a bare definition', () => {
    for (const text of [JSON.stringify(resource(baseFlow())), JSON.stringify(resource(JSON.stringify(baseFlow()))), JSON.stringify(baseFlow())]) {
      const res = parseDefinitionFile(text);
      assert.ok(res.ok, res.ok ? '' : res.error);
      assert.equal(res.definition.initial_state, 'Trigger');
      assert.equal(res.definition.states.length, baseFlow().states.length);
    }
    const res = parseDefinitionFile(JSON.stringify(resource(baseFlow())));
    assert.ok(res.ok && validateDefinition(res.definition).valid);
  });

  it('leaves what is neither for the validator, and reports a wrapped value that is no object', () => {
    const plain = parseDefinitionFile('{"hello": 1}');
    assert.ok(plain.ok);
    assert.deepEqual(plain.definition, { hello: 1 });
    const wrappedNumber = parseDefinitionFile(JSON.stringify({ definition: 5 }));
    assert.ok(wrappedNumber.ok);
    assert.deepEqual(wrappedNumber.definition, { definition: 5 });
    const broken = parseDefinitionFile(JSON.stringify({ definition: '{"states": [' }));
    assert.equal(broken.ok, false);
  });

  it('parseDefinition (the API) does not unwrap', () => {
    const res = parseDefinition(JSON.stringify(resource(baseFlow())));
    assert.ok(res.ok);
    assert.equal(validateDefinition(res.definition).valid, false);
  });
});

// JSON.parse reads 1e400 as Infinity and JSON.stringify then writes null: a flow file holding such a
// number passed `flows validate` and reached the server (through twilio-node's JSON.stringify) with a
// null in its place, refused there for a null the file never had. Files are refused as the API refuses
// such a Definition (test/api/body-encoding.test.ts), naming where the number is.
describe('parseDefinitionFile: numbers too large for a double', () => {
  const withOffset = (x: string) => JSON.stringify(baseFlow(), null, 2).replace(/"offset": \{\s*"x": -?\d+/, `"offset": {\n"x": ${x}`);

  it('a number that would become Infinity is refused, with its JSON pointer', () => {
    for (const literal of ['1e400', '-1E999', '9'.repeat(400)]) {
      const text = withOffset(literal);
      assert.ok(text.includes(literal), 'the fixture holds an offset to put the number in');
      const res = parseDefinitionFile(text);
      assert.equal(res.ok, false, literal);
      if (!res.ok) assert.match(res.error, /^Flow definition is not valid JSON: the number at \/states\/\d+\/properties\/offset\/x is too large \(beyond ±1\.8e308, it would become Infinity\)$/);
      assert.equal(parseDefinition(text).ok, false);
    }
  });

  it('large finite numbers and exponents are kept', () => {
    const res = parseDefinitionFile(withOffset('1e300'));
    assert.ok(res.ok, res.ok ? '' : res.error);
    assert.ok(res.definition.states.some((s) => (s.properties as { offset?: { x: number } }).offset?.x === 1e300));
  });
});
