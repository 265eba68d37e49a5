// Split Based On's time operators read H:MM[:SS] on a 24-hour clock: a second past 59 is no time, so
// the condition is false (as for minute 60 or hour 24), never a time a minute later.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateCondition, parseTime } from '../../src/engine/operators.ts';

describe('time seconds', () => {
  it('parseTime reads seconds 00–59 only', () => {
    assert.equal(parseTime('12:30:00'), 12 * 3600 + 30 * 60);
    assert.equal(parseTime('12:30:59'), 12 * 3600 + 30 * 60 + 59);
    assert.equal(parseTime('23:59:59'), 86_399);
    for (const s of ['12:30:60', '12:30:99', '23:59:60', '0:00:60']) assert.equal(parseTime(s), undefined, s);
  });

  it('a condition with second 60 is false both ways', () => {
    // 12:30:60 read as 12:31:00 would be after 12:30:30 and before 12:31:30.
    assert.equal(evaluateCondition('is_after_time', '12:30:60', '12:30:30'), false);
    assert.equal(evaluateCondition('is_before_time', '12:30:60', '12:31:30'), false);
    assert.equal(evaluateCondition('is_before_time', '12:30:30', '12:30:60'), false);
    assert.equal(evaluateCondition('is_after_time', '12:31:30', '12:30:60'), false);
    // Second 59 is a time.
    assert.equal(evaluateCondition('is_after_time', '12:30:59', '12:30:30'), true);
    assert.equal(evaluateCondition('is_before_time', '12:30:59', '12:31:00'), true);
  });
});
