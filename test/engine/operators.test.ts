import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SPLIT_OPERATORS, evaluateCondition, isKnownOperator, parseDate, parseNumber, parseTime } from '../../src/engine/operators.ts';
import { analyzeRegex, foldCase, regexMatches } from '../../src/lib/bounded-regex.ts';

type Row = [type: string, input: string, value: string, expected: boolean];

function runTable(rows: Row[]): void {
  for (const [type, input, value, expected] of rows) {
    it(`${JSON.stringify(input)} ${type} ${JSON.stringify(value)} → ${expected}`, () => {
      assert.equal(evaluateCondition(type, input, value), expected);
    });
  }
}

describe('SPLIT_OPERATORS', () => {
  it('lists the 17 documented type strings', () => {
    assert.equal(SPLIT_OPERATORS.length, 17);
    assert.equal(new Set(SPLIT_OPERATORS).size, 17);
    for (const t of SPLIT_OPERATORS) assert.ok(isKnownOperator(t), t);
    assert.deepEqual(
      [...SPLIT_OPERATORS].sort(),
      [
        'contains', 'does_not_contain', 'does_not_match_any_of', 'does_not_start_with', 'equal_to',
        'greater_than', 'is_after_date', 'is_after_time', 'is_before_date', 'is_before_time', 'is_blank',
        'is_not_blank', 'less_than', 'matches_any_of', 'not_equal_to', 'regex', 'starts_with',
      ],
    );
  });
  it('unknown operators are not known and evaluate to false', () => {
    for (const t of ['', 'EQUAL_TO', 'equals', 'ends_with', 'toString', '__proto__', 'constructor']) {
      assert.equal(isKnownOperator(t), false, t);
      assert.equal(evaluateCondition(t, 'x', 'x'), false, t);
    }
  });
  it('is_blank / is_not_blank ignore the value the Console writes beside them', () => {
    assert.equal(evaluateCondition('is_blank', '', 'Is Blank'), true);
    assert.equal(evaluateCondition('is_blank', 'x', 'x'), false);
    assert.equal(evaluateCondition('is_not_blank', 'x', 'Is Not Blank'), true);
    assert.equal(evaluateCondition('is_not_blank', '  ', 'x'), false);
  });
});

describe('examples from the Studio docs', () => {
  runTable([
    ['is_after_date', '2019-08-12', '2017-09-04', true],
    ['is_before_time', '17:00', '16:35', false],
    ['greater_than', '900', '1000', false],
    ['is_blank', 'Twilio', 'Is Blank', false],
    ['matches_any_of', 'YES', 'yes,yeah,yup', true],
    ['regex', '6', '[1-5]', false],
    ['contains', 'aab', 'aa', true],
    ['contains', 'aab', 'A', true],
    ['starts_with', ' Hoot', 'hoo', true],
  ]);
});

describe('equal_to / not_equal_to', () => {
  runTable([
    ['equal_to', 'yes', 'yes', true],
    ['equal_to', '  YeS \n', 'yes', true],
    ['equal_to', 'yes', '  YES ', true],
    ['equal_to', 'yes', 'no', false],
    ['equal_to', '', '', true],
    ['equal_to', '1', '1.0', false],
    ['not_equal_to', 'Yes', 'yes', false],
    ['not_equal_to', 'yes', 'no', true],
  ]);
});

describe('matches_any_of / does_not_match_any_of', () => {
  runTable([
    ['matches_any_of', 'yeah', 'yes, yeah ,yup', true],
    ['matches_any_of', ' Yup ', 'yes,yeah,yup', true],
    ['matches_any_of', 'nope', 'yes,yeah,yup', false],
    ['matches_any_of', 'yes', 'Yes, Yes.', true],
    ['matches_any_of', 'yes.', 'Yes, Yes.', true],
    ['matches_any_of', 'ye', 'yes,yeah', false],
    ['matches_any_of', 'yes', 'yes', true],
    ['matches_any_of', '', 'yes,', false], // empty items ignored
    ['matches_any_of', '', '', false],
    ['does_not_match_any_of', 'nope', 'yes,yeah,yup', true],
    ['does_not_match_any_of', 'YEAH', 'yes,yeah,yup', false],
  ]);
});

describe('is_blank / is_not_blank', () => {
  runTable([
    ['is_blank', '', 'Is Blank', true],
    ['is_blank', '  \t\n ', '', true],
    ['is_blank', '\u00a0', '', true],
    ['is_blank', ' x ', '', false],
    ['is_not_blank', 'Twilio', 'Is Not Blank', true],
    ['is_not_blank', '   ', 'anything', false],
    ['is_not_blank', '', '', false],
  ]);
});

describe('contains / does_not_contain / starts_with / does_not_start_with', () => {
  runTable([
    ['contains', 'Hello World', 'O W', true],
    ['contains', 'Hello', 'xyz', false],
    ['contains', 'Hello', '', true],
    ['contains', 'Hello', ' ell ', true], // value trimmed
    ['does_not_contain', 'aab', 'AA', false],
    ['does_not_contain', 'aab', 'c', true],
    ['starts_with', 'Hoot', 'HOO', true],
    ['starts_with', 'Hoot', 'oot', false],
    ['starts_with', '  stop please', 'STOP', true],
    ['does_not_start_with', ' Hoot', 'hoo', false],
    ['does_not_start_with', 'Hoot', 'x', true],
  ]);
});

describe('less_than / greater_than', () => {
  runTable([
    ['greater_than', '1000', '900', true],
    ['greater_than', '900', '1000', false], // numeric, not lexicographic
    ['less_than', '900', '1000', true],
    ['less_than', '-3.5', '-3', true],
    ['less_than', ' 2 ', '10', true],
    ['greater_than', '1e3', '999', true],
    ['greater_than', '.5', '0.25', true],
    ['less_than', '5', '5', false],
    ['greater_than', '5', '5', false],
    ['greater_than', 'abc', '1', false],
    ['less_than', 'abc', '1', false],
    ['less_than', '1', 'abc', false],
    ['greater_than', '', '-1', false],
    ['less_than', '', '1', false],
    ['greater_than', '0x10', '1', false],
    ['greater_than', 'Infinity', '1', false],
    ['greater_than', '1,000', '1', false],
    ['greater_than', '10 apples', '1', false],
  ]);
  it('parseNumber', () => {
    assert.equal(parseNumber(' 42 '), 42);
    assert.equal(parseNumber('-0.5'), -0.5);
    assert.equal(parseNumber('+7'), 7);
    assert.equal(parseNumber('1e400'), undefined);
    assert.equal(parseNumber('NaN'), undefined);
    assert.equal(parseNumber(''), undefined);
  });
});

describe('is_before_time / is_after_time', () => {
  runTable([
    ['is_before_time', '17:00', '16:35', false],
    ['is_after_time', '17:00', '16:35', true],
    ['is_before_time', '9:05', '10:00', true], // H:MM input
    ['is_before_time', '09:05', '9:05', false],
    ['is_after_time', '09:05', '9:05', false],
    ['is_before_time', '00:00', '23:59', true],
    ['is_after_time', '23:59:30', '23:59', true],
    ['is_before_time', '24:00', '23:59', false], // invalid
    ['is_after_time', '24:00', '23:59', false],
    ['is_before_time', '12:60', '23:59', false],
    ['is_before_time', 'noon', '23:59', false],
    ['is_after_time', 'noon', '00:00', false],
    ['is_before_time', '10:00', '', false],
    ['is_before_time', '10:00 AM', '11:00', false],
    ['is_before_time', ' 10:00 ', ' 11:00 ', true],
  ]);
  it('parseTime', () => {
    assert.equal(parseTime('0:00'), 0);
    assert.equal(parseTime('23:59'), 23 * 3600 + 59 * 60);
    assert.equal(parseTime('1:2'), undefined);
    assert.equal(parseTime('123:00'), undefined);
  });
  it('"now" uses the injected clock and zone', () => {
    const now = new Date('2024-06-01T15:30:00Z');
    assert.equal(evaluateCondition('is_after_time', 'now', '15:00', { now }), true);
    assert.equal(evaluateCondition('is_before_time', 'now', '15:00', { now }), false);
    // 08:30 in Los Angeles (PDT)
    assert.equal(evaluateCondition('is_before_time', 'now', '09:00', { now, timezone: 'America/Los_Angeles' }), true);
    // no clock → not parsable → false
    assert.equal(evaluateCondition('is_after_time', 'now', '00:00'), false);
    assert.equal(evaluateCondition('is_after_time', 'now', '00:00', { now, timezone: 'Not/AZone' }), false);
  });
});

describe('is_before_date / is_after_date', () => {
  runTable([
    ['is_after_date', '2019-08-12', '2017-09-04', true],
    ['is_before_date', '2019-08-12', '2017-09-04', false],
    ['is_before_date', '2017-09-04', '2019-08-12', true],
    ['is_before_date', '2019-08-12', '2019-08-12', false],
    ['is_after_date', '2019-08-12', '2019-08-12', false],
    ['is_after_date', '2019-08-12T10:00:00Z', '2019-08-11', true], // ISO date-time input
    ['is_after_date', '2019-08-12T23:30:00-05:00', '2019-08-12', false], // date part as written
    ['is_before_date', '2019-08-12 08:00', '2019-08-13', true],
    ['is_after_date', '2019-02-30', '2019-01-01', false], // not a calendar date
    ['is_after_date', '2020-02-29', '2020-01-01', true], // leap day
    ['is_after_date', '2019-13-01', '2019-01-01', false],
    ['is_after_date', '12/08/2019', '2017-09-04', false],
    ['is_after_date', '2019-8-12', '2017-09-04', false],
    ['is_after_date', '2019-08-12', '', false],
    ['is_after_date', '2019-08-12x', '2017-09-04', false],
  ]);
  it('parseDate', () => {
    assert.equal(parseDate('2019-08-12'), 20190812);
    assert.equal(parseDate(' 2019-08-12T00:00:00.000Z '), 20190812);
    assert.equal(parseDate('2019-00-12'), undefined);
  });
  it('"now" uses the injected clock and zone', () => {
    const now = new Date('2024-06-01T03:00:00Z');
    assert.equal(evaluateCondition('is_after_date', 'now', '2024-05-31', { now }), true);
    // still May 31 in Los Angeles
    assert.equal(evaluateCondition('is_after_date', 'now', '2024-05-31', { now, timezone: 'America/Los_Angeles' }), false);
    assert.equal(evaluateCondition('is_before_date', '2024-05-01', 'now', { now }), true);
  });
});

describe('regex', () => {
  runTable([
    ['regex', '6', '[1-5]', false],
    ['regex', '3', '[1-5]', true],
    ['regex', '33', '[1-5]', false], // must match the entire input
    ['regex', 'abc3def', '[1-5]', false],
    ['regex', 'HELLO', 'hello', true], // case-insensitive
    ['regex', '  hello  ', 'hello', true], // input trimmed
    ['regex', 'hello', ' hel+o ', true], // value trimmed
    ['regex', 'say hello please', '.*hello.*', true],
    ['regex', '12345', '\\d{5}', true],
    ['regex', '1234', '\\d{5}', false],
    ['regex', 'yes', 'yes|no', true], // alternation is anchored as a whole
    ['regex', 'yesno', 'yes|no', false],
    ['regex', 'no thanks', 'yes|no', false],
    ['regex', 'b', 'a)|(b', false], // unbalanced: invalid on its own, never re-anchored
    ['regex', 'x', '(', false], // invalid → false, no throw
    ['regex', 'x', '[', false],
    ['regex', 'x', '*', false],
    ['regex', 'a\nb', 'a.b', false],
    ['regex', 'abcabc', '(?:abc){2}', true],
    ['regex', 'ab', '(?<x>a)b', true],
    ['regex', '', '', true],
  ]);

  it('runs patterns with nested quantifiers in linear time, and they match', () => {
    const evil = 'a'.repeat(5000) + '!';
    for (const p of ['(a+)+', '(a*)*', '(a|aa)+', '(a|a)*', '(.*a){12}', '((a+))+', '(?:a+b?)+']) {
      const r = analyzeRegex(p);
      assert.equal(r.ok && r.engine, 'linear', p);
      assert.equal(evaluateCondition('regex', evil, p), false, p);
      assert.equal(evaluateCondition('regex', 'a'.repeat(12), p), true, p);
    }
    // Patterns people write that the old static guard refused.
    assert.equal(regexMatches('[a-z]+(-[a-z]+)*', 'Well-Known-Name'), true);
    assert.equal(regexMatches('[a-z]+(-[a-z]+)*', 'well--known'), false);
    assert.equal(regexMatches('(yes|no)+', 'YESnoYes'), true);
    assert.equal(regexMatches('(\\w+\\s?)+', 'hello there ' + 'x'.repeat(3000) + '!'), false);
  });

  it('folds case only where that keeps the meaning', () => {
    assert.equal(foldCase('[A-Z]{3}\\D\\W'), '[a-z]{3}\\D\\W');
    assert.equal(foldCase('[^A-C]x'), '[^a-c]x');
    assert.equal(foldCase('[0-9A-F]+'), '[0-9a-f]+');
    for (const p of ['[A-z]', '[0-Z]', '\\x41', '\\u0041', '\\p{Lu}', '\\cJ', '\\A', '[\\A]', '(?-i:A)b', '(?i:a)', '[à-ÿ]', '[{-€]']) assert.equal(foldCase(p), null, p);
    assert.equal(foldCase('(?:A)\\d'), '(?:a)\\d');
    // Other letters become classes of their case partners (the input keeps them as they are); İ has none.
    assert.equal(foldCase('Caf[é]é'), 'caf[Éé][Éé]');
    assert.equal(foldCase('İ'), 'İ');
    assert.equal(foldCase('(?<Nombré>x)'), '(?<Nombré>x)');
    // Each agrees with the i flag on the backtracking engine.
    // (`\\A` is Java's start anchor, not a letter: see the Java syntax tests in test/lib/java-regex.test.ts.)
    const cases: [string, string][] = [['(?-i:A)b', 'ab'], ['(?-i:A)b', 'AB'], ['.{3}', 'İab'], ['k', '\u212A'], ['[a-z]+', 'ABC'], ['É+', 'éÉ']];
    for (const [p, input] of cases) assert.equal(regexMatches(p, input), new RegExp(`^(?:${p})$`, 'i').test(input), `${p} on ${input}`);
    // Not folded → the backtracking engine with the i flag, which still gets the semantics right.
    assert.equal(regexMatches('[A-z]', '_'), true);
    assert.equal(regexMatches('\\x41+', 'aAa'), true);
    assert.equal(regexMatches('[^A-C]', 'b'), false);
    assert.equal(regexMatches('caf[É]', 'CAFÉ'), true);
  });

  it('refuses what neither engine can bound (and returns promptly)', () => {
    const evil = 'a'.repeat(40) + '!';
    // A look-ahead keeps a pattern off the linear engine; then the static guard applies.
    for (const p of ['(?=a)(a+)+', '(?=a)(a|aa)*', '(a?){30}']) {
      const r = analyzeRegex(p);
      assert.equal(r.ok, false, p);
      assert.match(r.ok ? '' : r.reason, /catastrophic backtracking/);
      assert.equal(evaluateCondition('regex', evil, p), false, p);
    }
    for (const p of ['(a)\\1', '(?<n>a)\\k<n>']) {
      assert.equal(analyzeRegex(p).ok, false, p);
    }
  });

  it('bounds polynomial backtracking patterns by input length', () => {
    // 4 unbounded quantifiers behind a look-ahead (not linear): refused on long inputs, allowed on short ones
    assert.equal(analyzeRegex('(?=x).*a.*b.*c.*').ok && (analyzeRegex('(?=x).*a.*b.*c.*') as { engine: string }).engine, 'backtracking');
    assert.equal(regexMatches('(?=x).*a.*b.*c.*', 'x'.repeat(5000) + 'abc'), false);
    assert.equal(regexMatches('(?=x).*a.*b.*c.*', 'xaxbxcx'), true);
    // Linear patterns run on any input up to the 16 KB cap
    assert.equal(regexMatches('.*a.*b.*c.*', 'x'.repeat(5000) + 'abc'), true);
    assert.equal(regexMatches('a+', 'a'.repeat(16 * 1024)), true);
    assert.equal(regexMatches('a+', 'a'.repeat(16 * 1024 + 1)), false);
    assert.equal(regexMatches('.*help.*', 'please ' + 'x'.repeat(2000) + ' help me'), true);
  });

  it('accepts ordinary patterns', () => {
    for (const p of ['[0-9]{5}', '\\+1\\d{10}', '(yes|no)', '(?:yes|no)?', '.*(stop|quit).*', '[a-z]+@[a-z]+\\.com']) {
      assert.equal(analyzeRegex(p).ok, true, p);
    }
    assert.equal(evaluateCondition('regex', 'Please STOP now', '.*(stop|quit).*', {}), true);
    assert.equal(evaluateCondition('regex', 'bob@example.com', '[a-z]+@[a-z]+\\.com'), true);
  });
});

describe('robustness', () => {
  it('non-string operands do not throw', () => {
    assert.equal(evaluateCondition('equal_to', undefined as unknown as string, ''), true);
    assert.equal(evaluateCondition('greater_than', 5 as unknown as string, '4'), true);
    assert.equal(evaluateCondition('contains', null as unknown as string, 'x'), false);
  });
});
