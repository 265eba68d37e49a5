// Split `regex` takes Java patterns (src/lib/java-regex.ts): Java's `\x{h…h}` and octal `\0ooo` escapes name a
// character. JavaScript reads `\x{41}` as `x{41}` and `\0101` as a NUL then `101`, so such a condition never
// matched, with no word from the validator. They are translated; a malformed one is refused (Java refuses it too).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateCondition } from '../../src/engine/operators.ts';
import { analyzeRegex } from '../../src/lib/bounded-regex.ts';

describe('split regex: Java code point escapes', () => {
  it('\\x{h…h} is the code point, in and out of classes, beyond the BMP too', () => {
    assert.equal(evaluateCondition('regex', 'A', '\\x{41}'), true);
    assert.equal(evaluateCondition('regex', 'café', 'caf\\x{e9}'), true);
    assert.equal(evaluateCondition('regex', 'b', '[\\x{61}-\\x{63}]'), true);
    assert.equal(evaluateCondition('regex', 'd', '[\\x{61}-\\x{63}]'), false);
    assert.equal(evaluateCondition('regex', '😀', '\\x{1F600}'), true);
    assert.equal(evaluateCondition('regex', 'x{41}', '\\x{41}'), false);
  });

  it('\\0ooo is the octal code point (one to three digits, the first of three at most 3)', () => {
    assert.equal(evaluateCondition('regex', 'A', '\\0101'), true);
    assert.equal(evaluateCondition('regex', '\u0007', '\\07'), true);
    assert.equal(evaluateCondition('regex', 'ÿ', '\\0377'), true);
    // \0400 is \040 (a space) then 0.
    assert.equal(evaluateCondition('regex', 'x 0', 'x\\0400'), true);
  });

  it('a malformed one is refused, as Java refuses it, so the validator can say so', () => {
    for (const pattern of ['\\x{110000}', '\\x{zz}', '\\x{41', '\\0']) {
      const analysis = analyzeRegex(pattern);
      assert.equal(analysis.ok, false, pattern);
      assert.match(analysis.ok ? '' : analysis.reason, /Java regex syntax not supported/, pattern);
    }
  });
});
