// `slice` counts a string in characters (code points), as Shopify's Ruby does, not UTF-16 units: a
// negative start is counted back from the last character, so an emoji (two units) is one step.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderTemplate } from '../../src/engine/liquid.ts';

function render(template: string): string {
  const r = renderTemplate(template, {}, { now: new Date('2024-03-10T12:34:56Z') });
  assert.equal(r.ok, true, JSON.stringify(r));
  return (r as { ok: true; value: string }).value;
}

describe('slice over code points', () => {
  it('a negative start counts characters back from the end', () => {
    assert.equal(render('{{ "a😀b" | slice: -1 }}'), 'b');
    assert.equal(render('{{ "a😀b" | slice: -2 }}'), '😀');
    assert.equal(render('{{ "a😀b" | slice: -2, 2 }}'), '😀b');
    assert.equal(render('{{ "a😀b" | slice: -3, 3 }}'), 'a😀b');
    assert.equal(render('{{ "😀😀x" | slice: -1 }}'), 'x');
    assert.equal(render('{{ "a😀b" | slice: -4 }}'), '');
  });
  it('a positive start and length count characters too', () => {
    assert.equal(render('{{ "a😀b" | slice: 1 }}'), '😀');
    assert.equal(render('{{ "a😀b" | slice: 1, 2 }}'), '😀b');
    assert.equal(render('{{ "a😀b" | slice: 0, 2 }}'), 'a😀');
  });
});
