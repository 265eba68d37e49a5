// The inbound driver's schedule: latency counts from each message's scheduled moment, so a message
// must go the moment it is due, not one interval later.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { messagesDue } from '../../bench/lib/inbound-driver.ts';

test('message i is due from i / rate seconds on, the first at once', () => {
  assert.equal(messagesDue(0, 1000, 60_000), 1);
  assert.equal(messagesDue(0.999, 1000, 60_000), 1);
  assert.equal(messagesDue(1, 1000, 60_000), 2);
  assert.equal(messagesDue(9.5, 100, 6_000), 1);
  assert.equal(messagesDue(10, 100, 6_000), 2);
  assert.equal(messagesDue(59_999.5, 1000, 60_000), 60_000);
});

test('never more than the total', () => {
  assert.equal(messagesDue(120_000, 1000, 60_000), 60_000);
});
