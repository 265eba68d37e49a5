// The execution rate limit's bucket holds one second's worth of tokens: an account idle for a minute
// may start `rate` executions at once, not a minute's worth; and the bound on buckets refills none in use.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ExecutionRateLimiter, MAX_BUCKETS } from '../../src/runtime/rate-limiter.ts';

function burst(limiter: ExecutionRateLimiter, kind: 'inboundPerSecond' | 'restPerSecond', account: string, max: number): number {
  let taken = 0;
  while (taken < max && limiter.tryTake(kind, account)) taken++;
  return taken;
}

describe('rate limiter bucket cap', () => {
  for (const rate of [1, 5, 20, 100]) {
    it(`after 60 s idle, exactly ${rate} executions start at once`, () => {
      let now = 1_000_000;
      const limiter = new ExecutionRateLimiter({ inboundPerSecond: rate, restPerSecond: rate }, () => now);
      assert.equal(burst(limiter, 'restPerSecond', 'AC1', 100_000), rate, 'a new bucket starts full');
      now += 60_000;
      assert.equal(burst(limiter, 'restPerSecond', 'AC1', 100_000), rate, 'an idle minute refills one second');
      assert.equal(limiter.tryTake('restPerSecond', 'AC1'), false);
      // Partly drained, then idle: still at most one second's worth.
      burst(limiter, 'inboundPerSecond', 'AC1', Math.ceil(rate / 2));
      now += 3_600_000;
      assert.equal(burst(limiter, 'inboundPerSecond', 'AC1', 100_000), rate);
    });
  }
});

describe('rate limiter past its bucket bound', () => {
  it('an account over its rate stays over it while more accounts than the bound come and go', () => {
    const now = 1_000_000; // one instant: no bucket refills
    const limiter = new ExecutionRateLimiter({ inboundPerSecond: 5, restPerSecond: 5 }, () => now);
    assert.equal(burst(limiter, 'inboundPerSecond', 'HOT', 100), 5);
    for (let n = 0; n < MAX_BUCKETS * 2; n++) {
      assert.equal(limiter.tryTake('inboundPerSecond', `AC${n}`), true, 'a new account starts with a full bucket');
      if (n % 100 === 0) assert.equal(limiter.tryTake('inboundPerSecond', 'HOT'), false, `refused after ${n} other accounts`);
    }
    assert.equal(limiter.tryTake('inboundPerSecond', 'HOT'), false);
  });
});
