import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDefinition } from '../../src/definition/parse.ts';
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
    ['invalid JSON names line and column', '{\n  "states": [\n    {"name": "a",}\n  ]\n}', /^Invalid JSON at line 3, column 18 \(position \d+\): /],
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
