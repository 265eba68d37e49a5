// Schema errors of a test file in words a person acts on: an unknown field with the closest known
// one, a duration or a clock said by example rather than as the schema's regular expression, the
// alternatives a oneOf tried folded into one line, and where in the file (line and column).
import type { ErrorObject } from 'ajv';
import { isMap, LineCounter, parseDocument, type Node } from 'yaml';
import { closestName } from './closest-name.ts';

export interface SchemaProblem {
  /** Where in the data the problem points ("tests", 0, "script", 1); an unknown field's own key. */
  path: (string | number)[];
  /** "tests.0.script.1: must be …". */
  text: string;
}

/** Values the schema describes by a definition: said by example. */
const BY_DEFINITION: [RegExp, string][] = [
  [/^#\/definitions\/duration\//, 'must be a duration like 90s, 2m, 1h or 1h30m (or a number of seconds)'],
  [/^#\/definitions\/clock\b/, 'must be a date and time with its UTC offset, like 2026-05-04T18:30:00-04:00 or 2026-05-04T22:30:00Z'],
];

function pathOf(instancePath: string): (string | number)[] {
  if (!instancePath) return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

const dotted = (path: (string | number)[]) => (path.length ? path.join('.') : '(top level)');
const under = (path: (string | number)[], prefix: (string | number)[]) => prefix.length <= path.length && prefix.every((p, i) => path[i] === p);

interface Draft {
  path: (string | number)[];
  text: string;
  /** For an unknown field: its name (its key is where the line and column point) and the name it likely meant. */
  unknown?: { name: string; near?: string };
  missing?: string;
  type?: string;
}

/**
 * The problems Ajv's errors (compiled with `verbose`, so each names its schema) describe, each once:
 * alternatives a oneOf tried that the value was not meant as are left out, so a step written
 * `{ frm: x }` reads "unknown field 'frm' (did you mean 'from'?)" rather than four lines.
 */
export function schemaProblems(errors: ErrorObject[]): SchemaProblem[] {
  const drafts: Draft[] = [];
  for (const error of errors) {
    if (error.keyword === 'oneOf' || error.keyword === 'anyOf') continue;
    const path = pathOf(error.instancePath);
    const friendly = BY_DEFINITION.find(([schemaPath]) => schemaPath.test(error.schemaPath));
    if (friendly) drafts.push({ path, text: friendly[1] });
    else if (error.keyword === 'additionalProperties') {
      const name = (error.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys(((error.parentSchema ?? {}) as { properties?: object }).properties ?? {});
      const near = closestName(name, known);
      drafts.push({ path, text: `unknown field '${name}'${near ? ` (did you mean '${near}'?)` : ''}`, unknown: { name, ...(near ? { near } : {}) } });
    } else if (error.keyword === 'enum') {
      drafts.push({ path, text: `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}` });
    } else if (error.keyword === 'required') {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      drafts.push({ path, text: `must have the field '${missing}'`, missing });
    } else if (error.keyword === 'type') {
      drafts.push({ path, text: '', type: (error.params as { type: string }).type });
    } else drafts.push({ path, text: error.message ?? 'is not valid' });
  }
  const kept = drafts.filter((draft) => {
    const here = dotted(draft.path);
    // A type a oneOf alternative wanted, while the value is wrong inside the alternative it was meant as: noise.
    if (draft.type !== undefined) return !drafts.some((d) => d.type === undefined && under(d.path, draft.path));
    // "must have the field 'from'" beside "unknown field 'frm' (did you mean 'from'?)" says the same twice.
    return !(draft.missing && drafts.some((d) => d.unknown?.near === draft.missing && dotted(d.path) === here));
  });
  const out: SchemaProblem[] = [];
  const seen = new Set<string>();
  for (const draft of kept) {
    const here = dotted(draft.path);
    let text: string;
    if (draft.type !== undefined) {
      // The types every alternative wanted, in one line: "must be an array or an object".
      const types = [...new Set(kept.filter((d) => d.type !== undefined && dotted(d.path) === here).map((d) => d.type!))];
      text = `${here}: must be ${types.map((t) => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`)).join(' or ')}`;
    } else text = `${here}: ${draft.text}`;
    if (seen.has(text)) continue;
    seen.add(text);
    out.push({ path: draft.unknown ? [...draft.path, draft.unknown.name] : draft.path, text });
  }
  return out;
}

/** "line 6, column 9" of the value (or, for a key, the key) at `path` in YAML or JSON text; undefined when not found. */
export function locate(text: string, paths: (string | number)[][]): (string | undefined)[] {
  const lineCounter = new LineCounter();
  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = parseDocument(text, { lineCounter });
  } catch {
    return paths.map(() => undefined);
  }
  return paths.map((path) => {
    const parent = path.length ? (doc.getIn(path.slice(0, -1), true) as Node | undefined) : undefined;
    const last = path.at(-1);
    let node: { range?: [number, number, number] | null } | undefined;
    if (parent && isMap(parent)) {
      const pair = parent.items.find((item) => (item.key as { value?: unknown } | null)?.value === last);
      node = (pair?.key as typeof node) ?? undefined;
    } else {
      node = (path.length ? doc.getIn(path, true) : doc.contents) as typeof node;
    }
    const offset = node?.range?.[0];
    if (offset === undefined) return undefined;
    const { line, col } = lineCounter.linePos(offset);
    return `line ${line}, column ${col}`;
  });
}
