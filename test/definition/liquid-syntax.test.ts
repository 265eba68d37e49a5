import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { liquidSyntaxError } from '../../src/definition/liquid-syntax.ts';
import { renderTemplate } from '../../src/engine/liquid.ts';

// The validator and the engine parse with one dialect: a template the validator passes must not fail to parse
// when it renders, and one it flags must fail with the same message.
const templates = [
  'Hello {{ flow.data.name }}',
  "Hello {% include 'footer' %}",
  "{% render 'x' %}",
  "{% layout 'base' %}body",
  '{% if flow.data.vip %}VIP',
  '{% hello %}',
  '{{ flow.data.x ',
  '{% for i in (1..3) %}{{ i }}{% endfor %}',
  '{% tablerow i in (1..3) %}{{ i }}{% endtablerow %}',
  '{{ "2024-01-01" | date: "%Y" }}',
  '{{ x | no_such_filter }}',
  '{% raw %}{{ not liquid }}{% endraw %}',
  '{{ x }}' + 'y'.repeat(128 * 1024 + 1),
];

describe('liquidSyntaxError agrees with the engine', () => {
  for (const template of templates) {
    it(template.slice(0, 50), () => {
      const syntax = liquidSyntaxError(template);
      const rendered = renderTemplate(template, { flow: { data: { name: 'Ada' } } }, { now: new Date(0) });
      const engineSyntax = !rendered.ok && rendered.error.message.startsWith('Liquid syntax error: ') ? rendered.error.message : null;
      if (syntax === null) assert.equal(engineSyntax, null, `the validator passed it, the engine said ${engineSyntax}`);
      else assert.equal(engineSyntax?.split('\n')[0]?.replace(/, line:\d+, col:\d+$/, ''), `Liquid syntax error: ${syntax}`);
    });
  }
});

describe('a literal *_exp expression that does not parse', () => {
  // liquidjs parses it only when the filter runs (with --liquid-extras: Studio's Liquid has no *_exp filters);
  // the validator reads it up front.
  for (const template of ['{{ l | where_exp: "x", "x = 1" }}', '{% assign n = l | find_exp: "x", "(1..) contains x" %}{{ n }}', '{% if true %}{{ l | has_exp: "x", "" }}{% endif %}']) {
    it(template, () => {
      const syntax = liquidSyntaxError(template);
      assert.ok(syntax, 'the validator flags it');
      const rendered = renderTemplate(template, { l: ['a'] }, { now: new Date(0), liquidExtras: true });
      assert.equal(rendered.ok, false);
      // As Studio's Liquid: the filter is not there, so the template renders (its input unchanged).
      assert.equal(renderTemplate(template, { l: ['a'] }, { now: new Date(0) }).ok, true);
      assert.ok(!rendered.ok && rendered.error.message.includes(syntax.slice(syntax.indexOf(': ') + 2)), `${JSON.stringify(rendered)} vs ${syntax}`);
    });
  }
  it('a valid one, or one given as a variable, is not flagged', () => {
    assert.equal(liquidSyntaxError('{{ l | where_exp: "x", "x == 1 or x contains \'a\'" | size }}'), null);
    assert.equal(liquidSyntaxError('{{ l | where_exp: "x", e }}'), null);
  });
});
