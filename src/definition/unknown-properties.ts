// Property keys a widget does not have. Studio and the engine ignore them, so a misspelling (`media_urls`,
// `finish_on_keys`) silently drops the setting: a warning, with the closest real key as a hint.
// Widgets whose property list is a guess (status "unconfirmed") are not checked.

import { closestName, type HintBudget } from '../lib/closest-name.ts';
import type { WidgetSpec } from './widget-specs.ts';

/**
 * The message text after the widget label for an unknown key, or null when the widget has the key.
 * `hints`: the validation's budget for "did you mean" (see closest-name.ts).
 */
export function unknownPropertyProblem(spec: WidgetSpec, key: string, hints?: HintBudget): string | null {
  // Own keys only: "toString" or "constructor" is an unknown property, not one of Object's.
  if (spec.status === 'unconfirmed' || Object.hasOwn(spec.properties, key)) return null;
  const known = Object.keys(spec.properties).filter((k) => k !== 'offset');
  const suggestion = closestName(key, known, hints);
  const what = `${spec.type} has no property "${key}"; it is ignored`;
  if (suggestion !== undefined) return `${what} (did you mean "${suggestion}"?)`;
  return `${what}. Its properties are: ${known.join(', ')}`;
}
