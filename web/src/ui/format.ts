// Display helpers.

/** RFC 2822 / ISO dates from the API shown in the browser's locale. */
export function formatDate(value: string | null | undefined): string {
  if (!value) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString();
}

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

export function downloadJson(fileName: string, value: unknown): void {
  const blob = new Blob([JSON.stringify(value, null, 2) + '\n'], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'flow';
}
