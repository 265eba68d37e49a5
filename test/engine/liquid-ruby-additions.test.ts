// What Shopify's Liquid has and liquidjs lacks, added by the engine: the base64 filters as Ruby's Base64 module
// does them (strict decoding, URL-safe forms), and the `ifchanged` and `doc` tags.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderTemplate, type RenderOptions } from '../../src/engine/liquid.ts';
import { liquidSyntaxError } from '../../src/definition/liquid-syntax.ts';
import { studioLiquidGaps } from '../../src/definition/liquid-dialect.ts';

const OPTS: RenderOptions = { now: new Date('2026-03-10T12:00:00Z') };
const V58: RenderOptions = { ...OPTS, liquidVersion: '5.8.0' };

function ok(template: string, context: Record<string, unknown> = {}, opts: RenderOptions = OPTS): string {
  const r = renderTemplate(template, context, opts);
  assert.ok(r.ok, `expected ok for ${template}: ${JSON.stringify(r)}`);
  return r.value;
}

function err(template: string, context: Record<string, unknown> = {}, opts: RenderOptions = OPTS): string {
  const r = renderTemplate(template, context, opts);
  assert.ok(!r.ok, `expected an error for ${template}, got ${JSON.stringify(r)}`);
  assert.equal(r.error.code, 84003);
  return r.error.message;
}

describe('base64 filters as Ruby\'s Base64', () => {
  it('base64_decode is strict_decode64: whole padded groups of the standard alphabet only', () => {
    assert.equal(ok('{{ "aGk=" | base64_decode }}|{{ "YQ==" | base64_decode }}|{{ "" | base64_decode }}'), 'hi|a|');
    assert.equal(ok('{{ "héllo" | base64_encode | base64_decode }}'), 'héllo');
    // liquidjs decoded all of these; Ruby raises ArgumentError, which Shopify reports as invalid base64.
    for (const text of ['YQ', 'abc', 'YR==', 'YWJ=x', 'YW Jj', 'YW-j', 'Y===']) {
      assert.match(err(`{{ "${text}" | base64_decode }}`), /invalid base64 provided to base64_decode/, text);
    }
  });

  it('base64_url_safe_encode is urlsafe_encode64: padded, - and _ for + and /', () => {
    // "??>" is Pz8+ in the standard alphabet.
    assert.equal(ok('{{ "??>" | base64_url_safe_encode }}|{{ "??>" | base64_encode }}'), 'Pz8-|Pz8+');
    assert.equal(ok('{{ "a" | base64_url_safe_encode }}|{{ x | base64_url_safe_encode }}|{{ 2.0 | base64_url_safe_encode }}'), 'YQ==||Mi4w');
  });

  it('base64_url_safe_decode is urlsafe_decode64: padding optional, the standard alphabet\'s + and / read too', () => {
    assert.equal(ok('{{ "Pz8-" | base64_url_safe_decode }}|{{ "YQ" | base64_url_safe_decode }}|{{ "YQ==" | base64_url_safe_decode }}'), '??>|a|a');
    // Ruby turns - and _ into + and / and decodes strictly, so the standard alphabet's own characters pass.
    assert.equal(ok('{{ "Pz8+" | base64_url_safe_decode }}'), '??>');
    assert.equal(ok('{{ "héllo/?" | base64_url_safe_encode | base64_url_safe_decode }}'), 'héllo/?');
    for (const text of ['YQ=', 'Y', 'YR', 'Pz8*']) {
      assert.match(err(`{{ "${text}" | base64_url_safe_decode }}`), /invalid base64 provided to base64_url_safe_decode/, text);
    }
  });

  it('an object is encoded as the output prints it', () => {
    assert.equal(ok('{{ h | base64_url_safe_encode | base64_url_safe_decode }}', { h: { a: 1 } }), '{"a":1}');
  });

  it('the base64 filters are Studio\'s (5.1.0) and missing before it: the input comes back unchanged', () => {
    assert.equal(ok('{{ "a" | base64_url_safe_encode }}', {}, { ...OPTS, liquidVersion: '5.0.0' }), 'a');
    assert.deepEqual(studioLiquidGaps('{{ "a" | base64_url_safe_encode | base64_url_safe_decode }}'), []);
  });
});

describe('{% ifchanged %}', () => {
  it('writes its body only when it differs from what it wrote last in this render', () => {
    assert.equal(ok('{% for x in list %}{% ifchanged %}{{ x }}{% endifchanged %}{% endfor %}', { list: [1, 1, 2, 2, 1, 3, 3] }), '1213');
    // One register for the whole render, whichever ifchanged wrote last.
    assert.equal(ok('{% ifchanged %}a{% endifchanged %}{% ifchanged %}a{% endifchanged %}{% ifchanged %}b{% endifchanged %}'), 'ab');
  });

  it('each render starts afresh; the body\'s tags run every time (an assign inside still assigns)', () => {
    assert.equal(ok('{% ifchanged %}a{% endifchanged %}'), 'a');
    assert.equal(ok('{% ifchanged %}a{% endifchanged %}'), 'a');
    assert.equal(ok('{% for x in (1..3) %}{% ifchanged %}{% assign last = x %}same{% endifchanged %}{% endfor %}{{ last }}'), 'same3');
  });

  it('an unclosed ifchanged fails the parse in the validator and the engine alike', () => {
    assert.match(liquidSyntaxError('{% ifchanged %}a') ?? '', /tag \{% ifchanged %\} not closed/);
    assert.match(err('{% ifchanged %}a'), /not closed/);
  });

  it('its body is held to the output cap', () => {
    assert.match(err(`{% ifchanged %}${'€'.repeat(6000)}{% endifchanged %}`), /text in ifchanged exceeds 16384 bytes/);
  });
});

describe('{% doc %} (5.8.0)', () => {
  it('renders nothing, and its body is text that is never parsed', () => {
    assert.equal(ok('a{% doc %}@param {string} name {{ not | rendered }} {% if %}{% enddoc %}b', {}, V58), 'ab');
    assert.equal(liquidSyntaxError('{% doc %}{% if %}{% enddoc %}'), null);
  });

  it('takes no arguments, does not nest and must be closed', () => {
    assert.match(err('{% doc x %}{% enddoc %}', {}, V58), /Valid syntax: \{% doc %\}\{% enddoc %\}/);
    assert.match(err('{% doc %}{% doc %}{% enddoc %}{% enddoc %}', {}, V58), /Nested doc tags are not allowed/);
    assert.match(err('{% doc %}text', {}, V58), /not closed/);
  });

  it('is refused before 5.8.0, the release taken as Studio\'s by default included, and the validator says why', () => {
    assert.match(err('{% doc %}x{% enddoc %}'), /tag "doc" is not in Studio's Liquid \(Shopify's Liquid has it since 5\.8\.0, Studio's is taken to be 5\.4\.0/);
    assert.deepEqual(studioLiquidGaps('{% doc %}x{% enddoc %}', '5.8.0'), []);
  });
});

describe('a bracketed key is a key, as Ruby reads it; size, first and last run as methods only when dotted', () => {
  const data = { h: { a: 1, b: 2 }, k: { first: 'F', size: 'S' }, list: [1, 2, 3], text: 'abc' };
  it('the dotted form runs the method where there is no such key', () => {
    assert.equal(ok('{{ h.first | join: "=" }}|{{ list.first }}|{{ list.last }}|{{ list.size }}|{{ text.size }}|{{ h.size }}', data), 'a=1|1|3|3|3|2');
  });
  it('the bracketed form reads the key only: nil where there is none', () => {
    assert.equal(ok('[{{ h["first"] }}|{{ list["first"] }}|{{ list[\'last\'] }}|{{ list["size"] }}|{{ text["size"] }}|{{ h["size"] }}]', data), '[|||||]');
    assert.equal(ok('{{ k["first"] }}{{ k["size"] }}{{ k.first }}{{ k.size }}', data), 'FSFS');
    assert.equal(ok('{% if list["size"] == nil %}nil{% endif %}{% assign n = h["size"] | default: "none" %}{{ n }}', data), 'nilnone');
    assert.equal(ok('{{ outer["h"]["first"] }}|{{ outer["h"].first | join: "=" }}', { outer: data }), '|a=1');
  });
  it('a key held in a variable is a bracketed key too: read as a key, whatever its name', () => {
    const vars = { ...data, names: { f: 'first', s: 'size', l: 'last', a: 'a' }, key: 'first', i: 1 };
    assert.equal(ok('[{{ h[key] }}|{{ h[names.f] }}|{{ list[names.l] }}|{{ list[names.s] }}|{{ text[names.s] }}|{{ h[names.a] }}]', vars), '[|||||1]');
    assert.equal(ok('{{ k[key] }}{{ k[names.s] }}|{{ list[i] }}|{% assign n = "first" %}{{ h[n] | default: "none" }}', vars), 'FS|2|none');
    // The key's own lookup is marked as well: h[names["first"]] reads the names key "first" (there is none: nil).
    assert.equal(ok('[{{ k[names["first"]] }}|{{ k[names.f] }}]', vars), '[|F]');
    assert.equal(ok('{% for key in names %}{{ key[0] }}={{ h[key[1]] }},{% endfor %}', vars), 'f=,s=,l=,a=1,');
  });
  it('a loop\'s forloop members read the same either way, as Ruby\'s Drop#[] invokes them', () => {
    assert.equal(ok('{% for x in list %}{{ forloop["first"] }}{{ forloop["last"] }},{% endfor %}', data), 'truefalse,falsefalse,falsetrue,');
  });
});
