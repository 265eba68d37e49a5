/**
 * Filters where liquidjs departs from Shopify Liquid (Studio's dialect) in ways a flow can see; each one is
 * liquidjs' filter with the difference put right, counting its allocations as liquidjs does.
 */
import { filters as builtinFilters, toValue } from 'liquidjs';
import type { Context } from 'liquidjs';
import { holdsObject, isPlainObject, objectFormatOf, plainText, rubyInspect, serializeObject } from './output.ts';
import { decimalArithmetic } from './decimal.ts';
import { base64DecodeFilter, base64UrlSafeDecodeFilter, base64UrlSafeEncodeFilter } from './base64-filters.ts';
import { RubyFloat, isDecimalText, isFloatOperand, numberResult } from './ruby-float.ts';

interface FilterThis {
  context: Context;
}
type AnyFilter = (this: FilterThis, ...args: unknown[]) => unknown;
const builtin = (name: string): AnyFilter => (builtinFilters as unknown as Record<string, AnyFilter>)[name]!;

/**
 * `join` with objects printed as the output prints them (JSON or Java's map form), not `[object Object]`, and a
 * glue as Ruby's `glue.to_s` writes it: a float's text (`join: 1.0` puts "1.0" between the items, not "1"), and
 * nil (`join: missing`) nothing, where liquidjs put its default space, and a list its inspect (`join: list`).
 */
export function joinFilter(this: FilterThis, input: unknown, ...args: unknown[]): unknown {
  if (args[0] instanceof RubyFloat) args[0] = args[0].toString();
  else if (args.length > 0 && (toValue(args[0]) === null || toValue(args[0]) === undefined)) args[0] = '';
  else if (args.length > 0) {
    // A list glue is its inspect (`join: list` puts "[1, 2]" between the items), a hash as objects print.
    const glue = toValue(args[0]);
    if (Array.isArray(glue) || isPlainObject(glue)) args[0] = holdsObject(glue) ? serializeObject(glue, objectFormatOf(this.context)) : rubyInspect(glue);
  }
  const v = toValue(input);
  if (Array.isArray(v) && v.some((x) => isPlainObject(x) || (Array.isArray(x) && x.some(isPlainObject)))) {
    const format = objectFormatOf(this.context);
    const items = v.map((x) => (isPlainObject(x) || (Array.isArray(x) && x.some(isPlainObject)) ? serializeObject(x, format) : x));
    return builtin('join').call(this, items, ...args);
  }
  // A number with a fraction as Ruby's Float#to_s writes it (1.5e-07).
  if (Array.isArray(v) && v.some((x) => typeof x === 'number' && !Number.isInteger(x))) {
    return builtin('join').call(this, v.map((x) => (typeof x === 'number' ? plainText(x) : x)), ...args);
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

/**
 * Shopify's `replace` is Ruby's `gsub` of the text: an empty pattern (`replace: ""`, a missing variable) puts the
 * replacement between every two characters and at both ends (`"ab"` → `"-a-b-"`, `""` → `"-"`); liquidjs' split
 * and join left out both ends. Any other pattern is liquidjs' own.
 */
function replaceFilter(this: FilterThis, input: unknown, pattern: unknown, replacement: unknown): string {
  if (stringify(pattern) !== '') return builtin('replace').call(this, input, pattern, replacement) as string;
  const chars = Array.from(stringify(input));
  const by = stringify(replacement);
  this.context.memoryLimit.use(chars.length + (chars.length + 1) * by.length);
  return by + chars.join(by) + (chars.length > 0 ? by : '');
}

/** liquidjs' `stringify` for a filter input. */
function stringify(input: unknown): string {
  const v = toValue(input);
  return v === null || v === undefined ? '' : String(v);
}

/** `filter` returning nil for a nil input, as Shopify's filters that start with `return if input.nil?`. */
function keepNil(filter: AnyFilter): AnyFilter {
  return function (this: FilterThis, input: unknown, ...args: unknown[]) {
    return toValue(input) == null ? undefined : filter.call(this, input, ...args);
  };
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
export function truncatewordsFilter(this: FilterThis, input: unknown, words?: unknown, ellipsis?: unknown): unknown {
  const v = toValue(input);
  if (v === null || v === undefined) return v;
  const text = String(v);
  // Defaults only for arguments not written: a missing variable is nil, as in Ruby.
  const tail = arguments.length < 3 ? '...' : stringify(ellipsis);
  let n = arguments.length < 2 ? 15 : rubyInteger(words); // Utils.to_integer: "2" is 2, "x", nil and 1.5 are errors
  this.context.memoryLimit.use(text.length + tail.length);
  if (!(n > 0)) n = 1;
  const list = rubySplitWords(text, Math.min(n, text.length) + 1);
  if (list.length <= n) return text;
  list.pop();
  return list.join(' ') + tail;
}

/**
 * Shopify's number coercion (Utils.to_number) for the math filters: a number is itself; text like "2.5" is
 * that decimal, other text its leading integer as Ruby's String#to_i reads it ("12abc" 12, "0x10" 0, "1e3" 1,
 * "abc" 0); anything else 0. liquidjs' `+value` read "0x10" as 16, "1e3" as 1000 and true as 1.
 */
export function toNumber(value: unknown): number {
  if (value instanceof RubyFloat) return value.value; // NaN and the infinities a float division by zero gives stay
  const v = toValue(value);
  if (typeof v === 'number') return Number.isNaN(v) ? 0 : v;
  if (typeof v !== 'string') return 0;
  if (isDecimalText(v)) return Number(v.trim());
  const leading = /^[ \t\n\v\f\r]*([+-]?\d+(?:_\d+)*)/.exec(v);
  return leading ? Number(leading[1]!.replace(/_/g, '')) || 0 : 0;
}

/** Filters whose operand Shopify requires: `{{ x | plus: }}` is Ruby's ArgumentError, not NaN. */
const REQUIRED_OPERAND = new Set(['plus', 'minus', 'times', 'modulo', 'divided_by', 'at_least', 'at_most', 'concat']);

/** Throws Shopify's error for a math filter written without its operand (the call has only the input). */
export function requireOperand(name: string, argumentCount: number): void {
  if (REQUIRED_OPERAND.has(name) && argumentCount < 2) throw new Error(`${name}: wrong number of arguments (given ${argumentCount}, expected 2)`);
}

/** A liquidjs math filter given its number arguments coerced as Shopify coerces them. */
function withShopifyNumbers(name: string): AnyFilter {
  const filter = builtin(name);
  return function (this: FilterThis, ...args: unknown[]) {
    requireOperand(name, args.length);
    return filter.apply(this, args.map(toNumber));
  };
}

/**
 * `plus`, `minus`, `times` exact in decimals as Shopify's (see ./decimal.ts), operands coerced as Shopify does;
 * a float operand gives a float (`1.5 | plus: 1.5` prints 3.0), as BigDecimal#to_f does.
 */
function decimalFilter(name: 'plus' | 'minus' | 'times'): AnyFilter {
  return function (this: FilterThis, ...args: unknown[]) {
    requireOperand(name, args.length);
    return numberResult(decimalArithmetic(name, toNumber(args[0]), toNumber(args[1])), isFloatOperand(args[0]) || isFloatOperand(args[1]));
  };
}

/**
 * Ruby's FloatDomainError for an integer made of NaN or an infinity (a float division by zero's result): `round`
 * (to 0 places), `ceil` and `floor` raise it, where liquidjs printed the value.
 */
function requireFinite(n: number): void {
  if (Number.isFinite(n)) return;
  throw new Error(`Computation results in '${Number.isNaN(n) ? "NaN' (Not a Number)" : n > 0 ? "Infinity'" : "-Infinity'"}`);
}

/** `ceil` and `floor`, refusing NaN and the infinities as Ruby's Float#ceil and #floor do. */
function integerFilter(name: 'ceil' | 'floor'): AnyFilter {
  const filter = withShopifyNumbers(name);
  return function (this: FilterThis, ...args: unknown[]) {
    requireFinite(toNumber(args[0]));
    return filter.apply(this, args);
  };
}

/**
 * `abs` keeps a float a float (`-2.0 | abs` is 2.0); `round: n` does for n of 1 or more, read as an integer as
 * BigDecimal#round reads it (`round: 1.5` is `round: 1`): to 0 places or fewer it gives an integer, as Ruby's does
 * (`round` and `1234.5 | round: -2`, 1200).
 */
function floatKeepingFilter(name: 'abs' | 'round'): AnyFilter {
  const filter = withShopifyNumbers(name);
  return function (this: FilterThis, ...args: unknown[]) {
    if (name === 'round' && args.length > 1) {
      const places = toNumber(args[1]);
      if (!Number.isInteger(places) && Number.isFinite(places)) args[1] = Math.trunc(places);
    }
    const float = isFloatOperand(args[0]) && (name === 'abs' || (args.length > 1 && toNumber(args[1]) >= 1));
    const input = toNumber(args[0]);
    if (Number.isNaN(input)) {
      // liquidjs' own coercion reads NaN as 0; Ruby's NaN stays NaN (and is no integer).
      if (!float) requireFinite(input);
      return new RubyFloat(input);
    }
    const result = filter.apply(this, args) as number;
    if (name === 'round' && !float) requireFinite(result);
    return numberResult(result, float);
  };
}

/** `at_least`/`at_most` return the operand they pick as it is, a float printing as one (`5 | at_least: 7.0` is 7.0). */
function boundFilter(name: 'at_least' | 'at_most'): AnyFilter {
  return function (this: FilterThis, ...args: unknown[]) {
    requireOperand(name, args.length);
    const input = toNumber(args[0]);
    const bound = toNumber(args[1]);
    const pickBound = name === 'at_least' ? bound > input : bound < input;
    return pickBound ? numberResult(bound, isFloatOperand(args[1])) : numberResult(input, isFloatOperand(args[0]));
  };
}

/**
 * `modulo` by zero is an error, as Shopify raises ZeroDivisionError and as `divided_by: 0` is here (liquidjs
 * printed NaN). Otherwise floored modulo, which is Ruby's (`-7 | modulo: 3` is 2), exact in decimals.
 */
export function moduloFilter(this: FilterThis, ...args: unknown[]): number | RubyFloat {
  requireOperand('modulo', args.length);
  const a = toNumber(args[0]);
  const b = toNumber(args[1]);
  if (b === 0 && !Number.isNaN(a)) throw new Error('divided by 0'); // BigDecimal's NaN % 0 is NaN
  return numberResult(decimalArithmetic('modulo', a, b), isFloatOperand(args[0]) || isFloatOperand(args[1]));
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

/** Ruby's Fixnum range on a 64-bit host, where Integer#size is 8 (bytes). */
const FIXNUM_MIN = -(2n ** 62n);
const FIXNUM_MAX = 2n ** 62n - 1n;

/**
 * Ruby's Integer#size for a number Ruby reads as an integer: 8, the bytes of a machine word; undefined for a float
 * (Float has no size) and for anything else. A whole number past JS' exact range, or a bigint past Ruby's Fixnum,
 * is left undefined too (Ruby's Bignum counts its own bytes).
 */
export function integerSize(value: unknown): number | undefined {
  if (value instanceof RubyFloat) return undefined;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? 8 : undefined;
  if (typeof value === 'bigint') return value >= FIXNUM_MIN && value <= FIXNUM_MAX ? 8 : undefined;
  return undefined;
}

/**
 * Shopify's `size` (`input.respond_to?(:size) ? input.size : 0`): a string's characters (code points, as `slice`
 * and `truncate` count them), an array's items, a hash's keys (liquidjs answers 0 for a hash), an integer's
 * Integer#size, 8 (a float has none: 0). Counting a string's characters walks it, so it costs a unit per 256 of them.
 */
export function sizeFilter(this: FilterThis, input: unknown): number {
  if (input instanceof RubyFloat) return 0;
  const v = toValue(input);
  const bytes = integerSize(v);
  if (bytes !== undefined) return bytes;
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

/** Text Ruby's Integer() reads: decimal digits, or 0x/0b/0o/0d/0-prefixed ones, `_` between digits, a sign, blanks around. */
const RUBY_INTEGER = /^[ \t\n\v\f\r]*([+-]?)(?:0[xX]([0-9a-fA-F]+(?:_[0-9a-fA-F]+)*)|0[bB]([01]+(?:_[01]+)*)|0[oO_]?([0-7]+(?:_[0-7]+)*)|0[dD](\d+(?:_\d+)*)|(\d+(?:_\d+)*))[ \t\n\v\f\r]*$/;

/**
 * Shopify's Utils.to_integer, which `slice`, `truncate`, `truncatewords` and a for loop's `offset:`/`limit:` read
 * their numbers with: an integer is itself, anything else is its to_s read by Ruby's Integer() (`"2"`, `" 2 "`,
 * `"0x10"`), else Liquid's ArgumentError "invalid integer" (nil, `"abc"`, `"2.5"`, a float such as 2.5 or 2.0,
 * true, a list). A whole number from data counts as an integer, as elsewhere in the engine.
 */
export function rubyInteger(raw: unknown): number {
  if (typeof raw === 'number' && Number.isInteger(raw)) return raw;
  if (!(raw instanceof RubyFloat)) {
    const v = toValue(raw);
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    if (typeof v === 'bigint') return Number(v);
    const m = typeof v === 'string' ? RUBY_INTEGER.exec(v) : null;
    if (m) {
      const sign = m[1] === '-' ? -1 : 1;
      const [radix, digits] = m[2] ? [16, m[2]] : m[3] ? [2, m[3]] : m[4] ? [8, m[4]] : [10, (m[5] ?? m[6])!];
      return sign * parseInt(digits.replace(/_/g, ''), radix) || 0;
    }
  }
  throw new Error('invalid integer');
}

/** Ruby's truthiness: nil and false are false, everything else (0, "") true. */
function rubyTruthy(raw: unknown): boolean {
  const v = toValue(raw);
  return v !== null && v !== undefined && v !== false;
}

/** Index of the code point `count` code points after `from` (the text's length if it has fewer). */
function advanceCodePoints(text: string, from: number, count: number): number {
  let i = from;
  for (let n = 0; n < count && i < text.length; n++) {
    const c = text.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
  }
  return i;
}

/**
 * liquidjs' `slice` (items of an array, characters of a string: `length` of them from `begin`, a negative
 * `begin` counted from the end), charging what it returns rather than the length asked for: liquidjs charged
 * `"abc" | slice: 0, 1000000` a million units and failed the render, where Shopify answers "abc". Finding the
 * characters walks the text, a unit per 256 of them.
 */
export function sliceFilter(this: FilterThis, input: unknown, begin: unknown, length?: unknown): unknown {
  // Ruby reads both numbers first (Utils.to_integer: "2" is 2, "x", nil and 2.5 are errors); a nil length is 1.
  let from = rubyInteger(begin);
  const count = rubyTruthy(length) ? rubyInteger(length) : 1;
  const v = toValue(input);
  if (v === null || v === undefined) return ''; // Ruby: nil.to_s.slice(...), ""
  const items = Array.isArray(v) ? v : null;
  const text = items ? '' : input instanceof RubyFloat ? input.toString() : String(v); // Ruby's to_s: "2.0"
  if (from < 0) from += items ? items.length : codePointLength(text);
  if (from < 0 || count < 0) return items ? [] : '';
  if (items) {
    const out = items.slice(from, from + Math.min(count, items.length));
    this.context.memoryLimit.use(out.length);
    return out;
  }
  this.context.memoryLimit.use(Math.ceil(text.length / 256));
  const start = advanceCodePoints(text, 0, from);
  const out = text.slice(start, advanceCodePoints(text, start, count));
  this.context.memoryLimit.use(out.length);
  return out;
}

/**
 * Shopify's `truncate`: nil stays nil; else the text (its characters, code points as Ruby counts them) cut to
 * `length` characters with the ellipsis counted in them (`length` read by Utils.to_integer: `"5"` is 5, `"x"`, nil
 * and 5.5 are errors), or unchanged when it is no longer than `length`.
 */
export function truncateFilter(this: FilterThis, input: unknown, length?: unknown, ellipsis?: unknown): unknown {
  const v = toValue(input);
  if (v === null || v === undefined) return v;
  const text = String(v);
  // Defaults only for arguments not written: a missing variable is nil, as in Ruby.
  const max = arguments.length < 2 ? 50 : rubyInteger(length);
  const tail = arguments.length < 3 ? '...' : stringify(ellipsis);
  this.context.memoryLimit.use(Math.ceil(text.length / 256));
  if (text.length <= max || codePointLength(text) <= max) return text;
  const keep = Math.max(max - codePointLength(tail), 0);
  const out = text.slice(0, advanceCodePoints(text, 0, keep)) + tail;
  this.context.memoryLimit.use(out.length);
  return out;
}

/** Ruby's CGI.escapeHTML, which Shopify's `escape` is: `"` is &quot; (liquidjs wrote &#34;). */
const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeFilter(this: FilterThis, input: unknown): unknown {
  const v = toValue(input);
  if (v === null || v === undefined) return v;
  const text = String(v);
  this.context.memoryLimit.use(text.length);
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * Shopify's `escape_once`: escapes as `escape` but leaves what is already an entity (`&amp;`, `&quot;`, `&#34;`,
 * `&nbsp;`) as written; liquidjs unescaped five entities and escaped the rest again (`&nbsp;` became `&amp;nbsp;`).
 */
export function escapeOnceFilter(this: FilterThis, input: unknown): unknown {
  const v = toValue(input);
  const text = v === null || v === undefined ? '' : String(v); // Ruby's input.to_s: nil is ''
  this.context.memoryLimit.use(text.length);
  return text.replace(/["><']|&(?!(?:[a-zA-Z]+|#\d+);)/g, (c) => HTML_ESCAPES[c]!);
}

/** Shopify's `default`: an empty hash is empty, as an empty string or array is (liquidjs kept `{}`); a float is kept. */
export function defaultFilter(this: FilterThis, input: unknown, ...args: unknown[]): unknown {
  if (input instanceof RubyFloat) return input; // a float is never empty, and stays a float (`2.0 | default: 1` is 2.0)
  const v = toValue(input);
  if (isPlainObject(v) && Object.keys(v).length === 0) return args[0];
  return builtin('default').call(this, input, ...args);
}

/**
 * Shopify's `concat`: its argument must be an array (Ruby's `respond_to?(:to_ary)`), else the render fails with
 * Ruby's ArgumentError, as `divided_by: 0` does; liquidjs added a text, a number, a hash or nil as one more item
 * (or nothing). Written without its argument it is an error too.
 */
export function concatFilter(this: FilterThis, input: unknown, ...args: unknown[]): unknown {
  requireOperand('concat', args.length + 1);
  if (!Array.isArray(toValue(args[0]))) throw new Error('concat filter requires an array argument');
  return builtin('concat').call(this, input, args[0]);
}

/**
 * Shopify's `first` (`array.first if array.respond_to?(:first)`): an array's first item, a hash's first entry as a
 * [key, value] pair (Ruby's Hash#first), nil for anything else; liquidjs gave a text's first character.
 */
export function firstFilter(this: FilterThis, input: unknown): unknown {
  const v = toValue(input);
  if (Array.isArray(v)) return builtin('first').call(this, v);
  if (isPlainObject(v)) {
    const key = Object.keys(v)[0];
    return key === undefined ? undefined : [key, v[key]];
  }
  return undefined;
}

/** Shopify's `last`: an array's last item, nil for anything else (a hash has no Hash#last; a text no String#last). */
export function lastFilter(this: FilterThis, input: unknown): unknown {
  const v = toValue(input);
  return Array.isArray(v) ? builtin('last').call(this, v) : undefined;
}

/** A filter's input as an array, as liquidjs' toArray: nil is none, an array itself, anything else one item. */
function itemsOf(input: unknown): unknown[] {
  const v = input instanceof RubyFloat ? input : toValue(input);
  return v === null || v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/**
 * `item[property]` as Ruby reads it in `uniq: "p"`, `compact: "p"`, `map: "p"`, `where: "p"` and their kin: a hash's value for that key (its own, the key
 * as written: "a.b" is not a path), a text the property's text if it contains it (String#[]), nil for anything else.
 * A number is an index, as Ruby's [] takes it (`map: 0`): a hash has no such key (JSON's keys are texts), a text
 * gives its character there (from the end when negative), an integer its bit there (Integer#[]), a float index
 * truncated. Another property (`true`) is nil for a hash; where Ruby raises for it, lookupRaises says so first.
 */
function itemProperty(item: unknown, property: unknown): unknown {
  const v = toValue(item);
  if (typeof property === 'string') {
    if (isPlainObject(v)) return Object.hasOwn(v, property) ? v[property] : undefined;
    if (typeof v === 'string') return v.includes(property) ? property : undefined;
    return undefined;
  }
  if (typeof property !== 'number' || !Number.isFinite(property)) return undefined;
  const index = Math.trunc(property);
  if (typeof v === 'string') return characterAt(v, index);
  if (isRubyInteger(item)) return index < 0 ? 0 : Number((BigInt(v as number | bigint) >> BigInt(Math.min(index, 1024))) & 1n);
  return undefined;
}

/** Ruby's String#[index]: the character (code point) at `index`, counted from the end when negative; nil past either end. */
function characterAt(text: string, index: number): string | undefined {
  if (index < 0) index += codePointLength(text);
  if (index < 0) return undefined;
  let i = 0;
  for (const c of text) if (i++ === index) return c;
  return undefined;
}

/** Whether Ruby's `item[property]` raises a TypeError (Liquid's "cannot select the property"): an integer read by anything but a number, a text by anything but a text or a number. */
function lookupRaises(item: unknown, property: unknown): boolean {
  const v = toValue(item);
  if (typeof v === 'string') return typeof property !== 'string' && typeof property !== 'number';
  return isRubyInteger(item) && typeof property !== 'number';
}

/** Whether Ruby's item has [] at all (a hash, a text, an array, an integer; not nil, a float or a boolean). */
function hasIndex(item: unknown): boolean {
  const v = toValue(item);
  return isPlainObject(v) || typeof v === 'string' || Array.isArray(v) || isRubyInteger(item);
}

/** Whether Ruby holds `value` as an Integer: a whole number (not a float literal or result) or a bigint. */
function isRubyInteger(value: unknown): boolean {
  if (value instanceof RubyFloat) return false;
  const v = toValue(value);
  return (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint';
}

/**
 * Ruby's `item[property]` over `items`, item by item as `select`, `reject` and `uniq` call it: 'nil' at the first
 * item with no [] (nil, a float, a boolean: the filters rescue its NoMethodError with `return nil`), an error at the
 * first item whose [] raises (an integer read by a text: Integer#[] takes a bit index; TypeError, raised as Liquid's
 * ArgumentError), 'ok' when every item can be read.
 */
function rubyItemLookups(items: readonly unknown[], property: unknown): 'ok' | 'nil' {
  for (const item of items) {
    if (lookupRaises(item, property)) throw cannotSelect(property);
    if (!hasIndex(item)) return 'nil';
  }
  return 'ok';
}

/** Liquid's "cannot select the property" for an item whose [] raised, the property as Ruby's to_s writes it. */
function cannotSelect(property: unknown): Error {
  const text = property instanceof RubyFloat ? property.toString() : typeof property === 'number' ? plainText(property) : String(property);
  return new Error(`cannot select the property '${text}'`);
}

/**
 * A text that two values share when Ruby's `uniq` counts them as one (Object#hash and eql?): the same type and
 * value, hashes and arrays by their contents (a hash's keys in any order), 2 and 2.0 two values.
 */
function uniqueKey(value: unknown, depth = 0): string {
  if (depth > 64) throw new Error('value nested too deeply');
  if (value instanceof RubyFloat) return `f${value.value}`;
  const v = toValue(value);
  if (v === null || v === undefined) return 'n';
  if (typeof v === 'number') return `${Number.isInteger(v) ? 'i' : 'f'}${v}`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map((x) => uniqueKey(x, depth + 1)).join(',')}]`;
  if (isPlainObject(v)) {
    const entries = Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${uniqueKey(v[k], depth + 1)}`);
    return `{${entries.join(',')}}`;
  }
  return `${typeof v}:${String(v)}`;
}

/**
 * Shopify's `uniq`: items equal by value are one (two hashes with the same keys and values too; liquidjs kept
 * every distinct object), and `uniq: "p"` keeps the first item of each value of the property (liquidjs ignored
 * the property). Building the keys is charged a unit per character.
 */
export function uniqFilter(this: FilterThis, input: unknown, property?: unknown): unknown[] | undefined {
  const items = itemsOf(input);
  this.context.memoryLimit.use(items.length);
  const name = toValue(property);
  const byProperty = name !== null && name !== undefined;
  // Ruby's `uniq { |item| item[property] }` calls nothing for one item; else see rubyItemLookups.
  if (byProperty && items.length > 1 && rubyItemLookups(items, name) === 'nil') return undefined;
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = uniqueKey(byProperty ? itemProperty(item, name) : item);
    this.context.memoryLimit.use(key.length);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Shopify's `compact`: without nil items, or with `compact: "p"` without the items whose property is nil (liquidjs ignored it). */
export function compactFilter(this: FilterThis, input: unknown, property?: unknown): unknown[] | undefined {
  const items = itemsOf(input);
  this.context.memoryLimit.use(items.length);
  const name = toValue(property);
  // Ruby's `reject { |item| item[property].nil? }`: see rubyItemLookups.
  if (name !== null && name !== undefined && rubyItemLookups(items, name) === 'nil') return undefined;
  const read = name === null || name === undefined ? (item: unknown) => toValue(item) : (item: unknown) => itemProperty(item, name);
  return items.filter((item) => {
    const v = read(item);
    return v !== null && v !== undefined;
  });
}

/**
 * What Ruby's `a <=> b` can order a value against in `sort`: numbers (integers and floats) one another, texts one
 * another, `true` only `true`, `false` only `false`, a hash only an equal hash; nil sorts last against
 * anything. Anything else (an array read by a property) is not checked.
 */
function sortClass(value: unknown): string | undefined {
  if (value instanceof RubyFloat) return 'number';
  const v = toValue(value);
  if (typeof v === 'number' || typeof v === 'bigint') return 'number';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return String(v);
  if (isPlainObject(v)) return 'hash';
  return undefined;
}

/**
 * Shopify 5's `sort` (nil_safe_compare) raises `cannot sort values of incompatible types` when two values that
 * are not nil do not compare (`a <=> b` is nil): a number and a text, true and false, a hash and a number. Sorting
 * has to compare two values of different kinds directly to order them, so Ruby's sort raises whenever the values
 * are of more than one kind; liquidjs ordered them anyway. The render fails (84003), as `concat` of a non-array.
 */
function requireComparable(values: Iterable<unknown>): void {
  let first: string | undefined;
  let firstHash: unknown;
  for (const value of values) {
    const kind = sortClass(value);
    if (kind === undefined) continue;
    if (first === undefined) first = kind;
    else if (kind !== first) throw new Error('cannot sort values of incompatible types');
    // Hash has no order of its own: `a <=> b` is 0 for equal hashes and nil otherwise, and a sort compares every
    // pair that ends up side by side, so two hashes that differ cannot be sorted.
    if (kind !== 'hash') continue;
    if (firstHash === undefined) firstHash = toValue(value);
    else if (!rubyEqual(firstHash, toValue(value))) throw new Error('cannot sort values of incompatible types');
  }
}

/** Ruby's `==` on values from data: numbers by value (1 == 1.0), arrays and hashes by their contents. */
function rubyEqual(a: unknown, b: unknown, depth = 0): boolean {
  if (depth > 64) throw new Error('value nested too deeply');
  const x = a instanceof RubyFloat ? a.value : toValue(a);
  const y = b instanceof RubyFloat ? b.value : toValue(b);
  if (x === y) return true;
  if (Array.isArray(x) && Array.isArray(y)) return x.length === y.length && x.every((item, i) => rubyEqual(item, y[i], depth + 1));
  if (isPlainObject(x) && isPlainObject(y)) {
    const keys = Object.keys(x);
    return keys.length === Object.keys(y).length && keys.every((k) => Object.hasOwn(y, k) && rubyEqual(x[k], y[k], depth + 1));
  }
  return false;
}

/** Shopify's `sort`: liquidjs' (itself or reading a property as written), after refusing values Ruby cannot order. */
function sortFilter(): AnyFilter {
  const sort = byLiteralProperty('sort');
  return function (this: FilterThis, input: unknown, property?: unknown, ...rest: unknown[]) {
    const key = toValue(property);
    const items = itemsOf(input);
    if (key === null || key === undefined) requireComparable(items);
    else requireComparable(items.map((item) => itemProperty(item, key)));
    return sort.call(this, input, property, ...rest);
  };
}

/** The one key of the stand-ins byLiteralProperty hands liquidjs' filters. */
const STAND_IN_KEY = 'v';

/**
 * liquidjs' `name` (map, where, reject, find, find_index, has, sort, sort_natural, sum) reading each item's property
 * as Shopify's does, `item[property]`: a hash's own key as written, so `map: "a.b"` reads the key "a.b" and not
 * a nested path (liquidjs split it on dots, and where-like filters read `a[0]` or `size` as expressions), a text the
 * property's text if it contains it. liquidjs' filter then works on stand-ins holding that value under one key,
 * keeping its comparisons, truthiness, sorting and costs; the items it picks are given back. Without a property
 * (nil), liquidjs' filter as it is.
 */
function byLiteralProperty(name: string): AnyFilter {
  const filter = builtin(name);
  return function* (this: FilterThis, input: unknown, property?: unknown, ...rest: unknown[]): Generator<unknown, unknown, unknown> {
    const key = toValue(property);
    if (key === null || key === undefined) return yield filter.call(this, input, property, ...rest);
    const items = itemsOf(input);
    // Ruby's `select { |item| item[property] }` (where): an item whose [] raises fails, one with no [] makes it nil.
    if (name === 'where' && rubyItemLookups(items, key) === 'nil') return undefined;
    // `map` reads nil from an item with no [], and fails at one whose [] raises.
    if (name === 'map' && items.some((item) => lookupRaises(item, key))) throw cannotSelect(key);
    // `sort`/`sort_natural` by a property: nil unless every item has [], an error at a raising [] once two compare.
    if (name === 'sort' || name === 'sort_natural') {
      if (!items.every((item) => hasIndex(item) && !Array.isArray(toValue(item)))) return undefined;
      if (items.length > 1 && items.some((item) => lookupRaises(item, key))) throw cannotSelect(key);
    }
    // A nil target (`where: "k", nil`, a missing variable) is none: Ruby selects the items whose value is truthy.
    if (name === 'where' && rest.length > 0 && toValue(rest[0]) == null) rest = [];
    if (name === 'map') {
      this.context.memoryLimit.use(items.length);
      return items.map((item) => itemProperty(item, key));
    }
    // Stand-ins made as liquidjs reaches each item, so a `find` that stops at the first one reads one property.
    const standIns = new Map<number, object>();
    const itemOf = new Map<object, unknown>();
    const view = new Proxy(items, {
      get(target, prop, receiver) {
        if (typeof prop === 'string' && /^(?:0|[1-9]\d*)$/.test(prop) && Number(prop) < target.length) {
          const index = Number(prop);
          let standIn = standIns.get(index);
          if (standIn === undefined) {
            standIn = { [STAND_IN_KEY]: itemProperty(target[index], key) };
            standIns.set(index, standIn);
            itemOf.set(standIn, target[index]);
          }
          return standIn;
        }
        return Reflect.get(target, prop, receiver);
      },
    });
    const out = yield filter.call(this, view, STAND_IN_KEY, ...rest);
    const back = (x: unknown) => (x !== null && typeof x === 'object' && itemOf.has(x) ? itemOf.get(x) : x);
    return Array.isArray(out) ? out.map(back) : back(out);
  };
}

/** The filters of this module by name, registered over liquidjs' own. */
export const SHOPIFY_FILTERS: Readonly<Record<string, AnyFilter>> = {
  join: joinFilter,
  concat: concatFilter,
  first: firstFilter,
  last: lastFilter,
  uniq: uniqFilter,
  compact: compactFilter,
  ...Object.fromEntries(['map', 'where', 'reject', 'find', 'find_index', 'has', 'sort_natural', 'sum'].map((name) => [name, byLiteralProperty(name)])),
  sort: sortFilter(),
  truncatewords: truncatewordsFilter,
  truncate: truncateFilter,
  modulo: moduloFilter,
  plus: decimalFilter('plus'),
  minus: decimalFilter('minus'),
  times: decimalFilter('times'),
  ceil: integerFilter('ceil'),
  floor: integerFilter('floor'),
  abs: floatKeepingFilter('abs'),
  round: floatKeepingFilter('round'),
  at_least: boundFilter('at_least'),
  at_most: boundFilter('at_most'),
  size: sizeFilter,
  split: splitFilter,
  replace: replaceFilter,
  url_decode: keepNil(urlDecodeFilter), // Ruby: `return if input.nil?`, so nil stays nil
  slice: sliceFilter,
  escape: escapeFilter,
  escape_once: escapeOnceFilter,
  default: defaultFilter,
  base64_decode: base64DecodeFilter,
  base64_url_safe_encode: base64UrlSafeEncodeFilter,
  base64_url_safe_decode: base64UrlSafeDecodeFilter,
  // Shopify's url_encode is Ruby's CGI.escape: only A-Z a-z 0-9 _ . - ~ stay, a space is `+`; liquidjs' own kept
  // ! ' ( ) * as encodeURIComponent does. Its cgi_escape is CGI.escape already.
  // nil stays nil (`CGI.escape(input.to_s) unless input.nil?`).
  url_encode: keepNil(wellFormed(builtin('cgi_escape'))),
  cgi_escape: wellFormed(builtin('cgi_escape')),
  uri_escape: wellFormed(builtin('uri_escape')),
};
