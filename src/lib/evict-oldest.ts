// Bounded Maps kept in insertion order, oldest first (caches, transcripts). Evicting one entry at a time
// from the front is slow in V8 under churn: a deleted entry stays a hole until the table is rebuilt,
// and each keys().next() walks every hole at the front again (8.6 µs an eviction at 10,000 entries,
// measured; 0.7 µs evicting in slices). So the map may run a sixteenth over its bound, and is then cut
// back to it in one walk.

/** Once `map` holds more than `max` and a sixteenth, drops its oldest entries down to `max`. */
export function evictOldest<K, V>(map: Map<K, V>, max: number, onEvict?: (key: K, value: V) => void): void {
  if (map.size <= max + (max >> 4)) return;
  let excess = map.size - max;
  // Deleting the entry just visited is safe in a Map's own iteration.
  for (const [key, value] of map) {
    if (excess-- <= 0) break;
    map.delete(key);
    onEvict?.(key, value);
  }
}
