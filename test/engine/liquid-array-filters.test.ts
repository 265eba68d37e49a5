// Shopify's array filters (standardfilters.rb) where liquidjs' differed: the InputIterator's flattening of nested
// arrays and reading of a hash as one item.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderTemplate, type RenderOptions } from '../../src/engine/liquid.ts';

const OPTS: RenderOptions = { now: new Date('2026-03-10T12:34:56Z') };

/** Shopify's release with `sum` (5.5.0), and liquidjs' extras (`push`), for the tests that use them. */
const SUM: RenderOptions = { ...OPTS, liquidVersion: '5.5.0' };
const EXTRAS: RenderOptions = { ...OPTS, liquidExtras: true };

function ok(template: string, context: Record<string, unknown> = {}, opts: RenderOptions = OPTS): string {
  const r = renderTemplate(template, context, opts);
  assert.ok(r.ok, `expected ok for ${template.slice(0, 100)}: ${JSON.stringify(r)}`);
  return r.value;
}

function err(template: string, context: Record<string, unknown> = {}, opts: RenderOptions = OPTS): string {
  const r = renderTemplate(template, context, opts);
  assert.ok(!r.ok, `expected an error for ${template.slice(0, 100)}, got ${JSON.stringify(r).slice(0, 200)}`);
  assert.equal(r.error.code, 84003);
  return r.error.message;
}

const nested = { n: [[1, 2], [3, [4, null]]], m: [[3, 1], [2]] };

describe('Liquid array filters flatten their input as Shopify\'s InputIterator', () => {
  it('join puts its glue between every item of nested arrays', () => {
    assert.equal(ok('{{ n | join: "-" }}', nested), '1-2-3-4-');
    assert.equal(ok('{{ n | join }}', nested), '1 2 3 4 ');
  });
  it('sort, sort_natural, reverse, uniq and compact work on the flattened items', () => {
    assert.equal(ok('{{ m | sort | join: "," }}', nested), '1,2,3');
    assert.equal(ok('{{ words | sort_natural | join: "," }}', { words: [['b', 'C'], ['a']] }), 'a,b,C');
    assert.equal(ok('{{ n | reverse | join: "," }}', nested), ',4,3,2,1');
    assert.equal(ok('{{ n | compact | join: "," }}', nested), '1,2,3,4');
    assert.equal(ok('{{ d | uniq | join: "," }}', { d: [[1, 2], [2, [1, 3]]] }), '1,2,3');
  });
  it('map, where and sum read the items of nested arrays', () => {
    const items = { items: [{ x: 1, t: 'a' }, [{ x: 2 }, [{ x: 3, t: 'b' }]]] };
    assert.equal(ok('{{ items | map: "x" | join: "," }}', items), '1,2,3');
    assert.equal(ok('{{ items | where: "t" | map: "x" | join: "," }}', items), '1,3');
    assert.equal(ok('{{ items | where: "t", "b" | map: "x" | join: "," }}', items), '3');
    assert.equal(ok('{{ items | map: "x" | sum }}', items, SUM), '6');
    assert.equal(ok('{{ n | sum }}', nested, SUM), '10');
  });
  it('concat flattens its input but not its argument; first, last and size take the array as it is', () => {
    assert.equal(ok('{{ n | concat: m | size }}', nested), '7'); // [1, 2, 3, 4, nil, [3, 1], [2]]
    assert.equal(ok('{{ n | concat: m | last | join: "," }}', nested), '2');
    assert.equal(ok('{{ n | size }} {{ n | first | join: "," }} {{ n | last | size }}', nested), '2 1,2 2');
  });
  it('a hash is one item: join prints it as the output does', () => {
    assert.equal(ok('{{ h | join: "," }}', { h: { a: 1 } }), '{"a":1}');
    assert.equal(ok('{{ h | concat: l | join: "," }}', { h: { a: 1 }, l: [2] }), '{"a":1},2');
  });
  it('flattening arrays shared at many places is charged to the render\'s budget', () => {
    const doubling = '{% for i in (1..15) %}{% assign a = a | push: a %}{% endfor %}';
    const message = err(`{% assign a = "x" | split: "," %}${doubling.repeat(3)}{{ a | join: "" | size }}`, {}, EXTRAS);
    assert.match(message, /memory units/);
  });
});

describe('Liquid concat requires an array argument, as Shopify', () => {
  it('a text, a number, a float, a hash or nil argument fails the render (84003), as divided_by: 0 does', () => {
    const context = { list: [1, 2], h: { a: 1 } };
    for (const argument of ['"x"', '3', '2.0', 'h', 'missing']) {
      assert.match(err(`{{ list | concat: ${argument} | join: "," }}`, context), /concat filter requires an array argument/);
    }
    assert.match(err('{% assign all = list | concat %}{{ all }}', context), /concat: wrong number of arguments \(given 1, expected 2\)/);
    assert.match(err('{{ 1 | divided_by: 0 }}'), /^Liquid render error: divided by 0/); // the same kind of failure
  });
  it('an array argument concatenates, whatever the input (nil is no items, a text one item)', () => {
    const context = { list: [1, 2], more: ['a'] };
    assert.equal(ok('{{ list | concat: more | join: "," }}', context), '1,2,a');
    assert.equal(ok('{{ missing | concat: more | join: "," }}', context), 'a');
    assert.equal(ok('{{ "x" | concat: more | join: "," }}', context), 'x,a');
  });
});

describe('Liquid first and last as Shopify (respond_to?(:first))', () => {
  it('a text has no first or last: nil, not its first or last character', () => {
    assert.equal(ok('[{{ s | first }}|{{ s | last }}]', { s: 'hello' }), '[|]');
    assert.equal(ok('{% assign c = s | first %}{% if c == nil %}nil{% endif %}', { s: 'hello' }), 'nil');
  });
  it('a hash\'s first is its first [key, value] pair (Hash#first); it has no last', () => {
    assert.equal(ok('{{ h | first | join: "=" }}|{{ h | first | last }}|{{ h | last }}|{{ e | first }}', { h: { a: 1, b: 2 }, e: {} }), 'a=1|1||');
  });
  it('an array\'s first and last item, as before', () => {
    assert.equal(ok('{{ "a b c" | split: " " | first }}{{ "a b c" | split: " " | last }}|{{ l | first }}', { l: [] }), 'ac|');
  });
});

describe('Liquid uniq and compact as Shopify', () => {
  const orders = {
    orders: [
      { id: 1, city: 'Lusaka', note: null },
      { id: 2, city: 'Ndola' },
      { id: 3, city: 'Lusaka', note: 'call first' },
      { id: 4, note: 'no city' },
    ],
  };
  it('uniq: "p" keeps the first item of each value of the property (liquidjs ignored it)', () => {
    assert.equal(ok('{{ orders | uniq: "city" | map: "id" | join: "," }}', orders), '1,2,4');
  });
  it('compact: "p" drops the items whose property is nil or missing (liquidjs ignored it)', () => {
    assert.equal(ok('{{ orders | compact: "note" | map: "id" | join: "," }}', orders), '3,4');
    assert.equal(ok('{{ orders | compact: "city" | map: "id" | join: "," }}', orders), '1,2,3');
  });
  it('uniq counts hashes with the same keys and values as one, as Ruby\'s eql?; 2 and 2.0 stay two', () => {
    const data = { rows: [{ a: 1, b: [2] }, { b: [2], a: 1 }, { a: 1, b: [3] }] };
    assert.equal(ok('{{ rows | uniq | size }}', data), '2');
    assert.equal(ok('{% assign l = 2.0 | concat: two %}{{ l | uniq | join: "," }}', { two: [2, 2, '2'] }), '2.0,2,2');
  });
});

describe('Liquid join\'s glue as Ruby\'s glue.to_s', () => {
  it('a nil glue (a missing variable, nil) is nothing, not the default space', () => {
    assert.equal(ok('{{ l | join: missing }}|{{ l | join: nil }}|{{ l | join }}', { l: ['a', 'b'] }), 'ab|ab|a b');
  });
});

describe('Liquid array filters read a property name literally, as Ruby\'s item[property]', () => {
  // A key spelled with a dot, beside a nested hash that a path "a.b" would reach: Ruby reads only the key.
  const rows = {
    rows: [
      { id: 1, 'a.b': 2, a: { b: 20 } },
      { id: 2, a: { b: 10 } },
      { id: 3, 'a.b': 1 },
    ],
  };
  const v57: RenderOptions = { ...OPTS, liquidVersion: '5.7.0' };
  it('map, where, sort and sort_natural read the key "a.b", not a.b nested', () => {
    assert.equal(ok('{{ rows | map: "a.b" | join: "," }}', rows), '2,,1');
    assert.equal(ok('{{ rows | where: "a.b" | map: "id" | join: "," }}', rows), '1,3');
    assert.equal(ok('{{ rows | where: "a.b", 1 | map: "id" | join: "," }}|{{ rows | where: "a.b", 10 | size }}', rows), '3|0');
    assert.equal(ok('{{ rows | sort: "a.b" | map: "id" | join: "," }}|{{ rows | sort_natural: "a.b" | map: "id" | join: "," }}', rows), '3,1,2|3,1,2');
    assert.equal(ok('{{ rows | uniq: "a.b" | map: "id" | join: "," }}', rows), '1,2,3');
  });
  it('sum (5.5.0) and find, find_index, has, reject (5.7.0) too', () => {
    assert.equal(ok('{{ rows | sum: "a.b" }}', rows, v57), '3');
    assert.equal(ok('{{ rows | find: "a.b", 1 | map: "id" }}|{{ rows | find_index: "a.b", 1 }}|{{ rows | has: "a.b", 10 }}', rows, v57), '3|2|false');
    assert.equal(ok('{{ rows | reject: "a.b" | map: "id" | join: "," }}', rows, v57), '2');
  });
  it('a name liquidjs would read as an expression or a special property is a key too: "size", "first", "x[0]"', () => {
    const data = { l: [{ size: 'S', 'x[0]': 'k' }, { first: 'F' }, ['a', 'b']] };
    assert.equal(ok('{{ l | map: "size" | join: "," }}|{{ l | map: "first" | join: "," }}|{{ l | map: "x[0]" | join: "," }}', data), 'S,,,|,F,,|k,,,');
    assert.equal(ok('{{ l | where: "size" | size }}', data), '1');
  });
  it('a text item answers String#[]: the property when it contains it, else nil', () => {
    assert.equal(ok('{{ l | map: "an" | join: "," }}|{{ l | where: "an" | join: "," }}', { l: ['banana', 'kiwi'] }), 'an,|banana');
  });
});

describe('Liquid sort refuses values Ruby cannot order, as Shopify 5', () => {
  it('a number and a text, true and false, a hash and a number fail the render (84003)', () => {
    assert.match(err('{{ list | sort | join: "," }}', { list: [2, 'a', 1] }), /cannot sort values of incompatible types/);
    assert.match(err('{{ list | sort | join: "," }}', { list: [[1], ['1']] }), /cannot sort values of incompatible types/);
    assert.match(err('{{ list | sort | join: "," }}', { list: [true, false] }), /cannot sort values of incompatible types/);
    assert.match(err('{{ list | sort | join: "," }}', { list: [{ a: 1 }, 1] }), /cannot sort values of incompatible types/);
    assert.match(err('{% assign f = 2.0 %}{% assign list = "a" | split: "," %}{{ f | concat: list | sort }}'), /cannot sort values of incompatible types/);
    assert.match(err('{{ list | sort: "p" | map: "p" | join: "," }}', { list: [{ p: 1 }, { p: 'x' }] }), /cannot sort values of incompatible types/);
  });
  it('two hashes that differ cannot be sorted (Hash has no <=>); equal ones, one hash or hashes under nil can', () => {
    assert.match(err('{{ list | sort | size }}', { list: [{ a: 1 }, { a: 2 }] }), /cannot sort values of incompatible types/);
    assert.match(err('{{ list | sort: "p" | size }}', { list: [{ p: { a: 1 } }, { p: { b: 1 } }] }), /cannot sort values of incompatible types/);
    assert.equal(ok('{{ list | sort | size }}', { list: [{ a: 1, b: [1] }, null, { b: [1.0], a: 1 }] }), '3');
    assert.equal(ok('{{ list | sort | size }}', { list: [{ a: 1 }] }), '1');
  });
  it('numbers with floats, texts, nil and values of one kind still sort; sort_natural compares text', () => {
    assert.equal(ok('{{ list | sort | join: "," }}', { list: [3, null, 1.5, 2] }), '1.5,2,3,');
    assert.equal(ok('{% assign f = 2.0 %}{{ f | concat: list | sort | join: "," }}', { list: [3, 1] }), '1,2.0,3');
    assert.equal(ok('{{ list | sort | join: "," }}', { list: ['b', null, 'a'] }), 'a,b,');
    assert.equal(ok('{{ list | sort | join: "," }}', { list: [true, null, true] }), 'true,true,');
    assert.equal(ok('{{ list | sort: "p" | map: "p" | join: "," }}', { list: [{ p: 2 }, {}, { p: 1.5 }] }), '1.5,2,');
    assert.equal(ok('{{ list | sort_natural | join: "," }}', { list: [2, 'B', 'a', 10] }), '10,2,a,B');
  });
});

describe('Liquid size of a number as Ruby (respond_to?(:size)): Integer#size is 8, a float has none', () => {
  it('the size filter gives 8 for an integer and 0 for a float, true or nil', () => {
    assert.equal(ok('{{ 5 | size }}|{{ n | size }}|{{ n | plus: 1 | size }}|{{ big | size }}', { n: -7, big: 2 ** 40 }), '8|8|8|8');
    assert.equal(ok('{{ 2.0 | size }}|{{ f | size }}|{{ n | plus: 0.5 | size }}|{{ t | size }}|{{ missing | size }}', { n: 5, f: 1.5, t: true }), '0|0|0|0|0');
    assert.equal(ok('{{ "5" | size }}|{{ list | size }}|{{ h | size }}', { list: [1, 2], h: { a: 1 } }), '1|2|1');
  });
  it('n.size is 8 for an integer and nil for a float', () => {
    assert.equal(ok('{{ n.size }}|{{ f.size }}|{% assign g = 2.0 %}{{ g.size }}|{% if f.size == nil %}nil{% endif %}', { n: 5, f: 1.5 }), '8|||nil');
  });
});

describe('Liquid h.first as Ruby\'s VariableLookup: Hash#first unless the hash has a key "first"', () => {
  it('a hash\'s first is its first [key, value] pair; its last is nil; an empty hash\'s first is nil', () => {
    const h = { h: { a: 1, b: 2 }, e: {} };
    assert.equal(ok('{{ h.first | join: "=" }}|{{ h.first[1] }}|{{ h.first }}|{{ h.last }}|{{ e.first }}|{{ h.size }}', h), 'a=1|1|a1|||2');
  });
  it('a key named first, last or size is read as the key; a text has no first', () => {
    const k = { k: { first: 'x', last: 'y', size: 'z' }, s: 'abc', l: [1, 2] };
    assert.equal(ok('{{ k.first }}|{{ k.last }}|{{ k.size }}|{{ s.first }}|{{ s.size }}|{{ l.first }}|{{ l.last }}', k), 'x|y|z||3|1|2');
  });
});
