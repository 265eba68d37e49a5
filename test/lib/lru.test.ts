// LruCache: a read makes its entry the most recent (skipped when it already is), so the least recently
// used entry is the one evicted, whatever mix of reads and writes came before.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LruCache } from '../../src/lib/lru.ts';

describe('LruCache recency', () => {
  it('evicts the least recently read or written entry', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    assert.equal(cache.get('a'), 1); // a is now the most recent
    cache.set('c', 3); // evicts b
    assert.equal(cache.get('b'), undefined);
    assert.equal(cache.get('a'), 1); // read after c was written: a is the most recent again
    assert.equal(cache.get('a'), 1); // already the most recent
    cache.set('d', 4); // evicts c
    assert.equal(cache.get('c'), undefined);
    assert.equal(cache.get('a'), 1);
    assert.equal(cache.get('d'), 4);
  });

  it('keeps the order right when an entry too heavy to keep replaces the most recent one', () => {
    const cache = new LruCache<string, number>(2, 10);
    cache.set('a', 1, 1);
    cache.set('b', 2, 1);
    cache.set('b', 3, 11); // too heavy: b is dropped, not kept
    assert.equal(cache.get('b'), undefined);
    cache.set('c', 4, 1); // a, c
    assert.equal(cache.get('a'), 1); // c, a
    cache.set('d', 5, 1); // evicts c
    assert.equal(cache.get('c'), undefined);
    assert.equal(cache.get('a'), 1);
    assert.equal(cache.get('d'), 5);
  });
});
