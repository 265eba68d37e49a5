// Cases where a differential fuzz against Ruby's Liquid 5.4.0 (Debian's ruby-liquid, lax mode, render!) found
// Switchboard rendering differently; each expectation is the output Ruby's Liquid gave for the same template.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderTemplate, type RenderOptions } from '../../src/engine/liquid.ts';
import { studioLiquidGaps } from '../../src/definition/liquid-dialect.ts';
import { liquidSyntaxError } from '../../src/definition/liquid-syntax.ts';

const OPTS: RenderOptions = { now: new Date('2026-03-10T12:34:56Z') };

function ok(template: string, context: Record<string, unknown> = {}): string {
  const r = renderTemplate(template, context, OPTS);
  assert.ok(r.ok, `expected ok for ${template}: ${JSON.stringify(r)}`);
  return r.value;
}

describe('Liquid as Ruby: for loops', () => {
  it('renders else when limit or offset leaves no item', () => {
    assert.equal(ok('{% for i in (1..5) limit:0 %}{{i}}{% else %}E{% endfor %}'), 'E');
    assert.equal(ok('{% for i in list offset:5 %}{{i}}{% else %}E{% endfor %}', { list: [1, 2, 3] }), 'E');
    assert.equal(ok('{% for i in list limit:-1 %}{{i}}{% else %}E{% endfor %}', { list: [1, 2, 3] }), 'E');
    assert.equal(ok('{% for i in list offset:1 limit:1 %}{{i}}{% else %}E{% endfor %}', { list: [1, 2, 3] }), '2');
  });
  it('reads reversed only right after the collection', () => {
    assert.equal(ok('{% for i in (1..5) reversed limit:2 %}{{i}}{% endfor %}'), '21');
    assert.equal(ok('{% for i in (1..5) limit:2 reversed %}{{i}}{% endfor %}'), '12');
    assert.equal(ok('{% for i in list offset:1 reversed %}{{i}}{% endfor %}', { list: [1, 2, 3] }), '23');
    assert.equal(ok('{% for i in list reversed offset:1 %}{{i}}{% endfor %}', { list: [1, 2, 3] }), '32');
  });
  it('takes a text as one item that offset and limit do not cut', () => {
    assert.equal(ok('{% for i in t offset:2 %}[{{i}}]{% else %}E{% endfor %}', { t: 'yes' }), '[yes]');
    assert.equal(ok('{% for i in t limit:0 %}[{{i}}]{% else %}E{% endfor %}', { t: 'yes' }), '[yes]');
    assert.equal(ok('{% for i in t limit:0 %}[{{i}}]{% else %}E{% endfor %}', { t: '' }), 'E');
  });
});

describe('Liquid as Ruby: the date filter', () => {
  it('prints %+ as written, as Time#strftime does (it is a directive of Date only)', () => {
    assert.equal(ok("{{ 0 | date: '%+' }}"), '%+');
    assert.equal(ok("{{ 'now' | date: '%Y %+ %-+' }}"), '2026 %+ %-+');
  });
  it('returns a float, a boolean, a list or an object unchanged: only text and integers are dates', () => {
    assert.equal(ok("{{ 1.5 | date: '%Y' }}"), '1.5');
    assert.equal(ok("{{ 10.0 | date: '%Y' }}"), '10.0');
    assert.equal(ok("{{ f | date: '%Y' }}", { f: 2.5 }), '2.5');
    assert.equal(ok("{{ false | date: '%Y' }}|{{ true | date: '%Y' }}"), 'false|true');
    assert.equal(ok("{{ l | date: '%Y' }}", { l: [1, 2, 3] }), '123');
    // What still is a date: integers (negative too), digit text, now.
    assert.equal(ok("{{ -86400 | date: '%Y-%m-%d' }}|{{ '1700000000' | date: '%Y' }}|{{ 'now' | date: '%Y' }}"), '1969-12-31|2023|2026');
  });
});

describe('Liquid as Ruby: ordering comparisons', () => {
  it('is false when either side is a list, a hash or a boolean (none has Ruby\'s < or >)', () => {
    const ctx = { l: [1, 2], h: { a: 1 }, b: false, n: 3 };
    const yn = (cond: string) => ok(`{% if ${cond} %}Y{% else %}N{% endif %}`, ctx);
    assert.equal(yn('l < "x"'), 'N');
    assert.equal(yn('l >= l'), 'N');
    assert.equal(yn('h > 1'), 'N');
    assert.equal(yn('b < 1'), 'N');
    assert.equal(yn('true >= false'), 'N');
    assert.equal(ok('{% unless l <= 5 %}U{% endunless %}', ctx), 'U');
    // A JSON null is nil, which has no ordering either (JavaScript took null as 0).
    const nil = { n: null, s: '+1555', z: 0 };
    assert.equal(ok('{% if n <= z %}Y{% else %}N{% endif %}{% if n < s %}Y{% else %}N{% endif %}{% if s > n %}Y{% else %}N{% endif %}', nil), 'NNN');
    // Numbers and texts still compare.
    assert.equal(yn('n < 5') + yn('n >= 2.5') + yn('"b" > "a"') + yn('l == l'), 'YYYY');
  });
});

describe('Liquid as Ruby: nil', () => {
  it('a JSON null equals a missing variable (Ruby has one nil)', () => {
    const ctx = { parsed: { error: null }, list: [] };
    assert.equal(ok('{% if parsed.error == flow.variables.unset %}Y{% else %}N{% endif %}', ctx), 'Y');
    assert.equal(ok('{% if parsed.error != flow.variables.unset %}Y{% else %}N{% endif %}', ctx), 'N');
    assert.equal(ok('{% if parsed.error <> list.name %}Y{% else %}N{% endif %}', ctx), 'N');
    assert.equal(ok('{% if parsed.error == 0 %}Y{% else %}N{% endif %}', ctx), 'N');
  });
});

describe('Liquid as Ruby: replace', () => {
  it('with an empty or missing pattern puts the replacement around every character, as gsub("") does', () => {
    assert.equal(ok("{{ 'abc' | replace: '', '-' }}"), '-a-b-c-');
    assert.equal(ok("{{ 'abc' | replace: flow.variables.unset, '-' }}"), '-a-b-c-');
    assert.equal(ok("{{ '' | replace: '', '-' }}"), '-');
    assert.equal(ok("{{ '😀é' | replace: '', '|' }}"), '|😀|é|');
    assert.equal(ok("{{ 'abcb' | replace: 'b', 'X' }}"), 'aXcX');
  });
});

describe('Liquid as Ruby: a nil loop limit', () => {
  it('is no limit, and a nil offset is 0', () => {
    assert.equal(ok('{% for i in (1..3) limit:nil offset:nil %}{{i}}{% endfor %}'), '123');
    assert.equal(ok('{% for i in list limit:n %}{{i}}{% endfor %}', { list: [1, 2, 3], n: null }), '123');
    assert.equal(ok('{% for i in list limit:n %}{{i}}{% endfor %}', { list: [1, 2, 3], n: 2 }), '12');
  });
});

describe('Liquid as Ruby: a list given to a text filter', () => {
  it('is its Ruby to_s, the inspect form, not its items joined', () => {
    const ctx = { l: [1, 'a"b', null, 2.5, true, [3]], e: [], s: ['x\n#{y}'] };
    assert.equal(ok('{{ l | append: "x" }}', ctx), '[1, "a\\"b", nil, 2.5, true, [3]]x');
    assert.equal(ok('{{ "x" | append: l }}', ctx), 'x[1, "a\\"b", nil, 2.5, true, [3]]');
    assert.equal(ok('{{ "a,b" | split: "," | upcase }}'), '["A", "B"]');
    assert.equal(ok('{{ e | strip }}', ctx), '[]');
    assert.equal(ok('{{ s | upcase }}', ctx), '["X\\N\\#{Y}"]');
    assert.equal(ok('{{ l | url_encode }}', ctx), '%5B1%2C+%22a%5C%22b%22%2C+nil%2C+2.5%2C+true%2C+%5B3%5D%5D');
    assert.equal(ok('{{ "abc" | map: "x" | upcase }}'), '[NIL]');
    // Printed and joined lists are unchanged.
    assert.equal(ok('{{ l }}|{{ l | join: "-" }}', ctx), '1a"b2.5true3|1-a"b--2.5-true-3');
  });
});

describe('Liquid as Ruby: a for loop over a range', () => {
  it('reads its ends as Ruby to_i does', () => {
    assert.equal(ok('{% for i in (2.5..4) %}{{i}},{% endfor %}'), '2,3,4,');
    assert.equal(ok('{% for i in (-2.5..0) %}{{i}},{% endfor %}'), '-2,-1,0,');
    assert.equal(ok('{% for i in (flow.variables.unset..3) %}{{i}},{% endfor %}'), '0,1,2,3,');
    assert.equal(ok('{% for i in ("abc"..2) %}{{i}},{% endfor %}'), '0,1,2,');
    assert.equal(ok('{% for i in (first..4) %}{{i}},{% endfor %}', { first: '2 items' }), '2,3,4,');
  });
});

describe('Liquid as Ruby: a number with a fraction from data', () => {
  it('prints as Ruby\'s Float#to_s wherever it prints', () => {
    const ctx = { x: 1.5e-7, l: [1.5e-7, 2.5], y: 0.0001 };
    assert.equal(ok('{{ x }}|{{ l }}|{{ l | join: "," }}|{{ y }}', ctx), '1.5e-07|1.5e-072.5|1.5e-07,2.5|0.0001');
    assert.equal(ok('{{ "a" | append: x }}|{{ x | rstrip }}|{{ x | default: 1 }}', ctx), 'a1.5e-07|1.5e-07|1.5e-07');
  });
});

describe('Liquid as Ruby: a dotted date', () => {
  it('is day.month.year, as Ruby\'s Date._parse reads it', () => {
    assert.equal(ok("{{ '10.03.2026' | date: '%F' }}|{{ '1.3.2026' | date: '%F' }}"), '2026-03-10|2026-03-01');
    assert.equal(ok("{{ '10.03.2026 09:30' | date: '%F %T' }}"), '2026-03-10 09:30:00');
    assert.equal(ok("{{ '10.13.2026' | date: '%F' }}"), '10.13.2026');
    const r = renderTemplate("{{ '10.03.2026 09:30' | date: '%F %T %Z' }}", {}, { ...OPTS, timezone: 'America/New_York' });
    assert.deepEqual(r, { ok: true, value: '2026-03-10 09:30:00 EDT' });
  });
});

describe('Liquid as Ruby: an hour with am/pm after a date', () => {
  it('is read without minutes, as Ruby reads "5pm"', () => {
    assert.equal(ok("{{ '10 March 2026 5pm' | date: '%F %T' }}|{{ '2026-03-10 5pm' | date: '%F %T' }}"), '2026-03-10 17:00:00|2026-03-10 17:00:00');
    assert.equal(ok("{{ 'Tue, 10 Mar 2026 9am' | date: '%F %T' }}|{{ 'March 10, 2026 11 a.m.' | date: '%F %T' }}"), '2026-03-10 09:00:00|2026-03-10 11:00:00');
    const r = renderTemplate("{{ '10 March 2026 5pm' | date: '%F %T %Z' }}", {}, { ...OPTS, timezone: 'America/New_York' });
    assert.deepEqual(r, { ok: true, value: '2026-03-10 17:00:00 EDT' });
  });
});

describe('Liquid as Ruby: contains', () => {
  it('is false for nil or false on the right, even in a list holding them', () => {
    const ctx = { l: [1, null, false] };
    const yn = (cond: string) => ok(`{% if ${cond} %}Y{% else %}N{% endif %}`, ctx);
    assert.equal(yn('l contains nil') + yn('l contains flow.variables.unset') + yn('l contains false') + yn('l contains 1'), 'NNNY');
  });
});

describe('Liquid as Ruby: slice of nil', () => {
  it('is an empty text (nil.to_s sliced), so a text filter after it sees ""', () => {
    assert.equal(ok('{{ flow.variables.unset | slice: 0, 5 | append: "z" }}'), 'z');
  });
});

describe('Liquid as Ruby: a date format ending in a lone %', () => {
  it('fails the render, as Ruby\'s strftime raises "invalid format", when the input is a date', () => {
    for (const format of ['%', 'a %', '%%%', '%-5', '%Y %']) {
      const r = renderTemplate(`{{ 0 | date: '${format}' }}`, {}, OPTS);
      assert.ok(!r.ok && /invalid format/.test(r.error.message), `${format}: ${JSON.stringify(r)}`);
    }
    assert.equal(ok("{{ 0 | date: '%%' }}|{{ 0 | date: '% x' }}|{{ 0 | date: '%:' }}"), '%|% x|%:');
    assert.equal(ok("{{ 'garbage' | date: '%' }}|{{ 1.5 | date: '%' }}|{{ nil | date: '%' }}"), 'garbage|1.5|');
  });
});

describe('Liquid as Ruby: a number written as text that is not bare digits', () => {
  it('is no date (V8 read "2.5" as 5 February 2001), and bare digits stay seconds', () => {
    assert.equal(ok("{{ '2.5' | date: '%F' }}|{{ '-3' | date: '%F' }}|{{ '+5' | date: '%F' }}|{{ ' 42 ' | date: '%F' }}|{{ '1.1' | date: '%' }}"), '2.5|-3|+5| 42 |1.1');
    assert.equal(ok("{{ '42' | date: '%F %T' }}"), '1970-01-01 00:00:42');
  });
});

describe('Liquid as Ruby: a float divided by zero', () => {
  it('is Infinity, -Infinity or NaN (BigDecimal and Float division), not an error; two integers still fail', () => {
    assert.equal(ok('{{ 1.0 | divided_by: 0 }}|{{ 1 | divided_by: 0.0 }}|{{ 0.0 | divided_by: 0 }}|{{ -1.0 | divided_by: 0 }}'), 'Infinity|Infinity|NaN|-Infinity');
    assert.equal(ok('{{ 5 | divided_by: -0.0 }}|{{ "1.5" | divided_by: 0 }}|{{ 1 | divided_by: "0.0" }}|{{ f | divided_by: z }}', { f: 2.5, z: 0 }), '-Infinity|Infinity|Infinity|Infinity');
    const r = renderTemplate('{{ 1 | divided_by: 0 }}', {}, OPTS);
    assert.ok(!r.ok && /divided by 0/.test(r.error.message));
  });
  it('carries on through the math filters as Ruby\'s Infinity and NaN do', () => {
    const inf = '1.0 | divided_by: 0';
    const nan = '0.0 | divided_by: 0';
    assert.equal(ok(`{{ ${inf} | plus: 1 }}|{{ ${inf} | times: 0 }}|{{ ${inf} | times: -1 }}|{{ ${inf} | modulo: 2 }}|{{ ${inf} | round: 2 }}|{{ ${inf} | abs }}`), 'Infinity|NaN|-Infinity|NaN|Infinity|Infinity');
    assert.equal(ok(`{{ ${nan} | plus: 1 }}|{{ ${nan} | abs }}|{{ ${nan} | round: 2 }}|{{ ${nan} | modulo: 0 }}|{{ ${nan} | at_least: 5 }}|{{ ${inf} | at_most: 5 }}`), 'NaN|NaN|NaN|NaN|NaN|5');
    assert.equal(ok(`{% assign x = ${inf} %}{% if x > 5 %}Y{% endif %}{{ x | append: "!" }}`), 'YInfinity!');
    // An integer made of one is Ruby's FloatDomainError; modulo by zero stays ZeroDivisionError.
    for (const [t, message] of [[`${inf} | round`, "'Infinity'"], [`${nan} | ceil`, "'NaN' (Not a Number)"], [`-1.0 | divided_by: 0 | floor`, "'-Infinity'"], [`${inf} | modulo: 0`, 'divided by 0']] as const) {
      const r = renderTemplate(`{{ ${t} }}`, {}, OPTS);
      assert.ok(!r.ok && r.error.message.includes(message), `${t}: ${JSON.stringify(r)}`);
    }
  });
});

describe('Liquid as Ruby: integer arguments (Utils.to_integer)', () => {
  const fails = (template: string, context: Record<string, unknown> = {}) => {
    const r = renderTemplate(template, context, OPTS);
    assert.ok(!r.ok && /invalid integer/.test(r.error.message), `${template}: ${JSON.stringify(r)}`);
  };
  const ctx = { f: 2.5, n: null, b: true, l: [1, 2, 3, 4, 5], e: [] };
  it('truncate, truncatewords and slice read text as Ruby\'s Integer() and refuse what it refuses', () => {
    assert.equal(ok('{{ "hello world" | truncate: "5" }}|{{ "hello world" | truncate: " 6 " }}|{{ "hello world" | truncatewords: "1" }}|{{ "hello" | slice: "1", "0x2" }}'), 'he...|hel...|hello...|el');
    for (const t of ['{{ "hello world" | truncate: "x" }}', '{{ "hello world" | truncate: nil }}', '{{ "hello world" | truncate: 5.5 }}', '{{ "hello world" | truncate: missing }}',
      '{{ "hello world" | truncatewords: "x" }}', '{{ "hello world" | truncatewords: 1.5 }}', '{{ "hello world" | truncatewords: nil }}',
      '{{ "hello" | slice: "x" }}', '{{ "hello" | slice: nil }}', '{{ "hello" | slice: f }}', '{{ "hello" | slice: 1, "2.0" }}', '{{ "hello" | slice: b }}']) fails(t, ctx);
    // A nil length is 1, and nil input is nil before the length is read.
    assert.equal(ok('{{ "hello" | slice: 1, nil }}|{{ n | truncate: "x" }}|{{ n | truncatewords: "x" }}', ctx), 'e||');
    // truncate counts characters (code points) and its ellipsis too; written defaults stay.
    assert.equal(ok('{{ "hé😀llo" | truncate: 4, "😀" }}|{{ "a b c" | truncatewords }}|{{ "hello" | truncate: 3, nil }}|{{ "hello" | truncate: -3 }}'), 'hé😀😀|a b c|hel|...');
  });
  it('a for loop reads offset: and limit: so, whatever its collection holds; nil stays no limit, offset 0', () => {
    assert.equal(ok('{% for i in (1..5) limit: "2" %}{{i}}{% endfor %}|{% for i in l offset: " 3" %}{{i}}{% endfor %}', ctx), '12|45');
    for (const t of ['{% for i in (1..5) limit: "abc" %}{{i}}{% endfor %}', '{% for i in l offset: "abc" %}{{i}}{% endfor %}', '{% for i in l limit: 2.5 %}{{i}}{% endfor %}',
      '{% for i in l limit: 2.0 %}{{i}}{% endfor %}', '{% for i in l limit: f %}{{i}}{% endfor %}', '{% for i in l limit: true %}{{i}}{% endfor %}', '{% for i in e limit: "x" %}{{i}}{% else %}E{% endfor %}']) fails(t, ctx);
    assert.equal(ok('{% for i in l limit: nil offset: n %}{{i}}{% endfor %}', ctx), '12345');
    assert.equal(ok('{% for i in l limit: 2 %}{{i}}{% endfor %}{% for i in l offset: continue limit: 2 %}{{i}}{% endfor %}{% for i in l offset: continue %}{{i}}{% endfor %}', ctx), '12345');
  });
  it('a range end from a variable that is a float, a boolean or a list is refused; a literal 2.5 is its to_i', () => {
    for (const t of ['{% for i in (1..f) %}{{i}}{% endfor %}', '{% for i in (b..3) %}{{i}}{% endfor %}', '{% for i in (1..l) %}{{i}}{% endfor %}']) fails(t, ctx);
    assert.equal(ok('{% for i in (1.5..3) %}{{i}}{% endfor %}|{% for i in (n..2) %}{{i}}{% endfor %}'), '123|012');
  });
});

describe('Liquid as Ruby: conditions as the lax parser (Studio\'s) reads them', () => {
  const ctx = { a: { b: false, c: 'C' }, n: 3, s: 'str', t: true, f: false, flow: { variables: { x: 'X', off: false } } };
  const unknown = (template: string, operator: string) => {
    const r = renderTemplate(template, ctx, OPTS);
    assert.ok(!r.ok && r.error.message.includes(`Unknown operator ${operator}`), `${template}: ${JSON.stringify(r)}`);
  };
  it('a space after a dot makes the next name an operator Ruby does not know: the render fails when the condition is evaluated', () => {
    unknown('{% if flow.variables. x %}Y{% endif %}', 'x');
    unknown('{% unless a. b %}Y{% endunless %}', 'b');
    unknown('{% if a. c == "C" %}Y{% endif %}', 'c');
    unknown('{% if f %}F{% elsif a. b %}Y{% endif %}', 'b');
    unknown('{% if n = 3 %}Y{% endif %}', '=');
    unknown('{% if n b 3 %}Y{% endif %}', 'b');
    // Not evaluated, not raised: an earlier branch was taken.
    assert.equal(ok('{% if t %}T{% elsif a. b %}Y{% endif %}', ctx), 'T');
    // What raises it is no variable a template sees: a root `first` or `last` is still nil.
    assert.equal(ok('[{{ first }}|{{ last }}]', ctx), '[|]');
    assert.deepEqual(studioLiquidGaps('{% if flow.variables. x %}Y{% endif %}'), [
      "a condition has 'x' where Studio's Liquid reads an operator (as in `a. b`, a space after a dot, or `a = b`): rendering it fails with 84003 (Unknown operator x)",
    ]);
    assert.deepEqual(studioLiquidGaps('{% if flow.variables.x == "X" and n > 1 %}Y{% endif %}'), []);
  });
  it('reads the first operand alone when no operator follows it, and ignores what follows the right operand', () => {
    // `a .b` is `a` (the hash: true), not a.b (false); so is `a . b`; `n == 3 junk` is `n == 3`.
    assert.equal(ok('{% if a .b %}Y{% else %}N{% endif %}|{% if a . b %}Y{% else %}N{% endif %}|{% if flow.variables .off %}Y{% else %}N{% endif %}', ctx), 'Y|Y|Y');
    assert.equal(ok('{% if a .c == "nope" %}Y{% else %}N{% endif %}|{% if n == 3 junk %}Y{% else %}N{% endif %}|{% if n == %}Y{% else %}N{% endif %}', ctx), 'Y|Y|N');
    // Stray dots are dropped as VariableLookup scans the path; `n==3` (no spaces) is one path, n.3, nil.
    assert.equal(ok('{% if a.c. == "C" %}Y{% else %}N{% endif %}|{% if a..c == "C" %}Y{% else %}N{% endif %}|{% if n==3 %}Y{% else %}N{% endif %}|{% if a[ "c" ] %}Y{% else %}N{% endif %}', ctx), 'Y|Y|N|Y');
    // Well-formed conditions read as before.
    assert.equal(ok('{% if a.c == "C" and n > 2 or f %}Y{% else %}N{% endif %}|{% if s contains "t" %}Y{% else %}N{% endif %}|{%- if n == -1 -%}Y{%- else -%}N{%- endif -%}', ctx), 'Y|Y|N');
  });
  it('a case reads its first fragment as the subject', () => {
    assert.equal(ok('{% case a. c %}{% when "C" %}C{% else %}E{% endcase %}|{% case a .c %}{% when "C" %}C{% else %}E{% endcase %}|{% case a.c %}{% when "C" %}C{% else %}E{% endcase %}', ctx), 'E|E|C');
  });
});

describe('Liquid as Ruby: a property read from items that are not hashes', () => {
  const ctx = { ints: [1, 2], n: 3, strs: ['ab', 'kk', 'x'], hs: [{ k: 'x' }, { k: '' }, { i: 1 }], mixed: [{ k: 'x' }, null, { k: 'y' }], fl: [1.5, 2.5], bools: [true, false] };
  it('is an error at an integer (Integer#[] takes a bit index), as Ruby\'s "cannot select the property"', () => {
    for (const t of ['{{ ints | map: "k" }}', '{{ n | map: "k" }}', '{{ ints | where: "k" }}', '{{ ints | where: "k", 1 }}', '{{ ints | uniq: "k" }}', '{{ ints | compact: "k" }}', '{{ ints | sort: "k" }}']) {
      const r = renderTemplate(t, ctx, OPTS);
      assert.ok(!r.ok && r.error.message.includes("cannot select the property 'k'"), `${t}: ${JSON.stringify(r)}`);
    }
    // One integer: uniq and sort call nothing.
    assert.equal(ok('{{ n | uniq: "k" }}|{{ n | sort: "k" }}', ctx), '3|3');
  });
  it('makes where, uniq, compact and sort nil at an item with no [] (nil, a float, a boolean); a text is String#[]', () => {
    assert.equal(ok('[{{ mixed | where: "k" | size }}][{{ fl | where: "k" | size }}][{{ mixed | uniq: "k" | size }}][{{ bools | compact: "k" | size }}][{{ fl | sort: "k" | size }}]', ctx), '[0][0][0][0][0]');
    assert.equal(ok('{{ strs | map: "k" | join: "," }}|{{ strs | where: "k" | join: "," }}|{{ fl | map: "k" | size }}', ctx), ',k,|kk|2');
  });
  it('where with a nil target selects the items whose value is truthy', () => {
    assert.equal(ok('{{ hs | where: "k", nil | size }}|{{ strs | where: "k", nil | join: "," }}|{{ hs | where: "k", missing | size }}', ctx), '2|kk|2');
  });
});

describe('Liquid as Ruby: tablerow', () => {
  const ctx = { list: [1, 2, 3, 4, 5], e: [], n: null };
  it('writes Ruby\'s rows: a newline after the first <tr> and after each </tr>, a new row every cols cells', () => {
    assert.equal(ok('{% tablerow i in list cols: 2 %}{{i}}{% endtablerow %}', ctx),
      '<tr class="row1">\n<td class="col1">1</td><td class="col2">2</td></tr>\n<tr class="row2"><td class="col1">3</td><td class="col2">4</td></tr>\n<tr class="row3"><td class="col1">5</td></tr>\n');
    assert.equal(ok('{% tablerow i in list limit: 2 %}{{ tablerowloop.col }}{{ tablerowloop.row }}{% endtablerow %}', ctx), '<tr class="row1">\n<td class="col1">11</td><td class="col2">21</td></tr>\n');
  });
  it('reads offset, limit and cols with to_i, so no cols (or a negative one) is one row; an empty list is an empty row, nil nothing', () => {
    assert.equal(ok('{% tablerow i in list cols: "2.5" limit: 3 %}{{i}}{% endtablerow %}', ctx), '<tr class="row1">\n<td class="col1">1</td><td class="col2">2</td></tr>\n<tr class="row2"><td class="col1">3</td></tr>\n');
    assert.equal(ok('{% tablerow i in list cols: -1 limit: 3 %}{{i}}{% endtablerow %}', ctx), '<tr class="row1">\n<td class="col1">1</td><td class="col2">2</td><td class="col3">3</td></tr>\n');
    assert.equal(ok('{% tablerow i in e %}{{i}}{% endtablerow %}|{% tablerow i in n %}{{i}}{% endtablerow %}', ctx), '<tr class="row1">\n</tr>\n|');
  });
});

describe('Liquid as Ruby: an output its strict parser refuses', () => {
  const ctx = { a: { b: 'B' }, s: 'str', n: 3, list: ['x', 'y'] };
  it('is read by the lax parser, as Studio\'s Liquid falls back to it, not refused', () => {
    assert.equal(ok('{{ a..b }}|{{ a.b || upcase }}|{{ a.b | upcase upcase }}|{{ s | append: "x" "y" }}|{{ n | plus: 1 2 }}|{{ list[1]] }}|[{{ list[0 }}]', ctx), 'B|B|B|strx|4|y|[]');
    // The validator agrees: such an output is no syntax error.
    assert.equal(liquidSyntaxError('{{ a..b }}'), null);
    // What liquidjs parses is read as before.
    assert.equal(ok('{{ a.b | append: "!" }}|{{ list | join: "," }}', ctx), 'B!|x,y');
  });
});

describe('Liquid as Ruby: a filter given more or fewer arguments than its Ruby method takes', () => {
  it('fails the render with Ruby\'s "wrong number of arguments", keyword arguments counting as one hash', () => {
    for (const [t, message] of [['{{ "x" | upcase: 3 }}', 'upcase: wrong number of arguments (given 2, expected 1)'], ['{{ s | replace }}', 'replace: wrong number of arguments (given 1, expected 2..3)'],
      ['{{ s | split }}', 'split: wrong number of arguments (given 1, expected 2)'], ['{{ f | default: 1, 2, 3 }}', 'default: wrong number of arguments (given 4, expected 1..3)'], ['{{ l | join: ",", "x" }}', 'join: wrong number of arguments (given 3, expected 1..2)']] as const) {
      const r = renderTemplate(t, { s: 'a', f: false, l: [1] }, OPTS);
      assert.ok(!r.ok && r.error.message.includes(message), `${t}: ${JSON.stringify(r)}`);
    }
    assert.equal(ok('{{ f | default: 1, allow_false: true }}|{{ l | join }}|{{ "abc" | slice: 1, 2 }}|{{ 3.14159 | round: 2 }}|{{ "a b" | truncate: 2, "" }}', { f: false, l: [1, 2] }), 'false|1 2|bc|3.14|a ');
  });
});

describe('Liquid as Ruby: nil through the text filters', () => {
  it('url_encode and url_decode keep nil (so truncate after them returns nil before reading its length); escape_once makes it ""', () => {
    assert.equal(ok('[{{ z | url_decode | truncate: "x" }}][{{ z | url_encode | truncate: "x" }}]', { z: null }), '[][]');
    const r = renderTemplate('{{ z | escape_once | truncate: "x" }}', { z: null }, OPTS);
    assert.ok(!r.ok && /invalid integer/.test(r.error.message), JSON.stringify(r));
  });
});

describe('Liquid as Ruby: case', () => {
  it('compares with ==, so a JSON null matches a missing variable, and a when renders once per matching value', () => {
    assert.equal(ok('{% case z %}{% when missing %}W{% else %}E{% endcase %}|{% case 1 %}{% when 1, 1 %}A{% when 1 %}B{% else %}E{% endcase %}', { z: null }), 'W|AAB');
  });
});

describe('Liquid as Ruby: {% liquid %} lines and assign read laxly too', () => {
  const ctx = { a: { b: false, c: 'C' }, n: 3, m: { memory: { helpline: 'HL' } } };
  it('reads an if or case line of {% liquid %} as {% if %} and {% case %} are read', () => {
    const r = renderTemplate('{% liquid\nif a. b\necho "Y"\nendif %}', ctx, OPTS);
    assert.ok(!r.ok && r.error.message.includes('Unknown operator b'), JSON.stringify(r));
    assert.equal(ok('{% liquid\nif a .b\necho "Y"\nelse\necho "N"\nendif %}|{% liquid\ncase a. c\nwhen "C"\necho "C"\nelse\necho "E"\nendcase %}|{% liquid\nif n==3\necho "Y"\nelse\necho "N"\nendif %}', ctx), 'Y|E|N');
    assert.equal(ok('{% liquid\necho m.memory .helpline %}', ctx), 'HL');
  });
  it('reads an assign value liquidjs cannot parse as Ruby\'s lax Variable does', () => {
    assert.equal(ok('{% assign x = a..c %}{{ x }}|{% liquid\nassign y = a..c\necho y %}', ctx), 'C|C');
    assert.equal(liquidSyntaxError('{% assign x = a..c %}'), null);
  });
  it('reads an echo value as {{ }} reads it (a Variable, strict then lax)', () => {
    assert.equal(ok('{% echo a..c %}|{% echo a..c | upcase upcase %}|{% liquid\necho a..c\necho "!" %}|{% echo a.c | append: "x" "y" %}', ctx), 'C|C|C!|Cx');
    assert.equal(liquidSyntaxError('{% echo a..c %}'), null);
    assert.equal(liquidSyntaxError('{% liquid\necho a..c %}'), null);
  });
});

describe('Liquid as Ruby: an unknown operator in a condition Ruby does not reach', () => {
  const fails = (template: string) => {
    const r = renderTemplate(template, {}, OPTS);
    assert.ok(!r.ok && r.error.message.includes('Unknown operator b'), `${template}: ${JSON.stringify(r)}`);
  };
  it('is not evaluated after a truthy `or` part or a falsy `and` part (Ruby\'s Condition stops there)', () => {
    const yn = (cond: string) => ok(`{% if ${cond} %}Y{% else %}N{% endif %}`);
    assert.equal(yn('true or a. b') + yn('false and a. b') + yn('false and a. b or true') + yn('true or a. b or c. d'), 'YNNY');
    assert.equal(ok('{% unless true or a. b %}U{% else %}E{% endunless %}|{% if false %}{% elsif true or a. b %}I{% endif %}|{% liquid\nif true or a. b\necho "L"\nendif %}'), 'E|I|L');
  });
  it('still fails the render where Ruby evaluates it', () => {
    for (const cond of ['a. b', 'false or a. b', 'true and a. b', 'a. b or true', 'a. b and false', 'true and a. b or true', 'false or true and a. b']) fails(`{% if ${cond} %}Y{% else %}N{% endif %}`);
  });
});

describe('Liquid as Ruby: a root size, first or last', () => {
  it('is nil unless something defines it (Ruby reads the variable, calls no method)', () => {
    assert.equal(ok('[{{ size }}|{{ first }}|{{ last }}]{% if size %}Y{% else %}N{% endif %}{% if size == nil %}nil{% endif %}|{{ size | plus: 1 }}'), '[||]Nnil|1');
    assert.equal(ok('{{ size }}|{{ first }}|{% assign last = 3 %}{{ last }}', { size: 2, first: 'F' }), '2|F|3');
  });
});

describe('Liquid as Ruby: a number as a property (map: 0)', () => {
  const ctx = { h: [{ 0: 'z', a: 1 }, { 0: 'y', a: 2 }], s: ['ab', 'cd', 'e'], n: [5, 6, 7], m: [1, 'a😀', { 0: 1 }], f: [1.5, 2] };
  it('indexes as Ruby\'s [] does: no key of a hash, a text\'s character, an integer\'s bit', () => {
    assert.equal(ok('{{ h | map: 0 | join: "," }}|{{ h | map: "0" | join: "," }}|{{ h | where: 0 | size }}|{{ h | sort: 0 | map: "a" | join }}', ctx), ',|z,y|0|1 2');
    assert.equal(ok('{{ s | map: 0 | join: "," }}|{{ s | map: 1 | join: "," }}|{{ s | map: -1 | join: "," }}|{{ s | map: 1.7 | join: "," }}|{{ m | map: 1 | join: "," }}', ctx), 'a,c,e|b,d,|b,d,e|b,d,|0,😀,');
    assert.equal(ok('{{ n | map: 0 | join: "," }}|{{ n | map: 1 | join: "," }}|{{ n | where: 0, 1 | join: "," }}|{{ f | map: 0 | join: "," }}', ctx), '1,0,1|0,1,1|5,7|,0');
    assert.equal(ok('{{ s | where: 0, "a" | join: "," }}|{{ s | where: 1 | join: "," }}|{{ s | compact: 1 | join: "," }}|{{ s | uniq: 5 | join: "," }}', ctx), 'ab|ab,cd|ab,cd|ab');
  });
  it('fails where Ruby\'s [] raises (a text or an integer read by true)', () => {
    for (const t of ['{{ s | map: true }}', '{{ n | map: true }}', '{{ s | where: true }}']) {
      const r = renderTemplate(t, ctx, OPTS);
      assert.ok(!r.ok && r.error.message.includes("cannot select the property 'true'"), `${t}: ${JSON.stringify(r)}`);
    }
    assert.equal(ok('{{ h | map: true | join: "," }}', ctx), ',');
  });
});

describe('Liquid as Ruby: round to places', () => {
  it('gives an integer to 0 places or fewer, and reads a fractional number of places as an integer (BigDecimal#round)', () => {
    assert.equal(ok('{{ f | round: -1 }}|{{ f | round: -1 | size }}|{{ 1234.5 | round: -2 }}|{{ "1234.5" | round: -2 }}|{{ 25.5 | round: -1 | plus: 0.5 }}', { f: 2.5 }), '0|8|1200|1200|30.5');
    assert.equal(ok('{{ 12.345 | round: 1.5 }}|{{ 2.5 | round: 0.5 }}|{{ 2.25 | round: "1.9" }}|{{ 2.0 | round: 1 }}|{{ 2.0 | round: 0 }}'), '12.3|3|2.3|2.0|2');
  });
});

describe('Liquid as Ruby: split by a number', () => {
  it('splits at the number as Ruby\'s to_s writes it (split: 0.0 at "0.0")', () => {
    assert.equal(ok('{{ "2.50" | split: 0.0 | join: "|" }}|{{ "a1.5b" | split: 1.5 | join: "|" }}|{{ "a1b" | split: 1 | join: "|" }}|{{ "x[1, 2]y" | split: l | join: "|" }}|{{ "a b  c" | split: " " | join: "|" }}', { l: [1, 2] }), '2.50|a|b|a|b|x|y|a|b|c');
  });
});

describe('Liquid as Ruby: join with a list for glue', () => {
  it('puts the list\'s inspect between the items (Ruby\'s glue.to_s)', () => {
    assert.equal(ok('{{ list | join: list }}|{{ list | join: w }}|{{ w | join: list }}', { list: [3, 1, 2], w: ['a', null, 1.5] }), '3[3, 1, 2]1[3, 1, 2]2|3["a", nil, 1.5]1["a", nil, 1.5]2|a[3, 1, 2][3, 1, 2]1.5');
  });
});

describe('Liquid as Ruby: cycle', () => {
  it('keys its place by the group alone, else by literal candidates; a tag naming a variable has its own; nil is dropped', () => {
    const ctx = { n: 3, w: ['x', 'y'] };
    assert.equal(ok('{% cycle "a", n %}{% cycle "a", n %}|{% for i in (1..3) %}{% cycle "a", n %}{% endfor %}|{% cycle "a", w.first %}{% cycle "a", w.first %}|{% for i in (1..2) %}{% cycle "a", n %}{% cycle "a", n %}{% endfor %}', ctx), 'aa|a3a|aa|aa33');
    assert.equal(ok('{% cycle "g": "a", "b" %}{% cycle "g": "x", "y" %}{% cycle "g": "x", "y", "z" %}|{% cycle \'a\', \'b\' %}{% cycle "a", "b" %}|{% cycle nil, true %}{% cycle nil, true %}|{% cycle "g2": "a", n %}{% cycle "g2": "a", n %}', ctx), 'ayx|ab|truetrue|a3');
  });
});

describe('Liquid as Ruby: strftime\'s E and O modifiers', () => {
  it('print a directive as written where Ruby does not take the modifier with its conversion', () => {
    assert.equal(ok('{{ d | date: "%Ec|%EY|%Oy|%OH|%Ez|%OY|%Ea|%Ob|%EB|%OG|%Oc|%-Ed|%10Ez" }}', { d: '2026-03-10T09:05:07Z' }), 'Tue Mar 10 09:05:07 2026|2026|26|09|%Ez|%OY|%Ea|%Ob|%EB|%OG|%Oc|%-Ed|%10Ez');
  });
});
