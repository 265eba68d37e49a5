// `--vars FILE`: the values of a flow file's deploy-time `${…}` placeholders (src/definition/template-vars.ts), as a
// JSON or YAML mapping (a Terraform project's variables written out, e.g. with `terraform output -json`'s values).
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { JsonObject } from '../engine/types.ts';
import { describeJsonError } from '../lib/json-error.ts';
import { whyUnreadable } from './unreadable-file.ts';

export function readVarsFile(path: string): { vars: JsonObject } | { problem: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return { problem: `--vars ${path}: ${whyUnreadable(error)}` };
  }
  const json = /\.json$/i.test(path);
  let value: unknown;
  try {
    value = json ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    return { problem: `--vars ${path}: ${json ? describeJsonError(text, error) : `not YAML: ${(error as Error).message.split('\n')[0]}`}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { problem: `--vars ${path}: must hold a mapping of variable names to values (e.g. {"serverless_url": "https://…"})` };
  return { vars: value as JsonObject };
}
