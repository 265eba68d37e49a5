// Pure edits of a flow definition, as the canvas and the property panel make them. Every function
// returns a new definition and leaves its input untouched, so undo is keeping the old value.
// No DOM or React here: test/web/definition-ops.test.ts runs these under Node.
import { WIDGET_SPECS, canonicalEvent, type PropSpec, type WidgetSpec } from '../../../src/definition/widget-specs.ts';
import type { SplitCondition as Condition, FlowDefinition, State, Transition, WidgetType } from '../../../src/definition/types.ts';

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

/**
 * One place an event of a widget can lead from: each transition the widget has (index: its own), then
 * each event its type can have that it has none for (index: after the transitions), as Studio shows
 * a widget's full event set. A split's `match` events are its conditions, never a missing slot.
 * An imported widget keeps the transitions it has; a missing slot becomes one only when connected.
 */
export interface EventSlot {
  index: number;
  event: string;
  /** null: the widget has no transition for this event yet. */
  transition: Transition | null;
}

export function eventSlots(state: State): EventSlot[] {
  const transitions = state.transitions ?? [];
  const slots: EventSlot[] = transitions.map((transition, index) => ({ index, event: transition.event, transition }));
  const spec = (WIDGET_SPECS as Partial<Record<string, WidgetSpec>>)[state.type];
  // An event the widget has in another spelling (Make Outgoing Call v1's no-answer for noAnswer) has its slot already.
  const present = new Set(transitions.map((t) => (spec ? canonicalEvent(spec, t.event) : t.event)));
  for (const event of spec?.events ?? []) {
    if (event !== 'match' && !present.has(event)) slots.push({ index: slots.length, event, transition: null });
  }
  return slots;
}

/**
 * Points one event slot of a widget at a target (null: the branch ends). A slot past the widget's
 * transitions (eventSlots) adds that event's transition when connected; disconnecting it changes nothing.
 */
export function connect(definition: FlowDefinition, source: string, transitionIndex: number, target: string | null): FlowDefinition {
  if (target !== null && !definition.states.some((s) => s.name === target)) throw new Error(`No widget named ${target}`);
  const state = definition.states.find((s) => s.name === source);
  if (!state) throw new Error(`No widget named ${source}`);
  const slot = transitionIndex >= 0 ? eventSlots(state)[transitionIndex] : undefined;
  if (!slot) throw new Error(`${source} has no transition ${transitionIndex}`);
  if (!slot.transition) {
    if (target === null) return definition;
    return updateState(definition, source, (s) => ({ ...s, transitions: [...(s.transitions ?? []), { event: slot.event, next: target }] }));
  }
  return updateState(definition, source, (s) => {
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

/**
 * Sets (or with undefined, removes) one property of a widget. A split's conditions test its input:
 * setting the input sets every condition's `arguments` to [input], as Twilio's console does (the
 * engine evaluates arguments[0], so a stale copy would test the old input).
 */
export function setProperty(definition: FlowDefinition, name: string, key: string, value: unknown): FlowDefinition {
  return updateState(definition, name, (s) => {
    const properties = { ...s.properties };
    if (value === undefined) delete properties[key];
    else properties[key] = value;
    if (s.type === 'split-based-on' && key === 'input') {
      const input = typeof value === 'string' ? value : '';
      return { ...s, properties, transitions: s.transitions.map((t) => (t.conditions ? { ...t, conditions: t.conditions.map((c) => withArguments(c, input)) } : t)) };
    }
    return { ...s, properties };
  });
}

/** A split's input, which its conditions test. */
export function splitInput(state: State): string {
  return typeof state.properties?.input === 'string' ? state.properties.input : '';
}

function withArguments(condition: Condition, input: string): Condition {
  return followsInput(condition, input) ? condition : { ...condition, arguments: [input] };
}

/** Whether a condition tests its split's input: `arguments` is exactly [input]. */
export function followsInput(condition: Condition, input: string): boolean {
  const args = condition.arguments ?? [];
  return args.length === 1 && args[0] === input;
}

/** Operators that test no value; Studio's console writes these fixed values for them (the engine ignores them). */
export const VALUELESS_OPERATORS: Readonly<Record<string, string>> = { is_blank: 'Is Blank', is_not_blank: 'Is Not Blank' };

export function takesValue(operator: string): boolean {
  return !Object.hasOwn(VALUELESS_OPERATORS, operator);
}

/** The name Studio's console gives a condition: "If value equal_to yes" ("If value is_blank" without a value). */
export function conditionName(operator: string, value: string): string {
  const shown = takesValue(operator) ? value.trim() : '';
  return shown ? `If value ${operator} ${shown}` : `If value ${operator}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Whether a condition still has a name the editor gave it (so it may rename it when its operator or
 * value changes): empty, the old "Condition N", or its generated name with or without a " (n)" suffix.
 */
export function hasGeneratedName(condition: Condition): boolean {
  const name = String(condition.friendly_name ?? '').trim();
  if (name === '' || /^Condition \d+$/.test(name)) return true;
  return new RegExp(`^${escapeRegExp(conditionName(condition.type, condition.value))}(?: \\(\\d+\\))?$`).test(name);
}

/** `base`, or `base (2)`, `base (3)`… when another condition of the split (not transition `except`) has that name. */
function uniqueConditionName(transitions: readonly Transition[], base: string, except = -1): string {
  const taken = new Set(transitions.flatMap((t, i) => (i === except ? [] : (t.conditions ?? []).map((c) => c.friendly_name))));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base} (${n})`)) return `${base} (${n})`;
}

/** Adds a `match` transition with one condition to a split, testing the split's input, named as Studio names it. */
export function addSplitCondition(definition: FlowDefinition, name: string): FlowDefinition {
  return updateState(definition, name, (s) => {
    const match: Transition = {
      event: 'match',
      conditions: [{ friendly_name: uniqueConditionName(s.transitions, conditionName('equal_to', '')), arguments: [splitInput(s)], type: 'equal_to', value: '' }],
    };
    return { ...s, transitions: [...s.transitions, match] };
  });
}

export type ConditionPatch = Partial<Pick<Condition, 'friendly_name' | 'type' | 'value'>>;

/**
 * Edits the (first) condition of a split's `match` transition. An operator that tests no value gets
 * Studio's fixed value; one that does starts empty again. A condition whose name the user has not
 * changed is renamed after its operator and value, and stays unique.
 */
export function updateSplitCondition(definition: FlowDefinition, name: string, transitionIndex: number, patch: ConditionPatch): FlowDefinition {
  return updateState(definition, name, (s) => {
    const old = s.transitions[transitionIndex]?.conditions?.[0];
    if (!old) throw new Error(`${name} has no condition at transition ${transitionIndex}`);
    const next: Condition = { ...old, ...patch };
    if (patch.type !== undefined && patch.type !== old.type) {
      if (!takesValue(patch.type)) next.value = VALUELESS_OPERATORS[patch.type]!;
      else if (!takesValue(old.type) && patch.value === undefined) next.value = '';
    }
    if (patch.friendly_name === undefined && hasGeneratedName(old) && (next.type !== old.type || next.value !== old.value)) {
      next.friendly_name = uniqueConditionName(s.transitions, conditionName(next.type, next.value), transitionIndex);
    }
    const transitions = s.transitions.map((t, i) => (i === transitionIndex ? { ...t, conditions: [next, ...(t.conditions ?? []).slice(1)] } : t));
    return { ...s, transitions };
  });
}

/** Makes a split's condition (every one without an index) test the split's input again. */
export function followInput(definition: FlowDefinition, name: string, transitionIndex?: number): FlowDefinition {
  return updateState(definition, name, (s) => {
    const input = splitInput(s);
    const transitions = s.transitions.map((t, i) =>
      t.conditions && (transitionIndex === undefined || i === transitionIndex) ? { ...t, conditions: t.conditions.map((c) => withArguments(c, input)) } : t,
    );
    return { ...s, transitions };
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

/**
 * The widget to keep selected after the definition changed under the selection (an undo or redo):
 * the same name while it is there; else, when the change renamed it (the widget at the same place
 * has a name the previous definition did not have), the new name; else none.
 */
export function selectionAfter(previous: FlowDefinition | null, next: FlowDefinition, selected: string | null): string | null {
  if (selected === null || next.states.some((s) => s.name === selected)) return selected;
  const index = previous?.states.findIndex((s) => s.name === selected) ?? -1;
  const there = index >= 0 ? next.states[index] : undefined;
  if (!there || there.type !== previous!.states[index]!.type || previous!.states.some((s) => s.name === there.name)) return null;
  return there.name;
}

/**
 * The widget an undo or redo changed, to be selected and so brought into view: the first widget of `next`
 * that `previous` lacks (one deleted and brought back, or renamed), else the first whose definition
 * differs (moved, edited, connected); null when the step only took widgets away.
 */
export function widgetStepped(previous: FlowDefinition, next: FlowDefinition): string | null {
  const before = new Map(previous.states.map((s) => [s.name, s]));
  const back = next.states.find((s) => !before.has(s.name));
  if (back) return back.name;
  const changed = next.states.find((s) => before.get(s.name) !== s && JSON.stringify(before.get(s.name)) !== JSON.stringify(s));
  return changed?.name ?? null;
}
