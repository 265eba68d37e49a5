// Pure edits of a flow definition, as the canvas and the property panel make them. Every function
// returns a new definition and leaves its input untouched, so undo is keeping the old value.
// No DOM or React here: test/web/definition-ops.test.ts runs these under Node.
import { WIDGET_SPECS, type PropSpec } from '../../../src/definition/widget-specs.ts';
import type { FlowDefinition, State, Transition, WidgetType } from '../../../src/definition/types.ts';

export interface Position {
  x: number;
  y: number;
}

/** Studio widget names: letters, digits and underscores; they are also Liquid keys (widgets.<name>). */
export const WIDGET_NAME = /^[A-Za-z0-9_]+$/;

export function newFlowDefinition(description = 'A New Flow'): FlowDefinition {
  return {
    description,
    states: [
      {
        name: 'Trigger',
        type: 'trigger',
        transitions: WIDGET_SPECS.trigger.events.map((event) => ({ event })),
        properties: { offset: { x: 0, y: 0 } },
      },
    ],
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
  };
}

/** Properties a fresh widget starts with: every required property and every documented default. */
export function defaultProperties(type: WidgetType, position: Position): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(WIDGET_SPECS[type].properties)) {
    if (key === 'offset') continue;
    if (spec.default !== undefined) properties[key] = spec.default;
    else if (spec.required || spec.requiredUnless) properties[key] = emptyValue(spec);
  }
  properties.offset = { x: Math.round(position.x), y: Math.round(position.y) };
  return properties;
}

function emptyValue(spec: PropSpec): unknown {
  switch (spec.type) {
    case 'array':
      return [];
    case 'object':
      return {};
    case 'boolean':
      return false;
    case 'integer':
    case 'number':
      return spec.min ?? 0;
    default:
      return '';
  }
}

/** The transitions a fresh widget has: one unconnected transition per event (splits start with noMatch only). */
export function defaultTransitions(type: WidgetType): Transition[] {
  if (type === 'split-based-on') return [{ event: 'noMatch' }];
  return WIDGET_SPECS[type].events.map((event) => ({ event }));
}

export function uniqueName(definition: FlowDefinition, type: WidgetType): string {
  const base = type.replace(/-/g, '_');
  const taken = new Set(definition.states.map((s) => s.name));
  for (let n = 1; ; n++) if (!taken.has(`${base}_${n}`)) return `${base}_${n}`;
}

function mapStates(definition: FlowDefinition, fn: (state: State) => State): FlowDefinition {
  return { ...definition, states: definition.states.map(fn) };
}

function updateState(definition: FlowDefinition, name: string, fn: (state: State) => State): FlowDefinition {
  if (!definition.states.some((s) => s.name === name)) throw new Error(`No widget named ${name}`);
  return mapStates(definition, (s) => (s.name === name ? fn(s) : s));
}

export function addWidget(definition: FlowDefinition, type: WidgetType, position: Position): { definition: FlowDefinition; name: string } {
  if (type === 'trigger') throw new Error('A flow has exactly one Trigger');
  const name = uniqueName(definition, type);
  const state: State = { name, type, transitions: defaultTransitions(type), properties: defaultProperties(type, position) };
  return { definition: { ...definition, states: [...definition.states, state] }, name };
}

/** Removes a widget and every transition that led to it (those branches now end). */
export function removeWidget(definition: FlowDefinition, name: string): FlowDefinition {
  const state = definition.states.find((s) => s.name === name);
  if (!state) throw new Error(`No widget named ${name}`);
  if (state.type === 'trigger') throw new Error('The Trigger cannot be removed');
  return {
    ...definition,
    states: definition.states
      .filter((s) => s.name !== name)
      .map((s) => ({ ...s, transitions: s.transitions.map((t) => (t.next === name ? withoutNext(t) : t)) })),
  };
}

function withoutNext(transition: Transition): Transition {
  const { next: _next, ...rest } = transition;
  return rest;
}

/** Renames a widget, keeping every transition and the initial state pointing at it. */
export function renameWidget(definition: FlowDefinition, from: string, to: string): FlowDefinition {
  if (from === to) return definition;
  if (!WIDGET_NAME.test(to)) throw new Error('Use letters, digits and underscores only');
  if (definition.states.some((s) => s.name === to)) throw new Error(`A widget named ${to} already exists`);
  const renamed = mapStates(updateState(definition, from, (s) => ({ ...s, name: to })), (s) => ({
    ...s,
    transitions: s.transitions.map((t) => (t.next === from ? { ...t, next: to } : t)),
  }));
  return definition.initial_state === from ? { ...renamed, initial_state: to } : renamed;
}

/** Points one transition of a widget at a target (null: the branch ends). */
export function connect(definition: FlowDefinition, source: string, transitionIndex: number, target: string | null): FlowDefinition {
  if (target !== null && !definition.states.some((s) => s.name === target)) throw new Error(`No widget named ${target}`);
  return updateState(definition, source, (s) => {
    if (transitionIndex < 0 || transitionIndex >= s.transitions.length) throw new Error(`${source} has no transition ${transitionIndex}`);
    const transitions = s.transitions.map((t, i) => (i === transitionIndex ? (target === null ? withoutNext(t) : { ...t, next: target }) : t));
    return { ...s, transitions };
  });
}

export function moveWidget(definition: FlowDefinition, name: string, position: Position): FlowDefinition {
  return updateState(definition, name, (s) => ({
    ...s,
    properties: { ...s.properties, offset: { x: Math.round(position.x), y: Math.round(position.y) } },
  }));
}

/** Sets (or with undefined, removes) one property of a widget. */
export function setProperty(definition: FlowDefinition, name: string, key: string, value: unknown): FlowDefinition {
  return updateState(definition, name, (s) => {
    const properties = { ...s.properties };
    if (value === undefined) delete properties[key];
    else properties[key] = value;
    return { ...s, properties };
  });
}

export function setTransitions(definition: FlowDefinition, name: string, transitions: Transition[]): FlowDefinition {
  return updateState(definition, name, (s) => ({ ...s, transitions }));
}

/** Adds a `match` transition with one condition to a split, testing the split's input. */
export function addSplitCondition(definition: FlowDefinition, name: string): FlowDefinition {
  return updateState(definition, name, (s) => {
    const input = typeof s.properties.input === 'string' ? s.properties.input : '';
    const count = s.transitions.filter((t) => t.event === 'match').length;
    const match: Transition = {
      event: 'match',
      conditions: [{ friendly_name: `Condition ${count + 1}`, arguments: [input], type: 'equal_to', value: '' }],
    };
    return { ...s, transitions: [...s.transitions, match] };
  });
}

export function removeTransition(definition: FlowDefinition, name: string, index: number): FlowDefinition {
  return updateState(definition, name, (s) => ({ ...s, transitions: s.transitions.filter((_, i) => i !== index) }));
}

/** Where a widget sits on the canvas; widgets without an offset are laid out in a column. */
export function positionOf(state: State, index: number): Position {
  const offset = state.properties?.offset as { x?: unknown; y?: unknown } | undefined;
  if (offset && typeof offset.x === 'number' && typeof offset.y === 'number') return { x: offset.x, y: offset.y };
  return { x: 0, y: index * 180 };
}
