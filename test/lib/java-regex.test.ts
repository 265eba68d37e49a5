// Studio's split `regex` is Java: the common Java-only syntax matches as in Studio instead of never,
// and what cannot be translated is refused with a reason the validator shows.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeRegex, regexMatches } from '../../src/lib/bounded-regex.ts';
import { translateJavaRegex } from '../../src/lib/java-regex.ts';

describe('Java regex syntax in the split regex operator', () => {
  it('Unicode properties: \\p{L}, \\p{Lu}, \\pN, \\p{IsL}, \\p{gc=Nd}, scripts, binary properties', () => {
    assert.equal(regexMatches('\\p{L}+', 'Héllo'), true);
    assert.equal(regexMatches('\\p{L}+', 'abc1'), false);
    assert.equal(regexMatches('\\p{Lu}\\p{Ll}+', 'Émile'), true);
    assert.equal(regexMatches('\\pN+', '١٢٣'), true);
    assert.equal(regexMatches('\\p{IsL}+ \\p{gc=Nd}+', 'abc 42'), true);
    assert.equal(regexMatches('\\p{IsLatin}+', 'Ça'), true);
    assert.equal(regexMatches('\\p{IsGreek}+', 'αβγ'), true);
    assert.equal(regexMatches('\\p{script=greek}+', 'αβγ'), true);
    assert.equal(regexMatches('\\p{IsAlphabetic}+', 'ab'), true);
    assert.equal(regexMatches('\\P{L}+', '123'), true);
    assert.equal(regexMatches('[\\p{L}\\d]+', 'é1'), true);
    // The `u` flag is needed: identity escapes Java allows still work next to it.
    assert.equal(regexMatches('\\p{L}+\\:\\p{N}+', 'ab:12'), true);
    assert.equal(analyzeRegex('\\p{L}+').ok && (analyzeRegex('\\p{L}+') as { engine: string }).engine, 'backtracking');
  });

  it('POSIX classes are their US-ASCII classes, as in Java', () => {
    assert.equal(regexMatches('\\p{Alpha}+', 'Hello'), true);
    assert.equal(regexMatches('\\p{Alpha}+', 'Héllo'), false, 'US-ASCII only');
    assert.equal(regexMatches('\\p{Digit}{3}-\\p{Digit}{4}', '555-1234'), true);
    assert.equal(regexMatches('\\p{Alnum}+', 'abc123'), true);
    assert.equal(regexMatches('\\p{Upper}+', 'ABC'), true);
    assert.equal(regexMatches('\\p{Lower}+', 'abc'), true);
    assert.equal(regexMatches('\\p{Punct}+', '!?.,'), true);
    assert.equal(regexMatches('a\\p{Space}b', 'a b'), true);
    assert.equal(regexMatches('[\\p{Digit}\\-]+', '12-3'), true);
    assert.equal(regexMatches('\\P{Digit}+', 'abc'), true);
    assert.equal(regexMatches('\\P{Digit}+', 'ab1'), false);
  });

  it('inline flags: (?i) anywhere (the operator ignores case already), a leading (?s)', () => {
    assert.equal(regexMatches('(?i)yes', 'YES'), true);
    assert.equal(regexMatches('(?i)yes|no', 'No'), true);
    assert.equal(regexMatches('(?iu)stop', 'STOP'), true);
    assert.equal(regexMatches('a(?i)b', 'AB'), true);
    assert.equal(regexMatches('(?s)a.b', 'a\nb'), true);
    assert.equal(regexMatches('a.b', 'a\nb'), false);
    assert.equal(regexMatches('(?i:yes)', 'YES'), true, 'a modifier group is JavaScript too');
  });

  it('nested classes are unions; [[:alpha:]] is not POSIX in Java but its characters, with a note', () => {
    assert.equal(regexMatches('[a-c[x-z]]+', 'abzy'), true);
    assert.equal(regexMatches('[[:alpha:]]+', 'hello'), false);
    assert.equal(regexMatches('[[:alpha:]]+', 'alpha:'), true);
    const a = analyzeRegex('[[:alpha:]]+');
    assert.ok(a.ok);
    assert.match(a.notes?.join() ?? '', /\[:alpha:\] in a class is not a POSIX class in Java/);
  });

  it('\\Q…\\E quotes, \\A and \\z/\\Z at the ends, a leading ] in a class is literal', () => {
    assert.equal(regexMatches('\\Qa.b*\\E', 'a.b*'), true);
    assert.equal(regexMatches('\\Qa.b\\E', 'axb'), false);
    assert.equal(regexMatches('\\Ayes\\z', 'yes'), true);
    assert.equal(regexMatches('\\Ayes\\Z', 'YES'), true);
    assert.equal(regexMatches('\\A', 'a'), false, '\\A is an anchor, not the letter');
    assert.equal(regexMatches('[]a]+', ']a'), true);
  });

  it('refuses what it cannot translate, saying which construct', () => {
    for (const [pattern, construct] of [
      ['\\p{InGreek}+', /\\p\{InGreek\} \(Unicode blocks/],
      ['\\p{javaLowerCase}+', /javaLowerCase/],
      ['(?m)a', /inline flag \(\?m\)/],
      ['(?x)a b', /inline flag \(\?x\)/],
      ['(?-i)a', /inline flag \(\?-i\)/],
      ['a(?s).', /inline flag \(\?s\)/],
      ['[a-z&&[^aeiou]]+', /class intersection &&/],
      ['\\Ga', /\\G/],
      ['a\\Rb', /\\R/],
      ['\\h+', /\\h/],
      ['a++b', /possessive quantifier \+\+/],
      ['a*+', /possessive quantifier \*\+/],
      ['a?+', /possessive quantifier \?\+/],
      ['a{2}+', /possessive quantifier \}\+/],
      ['(?>ab|a)c', /atomic group \(\?>…\)/],
    ] as const) {
      const a = analyzeRegex(pattern);
      assert.equal(a.ok, false, pattern);
      assert.match(a.ok ? '' : a.reason, /^Java regex syntax not supported: /, pattern);
      assert.match(a.ok ? '' : a.reason, construct, pattern);
      assert.equal(regexMatches(pattern, 'a'), false);
    }
  });

  it('leaves plain patterns alone', () => {
    for (const p of ['[0-9]{5}', '(yes|no)', 'a\\.b', '\\d+\\s\\w*', '[^a-c]x', '(?:ab)+', '(?=a)a', '[a+]+', 'a\\++', 'a+?b', '(?<=a)b']) {
      const t = translateJavaRegex(p);
      assert.deepEqual([t.source, t.unicode, t.problems, t.notes], [p, false, [], []], p);
    }
  });
});
