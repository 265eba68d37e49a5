/**
 * User-supplied regular expressions (the split `regex` operator) run in bounded time.
 *
 * A pattern is matched case-insensitively against the ENTIRE trimmed input (`^(?:pattern)$`).
 * Two engines, chosen per pattern:
 *
 * 1. V8's linear-time engine (the `l` flag, behind `--enable-experimental-regexp-engine`, which
 *    this module turns on): any pattern it accepts runs in time linear in the input, so nested
 *    quantifiers like `[a-z]+(-[a-z]+)*` or `(yes|no)+` are safe. It has no `i` flag, so the
 *    pattern's literal letters are folded to lower case and the input is lower-cased too (see
 *    `foldCase`; patterns where folding could change the meaning go to engine 2).
 * 2. Otherwise (look-arounds, large counted repeats, escapes we do not fold) the ordinary
 *    backtracking engine, guarded by a static check: a pattern is refused if it has a
 *    back-reference or a repeated group whose body holds a quantifier or an alternation
 *    (`(a+)+`, `(a|aa)*`); the rest backtrack at most polynomially, bounded by the product of
 *    each quantifier's choices (capped at input length + 1), and when that estimate exceeds
 *    REGEX_LIMITS.maxEstimatedSteps for this input the condition is false.
 *
 * Why not a worker with a timeout, or RE2: the engine is pure and synchronous, and a native
 * addon would have to build on every install; V8 already ships a linear engine.
 * Refused and invalid patterns never match; `analyzeRegex` says why, for the validator.
 * Studio's patterns are Java's: the common Java-only syntax is first rewritten (./java-regex.ts);
 * a pattern with `\p{L}`-style Unicode properties needs the `u` flag, which the linear engine lacks,
 * so it takes engine 2 and its guard.
 */
import { setFlagsFromString } from 'node:v8';
import { LruCache } from './lru.ts';
import { translateJavaRegex } from './java-regex.ts';

// A V8 flag, not I/O: it only makes the `l` RegExp flag available. Read when a RegExp is built.
setFlagsFromString('--enable-experimental-regexp-engine');
const LINEAR_AVAILABLE = ((): boolean => {
  try {
    new RegExp('a', 'l');
    return true;
  } catch {
    return false;
  }
})();

/** Limits for the `regex` operator. */
export const REGEX_LIMITS = Object.freeze({
  /** Inputs longer than this (after trimming) never match. */
  maxInputLength: 16 * 1024,
  /** Patterns longer than this are refused. */
  maxPatternLength: 2048,
  /** Upper bound on the estimated backtracking work (product of quantifier choices), engine 2 only. */
  maxEstimatedSteps: 10_000_000,
});

export type Analysis =
  | { ok: true; engine: 'linear'; regex: RegExp; notes?: string[] }
  | { ok: true; engine: 'backtracking'; regex: RegExp; choices: number[]; notes?: string[] }
  | { ok: false; reason: string };

const regexCache = new LruCache<string, Analysis>(512, 512 * 1024);

/** Does `input` (trimmed) match `pattern` (trimmed) as a whole, ignoring case? Never throws. */
export function regexMatches(pattern: string, input: string): boolean {
  const subject = input.trim();
  if (subject.length > REGEX_LIMITS.maxInputLength) return false;
  const analysis = analyzeRegex(pattern.trim());
  if (!analysis.ok) return false;
  analysis.regex.lastIndex = 0;
  if (analysis.engine === 'linear') return analysis.regex.test(foldAscii(subject));
  if (estimateSteps(analysis.choices, subject.length) > REGEX_LIMITS.maxEstimatedSteps) return false;
  return analysis.regex.test(subject);
}

/** ASCII upper case to lower, one for one (String#toLowerCase would also change `İ` into two characters). */
function foldAscii(text: string): string {
  return /[A-Z]/.test(text) ? text.replace(/[A-Z]+/g, (run) => run.toLowerCase()) : text;
}

function estimateSteps(choices: number[], n: number): number {
  // The pattern is anchored (^…$), so there is a single start position.
  let cost = 1;
  for (const c of choices) {
    cost *= Math.min(c, n + 1);
    if (cost > REGEX_LIMITS.maxEstimatedSteps) return cost;
  }
  return cost;
}

/** Compile and vet a pattern (cached): which engine runs it, or why it never matches. */
export function analyzeRegex(pattern: string): Analysis {
  const hit = regexCache.get(pattern);
  if (hit !== undefined) return hit;
  const result = analyzeUncached(pattern);
  regexCache.set(pattern, result, pattern.length + 16);
  return result;
}

function analyzeUncached(pattern: string): Analysis {
  if (pattern.length > REGEX_LIMITS.maxPatternLength) return { ok: false, reason: 'pattern too long' };
  const java = translateJavaRegex(pattern);
  if (java.problems.length > 0) return { ok: false, reason: `Java regex syntax not supported: ${java.problems.join(', ')}` };
  const analysis = analyzeTranslated(java.source, (java.unicode ? 'u' : '') + (java.dotAll ? 's' : ''));
  return analysis.ok && java.notes.length > 0 ? { ...analysis, notes: java.notes } : analysis;
}

function analyzeTranslated(pattern: string, flags: string): Analysis {
  try {
    // Validate on its own first: wrapping an unbalanced pattern like `a)|(b` would change its meaning.
    new RegExp(pattern, flags);
  } catch (e) {
    return { ok: false, reason: `invalid regex: ${e instanceof Error ? e.message : String(e)}` };
  }
  // The linear engine has no `u` (nor `i`: see foldCase).
  const folded = LINEAR_AVAILABLE && !flags.includes('u') ? foldCase(pattern) : null;
  if (folded !== null) {
    try {
      return { ok: true, engine: 'linear', regex: new RegExp(`^(?:${folded})$`, `l${flags}`) };
    } catch {
      // The linear engine does not support this pattern (look-around, back-reference, big counts).
    }
  }
  return analyzeBacktracking(pattern, flags);
}

const LETTER = /\p{L}/u;
const ASCII_UPPER = /^[A-Z]$/;
const ASCII_LOWER = /^[a-z]$/;
/**
 * Escapes that are not folded: any escaped letter or digit but the classes and controls below
 * (`\x41`, `\u0041`, `\cJ`, `\p{Lu}`, back-references, and identity escapes like `\A`, which the
 * i flag would match against `a`).
 */
const FOLDABLE_ESCAPE = /^(?:[dDwWsSbBnrtfv0]|[^A-Za-z0-9])$/;
const UNFOLDABLE_ESCAPE = { test: (e: string): boolean => !FOLDABLE_ESCAPE.test(e) };
/** Only ASCII letters are folded, one for one; other letters (`É`, `İ`, the Kelvin sign) need the i flag. */
const NON_ASCII_LETTER = /[^\x00-\x7F]/;
const MODIFIER_GROUP = /\(\?(?:[a-zA-Z]+-?[a-zA-Z]*|-[a-zA-Z]+):/;

/**
 * Lower-case the literal letters of a pattern so that, matched against a lower-cased input, it
 * behaves as the pattern with the `i` flag. Escapes (`\D`, `\W`, `\S`, `\B`) keep their case.
 * Returns null when folding could change the meaning: escapes that can stand for a letter, or a
 * class range that is not all-lower, all-upper or letter-free (`[A-z]` holds `[\]^_\``).
 */
export function foldCase(pattern: string): string | null {
  if (NON_ASCII_LETTER.test(pattern) || MODIFIER_GROUP.test(pattern)) return null; // `(?-i:A)` must keep its case
  let out = '';
  let i = 0;
  const n = pattern.length;
  while (i < n) {
    const c = pattern[i];
    if (c === '\\') {
      const e = pattern[i + 1] ?? '';
      if (UNFOLDABLE_ESCAPE.test(e)) return null;
      out += c + e;
      i += 2;
      continue;
    }
    if (c === '[') {
      const end = foldClass(pattern, i);
      if (end === null) return null;
      out += end.text;
      i = end.next;
      continue;
    }
    out += c.toLowerCase();
    i += 1;
  }
  return out;
}

function foldClass(pattern: string, start: number): { text: string; next: number } | null {
  let text = '[';
  let i = start + 1;
  if (pattern[i] === '^') {
    text += '^';
    i += 1;
  }
  let prev: string | null = null; // the previous single character, a possible range start
  while (i < pattern.length && pattern[i] !== ']') {
    const c = pattern[i];
    if (c === '\\') {
      const e = pattern[i + 1] ?? '';
      if (UNFOLDABLE_ESCAPE.test(e)) return null;
      text += c + e;
      prev = /[a-zA-Z0-9]/.test(e) ? null : e; // `\d` is not a range endpoint; `\-` is
      i += 2;
      continue;
    }
    if (c === '-' && prev !== null && i + 1 < pattern.length && pattern[i + 1] !== ']') {
      const to = pattern[i + 1] === '\\' ? (pattern[i + 2] ?? '') : pattern[i + 1];
      if (pattern[i + 1] === '\\' && UNFOLDABLE_ESCAPE.test(to)) return null;
      if (!rangeFolds(prev, to)) return null;
      text += '-' + (pattern[i + 1] === '\\' ? '\\' + to : to.toLowerCase());
      i += pattern[i + 1] === '\\' ? 3 : 2;
      prev = null;
      continue;
    }
    text += c.toLowerCase();
    prev = c;
    i += 1;
  }
  if (i >= pattern.length) return null; // unterminated: the caller already rejected invalid patterns
  return { text: text + ']', next: i + 1 };
}

function rangeFolds(from: string, to: string): boolean {
  if (ASCII_LOWER.test(from) && ASCII_LOWER.test(to)) return true;
  if (ASCII_UPPER.test(from) && ASCII_UPPER.test(to)) return true;
  // A range with no letters in it is unaffected by case; anything else (`[A-z]`, `[0-Z]`) is not
  // safe to fold. Letters of other scripts: only ranges that are letter-free at both ends AND
  // do not span the ASCII letters are kept.
  if (LETTER.test(from) || LETTER.test(to)) return false;
  const lo = from.codePointAt(0) ?? 0;
  const hi = to.codePointAt(0) ?? 0;
  return hi < 0x41 || lo > 0x7a || (lo > 0x5a && hi < 0x61);
}

// ---- engine 2: static guard for the backtracking engine -------------------------------------

interface GroupInfo {
  hasQuant: boolean;
  hasAlt: boolean;
}

type Atom = null | { kind: 'char' } | { kind: 'group'; info: GroupInfo };

const BOUNDED_QUANT = /^\{([0-9]+)(,([0-9]*))?\}/;

function analyzeBacktracking(pattern: string, flags: string): Analysis {
  // The length and validity checks were made by analyzeUncached.
  const stack: GroupInfo[] = [{ hasQuant: false, hasAlt: false }];
  const choices: number[] = [];
  let last: Atom = null;
  let i = 0;
  const n = pattern.length;
  while (i < n) {
    const c = pattern[i];
    const top = stack[stack.length - 1];
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (/[1-9]/.test(next)) return { ok: false, reason: 'back-references are not allowed' };
      if (next === 'k' && pattern[i + 2] === '<') return { ok: false, reason: 'back-references are not allowed' };
      last = { kind: 'char' };
      i += 2;
      continue;
    }
    if (c === '[') {
      let j = i + 1;
      while (j < n && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
      last = { kind: 'char' };
      i = j + 1;
      continue;
    }
    if (c === '(') {
      stack.push({ hasQuant: false, hasAlt: false });
      last = null;
      if (pattern[i + 1] === '?') {
        if (pattern[i + 2] === '<' && pattern[i + 3] !== '=' && pattern[i + 3] !== '!') {
          const close = pattern.indexOf('>', i);
          i = close < 0 ? i + 1 : close + 1; // named group
        } else if (pattern[i + 2] === '<') {
          i += 4; // (?<= (?<!
        } else {
          i += 3; // (?: (?= (?!
        }
      } else {
        i += 1;
      }
      continue;
    }
    if (c === ')') {
      if (stack.length === 1) return { ok: false, reason: 'unbalanced parenthesis' };
      const g = stack.pop() as GroupInfo;
      const parent = stack[stack.length - 1];
      parent.hasQuant ||= g.hasQuant;
      parent.hasAlt ||= g.hasAlt;
      last = { kind: 'group', info: g };
      i += 1;
      continue;
    }
    if (c === '|') {
      top.hasAlt = true;
      last = null;
      i += 1;
      continue;
    }
    let min = -1;
    let max = -1;
    let len = 0;
    if (c === '*') [min, max, len] = [0, Infinity, 1];
    else if (c === '+') [min, max, len] = [1, Infinity, 1];
    else if (c === '?') [min, max, len] = [0, 1, 1];
    else if (c === '{') {
      const m = BOUNDED_QUANT.exec(pattern.slice(i, i + 32));
      if (m !== null) {
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
        len = m[0].length;
      }
    }
    if (len > 0 && last !== null) {
      if (pattern[i + len] === '?') len += 1; // lazy
      const repeating = max > 1;
      const nChoices = max === Infinity ? Infinity : Math.max(1, max - min + 1);
      if (last.kind === 'group' && repeating && (last.info.hasQuant || last.info.hasAlt)) {
        return { ok: false, reason: 'nested quantifier or repeated alternation (catastrophic backtracking risk)' };
      }
      if (nChoices > 1) {
        top.hasQuant = true;
        choices.push(nChoices);
      }
      last = null;
      i += len;
      continue;
    }
    last = { kind: 'char' };
    i += 1;
  }
  if (stack.length !== 1) return { ok: false, reason: 'unbalanced parenthesis' };
  try {
    return { ok: true, engine: 'backtracking', regex: new RegExp(`^(?:${pattern})$`, `i${flags}`), choices };
  } catch (e) {
    return { ok: false, reason: `invalid regex: ${e instanceof Error ? e.message : String(e)}` };
  }
}
