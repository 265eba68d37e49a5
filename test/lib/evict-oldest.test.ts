// evictOldest: a bounded Map cut back in slices, oldest first.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evictOldest } from '../../src/lib/evict-oldest.ts';

describe('evictOldest', () => {
  it('lets the map run a sixteenth over, then cuts it back to the bound, oldest first', () => {
    const map = new Map<number, string>();
    const evicted: number[] = [];
    for (let i = 0; i < 1000; i++) {
      map.set(i, `v${i}`);
      evictOldest(map, 160, (key, value) => {
        assert.equal(value, `v${key}`);
        evicted.push(key);
      });
      assert.ok(map.size <= 170, `size ${map.size} after ${i}`);
    }
    assert.ok(map.size >= 160);
    // What is left is the newest entries, in order; what went, the oldest, in order.
    const kept = [...map.keys()];
    assert.deepEqual(kept, Array.from({ length: kept.length }, (_, k) => 1000 - kept.length + k));
    assert.deepEqual(evicted, Array.from({ length: 1000 - kept.length }, (_, k) => k));
  });

  it('keeps a small bound exactly (a sixteenth of it rounds to nothing)', () => {
    const map = new Map<string, number>();
    for (let i = 0; i < 50; i++) {
      map.set(`k${i}`, i);
      evictOldest(map, 10);
      assert.ok(map.size <= 10);
    }
    assert.deepEqual([...map.values()], [40, 41, 42, 43, 44, 45, 46, 47, 48, 49]);
  });

  it('re-inserting a key makes it the newest: recency order survives eviction', () => {
    const map = new Map<string, number>([['a', 1], ['b', 2], ['c', 3]]);
    map.delete('a');
    map.set('a', 1);
    map.set('d', 4);
    evictOldest(map, 2);
    assert.deepEqual([...map.keys()], ['a', 'd']);
  });
});
