/**
 * Split Based On… condition operators (reference §3.2). Pure: no I/O, no clock.
 *
 * `input` and `value` are the already-rendered strings (Liquid is rendered by the caller).
 * General rules: comparisons are case-insensitive and both `input` and `value` are trimmed.
 * Decisions where Studio's behaviour is UNCONFIRMED:
 *  - unknown operator → false (see `isKnownOperator` to tell it apart);
 *  - `matches_any_of`: `value` is split on commas, items trimmed, EMPTY items ignored (so a
 *    trailing comma does not make a blank input match);
 *  - `less_than`/`greater_than`: numeric only; both sides must be plain decimal numbers
 *    (`12`, `-3.5`, `.5`, `1e3`; no hex, no `Infinity`, no thousands separators, no empty
 *    string), otherwise → false (never a string comparison);
 *  - time operators: `H:MM` / `HH:MM` (24 h, optional `:SS`); dates: `YYYY-MM-DD`, or an ISO
 *    date-time whose date part is taken as written (no time-zone conversion); anything not
 *    parsable (either side) → false. Extension: the word `now` on either side means
 *    `opts.now` (time of day / date in `opts.timezone`, default UTC) when `opts.now` is given;
 *  - `regex`: see `regexMatches`.
 */
import { LruCache } from './liquid/lru.ts';

// The operator names belong to the definition layer (the validator checks them); the engine
// gives them meaning.
import { SPLIT_OPERATORS } from '../definition/widget-specs.ts';
export { SPLIT_OPERATORS };

export type SplitOperator = (typeof SPLIT_OPERATORS)[number];

const OPERATOR_SET: ReadonlySet<string> = new Set(SPLIT_OPERATORS);

export function isKnownOperator(type: string): type is SplitOperator {
  return OPERATOR_SET.has(type);
}

/** Operators that ignore `value` (the Console writes "Is Blank"/"Is Not Blank" there). */
export function operatorTakesValue(type: string): boolean {
  return type !== 'is_blank' && type !== 'is_not_blank';
}

export interface ConditionOptions {
  /** Current time, used only when a time/date operand is the word `now`. */
  now?: Date;
  /** IANA zone for `now` in time/date operators; default UTC. */
  timezone?: string;
}

function norm(s: string): string {
  return s.trim().toLowerCase();
}

/**
 * Evaluate one condition. Never throws; unknown operator or unparsable operands → false.
 */
export function evaluateCondition(type: string, input: string, value: string, opts: ConditionOptions = {}): boolean {
  const a = typeof input === 'string' ? input : input == null ? '' : String(input);
  const b = typeof value === 'string' ? value : value == null ? '' : String(value);
  try {
    switch (type) {
      case 'equal_to':
        return norm(a) === norm(b);
      case 'not_equal_to':
        return norm(a) !== norm(b);
      case 'matches_any_of':
        return matchesAny(a, b);
      case 'does_not_match_any_of':
        return !matchesAny(a, b);
      case 'is_blank':
        return a.trim() === '';
      case 'is_not_blank':
        return a.trim() !== '';
      case 'regex':
        return regexMatches(b, a);
      case 'contains':
        return norm(a).includes(norm(b));
      case 'does_not_contain':
        return !norm(a).includes(norm(b));
      case 'starts_with':
        return norm(a).startsWith(norm(b));
      case 'does_not_start_with':
        return !norm(a).startsWith(norm(b));
      case 'less_than':
      case 'greater_than': {
        const x = parseNumber(a);
        const y = parseNumber(b);
        if (x === undefined || y === undefined) return false;
        return type === 'less_than' ? x < y : x > y;
      }
      case 'is_before_time':
      case 'is_after_time': {
        const x = parseTime(a, opts);
        const y = parseTime(b, opts);
        if (x === undefined || y === undefined) return false;
        return type === 'is_before_time' ? x < y : x > y;
      }
      case 'is_before_date':
      case 'is_after_date': {
        const x = parseDate(a, opts);
        const y = parseDate(b, opts);
        if (x === undefined || y === undefined) return false;
        return type === 'is_before_date' ? x < y : x > y;
      }
      default:
        return false;
    }
  } catch {
    return false;
  }
}

function matchesAny(input: string, list: string): boolean {
  const x = norm(input);
  for (const item of list.split(',')) {
    const y = norm(item);
    if (y !== '' && y === x) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Numbers, times, dates
// ---------------------------------------------------------------------------------------------

const DECIMAL = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:e[+-]?[0-9]+)?$/i;

/** A finite decimal number, or undefined. Exported for the widget layer / tests. */
export function parseNumber(s: string): number | undefined {
  const t = s.trim();
  if (t.length > 400 || !DECIMAL.test(t)) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

const TIME = /^([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?$/;

/** Seconds since midnight for `H:MM`, `HH:MM` or `HH:MM:SS` (24 h), or undefined. */
export function parseTime(s: string, opts: ConditionOptions = {}): number | undefined {
  const t = s.trim();
  if (t.toLowerCase() === 'now') {
    const p = nowParts(opts);
    return p === undefined ? undefined : p.hour * 3600 + p.minute * 60 + p.second;
  }
  const m = TIME.exec(t);
  if (m === null) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  const sec = m[3] === undefined ? 0 : Number(m[3]);
  if (h > 23 || min > 59 || sec > 59) return undefined;
  return h * 3600 + min * 60 + sec;
}

const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:$|[T ]\S)/i;

/** `YYYYMMDD` as a number for `YYYY-MM-DD` (or an ISO date-time's date part), or undefined. */
export function parseDate(s: string, opts: ConditionOptions = {}): number | undefined {
  const t = s.trim();
  if (t.toLowerCase() === 'now') {
    const p = nowParts(opts);
    return p === undefined ? undefined : p.year * 10000 + p.month * 100 + p.day;
  }
  const m = DATE.exec(t);
  if (m === null) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1) return undefined;
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (d > daysInMonth) return undefined;
  return y * 10000 + mo * 100 + d;
}

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function nowParts(opts: ConditionOptions): Parts | undefined {
  const now = opts.now;
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) return undefined;
  const tz = opts.timezone ?? 'UTC';
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    return undefined;
  }
  const out: Record<string, number> = {};
  for (const p of fmt.formatToParts(now)) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return {
    year: out['year'] ?? 0,
    month: out['month'] ?? 0,
    day: out['day'] ?? 0,
    hour: out['hour'] ?? 0,
    minute: out['minute'] ?? 0,
    second: out['second'] ?? 0,
  };
}

// ---------------------------------------------------------------------------------------------
// Regex
// ---------------------------------------------------------------------------------------------

/** Limits for the `regex` operator. */
export const REGEX_LIMITS = Object.freeze({
  /** Inputs longer than this (after trimming) never match. */
  maxInputLength: 16 * 1024,
  /** Patterns longer than this are refused. */
  maxPatternLength: 2048,
  /** Upper bound on the estimated backtracking work (product of quantifier choices). */
  maxEstimatedSteps: 10_000_000,
});

type Analysis = { ok: true; regex: RegExp; choices: number[] } | { ok: false; reason: string };

const regexCache = new LruCache<string, Analysis>(512, 512 * 1024);

/**
 * `regex` operator: `pattern` is a JavaScript regular expression without `/…/` delimiters,
 * matched case-insensitively against the ENTIRE trimmed input (`^(?:pattern)$`).
 *
 * Invalid patterns → false. Catastrophic backtracking is prevented with a static heuristic
 * (we cannot use a worker with a timeout here: the engine is pure/synchronous, and
 * `safe-regex2` is not a direct dependency). A pattern is refused (→ false) if it has
 *  - a back-reference (`\1`, `\k<name>`), or
 *  - a repeated group (`*`, `+`, `{n,}`, `{n,m}` with m > 1) whose body contains a quantifier
 *    or an alternation (star height > 1 / overlapping alternatives: `(a+)+`, `(a|aa)*`).
 * The remaining patterns backtrack at most polynomially: the work is bounded by the product of
 * each quantifier's number of choices (capped at input length + 1). If that estimate exceeds
 * REGEX_LIMITS.maxEstimatedSteps for this input length the condition is false (e.g. a pattern
 * with four `.*` only runs on inputs up to ~55 chars, two `.*` up to ~3100 chars, a single
 * unbounded quantifier on any input up to the 16 KB input cap).
 */
export function regexMatches(pattern: string, input: string): boolean {
  const subject = input.trim();
  if (subject.length > REGEX_LIMITS.maxInputLength) return false;
  const analysis = analyzeRegex(pattern.trim());
  if (!analysis.ok) return false;
  if (estimateSteps(analysis.choices, subject.length) > REGEX_LIMITS.maxEstimatedSteps) return false;
  analysis.regex.lastIndex = 0;
  return analysis.regex.test(subject);
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

/** Compile and vet a `regex` operator pattern (cached). Exported for tests/validation. */
export function analyzeRegex(pattern: string): Analysis {
  const hit = regexCache.get(pattern);
  if (hit !== undefined) return hit;
  const result = analyzeUncached(pattern);
  regexCache.set(pattern, result, pattern.length + 16);
  return result;
}

interface GroupInfo {
  hasQuant: boolean;
  hasAlt: boolean;
}

type Atom = null | { kind: 'char' } | { kind: 'group'; info: GroupInfo };

const BOUNDED_QUANT = /^\{([0-9]+)(,([0-9]*))?\}/;

function analyzeUncached(pattern: string): Analysis {
  if (pattern.length > REGEX_LIMITS.maxPatternLength) return { ok: false, reason: 'pattern too long' };
  try {
    // Validate on its own first: wrapping an unbalanced pattern like `a)|(b` would change its meaning.
    new RegExp(pattern);
  } catch (e) {
    return { ok: false, reason: `invalid regex: ${e instanceof Error ? e.message : String(e)}` };
  }
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
    return { ok: true, regex: new RegExp(`^(?:${pattern})$`, 'i'), choices };
  } catch (e) {
    return { ok: false, reason: `invalid regex: ${e instanceof Error ? e.message : String(e)}` };
  }
}
