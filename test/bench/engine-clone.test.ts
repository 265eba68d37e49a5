// cloneJson replaced structuredClone in the interpreter (bench scenario 4's largest engine cost):
// it must give the same deep, independent copy for everything an execution state can hold.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { cloneJson } from '../../src/engine/clone.ts';

describe('cloneJson', () => {
  it('equals structuredClone on arbitrary JSON and shares no object with its input', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const copy = cloneJson(value);
        assert.deepStrictEqual(copy, structuredClone(value));
        const originals = new Set<unknown>();
        const collect = (v: unknown) => {
          if (v && typeof v === 'object') {
            originals.add(v);
            Object.values(v).forEach(collect);
          }
        };
        collect(value);
        const shared = (v: unknown): boolean => !!v && typeof v === 'object' && (originals.has(v) || Object.values(v).some(shared));
        assert.equal(shared(copy), false);
      }),
    );
  });

  it('keeps a "__proto__" key as data and undefined members as they are', () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "a": [1, {"b": null}]}') as Record<string, unknown>;
    const copy = cloneJson({ ...Object.fromEntries(Object.entries(parsed)), u: undefined });
    assert.equal(Object.getPrototypeOf(copy), Object.prototype);
    assert.deepEqual(Object.keys(copy), ['__proto__', 'a', 'u']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.ok('u' in copy);
  });

  it('copies a Date (not plain JSON) the way structuredClone does', () => {
    const date = new Date(1_700_000_000_000);
    const copy = cloneJson({ at: date });
    assert.notEqual(copy.at, date);
    assert.equal(copy.at.getTime(), date.getTime());
  });
});
