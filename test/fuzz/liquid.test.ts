// Property suite over Liquid templates: random compositions of tags, filters, loops, ranges and
// garbage, rendered by the engine's sandboxed liquidjs. Property: the renderer never throws and
// never hangs, errors come back as 84003 results, and output never exceeds Studio's 16 KB.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LIQUID_ERROR_CODE, renderTemplate } from '../../src/engine/liquid.ts';
import { LIQUID_LIMITS } from '../../src/engine/liquid/limits.ts';
import { fcParams } from './support.ts';

const CONTEXT = {
  flow: { data: { name: 'Ada', n: 3, list: [1, 2, 3], nested: { a: { b: 'c' } } }, channel: { address: '+15005550006' } },
  trigger: { message: { Body: 'hello {{ not rendered }}', From: '+15551234567' } },
  widgets: { http: { parsed: { items: Array.from({ length: 50 }, (_, i) => ({ i })) } } },
  contact: { channel: { address: '+15551234567' } },
};

const variable = fc.constantFrom('flow.data.name', 'flow.data.n', 'flow.data.list', 'flow.data.nested.a.b', 'trigger.message.Body', 'widgets.http.parsed.items', 'nothing.here', 'x', '"text"', '123', '(1..5)', 'flow', 'flow.data.list[99]', 'flow.data["name"]');
const filter = fc.constantFrom(
  'upcase', 'downcase', 'size', 'first', 'last', 'reverse', 'sort', 'uniq', 'json', 'strip', 'escape', 'url_encode',
  'append: "x"', 'prepend: flow.data.name', 'split: ""', 'join: ","', 'times: 1000', 'divided_by: 0', 'modulo: 0', 'plus: "a"',
  'date: "%Y-%m-%d"', 'date: "now"', 'default: "d"', 'slice: -5, 3', 'truncate: 5', 'replace: "a", "aaaaaaaaaa"', 'map: "i"', 'where: "i", 3',
  'no_such_filter', 'round: 2', 'abs', 'at_least: 5',
);
const expression = fc.tuple(variable, fc.array(filter, { maxLength: 4 })).map(([v, fs]) => [v, ...fs].join(' | '));
const leaf = fc.oneof(
  expression.map((e) => `{{ ${e} }}`),
  fc.string({ maxLength: 20 }),
  fc.constantFrom('{{', '}}', '{%', '%}', '{% endfor %}', '{% endif %}', '{{ }}', '{% %}', '{%- -%}', '{{- x -}}', '{% comment %}', '{% raw %}{{x}}{% endraw %}', '\u0000', '\uD800'),
);
const template: fc.Arbitrary<string> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.tuple(fc.constantFrom('(1..10)', '(1..100000)', '(1..999999999)', 'flow.data.list', 'widgets.http.parsed.items', 'x', '(0..-5)'), tie('body')).map(([range, body]) => `{% for i in ${range} %}${body}{% endfor %}`),
    fc.tuple(expression, tie('body'), tie('body')).map(([cond, yes, no]) => `{% if ${cond} %}${yes}{% else %}${no}{% endif %}`),
    fc.tuple(expression).map(([value]) => `{% assign v = ${value} %}{{ v }}`),
    fc.tuple(tie('body')).map(([body]) => `{% capture c %}${body}{% endcapture %}{{ c }}{{ c }}`),
    fc.tuple(fc.constantFrom('x', '"a"'), tie('body')).map(([v, body]) => `{% case ${v} %}{% when "a" %}${body}{% else %}b{% endcase %}`),
    fc.tuple(tie('body')).map(([body]) => `{% tablerow i in (1..50) %}${body}{% endtablerow %}`),
    fc.tuple(tie('body')).map(([body]) => `{% include "nope" %}${body}{% render "x" %}`),
  ),
  body: fc.array(tie('node'), { maxLength: 3 }).map((parts) => parts.join('')),
})).body as fc.Arbitrary<string>;

test('random Liquid templates: no throw, no hang, 84003 on error, output within 16 KB', async () => {
  const now = new Date('2026-02-02T10:00:00Z');
  fc.assert(
    // As Studio's Liquid (the default) and with liquidjs' extras kept (--liquid-extras: json, sample, …).
    fc.property(template, fc.boolean(), (source, liquidExtras) => {
      const started = performance.now();
      const result = renderTemplate(source, CONTEXT, { now, liquidExtras });
      const elapsed = performance.now() - started;
      // A hang guard (not a speed target), far above the 200 ms render budget: a render that never ends fails here.
      assert.ok(elapsed < 30_000, `render took ${elapsed} ms: ${source.slice(0, 200)}`);
      if (result.ok) {
        assert.equal(typeof result.value, 'string');
        assert.ok(Buffer.byteLength(result.value, 'utf8') <= LIQUID_LIMITS.maxOutputBytes, `output of ${Buffer.byteLength(result.value)} bytes`);
      } else {
        assert.equal(result.error.code, LIQUID_ERROR_CODE);
        assert.equal(typeof result.error.message, 'string');
      }
    }),
    fcParams(0.12),
  );
});

test('Liquid bombs are defused: loops truncated at 15, allocation and output capped, never a hang', () => {
  const now = new Date('2026-02-02T10:00:00Z');
  // Studio renders at most 15 iterations of a loop, whatever the range.
  const loop = renderTemplate('{% for a in (1..1000000000) %}x{% endfor %}', CONTEXT, { now });
  assert.deepEqual(loop, { ok: true, value: 'x'.repeat(15) });
  const bombs = [
    '{% for a in (1..100000) %}{% for b in (1..100000) %}{% for c in (1..100000) %}{% for d in (1..100000) %}xxxxxxxxxx{% endfor %}{% endfor %}{% endfor %}{% endfor %}',
    '{% assign s = "xxxxxxxxxx" %}{% for i in (1..15) %}{% assign s = s | append: s %}{% endfor %}{% for i in (1..15) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}',
    '{% capture s %}{% for i in (1..15) %}{% for j in (1..15) %}{% for k in (1..15) %}0123456789{% endfor %}{% endfor %}{% endfor %}{% endcapture %}{{ s }}',
    '{% tablerow i in (1..10000000) %}{{ i }}{% endtablerow %}',
    '{{ flow.data.name | replace: "A", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" | replace: "A", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" | replace: "A", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" | replace: "A", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" | replace: "A", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" }}',
    '{% assign s = "x" | append: "0123456789012345678901234567890123456789" %}{% for i in (1..15) %}{% assign s = s | append: s | append: s %}{% endfor %}{{ s | split: "" | join: "," }}',
    '{{' + '('.repeat(10000) + '}}',
    'x'.repeat(200 * 1024),
  ];
  for (const bomb of bombs) {
    const before = process.memoryUsage().heapUsed;
    const started = performance.now();
    const result = renderTemplate(bomb, CONTEXT, { now });
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 30_000, `${bomb.slice(0, 80)} ran for ${elapsed} ms`);
    if (result.ok) assert.ok(Buffer.byteLength(result.value) <= LIQUID_LIMITS.maxOutputBytes, `${bomb.slice(0, 80)} produced ${result.value.length} chars`);
    else assert.equal(result.error.code, LIQUID_ERROR_CODE);
    assert.ok(process.memoryUsage().heapUsed - before < 256 * 1024 * 1024, `${bomb.slice(0, 80)} allocated too much`);
  }
});
