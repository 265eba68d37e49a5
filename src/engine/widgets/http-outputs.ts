// Outputs of make-http-request and run-function: body, content_type, status_code, and `parsed`
// only when the response is a JSON object (a top-level array is not parsed).
import { exactLargeIntegers, mayHoldLargeIntegers, parseJsonWithinDepth } from '../../lib/json-depth.ts';
import type { EffectResult, Json, JsonObject } from '../types.ts';
import { keyValueList, renderList, stringProp, type Outcome, type WidgetEnv } from './widget.ts';

export type RenderedCall = { ok: true; url: string; parameters: { key: string; value: string }[] } | { ok: false; outcome: Outcome };

/** Renders the URL and parameters both HTTP widgets share; any failure is the widget's error outcome. */
export function renderCall(env: WidgetEnv, code: number, failureEvent: string): RenderedCall {
  const fail = (message: string): RenderedCall => ({ ok: false, outcome: { type: 'error', code, message, failureEvent } });
  const url = env.render(stringProp(env, 'url') ?? '');
  if (!url.ok) return fail(url.error.message);
  const parameters = renderList(env, keyValueList(env.state.properties.parameters));
  if (!parameters.ok) return fail(parameters.message);
  const trimmed = url.value.trim();
  if (!/^https?:\/\//i.test(trimmed)) return fail(`Invalid URL '${url.value}'`);
  return { ok: true, url: trimmed, parameters: parameters.value };
}

/** A JSON object body, else undefined: not JSON, not an object, or nested too deep to keep (src/lib/json-depth.ts). */
export function parseJsonObject(contentType: string, body: string): JsonObject | undefined {
  if (!/json/i.test(contentType)) return undefined;
  // A reviver slows parsing down: used only when the body could hold an integer beyond a double's precision.
  const parsed = parseJsonWithinDepth(body, mayHoldLargeIntegers(body) ? exactLargeIntegers : undefined);
  if (!parsed.ok) return undefined;
  const value = parsed.value as Json;
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

export function responseOutputs(result: Extract<EffectResult, { kind: 'http-response' }>): JsonObject {
  const outputs: JsonObject = { status_code: result.statusCode, content_type: result.contentType, body: result.body };
  const parsed = parseJsonObject(result.contentType, result.body);
  if (parsed) outputs.parsed = parsed;
  return outputs;
}
