// jsonBytes counts a widget's name and an empty object without writing them out: the count must be the
// UTF-8 length of JSON.stringify's text for every value, those included.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { jsonBytes, replacementGrowth } from '../../src/engine/context-size.ts';
import type { Json, JsonObject } from '../../src/engine/types.ts';

const stringified = (value: unknown) => {
  const text = JSON.stringify(value);
  return text === undefined ? 0 : Buffer.byteLength(text, 'utf8');
};

describe('jsonBytes', () => {
  it('is the UTF-8 length of the JSON text, for any value', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => assert.equal(jsonBytes(value), stringified(value))));
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (text) => assert.equal(jsonBytes(text), stringified(text))));
  });

  it('counts names and empty objects as JSON writes them', () => {
    for (const value of ['', 'send_message_1', 'a"b', 'a\\b', 'tab\there', 'naïve', '👋', '\ud800', 'x'.repeat(64), 'x'.repeat(65), '~ !#']) {
      assert.equal(jsonBytes(value), stringified(value), JSON.stringify(value));
    }
    const nullPrototype = Object.create(null) as object;
    const withHidden = Object.defineProperty({}, 'hidden', { value: 1, enumerable: false });
    const withToJson = Object.defineProperty({}, 'toJSON', { value: () => 'custom', enumerable: false });
    for (const value of [{}, [], nullPrototype, withHidden, withToJson, new Date(0), { a: undefined }, undefined, null]) {
      assert.equal(jsonBytes(value), stringified(value));
    }
  });

  it("replacing a member grows the context by the values' difference", () => {
    const widgets: JsonObject = { first: { body: 'hello' } };
    const next: Json = { body: 'hello there' };
    assert.equal(replacementGrowth(widgets, 'first', next), stringified({ first: next }) - stringified(widgets));
    assert.equal(replacementGrowth(widgets, 'second', next), stringified({ ...widgets, second: next }) - stringified(widgets));
  });
});
