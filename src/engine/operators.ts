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
 *  - `regex`: see `regexMatches`; a match refused for the work it would take is false, like an
 *    invalid pattern.
 */
// The `regex` operator lives in lib so the validator can vet patterns with the same rules.
import { RegexBudget, regexMatches } from '../lib/bounded-regex.ts';

// The operator names belong to the definition layer (the validator checks them); the engine
// gives them meaning.
import { SPLIT_OPERATORS } from '../definition/widget-specs.ts';
export { SPLIT_OPERATORS };

export type SplitOperator = (typeof SPLIT_OPERATORS)[number];

const OPERATOR_SET: ReadonlySet<string> = new Set(SPLIT_OPERATORS);

export function isKnownOperator(type: string): type is SplitOperator {
  return OPERATOR_SET.has(type);
}

export interface ConditionOptions {
  /** Current time, used only when a time/date operand is the word `now`. */
  now?: Date;
  /** IANA zone for `now` in time/date operators; default UTC. */
  timezone?: string;
  /**
   * The regex work the sprint may still do; default: a budget of this condition's own. Never the event loop's
   * turn budget (bounded-regex.ts), which would make a condition's outcome depend on what else ran.
   */
  regexBudget?: RegexBudget;
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
        return regexMatches(b, a, opts.regexBudget ?? new RegexBudget());
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
