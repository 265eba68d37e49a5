// Outputs of make-http-request and run-function: body, content_type, status_code, and `parsed`
// only when the response is a JSON object (a top-level array is not parsed).
import type { EffectResult, Json, JsonObject } from '../types.ts';

export function parseJsonObject(contentType: string, body: string): JsonObject | undefined {
  if (!/json/i.test(contentType)) return undefined;
  try {
    const value = JSON.parse(body) as Json;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function responseOutputs(result: Extract<EffectResult, { kind: 'http-response' }>): JsonObject {
  const outputs: JsonObject = { status_code: result.statusCode, content_type: result.contentType, body: result.body };
  const parsed = parseJsonObject(result.contentType, result.body);
  if (parsed) outputs.parsed = parsed;
  return outputs;
}
