/**
 * How Shopify's array filters read their input (standardfilters.rb, InputIterator): an array is flattened first
 * (`[[1, 2], [3]] | join: "-"` is "1-2-3", `| reverse` reverses 3, 2, 1, `| map: "x"` reads the hashes of nested
 * arrays too), a hash is an array of that one hash, anything else Ruby's `Array(x)` (nil none, a value one item).
 * The filters that do: join, sort, sort_natural, where, reject, find, find_index, has, uniq, reverse, map, compact,
 * concat (its input, not its argument) and sum. first, last, size and slice take the array as it is.
 * liquidjs took the array as it was (its join wrote a nested array as JavaScript does, "1,2-3").
 */
import { toValue } from 'liquidjs';
import type { Context } from 'liquidjs';
import { isPlainObject } from './output.ts';
import { RubyFloat } from './ruby-float.ts';
import type { AnyFilter, FilterThis } from './render-state.ts';

export const INPUT_ITERATOR_FILTERS = [
  'join', 'sort', 'sort_natural', 'where', 'reject', 'find', 'find_index', 'has', 'uniq', 'reverse', 'map', 'compact',
  'concat', 'sum',
] as const;

/**
 * Filters that get a float as an array of that float (Ruby's `Array(2.0)`), so it keeps printing as one
 * (`2.0 | join` is "2.0"; liquidjs unwrapped it to the number first and printed 2). The others read a property
 * of each item, which a float has none of: the number liquidjs passes them does as well.
 */
const FLOAT_AS_ITEM = new Set<string>(['join', 'sort', 'sort_natural', 'reverse', 'uniq', 'compact', 'concat']);

/** Items flattened between two charges to the render's memory units. */
const CHARGE_EVERY = 256;

/**
 * `items` with nested arrays flattened into it, as Ruby's Array#flatten: `items` itself when none is nested. Every
 * item copied is charged a unit (arrays shared at several places, as `push` can build, would otherwise multiply
 * unseen); an array that holds itself is Ruby's ArgumentError.
 */
export function flattenItems(items: unknown[], context: Context): unknown[] {
  if (!items.some((x) => Array.isArray(toValue(x)))) return items;
  const out: unknown[] = [];
  const path: unknown[][] = [items];
  const next: number[] = [0];
  let uncharged = 0;
  while (path.length > 0) {
    const depth = path.length - 1;
    const array = path[depth]!;
    const i = next[depth]!;
    if (i >= array.length) {
      path.pop();
      next.pop();
      continue;
    }
    next[depth] = i + 1;
    const item = array[i];
    const value = toValue(item);
    if (Array.isArray(value)) {
      if (path.includes(value)) throw new Error('tried to flatten recursive array');
      path.push(value);
      next.push(0);
      continue;
    }
    out.push(item);
    if (++uncharged === CHARGE_EVERY) {
      context.memoryLimit.use(uncharged);
      uncharged = 0;
    }
  }
  context.memoryLimit.use(uncharged);
  return out;
}

/** `filter` reading its input as Shopify's InputIterator does (see the header). */
export function withInputIterator(name: string, filter: AnyFilter): AnyFilter {
  const floatAsItem = FLOAT_AS_ITEM.has(name);
  return function (this: FilterThis, input: unknown, ...args: unknown[]) {
    if (input instanceof RubyFloat) return filter.call(this, floatAsItem ? [input] : input, ...args);
    const value = toValue(input);
    if (Array.isArray(value)) return filter.call(this, flattenItems(value, this.context), ...args);
    if (isPlainObject(value)) return filter.call(this, [value], ...args);
    return filter.call(this, input, ...args);
  };
}
