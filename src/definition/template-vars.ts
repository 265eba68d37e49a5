// Deploy-time template variables. Many Studio flows are kept as Terraform templates (`templatefile()`): the JSON
// holds `${workflow_sids.master}` or `${flow_vars["from"]}` where a deployment puts its own values. To test or
// validate such a file here, the same substitution runs first with the values a user gives (`--vars FILE`, a test
// file's `vars:`). Only references are evaluated, as templatefile reads them: a name, then `.attr`, `["key"]` or
// `[0]` steps; `$${` is a literal `${`. A placeholder whose name is not given, or any other expression (a function
// call, a conditional), is left as written: the validator goes on warning about it, as for a file with no values.

/** The values a deployment gives its template: parsed JSON or YAML (names to text, numbers, objects…). */
export type TemplateVars = Readonly<Record<string, unknown>>;

const PLACEHOLDER = /\$\$\{|\$\{([^{}]*)\}/g;
const REFERENCE = /^\s*([A-Za-z_][\w-]*)((?:\s*(?:\.[A-Za-z_][\w-]*|\[\s*(?:"(?:[^"\\]|\\.)*"|\d+)\s*\]))*)\s*$/;
const STEP = /\.([A-Za-z_][\w-]*)|\[\s*(?:"((?:[^"\\]|\\.)*)"|(\d+))\s*\]/g;

export interface Substitution<T> {
  value: T;
  /** Placeholders left as written (no such variable, or not a plain reference), each once, in order met. */
  left: string[];
  /** How many placeholders were replaced. */
  replaced: number;
}

/** The variable a reference names, or undefined when `vars` has no such path. */
function lookUp(vars: TemplateVars, reference: string): unknown {
  const m = REFERENCE.exec(reference);
  if (!m) return undefined;
  let node: unknown = Object.hasOwn(vars, m[1]!) ? vars[m[1]!] : undefined;
  for (const step of (m[2] ?? '').matchAll(STEP)) {
    if (node === undefined || node === null || typeof node !== 'object') return undefined;
    const key = step[1] ?? (step[2] !== undefined ? (JSON.parse(`"${step[2]}"`) as string) : Number(step[3]));
    if (Array.isArray(node)) node = typeof key === 'number' ? (node as unknown[])[key] : undefined;
    else node = typeof key === 'string' && Object.hasOwn(node, key) ? (node as Record<string, unknown>)[key] : undefined;
  }
  return node;
}

/** A variable's value as text in a string: as written for text, numbers and booleans; JSON for the rest. */
function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** `text` with its placeholders replaced from `vars`. */
export function substituteText(text: string, vars: TemplateVars, left: Set<string> = new Set(), count = { replaced: 0 }): string {
  if (!text.includes('${')) return text;
  return text.replace(PLACEHOLDER, (whole, reference: string | undefined) => {
    if (reference === undefined) return '${'; // `$${` escapes the placeholder
    const value = lookUp(vars, reference);
    if (value === undefined || value === null) {
      left.add(whole);
      return whole;
    }
    count.replaced++;
    return asText(value);
  });
}

/** Every string in a parsed flow file (keys too) with its placeholders replaced from `vars`. */
export function substituteTemplateVars<T>(value: T, vars: TemplateVars): Substitution<T> {
  const left = new Set<string>();
  const count = { replaced: 0 };
  const walk = (node: unknown, depth: number): unknown => {
    if (typeof node === 'string') return substituteText(node, vars, left, count);
    if (node === null || typeof node !== 'object' || depth > 256) return node;
    if (Array.isArray(node)) return node.map((item) => walk(item, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(node)) Object.defineProperty(out, substituteText(key, vars, left, count), { value: walk(item, depth + 1), enumerable: true, writable: true, configurable: true });
    return out;
  };
  return { value: walk(value, 0) as T, left: [...left], replaced: count.replaced };
}
