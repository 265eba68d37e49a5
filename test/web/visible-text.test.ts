// How the console's JSON trees show a string (web/src/ui/visible-text.ts): whitespace and invisible
// characters that decide a split are visible, a bidi control cannot reorder what is around it, and a
// long string is cut without splitting a character.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { characterCount, cutText, visibleParts, type TextPart } from '../../web/src/ui/visible-text.ts';

/** The parts as one line: text as it is, escapes in ⟦ ⟧ (with ↵ after one that breaks the line). */
const show = (parts: TextPart[]) => parts.map((p) => (p.kind === 'text' ? p.text : `⟦${p.escape}⟧${p.breaks ? '↵' : ''}`)).join('');

describe('visible text', () => {
  it('shows line breaks and tabs as escapes, a line feed still breaking the line', () => {
    assert.equal(show(visibleParts('\n\nline2\ttab')), '⟦\\n⟧↵⟦\\n⟧↵line2⟦\\t⟧tab');
    assert.equal(show(visibleParts('a\r\nb')), 'a⟦\\r⟧⟦\\n⟧↵b');
    const [tab] = visibleParts('\t');
    assert.deepEqual(tab, { kind: 'escape', escape: '\\t', title: 'tab' });
  });

  it('shows spaces at either end, and leaves the ones inside as they are', () => {
    assert.equal(show(visibleParts('  yes ')), '⟦·⟧⟦·⟧yes⟦·⟧');
    assert.equal(show(visibleParts('two  words')), 'two  words');
    assert.equal(show(visibleParts('   ')), '⟦·⟧⟦·⟧⟦·⟧');
  });

  it('escapes bidi controls, so "RTL" after a right-to-left override still reads RTL, and names them', () => {
    const parts = visibleParts('\u202eRTL\u202c');
    assert.equal(show(parts), '⟦\\u202E⟧RTL⟦\\u202C⟧');
    assert.ok(parts.every((p) => p.kind === 'escape' || !/[\u202a-\u202e\u2066-\u2069]/.test(p.text)), 'no bidi control is left in the text');
    assert.equal(parts[0]!.kind === 'escape' && parts[0]!.title, 'U+202E right-to-left override');
    assert.equal(show(visibleParts('a\u2067b\u2069\u200f')), 'a⟦\\u2067⟧b⟦\\u2069⟧⟦\\u200F⟧');
  });

  it('shows a joiner that joins nothing', () => {
    assert.equal(show(visibleParts('\u200dyes')), '⟦\\u200D⟧yes');
    assert.equal(show(visibleParts('yes \u200c')), 'yes ⟦\\u200C⟧');
  });

  it('escapes zero-width, format and control characters and spaces that only look like one', () => {
    assert.equal(show(visibleParts('ye\u200bs\u00a0no\ufeff\u0000\u007f\u0085')), 'ye⟦\\u200B⟧s⟦\\u00A0⟧no⟦\\uFEFF⟧⟦\\u0000⟧⟦\\u007F⟧⟦\\u0085⟧');
  });

  it('leaves ordinary text, right-to-left scripts, emoji and the joiners inside them alone', () => {
    for (const text of ['Hello, world', 'مرحبا بك', 'שלום', 'naïve café 👋🏽', '👨\u200d👩\u200d👧', 'می\u200cخواهم', '']) {
      assert.equal(show(visibleParts(text)), text);
    }
  });

  it('cuts a long string at the limit, never inside a surrogate pair, and counts characters as a reader does', () => {
    assert.equal(cutText('short', 10), null);
    assert.equal(cutText('x'.repeat(11), 10), 'x'.repeat(10));
    const emoji = 'abcdefghi👋'; // the emoji's two units sit at 9 and 10
    assert.equal(cutText(emoji + 'z', 10), 'abcdefghi');
    assert.equal(characterCount('👋🏽 hi'), 5);
    assert.equal(characterCount('x'.repeat(64_000)), 64_000);
  });
});
