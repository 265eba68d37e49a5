// `switchboard test --update` (runFiles' `update`): rewrites the expectations that failed with what the flow did now, and
// nothing else. In a YAML file only the text of the values that change is replaced, in place: flow
// sequences stay on one line, quotes, spacing, comments, blank lines and every other test and mock
// are kept byte for byte. Within a failing expectation the parts that still hold are kept too: a
// variable that still matches, a message that still matches its pattern. JSON test files are edited
// the same way (as the JSON they are).
import { readFileSync, writeFileSync } from 'node:fs';
import { isAlias, isMap, isPair, isScalar, isSeq, parseDocument, stringify, Scalar, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { checkExpectations, expectationsFrom } from './expect.ts';
import { LoadError, parseTestFile } from './load.ts';
import { matchesValue } from './pattern.ts';
import type { TestResult } from './run-test.ts';
import type { Expectations, Observation, TestFile } from './types.ts';

const DEFAULT_KEYS: (keyof Expectations)[] = ['messages', 'path', 'end'];

/** New expectations: a failed test's failing keys change; a test without any gets the defaults. */
export function updatedExpectations(current: Expectations | undefined, result: TestResult): Expectations | null {
  if (!result.observation) return null;
  if (!current || Object.keys(current).length === 0) return expectationsFrom(result.observation, DEFAULT_KEYS);
  if (result.status !== 'failed') return null;
  const failedKeys = new Set(result.failures.filter((f) => !f.field.startsWith('script[') && f.field !== 'runner').map((f) => f.field.split('.')[0] as keyof Expectations));
  if (failedKeys.size === 0) return null;
  const fresh = expectationsFrom(result.observation, [...failedKeys]);
  const next: Expectations = { ...current, ...fresh };
  if (failedKeys.has('widgets') && current.widgets && fresh.widgets) {
    next.widgets = Object.fromEntries(Object.keys(current.widgets).filter((k) => k in fresh.widgets!).map((k) => [k, fresh.widgets![k]!]));
  }
  return next;
}

/** Expectations compared as a subset of the execution's context. */
const SUBSET_KEYS = new Set(['variables', 'data', 'widgets']);
/** Expectations compared element by element with what happened, in order. */
const SEQUENCE_KEYS = new Set(['messages', 'heard', 'path', 'steps', 'requests']);
/** Above this many element comparisons a failing sequence is replaced whole instead of merged. */
const MERGE_LIMIT = 250_000;

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * What a test's expectations become: null when nothing changes. A test without expectations gets the
 * defaults (messages, path, end); a failing one gets its failing keys from the run, keeping what still
 * holds in them: the subset keys keep only the paths they named, with the values that failed replaced;
 * a sequence keeps every element that still matches (patterns included) and takes the run's for the rest.
 */
export function nextExpectations(current: Expectations | undefined, result: TestResult): Expectations | null {
  const base = updatedExpectations(current, result);
  if (!base || !current || Object.keys(current).length === 0 || !result.observation) return base;
  const observation = result.observation;
  const next: Record<string, unknown> = { ...base };
  const before = current as Record<string, unknown>;
  for (const key of Object.keys(base)) {
    if (same(next[key], before[key])) continue;
    if (SUBSET_KEYS.has(key) && isObject(before[key])) next[key] = project(before[key], contextPart(key, observation));
    else if (SEQUENCE_KEYS.has(key) && Array.isArray(before[key]) && Array.isArray(next[key])) next[key] = mergeSequence(key, before[key], next[key] as unknown[], observation);
  }
  return next as Expectations;
}

function contextPart(key: string, observation: Observation): unknown {
  const context = observation.context as { flow?: { variables?: unknown; data?: unknown }; widgets?: unknown };
  if (key === 'widgets') return context.widgets ?? {};
  return (key === 'variables' ? context.flow?.variables : context.flow?.data) ?? {};
}

/** The expected shape filled from `actual`: keys it names that are gone are dropped, leaves that no longer match take the actual value. */
function project(expected: unknown, actual: unknown): unknown {
  if (isObject(expected) && isObject(actual)) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(expected)) if (Object.hasOwn(actual, key)) out[key] = project(value, actual[key]);
    return out;
  }
  return matchesValue(expected, actual) ? expected : actual;
}

/** The run's sequence, where each element that an expected one still matches (in order) keeps the expected one. */
function mergeSequence(key: string, expected: unknown[], fresh: unknown[], observation: Observation): unknown[] {
  const n = expected.length;
  const m = fresh.length;
  if (n * m > MERGE_LIMIT) return fresh;
  const observed = (key === 'steps' ? observation.steps.filter((s) => !s.subflow) : (observation[key as keyof Observation] as unknown[])) ?? [];
  if (observed.length !== m) return fresh;
  const matches = (e: unknown, j: number) => checkExpectations({ [key]: [e] } as Expectations, { ...observation, [key]: [observed[j]] } as Observation).length === 0;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  const hit: boolean[][] = Array.from({ length: n }, () => new Array<boolean>(m).fill(false));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      hit[i]![j] = matches(expected[i], j);
      lcs[i]![j] = hit[i]![j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (j < m) {
    if (i < n && hit[i]![j]) out.push(expected[i++]), j++;
    else if (i < n && lcs[i + 1]![j]! >= lcs[i]![j + 1]!) i++;
    else out.push(fresh[j++]);
  }
  return out;
}

// ---- in-place YAML edits

/** The edit cannot be made in place at this level; the caller replaces the enclosing value instead. */
class CannotEdit extends Error {}

interface Edit {
  start: number;
  end: number;
  text: string;
}

interface Context {
  /** Inside a flow collection ([…] or {…}): everything must stay on the line. */
  inFlow: boolean;
  /** The pair whose value this is, if any. */
  pair?: Pair<unknown, unknown>;
}

type Quote = Scalar.Type | undefined;

class YamlEditor {
  readonly edits: Edit[] = [];
  readonly text: string;
  /** The text is JSON (which YAML reads too): whatever is written must be JSON as well. */
  readonly json: boolean;

  constructor(text: string, json = false) {
    this.text = text;
    this.json = json;
  }

  apply(): string {
    const sorted = [...this.edits].sort((a, b) => b.start - a.start || b.end - a.end);
    let out = this.text;
    let limit = Infinity;
    for (const edit of sorted) {
      if (edit.end > limit) throw new CannotEdit('overlapping edits');
      out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
      limit = edit.start;
    }
    return out;
  }

  /** Changes `node` (holding `before`) so that it holds `after`, touching as little text as possible. */
  edit(node: Node | null | undefined, before: unknown, after: unknown, ctx: Context): void {
    if (same(before, after)) return;
    if (!node || isAlias(node) || node.anchor) throw new CannotEdit('an alias or anchor');
    const mark = this.edits.length;
    try {
      if (isMap(node) && isObject(before) && isObject(after) && node.items.length > 0 && Object.keys(after).length > 0) return this.#editMap(node, before, after, ctx);
      if (isSeq(node) && Array.isArray(before) && Array.isArray(after) && node.items.length > 0 && after.length > 0) return this.#editSeq(node, before, after, ctx);
    } catch (error) {
      if (!(error instanceof CannotEdit)) throw error;
      this.edits.length = mark;
    }
    this.replace(node, after, ctx);
  }

  #editMap(node: YAMLMap, before: Record<string, unknown>, after: Record<string, unknown>, ctx: Context): void {
    const keys = node.items.map((pair) => (isScalar(pair.key) ? String(pair.key.value) : undefined));
    if (keys.some((k) => k === undefined) || new Set(keys).size !== keys.length) throw new CannotEdit('complex or repeated keys');
    const inner = { inFlow: ctx.inFlow || node.flow === true };
    const removed: number[] = [];
    node.items.forEach((pair, index) => {
      const key = keys[index]!;
      if (!Object.hasOwn(after, key)) removed.push(index);
      else this.edit(pair.value as Node | null, before[key], after[key], { ...inner, pair });
    });
    this.#remove(node, removed);
    const added = Object.keys(after).filter((key) => !keys.includes(key));
    if (added.length) this.#insert(node, node.items.length - 1, added.map((key) => ({ key, value: after[key] })));
  }

  #editSeq(node: YAMLSeq, before: unknown[], after: unknown[], ctx: Context): void {
    const inner = { inFlow: ctx.inFlow || node.flow === true };
    const items = node.items as Node[];
    if (before.length === after.length) {
      items.forEach((item, i) => this.edit(item, before[i], after[i], inner));
      return;
    }
    // Align what stayed; between two kept elements, changed ones are edited pairwise, the rest removed or inserted.
    const n = before.length;
    const m = after.length;
    if (n * m > MERGE_LIMIT) throw new CannotEdit('too long to align');
    const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
    for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i]![j] = same(before[i], after[j]) ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    const removed: number[] = [];
    let gapOld: number[] = [];
    let gapNew: number[] = [];
    let anchor = -1; // the last element kept or edited before the gap
    const flush = () => {
      const pairs = Math.min(gapOld.length, gapNew.length);
      for (let k = 0; k < pairs; k++) this.edit(items[gapOld[k]!], before[gapOld[k]!], after[gapNew[k]!], inner);
      if (pairs > 0) anchor = gapOld[pairs - 1]!;
      removed.push(...gapOld.slice(pairs));
      const inserted = gapNew.slice(pairs).map((j) => ({ value: after[j] }));
      if (inserted.length) this.#insert(node, anchor, inserted);
      gapOld = [];
      gapNew = [];
    };
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && same(before[i], after[j])) {
        flush();
        anchor = i;
        i++;
        j++;
      } else if (j < m && (i >= n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) gapNew.push(j++);
      else gapOld.push(i++);
    }
    flush();
    this.#remove(node, removed);
  }

  /** Where an item's text starts: a pair's key, or a block sequence item's dash. */
  #itemStart(node: YAMLMap | YAMLSeq, index: number): number {
    const item = node.items[index] as Node | Pair<Node, Node>;
    if (isPair(item)) {
      if (!item.key || !(item.key as Node).range) throw new CannotEdit('a pair without a key');
      return (item.key as Node).range![0];
    }
    const start = (item as Node).range![0];
    if (node.flow) return start;
    let at = start - 1;
    while (at >= 0 && /[ \t\r\n]/.test(this.text[at]!)) at--;
    if (this.text[at] !== '-') throw new CannotEdit('no dash');
    return at;
  }

  #itemEnd(item: unknown): number {
    if (isPair(item)) {
      const value = item.value as Node | null;
      if (value?.range) return this.#contentEnd(value);
      return (item.key as Node).range![1];
    }
    return this.#contentEnd(item as Node);
  }

  /** The end of a value's own text: without the newline, comments and blank lines a block collection's range takes in. */
  #contentEnd(node: Node): number {
    if ((isMap(node) || isSeq(node)) && !node.flow && node.items.length > 0) return this.#itemEnd(node.items[node.items.length - 1]);
    let end = node.range![1];
    if (isScalar(node) && (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED)) {
      while (end > node.range![0] && /[\r\n]/.test(this.text[end - 1]!)) end--;
    }
    return end;
  }

  #lineStart(pos: number): number {
    return this.text.lastIndexOf('\n', pos - 1) + 1;
  }

  /** The end of the line `pos` is on (the index of its newline, or the end of the text). */
  #lineEnd(pos: number): number {
    const at = this.text.indexOf('\n', pos);
    return at === -1 ? this.text.length : at;
  }

  #onlySpaceBefore(pos: number): boolean {
    return /^[ \t]*$/.test(this.text.slice(this.#lineStart(pos), pos));
  }

  #remove(node: YAMLMap | YAMLSeq, indices: number[]): void {
    if (indices.length === 0) return;
    const count = node.items.length;
    if (indices.length === count) throw new CannotEdit('everything removed');
    const gone = new Set(indices);
    if (node.flow) {
      // Runs of removed items: up to the next kept item, or (at the end) from the last kept one.
      let i = 0;
      while (i < count) {
        if (!gone.has(i)) {
          i++;
          continue;
        }
        let last = i;
        while (last + 1 < count && gone.has(last + 1)) last++;
        if (last + 1 < count) this.edits.push({ start: this.#itemStart(node, i), end: this.#itemStart(node, last + 1), text: '' });
        else this.edits.push({ start: this.#itemEnd(node.items[i - 1]), end: this.#itemEnd(node.items[last]), text: '' });
        i = last + 1;
      }
      return;
    }
    for (const index of indices) {
      const start = this.#itemStart(node, index);
      if (!this.#onlySpaceBefore(start)) throw new CannotEdit('shares its line');
      const end = this.#lineEnd(this.#itemEnd(node.items[index]));
      this.edits.push({ start: this.#lineStart(start), end: Math.min(end + 1, this.text.length), text: '' });
    }
  }

  /** New items after item `after` (-1: before the first): pairs when `key` is given, else sequence elements. */
  #insert(node: YAMLMap | YAMLSeq, after: number, items: { key?: string; value: unknown }[]): void {
    const quote = this.json ? Scalar.QUOTE_DOUBLE : siblingQuote(node);
    if (node.flow) {
      const pad = flowPadding(this.text, node, this.json);
      const text = items.map(({ key, value }) => (key === undefined ? '' : `${this.json ? JSON.stringify(key) : scalarText(key, undefined, true)}: `) + flowText(value, quote, pad)).join(', ');
      if (after >= 0) this.edits.push({ start: this.#itemEnd(node.items[after]), end: this.#itemEnd(node.items[after]), text: `, ${text}` });
      else this.edits.push({ start: this.#itemStart(node, 0), end: this.#itemStart(node, 0), text: `${text}, ` });
      return;
    }
    const first = this.#itemStart(node, 0);
    // A map that is a sequence element starts on the dash's line (`- name: …`): its keys' column is still that of the first.
    if (after < 0 && !this.#onlySpaceBefore(first)) throw new CannotEdit('shares its line');
    const column = first - this.#lineStart(first);
    const indent = ' '.repeat(column);
    const lines = items.map(({ key, value }) => indent + (key === undefined ? `- ${blockItem(value, column + 2, quote)}` : blockPair(key, value, column, quote)));
    if (after >= 0) {
      const at = this.#lineEnd(this.#itemEnd(node.items[after]));
      this.edits.push({ start: at, end: at, text: lines.map((line) => `\n${line}`).join('') });
    } else {
      const at = this.#lineStart(first);
      this.edits.push({ start: at, end: at, text: lines.map((line) => `${line}\n`).join('') });
    }
  }

  /** Replaces a whole value, in the style around it: on one line in a flow collection or for a scalar, as a block for a block collection. */
  replace(node: Node, value: unknown, ctx: Context): void {
    if (isAlias(node) || node.anchor) throw new CannotEdit('an alias or anchor');
    const start = node.range![0];
    const end = this.#contentEnd(node);
    const quote = this.json ? Scalar.QUOTE_DOUBLE : isScalar(node) ? node.type : siblingQuote(node);
    const blockCollection = (isMap(node) || isSeq(node)) && !node.flow && !ctx.inFlow;
    const compound = value !== null && typeof value === 'object';
    const empty = compound && (Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0);
    const nothingYet = (isMap(node) || isSeq(node)) ? node.items.length === 0 : isScalar(node) && node.value === null;
    if (compound && !empty && nothingYet && !ctx.inFlow && ctx.pair) {
      // `expect: {}` or `expect:` gaining content: no style to keep, so a block under the key like the rest of the file.
      const key = (ctx.pair.key as Node).range![0];
      const colon = this.text.indexOf(':', (ctx.pair.key as Node).range![1]);
      if (colon === -1 || colon >= Math.max(start, end)) throw new CannotEdit('no colon');
      const column = key - this.#lineStart(key) + 2;
      this.edits.push({ start: colon + 1, end, text: `\n${' '.repeat(column)}${blockText(value, column)}` });
      return;
    }
    if (!compound || !blockCollection || empty) {
      let text: string;
      if (!compound) text = isScalar(node) && !this.json ? scalarInPlace(this.text, node, value, ctx.inFlow, this.#lineStart(start)) : scalarText(value, quote, ctx.inFlow);
      else text = flowText(value, quote, flowPadding(this.text, node, this.json));
      if (blockCollection && ctx.pair) {
        // `key:` then the block: the new value goes after the colon.
        const colon = this.text.indexOf(':', (ctx.pair.key as Node).range![1]);
        if (colon === -1 || colon >= start) throw new CannotEdit('no colon');
        this.edits.push({ start: colon + 1, end, text: ` ${text}` });
        return;
      }
      const space = start > 0 && this.text[start - 1] === ':' ? ' ' : '';
      this.edits.push({ start, end, text: space + text });
      return;
    }
    // A block collection that shares its first line (`- key: value`) continues at the same column.
    const column = start - this.#lineStart(start);
    this.edits.push({ start, end, text: blockText(value, column) });
  }
}

/** The quoting of the first string scalar in a collection: new strings beside it look the same. */
function siblingQuote(node: Node): Quote {
  if (!isMap(node) && !isSeq(node)) return undefined;
  for (const item of node.items as unknown[]) {
    const value = isPair(item) ? item.value : item;
    if (isScalar(value) && typeof value.value === 'string') return value.type;
  }
  return undefined;
}

/** Spaces inside flow brackets (`[ a ]` or `[a]`, `{ k: v }` or `{k: v}`); JSON quotes every key and string. */
interface Padding {
  seq: boolean;
  map: boolean;
  json?: boolean;
}

/** The padding a flow collection and its flow children use (sequences unpadded and maps padded where none shows). */
function flowPadding(text: string, node: Node, json = false): Padding {
  const padding = { seq: false, map: true, json };
  const visit = (n: unknown) => {
    if (!(isMap(n) || isSeq(n)) || !n.flow || n.items.length === 0) return;
    padding[isMap(n) ? 'map' : 'seq'] = text[n.range![0] + 1] === ' ';
  };
  // Children first, so the collection's own padding wins for its kind.
  if (isMap(node) || isSeq(node)) for (const item of node.items as unknown[]) visit(isPair(item) ? item.value : item);
  visit(node);
  return padding;
}

/** Whether `text` reads back as itself, unquoted, in a block and in a flow collection. */
function plainSafe(text: string, inFlow: boolean): boolean {
  if (text === '' || text !== text.trim() || /[\u0000-\u001f\u007f\u0085\u2028\u2029]/.test(text) || text.includes(' #') || text.includes(': ') || text.endsWith(':')) return false;
  if (inFlow && /[,[\]{}]/.test(text)) return false;
  const readsBack = (source: string) => {
    try {
      const doc = parseDocument(source);
      return doc.errors.length === 0 && doc.warnings.length === 0 && same(doc.toJS(), [text]);
    } catch {
      return false; // e.g. `*x`: an alias to nothing
    }
  };
  return readsBack(`- ${text}\n`) && (!inFlow || readsBack(`[${text}]`));
}

/** A scalar on one line, quoted like `quote` where that can hold it. */
export function scalarText(value: unknown, quote: Quote, inFlow: boolean): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : JSON.stringify(String(value));
  if (typeof value === 'boolean') return String(value);
  const text = String(value);
  if (quote === Scalar.QUOTE_DOUBLE) return JSON.stringify(text);
  if (quote === Scalar.QUOTE_SINGLE && !/[\u0000-\u001f\u007f\u0085\u2028\u2029]/.test(text)) return `'${text.replace(/'/g, "''")}'`;
  return plainSafe(text, inFlow) ? text : JSON.stringify(text);
}

/** A replacement for a scalar: a block scalar (`|`) stays one when the new text has lines; everything else on one line. */
function scalarInPlace(source: string, node: Scalar, value: unknown, inFlow: boolean, lineStart: number): string {
  if (typeof value === 'string' && (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED) && value.includes('\n') && !/^[ \t]|[ \t]$/m.test(value) && !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(value)) {
    const original = source.slice(node.range![0], node.range![1]);
    const indent = /\n([ \t]+)\S/.exec(original)?.[1] ?? ' '.repeat(node.range![0] - lineStart + 2);
    const body = value.replace(/\n+$/, '');
    const trailing = value.length - body.length;
    const chomp = trailing === 0 ? '-' : trailing === 1 ? '' : '+';
    return `|${chomp}\n${body.split('\n').map((line) => (line === '' ? '' : indent + line)).join('\n')}${'\n'.repeat(Math.max(trailing - 1, 0))}`;
  }
  return scalarText(value, node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED ? Scalar.QUOTE_DOUBLE : node.type, inFlow);
}

/** A value on one line as YAML flow: `[a, b]`, `{ k: v }`. */
export function flowText(value: unknown, quote: Quote, pad: Padding = { seq: false, map: true }): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const inner = value.map((v) => flowText(v, quote, pad)).join(', ');
    return pad.seq ? `[ ${inner} ]` : `[${inner}]`;
  }
  if (isObject(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    const inner = entries.map(([k, v]) => `${pad.json ? JSON.stringify(k) : scalarText(k, undefined, true)}: ${flowText(v, quote, pad)}`).join(', ');
    return pad.map ? `{ ${inner} }` : `{${inner}}`;
  }
  return scalarText(value, quote, true);
}

/** A value as block YAML whose first line continues where it is put and whose other lines start at `column`. */
function blockText(value: unknown, column: number): string {
  const text = stringify(value, { lineWidth: 0 }).replace(/\n$/, '');
  return text.split('\n').map((line, i) => (i === 0 || line === '' ? line : ' '.repeat(column) + line)).join('\n');
}

/** A sequence element after its `- `: a scalar in the style of its siblings, a collection as a block. */
function blockItem(value: unknown, column: number, quote: Quote): string {
  if (value === null || typeof value !== 'object') return scalarText(value, quote, false);
  return blockText(value, column);
}

function blockPair(key: string, value: unknown, column: number, quote: Quote): string {
  const name = scalarText(key, undefined, false);
  const empty = value !== null && typeof value === 'object' && (Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0);
  if (value === null || typeof value !== 'object' || empty) return `${name}: ${empty ? flowText(value, quote) : scalarText(value, quote, false)}`;
  return `${name}:\n${' '.repeat(column + 2)}${blockText(value, column + 2)}`;
}

/**
 * The file's text with each test's `expect` set to the new expectations, changed in place. Everything
 * that does not change keeps its exact text; the result is checked by reading it back, and when an
 * in-place edit is not possible (anchors and aliases, odd layouts) the file is rewritten whole instead:
 * YAML through the YAML library (comments kept), JSON with two-space indentation.
 */
export function updateTestFileText(text: string, format: 'yaml' | 'json', updates: Map<number, Expectations>): string {
  const doc = parseDocument(text);
  const data = (format === 'json' ? JSON.parse(text) : doc.toJS()) as TestFile;
  const wanted = structuredClone(data);
  for (const [index, next] of updates) wanted.tests[index]!.expect = next;
  if (doc.errors.length === 0) {
    try {
      const editor = new YamlEditor(text, format === 'json');
      for (const [index, next] of updates) {
        const test = doc.getIn(['tests', index], true) as Node | undefined;
        if (!isMap(test)) throw new CannotEdit('a test that is not a map');
        const pair = test.items.find((p) => isScalar(p.key) && p.key.value === 'expect');
        const before = data.tests[index]!.expect;
        if (pair?.value) editor.edit(pair.value as Node, before ?? null, next, { inFlow: test.flow === true, pair });
        else editor.edit(test, data.tests[index], { ...data.tests[index], expect: next }, { inFlow: false });
      }
      const edited = editor.apply();
      if (readsBackAs(edited, format, wanted)) return edited;
    } catch (error) {
      if (!(error instanceof CannotEdit)) throw error;
    }
  }
  if (format === 'json') return JSON.stringify(wanted, null, 2) + '\n';
  for (const [index, next] of updates) doc.setIn(['tests', index, 'expect'], doc.createNode(next));
  return String(doc);
}

function readsBackAs(text: string, format: 'yaml' | 'json', wanted: unknown): boolean {
  try {
    if (format === 'json') return same(JSON.parse(text), wanted);
    const doc = parseDocument(text);
    return doc.errors.length === 0 && same(doc.toJS(), wanted);
  } catch {
    return false;
  }
}

/**
 * --update for the files of a run: each test's expectations are recomputed from its result (tests
 * are paired with results in file order, as the run made them) and written back. The files changed.
 */
export function updateExpectationFiles(files: string[], results: TestResult[], grep?: RegExp): string[] {
  const updated: string[] = [];
  for (const path of files) {
    const own = results.filter((r) => r.file === path && r.name !== '(load)');
    if (own.length === 0) continue;
    let text: string;
    let parsed: ReturnType<typeof parseTestFile>;
    try {
      text = readFileSync(path, 'utf8');
      parsed = parseTestFile(path, text);
    } catch (error) {
      if (error instanceof LoadError || (error as { code?: string }).code === 'ENOENT') continue;
      throw error;
    }
    const ran = parsed.file.tests.map((test, index) => ({ test, index })).filter(({ test }) => !grep || grep.test(test.name));
    const updates = new Map<number, Expectations>();
    ran.forEach(({ test, index }, k) => {
      const result = own[k]?.name === test.name ? own[k] : own.find((r) => r.name === test.name);
      if (!result) return;
      const next = nextExpectations(test.expect, result);
      if (next) updates.set(index, next);
    });
    if (updates.size === 0) continue;
    writeFileSync(path, updateTestFileText(text, parsed.format, updates));
    updated.push(path);
  }
  return updated;
}
