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

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes of a run of `%XX` escapes. */
function escapedBytes(run: string): Uint8Array {
  const bytes = new Uint8Array(run.length / 3);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16);
  return bytes;
}

/** Length of the UTF-8 sequence a lead byte starts (1 for a byte that starts none). */
function sequenceLength(lead: number): number {
  return lead >= 0xf0 && lead <= 0xf4 ? 4 : lead >= 0xe0 ? (lead <= 0xef ? 3 : 1) : lead >= 0xc2 ? 2 : 1;
}

/** A run of `%XX` escapes decoded as UTF-8; a byte that starts no valid character stays as written. */
function decodeEscapes(run: string): string {
  const bytes = escapedBytes(run);
  try {
    return fatalUtf8.decode(bytes);
  } catch {
    let out = '';
    for (let i = 0; i < bytes.length; ) {
      const n = sequenceLength(bytes[i]!);
      try {
        if (n === 1 && bytes[i]! >= 0x80) throw new Error('not a character');
        out += fatalUtf8.decode(bytes.subarray(i, i + n));
        i += n;
      } catch {
        out += run.slice(i * 3, i * 3 + 3);
        i += 1;
      }
    }
    return out;
  }
}

/**
 * Shopify's `url_decode` (Ruby's CGI.unescape): `+` is a space, `%XX` escapes are decoded, and a `%` that does
 * not start one ("100% sure") or bytes that are not UTF-8 stay as written. liquidjs' decodeURIComponent failed
 * the whole render on them.
 */
export function urlDecodeFilter(this: FilterThis, input: unknown): string {
  const text = stringify(input);
  this.context.memoryLimit.use(text.length);
  return text.replace(/\+/g, ' ').replace(/(?:%[0-9a-fA-F]{2})+/g, decodeEscapes);
}

/** liquidjs' `stringify` for a filter input. */
function stringify(input: unknown): string {
  const v = toValue(input);
  return v === null || v === undefined ? '' : String(v);
}

/**
 * The URL escapes with a lone surrogate (half an emoji, as `slice` or `split` can leave) written as U+FFFD, as
 * a UTF-8 encoder writes it, instead of encodeURIComponent's "URI malformed" failing the render.
 */
function wellFormed(filter: AnyFilter): AnyFilter {
  return function (this: FilterThis, input: unknown, ...args: unknown[]) {
    const v = toValue(input);
    return filter.call(this, typeof v === 'string' ? v.toWellFormed() : input, ...args);
  };
}

/** Ruby's `str.split(" ", limit)`: leading whitespace skipped, at most `limit` fields, the last one the rest. */
function rubySplitWords(text: string, limit: number): string[] {
  let rest = text.replace(/^[ \t\n\v\f\r]+/, '');
  if (rest === '') return [];
  const fields: string[] = [];
  const gap = /[ \t\n\v\f\r]+/;
  while (fields.length < limit - 1) {
    const m = gap.exec(rest);
    if (!m) break;
    fields.push(rest.slice(0, m.index));
    rest = rest.slice(m.index + m[0].length);
  }
  fields.push(rest);
  return fields;
}

/**
 * Shopify's `truncatewords`: the input unchanged when it has at most `words` words (liquidjs appended the
 * ellipsis to "one two" | truncatewords: 2), else its first `words` words joined by a space, then the ellipsis.
 */
export function truncatewordsFilter(this: FilterThis, input: unknown, words: unknown = 15, ellipsis: unknown = '...'): unknown {
  const v = toValue(input);
  if (v === null || v === undefined) return v;
  const text = String(v);
  const tail = stringify(ellipsis);
  this.context.memoryLimit.use(text.length + tail.length);
  let n = Math.trunc(Number(toValue(words)));
  if (!(n > 0)) n = 1;
  const list = rubySplitWords(text, Math.min(n, text.length) + 1);
  if (list.length <= n) return text;
  list.pop();
  return list.join(' ') + tail;
}

const DECIMAL_TEXT = /^-?\d+\.\d+$/;

/** Text Shopify reads as a float ("2.5", "-10.0"), trimmed; any other text is read as an integer. */
export function isDecimalText(text: string): boolean {
  return DECIMAL_TEXT.test(text.trim());
}

/**
 * Shopify's number coercion (Utils.to_number) for the math filters: a number is itself; text like "2.5" is
 * that decimal, other text its leading integer as Ruby's String#to_i reads it ("12abc" 12, "0x10" 0, "1e3" 1,
 * "abc" 0); anything else 0. liquidjs' `+value` read "0x10" as 16, "1e3" as 1000 and true as 1.
 */
export function toNumber(value: unknown): number {
  const v = toValue(value);
  if (typeof v === 'number') return Number.isNaN(v) ? 0 : v;
  if (typeof v !== 'string') return 0;
  if (isDecimalText(v)) return Number(v.trim());
  const leading = /^[ \t\n\v\f\r]*([+-]?\d+(?:_\d+)*)/.exec(v);
  return leading ? Number(leading[1]!.replace(/_/g, '')) || 0 : 0;
}

/** A liquidjs math filter given its number arguments coerced as Shopify coerces them. */
function withShopifyNumbers(name: string): AnyFilter {
  const filter = builtin(name);
  return function (this: FilterThis, ...args: unknown[]) {
    return filter.apply(this, args.map(toNumber));
  };
}

/**
 * `modulo` by zero is an error, as Shopify raises ZeroDivisionError and as `divided_by: 0` is here (liquidjs
 * printed NaN). Otherwise liquidjs' floored modulo, which is Ruby's (`-7 | modulo: 3` is 2).
 */
export function moduloFilter(this: FilterThis, input: unknown, divisor: unknown): number {
  const a = toNumber(input);
  const b = toNumber(divisor);
  if (b === 0) throw new Error('divided by 0');
  return ((a % b) + b) % b;
}

/** Characters (code points) in a string: "😀" is one, as Ruby's String#size counts it, not two UTF-16 units. */
export function codePointLength(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/**
 * Shopify's `size`: a string's characters (code points, as `slice` and `truncate` count them), an array's
 * items, a hash's keys (liquidjs answers 0 for a hash). Counting a string's characters walks it, so it costs
 * a unit per 256 of them.
 */
export function sizeFilter(this: FilterThis, input: unknown): number {
  const v = toValue(input);
  if (isPlainObject(v)) return Object.keys(v).length;
  if (typeof v === 'string') {
    this.context.memoryLimit.use(Math.ceil(v.length / 256));
    return codePointLength(v);
  }
  return (v && (v as { length?: number }).length) || 0;
}

/**
 * Shopify's `split` (Ruby's String#split): by `""` into characters (code points: liquidjs cut an emoji into
 * two lone surrogates), by `" "` on runs of whitespace with leading whitespace ignored ("a  b" gives two
 * items), trailing empty items dropped.
 */
export function splitFilter(this: FilterThis, input: unknown, separator: unknown): unknown {
  const by = stringify(separator);
  if (by !== '' && by !== ' ') return builtin('split').call(this, input, separator);
  const text = stringify(input);
  this.context.memoryLimit.use(text.length);
  const items = by === '' ? Array.from(text) : rubySplitWords(text, Infinity);
  while (items.length > 0 && items[items.length - 1] === '') items.pop();
  return items;
}

/** The filters of this module by name, registered over liquidjs' own. */
export const SHOPIFY_FILTERS: Readonly<Record<string, AnyFilter>> = {
  join: joinFilter,
  truncatewords: truncatewordsFilter,
  modulo: moduloFilter,
  ...Object.fromEntries(['plus', 'minus', 'times', 'abs', 'ceil', 'floor', 'round', 'at_least', 'at_most'].map((name) => [name, withShopifyNumbers(name)])),
  size: sizeFilter,
  split: splitFilter,
  url_decode: urlDecodeFilter,
  // Shopify's url_encode is Ruby's CGI.escape: only A-Z a-z 0-9 _ . - ~ stay, a space is `+`; liquidjs' own kept
  // ! ' ( ) * as encodeURIComponent does. Its cgi_escape is CGI.escape already.
  url_encode: wellFormed(builtin('cgi_escape')),
  cgi_escape: wellFormed(builtin('cgi_escape')),
  uri_escape: wellFormed(builtin('uri_escape')),
};
