/**
 * Shopify's base64 filters (5.1.0), as Ruby's Base64 module does them:
 *  - `base64_decode` is `Base64.strict_decode64`: the text must be whole groups of four characters of the
 *    standard alphabet, padded with `=` only at the end, with the padding's unused bits zero; anything else
 *    raises "invalid base64 provided to base64_decode". liquidjs' own accepted whitespace, missing padding and
 *    stray bits (`"YQ"` decoded to "a" where Ruby refuses it).
 *  - `base64_url_safe_encode` / `base64_url_safe_decode` are `urlsafe_encode64` (padded, `-` and `_` for `+`
 *    and `/`) and `urlsafe_decode64` (which pads unpadded text before decoding it strictly); liquidjs has neither.
 * The decoded bytes are printed as UTF-8 (an invalid sequence as U+FFFD), as liquidjs' decoder does.
 */
import { toValue } from 'liquidjs';
import type { Context } from 'liquidjs';
import { RubyFloat } from './ruby-float.ts';

interface FilterThis {
  context: Context;
}

const STANDARD = /^[A-Za-z0-9+/]*$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The input as Ruby's `to_s` writes it: nil is "", a float 5.0 "5.0". */
function textOf(input: unknown): string {
  if (input instanceof RubyFloat) return input.toString();
  const v = toValue(input);
  return v === null || v === undefined ? '' : String(v);
}

/** Ruby's strict_decode64, or undefined where it raises ArgumentError. */
export function strictDecode64(text: string): Buffer | undefined {
  if (text.length % 4 !== 0) return undefined;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const body = text.slice(0, text.length - padding);
  if (!STANDARD.test(body)) return undefined;
  // The last group's bits that the padding leaves unused must be zero ("YR==" is refused, "YQ==" is "a").
  if (padding > 0) {
    const last = ALPHABET.indexOf(body[body.length - 1]!);
    if ((padding === 2 && (last & 0xf) !== 0) || (padding === 1 && (last & 0x3) !== 0)) return undefined;
  }
  return Buffer.from(text, 'base64');
}

function charge(self: FilterThis, ...texts: string[]): void {
  for (const text of texts) self.context.memoryLimit.use(text.length);
}

export function base64DecodeFilter(this: FilterThis, input: unknown): string {
  const text = textOf(input);
  const bytes = strictDecode64(text);
  if (bytes === undefined) throw new Error('invalid base64 provided to base64_decode');
  const out = bytes.toString('utf8');
  charge(this, text, out);
  return out;
}

export function base64UrlSafeEncodeFilter(this: FilterThis, input: unknown): string {
  const text = textOf(input);
  const out = Buffer.from(text, 'utf8').toString('base64').replace(/[+/]/g, (c) => (c === '+' ? '-' : '_'));
  charge(this, text, out);
  return out;
}

export function base64UrlSafeDecodeFilter(this: FilterThis, input: unknown): string {
  const text = textOf(input);
  // urlsafe_decode64 pads text that has no padding and is not whole groups, then decodes strictly.
  const padded = !text.endsWith('=') && text.length % 4 !== 0 ? text.padEnd((text.length + 3) & ~3, '=') : text;
  const bytes = strictDecode64(padded.replace(/[-_]/g, (c) => (c === '-' ? '+' : '/')));
  if (bytes === undefined) throw new Error('invalid base64 provided to base64_url_safe_decode');
  const out = bytes.toString('utf8');
  charge(this, text, out);
  return out;
}
