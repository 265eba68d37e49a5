// Studio's flow rate limits (100 new inbound executions/s and 20 new REST executions/s per
// account; excess → 429/20429) as token buckets per account. Only *new* executions count: a reply
// to a waiting execution is never refused. Per node: with N nodes the effective limit is N × rate,
// which is what a self-hosted operator scaling out wants; the README says so.
import { LruCache } from '../lib/lru.ts';

export interface RateLimits {
  /** New executions per second per account started by inbound messages and calls; 0 = unlimited. */
  inboundPerSecond: number;
  /** New executions per second per account created through the REST API; 0 = unlimited. */
  restPerSecond: number;
}

export type RateKind = keyof RateLimits;

interface Bucket {
  tokens: number;
  refilledAt: number;
}

/**
 * Buckets kept; past it the least recently used goes. That one is most likely full again (idle a second),
 * the same as a new one: dropping them all would refill the busy accounts' too, letting them over their rate.
 */
export const MAX_BUCKETS = 10_000;

export class ExecutionRateLimiter {
  readonly #limits: RateLimits;
  readonly #now: () => number;
  readonly #buckets = new LruCache<string, Bucket>(MAX_BUCKETS);

  constructor(limits: RateLimits, now: () => number) {
    this.#limits = limits;
    this.#now = now;
  }

  /** Takes one token for `accountSid`; false when the account is over its rate. */
  tryTake(kind: RateKind, accountSid: string): boolean {
    const rate = this.#limits[kind];
    if (!(rate > 0)) return true;
    const key = `${kind}:${accountSid}`;
    const now = this.#now();
    // A bucket holds one second's worth: bursts up to the rate, refilled continuously.
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      bucket = { tokens: rate, refilledAt: now };
      this.#buckets.set(key, bucket);
    }
    const elapsed = Math.max(0, now - bucket.refilledAt) / 1000;
    bucket.tokens = Math.min(rate, bucket.tokens + elapsed * rate);
    bucket.refilledAt = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
