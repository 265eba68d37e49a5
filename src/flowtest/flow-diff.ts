// A readable change between two flow definitions: widgets added, removed and changed (type,
// properties, transitions and split conditions), not raw JSON. Canvas offsets are layout, not
// behaviour, and are ignored unless asked for.
import type { FlowDefinition, State, Transition } from '../definition/types.ts';

export type WidgetChange =
  | { kind: 'added'; widget: string; type: string; transitions: string[] }
  | { kind: 'removed'; widget: string; type: string }
  | { kind: 'changed'; widget: string; type: string; details: string[] };

export interface FlowDiff {
  same: boolean;
  flow: string[];
  widgets: WidgetChange[];
}

const short = (value: unknown): string => {
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value ?? null);
  return text.length > 120 ? text.slice(0, 117) + '…' : text;
};

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

function conditionText(t: Transition): string {
  return (t.conditions ?? []).map((c) => `${c.friendly_name}: ${c.type} ${short(c.value)}`).join('; ');
}

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
    if (JSON.stringify(before) === JSON.stringify(after)) continue;
    if (before === undefined) details.push(`${key}: set to ${short(after)}`);
    else if (after === undefined) details.push(`${key}: removed (was ${short(before)})`);
    else details.push(`${key}: ${short(before)} → ${short(after)}`);
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
    if (conditionText(old) !== conditionText(t)) details.push(`condition ${key}: ${conditionText(old) || '(none)'} → ${conditionText(t) || '(none)'}`);
  }
  for (const t of removed) details.push(`transition ${transitionLabel(t)} → ${target(t)} removed`);
  // A split tries its conditions in order: the first that matches wins, so their order is behaviour.
  const kept = pairs.filter(([old]) => old.conditions?.length);
  const orderBefore = a.transitions.filter((t) => kept.some(([old]) => old === t)).map(transitionLabel);
  const orderAfter = kept.map(([old]) => transitionLabel(old));
  if (orderBefore.join('\n') !== orderAfter.join('\n')) details.push(`order of conditions: ${orderBefore.join(', ')} → ${orderAfter.join(', ')}`);
  return details;
}

export function diffFlows(before: FlowDefinition, after: FlowDefinition, options: { layout?: boolean } = {}): FlowDiff {
  const flow: string[] = [];
  if (before.initial_state !== after.initial_state) flow.push(`initial_state: ${before.initial_state} → ${after.initial_state}`);
  if ((before.description ?? '') !== (after.description ?? '')) flow.push(`description: ${short(before.description ?? '')} → ${short(after.description ?? '')}`);
  if (JSON.stringify(before.flags ?? null) !== JSON.stringify(after.flags ?? null)) flow.push(`flags: ${short(before.flags)} → ${short(after.flags)}`);
  const a = new Map(before.states.map((s) => [s.name, s]));
  const b = new Map(after.states.map((s) => [s.name, s]));
  const widgets: WidgetChange[] = [];
  for (const state of before.states) if (!b.has(state.name)) widgets.push({ kind: 'removed', widget: state.name, type: state.type });
  for (const state of after.states) {
    const old = a.get(state.name);
    if (!old) {
      widgets.push({ kind: 'added', widget: state.name, type: state.type, transitions: state.transitions.map((t) => `${transitionLabel(t)} → ${target(t)}`) });
      continue;
    }
    const details = compareState(old, state, options.layout ?? false);
    if (details.length) widgets.push({ kind: 'changed', widget: state.name, type: state.type, details });
  }
  return { same: flow.length === 0 && widgets.length === 0, flow, widgets };
}

export function diffText(diff: FlowDiff, labels: { before: string; after: string }, color = false): string {
  const red = (s: string) => (color ? `\x1b[31m${s}\x1b[39m` : s);
  const green = (s: string) => (color ? `\x1b[32m${s}\x1b[39m` : s);
  const yellow = (s: string) => (color ? `\x1b[33m${s}\x1b[39m` : s);
  const lines = [`--- ${labels.before}`, `+++ ${labels.after}`];
  if (diff.same) return [...lines, '  no changes to widgets or transitions'].join('\n');
  for (const line of diff.flow) lines.push(yellow(`~ ${line}`));
  for (const change of diff.widgets) {
    if (change.kind === 'added') {
      lines.push(green(`+ ${change.widget} (${change.type})`));
      for (const t of change.transitions) lines.push(green(`    ${t}`));
    } else if (change.kind === 'removed') {
      lines.push(red(`- ${change.widget} (${change.type})`));
    } else {
      lines.push(yellow(`~ ${change.widget} (${change.type})`));
      for (const d of change.details) lines.push(`    ${d}`);
    }
  }
  return lines.join('\n');
}
