// Liquid as Shopify's (Ruby) renders it where liquidjs differed: decimal arithmetic without float noise, `slice`
// charging what it returns, per-item costs that make the counted budgets trip before the wall-clock fuse, hash
// `contains`, `<>`, dotted `assign` names, dates without a day or a year, `default`/`escape`/missing operands.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderTemplate, type RenderOptions } from '../../src/engine/liquid.ts';
import { LIQUID_LIMITS, LiquidBudget } from '../../src/engine/liquid/limits.ts';
import { liquidSyntaxError } from '../../src/definition/liquid-syntax.ts';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const OPTS: RenderOptions = { now: new Date('2026-03-10T12:34:56Z') };
/** liquidjs' filters that Studio's Liquid lacks (group_by, *_exp; find, has, reject before Shopify 5.7.0) kept. */
const EXTRAS: RenderOptions = { ...OPTS, liquidExtras: true };

function render(template: string, context: Record<string, unknown> = {}, opts: RenderOptions = OPTS) {
  return renderTemplate(template, context, opts);
}

function ok(template: string, context: Record<string, unknown> = {}, opts: RenderOptions = OPTS): string {
  const r = render(template, context, opts);
  assert.ok(r.ok, `expected ok for ${template.slice(0, 100)}: ${JSON.stringify(r)}`);
  return r.value;
}

function err(template: string, context: Record<string, unknown> = {}, opts: RenderOptions = OPTS): string {
  const r = render(template, context, opts);
  assert.ok(!r.ok, `expected an error for ${template.slice(0, 100)}, got ${JSON.stringify(r).slice(0, 200)}`);
  assert.equal(r.error.code, 84003);
  return r.error.message;
}

describe('Liquid fidelity: decimal arithmetic is exact, as BigDecimal', () => {
  it('plus, minus, times and modulo print no float noise when an operand has a fraction', () => {
    assert.equal(ok('{{ 183.357 | modulo: 12 }}'), '3.357');
    assert.equal(ok('{{ v | minus: 10.10 }}', { v: '25.30' }), '15.2');
    assert.equal(ok('{{ total | times: 100 }}', { total: '19.99' }), '1999.0');
    assert.equal(ok('{{ 0.1 | plus: 0.2 }}'), '0.3');
    assert.equal(ok('{{ 1.1 | times: 3 }}'), '3.3');
    assert.equal(ok('{{ price | times: qty | plus: 0.01 }}', { price: 4.35, qty: 3 }), '13.06');
    assert.equal(ok('{{ 0.000001 | times: 3 }}'), '3.0e-06'); // Ruby's Float#to_s
  });
  it('modulo with decimals is floored, as Ruby: the sign of the divisor', () => {
    assert.equal(ok('{{ -7.5 | modulo: 2 }}'), '0.5');
    assert.equal(ok('{{ 7.5 | modulo: -2 }}'), '-0.5');
    assert.equal(ok('{{ 5.5 | modulo: 0.1 }}'), '0.0');
    assert.match(err('{{ 5.5 | modulo: 0 }}'), /divided by 0/);
  });
  it('divided_by with a decimal operand divides the decimals, not their float noise', () => {
    assert.equal(ok('{{ 0.3 | divided_by: 0.1 }}'), '3.0');
    assert.equal(ok('{{ total | divided_by: 0.07 }}', { total: '0.21' }), '3.0');
    assert.equal(ok('{{ 10 | divided_by: 4.0 }} {{ 10 | divided_by: 4 }} {{ 1 | divided_by: 3.0 }}'), `2.5 2 ${1 / 3}`);
    // Scales a double cannot align (the divisor would be 2e320): divided as floats, not 0.
    assert.equal(ok('{{ v | divided_by: 2 }}', { v: 1e-320 }), '5.0e-321');
  });
  it('integers stay integers, beyond 2^53 as before', () => {
    assert.equal(ok('{{ 10 | plus: 5 }} {{ 10 | minus: 15 }} {{ 6 | times: 7 }} {{ -7 | modulo: 3 }}'), '15 -5 42 2');
    assert.equal(ok('{{ 9007199254740993 | plus: 0 }}'), '9007199254740992');
    assert.equal(ok('{{ n | times: 3 }}', { n: 9007199254740991 }), String(9007199254740991 * 3));
    assert.equal(ok('{{ "12abc" | plus: "2.5" }}'), '14.5');
  });
});

describe('Liquid fidelity: floats print as Ruby floats', () => {
  it('a math filter with a float operand gives a float, printed with its .0', () => {
    assert.equal(ok('{{ 10 | divided_by: 2.0 }}'), '5.0');
    assert.equal(ok('{{ 10.0 | divided_by: 4 }}'), '2.5');
    assert.equal(ok('{{ 2.0 | times: 3 }}'), '6.0');
    assert.equal(ok('{{ 1.5 | plus: 1.5 }}'), '3.0');
    assert.equal(ok('{{ 1.0 | minus: 1 }}'), '0.0');
    assert.equal(ok('{{ 7 | modulo: 2.0 }}'), '1.0');
    assert.equal(ok('{{ "2.0" | plus: 1 }}'), '3.0');
    assert.equal(ok('{{ -2.0 | abs }}'), '2.0');
    assert.equal(ok('{{ 2.0 | round: 1 }}'), '2.0');
    assert.equal(ok('{{ 5 | at_least: 7.0 }}'), '7.0');
    assert.equal(ok('{{ 9.0 | at_most: 7 }}'), '7');
  });
  it('a literal written with a decimal point is a float; integers stay integers', () => {
    assert.equal(ok('{{ 3.0 }}'), '3.0');
    assert.equal(ok('{% assign x = 2.0 %}{{ x }} {{ x | times: 2 }}{% if x == 2 %} equal{% endif %}'), '2.0 4.0 equal');
    assert.equal(ok('{{ 10 | divided_by: 4 }} {{ 2 | times: 3 }} {{ 2.5 | round }} {{ 2.5 | ceil }} {{ 2 | round: 1 }}'), '2 6 3 3 2');
  });
  it('text filters and to_json see the float as Ruby writes it', () => {
    assert.equal(ok('{{ 10 | divided_by: 2.0 | append: " SMS" }}'), '5.0 SMS');
    assert.equal(ok('{{ "x" | append: 2.0 }}'), 'x2.0');
    assert.equal(ok('{{ 2.0 | times: 1 | to_json }}'), '2.0');
  });
  it('join and the array filters read a float as Ruby\'s InputIterator, an array of that float', () => {
    assert.equal(ok('{{ 10 | divided_by: 4.0 | join: "," }}|{{ 2.0 | join }}|{{ 4 | times: 0.5 | join: "-" }}'), '2.5|2.0|2.0');
    assert.equal(ok('{{ 2.0 | sort | join }} {{ 2.0 | sort_natural | join }} {{ 2.0 | reverse | join }} {{ 2.0 | uniq | join }} {{ 2.0 | compact | join }}'), '2.0 2.0 2.0 2.0 2.0');
    assert.equal(ok('{{ 1.0 | concat: list | join: "," }}', { list: [2, 'x'] }), '1.0,2,x');
    // Floats inside an array, and a float glue (Ruby's glue.to_s)
    assert.equal(ok('{% assign a = 2.0 | concat: list | sort %}{{ a | join: ", " }}', { list: [3, 1] }), '1, 2.0, 3');
    assert.equal(ok('{{ list | join: 1.0 }}', { list: ['a', 'b'] }), 'a1.0b');
    assert.equal(ok('{{ list | join: 0.5 }}', { list: ['a', 'b'] }), 'a0.5b');
  });
  it('slice, default, echo, cycle and contains see a float as Ruby writes it', () => {
    assert.equal(ok('{{ 12.0 | slice: 0, 4 }}|{{ 2.0 | slice: -2, 2 }}'), '12.0|.0');
    assert.equal(ok('{{ 2.0 | default: 1 }}|{{ 0.0 | default: 1 }}|{{ missing | default: 2.0 }}'), '2.0|0.0|2.0');
    assert.equal(ok('{% echo 2.0 %}|{% echo 6 | divided_by: 4.0 %}|{% liquid\necho 3 | times: 1.0\n%}'), '2.0|1.5|3.0');
    assert.equal(ok('{% for i in (1..4) %}{% cycle 1.0, "b", 0 %}{% endfor %}'), '1.0b01.0');
    assert.equal(ok('{% cycle "g": 1.0, 2 %}{% cycle "h": 1.0, 2 %}{% cycle "g": 1.0, 2 %}'), '1.01.02');
    assert.equal(ok('{% if "x2" contains 2.0 %}yes{% else %}no{% endif %} {% if "x2.0" contains 2.0 %}yes{% endif %}'), 'no yes');
  });
  it('Float#to_s notation: scientific below 1e-4 and from 1e16', () => {
    assert.equal(ok('{{ 0.00001 | times: 1.0 }}'), '1.0e-05');
    assert.equal(ok('{{ 0.0001 | times: 1.0 }}'), '0.0001');
    assert.equal(ok('{{ 10000000000000000 | times: 1.0 }}'), '1.0e+16');
    assert.equal(ok('{{ 1000000000000000 | times: 1.0 }}'), '1000000000000000.0');
  });
  it('a whole number from data stays an integer (JSON keeps no trace of 2.0)', () => {
    assert.equal(ok('{{ n | times: 3 }}', { n: 2 }), '6');
    assert.equal(ok('{{ n | times: 3 }}', { n: 2.5 }), '7.5');
  });
});

describe('Liquid fidelity: slice charges what it returns', () => {
  it('a length beyond the input returns the rest instead of failing the render', () => {
    assert.equal(ok('{{ "abc" | slice: 0, 1000000 }}'), 'abc');
    assert.equal(ok('{{ "abc" | slice: 1, 1000000000 }}'), 'bc');
    assert.equal(ok('{{ list | slice: 1, 1000000 | join: "," }}', { list: [1, 2, 3] }), '2,3');
  });
  it('keeps liquidjs\' slicing otherwise: negative starts, characters, one item by default', () => {
    assert.equal(ok('{{ "hello" | slice: -3, 2 }}|{{ "hello" | slice: 1 }}|{{ "a😀b" | slice: 1, 1 }}|{{ "abc" | slice: 5, 2 }}|{{ "abc" | slice: 0, -1 }}'), 'll|e|😀||');
    assert.equal(ok('{{ list | slice: -2, 5 | join: "," }}|{{ list | slice: 1 | join: "," }}', { list: [1, 2, 3] }), '2,3|2');
  });
  it('what it returns is still counted', () => {
    const budget = new LiquidBudget();
    assert.equal(ok('{{ s | slice: 0, 5000 | size }}', { s: 'x'.repeat(10_000) }, { ...OPTS, budget }), '5000');
    assert.ok(budget.memory >= 5000, `charged ${budget.memory}`);
  });
});

describe('Liquid fidelity: per-item costs make the counted budgets trip, deterministically', () => {
  const arr = Array.from({ length: 4000 }, (_, i) => ({ n: i % 20, name: `item${i}` }));
  const units = new RegExp(`more than ${LIQUID_LIMITS.memoryLimit} memory units`);
  it('`where` over a long array in nested loops fails on the memory units, not on the clock', () => {
    const template = '{% for a in (1..15) %}{% for b in (1..3) %}{% assign s = arr | where: "n", a %}{% endfor %}{% endfor %}{{ s | size }}';
    const messages = new Set([err(template, { arr }), err(template, { arr })]);
    assert.equal(messages.size, 1);
    assert.match([...messages][0]!, units);
  });
  it('reject, group_by, find and the *_exp filters are charged per item they look at', () => {
    for (const filter of ['reject: "n", 1', 'group_by: "n"', 'find: "n", 99', 'find_index: "n", 99', 'has: "n", 99', 'where_exp: "i", "i.n == 1"', 'find_exp: "i", "i.n == 99"']) {
      assert.match(err(`{% for a in (1..15) %}{% assign s = arr | ${filter} %}{% endfor %}`, { arr }, EXTRAS), units, filter);
    }
  });
  it('a search that stops at the first item costs one item, not the whole array', () => {
    const finds = '{% assign f = arr | find: "n", 0 %}{% assign h = arr | has: "n", 0 %}{% assign e = arr | find_exp: "i", "i.n == 0" %}';
    assert.equal(ok(`{% for a in (1..15) %}{% for b in (1..4) %}${finds}{% endfor %}{% endfor %}{{ f.name }} {{ h }} {{ e.name }}`, { arr }, EXTRAS), 'item0 true item0');
  });
  it('`contains` and `==` on arrays of objects count each item compared', () => {
    const x = { n: -1 };
    assert.match(err('{% for a in (1..15) %}{% for b in (1..2) %}{% if arr contains x %}y{% endif %}{% endfor %}{% endfor %}', { arr, x }), units);
    assert.match(err('{% for a in (1..15) %}{% for b in (1..2) %}{% if arr == arr %}y{% endif %}{% endfor %}{% endfor %}', { arr }), units);
  });
  it('property reads of map and sort count more than an item copied', () => {
    const budget = new LiquidBudget();
    ok('{% assign m = arr | map: "name" %}{% assign s = arr | sort: "name" %}', { arr }, { ...OPTS, budget });
    assert.ok(budget.memory >= 2 * 3 * arr.length, `charged ${budget.memory}`);
  });
  it('ordinary use stays well within the budget', () => {
    const small = arr.slice(0, 50);
    assert.equal(ok('{{ arr | where: "n", 3 | map: "name" | join: "," }} {{ arr | group_by: "n" | size }} {% if arr contains x %}y{% endif %}', { arr: small, x: small[7] }, EXTRAS), 'item3,item23,item43 20 y');
  });
});

describe('Liquid fidelity: contains, <> and assign as Shopify', () => {
  it('a hash contains its keys (Hash#include?)', () => {
    const context = { v: { error: 'x', '1': 'one' }, list: ['error'] };
    assert.equal(ok('{% if v contains "error" %}y{% else %}n{% endif %}', context), 'y');
    assert.equal(ok('{% if v contains "x" %}y{% else %}n{% endif %}', context), 'n');
    assert.equal(ok('{% if v contains "missing" %}y{% else %}n{% endif %}', context), 'n');
    assert.equal(ok('{% if v contains 1 %}y{% else %}n{% endif %}', context), 'n');
    assert.equal(ok('{% if list contains "error" %}y{% endif %}{% if "an error" contains "error" %}y{% endif %}', context), 'yy');
  });
  it('`<>` is `!=`', () => {
    assert.equal(ok('{% if 1 <> 2 %}y{% else %}n{% endif %}'), 'y');
    assert.equal(ok('{% if 1 <> 1 %}y{% else %}n{% endif %}'), 'n');
    assert.equal(ok('{% if a <> "x" and a <> "y" %}y{% else %}n{% endif %}', { a: 'z' }), 'y');
    assert.equal(ok('{% if a <> "x" or a <> "y" %}y{% else %}n{% endif %}', { a: 'x' }), 'y');
    assert.equal(ok('{% if l <> l %}y{% else %}n{% endif %}', { l: [1, 2] }), 'n');
  });
  it('assign takes a dotted name: a variable literally so named, flow.variables untouched; the validator agrees', () => {
    const template = '{% assign flow.variables.x = 1 %}{{ ["flow.variables.x"] }}|{{ flow.variables.x }}';
    assert.equal(ok(template, { flow: { variables: { x: 5 } } }), '1|5');
    assert.equal(liquidSyntaxError(template), null);
    assert.equal(ok('{% assign x=3 %}{% assign a-b = 4 %}{{ x }}{{ a-b }}'), '34');
    assert.match(err('{% assign = 3 %}'), /expected variable name/);
    assert.match(err('{% assign x 3 %}'), /expected "="/);
    assert.equal(liquidSyntaxError('{% assign x 3 %}'), 'expected "="');
  });
});

describe('Liquid fidelity: dates without a day or a year take them from the render clock (Time.parse)', () => {
  const now = new Date('2026-03-11T03:30:00Z'); // 23:30 on March 10 in New York
  const utc: RenderOptions = { now };
  const newYork: RenderOptions = { now, timezone: 'America/New_York' };
  it('a time alone is today at that time', () => {
    assert.equal(ok('{{ "17:00" | date: "%I:%M %p" }}'), '05:00 PM');
    assert.equal(ok('{{ "9:30 AM" | date: "%H:%M" }}'), '09:30');
    assert.equal(ok('{{ t | date: "%Y-%m-%d %H:%M" }}', { t: '9pm' }, utc), '2026-03-11 21:00');
    assert.equal(ok('{{ t | date: "%Y-%m-%d %H:%M" }}', { t: '12:15 am' }, newYork), '2026-03-10 00:15');
    assert.equal(ok('{{ t | date: "%Y-%m-%d %H:%M %Z" }}', { t: '17:00 UTC' }, newYork), '2026-03-11 13:00 EDT');
    assert.equal(ok('{{ t | date: "%H:%M" }}', { t: '25:00' }), '25:00');
  });
  it('a date without a year is in the current year', () => {
    assert.equal(ok('{{ "Mar 10" | date: "%Y-%m-%d" }}'), '2026-03-10');
    assert.equal(ok('{{ t | date: "%Y-%m-%d %H:%M" }}', { t: 'March 10th, 5pm' }, newYork), '2026-03-10 17:00');
    assert.equal(ok('{{ t | date: "%Y-%m-%d" }}', { t: '10 Mar' }, { now: new Date('2031-01-01T00:00:00Z') }), '2031-03-10');
    assert.equal(ok('{{ t | date: "%Y-%m-%d %H:%M" }}', { t: '3/10 09:30' }), '2026-03-10 09:30');
    assert.equal(ok('{{ t | date: "%Y-%m-%d" }}', { t: '03/10/2026' }), '2026-03-10');
  });
  it('"now" and "today" in any case are the render clock', () => {
    assert.equal(ok('{{ "NOW" | date: "%Y" }} {{ "Today" | date: "%Y-%m-%d" }}', {}, newYork), '2026 2026-03-10');
    assert.equal(ok('{{ " now" | date: "%Y" }}'), ' now');
  });
});

describe('Liquid fidelity: default, escape and missing operands', () => {
  it('default treats an empty hash as empty', () => {
    assert.equal(ok('{{ v | default: "x" }}', { v: {} }), 'x');
    assert.equal(ok('{{ v | default: "x" }}', { v: { a: 1 } }), '{"a":1}');
    assert.equal(ok('{{ v | default: "x", allow_false: true }}', { v: false }), 'false');
  });
  it("escape writes \" as &quot; and ' as &#39; (CGI.escapeHTML); escape_once leaves entities alone", () => {
    assert.equal(ok(`{{ v | escape }}`, { v: `<a href="x">'&'</a>` }), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    assert.equal(ok('{{ v | escape_once }}', { v: 'a &quot;b&quot; &nbsp; &#34; & "c" <' }), 'a &quot;b&quot; &nbsp; &#34; &amp; &quot;c&quot; &lt;');
    assert.equal(ok('{{ v | escape }}', { v: { q: '"' } }), '{&quot;q&quot;:&quot;\\&quot;&quot;}');
  });
  it('a math filter without its operand is an error (Ruby ArgumentError), not NaN; a nil operand is 0', () => {
    for (const filter of ['plus', 'minus', 'times', 'modulo', 'divided_by', 'at_least', 'at_most']) {
      assert.match(err(`{{ "a" | ${filter}: }}`), /wrong number of arguments/, filter);
    }
    assert.equal(ok('{{ 2 | plus: nothing }} {{ 2.5 | times: nothing }}'), '2 0.0');
  });
});

describe('dates in the first century and before the common era', () => {
  // Date.UTC reads years 0–99 as 1900–1999, and Intl shows 51 BC as "51" unless asked for the era: both once
  // printed a date of year 50 as 1950, and an offset two thousand years wide for a BC date in a named zone.
  it('prints a year below 100 as that year, zone-less or with a zone', () => {
    assert.equal(ok('{{ "0050-06-01T12:00:00Z" | date: "%Y-%m-%d %H:%M" }}'), '0050-06-01 12:00');
    assert.equal(ok('{{ "0050-06-01 12:00" | date: "%Y-%m-%d %H:%M" }}'), '0050-06-01 12:00');
    assert.equal(ok('{{ "0050-06-01T12:00:00Z" | date: "%Y-%m-%d %H:%M %z", "+0530" }}'), '0050-06-01 17:30 +0530');
  });
  it('pads a year before 0 to four digits after its sign, as Ruby\'s %Y', () => {
    assert.equal(ok('{{ v | date: "%Y-%m-%d" }}', { v: '-000005-03-01T00:00:00Z' }), '-0005-03-01');
    assert.equal(ok('{{ v | date: "%Y" }}', { v: '-000050-06-01T00:00:00Z' }), '-0050');
    assert.equal(ok('{{ v | date: "%Y" }}', { v: '-012345-06-01T00:00:00Z' }), '-12345');
    assert.equal(ok('{{ v | date: "%-Y" }}', { v: '-000005-03-01T00:00:00Z' }), '-5');
  });
  it('gives a BC date in a zone that zone offset, not one two thousand years wide', () => {
    const printed = ok('{{ v | date: "%H:%M:%S %z", "+0530" }}', { v: '-000050-06-01T00:00:00Z' });
    assert.equal(printed, '05:30:00 +0530');
    const paris = ok('{{ v | date: "%z" }}', { v: '-000050-06-01T00:00:00Z' }, { ...OPTS, timezone: 'Europe/Paris' });
    assert.match(paris, /^\+00\d\d$/, 'local mean time of Paris, minutes from UTC');
  });
});

describe('Liquid fidelity: whitespace before a dot, as Shopify reads it', () => {
  const memory = { m: { memory: { helpline: 'HL', list: [1, 2] } }, s: { memory: 'text' } };
  it('`a .b` and `a . b` read the property, in outputs, filter arguments and assign (a real flow writes `memory .helpline`)', () => {
    assert.equal(ok('[{{ m.memory .helpline }}]', memory), '[HL]');
    assert.equal(ok('[{{ m . memory . helpline }}]', memory), '[HL]');
    assert.equal(ok('[{{ m.memory\n.helpline }}]', memory), '[HL]');
    assert.equal(ok('{{ m.memory .helpline | downcase }}', memory), 'hl');
    assert.equal(ok('{{ "a" | append: m.memory .helpline }}', memory), 'aHL');
    assert.equal(ok('{% assign x = m.memory .helpline %}[{{ x }}]', memory), '[HL]');
    // An if condition is read by Ruby's lax parser: `m.memory` with nothing after it (see liquid-differential).
    assert.equal(ok('{% if m.memory .helpline == "XX" %}yes{% else %}no{% endif %}', memory), 'yes');
    assert.equal(ok('[{{ s.memory .helpline }}]', memory), '[]'); // a property of a text is nil
    assert.equal(liquidSyntaxError('{{ "a" | append: m.memory .helpline }}'), null);
  });
  it('quoted text, raw and comment bodies and a for loop\'s collection are left as written', () => {
    assert.equal(ok('{{ "a .b" }}|{{ \'x .y\' | append: " .z" }}', memory), 'a .b|x .y .z');
    assert.equal(ok('{% raw %}{{ m .memory }}{% endraw %}', memory), '{{ m .memory }}');
    assert.equal(ok('{% comment %}{{ m .memory }}{% endcomment %}ok', memory), 'ok');
    // Ruby reads `in m.memory .list` as `in m.memory` (it walks the hash), as liquidjs does.
    assert.equal(ok('{% for i in m.memory .list %}{{ i }}{% endfor %}', memory), 'helplineHLlist12');
    assert.equal(ok('{% for i in (1..3) %}{{ i }}{% endfor %}{{ 2.5 | plus: 1 }}', memory), '1233.5');
  });
});

describe('Liquid fidelity: keys are read as Ruby\'s VariableLookup reads them', () => {
  // An API answer with numbered keys ({"records": {"0": …}}, PHP's arrays) read as `records[0]` is nil in Shopify's
  // Liquid (a hash's keys are text, 0 an integer); liquidjs read the key "0".
  const data = { h: { '0': 'zero', '1': 'one' }, list: ['x', 'y'], text: 'abc', records: { '0': { Id: 'R1' } } };
  it('a hash by its text keys only: h[0] is nil, h["0"] and h.0 read the key "0"', () => {
    assert.equal(ok('[{{ h[0] }}|{{ h[1] }}|{{ records[0].Id }}]', data), '[||]');
    assert.equal(ok('[{{ h["0"] }}|{{ h.0 }}|{{ records["0"].Id }}]', data), '[zero|zero|R1]');
    assert.equal(ok('{% assign k = 0 %}[{{ h[k] }}]{% assign k = "0" %}[{{ h[k] }}]', data), '[][zero]');
  });
  it('an array by an integer only: list["0"] and list.0 are nil, list[0], list[-1] and a loop index read items', () => {
    assert.equal(ok('[{{ list[0] }}|{{ list[-1] }}|{% for i in (0..1) %}{{ list[i] }}{% endfor %}]', data), '[x|y|xy]');
    assert.equal(ok('[{{ list["0"] }}|{{ list.0 }}]{% assign k = "1" %}[{{ list[k] }}]', data), '[|][]');
    assert.equal(ok('{{ list.size }} {{ list.first }} {{ list.last }}', data), '2 x y');
  });
  it('a text is not indexed: text[0] is nil, text.size counts', () => {
    assert.equal(ok('[{{ text[0] }}] {{ text.size }}', data), '[] 3');
  });
});

// ---- a real export: a techmatters helpline's Send to Flex attributes read `ChannelAttributes.memory .helpline`.
const HELPLINE_FLOW = new URL('../../../shared/flows/techmatters__flex-plugins__twilio-iac_helplines_zm_templates_studio-flows_messaging-webchat-conv-lambda-sd.tftpl.json', import.meta.url);

describe('real flow: a helpline names its helpline in the Flex task attributes', () => {
  it('the task attributes are JSON whose helpline is the memory\'s, as Shopify renders them', (t) => {
    if (!existsSync(HELPLINE_FLOW)) {
      t.skip(`real flow not found at ${fileURLToPath(HELPLINE_FLOW)}`);
      return;
    }
    const flow = JSON.parse(readFileSync(HELPLINE_FLOW, 'utf8')) as { states: { properties: { attributes?: unknown } }[] };
    const template = flow.states.map((s) => s.properties.attributes).find((a): a is string => typeof a === 'string' && a.includes('memory .helpline'));
    assert.ok(template, 'the flow still holds the template');
    const memory = { helpline: 'Childline Zambia', twilioWebchatWidgetVersion: 2 };
    const context = { trigger: { conversation: { ChannelSid: 'CH1', ChannelAttributes: { from: 'Ann', channel_type: 'web', memory, pre_engagement_data: { ip: '10.0.0.1' } } } } };
    const attributes = JSON.parse(ok(template, context)) as Record<string, unknown>;
    assert.equal(attributes.helpline, 'Childline Zambia');
    assert.deepEqual(attributes.memory, memory);
    assert.equal(attributes.language, 'en-US');
  });
});
