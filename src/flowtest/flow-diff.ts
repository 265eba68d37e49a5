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

function transitionKey(t: Transition, index: number, all: Transition[]): string {
  // Split conditions share the event "match": tell them apart by their condition's name.
  const sameEvent = all.filter((o) => o.event === t.event);
  if (sameEvent.length > 1) return `${t.event} (${t.conditions?.[0]?.friendly_name ?? `#${index}`})`;
  return t.event;
}

const target = (t: Transition | undefined) => (t?.next ? t.next : 'Ended');

function transitionsOf(state: State): Map<string, Transition> {
  return new Map(state.transitions.map((t, i, all) => [transitionKey(t, i, all), t]));
}

function conditionText(t: Transition): string {
  return (t.conditions ?? []).map((c) => `${c.friendly_name}: ${c.type} ${short(c.value)}`).join('; ');
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
  const ta = transitionsOf(a);
  const tb = transitionsOf(b);
  for (const [key, t] of tb) {
    const old = ta.get(key);
    if (!old) details.push(`transition ${key} → ${target(t)} added`);
    else {
      if (target(old) !== target(t)) details.push(`transition ${key}: → ${target(old)} now → ${target(t)}`);
      if (conditionText(old) !== conditionText(t)) details.push(`condition ${key}: ${conditionText(old) || '(none)'} → ${conditionText(t) || '(none)'}`);
    }
  }
  for (const [key, t] of ta) if (!tb.has(key)) details.push(`transition ${key} → ${target(t)} removed`);
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
      widgets.push({ kind: 'added', widget: state.name, type: state.type, transitions: state.transitions.map((t, i, all) => `${transitionKey(t, i, all)} → ${target(t)}`) });
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
