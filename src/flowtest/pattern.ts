// Patterns in expectations and mocks: "/…/flags" is a regular expression, anything else is
// matched exactly. URL patterns also accept `*` wildcards; a mock's URL without a query string
// matches whatever query the request has, an expectation's URL does not (matchesUrlExactly).

const REGEX = /^\/(.+)\/([dgimsuy]*)$/s;

function toRegex(pattern: string): RegExp | null {
  const m = REGEX.exec(pattern);
  if (!m) return null;
  return new RegExp(m[1]!, m[2]!.replace('g', ''));
}

/** Whether a text is a "/regex/" rather than text to match exactly. */
export function isPattern(text: string): boolean {
  return REGEX.test(text);
}

/** Exact text, or a "/regex/" tested against the text. */
export function matchesText(pattern: string, actual: string): boolean {
  const regex = toRegex(pattern);
  return regex ? regex.test(actual) : pattern === actual;
}

/** A `*` glob over a whole URL. */
function globRegex(pattern: string): RegExp {
  return new RegExp('^' + pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
}

/** URL patterns in mocks: "/regex/", a glob with `*`, or an exact URL (query string optional when the pattern has none). */
export function matchesUrl(pattern: string, url: string): boolean {
  const regex = toRegex(pattern);
  if (regex) return regex.test(url);
  if (pattern.includes('*')) {
    const glob = globRegex(pattern);
    return glob.test(url) || (!pattern.includes('?') && glob.test(url.split('?')[0]!));
  }
  if (pattern === url || (!pattern.includes('?') && pattern === url.split('?')[0])) return true;
  // A query in the mock matches the same parameters in any order, as an expectation's does.
  return pattern.includes('?') && matchesUrlExactly(pattern, url);
}

/**
 * URL patterns in expectations: "/regex/", a glob with `*` over the whole URL, or an exact URL. Unlike
 * a mock, an expectation checks the query string too (its parameters in any order), so a request
 * with a wrong or extra query does not pass for the right one.
 */
export function matchesUrlExactly(pattern: string, url: string): boolean {
  const regex = toRegex(pattern);
  if (regex) return regex.test(url);
  if (pattern.includes('*')) return globRegex(pattern).test(url);
  if (pattern === url) return true;
  const [patternBase, patternQuery] = splitQuery(pattern);
  const [urlBase, urlQuery] = splitQuery(url);
  return patternBase === urlBase && patternQuery !== null && urlQuery !== null && queryKey(patternQuery) === queryKey(urlQuery);
}

/** The URL before its query, and the query (null when there is none); a fragment is part of neither. */
function splitQuery(url: string): [string, string | null] {
  const hash = url.indexOf('#');
  const bare = hash >= 0 ? url.slice(0, hash) : url;
  const q = bare.indexOf('?');
  return q >= 0 ? [bare.slice(0, q), bare.slice(q + 1)] : [bare, null];
}

/** A query's parameters, decoded and sorted, as one comparable string. */
function queryKey(query: string): string {
  return JSON.stringify([...new URLSearchParams(query)].sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0)));
}

/** Deep subset match: every key of `expected` must match in `actual`; strings may be patterns; null is "not set" (absent or null). */
export function matchesValue(expected: unknown, actual: unknown): boolean {
  if (expected === null) return actual === null || actual === undefined;
  if (typeof expected === 'string') {
    if (typeof actual === 'string') return matchesText(expected, actual);
    if (typeof actual === 'number' || typeof actual === 'boolean') return matchesText(expected, String(actual));
    return false;
  }
  if (expected === null || typeof expected !== 'object') return expected === actual;
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => matchesValue(e, actual[i]));
  }
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
  return Object.entries(expected).every(([key, value]) => matchesValue(value, Object.hasOwn(actual, key) ? (actual as Record<string, unknown>)[key] : undefined));
}
