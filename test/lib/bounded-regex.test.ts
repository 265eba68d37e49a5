// The split `regex` operator's work bounds: a match whose estimated work is too large is refused before
// it runs, and a budget caps what many matches do together. Outcomes only: no timing assertions.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { REGEX_LIMITS, RegexBudget, analyzeRegex, longestAffordableInput, regexMatches, regexVerdict } from '../../src/lib/bounded-regex.ts';
import { evaluateCondition } from '../../src/engine/operators.ts';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const fresh = (): RegexBudget => new RegexBudget();

function vetted(pattern: string) {
  const analysis = analyzeRegex(pattern);
  assert.ok(analysis.ok, `${pattern.slice(0, 40)}: ${analysis.ok ? '' : analysis.reason}`);
  return analysis;
}

// The security review's shapes: each runs on the linear engine, linear in the input but with a huge automaton.
const hostile: { pattern: string; input: string }[] = [
  { pattern: '.*'.repeat(1000) + '=', input: 'a'.repeat(16000) + '=' },
  { pattern: '[^=]*'.repeat(400) + '=', input: 'a'.repeat(16000) + '=' },
  { pattern: '(?:a|b|c|d|e|f|g|h)*'.repeat(90), input: 'a'.repeat(16000) },
  { pattern: '(?:.*){16}'.repeat(100) + '=', input: 'a'.repeat(16000) + '=' },
  { pattern: '([^=]*)'.repeat(250) + '=', input: 'a'.repeat(16000) + '=' },
];

describe('regex work bound', () => {
  it('refuses the review repro shapes before running them, although they would match', () => {
    for (const { pattern, input } of hostile) {
      const analysis = vetted(pattern);
      assert.equal(analysis.engine, 'linear');
      assert.ok(analysis.work(input.length) > REGEX_LIMITS.maxWorkPerMatch, pattern.slice(0, 20));
      const verdict = regexVerdict(pattern, input, fresh());
      assert.equal(verdict.ok, false);
      assert.match(verdict.ok ? '' : verdict.reason, /^too complex for an input of \d+ characters \(estimated work \d+ > 400000\)$/);
      assert.equal(evaluateCondition('regex', input, pattern, { regexBudget: fresh() }), false);
      // The same pattern on a short input is affordable and matches as before.
      assert.equal(regexMatches(pattern, pattern.startsWith('(?:a|') ? 'ab' : 'ab=', fresh()), true, pattern.slice(0, 20));
    }
  });

  it('the estimate grows with the automaton and the input, and stays within the bound for ordinary patterns', () => {
    const small = vetted('.*help.*');
    const big = vetted('.*'.repeat(100) + 'help');
    assert.ok(big.work(1000) > 10 * small.work(1000));
    assert.ok(small.work(2000) > 1.9 * small.work(1000));
    // Counted repeats are unrolled: `(?:.*){16}` is sixteen loops.
    assert.ok(vetted('(?:.*){16}').work(1000) > 8 * vetted('.*').work(1000));
    assert.ok(vetted('(?:.*){' + '0'.repeat(40) + '16}').work(1000) > 8 * vetted('.*').work(1000), 'however the count is written');
    for (const p of ['.*(stop|quit|cancel).*', '[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}', '\\+?1?\\d{10}', '(yes|no|maybe)', '[a-z]+(-[a-z]+)*', '\\d{1,20}', '.*s(i|í).*']) {
      assert.ok(longestAffordableInput(vetted(p)) > 15000, p);
    }
  });

  it('ordinary patterns on realistic inputs match exactly as the i flag does', () => {
    const sms = (text: string) => 'x'.repeat(1500) + ' ' + text;
    const cases: [string, string][] = [
      ['.*(stop|quit).*', sms('please STOP')],
      ['.*(stop|quit).*', sms('please go on')],
      ['[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}', 'Bob.Smith@Example.COM'],
      ['\\d{5}(-\\d{4})?', '12345-6789'],
      ['\\d{1,20}', '1'.repeat(21)],
      ['(?=.*\\d)(?=.*[a-z]).{8,}', 'abcdefg1'],
      ['(?=.*\\d)(?=.*[a-z]).{8,}', 'abcdefgh'],
      ['.*s(i|í).*', sms('SÍ claro')],
      ['.*s(i|í).*', sms('no')],
      ['(sí|si)', 'SÍ'],
      ['[àéè]+', 'ÀÉÈàéè'],
      ['straße', 'STRASSE'],
      ['straße', 'STRAßE'],
      ['σ+', 'ΣσςΣ'],
      ['µ', 'Μ'],
      ['s', 'ſ'],
      ['k', '\u212A'],
      ['i', 'ı'],
      ['İ', 'i'],
      ['[^é]', 'É'],
      ['\\p{L}+ \\p{L}+', 'José Ñúñez'],
    ];
    for (const [p, input] of cases) {
      const expected = new RegExp(`^(?:${p})$`, p.includes('\\p{') ? 'iu' : 'i').test(input.trim());
      assert.equal(regexMatches(p, input, fresh()), expected, `${p} on ${input.slice(-20)}`);
    }
    // Non-ASCII letters no longer keep a pattern off the linear engine (so its bound is the linear one).
    assert.equal(vetted('.*s(i|í).*').engine, 'linear');
    assert.equal(vetted('(?=x)é*').engine, 'backtracking');
    assert.equal(vetted('(?=x)é*').foldInput, true);
  });

  it('bounds the backtracking engine by its ways to try, alternations included', () => {
    // 2^23 ways: within the old guard's 10,000,000 (it counted quantifiers only), seconds to run.
    const optional = '(?=a)' + 'a?'.repeat(23) + 'b';
    assert.equal(vetted(optional).engine, 'backtracking');
    assert.equal(regexVerdict(optional, 'a'.repeat(23), fresh()).ok, false);
    // No quantifier at all, yet Fibonacci-many ways: the old guard let it through on any input.
    const alternatives = '(?=a)' + '(?:aa|a)'.repeat(40) + 'c';
    assert.ok(vetted(alternatives).work(80) > REGEX_LIMITS.maxWorkPerMatch);
    assert.equal(regexVerdict(alternatives, 'a'.repeat(80), fresh()).ok, false);
    // Polynomial patterns run on inputs of ordinary length.
    assert.equal(regexMatches('(?=x).*a.*b.*c.*', 'x' + 'y'.repeat(25) + 'abc', fresh()), true);
    assert.equal(regexMatches('\\d{1,20}', '12345', fresh()), true);
  });

  it('counts compiling: many classes under the i flag, many Unicode properties', () => {
    const properties = vetted('[\\p{L} ]+');
    assert.ok(properties.work(10) < REGEX_LIMITS.maxWorkPerMatch / 10);
    const many = analyzeRegex('\\p{L}'.repeat(400));
    assert.equal(many.ok, false);
    assert.match(many.ok ? '' : many.reason, /too many Unicode property classes \(400\)/);
    // `\x41` keeps the i flag (it is not folded); then each class costs its case closure.
    const classes = analyzeRegex('\\x41' + '[\\s\\S]'.repeat(300));
    assert.equal(classes.ok, false);
    assert.match(classes.ok ? '' : classes.reason, /too complex to compile/);
    // Folded, the same classes need no case closure: far cheaper.
    const folded = vetted('(?=a)' + '[\\s\\S]'.repeat(300));
    assert.equal(folded.foldInput, true);
    assert.ok(folded.work(0) < REGEX_LIMITS.maxWorkPerMatch / 4);
  });
});

describe('regex work budget', () => {
  it('a budget refuses the matches past its total, and a new one allows them again', () => {
    const pattern = '.*'.repeat(10) + '=';
    const input = 'a'.repeat(1000) + '=';
    const each = vetted(pattern).work(input.length);
    const budget = fresh();
    let allowed = 0;
    let last = regexVerdict(pattern, input, budget);
    while (last.ok) {
      assert.equal(last.matches, true);
      allowed += 1;
      last = regexVerdict(pattern, input, budget);
    }
    assert.equal(allowed, Math.floor(REGEX_LIMITS.maxWorkPerSprint / each));
    assert.match(last.ok ? '' : last.reason, /the regex work this step may do \(1000000\) is spent/);
    assert.deepEqual(regexVerdict(pattern, input, fresh()), { ok: true, matches: true });
    // Cheap matches still fit in what is left.
    assert.deepEqual(regexVerdict('a=', 'A=', budget), { ok: true, matches: true });
  });

  it('refusals are charged what compiling costs, so a loop of them spends the budget too', () => {
    const { pattern, input } = hostile[0];
    const budget = fresh();
    let refusals = 0;
    let last = regexVerdict(pattern, input, budget);
    while (!last.ok && last.reason.startsWith('too complex')) {
      refusals += 1;
      last = regexVerdict(pattern, input, budget);
    }
    assert.equal(refusals, Math.floor(REGEX_LIMITS.maxWorkPerSprint / vetted(pattern).compileWork));
    assert.match(last.ok ? '' : last.reason, /is spent/);
  });

  it('without a budget, the matches of one turn of the event loop share one', async () => {
    await nextTurn();
    const pattern = '.*'.repeat(10) + '=';
    const input = 'a'.repeat(1000) + '=';
    let allowed = 0;
    while (regexMatches(pattern, input)) allowed += 1;
    assert.equal(allowed, Math.floor(REGEX_LIMITS.maxWorkPerSprint / vetted(pattern).work(input.length)));
    assert.equal(regexMatches(pattern, input), false, 'the turn budget is spent');
    // The engine's conditions never draw on it: one without a sprint's budget has its own, so its outcome
    // does not depend on what else ran in this turn.
    assert.equal(evaluateCondition('regex', input, pattern), true);
    await nextTurn();
    assert.equal(regexMatches(pattern, input), true, 'a new turn, a new budget');
  });
});
