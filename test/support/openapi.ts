// Checks response bodies against the official OpenAPI specs in ../shared/spec. Component schemas
// are tightened (every declared property required, nothing undeclared) so a missing or extra
// field fails the test instead of slipping through.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => void;

const specDir = fileURLToPath(new URL('../../../shared/spec/', import.meta.url));

type Json = Record<string, any>;
/** The specs live in ../shared/spec beside the repository (CI lays it there); without them the body checks are skipped, loudly. */
export const specsAvailable = existsSync(`${specDir}twilio_studio_v2.json`);
if (!specsAvailable) console.warn(`# OpenAPI specs not found at ${specDir}: response bodies are NOT checked against the spec in this run`);
const specs: Record<'v1' | 'v2', Json> = specsAvailable
  ? {
      v1: JSON.parse(readFileSync(`${specDir}twilio_studio_v1.json`, 'utf8')),
      v2: JSON.parse(readFileSync(`${specDir}twilio_studio_v2.json`, 'utf8')),
    }
  : { v1: { paths: {}, components: { schemas: {} } }, v2: { paths: {}, components: { schemas: {} } } };

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addFormat('uri-map', true);

/** OpenAPI's `nullable` without a `type` means "anything"; Ajv insists on a type, so drop it. */
function dropUntypedNullable(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(dropUntypedNullable);
  if (node && typeof node === 'object') {
    const record = node as Json;
    if ('nullable' in record && !('type' in record)) delete record.nullable;
    Object.values(record).forEach(dropUntypedNullable);
  }
}

for (const [version, spec] of Object.entries(specs)) {
  dropUntypedNullable(spec);
  for (const schema of Object.values(spec.components.schemas) as Json[]) {
    if (schema.properties) {
      schema.additionalProperties = false;
      schema.required = Object.keys(schema.properties);
    }
  }
  ajv.addSchema(spec, `studio-${version}`);
}

function responseSchema(version: 'v1' | 'v2', method: string, path: string, status: number): Json {
  const operation = specs[version].paths[path]?.[method.toLowerCase()];
  assert.ok(operation, `spec ${version} has no ${method} ${path}`);
  const response = operation.responses[String(status)];
  assert.ok(response, `spec ${version} ${method} ${path} has no ${status} response (has ${Object.keys(operation.responses)})`);
  return response.content?.['application/json']?.schema;
}

function rewriteRefs(node: unknown, version: string): unknown {
  if (Array.isArray(node)) return node.map((n) => rewriteRefs(n, version));
  if (node && typeof node === 'object') {
    const out: Json = {};
    for (const [k, v] of Object.entries(node)) {
      out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#') ? `studio-${version}${v}` : rewriteRefs(v, version);
    }
    return out;
  }
  return node;
}

const compiled = new Map<string, ReturnType<Ajv['compile']>>();

/** Asserts that `body` is exactly what the spec declares for this operation and status. */
export function assertMatchesSpec(version: 'v1' | 'v2', method: string, path: string, status: number, body: unknown): void {
  if (!specsAvailable) return;
  const key = `${version} ${method} ${path} ${status}`;
  let validate = compiled.get(key);
  if (!validate) {
    const schema = responseSchema(version, method, path, status);
    if (!schema) {
      assert.equal(body, '', `${key}: spec declares no body`);
      return;
    }
    validate = ajv.compile(rewriteRefs(schema, version) as Json);
    compiled.set(key, validate);
  }
  const ok = validate(body);
  assert.ok(ok, `${key}: body does not match the spec: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 2000)}`);
}
