// The differing fields of a widget's outputs in a replay report, as paths: nested objects and arrays,
// a field only on one side (that side's value only), key order and undefined keys not differences.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fieldDifferences } from '../../src/flowtest/output-fields.ts';

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

describe('fieldDifferences', () => {
  it('names the differing leaves by path, in key order', () => {
    const original = { outbound: { Author: 'Bot', Body: 'Name?', Index: 1 }, inbound: { Body: 'Ada' } };
    const replay = { inbound: { Body: 'Ada' }, outbound: { Body: 'Name?', Index: 1, Author: 'Agent' } };
    assert.deepEqual(fieldDifferences(original, replay, same), [{ path: 'outbound.Author', original: 'Bot', replay: 'Agent' }]);
    assert.deepEqual(fieldDifferences(original, structuredClone(original), same), []);
  });

  it('a field on one side only carries that side alone; arrays by index', () => {
    assert.deepEqual(fieldDifferences({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 3, 4] }, d: null }, same), [
      { path: 'a', original: 1 },
      { path: 'b.c[1]', original: 2, replay: 3 },
      { path: 'b.c[2]', replay: 4 },
      { path: 'd', replay: null },
    ]);
  });

  it('an undefined key is no key; a value that changes type is one difference', () => {
    assert.deepEqual(fieldDifferences({ a: 1, b: undefined }, { a: 1 }, same), []);
    assert.deepEqual(fieldDifferences({ parsed: { n: 1 } }, { parsed: 'text' }, same), [{ path: 'parsed', original: { n: 1 }, replay: 'text' }]);
    assert.deepEqual(fieldDifferences('x', 'y', same), [{ path: '', original: 'x', replay: 'y' }]);
  });
});
