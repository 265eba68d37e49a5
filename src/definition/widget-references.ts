// `widgets.<name>` references in a flow's Liquid that name no widget of the flow. Liquid renders an unknown
// variable as empty text, so such a reference fails silently at run time: the caller hears the fallback, a
// split takes noMatch. Widget names are case-sensitive (`check_schedule` is not `Check_Schedule`).
// A subflow's `widgets` are its own (each Run Subflow frame keeps its own outputs), so one flow is the whole
// scope. Liquid's own parser finds the references: comments, raw blocks, quoted text and locally assigned
// variables are not references; dynamic access (`widgets[name]`) cannot be checked and is skipped.

import { Liquid } from 'liquidjs';
import { closestName } from '../lib/closest-name.ts';
import { didYouMean, escapePointer, widgetLabel } from './issue-labels.ts';
import { BASE_LIQUID_OPTIONS, useDialectTags } from './liquid-syntax.ts';
import { isPlainObject } from './parse.ts';
import { WIDGET_SPECS, isWidgetType, type WidgetSpec } from './widget-specs.ts';

const LIQUID = /\{\{|\{%/;

let analyzer: Liquid | undefined;

/** The widget names `template` reads through `widgets.<name>` / `widgets["name"]`, each once, in order. */
export function referencedWidgetNames(template: string): string[] {
  if (!LIQUID.test(template) || !template.includes('widgets')) return [];
  if (analyzer === undefined) {
    analyzer = new Liquid({ ...BASE_LIQUID_OPTIONS });
    useDialectTags(analyzer);
  }
  let segments: unknown[][];
  try {
    segments = analyzer.globalVariableSegmentsSync(template);
  } catch {
    return []; // a template that does not parse is reported as such elsewhere
  }
  const names = new Set<string>();
  for (const [root, name] of segments) if (root === 'widgets' && typeof name === 'string') names.add(name);
  return [...names];
}

/** One string Studio renders as Liquid: where it sits and how a message names it. */
interface RenderedText {
  path: string;
  label: string;
  text: string;
}

/**
 * Warns, per string, about each widget name it references that no state of the flow has, with the
 * closest existing name (case first) as a hint. `names` maps the flow's state names to their index;
 * `closest` finds the hint (the validator's shares its budget and remembers names already looked up).
 */
export function checkWidgetReferences(
  states: unknown[],
  names: ReadonlyMap<string, number>,
  warn: (path: string, message: string) => void,
  closest: (name: string) => string | undefined = (name) => closestName(name, names.keys()),
): void {
  states.forEach((state, i) => {
    if (!isPlainObject(state)) return;
    for (const { path, label, text } of renderedTexts(state, i)) {
      for (const name of referencedWidgetNames(text)) {
        if (names.has(name)) continue;
        warn(path, `${widgetLabel(state, i)}: ${label} reads widgets.${name}, but the flow has no widget named "${name}"${hint(name, closest(name))}; ` +
          'the reference renders as empty text when the flow runs');
      }
    }
  });
}

function hint(name: string, suggestion: string | undefined): string {
  if (suggestion !== undefined && suggestion.toLowerCase() === name.toLowerCase()) {
    return ` (widget names are case-sensitive: did you mean "${suggestion}"?)`;
  }
  return didYouMean(suggestion);
}

/** The state's property strings that are rendered, and its split's condition values and arguments. */
function* renderedTexts(state: Record<string, unknown>, i: number): Generator<RenderedText> {
  const base = `#/states/${i}`;
  const spec: WidgetSpec | undefined = isWidgetType(state.type) ? WIDGET_SPECS[state.type] : undefined;
  if (isPlainObject(state.properties)) {
    for (const [key, value] of Object.entries(state.properties)) {
      // The canvas position and strings Studio uses literally (flow_sid, method, ...) are never rendered.
      if (key === 'offset' || spec?.properties[key]?.liquid === false) continue;
      yield* stringsIn(value, `${base}/properties/${escapePointer(key)}`, key);
    }
  }
  if (!Array.isArray(state.transitions)) return;
  const input = isPlainObject(state.properties) ? state.properties.input : undefined;
  for (const [j, t] of state.transitions.entries()) {
    if (!isPlainObject(t) || !Array.isArray(t.conditions)) continue;
    for (const [k, c] of t.conditions.entries()) {
      if (!isPlainObject(c)) continue;
      const at = `${base}/transitions/${j}/conditions/${k}`;
      const label = `transitions[${j}].conditions[${k}]`;
      if (typeof c.value === 'string') yield { path: `${at}/value`, label: `${label}.value`, text: c.value };
      // The Console copies the split input into arguments[0]: the same text is reported once, at the input.
      const first = Array.isArray(c.arguments) ? c.arguments[0] : undefined;
      if (typeof first === 'string' && first !== input) yield { path: `${at}/arguments/0`, label: `${label}.arguments[0]`, text: first };
    }
  }
}

function* stringsIn(value: unknown, path: string, label: string): Generator<RenderedText> {
  if (typeof value === 'string') yield { path, label, text: value };
  else if (Array.isArray(value)) {
    for (const [n, item] of value.entries()) yield* stringsIn(item, `${path}/${n}`, `${label}[${n}]`);
  } else if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) yield* stringsIn(item, `${path}/${escapePointer(key)}`, `${label}.${key}`);
  }
}
