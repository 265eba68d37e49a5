// Whole floats in JSON: `{"price": 10.0}` from an HTTP widget's response. Ruby's JSON reads 10.0 as a Float, so
// `{{widgets.http.parsed.price}}` prints `10.0` in Studio's Liquid; JSON.parse gives the number 10, which prints
// `10`. The outputs keep the number (the API's context shows 10, as JSON writes no `.0`); the frame records where
// such floats are (Frame.floatPaths), and the Liquid context marks them (context.ts), as Set Variables' floats are.
import type { FloatMark, Json, JsonObject } from './types.ts';

/** Where a value sits inside a widget's outputs: member names and array indexes, from the outputs down. */
export type JsonPath = (string | number)[];

/**
 * Whether JSON text may hold a whole number written as a float: a decimal point followed by zeros only (`2.0`,
 * `10.00`), or an exponent (`1e3`, `2.5E1`). A cheap test (text in strings may match too) before the parse that
 * finds them.
 */
export function mayHoldWholeFloats(text: string): boolean {
  return /\d\.0+(?![0-9])|\d[eE][-+]?\d/.test(text);
}

/** A parsed whole float, until the walk below records where it is. */
class WholeFloat {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
}

function wholeFloatReviver(_key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value === 'number' && Number.isInteger(value) && context?.source !== undefined && /[.eE]/.test(context.source)) return new WholeFloat(value);
  return value;
}

/**
 * The paths of the whole floats in JSON text (none when it does not parse); at most `limit` of them, since they are
 * kept in the execution's state, which every sprint writes (a response with more prints the rest as integers).
 */
export function wholeFloatPaths(text: string, limit = 256): JsonPath[] {
  let root: unknown;
  try {
    root = JSON.parse(text, wholeFloatReviver as Parameters<typeof JSON.parse>[1]);
  } catch {
    return [];
  }
  const paths: JsonPath[] = [];
  const stack: [unknown, JsonPath][] = [[root, []]];
  while (stack.length > 0 && paths.length < limit) {
    const [node, path] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    const entries: [string | number, unknown][] = Array.isArray(node) ? node.map((v, i) => [i, v]) : Object.entries(node);
    for (const [key, child] of entries) {
      if (paths.length >= limit) break;
      if (child instanceof WholeFloat) paths.push([...path, key]);
      else if (child !== null && typeof child === 'object') stack.push([child, [...path, key]]);
    }
  }
  return paths.sort(comparePaths);
}

function comparePaths(a: JsonPath, b: JsonPath): number {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Where `value`, parsed from JSON `text`, holds whole floats: paths down to them, or one empty path when the text
 * is one number written so (`5.0`). None when the text cannot hold one.
 */
export function jsonFloatPaths(text: string, value: Json): JsonPath[] {
  if (!mayHoldWholeFloats(text)) return [];
  if (typeof value === 'number') return /^\s*-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?\s*$/.test(text) && /[.eE]/.test(text) ? [[]] : [];
  if (value === null || typeof value !== 'object') return [];
  return wholeFloatPaths(text).filter((path) => typeof valueAt(value, path) === 'number');
}

/** The member a float mark (Frame.floatVariables) is in: the member itself, or a path's first step. */
export function markedMember(mark: FloatMark): string {
  return typeof mark === 'string' ? mark : String(mark[0]);
}

/** The value at `path` in `value`, own members only; undefined where there is none. */
export function valueAt(value: unknown, path: JsonPath): unknown {
  let node = value;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    if (Array.isArray(node) ? typeof key !== 'number' : !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

/**
 * The whole floats in an HTTP widget's `parsed` output, read from its `body` (the response text it was parsed
 * from): the paths, from the outputs down, where `parsed` still holds that number (Run Function merges a new
 * response into the last one's `parsed`, so some may be another response's). None for other outputs.
 */
export function responseFloatPaths(outputs: JsonObject): JsonPath[] {
  const body: Json | undefined = outputs.body;
  const parsed: Json | undefined = outputs.parsed;
  if (typeof body !== 'string' || parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || !mayHoldWholeFloats(body)) return [];
  return wholeFloatPaths(body)
    .filter((path) => typeof valueAt(parsed, path) === 'number')
    .map((path) => ['parsed', ...path]);
}
