/**
 * A tiny bounded LRU cache (Map insertion order = recency order).
 *
 * Bounded by entry count and by a caller-supplied "weight" (e.g. template length), so a flood of
 * large distinct templates cannot grow the cache without limit.
 */
export class LruCache<K, V> {
  readonly maxEntries: number;
  readonly maxWeight: number;
  #map = new Map<K, { value: V; weight: number }>();
  #weight = 0;
  /** The key last stored or refreshed: the map's last, while it holds it. */
  #newest: K | undefined = undefined;

  constructor(maxEntries: number, maxWeight = Number.POSITIVE_INFINITY) {
    this.maxEntries = maxEntries;
    this.maxWeight = maxWeight;
  }

  get size(): number {
    return this.#map.size;
  }

  get totalWeight(): number {
    return this.#weight;
  }

  get(key: K): V | undefined {
    const entry = this.#map.get(key);
    if (entry === undefined) return undefined;
    // refresh recency (the newest already is: a template rendered again and again, say)
    if (key !== this.#newest) {
      this.#map.delete(key);
      this.#map.set(key, entry);
      this.#newest = key;
    }
    return entry.value;
  }

  set(key: K, value: V, weight = 1): void {
    const old = this.#map.get(key);
    if (old !== undefined) {
      this.#weight -= old.weight;
      this.#map.delete(key);
    }
    if (weight > this.maxWeight || this.maxEntries <= 0) return; // never cacheable
    this.#map.set(key, { value, weight });
    this.#newest = key;
    this.#weight += weight;
    while (this.#map.size > this.maxEntries || this.#weight > this.maxWeight) {
      const oldest = this.#map.keys().next();
      if (oldest.done === true) break;
      const e = this.#map.get(oldest.value);
      if (e !== undefined) this.#weight -= e.weight;
      this.#map.delete(oldest.value);
    }
  }
}
