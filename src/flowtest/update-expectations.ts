// `switchboard test --update` (runFiles' `update`): rewrites the expectations that failed with what the flow did now, and
// nothing else. Passing tests are left alone (a test without expectations is not given any). In a
// failing expectation only the failing fields change to what happened: a message or request keeps
// every field the user checks (`to`, `status`, a body pattern…) that still holds, a subset check
// keeps its keys (one now unset becomes null: "not set"; a widget or variable name the flow does not
// have, a typo, is kept as written), a sequence keeps every element that still
// matches. Inline `expect` steps of the script are repaired against what the run had observed at
// that point. In a YAML file only the text of the values that change is replaced, in place: flow
// sequences stay on one line, quotes, spacing, comments, blank lines and every other test and mock
// are kept byte for byte. JSON test files are edited the same way (as the JSON they are).
import { readFileSync, writeFileSync } from 'node:fs';
import { isAlias, isMap, isPair, isScalar, isSeq, parseDocument, stringify, Scalar, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { bodyMatches, checkExpectations, expectationsFrom, jsonBody, parseStepText } from './expect.ts';
import { LoadError, parseTestFile, testName } from './load.ts';
import { matchesText, matchesUrlExactly, matchesValue } from './pattern.ts';
import type { TestResult } from './run-test.ts';
import type { EndExpectation, Expectations, MessageExpectation, Observation, ObservedMessage, ObservedRequest, ObservedStep, RequestExpectation, StepExpectation, TestCase, TestFile } from './types.ts';

/** Expectations compared as a subset of the execution's context. */
const SUBSET_KEYS = new Set(['variables', 'data', 'widgets']);
/** Expectations compared element by element with what happened, in order. */
const SEQUENCE_KEYS = new Set(['messages', 'heard', 'path', 'steps', 'requests']);
/** Above this many element comparisons a failing sequence is replaced whole instead of merged. */
const MERGE_LIMIT = 250_000;

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const own = (object: Record<string, unknown>, key: string): unknown => (Object.hasOwn(object, key) ? object[key] : undefined);

/** What --update changes in one test: its `expect`, and the `expect` of script steps by index. */
export interface TestUpdate {
  expect?: Expectations;
  script: Map<number, Expectations>;
}

/** Keys whose names (widgets, variables) may be typos: names the flow does not have. */
type NamedKey = 'widgets' | 'variables';

/** Names under `widgets` or `variables` that the flow does not have (typos), which --update keeps as written. */
export type NotInFlow = Partial<Record<NamedKey, ReadonlySet<string>>>;

/** A block's failing expectation keys, and the names its `widgets` and `variables` give that the flow does not have. */
interface FailedBlock {
  keys: Set<keyof Expectations>;
  notInFlow: Record<NamedKey, Set<string>>;
}

/** The failing expectations of a test, per block: '' for the test's `expect`, 'script[i]' for an inline one. */
function failedKeysByBlock(result: TestResult): Map<string, FailedBlock> {
  const blocks = new Map<string, FailedBlock>();
  for (const failure of result.failures) {
    const inline = /^(script\[\d+\])\.expect\.([a-z]+)/.exec(failure.field);
    const [block, key] = inline ? [inline[1]!, inline[2]!] : failure.field.startsWith('script[') || failure.field === 'runner' || failure.field === 'file' || /^(the file's )?mocks\./.test(failure.field) ? [null, null] : ['', failure.field.split('.')[0]!];
    if (block === null) continue;
    if (!blocks.has(block)) blocks.set(block, { keys: new Set(), notInFlow: { widgets: new Set(), variables: new Set() } });
    blocks.get(block)!.keys.add(key as keyof Expectations);
    if (key === 'widgets' || key === 'variables') for (const name of failure.notInFlow ?? []) blocks.get(block)!.notInFlow[key].add(name);
  }
  return blocks;
}

/** The test's expectations after --update; null when nothing changes (a passing test never changes). */
export function testUpdate(test: TestCase, result: TestResult): TestUpdate | null {
  if (result.status !== 'failed' || !result.observation) return null;
  const update: TestUpdate = { script: new Map() };
  for (const [block, { keys, notInFlow }] of failedKeysByBlock(result)) {
    if (block === '') {
      const next = repairedExpectations(test.expect ?? {}, keys, result.observation, notInFlow);
      if (next) update.expect = next;
      continue;
    }
    const index = Number(/\d+/.exec(block)![0]);
    const step = test.script?.[index];
    const observed = result.checkpoints?.get(index);
    if (!step || !('expect' in step) || !observed) continue;
    const next = repairedExpectations(step.expect, keys, observed, notInFlow);
    if (next) update.script.set(index, next);
  }
  return update.expect || update.script.size ? update : null;
}

/**
 * `current` with each failing key rewritten to hold for `observation`, keeping what still holds; null
 * when nothing changes. `notInFlow`: names under `widgets` that are no widget of the flow, and under
 * `variables` that neither the run nor the flow sets (typos), kept as they are: writing "not set" for
 * them would make the typo a passing check.
 */
export function repairedExpectations(current: Expectations, failedKeys: Set<keyof Expectations>, observation: Observation, notInFlow: NotInFlow = {}): Expectations | null {
  const next: Record<string, unknown> = { ...current };
  const before = current as Record<string, unknown>;
  for (const key of failedKeys) {
    if (key === 'end') next.end = repairedEnd(current.end, observation);
    else if ((key === 'widgets' || key === 'variables') && isObject(before[key]) && notInFlow[key]?.size) {
      const actual = contextPart(key, observation);
      const typos = notInFlow[key];
      next[key] = Object.fromEntries(Object.entries(before[key]).map(([name, value]) => [name, typos.has(name) ? value : project(value, isObject(actual) ? own(actual, name) : undefined)]));
    } else if (SUBSET_KEYS.has(key)) next[key] = isObject(before[key]) ? project(before[key], contextPart(key, observation)) : expectationsFrom(observation, [key])[key];
    // A `{ contains }` list names what matters among the rest: the run cannot say which of its items to write there.
    else if (SEQUENCE_KEYS.has(key) && isObject(before[key])) continue;
    else if (SEQUENCE_KEYS.has(key)) next[key] = Array.isArray(before[key]) ? mergeSequence(key, before[key], observation) : expectationsFrom(observation, [key])[key];
  }
  return same(next, current) ? null : (next as Expectations);
}

function repairedEnd(current: EndExpectation | undefined, observation: Observation): EndExpectation {
  const fresh = expectationsFrom(observation, ['end']).end!;
  if (typeof fresh === 'object' && typeof current === 'object' && current.message !== undefined && observation.error) {
    return { ...fresh, message: matchesText(current.message, observation.error.message) ? current.message : observation.error.message };
  }
  return fresh;
}

function contextPart(key: string, observation: Observation): unknown {
  const context = observation.context as { flow?: { variables?: unknown; data?: unknown }; widgets?: unknown };
  if (key === 'widgets') return context.widgets ?? {};
  return (key === 'variables' ? context.flow?.variables : context.flow?.data) ?? {};
}

/** The expected shape filled from `actual`: leaves that no longer match take the actual value, keys now unset become null ("not set"). */
function project(expected: unknown, actual: unknown): unknown {
  if (isObject(expected) && isObject(actual)) {
    return Object.fromEntries(Object.entries(expected).map(([key, value]) => [key, project(value, own(actual, key))]));
  }
  if (matchesValue(expected, actual)) return expected;
  return actual === undefined ? null : actual;
}

function observedSequence(key: string, observation: Observation): unknown[] {
  if (key === 'steps') return observation.steps.filter((s) => !s.subflow);
  return (observation[key as keyof Observation] as unknown[]) ?? [];
}

/**
 * The run's sequence, where each element that an expected one still matches (in order) keeps the
 * expected one, and an expected element that no longer matches, paired with the one that took its
 * place, keeps the fields that still hold and takes the actual values for the others.
 */
function mergeSequence(key: string, expected: unknown[], observation: Observation): unknown[] {
  const fresh = expectationsFrom(observation, [key as keyof Expectations])[key as keyof Expectations] as unknown[];
  const observed = observedSequence(key, observation);
  const n = expected.length;
  const m = fresh.length;
  if (n * m > MERGE_LIMIT || observed.length !== m) return fresh;
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
  let gapExpected: number[] = [];
  let gapActual: number[] = [];
  const flush = () => {
    gapActual.forEach((j, k) => out.push(k < gapExpected.length ? repairedElement(key, expected[gapExpected[k]!], observed[j], fresh[j]) : fresh[j]));
    gapExpected = [];
    gapActual = [];
  };
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && hit[i]![j]) {
      flush();
      out.push(expected[i++]);
      j++;
    } else if (j < m && (i >= n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) gapActual.push(j++);
    else gapExpected.push(i++);
  }
  flush();
  return out;
}

/** A body expectation made to match: a JSON one keeps its shape (the keys it checks) where the body is still JSON, else the text sent. */
function repairedBody(expected: NonNullable<RequestExpectation['body']>, actual: string | undefined): unknown {
  const parsed = typeof expected === 'string' ? undefined : jsonBody(actual);
  if (parsed === undefined) return actual ?? '';
  return isObject(expected) && isObject(parsed) ? project(expected, parsed) : parsed;
}

/** An expected element made to match `actual`: a pattern or text is replaced, an object keeps the fields that still hold. */
function repairedElement(key: string, expected: unknown, actual: unknown, fresh: unknown): unknown {
  if (key === 'messages' && isObject(expected)) {
    const e = expected as Exclude<MessageExpectation, string>;
    const a = actual as ObservedMessage;
    return {
      ...e,
      ...(e.body !== undefined && !matchesText(e.body, a.body) ? { body: a.body } : {}),
      ...(e.to !== undefined && !matchesText(e.to, a.to) ? { to: a.to } : {}),
      ...(e.from !== undefined && !matchesText(e.from, a.from) ? { from: a.from } : {}),
      ...(e.widget !== undefined && e.widget !== a.widget ? { widget: a.widget } : {}),
      ...(e.status !== undefined && e.status !== a.status ? { status: a.status } : {}),
      ...(e.media !== undefined && !matchesValue(e.media, a.media ?? []) ? { media: a.media ?? [] } : {}),
    };
  }
  if (key === 'requests' && isObject(expected)) {
    const e = expected as RequestExpectation;
    const a = actual as ObservedRequest;
    return {
      ...e,
      ...(e.method !== undefined && e.method.toUpperCase() !== a.method.toUpperCase() ? { method: a.method } : {}),
      ...(e.url !== undefined && !matchesUrlExactly(e.url, a.url) ? { url: a.url } : {}),
      ...(e.body !== undefined && !bodyMatches(e.body, a.body) ? { body: repairedBody(e.body, a.body) } : {}),
      ...(e.widget !== undefined && e.widget !== a.widget ? { widget: a.widget } : {}),
      ...(e.parameters !== undefined ? { parameters: project(e.parameters, a.parameters) } : {}),
    };
  }
  if (key === 'steps') {
    const e: Exclude<StepExpectation, string> = typeof expected === 'string' ? parseStepText(expected) : (expected as Exclude<StepExpectation, string>);
    const a = actual as ObservedStep;
    // A bare widget name stays a name; a full step text takes the actual step's text.
    if (typeof expected === 'string') return e.event === undefined ? a.from : fresh;
    return { from: a.from, ...(e.event !== undefined ? { event: a.event } : {}), ...(e.to !== undefined ? { to: a.to } : {}) };
  }
  return fresh;
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

/** Where an `expect` lives in the file: a test's, or a script step's. */
function parentPath(test: number, step: number | undefined): (string | number)[] {
  return step === undefined ? ['tests', test] : ['tests', test, 'script', step];
}

function at(data: unknown, path: (string | number)[]): Record<string, unknown> {
  return path.reduce<unknown>((value, key) => (value as Record<string | number, unknown>)[key], data) as Record<string, unknown>;
}

/**
 * The file's text with the `expect` of tests (and of their script steps) set to the new
 * expectations, changed in place. Everything that does not change keeps its exact text; the result
 * is checked by reading it back, and when an in-place edit is not possible (anchors and aliases, odd
 * layouts) the file is rewritten whole instead: YAML through the YAML library (comments kept), JSON
 * with two-space indentation.
 */
export function updateTestFileText(text: string, format: 'yaml' | 'json', updates: Map<number, TestUpdate>): string {
  const doc = parseDocument(text);
  const data = (format === 'json' ? JSON.parse(text) : doc.toJS()) as TestFile;
  const edits: { path: (string | number)[]; next: Expectations }[] = [];
  for (const [index, u] of updates) {
    if (u.expect) edits.push({ path: parentPath(index, undefined), next: u.expect });
    for (const [step, next] of u.script) edits.push({ path: parentPath(index, step), next });
  }
  const wanted = structuredClone(data);
  for (const { path, next } of edits) at(wanted, path).expect = next;
  if (doc.errors.length === 0) {
    try {
      const editor = new YamlEditor(text, format === 'json');
      for (const { path, next } of edits) {
        const parent = doc.getIn(path, true) as Node | undefined;
        if (!isMap(parent)) throw new CannotEdit('a test or step that is not a map');
        const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === 'expect');
        const before = at(data, path);
        if (pair?.value) editor.edit(pair.value as Node, before.expect ?? null, next, { inFlow: parent.flow === true, pair });
        else editor.edit(parent, before, { ...before, expect: next }, { inFlow: false });
      }
      const edited = editor.apply();
      if (readsBackAs(edited, format, wanted)) return edited;
    } catch (error) {
      if (!(error instanceof CannotEdit)) throw error;
    }
  }
  if (format === 'json') return JSON.stringify(wanted, null, 2) + '\n';
  for (const { path, next } of edits) doc.setIn([...path, 'expect'], doc.createNode(next));
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
 * --update for the files of a run: each failing test's expectations are repaired from its result
 * (tests are paired with results in file order, as the run made them) and written back. The files changed.
 */
export function updateExpectationFiles(files: string[], results: TestResult[], grep?: RegExp): string[] {
  return updateExpectations(files, results, grep).map((u) => u.path);
}

/** A file --update rewrote, and how many expectations (keys of a test's or a script step's `expect`) changed in it. */
export interface UpdatedFile {
  path: string;
  expectations: number;
}

/** The keys of `after` whose value is not that of `before`. */
function changedKeys(before: Expectations | undefined, after: Expectations): number {
  return Object.keys(after).filter((key) => !same((before as Record<string, unknown> | undefined)?.[key], (after as Record<string, unknown>)[key])).length;
}

/** updateExpectationFiles, saying how many expectations changed in each file. */
export function updateExpectations(files: string[], results: TestResult[], grep?: RegExp): UpdatedFile[] {
  const updated: UpdatedFile[] = [];
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
    const ran = parsed.file.tests.map((test, index) => ({ test, index })).filter(({ test, index }) => !grep || grep.test(testName(test, index)));
    const updates = new Map<number, TestUpdate>();
    ran.forEach(({ test, index }, k) => {
      const name = testName(test, index);
      const result = own[k]?.name === name ? own[k] : own.find((r) => r.name === name);
      // A test the schema rejects is not run: nothing to repair it from.
      if (!result || parsed.invalid.has(index)) return;
      const next = testUpdate(test, result);
      if (next) updates.set(index, next);
    });
    if (updates.size === 0) continue;
    writeFileSync(path, updateTestFileText(text, parsed.format, updates));
    let expectations = 0;
    for (const [index, u] of updates) {
      const test = parsed.file.tests[index]!;
      if (u.expect) expectations += changedKeys(test.expect, u.expect);
      for (const [step, next] of u.script) expectations += changedKeys((test.script?.[step] as { expect?: Expectations } | undefined)?.expect, next);
    }
    updated.push({ path, expectations });
  }
  return updated;
}
