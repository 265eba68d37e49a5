// Twilio's v1/v2 APIs use ISO 8601 UTC with second precision; twilio-python parses nothing else.

export function formatDate(ms: number | null | undefined): string | null {
  if (ms === null || ms === undefined) return null;
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Parses a date filter such as DateCreatedFrom. Accepts `Z`, offsets and a bare date; null if unparsable. */
export function parseDateFilter(value: string): number | null {
  const text = value.trim();
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) return null;
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text.replace(' ', 'T'));
  return Number.isFinite(ms) ? ms : null;
}
