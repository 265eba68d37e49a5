/**
 * Liquid's `sample` filter drawing from a seed the caller passes (the engine: the execution, its step and the
 * render's place in the sprint), never Math.random, so a run, its replay and its flow test pick the same items.
 */
import { toValue } from 'liquidjs';
import { stateOf, type FilterThis } from './render-state.ts';

/** FNV-1a over the seed and the call's index, then one round of mulberry32 per draw: small and stable. */
function seededRandom(seed: string, stream: number): () => number {
  let h = 0x811c9dc5 ^ stream;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193);
  let a = h >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * liquidjs' `sample` of an array (one random item, or `count` of them) drawing from the render's seed instead of
 * Math.random, which would make the engine's output differ between a run, its replay and its flow test.
 */
export function sampleFilter(this: FilterThis, v: unknown, count: unknown = 1): unknown {
  const value = toValue(v);
  if (value === null || value === undefined) return [];
  // Ruby's Liquid has no `sample`: Studio passes the input through an unknown filter, so a string (liquidjs drew
  // one of its characters) or a number prints unchanged. Only an array is sampled, as Shopify's storefront does.
  if (!Array.isArray(value)) return v;
  const items: unknown[] = [...value];
  this.context.memoryLimit.use(items.length);
  const state = stateOf(this);
  const o = state?.options;
  const seed = o ? (o.seed !== undefined ? `${o.seed}:${o.seedStep ?? 0}:${o.seedRender ?? 0}` : String(o.now.getTime())) : '';
  const random = seededRandom(seed, state ? state.samples++ : 0);
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return count === 1 ? items[0] : items.slice(0, Number(count));
}
