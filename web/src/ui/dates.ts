// Dates in lists: the time of day alone, and which items say their day (the first, and where it changes).
// Pure (no DOM); test/web/execution-page.test.ts.

/** The time of day of an API date in the browser's locale, without its date. */
export function formatTime(value: string): string {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleTimeString();
}

/** The browser's calendar day of an API date (its local date), to tell when a list of them changes day. */
export function localDay(value: string): string {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toDateString();
}

/**
 * Which of a list of dates (oldest first) show their date, not only their time: the first, and each on
 * another day than the one before it. A list of steps says its day once, and again when it changes.
 */
export function showsDay(values: readonly string[], dayOf: (value: string) => string = localDay): boolean[] {
  return values.map((value, i) => i === 0 || dayOf(value) !== dayOf(values[i - 1]!));
}
