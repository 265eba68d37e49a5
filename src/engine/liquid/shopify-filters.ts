/**
 * Filters where liquidjs departs from Shopify Liquid (Studio's dialect) in ways a flow can see; each one is
 * liquidjs' filter with the difference put right, counting its allocations as liquidjs does.
 */
import { filters as builtinFilters, toValue } from 'liquidjs';
import type { Context } from 'liquidjs';
import { isPlainObject, objectFormatOf, serializeObject } from './output.ts';

interface FilterThis {
  context: Context;
}
type AnyFilter = (this: FilterThis, ...args: unknown[]) => unknown;
const builtin = (name: string): AnyFilter => (builtinFilters as unknown as Record<string, AnyFilter>)[name]!;

/** `join` with objects printed as the output prints them (JSON or Java's map form), not `[object Object]`. */
export function joinFilter(this: FilterThis, input: unknown, ...args: unknown[]): unknown {
  const v = toValue(input);
  if (Array.isArray(v) && v.some((x) => isPlainObject(x) || (Array.isArray(x) && x.some(isPlainObject)))) {
    const format = objectFormatOf(this.context);
    const items = v.map((x) => (isPlainObject(x) || (Array.isArray(x) && x.some(isPlainObject)) ? serializeObject(x, format) : x));
    return builtin('join').call(this, items, ...args);
  }
  return builtin('join').call(this, input, ...args);
}
