// The validator warns about a regex so costly that the engine refuses it on inputs of a long SMS's
// length (those never match), and says nothing about ordinary patterns.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { validateDefinition } from '../../src/definition/validate.ts';
import { state, variant } from './fixtures.ts';

const withRegex = (value: string) => validateDefinition(variant((f) => void Object.assign(state(f, 'split_1').transitions[1].conditions[0], { type: 'regex', value })));

it('a regex too costly for inputs of 1,600 characters gets a warning saying how long an input it takes', () => {
  for (const value of ['.*'.repeat(1000) + '=', '[^=]*'.repeat(400) + '=', '(?:a|b|c|d|e|f|g|h)*'.repeat(90), '(?=x)' + '[^=]*'.repeat(3)]) {
    const res = withRegex(value);
    assert.equal(res.valid, true);
    const hit = res.warnings.find((w) => w.property_path === '#/states/3/transitions/1/conditions/0/value');
    assert.match(hit?.message ?? '', /^Widget "split_1" \(split-based-on\): transitions\[1\]\.conditions\[0\]\.value: this regex is too complex to run on inputs longer than \d+ characters; longer inputs never match$/, value.slice(0, 20));
    const longest = Number(/longer than (\d+) characters/.exec(hit?.message ?? '')?.[1]);
    assert.ok(longest < 1600, `${longest}`);
  }
  // Its cost does not depend on the input (2^25 ways on any): no input at all.
  const never = withRegex('(?=x)' + 'a?'.repeat(25) + 'b').warnings.find((w) => w.property_path === '#/states/3/transitions/1/conditions/0/value');
  assert.match(never?.message ?? '', /conditions\[0\]\.value: this regex never matches \(too complex to run on any input\)$/);
});

it('ordinary patterns, Spanish ones included, get no such warning', () => {
  for (const value of ['.*(stop|quit|cancel).*', '.*s(i|í).*', '[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}', '\\d{1,20}', '(?=.*\\d)(?=.*[a-z]).{8,}', '[\\p{L} \'-]+']) {
    assert.deepEqual(withRegex(value).warnings.filter((w) => /regex/.test(w.message)), [], value);
  }
});
