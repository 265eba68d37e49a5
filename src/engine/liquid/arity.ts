/**
 * How many arguments Shopify's standard filters take (Liquid 5.4.0's StandardFilters, the input counted, as Ruby
 * counts them): Ruby's Strainer calls the filter method, which raises "wrong number of arguments" when a template
 * gives more or fewer (`{{ x | upcase: 3 }}`, `{{ s | replace }}`, `{{ s | split }}`), and the render fails (84003);
 * liquidjs ignored extra arguments and took missing ones as undefined. Keyword arguments (`default: 1,
 * allow_false: true`) are one more, a hash, as in Ruby. Filters missing here (Twilio's to_json, liquidjs' own, the
 * later releases' sum, find…) are not checked, nor are `date` and `divided_by`, whose liquidjs arguments the engine
 * keeps (`date` without a format, or with a time zone; `divided_by: 4.0, true`).
 */
import type { AnyFilter, FilterThis } from './render-state.ts';

/** [required, optional] per filter, the input included. */
const ARITY: Readonly<Record<string, readonly [number, number]>> = {
  abs: [1, 0], append: [2, 0], at_least: [2, 0], at_most: [2, 0], base64_decode: [1, 0], base64_encode: [1, 0],
  base64_url_safe_decode: [1, 0], base64_url_safe_encode: [1, 0], capitalize: [1, 0], ceil: [1, 0], compact: [1, 1],
  concat: [2, 0], default: [1, 2], downcase: [1, 0], escape: [1, 0],
  escape_once: [1, 0], first: [1, 0], floor: [1, 0], h: [1, 0], join: [1, 1], last: [1, 0], lstrip: [1, 0],
  map: [2, 0], minus: [2, 0], modulo: [2, 0], newline_to_br: [1, 0], plus: [2, 0], prepend: [2, 0], remove: [2, 0],
  remove_first: [2, 0], remove_last: [2, 0], replace: [2, 1], replace_first: [2, 1], replace_last: [3, 0],
  reverse: [1, 0], round: [1, 1], rstrip: [1, 0], size: [1, 0], slice: [2, 1], sort: [1, 1], sort_natural: [1, 1],
  split: [2, 0], strip: [1, 0], strip_html: [1, 0], strip_newlines: [1, 0], times: [2, 0], truncate: [1, 2],
  truncatewords: [1, 2], uniq: [1, 1], upcase: [1, 0], url_decode: [1, 0], url_encode: [1, 0], where: [2, 1],
};

/**
 * The arguments Ruby's method gets for a call, the input included: the written positional arguments, and one hash
 * for any keyword arguments (liquidjs writes each keyword argument as a [name, value] pair in the filter's token).
 */
function givenArguments(self: FilterThis, args: readonly unknown[]): number {
  const written = (self as { token?: { args?: readonly unknown[] } }).token?.args;
  if (!Array.isArray(written)) return args.length;
  let positional = 0;
  let keywords = 0;
  for (const arg of written) {
    if (Array.isArray(arg)) keywords = 1;
    else positional++;
  }
  return 1 + positional + keywords;
}

/** `filter` refusing a call with a number of arguments Ruby's method would refuse; other filters as they are. */
export function withRubyArity(name: string, filter: AnyFilter): AnyFilter {
  const arity = Object.hasOwn(ARITY, name) ? ARITY[name] : undefined;
  if (arity === undefined) return filter;
  const [required, optional] = arity;
  const expected = optional === 0 ? String(required) : `${required}..${required + optional}`;
  return function (this: FilterThis, ...args: unknown[]): unknown {
    const given = givenArguments(this, args);
    if (given < required || given > required + optional) {
      throw new Error(`${name}: wrong number of arguments (given ${given}, expected ${expected})`);
    }
    return filter.apply(this, args);
  };
}
