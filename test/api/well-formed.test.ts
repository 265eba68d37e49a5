// Lone UTF-16 surrogates from JSON escapes become U+FFFD at the API's edge (src/api/wire/well-formed.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { wellFormed, wellFormedJson } from '../../src/api/wire/well-formed.ts';

describe('wellFormed / wellFormedJson', () => {
  it('replaces lone surrogates and keeps pairs', () => {
    assert.equal(wellFormed('a\ud800b\udc00'), 'a\uFFFDb\uFFFD');
    const pair = 'ok \ud83d\ude00';
    assert.equal(wellFormed(pair), pair);
  });

  it('fixes strings and keys at any depth, keeping key order and a "__proto__" key', () => {
    const value = JSON.parse('{"a":["x\\ud800",{"k\\udc00":1,"z":"\\udfff"}],"__proto__":"p","b\\ud800":2,"c":3}');
    const fixed = wellFormedJson(value) as Record<string, unknown>;
    assert.deepEqual(Object.keys(fixed), ['a', '__proto__', 'b\uFFFD', 'c']);
    assert.equal(Object.getPrototypeOf(fixed), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(fixed, '__proto__')?.value, 'p');
    assert.deepEqual(fixed.a, ['x\uFFFD', { 'k\uFFFD': 1, z: '\uFFFD' }]);
  });

  it('returns well-formed values as they are', () => {
    const value = { a: ['x', { b: 'y' }], n: 1, t: null };
    assert.equal(wellFormedJson(value), value);
    assert.deepEqual(value, { a: ['x', { b: 'y' }], n: 1, t: null });
  });
});
