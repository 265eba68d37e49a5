// A flow definition as a graph for @xyflow/react: one node per widget at its properties.offset, one
// edge per connected transition, labelled with its event (a split's matches with their condition
// names). Validation findings are attached to the widget they belong to. Pure; no React.
import type { FlowDefinition, SplitCondition, State, Transition, ValidationIssue, WidgetType } from '../../../src/definition/types.ts';
import { WIDGET_SPECS } from '../../../src/definition/widget-specs.ts';
import { positionOf, type EventSlot, type Position } from './definition-ops.ts';

export interface WidgetIssues {
  errors: ValidationIssue[];
  warnings: ValidationIssue[];
}

export interface WidgetNodeData extends Record<string, unknown> {
  state: State;
  initial: boolean;
  issues: WidgetIssues;
  /** Part of the execution path being shown. */
  visited: boolean;
  /** The widget the shown execution is on now. */
  current: boolean;
}

export interface GraphNode {
  id: string;
  type: 'widget';
  position: Position;
  /** What a screen reader says of the widget (React Flow puts it on the node's element). */
  ariaLabel: string;
  data: WidgetNodeData;
}

export interface GraphEdge {
  id: string;
  /** 'selfLoop' for a transition back to its own widget (drawn around its side), else 'flow'. */
  type: 'flow' | 'selfLoop';
  source: string;
  target: string;
  sourceHandle: string;
  label: string;
  /** What a screen reader says of the connection: its event too, as two connections may join the same widgets. */
  ariaLabel: string;
  animated: boolean;
  className: string;
  /** parallel: this edge's place among the edges between the same two widgets, so their labels do not overlap. */
  data: { transitionIndex: number; parallel: number; parallelCount: number };
}

export function transitionLabel(transition: Transition): string {
  if (transition.event === 'match' && transition.conditions?.length) {
    return transition.conditions.map((c) => c.friendly_name || `${c.type} ${c.value}`).join(', ');
  }
  return transition.event;
}

/** What a widget shows for one of its event slots (eventSlots): its transition's label, or the event it has none for yet. */
export function slotLabel(slot: EventSlot): string {
  return slot.transition ? transitionLabel(slot.transition) : slot.event;
}

/** How a widget lays out its events (widget-node.tsx), from the labels it shows. */
export type EventLayout = 'row' | 'column';

/** Estimated px of the canvas's event chips (10.5 px text): per character, per chip, between chips. */
const CHAR_PX = 6.2;
const CHIP_PX = 12;
const GAP_PX = 4;
/** The widest row of events a widget takes (CSS .widget-node.events-row max-width, less its padding). */
export const EVENT_ROW_MAX_PX = 320;

/**
 * One row along the bottom, each event's handle under it, while the events fit on one line; else
 * one event per line with its handle at the widget's right edge, beside the label. Wrapped rows
 * would leave the upper rows' handles inside the widget, their edges seeming to come from another event.
 */
export function eventLayout(labels: readonly string[]): EventLayout {
  const width = labels.reduce((sum, label) => sum + label.length * CHAR_PX + CHIP_PX, 0) + GAP_PX * Math.max(0, labels.length - 1);
  return width <= EVENT_ROW_MAX_PX ? 'row' : 'column';
}

export function handleId(transitionIndex: number): string {
  return `t${transitionIndex}`;
}

/** Groups findings by the widget their property_path ("#/states/3/...") points into; the rest are flow-level. */
export function issuesByWidget(
  definition: FlowDefinition,
  errors: ValidationIssue[],
  warnings: ValidationIssue[],
): { byWidget: Map<string, WidgetIssues>; flow: WidgetIssues } {
  const byWidget = new Map<string, WidgetIssues>();
  const flow: WidgetIssues = { errors: [], warnings: [] };
  const place = (issue: ValidationIssue, kind: keyof WidgetIssues) => {
    const match = /^#\/states\/(\d+)(?:\/|$)/.exec(issue.property_path);
    const state = match ? definition.states[Number(match[1])] : undefined;
    if (!state) {
      flow[kind].push(issue);
      return;
    }
    const entry = byWidget.get(state.name) ?? { errors: [], warnings: [] };
    entry[kind].push(issue);
    byWidget.set(state.name, entry);
  };
  for (const issue of errors) place(issue, 'errors');
  for (const issue of warnings) place(issue, 'warnings');
  return { byWidget, flow };
}

export interface PathHighlight {
  /** Widgets the execution went through. */
  visited: Set<string>;
  /** Transitions it took, as takenKey(from, event, to): two events leading to the same widget are told apart. */
  taken: Set<string>;
  current: string | null;
}

export function takenKey(from: string, event: string, to: string): string {
  return `${from}→${event}→${to}`;
}

export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** Same length, same objects in the same order. */
export function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  return a === b || (a.length === b.length && a.every((item, i) => item === b[i]));
}

function sameNode(a: GraphNode, b: GraphNode): boolean {
  const x = a.data;
  const y = b.data;
  return (
    a.id === b.id &&
    a.position.x === b.position.x &&
    a.position.y === b.position.y &&
    a.ariaLabel === b.ariaLabel &&
    x.state === y.state &&
    x.initial === y.initial &&
    x.visited === y.visited &&
    x.current === y.current &&
    sameItems(x.issues.errors, y.issues.errors) &&
    sameItems(x.issues.warnings, y.issues.warnings)
  );
}

function sameEdge(a: GraphEdge, b: GraphEdge): boolean {
  return (
    a.id === b.id &&
    a.type === b.type &&
    a.source === b.source &&
    a.target === b.target &&
    a.sourceHandle === b.sourceHandle &&
    a.label === b.label &&
    a.ariaLabel === b.ariaLabel &&
    a.animated === b.animated &&
    a.className === b.className &&
    a.data.transitionIndex === b.data.transitionIndex &&
    a.data.parallel === b.data.parallel &&
    a.data.parallelCount === b.data.parallelCount
  );
}

function reuse<T extends { id: string }>(previous: readonly T[], next: T[], same: (a: T, b: T) => boolean): T[] {
  const byId = new Map(previous.map((item) => [item.id, item]));
  return next.map((item) => {
    const old = byId.get(item.id);
    return old && same(old, item) ? old : item;
  });
}

/**
 * The next graph with the previous one's node and edge objects wherever nothing in them changed.
 * React Flow redraws (and re-measures) a node or edge whenever its object is a new one, so keeping
 * the unchanged ones makes a keystroke in one widget's property cost one widget, not the whole flow.
 * Edits keep the State objects of widgets they do not touch (definition-ops.ts), findings are the
 * report's own objects: comparing by identity is enough.
 */
export function keepUnchanged(previous: Graph | null, next: Graph): Graph {
  if (!previous) return next;
  return { nodes: reuse(previous.nodes, next.nodes, sameNode), edges: reuse(previous.edges, next.edges, sameEdge) };
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** A widget as a screen reader names it: its name, its type and its findings ("reply, Send Message, 1 error"). */
export function widgetAriaLabel(state: State, issues: WidgetIssues): string {
  const type = WIDGET_SPECS[state.type as WidgetType]?.label ?? state.type;
  const findings = [issues.errors.length ? plural(issues.errors.length, 'error') : '', issues.warnings.length ? plural(issues.warnings.length, 'warning') : ''];
  return [state.name, type, ...findings].filter(Boolean).join(', ');
}

/** A connection as a screen reader names it: "sent from reply to say_hi" (React Flow's own says only "Edge from reply to say_hi"). */
export function edgeAriaLabel(transition: Transition, source: string, target: string): string {
  return `${transitionLabel(transition)} from ${source} to ${target}`;
}

export function toGraph(
  definition: FlowDefinition,
  issues: Map<string, WidgetIssues> = new Map(),
  path: PathHighlight | null = null,
): Graph {
  const names = new Set(definition.states.map((s) => s.name));
  const nodes: GraphNode[] = definition.states.map((state, index) => {
    const found = issues.get(state.name) ?? { errors: [], warnings: [] };
    return {
      id: state.name,
      type: 'widget',
      position: positionOf(state, index),
      ariaLabel: widgetAriaLabel(state, found),
      data: {
        state,
        initial: state.name === definition.initial_state,
        issues: found,
        visited: path?.visited.has(state.name) ?? false,
        current: path?.current === state.name,
      },
    };
  });
  const edges: GraphEdge[] = [];
  for (const state of definition.states) {
    const connected = (state.transitions ?? []).flatMap((transition, index) => (transition.next && names.has(transition.next) ? [{ transition, index, next: transition.next }] : []));
    for (const { transition, index, next } of connected) {
      // A step names its event, not which of a split's conditions matched (takenTransitions).
      const stepped = path?.taken.has(takenKey(state.name, transition.event, next)) ?? false;
      const candidates = stepped ? takenTransitions(state, transition.event, next) : [];
      const taken = candidates.length === 1 && candidates[0] === index;
      const maybe = candidates.length > 1 && candidates.includes(index);
      const siblings = connected.filter((c) => c.next === next);
      edges.push({
        id: `${state.name}#${index}`,
        type: next === state.name ? 'selfLoop' : 'flow',
        source: state.name,
        target: next,
        sourceHandle: handleId(index),
        label: transitionLabel(transition),
        ariaLabel: edgeAriaLabel(transition, state.name, next),
        animated: taken,
        className: [taken ? 'edge-taken' : maybe ? 'edge-maybe-taken' : path ? 'edge-dim' : '', next === state.name ? 'edge-self-loop' : ''].filter(Boolean).join(' '),
        data: { transitionIndex: index, parallel: siblings.findIndex((c) => c.index === index), parallelCount: siblings.length },
      });
    }
  }
  return { nodes, edges };
}

/** A condition as the split evaluates it: its operator, what it tests and the value (case-insensitive unless a regex or Liquid). */
function conditionKey(condition: SplitCondition, input: string): string {
  const subject = (condition.arguments?.[0] ?? input).trim();
  const raw = String(condition.value ?? '').trim();
  const value = condition.type === 'is_blank' || condition.type === 'is_not_blank' ? '' : condition.type === 'regex' || /\{[{%]/.test(raw) ? raw : raw.toLowerCase();
  return JSON.stringify([condition.type, subject, value]);
}

/**
 * The transitions of `state` a step leaving it by `event` for `to` may have taken (their indexes). A step
 * names its event, not which of a split's conditions matched, so several `match` transitions to `to`
 * may fit it. The split takes the first match whose conditions all hold: one whose conditions include
 * every condition of an earlier match (the same test twice, "Feedback job" and "feedback job" as
 * contains is case-insensitive) is never taken, and is left out. More than one left: the step cannot
 * tell which matched.
 */
export function takenTransitions(state: State, event: string, to: string): number[] {
  const transitions = state.transitions ?? [];
  const fitting = transitions.flatMap((t, index) => (t.event === event && (t.next || 'Ended') === to ? [index] : []));
  if (event !== 'match' || fitting.length < 2) return fitting;
  const input = typeof state.properties?.input === 'string' ? state.properties.input : '';
  const keys = transitions.map((t) => (t.event === 'match' && t.conditions?.length ? new Set(t.conditions.map((c) => conditionKey(c, input))) : null));
  const shadowed = (index: number) => keys.slice(0, index).some((earlier) => earlier !== null && [...earlier].every((key) => keys[index]!.has(key)));
  const reachable = fitting.filter((index) => keys[index] !== null && !shadowed(index));
  return reachable.length > 0 ? reachable : fitting;
}

/** The path of an execution from its steps (oldest first): widgets entered and transitions taken. */
export function pathFromSteps(steps: { name: string; transitioned_from: string; transitioned_to: string }[], initialState: string): PathHighlight {
  const visited = new Set<string>();
  const taken = new Set<string>();
  let current: string | null = null;
  for (const step of steps) {
    visited.add(step.transitioned_from);
    if (step.transitioned_to && step.transitioned_to !== 'Ended') {
      visited.add(step.transitioned_to);
      current = step.transitioned_to;
    } else {
      current = null;
    }
    // A step's name is the event it left its widget on.
    taken.add(takenKey(step.transitioned_from, step.name, step.transitioned_to));
  }
  if (steps.length === 0) visited.add(initialState);
  return { visited, taken, current };
}
