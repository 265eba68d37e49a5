// A readable change between two flow definitions: widgets added, removed and changed (type,
// properties, transitions and split conditions), not raw JSON. Canvas offsets are layout, not
// behaviour, and are ignored unless asked for.
import type { FlowDefinition, State, Transition } from '../definition/types.ts';
import { runnableShape } from '../definition/runnable-shape.ts';
import { isPlainObject } from '../definition/parse.ts';

export type WidgetChange =
  /** `duplicate`: the file has other widgets of this name (an invalid definition, shown rather than hidden). */
  | { kind: 'added'; widget: string; type: string; transitions: string[]; duplicate?: true }
  | { kind: 'removed'; widget: string; type: string; duplicate?: true }
  | { kind: 'changed'; widget: string; type: string; details: string[] };

export interface FlowDiff {
  /** No change to widgets, transitions or the flow's settings (canvas offsets only count with `layout`). */
  same: boolean;
  /**
   * `same`, and the JSON is the same too (key order aside). A definition that is `same` but not
   * identical differs only where behaviour does not: canvas offsets, the order of widgets or of
   * non-match transitions, `$schema`, unknown fields, `next: ""` for no `next`.
   */
  identical: boolean;
  flow: string[];
  widgets: WidgetChange[];
}

/** Longest value a diff line shows, in characters (code points). */
const MAX = 120;
/** Characters kept before the first difference when a long value is shown around it. */
const BEFORE_DIFFERENCE = 40;

const json = (value: unknown): string => JSON.stringify(value ?? null);

/** A text cut to MAX characters, ending in "…" when cut (by code point, never halving a character). */
function clip(text: string): string {
  const chars = Array.from(text);
  return chars.length > MAX ? chars.slice(0, MAX - 3).join('') + '…' : text;
}

const short = (value: unknown): string => clip(json(value));

/**
 * Two texts of a change, each at most about MAX characters. Cut from the start, two long texts that
 * differ only near their end would print alike; then both show a window around the first character
 * that differs, "…" marking each side that was cut, so the change is always visible.
 */
export function clipPair(before: string, after: string): [string, string] {
  const a = Array.from(before);
  const b = Array.from(after);
  if (a.length <= MAX && b.length <= MAX) return [before, after];
  let first = 0;
  while (first < a.length && first < b.length && a[first] === b[first]) first++;
  // Seen in the plain cut on both sides: the usual case keeps the start of the value.
  if (first < MAX - 3 - 12) return [clip(before), clip(after)];
  const start = first - BEFORE_DIFFERENCE;
  const window = (chars: string[]) => {
    const end = Math.min(chars.length, start + MAX - 2);
    return '…' + chars.slice(start, end).join('') + (end < chars.length ? '…' : '');
  };
  return [window(a), window(b)];
}

/**
 * An integer beyond ±2^53 as the text of its digits. JSON.parse rounds such a literal in a flow file, the
 * CLI sends the rounded number, and a Switchboard keeps it as the string of those digits (README,
 * "Integers beyond a double's precision"): the file and the server's flow then differed forever, so every
 * `flows push` made a new revision and `flows diff` never came back clean. Compared as the same value.
 */
function largeIntegerText(value: number): string | number {
  if (!Number.isInteger(value) || Number.isSafeInteger(value)) return value;
  const text = JSON.stringify(value);
  return /^-?\d+$/.test(text) ? text : value;
}

/**
 * Text as a Switchboard stores it: a lone UTF-16 surrogate (a `"\ud800"` escape in a file) becomes U+FFFD
 * there (README, "Ill-formed text"), so a file holding one never matched the server's flow either.
 */
const wellFormed = (text: string): string => (text.isWellFormed() ? text : text.toWellFormed());

/** `value` with every string and key well formed: itself when all are (the usual case), else a copy. */
function wellFormedCopy(value: unknown): unknown {
  if (typeof value === 'string') return wellFormed(value);
  if (value === null || typeof value !== 'object') return value;
  let changed = false;
  if (Array.isArray(value)) {
    const items = value.map((item) => {
      const fixed = wellFormedCopy(item);
      changed ||= fixed !== item;
      return fixed;
    });
    return changed ? items : value;
  }
  const entries = Object.entries(value).map(([key, item]) => {
    const [fixedKey, fixed] = [wellFormed(key), wellFormedCopy(item)];
    changed ||= fixedKey !== key || fixed !== item;
    return [fixedKey, fixed] as const;
  });
  return changed ? Object.fromEntries(entries) : value;
}

/**
 * JSON with object keys sorted, at every depth: key order is not content (nor an integer beyond 2^53
 * written as a number or as its digits, nor a lone surrogate written as itself or as U+FFFD).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'number'
      ? largeIntegerText(v)
      : typeof v === 'string'
        ? wellFormed(v)
        : v !== null && typeof v === 'object' && !Array.isArray(v)
          ? Object.fromEntries(Object.entries(v).map(([k, item]) => [wellFormed(k), item] as const).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
          : v,
  ) ?? 'null';
}

/**
 * Whether two definitions are the same document (key order aside): what `flows push` decides on,
 * since any difference — canvas offsets, an unused field, `next: ""` for a missing one — is a change
 * the server should get, shown in the readable diff or not.
 */
export function sameDefinition(a: FlowDefinition, b: FlowDefinition): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/**
 * How a transition is named in the diff: its event, and for a split's `match` transitions (many share
 * the event) always the condition's friendly name — whether or not the other file has several — so the
 * same transition reads the same in both files.
 */
function transitionLabel(t: Transition): string {
  const conditions = t.conditions ?? [];
  if (conditions.length === 0) return t.event;
  return `${t.event} (${conditions.map((c) => c.friendly_name || `${c.type} ${short(c.value)}`).join(', ')})`;
}

const target = (t: Transition | undefined) => (t?.next ? t.next : 'Ended');

/**
 * A transition's conditions in full (no value cut short, so a change anywhere in one shows): name,
 * subject, operator and value. The subject is `arguments` — what the split evaluates (arguments[0],
 * else the widget's input) — so a condition pointed at another variable is a change too.
 */
function conditionText(t: Transition): string {
  return (t.conditions ?? []).map((c) => `${c.friendly_name}: ${subject(c.arguments)} ${c.type} ${json(c.value)}`).join('; ');
}

const subject = (args: unknown): string => (Array.isArray(args) && args.length === 1 && typeof args[0] === 'string' ? json(args[0]) : json(args));

/** What a condition tests, whatever it is called. */
const conditionTest = (t: Transition): string => JSON.stringify((t.conditions ?? []).map((c) => [c.type, c.arguments, c.value]));

interface TransitionPairs {
  /** Transitions of both files that are the same transition (before, after), in the after file's order. */
  pairs: [Transition, Transition][];
  /** Transitions of the before file with no counterpart (the after file's unpaired ones were added). */
  removed: Transition[];
}

/**
 * Pairs the transitions of one widget in two files. Events other than `match` occur once per widget;
 * `match` transitions are told apart by their condition: the same name, target and test first, then
 * the same name (its test or target changed), then the same test (renamed). What is left was added or
 * removed, so dropping one of two `match` transitions reports that one removed and nothing else.
 */
function pairTransitions(before: Transition[], after: Transition[]): TransitionPairs {
  const paired = new Map<Transition, Transition>();
  const taken = new Set<Transition>();
  const passes: ((a: Transition, b: Transition) => boolean)[] = [
    (a, b) => transitionLabel(a) === transitionLabel(b) && target(a) === target(b) && conditionText(a) === conditionText(b),
    (a, b) => transitionLabel(a) === transitionLabel(b),
    (a, b) => (a.conditions?.length ?? 0) > 0 && conditionTest(a) === conditionTest(b),
  ];
  for (const same of passes) {
    for (const b of after) {
      if (paired.has(b)) continue;
      const a = before.find((t) => !taken.has(t) && t.event === b.event && same(t, b));
      if (!a) continue;
      paired.set(b, a);
      taken.add(a);
    }
  }
  return {
    pairs: after.filter((b) => paired.has(b)).map((b) => [paired.get(b)!, b]),
    removed: before.filter((a) => !taken.has(a)),
  };
}

function compareState(a: State, b: State, layout: boolean): string[] {
  const details: string[] = [];
  if (a.type !== b.type) details.push(`type: ${a.type} → ${b.type}`);
  const keys = [...new Set([...Object.keys(a.properties ?? {}), ...Object.keys(b.properties ?? {})])].sort();
  for (const key of keys) {
    if (key === 'offset' && !layout) continue;
    const before = a.properties?.[key];
    const after = b.properties?.[key];
    if (canonicalJson(before) === canonicalJson(after)) continue;
    if (before === undefined) details.push(`${key}: set to ${short(after)}`);
    else if (after === undefined) details.push(`${key}: removed (was ${short(before)})`);
    else details.push(`${key}: ${clipPair(json(before), json(after)).join(' → ')}`);
  }
  const { pairs, removed } = pairTransitions(a.transitions, b.transitions);
  for (const t of b.transitions) {
    const pair = pairs.find(([, now]) => now === t);
    if (!pair) {
      details.push(`transition ${transitionLabel(t)} → ${target(t)} added`);
      continue;
    }
    const [old] = pair;
    const key = transitionLabel(old);
    if (target(old) !== target(t)) details.push(`transition ${key}: → ${target(old)} now → ${target(t)}`);
    if (conditionText(old) !== conditionText(t)) details.push(`condition ${key}: ${clipPair(conditionText(old) || '(none)', conditionText(t) || '(none)').join(' → ')}`);
  }
  for (const t of removed) details.push(`transition ${transitionLabel(t)} → ${target(t)} removed`);
  // A split tries its conditions in order: the first that matches wins, so their order is behaviour.
  const kept = pairs.filter(([old]) => old.conditions?.length);
  const orderBefore = a.transitions.filter((t) => kept.some(([old]) => old === t)).map(transitionLabel);
  const orderAfter = kept.map(([old]) => transitionLabel(old));
  if (orderBefore.join('\n') !== orderAfter.join('\n')) details.push(`order of conditions: ${orderBefore.join(', ')} → ${orderAfter.join(', ')}`);
  return details;
}

/**
 * Pairs the widgets of two files by name. A name is meant to be unique, but an invalid file can hold
 * it twice: then an unchanged copy pairs first, the rest in file order, and a copy left over is
 * added or removed — so a duplicate shows as one, not as a change to the widget it copies.
 */
function pairStates(before: State[], after: State[]): { pairs: Map<State, State>; removed: State[] } {
  const pairs = new Map<State, State>();
  const taken = new Set<State>();
  const byName = new Map<string, State[]>();
  for (const s of before) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  const afterCount = new Map<string, number>();
  for (const s of after) afterCount.set(s.name, (afterCount.get(s.name) ?? 0) + 1);
  const passes: ((a: State, b: State) => boolean)[] = [(a, b) => canonicalJson(a) === canonicalJson(b), () => true];
  for (const same of passes) {
    for (const b of after) {
      if (pairs.has(b)) continue;
      const named = byName.get(b.name) ?? [];
      // A name once in each file (the valid case) pairs at once, without comparing whole widgets.
      const unique = named.length === 1 && afterCount.get(b.name) === 1;
      const a = unique ? named[0] : named.find((s) => !taken.has(s) && same(s, b));
      if (!a) continue;
      pairs.set(b, a);
      taken.add(a);
    }
  }
  return { pairs, removed: before.filter((s) => !taken.has(s)) };
}

/**
 * How many parts of a definition the diff leaves out (see runnableShape): no list of widgets, a widget
 * that is not an object with a string name and type, transitions that are not a list, a transition that
 * is not an object with a string event, conditions that are not a list of objects.
 */
function unreadableParts(definition: unknown): number {
  if (!isPlainObject(definition) || !Array.isArray(definition.states)) return 1;
  let count = 0;
  for (const state of definition.states) {
    if (!isPlainObject(state) || typeof state.name !== 'string' || typeof state.type !== 'string') count++;
    else if (!Array.isArray(state.transitions)) count++;
    else {
      for (const t of state.transitions) {
        if (!isPlainObject(t) || typeof t.event !== 'string') count++;
        else if ('conditions' in t && !(Array.isArray(t.conditions) && t.conditions.every(isPlainObject))) count++;
      }
    }
  }
  return count;
}

export function diffFlows(beforeJson: FlowDefinition, afterJson: FlowDefinition, options: { layout?: boolean } = {}): FlowDiff {
  // An invalid definition (a file edited by hand, a draft saved with --invalid-definitions save-as-draft)
  // may hold no list of widgets, a null widget, transition or condition: its widgets, transitions and
  // conditions are compared as the engine reads them (what it cannot address is left out), while the
  // JSON as it is decides `identical`. Either side was read as it stands and crashed the diff.
  const before = runnableShape(wellFormedCopy(beforeJson));
  const after = runnableShape(wellFormedCopy(afterJson));
  const flow: string[] = [];
  if (before.initial_state !== after.initial_state) flow.push(`initial_state: ${before.initial_state} → ${after.initial_state}`);
  if ((before.description ?? '') !== (after.description ?? '')) flow.push(`description: ${clipPair(json(before.description ?? ''), json(after.description ?? '')).join(' → ')}`);
  if (canonicalJson(before.flags ?? null) !== canonicalJson(after.flags ?? null)) flow.push(`flags: ${clipPair(json(before.flags), json(after.flags)).join(' → ')}`);
  const { pairs, removed } = pairStates(before.states, after.states);
  const duplicated = (states: State[], name: string) => states.filter((s) => s.name === name).length > 1;
  const widgets: WidgetChange[] = [];
  for (const state of removed) widgets.push({ kind: 'removed', widget: state.name, type: state.type, ...(duplicated(before.states, state.name) ? { duplicate: true as const } : {}) });
  for (const state of after.states) {
    const old = pairs.get(state);
    if (!old) {
      const transitions = state.transitions.map((t) => `${transitionLabel(t)} → ${target(t)}`);
      widgets.push({ kind: 'added', widget: state.name, type: state.type, transitions, ...(duplicated(after.states, state.name) ? { duplicate: true as const } : {}) });
      continue;
    }
    const details = compareState(old, state, options.layout ?? false);
    if (details.length) widgets.push({ kind: 'changed', widget: state.name, type: state.type, details });
  }
  // What was left out is said when the JSON differs at all: a null transition added would read as no change.
  if (!sameDefinition(beforeJson, afterJson)) {
    for (const [side, json] of [['the first (---)', beforeJson], ['the second (+++)', afterJson]] as const) {
      const n = unreadableParts(json);
      if (n) flow.push(`${side}: ${n} ${n === 1 ? 'part' : 'parts'} (the widget list, widgets, transitions or conditions) cannot be read and ${n === 1 ? 'is' : 'are'} not compared: an invalid definition (flows validate says where)`);
    }
  }
  const same = flow.length === 0 && widgets.length === 0;
  return { same, identical: same && sameDefinition(beforeJson, afterJson), flow, widgets };
}

export function diffText(diff: FlowDiff, labels: { before: string; after: string }, color = false): string {
  const red = (s: string) => (color ? `\x1b[31m${s}\x1b[39m` : s);
  const green = (s: string) => (color ? `\x1b[32m${s}\x1b[39m` : s);
  const yellow = (s: string) => (color ? `\x1b[33m${s}\x1b[39m` : s);
  const lines = [`--- ${labels.before}`, `+++ ${labels.after}`];
  if (diff.same && diff.identical) return [...lines, '  no changes to widgets or transitions'].join('\n');
  if (diff.same) return [...lines, '  no changes to widgets or transitions; the JSON differs otherwise (canvas layout, order, unused fields: --layout shows moved widgets), which flows push would send'].join('\n');
  for (const line of diff.flow) lines.push(yellow(`~ ${line}`));
  for (const change of diff.widgets) {
    if (change.kind === 'added') {
      lines.push(green(`+ ${change.widget} (${change.type})${change.duplicate ? ' [duplicate name]' : ''}`));
      for (const t of change.transitions) lines.push(green(`    ${t}`));
    } else if (change.kind === 'removed') {
      lines.push(red(`- ${change.widget} (${change.type})${change.duplicate ? ' [duplicate name]' : ''}`));
    } else {
      lines.push(yellow(`~ ${change.widget} (${change.type})`));
      for (const d of change.details) lines.push(`    ${d}`);
    }
  }
  return lines.join('\n');
}
