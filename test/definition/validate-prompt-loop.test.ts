// Say/Play and Gather `loop` is 1–99 (§2.4, §2.5). Twilio repeats loop="0" forever, so a literal outside
// the range is worth a warning; not an error, as Studio's own exports may hold one (the engine plays the
// prompt once instead, with an 81028 alert).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateDefinition } from '../../src/definition/validate.ts';
import { state, variant } from './fixtures.ts';

describe('validator: prompt loop outside 1–99', () => {
  for (const [widget, index] of [['say_1', 5], ['gather_1', 2]] as const) {
    for (const loop of [0, 100]) {
      it(`${widget} loop ${loop}: valid, with a warning at its path`, () => {
        const result = validateDefinition(variant((f) => void (state(f, widget).properties.loop = loop)));
        assert.equal(result.valid, true, JSON.stringify(result.errors));
        const loopWarnings = result.warnings.filter((w) => w.property_path === `#/states/${index}/properties/loop`);
        assert.equal(loopWarnings.length, 1, JSON.stringify(result.warnings));
        assert.match(loopWarnings[0]!.message, new RegExp(`^Widget "${widget}" \\([a-z-]+\\): loop ${loop} is outside 1\\.\\.99; the default 1 is used instead$`));
      });
    }
  }
  it('loop 1 and 99 are fine; a non-integer is the schema error only (no second issue)', () => {
    for (const loop of [1, 99]) {
      const result = validateDefinition(variant((f) => void (state(f, 'say_1').properties.loop = loop)));
      assert.deepEqual(result.warnings, [], `loop ${loop}`);
    }
    const half = validateDefinition(variant((f) => void (state(f, 'say_1').properties.loop = 2.5)));
    assert.equal(half.valid, false);
    assert.deepEqual(half.warnings.filter((w) => w.property_path.endsWith('/loop')), []);
  });
});
