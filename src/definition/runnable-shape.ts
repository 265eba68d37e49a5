// The shape the engine may rely on. A published revision was validated, but a draft may be saved invalid
// (--invalid-definitions save-as-draft) and test users run the latest draft: states missing or not a list,
// a widget without properties, a `next` or name that is an object. The engine indexes, renders and stores
// these names, so one such value crashed the sprint (a 500 to the test user). Here, once per revision,
// the definition gets that shape: a widget without a string name and type is skipped, one without
// properties gets none, a `next` or initial_state that is not a string becomes text no widget is named (its
// JSON). The execution then fails as for any transition to a missing widget (81024, with an alert).
import { isPlainObject } from './parse.ts';
import type { FlowDefinition, SplitCondition, State, Transition } from './types.ts';

/** `definition` itself when it already has the shape (every valid one has); else a cleaned copy. */
export function runnableShape(definition: unknown): FlowDefinition {
  if (isRunnable(definition)) return definition;
  const source = isPlainObject(definition) ? definition : {};
  const states = Array.isArray(source.states) ? source.states.flatMap((s) => (isStateLike(s) ? [runnableState(s)] : [])) : [];
  const out: Record<string, unknown> = { ...source, initial_state: nameText(source.initial_state), states };
  if ('flags' in source && !isPlainObject(source.flags)) delete out.flags;
  return out as unknown as FlowDefinition;
}

/** A widget the engine can address: named and typed by strings. Any other is skipped (nothing can reach it by name). */
function isStateLike(state: unknown): state is Record<string, unknown> & { name: string; type: string } {
  return isPlainObject(state) && typeof state.name === 'string' && typeof state.type === 'string';
}

function runnableState(state: Record<string, unknown> & { name: string; type: string }): State {
  if (isRunnableState(state)) return state;
  const transitions = Array.isArray(state.transitions) ? state.transitions.flatMap((t) => (isPlainObject(t) && typeof t.event === 'string' ? [runnableTransition(t)] : [])) : [];
  return { ...state, properties: isPlainObject(state.properties) ? state.properties : {}, transitions } as State;
}

/** A `next` null is unconnected (real exports have it); conditions that are not a list of objects can never hold. */
function runnableTransition(transition: Record<string, unknown>): Transition {
  if (isRunnableTransition(transition)) return transition;
  const out = { ...transition };
  if (out.next === null) delete out.next;
  else if ('next' in out && typeof out.next !== 'string') out.next = nameText(out.next);
  if ('conditions' in out && !isConditionList(out.conditions)) delete out.conditions;
  return out as unknown as Transition;
}

/** Longer JSON text of a value that is not a name is cut: it only has to name no widget, and appear in the alert. */
const NAME_TEXT_LENGTH = 100;

/**
 * A name that is not a string, as the JSON text that stands for it in the engine's alert ("" when missing). A
 * number or boolean's text could be a widget's name (`next: 123` and a widget "123"), so it says what it is.
 */
function nameText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return `${JSON.stringify(value)} (a ${typeof value}, not a widget name)`;
  const text = JSON.stringify(value) ?? '';
  return text.length > NAME_TEXT_LENGTH ? `${text.slice(0, NAME_TEXT_LENGTH)}…` : text;
}

function isRunnable(definition: unknown): definition is FlowDefinition {
  return (
    isPlainObject(definition) &&
    typeof definition.initial_state === 'string' &&
    Array.isArray(definition.states) &&
    definition.states.every((s) => isStateLike(s) && isRunnableState(s)) &&
    (!('flags' in definition) || isPlainObject(definition.flags))
  );
}

function isRunnableState(state: Record<string, unknown>): state is Record<string, unknown> & State {
  return isPlainObject(state.properties) && Array.isArray(state.transitions) && state.transitions.every((t) => isPlainObject(t) && typeof t.event === 'string' && isRunnableTransition(t));
}

function isRunnableTransition(transition: Record<string, unknown>): transition is Record<string, unknown> & Transition {
  return (!('next' in transition) || typeof transition.next === 'string') && (!('conditions' in transition) || isConditionList(transition.conditions));
}

function isConditionList(conditions: unknown): conditions is SplitCondition[] {
  return Array.isArray(conditions) && conditions.every(isPlainObject);
}
