// Turns API/file input into a definition object. Only the outer shape is checked here (a JSON object);
// everything deeper is the validator's job, so odd but parseable exports still come through.

import { jsonTextDepth, MAX_JSON_DEPTH, TOO_DEEP } from '../lib/json-depth.ts';
import { describeJsonError } from '../lib/json-error.ts';
import { overflowingNumber, overflowReason } from '../lib/json-overflow.ts';
import type { FlowDefinition } from './types.ts';

/** The one message for a definition nested deeper than MAX_JSON_DEPTH (text here, objects in validateDefinition). */
export const DEFINITION_TOO_DEEP = `Flow definition is ${TOO_DEEP}`;

export type ParseResult = { ok: true; definition: FlowDefinition } | { ok: false; error: string };

/** Name of a value's JSON type, as JSON-Schema validators word it ("integer", "array", "null", ...). */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Accepts an object, a JSON string or UTF-8 bytes (e.g. a request body buffer). */
export function parseDefinition(input: unknown): ParseResult {
  let value = input;
  if (value instanceof Uint8Array) value = new TextDecoder().decode(value);
  if (typeof value === 'string') {
    const parsed = parseJsonText(value);
    if (!parsed.ok) return parsed;
    value = parsed.value;
    // A definition stringified twice (seen when the form-encoded Definition was JSON.stringify'd again).
    if (typeof value === 'string' && /^\s*\{/.test(value)) {
      const again = parseJsonText(value);
      if (again.ok) value = again.value;
    }
  }
  if (!isPlainObject(value)) {
    return { ok: false, error: `Flow definition must be a JSON object, ${jsonTypeOf(value)} found` };
  }
  return { ok: true, definition: value as unknown as FlowDefinition };
}

/**
 * A flow file's definition. A Studio export is the definition itself; a Flow resource (what
 * GET /v2/Flows/FW… returns, and `twilio api:studio:v2:flows:fetch -o json` prints) holds it under
 * `definition`, and files saved from it are common: both are taken, here and in the web import.
 * The API's Definition parameter does not go through this (Studio refuses a wrapped one there too).
 */
export function parseDefinitionFile(input: string | Uint8Array): ParseResult {
  const parsed = parseDefinition(input);
  if (!parsed.ok) return parsed;
  const inner = unwrapFlowResource(parsed.definition as unknown as Record<string, unknown>);
  return inner === parsed.definition ? parsed : parseDefinition(inner);
}

/** The definition a Flow resource wraps; anything else as it is (a definition, or what validation then refuses). */
export function unwrapFlowResource(value: Record<string, unknown>): unknown {
  if (Array.isArray(value.states) || !('definition' in value)) return value;
  // The JSON resource holds an object; a form-style one may hold the definition as JSON text.
  return isPlainObject(value.definition) || (typeof value.definition === 'string' && /^\s*\{/.test(value.definition)) ? value.definition : value;
}

function parseJsonText(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // tolerate a UTF-8 BOM
  if (source.trim() === '') return { ok: false, error: 'Flow definition is empty' };
  // Depth is checked before parsing, so a file nested 100,000 deep is refused by this message, not a crash later.
  if (jsonTextDepth(source, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) return { ok: false, error: DEFINITION_TOO_DEEP };
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (err) {
    return { ok: false, error: describeJsonError(source, err) };
  }
  // JSON.parse reads 1e400 as Infinity, which JSON.stringify writes as null: a file checked valid here
  // would reach the server (which refuses such JSON) holding a null it never had. Refused as the API does.
  const overflow = overflowingNumber(source, value);
  if (overflow !== null) return { ok: false, error: `Flow definition is not valid JSON: ${overflowReason(overflow)}` };
  return { ok: true, value };
}

