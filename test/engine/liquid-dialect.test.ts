// Studio's Liquid is Shopify's Ruby Liquid in lax mode: a filter it lacks returns its input unchanged, a tag it lacks
// fails the parse. liquidjs has many of both (Jekyll's and its own); by default the engine behaves as Studio does
// with them, so a flow tested here does what it does on Twilio. `liquidExtras` (--liquid-extras) keeps liquidjs'.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { filters as liquidjsFilters } from 'liquidjs';
import { renderTemplate, type RenderOptions } from '../../src/engine/liquid.ts';
import { DEFAULT_LIQUID_VERSION, STUDIO_FILTERS, isStudioFilter } from '../../src/definition/liquid-dialect.ts';

const NOW = new Date('2026-03-10T12:00:00Z');
const STUDIO: RenderOptions = { now: NOW };
const EXTRAS: RenderOptions = { now: NOW, liquidExtras: true };

const context = () => ({
  list: [3, 1, 2],
  people: [{ name: 'Ada', age: 36 }, { name: 'Bob', age: 17 }],
  text: '  Hello <b>World</b> & co  ',
  n: ' 42 ',
});

function render(template: string, opts: RenderOptions = STUDIO): string {
  const r = renderTemplate(template, context(), opts);
  assert.equal(r.ok, true, `${template}: ${JSON.stringify(r)}`);
  return (r as { ok: true; value: string }).value;
}

function failure(template: string, opts: RenderOptions = STUDIO): string {
  const r = renderTemplate(template, context(), opts);
  assert.equal(r.ok, false, `${template} rendered: ${JSON.stringify(r)}`);
  return (r as { ok: false; error: { code: number; message: string } }).error.message;
}

/** A use of each liquidjs filter Studio's Liquid lacks, with arguments it would change its input with. */
const EXTRA_USES: Record<string, string> = {
  push: 'list | push: 9 | join: ","',
  pop: 'list | pop | join: ","',
  shift: 'list | shift | join: ","',
  unshift: 'list | unshift: 9 | join: ","',
  group_by: 'people | group_by: "age" | map: "name" | join: ","',
  group_by_exp: 'people | group_by_exp: "p", "p.age > 18" | map: "name" | join: ","',
  where_exp: 'list | where_exp: "x", "x > 1" | join: ","',
  reject_exp: 'list | reject_exp: "x", "x > 1" | join: ","',
  find_exp: 'people | find_exp: "p", "p.age > 18" | map: "name" | join: ","',
  find_index_exp: 'list | find_index_exp: "x", "x == 1"',
  has_exp: 'list | has_exp: "x", "x == 1"',
  sum: 'list | sum',
  find: 'people | find: "name", "Bob" | map: "name" | join: ","',
  find_index: 'people | find_index: "name", "Bob"',
  has: 'people | has: "name", "Bob"',
  reject: 'people | reject: "name", "Bob" | map: "name" | join: ","',
  array_to_sentence_string: 'list | array_to_sentence_string',
  xml_escape: 'text | xml_escape',
  cgi_escape: 'text | cgi_escape',
  uri_escape: 'text | uri_escape',
  slugify: 'text | slugify',
  number_of_words: 'text | number_of_words',
  jsonify: 'list | jsonify',
  json: 'list | json',
  inspect: 'list | inspect',
  to_integer: 'n | to_integer | append: "!"',
  normalize_whitespace: 'text | normalize_whitespace',
  squish: 'text | squish',
  sample: 'list | sample: 3 | join: ","',
  date_to_xmlschema: '"2026-03-10" | date_to_xmlschema',
  date_to_rfc822: '"2026-03-10" | date_to_rfc822',
  date_to_string: '"2026-03-10" | date_to_string',
  date_to_long_string: '"2026-03-10" | date_to_long_string',
  sha256: 'text | sha256',
  hmac_sha256: 'text | hmac_sha256: "key"',
  raw: 'text | raw',
};

/** `use` without the filter `name` (and its arguments): what Studio renders, skipping it. */
function without(use: string, name: string): string {
  return use.split(' | ').filter((segment) => segment !== name && !segment.startsWith(`${name}:`)).join(' | ');
}

describe("Liquid filters Studio's Liquid lacks", () => {
  it('every liquidjs filter outside the list has a use here (a new liquidjs filter must be classified)', () => {
    const extras = Object.keys(liquidjsFilters).filter((name) => !isStudioFilter(name));
    assert.deepEqual(extras.filter((name) => !Object.hasOwn(EXTRA_USES, name)).sort(), []);
  });

  for (const [name, use] of Object.entries(EXTRA_USES)) {
    it(`${name}: returns its input unchanged by default, as Ruby's lax Liquid; works with liquidExtras`, () => {
      const template = `{{ ${use} }}`;
      const skipped = render(template);
      // The filter is skipped: the rest of the chain runs on its input.
      assert.equal(skipped, render(`{{ ${without(use, name)} }}`), template);
      // liquidjs' raw only undoes an output escape, which Switchboard never sets: nothing to see either way.
      if (name !== 'raw') assert.notEqual(render(template, EXTRAS), skipped, `${template} does nothing with liquidExtras either`);
    });
  }

  it("Studio's own filters all work by default: Shopify's up to the release taken as Studio's, Twilio's to_json, Ruby's h", () => {
    assert.equal(DEFAULT_LIQUID_VERSION, '5.4.0');
    assert.equal(render('{{ list | to_json }}|{{ "<a>" | h }}|{{ list | sort | join: "," }}|{{ people | where: "age", 17 | map: "name" | join }}'), '[3,1,2]|&lt;a&gt;|1,2,3|Bob');
    assert.equal(render('{{ 5 | at_least: 7 }}|{{ "aXbX" | remove_last: "X" }}|{{ "hi" | base64_encode | base64_decode }}'), '7|aXb|hi');
    const studio = Object.keys(STUDIO_FILTERS).filter((name) => isStudioFilter(name));
    assert.ok(studio.includes('where') && !studio.includes('sum'), studio.join(' '));
  });

  it('liquidVersion decides which of Shopify\'s later filters are there: sum from 5.5, find/has/reject from 5.7, where from 4.0.2', () => {
    assert.equal(render('{{ list | sum }}'), '312');
    assert.equal(render('{{ list | sum }}', { ...STUDIO, liquidVersion: '5.5' }), '6');
    assert.equal(render('{{ people | has: "name", "Bob" }}', { ...STUDIO, liquidVersion: '5.5.0' }), render('{{ people }}'));
    assert.equal(render('{{ people | has: "name", "Bob" }}', { ...STUDIO, liquidVersion: '5.7.0' }), 'true');
    assert.equal(render('{{ people | where: "age", 17 | size }}', { ...STUDIO, liquidVersion: '4.0.1' }), '2');
    assert.equal(render('{{ people | where: "age", 17 | size }}', { ...STUDIO, liquidVersion: '4.0.2' }), '1');
    assert.match(failure('{{ list | sum }}', { ...STUDIO, liquidVersion: 'latest' }), /invalid Liquid version: latest/);
    assert.match(failure('{{ list | sum }}', { ...STUDIO, liquidVersion: '3.0' }), /invalid Liquid version/);
  });
});

describe("Liquid tags Studio's Liquid lacks", () => {
  it('block fails the parse by default (Ruby: Unknown tag), renders with liquidExtras', () => {
    assert.match(failure('Hi {% block name %}there{% endblock %}'), /tag "block" is not in Studio's Liquid \(liquidjs has it, Shopify's Liquid does not; --liquid-extras keeps liquidjs' tags\)/);
    assert.equal(render('Hi {% block name %}there{% endblock %}', EXTRAS), 'Hi there');
  });

  it("echo and liquid (5.0.0) and # comments (5.4.0) are Studio's by default and not before their release", () => {
    assert.equal(render('{% echo 1 %}{% liquid\necho 2 %}{% # three %}'), '12');
    assert.match(failure('{% echo 1 %}', { ...STUDIO, liquidVersion: '4.0.3' }), /tag "echo" is not in Studio's Liquid \(Shopify's Liquid has it since 5\.0\.0, Studio's is taken to be 4\.0\.3; see --liquid-version\)/);
    assert.match(failure('{% # three %}', { ...STUDIO, liquidVersion: '5.3' }), /tag "#" is not in Studio's Liquid/);
    assert.equal(render('{% # three %}x', { ...STUDIO, liquidVersion: '5.3', liquidExtras: true }), 'x');
  });

  it("Ruby's tags all parse by default: tablerow, increment, decrement, cycle, raw, case, capture, unless", () => {
    const template = '{% increment i %}{% decrement j %}{% cycle "a", "b" %}{% raw %}{{x}}{% endraw %}{% case 1 %}{% when 1 %}one{% endcase %}' +
      '{% capture c %}{% unless false %}u{% endunless %}{% endcapture %}{{ c }}{% tablerow x in list %}{{ x }}{% endtablerow %}';
    assert.match(render(template), /^0-1a\{\{x\}\}oneu<tr class="row1">/);
  });
});
