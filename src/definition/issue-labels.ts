// How validation issues name things: the widget ("Widget "say_1" (say-play)") and JSON pointer segments.
import { isPlainObject } from './parse.ts';

/** `Widget "name" (type)`, or `Widget #i (…)` when the state has no usable name. */
export function widgetLabel(state: unknown, i: number): string {
  const s = isPlainObject(state) ? state : {};
  const name = typeof s.name === 'string' && s.name !== '' ? `"${s.name}"` : `#${i}`;
  const type = typeof s.type === 'string' ? s.type : 'unknown type';
  return `Widget ${name} (${type})`;
}

/** A key as one JSON pointer segment (RFC 6901). */
export function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** ` (did you mean "x"?)`, or '' without a suggestion. */
export function didYouMean(suggestion: string | undefined): string {
  return suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
}
