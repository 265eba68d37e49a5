// Property keys a widget does not have. Studio and the engine ignore them, so a misspelling (`media_urls`,
// `finish_on_keys`) silently drops the setting: a warning, with the closest real key as a hint.
// Widgets whose property list is a guess (status "unconfirmed") are not checked.

import { closestName, type HintBudget } from '../lib/closest-name.ts';
import type { WidgetSpec } from './widget-specs.ts';

/**
 * Keys the engine reads though the widget's spec leaves them out (edit forms do not offer them): spellings only a
 * secondary source gives (reference: UNCONFIRMED), honoured so flows written with them work. Their warning says
 * so and names the spelling real exports use, instead of calling them ignored.
 */
const PROMPT_MODE = (type: string, key: string) =>
  `${type} reads "${key}" ("say", "play" or "digits") as which of its prompts plays when several are set, a name no export ` +
  'shows (UNCONFIRMED); without it Say wins, then Play, then digits';

const GUESSED: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'say-play': { say_type: PROMPT_MODE('say-play', 'say_type'), mode: PROMPT_MODE('say-play', 'mode') },
  'gather-input-on-call': { say_type: PROMPT_MODE('gather-input-on-call', 'say_type'), mode: PROMPT_MODE('gather-input-on-call', 'mode') },
  'set-variables': {
    parse_as_json:
      'set-variables reads "parse_as_json": true as parsing every value as JSON, a name only a secondary source gives (UNCONFIRMED); ' +
      'Studio\'s exports mark each variable with "type": "json_object" instead',
  },
};

/**
 * The message text after the widget label for an unknown key, or null when the widget has the key.
 * `hints`: the validation's budget for "did you mean" (see closest-name.ts).
 */
export function unknownPropertyProblem(spec: WidgetSpec, key: string, hints?: HintBudget): string | null {
  // Own keys only: "toString" or "constructor" is an unknown property, not one of Object's.
  if (spec.status === 'unconfirmed' || Object.hasOwn(spec.properties, key)) return null;
  const guessed = GUESSED[spec.type];
  if (guessed && Object.hasOwn(guessed, key)) return guessed[key]!;
  const known = Object.keys(spec.properties).filter((k) => k !== 'offset');
  const suggestion = closestName(key, known, hints);
  const what = `${spec.type} has no property "${key}"; it is ignored`;
  if (suggestion !== undefined) return `${what} (did you mean "${suggestion}"?)`;
  return `${what}. Its properties are: ${known.join(', ')}`;
}
