import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCalendarDate } from '../../src/lib/calendar.ts';

test('isCalendarDate: days a month lacks, leap years by the Gregorian rule', () => {
  assert.equal(isCalendarDate(2026, 2, 28), true);
  assert.equal(isCalendarDate(2026, 2, 29), false);
  assert.equal(isCalendarDate(2024, 2, 29), true);
  assert.equal(isCalendarDate(1900, 2, 29), false);
  assert.equal(isCalendarDate(2000, 2, 29), true);
  assert.equal(isCalendarDate(2026, 4, 31), false);
  assert.equal(isCalendarDate(2026, 12, 31), true);
  assert.equal(isCalendarDate(2026, 13, 1), false);
  assert.equal(isCalendarDate(2026, 1, 0), false);
});
