// application/x-www-form-urlencoded bodies as Twilio clients send them: `+` or `%20` for spaces,
// repeated keys for arrays (TestUsers=a&TestUsers=b), case-sensitive PascalCase names.
import { TextDecoder } from 'node:util';
import { errors } from './errors.ts';
import { exactLargeIntegers, isTooDeep, mayHoldLargeIntegers, parseJsonWithinDepth, TOO_DEEP } from '../../lib/json-depth.ts';
import { charsetOf } from '../../lib/content-type.ts';
import { wellFormedJson } from './well-formed.ts';
import { overflowingNumber, overflowReason } from '../../lib/json-overflow.ts';

export type FormValue = string | string[];
export type Form = Record<string, FormValue>;

/**
 * Parameters one request body may carry (qs' default). Twilio's webhooks carry a few dozen and the API's
 * forms fewer (JSON such as Parameters is one field), while every parameter costs the unauthenticated
 * webhook routes a sort and an HMAC per signature check: a body of tens of thousands is refused first.
 */
export const MAX_FORM_PARAMETERS = 1000;

/** Whether a form body holds more than `limit` pairs (as URLSearchParams counts them: empty ones skipped), without decoding it. */
function tooManyPairs(text: string, limit: number): boolean {
  let count = 0;
  for (let start = 0; start < text.length; ) {
    const amp = text.indexOf('&', start);
    const end = amp === -1 ? text.length : amp;
    if (end > start && ++count > limit) return true;
    start = end + 1;
  }
  return false;
}

/** Its keys and values are well-formed text: URLSearchParams decodes invalid UTF-8 (a lone surrogate's bytes too) as U+FFFD. */
export function parseForm(text: string): Form {
  if (tooManyPairs(text, MAX_FORM_PARAMETERS)) throw errors.tooManyParameters(MAX_FORM_PARAMETERS);
  const form: Form = Object.create(null);
  for (const [key, value] of new URLSearchParams(text)) {
    const existing = form[key];
    if (existing === undefined) form[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else form[key] = [existing, value];
  }
  return form;
}

/**
 * A form body as bytes, decoded in the charset its Content-Type declares. Percent-escapes stand for
 * bytes in that charset (`Caf%E9` is "Café" in ISO-8859-1, U+FFFD in UTF-8). UTF-8 (or no charset) is
 * URLSearchParams' own decoding; another charset TextDecoder knows is decoded pair by pair; one it does
 * not know, or one that is not ASCII-based (UTF-16, where `&` and `=` are not single bytes), is a 415.
 */
export function parseFormBody(body: Buffer, contentType: string | undefined): Form {
  const charset = charsetOf(contentType);
  const decoder = charset === undefined ? null : formDecoder(charset);
  if (decoder === null) return parseForm(body.toString('utf8'));
  // One character per byte, so each pair's bytes can be percent-decoded and then decoded as a whole.
  const text = body.toString('latin1');
  if (tooManyPairs(text, MAX_FORM_PARAMETERS)) throw errors.tooManyParameters(MAX_FORM_PARAMETERS);
  const form: Form = Object.create(null);
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decoder.decode(percentDecodedBytes(eq === -1 ? pair : pair.slice(0, eq)));
    const value = decoder.decode(percentDecodedBytes(eq === -1 ? '' : pair.slice(eq + 1)));
    const existing = form[key];
    if (existing === undefined) form[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else form[key] = [existing, value];
  }
  return form;
}

/** A decoder for a form in `charset`: null for UTF-8 (the default path), a 415 for one that cannot be a form's. */
function formDecoder(charset: string): TextDecoder | null {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset);
  } catch {
    throw errors.unsupportedCharset(charset);
  }
  if (decoder.encoding === 'utf-8') return null;
  if (decoder.encoding === 'utf-16le' || decoder.encoding === 'utf-16be') throw errors.unsupportedCharset(charset);
  return decoder;
}

/** A form key or value's bytes: `+` is a space, `%XX` a byte, anything else (a latin1 string's character) its own byte, as the URL standard decodes. */
function percentDecodedBytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2b) bytes[length++] = 0x20;
    else if (c === 0x25 && isHex(text.charCodeAt(i + 1)) && isHex(text.charCodeAt(i + 2))) {
      bytes[length++] = Number.parseInt(text.slice(i + 1, i + 3), 16);
      i += 2;
    } else bytes[length++] = c;
  }
  return bytes.subarray(0, length);
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** Normalises a JSON request body (accepted for convenience) into the same shape as a form. */
export function formFromJson(body: unknown): Form {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw errors.badRequest('Request body must be a form or a JSON object');
  // Counted as a form's would be: each item of an array field is one parameter (a repeated key).
  let parameters = 0;
  for (const value of Object.values(body as Record<string, unknown>)) parameters += Array.isArray(value) ? value.length : 1;
  if (parameters > MAX_FORM_PARAMETERS) throw errors.tooManyParameters(MAX_FORM_PARAMETERS);
  // Each value is re-encoded below and JSON.stringify recurses: a value (or an array field's item) nested
  // too deep is refused here, as it would be as a JSON-in-form field (jsonField).
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    const items = Array.isArray(value) ? value : [value];
    if (items.some(isTooDeep)) throw errors.invalidParameter(key, TOO_DEEP);
  }
  // A "\ud800" escape is the one way a lone surrogate reaches a value or key: U+FFFD, as in a form.
  const fields = wellFormedJson(body) as Record<string, unknown>;
  const form: Form = Object.create(null);
  const notStrings = new Map<string, string>();
  const structured = new Map<string, string>();
  for (const [key, value] of Object.entries(fields)) {
    const items = Array.isArray(value) ? value : [value];
    // A null field is simply absent; a null inside a list is not a string (it would be stored as "null").
    const odd = Array.isArray(value) ? value.findIndex((v) => typeof v !== 'string') : typeof value === 'string' || value === undefined || value === null ? -1 : 0;
    if (odd >= 0) notStrings.set(key, jsonKind(items[odd]));
    const nested = items.find((v) => v !== null && typeof v === 'object');
    if (nested !== undefined) structured.set(key, jsonKind(nested));
    if (Array.isArray(value)) form[key] = value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
    else if (typeof value === 'string') form[key] = value;
    else if (value !== undefined && value !== null) form[key] = JSON.stringify(value);
  }
  if (notStrings.size > 0) reencoded.set(form, notStrings);
  if (structured.size > 0) structuredFields.set(form, structured);
  return form;
}

/**
 * Per form made from a JSON body: the fields whose value (or an item of it) was not a JSON string but
 * was re-encoded as JSON text, with the kind of the first such value. A field that must hold strings
 * (stringItems) refuses them instead of storing `{"a":2}` as text.
 */
const reencoded = new WeakMap<Form, Map<string, string>>();

/**
 * Per form made from a JSON body: the fields holding an object or array (as the value or an item of it),
 * with its kind. Only JSON-in-form fields (jsonField: Definition, Parameters) take one; a text field
 * refuses it rather than storing its JSON text (`{"FriendlyName":{"a":1}}`). A number or boolean in a
 * text field keeps its text, as a form would carry it (`"Confidence": 0.9`).
 */
const structuredFields = new WeakMap<Form, Map<string, string>>();

function jsonKind(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/**
 * A NUL character (%00, or \u0000 in a JSON body) in a value is refused, naming the parameter, as
 * Twilio refuses it: no client means one, PostgreSQL cannot store it in TEXT, and SQLite would
 * store what PostgreSQL refuses. (Inside JSON-in-form fields such as Parameters, a raw NUL is
 * invalid JSON anyway; an escaped one stays escaped in the stored JSON, which both stores keep.)
 */
export function refuseNul(name: string, value: string): string {
  if (value.includes('\0')) throw errors.invalidParameter(name, 'must not contain a NUL character (%00)');
  return value;
}

/** A text field's (first) value; from a JSON body, an object or array there is a 400 naming the field. */
export function optionalString(form: Form, name: string): string | undefined {
  const kind = structuredFields.get(form)?.get(name);
  if (kind !== undefined) throw errors.invalidParameter(name, `must be a string, not ${kind}`);
  return firstValue(form, name);
}

function firstValue(form: Form, name: string): string | undefined {
  const value = form[name];
  if (value === undefined) return undefined;
  return refuseNul(name, Array.isArray(value) ? value[0]! : value);
}

export function requiredString(form: Form, name: string): string {
  const value = optionalString(form, name);
  if (value === undefined || value === '') throw errors.missingParameter(name);
  return value;
}

/** A required query-string parameter (a GET's): its error names the query string, not the post body. */
export function requiredQuery(query: unknown, name: string): string {
  const value = (query as Record<string, string | string[] | undefined>)[name];
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined || first === '') throw errors.missingQueryParameter(name);
  return refuseNul(name, first);
}

export function stringList(form: Form, name: string): string[] | undefined {
  const value = form[name];
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : [value];
  for (const item of list) refuseNul(name, item);
  return list;
}

/**
 * A list field whose items must be strings (`what` says which, for the error): as stringList, but a
 * JSON body giving a number, object or array in it is a 400 (20001) instead of its JSON text.
 */
export function stringItems(form: Form, name: string, what: string): string[] | undefined {
  const kind = reencoded.get(form)?.get(name);
  if (kind !== undefined) throw errors.invalidParameter(name, `each item must be a string (${what}), not ${kind}`);
  return stringList(form, name);
}

export function enumValue<T extends string>(form: Form, name: string, allowed: readonly T[], required: true): T;
export function enumValue<T extends string>(form: Form, name: string, allowed: readonly T[], required: false): T | undefined;
export function enumValue<T extends string>(form: Form, name: string, allowed: readonly T[], required: boolean): T | undefined {
  const value = required ? requiredString(form, name) : optionalString(form, name);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw errors.invalidParameter(name, `'${value}' is not one of ${allowed.join(', ')}`);
  }
  return value as T;
}

/**
 * A JSON-in-form field such as Definition or Parameters. `error` reads after the field's name:
 * "not valid JSON: …", or "nested more than 100 levels deep (…)" (src/lib/json-depth.ts). A lone
 * surrogate escaped in it (`"ask\udc00"`) becomes U+FFFD, as in a form value (./well-formed.ts).
 * An integer beyond a double's precision (a 64-bit order ID in Parameters) is kept as its digits, a
 * string, as in an HTTP widget's response (parseClientJson): rounded, it would be stored, shown in the
 * Context and printed by Liquid as a number the client never sent.
 */
export function jsonField(form: Form, name: string): { present: false } | { present: true; ok: true; value: unknown } | { present: true; ok: false; error: string } {
  // From a JSON body, the field may hold an object (re-encoded as JSON text): that is what it is for.
  const text = firstValue(form, name);
  if (text === undefined) return { present: false };
  const parsed = parseClientJson(text);
  if (!parsed.ok) return { present: true, ok: false, error: parsed.tooDeep ? parsed.error : `not valid JSON: ${parsed.error}` };
  const overflow = overflowingNumber(text, parsed.value);
  if (overflow !== null) return { present: true, ok: false, error: `not valid JSON: ${overflowReason(overflow)}` };
  return { present: true, ok: true, value: wellFormedJson(parsed.value) };
}

/**
 * JSON.parse for JSON a client sends (within MAX_JSON_DEPTH), keeping integers beyond ±2^53 exact as
 * their digits (exactLargeIntegers); the reviver costs time, so only text that may hold one gets it.
 */
export function parseClientJson(text: string): ReturnType<typeof parseJsonWithinDepth> {
  return parseJsonWithinDepth(text, mayHoldLargeIntegers(text) ? exactLargeIntegers : undefined);
}
