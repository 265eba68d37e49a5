/**
 * How Liquid output is written: values stringified as Studio prints them (objects serialized, not
 * `[object Object]`), into an emitter that refuses to grow past the output cap. The render's output and every
 * `{% capture %}` write through it, so no Liquid text is built outside the cap.
 */
import { toValue } from 'liquidjs';
import type { Context, Emitter } from 'liquidjs';
import { RubyFloat, rubyFloatText } from './ruby-float.ts';

/** JSON (`{"k":"v"}`) or Java's Map.toString (`{k=v}`): see liquid.ts' header. */
export type ObjectFormat = 'json' | 'map';

/** Max UTF-8 bytes of a rendered template, and of one capture (Studio: "a rendered template at most 16 KB"). */
export const MAX_OUTPUT_BYTES = 16 * 1024;

/** Register holding the render's state (render-state.ts' RenderState); read here only for its objectFormat. */
export const STATE_REGISTER = 'switchboard:state';

/** How objects print in this render (default JSON). */
export function objectFormatOf(ctx: Context): ObjectFormat {
  return ctx.getRegister<{ objectFormat?: ObjectFormat } | undefined>(STATE_REGISTER, undefined)?.objectFormat ?? 'json';
}

export class OutputLimitError extends Error {}

export function outputLimitMessage(max: number, what = 'rendered template'): string {
  return `${what} exceeds ${max} bytes`;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** A value as `{{ value }}` prints it. */
export function stringifyOutput(value: unknown, format: ObjectFormat): string {
  if (value instanceof RubyFloat) return value.toString(); // 5.0, not 5
  const v = toValue(value);
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) {
    if (v.some(isPlainObject)) return serializeObject(v, format);
    return v.map((x) => stringifyOutput(x, format)).join('');
  }
  if (isPlainObject(v)) return serializeObject(v, format);
  return plainText(v);
}

/**
 * A plain value as Ruby's to_s writes it: a number with a fraction is a Float in Ruby, printed as Float#to_s does
 * (`1.5e-07`, not JavaScript's `1.5e-7`); a whole number stays an integer (see ./ruby-float.ts).
 */
export function plainText(v: unknown): string {
  return typeof v === 'number' && !Number.isInteger(v) ? rubyFloatText(v) : String(v);
}

/** Whether a plain object is somewhere in `v` (an array's items at any depth). */
export function holdsObject(v: unknown, depth = 0): boolean {
  if (isPlainObject(v)) return true;
  return Array.isArray(v) && depth < 64 && v.some((x) => holdsObject(toValue(x), depth + 1));
}

const RUBY_ESCAPES: Readonly<Record<string, string>> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\f': '\\f', '\v': '\\v', '\b': '\\b', '\x07': '\\a', '\x1b': '\\e' };

/**
 * Ruby's Array#inspect, which is its to_s: what Shopify's text filters make of a list (`[1, 2] | append: "x"` is
 * `[1, 2]x`, `"a,b" | split: "," | upcase` is `["A", "B"]`). For lists of plain values; one holding an object
 * prints as the engine prints objects (see holdsObject).
 */
export function rubyInspect(value: unknown, depth = 0): string {
  if (depth > 64) throw new Error('value nested too deeply');
  if (value instanceof RubyFloat) return value.toString();
  const v = toValue(value);
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : rubyFloatText(v);
  if (typeof v === 'string') {
    const body = v.replace(/["\\\n\r\t\f\v\b\x07\x1b]|#(?=[{$@])|[\x00-\x1f\x7f]/g, (c) =>
      RUBY_ESCAPES[c] ?? (c === '#' ? '\\#' : `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`));
    return `"${body}"`;
  }
  if (Array.isArray(v)) return `[${v.map((x) => rubyInspect(x, depth + 1)).join(', ')}]`;
  return String(v);
}

export function serializeObject(v: unknown, format: ObjectFormat): string {
  if (format === 'json') return JSON.stringify(v) ?? '';
  return javaString(v, 0);
}

/** Java's toString of a Map/List of JSON values: `{a=1, b=[x, y], c={d=null}}`, strings unquoted. */
function javaString(v: unknown, depth: number): string {
  if (depth > 64) throw new Error('value nested too deeply');
  if (v === null || v === undefined) return 'null';
  if (v instanceof RubyFloat) return v.toString(); // 5.0, as Java's Double prints it too
  if (Array.isArray(v)) return `[${v.map((x) => javaString(x, depth + 1)).join(', ')}]`;
  if (typeof v === 'object') {
    return `{${Object.entries(v).map(([k, x]) => `${k}=${javaString(x, depth + 1)}`).join(', ')}}`;
  }
  return String(v);
}

/** Emitter that aborts as soon as the output cannot fit in the cap. */
export class CappedEmitter implements Emitter {
  buffer = '';
  exceeded = false;
  readonly maxBytes: number;
  readonly objectFormat: ObjectFormat;
  /** What the text is, for the error ("rendered template", "captured text"). */
  readonly what: string;
  constructor(maxBytes: number, objectFormat: ObjectFormat, what = 'rendered template') {
    this.maxBytes = maxBytes;
    this.objectFormat = objectFormat;
    this.what = what;
  }
  write(html: unknown): void {
    if (this.exceeded) throw new OutputLimitError(outputLimitMessage(this.maxBytes, this.what));
    const s = stringifyOutput(html, this.objectFormat);
    // UTF-8 bytes >= UTF-16 code units, so a length over the cap is already too big.
    if (this.buffer.length + s.length > this.maxBytes) {
      this.exceeded = true;
      throw new OutputLimitError(outputLimitMessage(this.maxBytes, this.what));
    }
    this.buffer += s;
  }
  /** The text, or an OutputLimitError if its UTF-8 form is over the cap (the running check counts UTF-16 units). */
  text(): string {
    if (this.exceeded || Buffer.byteLength(this.buffer, 'utf8') > this.maxBytes) {
      this.exceeded = true;
      throw new OutputLimitError(outputLimitMessage(this.maxBytes, this.what));
    }
    return this.buffer;
  }
}
