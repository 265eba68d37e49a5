// Property keys a widget does not have. Studio and the engine ignore them, so a misspelling (`media_urls`,
// `finish_on_keys`) silently drops the setting: a warning, with the closest real key as a hint.
// Widgets whose property list is a guess (status "unconfirmed") are not checked.

import { closestName } from '../lib/closest-name.ts';
import type { WidgetSpec } from './widget-specs.ts';

/** The message text after the widget label for an unknown key, or null when the widget has the key. */
export function unknownPropertyProblem(spec: WidgetSpec, key: string): string | null {
  if (spec.status === 'unconfirmed' || key in spec.properties) return null;
  const known = Object.keys(spec.properties).filter((k) => k !== 'offset');
  const suggestion = closestName(key, known);
  const what = `${spec.type} has no property "${key}"; it is ignored`;
  if (suggestion !== undefined) return `${what} (did you mean "${suggestion}"?)`;
  return `${what}. Its properties are: ${known.join(', ')}`;
}
