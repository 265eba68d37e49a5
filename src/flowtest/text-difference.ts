// Where an expected text and the one a run produced differ, when they are nearly the same: a doubled
// or trailing space, a newline Liquid left or a non-breaking space is hard to see in a
// quoted line, so a failure names the character and shows the stretch around it, whitespace made visible.

import { editDistance } from './closest-name.ts';

const CONTEXT = 12;

/** Whitespace and characters that show as nothing. */
const INVISIBLE = /[\s\u00a0\u200b-\u200d\ufeff]/u;

/** A stretch of text as a quoted line shows it, with spaces as · when `spaces` (other whitespace escaped). */
function visible(text: string, spaces: boolean): string {
  const escaped = [...text].map((c) => (c === ' ' && spaces ? '·' : c === '\u00a0' ? '\\u00a0' : /[\u200b-\u200d\ufeff]/u.test(c) ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c)).join('');
  return JSON.stringify(escaped).slice(1, -1).replace(/\\\\u(00a0|200[bcd]|feff)/g, '\\u$1');
}

/**
 * "they differ at character 88 (spaces shown as ·): expected "…J-77·provided…", got "…J-77··provided…"",
 * or undefined when the texts are equal or not nearly the same (then the lines themselves say enough).
 */
export function textDifference(expected: string, actual: string): string | undefined {
  if (expected === actual) return undefined;
  const around = aroundOnly(expected, actual);
  if (around) return around;
  const { e, a, prefix, suffix } = commonEnds(expected, actual);
  const longest = Math.max(e.length, a.length);
  if (prefix + suffix < longest / 2) return undefined;
  const changedE = e.slice(prefix, e.length - suffix).join('');
  const changedA = a.slice(prefix, a.length - suffix).join('');
  const spaces = INVISIBLE.test(changedE) || INVISIBLE.test(changedA);
  const start = Math.max(0, prefix - CONTEXT);
  const stretch = (chars: string[]) => {
    const end = Math.min(chars.length, chars.length - suffix + CONTEXT);
    return `"${start > 0 ? '…' : ''}${visible(chars.slice(start, end).join(''), spaces)}${end < chars.length ? '…' : ''}"`;
  };
  const where = prefix >= e.length ? `after character ${prefix}` : `at character ${prefix + 1}`;
  return `they differ ${where}${spaces ? ' (spaces shown as ·)' : ''}: expected ${stretch(e)}, got ${stretch(a)}`;
}

/** Both texts as code points, and how many of them they share at the start and (after that) at the end. */
function commonEnds(expected: string, actual: string): { e: string[]; a: string[]; prefix: number; suffix: number } {
  const e = [...expected];
  const a = [...actual];
  let prefix = 0;
  while (prefix < e.length && prefix < a.length && e[prefix] === a[prefix]) prefix++;
  let suffix = 0;
  while (suffix < e.length - prefix && suffix < a.length - prefix && e[e.length - 1 - suffix] === a[a.length - 1 - suffix]) suffix++;
  return { e, a, prefix, suffix };
}

/** The texts differ only in the whitespace before and after them: what each has there. */
function aroundOnly(expected: string, actual: string): string | undefined {
  const trimmed = expected.trim();
  if (trimmed === '' || trimmed !== actual.trim()) return undefined;
  const edges = (text: string) => {
    const start = text.slice(0, text.length - text.trimStart().length);
    const end = text.slice(text.trimEnd().length);
    return [start && `"${visible(start, true)}" before it`, end && `"${visible(end, true)}" after it`].filter(Boolean).join(' and ') || 'nothing around it';
  };
  // Liquid tags on lines of their own leave those lines' newlines in the text.
  const liquid = /\n/.test(actual) && !/\n/.test(expected) ? ' (a Liquid tag on a line of its own leaves its newline: {%- … -%} trims it)' : '';
  return `they differ only in the whitespace around the text: expected ${edges(expected)}, got ${edges(actual)}${liquid}`;
}

/** Past this many cells (changed stretch × changed stretch) the distance is the longer changed stretch's length. */
const DISTANCE_CELLS = 250_000;

/**
 * How far apart two texts are, in characters to insert, delete, change or swap (editDistance), to pick the closest of
 * several: the common start and end are set aside first, and a changed stretch too long to compare cell by cell
 * counts as its length, so a long request body costs one pass.
 */
export function textDistance(expected: string, actual: string): number {
  const { e, a, prefix, suffix } = commonEnds(expected, actual);
  const x = e.slice(prefix, e.length - suffix);
  const y = a.slice(prefix, a.length - suffix);
  if (x.length === 0 || y.length === 0 || x.length * y.length > DISTANCE_CELLS) return Math.max(x.length, y.length);
  return editDistance(x.join(''), y.join(''));
}
