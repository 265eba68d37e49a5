// Twilio's v1/v2 APIs use ISO 8601 UTC with second precision; twilio-python parses nothing else.
import { isCalendarDate } from '../../lib/calendar.ts';

export function formatDate(ms: number | null | undefined): string | null {
  if (ms === null || ms === undefined) return null;
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Parses a date filter such as DateCreatedFrom. Accepts `Z`, offsets and a bare date; null if unparsable. */
export function parseDateFilter(value: string): number | null {
  const text = value.trim();
  const shape = /^(\d{4})-(\d{2})-(\d{2})([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(text);
  if (!shape) return null;
  // Date.parse takes any day up to 31 (2026-02-30 as 2026-03-02): a day its month lacks is no date.
  const [year, month, day] = [Number(shape[1]), Number(shape[2]), Number(shape[3])];
  if (!isCalendarDate(year, month, day)) return null;
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text.replace(' ', 'T'));
  return Number.isFinite(ms) ? ms : null;
}
