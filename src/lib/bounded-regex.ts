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
 *    `foldCase`; patterns where folding could change the meaning keep the `i` flag, on engine 2).
 * 2. Otherwise (look-arounds, large counted repeats, escapes we do not fold) the ordinary
 *    backtracking engine, guarded by a static check: a pattern is refused if it has a
 *    back-reference or a repeated group whose body holds a quantifier or an alternation
 *    (`(a+)+`, `(a|aa)*`); the rest backtrack at most polynomially.
 *
 * Linear is not cheap: the linear engine's time is the automaton's size times the input's length, so
 * `.*` repeated a thousand times on 16 KB takes seconds. Every match therefore has a work estimate, a
 * worst case over inputs of that length (`Analysis.work`: compiling, plus the automaton's size times
 * the input's length, or the backtracking engine's ways to try); a match estimated over
 * REGEX_LIMITS.maxWorkPerMatch is refused before it runs, and a RegexBudget caps what the matches of
 * one sprint do together (without one, those of one turn of the event loop share a budget). Refused
 * matches are false, like invalid patterns; `regexVerdict` says why, `analyzeRegex` and
 * `longestAffordableInput` tell the validator. The limits keep one match to about 20 ms and one
 * sprint's matches to about 50 ms on a current machine.
 *
 * Why not a worker with a timeout, or RE2: the engine is pure and synchronous, and a native
 * addon would have to build on every install; V8 already ships a linear engine.
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
  /**
   * Estimated work (see `Analysis.work`) one match may do; a match that would do more is refused
   * before it runs. Measured, a unit takes 50 ns at most (the linear engine with every thread alive).
   */
  maxWorkPerMatch: 400_000,
  /** Estimated work all the matches one budget (a sprint, by default a turn of the event loop) may do together. */
  maxWorkPerSprint: 1_000_000,
});

export type Analysis =
  | {
      ok: true;
      engine: 'linear' | 'backtracking';
      regex: RegExp;
      /** The pattern was folded to lower case: so must the input be (see foldCase). */
      foldInput: boolean;
      /** Estimated work of one match on an input of `length` characters: a worst case, whatever the characters are. */
      work: (length: number) => number;
      /** The part of `work` any input costs (compiling): also what deciding to refuse a match is charged. */
      compileWork: number;
      notes?: string[];
    }
  | { ok: false; reason: string };

/** Whether an input matches, or why the match was refused. */
export type Verdict = { ok: true; matches: boolean } | { ok: false; reason: string };

/**
 * The regex work a sprint may do (`REGEX_LIMITS.maxWorkPerSprint`). Each match is charged its estimate
 * before it runs; once spent, further matches are refused. Counts, not time: a flow is routed the same
 * way on any node, in a replay and in a flow test.
 */
export class RegexBudget {
  remaining: number;
  constructor(limit: number = REGEX_LIMITS.maxWorkPerSprint) {
    this.remaining = limit;
  }
  /** Takes `work` from the budget if it is all there. */
  spend(work: number): boolean {
    if (work > this.remaining) return false;
    this.remaining -= work;
    return true;
  }
}

// Without a sprint's budget, the matches of one turn of the event loop share one: whatever calls
// them, together they cannot hold the loop longer than one budget's worth.
let turnBudget: RegexBudget | null = null;
function currentTurnBudget(): RegexBudget {
  if (turnBudget === null) {
    turnBudget = new RegexBudget();
    setImmediate(() => {
      turnBudget = null;
    }).unref();
  }
  return turnBudget;
}

const regexCache = new LruCache<string, Analysis>(512, 512 * 1024);

/** Does `input` (trimmed) match `pattern` (trimmed) as a whole, ignoring case? Never throws; refused → false. */
export function regexMatches(pattern: string, input: string, budget?: RegexBudget): boolean {
  const verdict = regexVerdict(pattern, input, budget);
  return verdict.ok && verdict.matches;
}

/** `regexMatches`, saying why a match was refused: the pattern, the input's length, or the work either would take. */
export function regexVerdict(pattern: string, input: string, budget: RegexBudget = currentTurnBudget()): Verdict {
  const subject = input.trim();
  if (subject.length > REGEX_LIMITS.maxInputLength) return { ok: false, reason: `input longer than ${REGEX_LIMITS.maxInputLength} characters` };
  const analysis = analyzeRegex(pattern.trim());
  if (!analysis.ok) return analysis;
  const spent: Verdict = { ok: false, reason: `the regex work this step may do (${REGEX_LIMITS.maxWorkPerSprint}) is spent` };
  if (analysis.compileWork > budget.remaining) return spent;
  const work = analysis.work(subject.length);
  if (work > REGEX_LIMITS.maxWorkPerMatch) {
    // Refusals are charged too, so a loop of them cannot go on for free.
    budget.spend(analysis.compileWork);
    return { ok: false, reason: `too complex for an input of ${subject.length} characters (estimated work ${Math.round(work)} > ${REGEX_LIMITS.maxWorkPerMatch})` };
  }
  if (!budget.spend(work)) return spent;
  analysis.regex.lastIndex = 0;
  return { ok: true, matches: analysis.regex.test(analysis.foldInput ? foldAscii(subject) : subject) };
}

/**
 * The longest input (at most `maxInputLength`) the pattern may be matched against within
 * `maxWorkPerMatch`; -1 if none. The validator warns when that is short.
 */
export function longestAffordableInput(analysis: Extract<Analysis, { ok: true }>): number {
  let lo = -1; // affordable (or none)
  let hi = REGEX_LIMITS.maxInputLength + 1; // not affordable
  if (analysis.work(REGEX_LIMITS.maxInputLength) <= REGEX_LIMITS.maxWorkPerMatch) return REGEX_LIMITS.maxInputLength;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (analysis.work(mid) <= REGEX_LIMITS.maxWorkPerMatch) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** ASCII upper case to lower, one for one (String#toLowerCase would also change `İ` into two characters). */
function foldAscii(text: string): string {
  return /[A-Z]/.test(text) ? text.replace(/[A-Z]+/g, (run) => run.toLowerCase()) : text;
}

/** Compile and vet a pattern (cached): which engine runs it, or why it never matches. */
export function analyzeRegex(pattern: string): Analysis {
  const hit = regexCache.get(pattern);
  if (hit !== undefined) return hit;
  const result = analyzeUncached(pattern);
  // Engine 2 keeps the pattern's structure for its estimate: a few dozen bytes per character.
  regexCache.set(pattern, result, (result.ok && result.engine === 'backtracking' ? 8 : 1) * pattern.length + 16);
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
  const unicode = flags.includes('u');
  // V8 builds a property's ranges as it parses: refuse a pattern full of them before it does.
  const properties = unicode ? (pattern.match(PROPERTY) ?? []).length : 0;
  if (properties * COMPILE_UNITS.property > REGEX_LIMITS.maxWorkPerMatch) return { ok: false, reason: `too many Unicode property classes (${properties})` };
  try {
    // Validate on its own first: wrapping an unbalanced pattern like `a)|(b` would change its meaning.
    new RegExp(pattern, flags);
  } catch (e) {
    return { ok: false, reason: `invalid regex: ${e instanceof Error ? e.message : String(e)}` };
  }
  const parsed = parsePattern(pattern, unicode);
  if (parsed === null) return { ok: false, reason: 'unbalanced parenthesis' }; // not after `new RegExp` accepted it
  if (hasBackref(parsed.root)) return { ok: false, reason: 'back-references are not allowed' };
  // Without back-references nothing reads a capture.
  const source = (p: string): string => `^(?:${withoutCaptures(p, p === pattern ? parsed.captures : (parsePattern(p, unicode)?.captures ?? []))})$`;
  // Neither engine gets the `i` flag when it can be done without (the linear engine has none; on the
  // other, case-folding a class makes compiling it cost up to a millisecond). `u`: see foldCase.
  const folded = unicode ? null : foldCase(pattern);
  const compile = compileWork(parsed, pattern.length, folded === null);
  if (compile > REGEX_LIMITS.maxWorkPerMatch) return { ok: false, reason: 'too complex to compile (too many classes)' };
  if (folded !== null && LINEAR_AVAILABLE) {
    try {
      const regex = new RegExp(source(folded), `l${flags}`);
      const size = linearSize(parsed.root) + 2; // with the anchors
      return { ok: true, engine: 'linear', regex, foldInput: true, work: (length) => compile + size * (length + 1), compileWork: compile };
    } catch {
      // The linear engine does not support this pattern (look-ahead, big counts).
    }
  }
  if (exponentialRisk(parsed.root)) return { ok: false, reason: 'nested quantifier or repeated alternation (catastrophic backtracking risk)' };
  try {
    const regex = folded !== null ? new RegExp(source(folded), flags) : new RegExp(source(pattern), `i${flags}`);
    const work = (length: number): number => compile + backtrackWork(parsed.root, length).cost * BACKTRACK_UNIT;
    return { ok: true, engine: 'backtracking', regex, foldInput: folded !== null, work, compileWork: compile };
  } catch (e) {
    return { ok: false, reason: `invalid regex: ${e instanceof Error ? e.message : String(e)}` };
  }
}

const PROPERTY = /\\[pP]\{/g;

/** What compiling costs, in units of `Analysis.work`: a class with the `i` flag is the expensive part. */
const COMPILE_UNITS = Object.freeze({ perChar: 25, property: 18_000, caseClass: 12_000, caseNonAscii: 250 });

function compileWork(parsed: Parsed, length: number, ignoreCase: boolean): number {
  const { perChar, property, caseClass, caseNonAscii } = COMPILE_UNITS;
  const perCase = ignoreCase ? parsed.classes * caseClass + parsed.nonAscii * caseNonAscii : 0;
  return length * perChar + parsed.properties * property + perCase;
}

const ASCII_UPPER = /^[A-Z]$/;
const ASCII_LOWER = /^[a-z]$/;
/**
 * Escapes that are not folded: any escaped letter or digit but the classes and controls below
 * (`\x41`, `\u0041`, `\cJ`, `\p{Lu}`, back-references, and identity escapes like `\A`, which the
 * i flag would match against `a`).
 */
const FOLDABLE_ESCAPE = /^(?:[dDwWsSbBnrtfv0]|[^A-Za-z0-9])$/;
const UNFOLDABLE_ESCAPE = { test: (e: string): boolean => !FOLDABLE_ESCAPE.test(e) };
const MODIFIER_GROUP = /\(\?(?:[a-zA-Z]+-?[a-zA-Z]*|-[a-zA-Z]+):/;

/**
 * Lower-case the literal letters of a pattern so that, matched against an input whose ASCII letters
 * are lower-cased, it behaves as the pattern with the `i` flag (without `u`). ASCII letters fold one
 * for one; any other character that has case partners becomes a class of them (`é` → `[éÉ]`: the
 * input's other characters are left alone, `İ` has none). Escapes (`\D`, `\W`, `\S`, `\B`) keep their
 * case. Returns null when folding could change the meaning: escapes that can stand for a letter, a
 * class range that is not all-lower, all-upper or letter-free ASCII (`[A-z]` holds `[\]^_\``), a range
 * beyond ASCII, or a group that sets its own flags (`(?-i:A)`).
 */
export function foldCase(pattern: string): string | null {
  if (MODIFIER_GROUP.test(pattern)) return null;
  let out = '';
  let i = 0;
  const n = pattern.length;
  while (i < n) {
    const c = pattern[i];
    if (c === '\\') {
      const e = pattern[i + 1] ?? '';
      if (UNFOLDABLE_ESCAPE.test(e)) return null;
      out += e > '\x7f' ? foldChar(e, false) : c + e; // `\é` is `é`
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
    if (c === '(' && pattern.startsWith('?<', i + 1) && pattern[i + 3] !== '=' && pattern[i + 3] !== '!') {
      const close = pattern.indexOf('>', i);
      if (close < 0) return null;
      out += pattern.slice(i, close + 1); // a group's name is not matched: as written
      i = close + 1;
      continue;
    }
    out += foldChar(c, false);
    i += 1;
  }
  return out;
}

/** `c` folded: outside a class, a class of its case partners (inside one, the partners themselves). */
function foldChar(c: string, inClass: boolean): string {
  if (c <= '\x7f') return c.toLowerCase();
  const partners = caseSet(c);
  return partners.length === 1 || inClass ? partners : `[${partners}]`;
}

let caseSets: Map<string, string> | null = null;

/**
 * The characters the `i` flag without `u` matches to a non-ASCII `c`, `c` included: ECMAScript's
 * Canonicalize inverted over the BMP (built once, on the first pattern that needs it).
 */
function caseSet(c: string): string {
  if (caseSets === null) {
    // Canonicalize(ch) is ch's upper case, unless that is several characters or (for ch beyond ASCII)
    // ASCII: then ch itself. So ASCII has no part in these sets, and each set is an upper-case letter
    // with the characters whose upper case it is.
    const byUpper = new Map<string, string>();
    for (let code = 0x80; code <= 0xffff; code++) {
      const ch = String.fromCharCode(code);
      const upper = ch.toUpperCase();
      if (upper !== ch && upper.length === 1 && upper > '\x7f') byUpper.set(upper, (byUpper.get(upper) ?? upper) + ch);
    }
    caseSets = new Map();
    for (const members of byUpper.values()) for (const m of members) caseSets.set(m, members);
  }
  return caseSets.get(c) ?? c;
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
      text += e > '\x7f' ? foldChar(e, true) : c + e;
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
    text += foldChar(c, true);
    prev = c;
    i += 1;
  }
  if (i >= pattern.length) return null; // unterminated: the caller already rejected invalid patterns
  return { text: text + ']', next: i + 1 };
}

function rangeFolds(from: string, to: string): boolean {
  if (from > '\x7f' || to > '\x7f') return false; // beyond ASCII, a range's case partners are no range
  if (ASCII_LOWER.test(from) && ASCII_LOWER.test(to)) return true;
  if (ASCII_UPPER.test(from) && ASCII_UPPER.test(to)) return true;
  // Otherwise only a range with no letters in it is unaffected by case (`[A-z]`, `[0-Z]` are not).
  const lo = from.charCodeAt(0);
  const hi = to.charCodeAt(0);
  return hi < 0x41 || lo > 0x7a || (lo > 0x5a && hi < 0x61);
}

// ---- pattern structure: the work estimates and engine 2's guard --------------------------------

/** A pattern's structure, as far as the engines' work depends on it. Groups that do not look around are transparent. */
type Node =
  | { t: 'atom' } // a character, a class, `.`, an anchor or `\b`
  | { t: 'backref' }
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; branches: Node[] }
  | { t: 'look'; body: Node } // look-ahead or look-behind: atomic
  | { t: 'rep'; body: Node; min: number; max: number };

interface Parsed {
  root: Node;
  /** Classes, `.` and class escapes (`\w`), for the cost of compiling them. */
  classes: number;
  /** Unicode property escapes (`\p{L}`), inside classes too. */
  properties: number;
  /** Literal characters outside ASCII, and escapes that may stand for one. */
  nonAscii: number;
  /** Where each capturing group opens, `(` or `(?<name>`: rewritten to `(?:` (see `withoutCaptures`). */
  captures: { at: number; length: number }[];
}

const ATOM: Node = { t: 'atom' };
/** What one step of engine 2's estimate counts for in `Analysis.work`: measured, a step takes a few ns, a tenth of a linear unit's worst. */
const BACKTRACK_UNIT = 0.1;
const BOUNDED_QUANT = /\{([0-9]+)(,([0-9]*))?\}/y; // sticky: `{0016}` is 16, however many zeros

/** Parses a pattern `new RegExp(pattern, flags)` accepted; null if it does not (unbalanced parentheses). */
function parsePattern(pattern: string, unicode: boolean): Parsed | null {
  const stack: { branches: Node[][]; look: boolean }[] = [{ branches: [[]], look: false }];
  const captures: Parsed['captures'] = [];
  const items = (): Node[] => stack[stack.length - 1].branches.at(-1) as Node[];
  const counts = { classes: 0, properties: 0, nonAscii: 0 };
  const n = pattern.length;
  let i = 0;
  while (i < n) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      items().push(/[1-9]/.test(next) || (next === 'k' && pattern[i + 2] === '<') ? { t: 'backref' } : ATOM);
      // `\p{L}`, `\u{1F600}`: the braces are not a quantifier (without `u`, `\u{3}` is one: `u` three times).
      const braced = unicode && /[pPu]/.test(next) && pattern[i + 2] === '{';
      if (braced && next !== 'u') counts.properties += 1;
      else if (/[dDwWsS]/.test(next)) counts.classes += 1;
      else if (/[uxc]/.test(next) || next > '\x7f') counts.nonAscii += 1;
      const close = braced ? pattern.indexOf('}', i) : i + 1;
      if (close < 0) return null;
      i = close + 1;
      continue;
    }
    if (c === '[') {
      let j = i + 1;
      if (pattern[j] === '^') j += 1;
      while (j < n && pattern[j] !== ']') {
        if (unicode && pattern[j] === '\\' && /[pP]/.test(pattern[j + 1] ?? '') && pattern[j + 2] === '{') counts.properties += 1;
        j += pattern[j] === '\\' ? 2 : 1;
      }
      counts.classes += 1;
      items().push(ATOM);
      i = j + 1;
      continue;
    }
    if (c === '(') {
      let length = 1;
      let look = false;
      if (pattern[i + 1] !== '?') captures.push({ at: i, length });
      else if (pattern[i + 2] === '=' || pattern[i + 2] === '!') [length, look] = [3, true];
      else if (pattern[i + 2] === '<' && (pattern[i + 3] === '=' || pattern[i + 3] === '!')) [length, look] = [4, true];
      else {
        // `(?<name>`, or `(?:` and modifier groups like `(?-i:`
        const close = pattern.indexOf(pattern[i + 2] === '<' ? '>' : ':', i);
        if (close < 0) return null;
        length = close + 1 - i;
        if (pattern[i + 2] === '<') captures.push({ at: i, length });
      }
      stack.push({ branches: [[]], look });
      i += length;
      continue;
    }
    if (c === ')') {
      if (stack.length === 1) return null;
      const group = stack.pop() as { branches: Node[][]; look: boolean };
      const body = alternation(group.branches);
      items().push(group.look ? { t: 'look', body } : body);
      i += 1;
      continue;
    }
    if (c === '|') {
      stack[stack.length - 1].branches.push([]);
      i += 1;
      continue;
    }
    const q = quantifierAt(pattern, i);
    const list = items();
    if (q !== null && list.length > 0) {
      list.push({ t: 'rep', body: list.pop() as Node, min: q.min, max: q.max });
      i += q.length;
      continue;
    }
    list.push(ATOM); // `.`, `^`, `$`, a literal (also `{` that is not a quantifier)
    if (c === '.') counts.classes += 1;
    else if (c > '\x7f') counts.nonAscii += 1;
    i += 1;
  }
  return stack.length === 1 ? { root: alternation(stack[0].branches), captures, ...counts } : null;
}

function alternation(branches: Node[][]): Node {
  const seqs: Node[] = branches.map((items) => (items.length === 1 ? items[0] : { t: 'seq', items }));
  return seqs.length === 1 ? seqs[0] : { t: 'alt', branches: seqs };
}

function quantifierAt(pattern: string, i: number): { min: number; max: number; length: number } | null {
  const c = pattern[i];
  let q: { min: number; max: number; length: number } | null = null;
  if (c === '*') q = { min: 0, max: Infinity, length: 1 };
  else if (c === '+') q = { min: 1, max: Infinity, length: 1 };
  else if (c === '?') q = { min: 0, max: 1, length: 1 };
  else if (c === '{') {
    BOUNDED_QUANT.lastIndex = i;
    const m = BOUNDED_QUANT.exec(pattern);
    if (m !== null) {
      const min = Number(m[1]);
      q = { min, max: m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]), length: m[0].length };
    }
  }
  if (q !== null && pattern[i + q.length] === '?') q.length += 1; // lazy
  return q;
}

/** The pattern with every capturing group made non-capturing: `test` reads no captures, and the linear engine pays for them per thread. */
function withoutCaptures(pattern: string, captures: Parsed['captures']): string {
  let out = '';
  let from = 0;
  for (const { at, length } of captures) {
    out += pattern.slice(from, at) + '(?:';
    from = at + length;
  }
  return out + pattern.slice(from);
}

function hasBackref(node: Node): boolean {
  switch (node.t) {
    case 'backref':
      return true;
    case 'atom':
      return false;
    case 'seq':
      return node.items.some(hasBackref);
    case 'alt':
      return node.branches.some(hasBackref);
    case 'look':
    case 'rep':
      return hasBackref(node.body);
  }
}

/**
 * Engine 1's work per input character: the size of the automaton V8 simulates (its threads are one per
 * instruction at most, and a hostile pattern keeps them all alive: `.*.*.*…`). Counted repeats are unrolled.
 */
function linearSize(node: Node): number {
  switch (node.t) {
    case 'atom':
    case 'backref':
      return 1;
    case 'seq':
      return node.items.reduce((sum, item) => sum + linearSize(item), 0);
    case 'alt':
      return node.branches.reduce((sum, branch) => sum + linearSize(branch), 0) + 2 * (node.branches.length - 1);
    case 'look':
      return linearSize(node.body) + 2;
    case 'rep': {
      const body = linearSize(node.body);
      return node.max === Infinity ? body * (node.min + 1) + 2 : body * node.max + 2 * (node.max - node.min);
    }
  }
}

/** Engine 2's guard: a repeated group whose body can itself match in several ways backtracks exponentially. */
function exponentialRisk(node: Node): boolean {
  switch (node.t) {
    case 'atom':
    case 'backref':
      return false;
    case 'seq':
      return node.items.some(exponentialRisk);
    case 'alt':
      return node.branches.some(exponentialRisk);
    case 'look':
      return exponentialRisk(node.body);
    case 'rep':
      return (node.max > 1 && hasChoice(node.body)) || exponentialRisk(node.body);
  }
}

function hasChoice(node: Node): boolean {
  switch (node.t) {
    case 'atom':
    case 'backref':
      return false;
    case 'seq':
      return node.items.some(hasChoice);
    case 'alt':
      return true;
    case 'look':
      return hasChoice(node.body);
    case 'rep':
      return node.max > node.min || hasChoice(node.body);
  }
}

/**
 * Engine 2's work on an input of `length` characters: `ways` a node can match where it starts, `cost`
 * to try them all. In a sequence each way of an item tries the rest again; a quantifier's choices are
 * at most length + 1; a look-around is atomic (one way) but costs its whole search each time.
 */
function backtrackWork(node: Node, length: number): { ways: number; cost: number } {
  switch (node.t) {
    case 'atom':
    case 'backref':
      return { ways: 1, cost: 1 };
    case 'seq': {
      let ways = 1;
      let cost = 1;
      for (let k = node.items.length - 1; k >= 0; k--) {
        const item = backtrackWork(node.items[k], length);
        ways *= item.ways;
        cost = item.cost + item.ways * cost;
      }
      return { ways, cost };
    }
    case 'alt': {
      const all = node.branches.map((b) => backtrackWork(b, length));
      return { ways: all.reduce((s, b) => s + b.ways, 0), cost: all.reduce((s, b) => s + b.cost, 1) };
    }
    case 'look':
      return { ways: 1, cost: backtrackWork(node.body, length).cost + 1 };
    case 'rep': {
      const body = backtrackWork(node.body, length);
      const cap = length + 1; // the body consumes a character, or the engine stops repeating it
      const mandatory = Math.min(node.min, cap);
      const choices = Math.min(node.max - node.min + 1, cap);
      // Behind the guard a body repeated more than once matches in one way only.
      const ways = node.max <= 1 ? body.ways + (node.min === 0 ? 1 : 0) : choices;
      return { ways, cost: (mandatory + choices) * body.cost };
    }
  }
}
