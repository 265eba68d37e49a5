// Patterns in expectations and mocks: "/…/flags" is a regular expression, anything else is
// matched exactly. URL patterns in mocks also accept `*` wildcards.

const REGEX = /^\/(.+)\/([dgimsuy]*)$/s;

export function isRegexPattern(pattern: string): boolean {
  return REGEX.test(pattern);
}

function toRegex(pattern: string): RegExp | null {
  const m = REGEX.exec(pattern);
  if (!m) return null;
  return new RegExp(m[1]!, m[2]!.replace('g', ''));
}

/** Exact text, or a "/regex/" tested against the text. */
export function matchesText(pattern: string, actual: string): boolean {
  const regex = toRegex(pattern);
  return regex ? regex.test(actual) : pattern === actual;
}

/** URL patterns: "/regex/", a glob with `*`, or an exact URL (query string optional when the pattern has none). */
export function matchesUrl(pattern: string, url: string): boolean {
  const regex = toRegex(pattern);
  if (regex) return regex.test(url);
  if (pattern.includes('*')) {
    const glob = new RegExp('^' + pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
    return glob.test(url) || (!pattern.includes('?') && glob.test(url.split('?')[0]!));
  }
  return pattern === url || (!pattern.includes('?') && pattern === url.split('?')[0]);
}

/** Deep subset match: every key of `expected` must match in `actual`; strings may be patterns. */
export function matchesValue(expected: unknown, actual: unknown): boolean {
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
  return Object.entries(expected).every(([key, value]) => matchesValue(value, (actual as Record<string, unknown>)[key]));
}
