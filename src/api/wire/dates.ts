// Twilio's v1/v2 APIs use ISO 8601 UTC with second precision; twilio-python parses nothing else.
import { isCalendarDate } from '../../lib/calendar.ts';
import { isoSeconds } from '../../lib/iso-date.ts';

export function formatDate(ms: number | null | undefined): string | null {
  if (ms === null || ms === undefined) return null;
  return isoSeconds(ms);
}

/** Parses a date filter such as DateCreatedFrom. Accepts `Z`, offsets and a bare date; null if unparsable. */
export function parseDateFilter(value: string): number | null {
  const text = value.trim();
  const shape = /^(\d{4})-(\d{2})-(\d{2})([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(text);
  if (!shape) return null;
  // Date.parse takes any day up to 31 (2026-02-30 as 2026-03-02): a day its month lacks is no date.
  const [year, month, day] = [Number(shape[1]), Number(shape[2]), Number(shape[3])];
  if (!isCalendarDate(year, month, day)) return null;
  // Studio's dates are in GMT: a date or date-time without a zone is UTC, never the host's zone (Date.parse
  // would read a zoneless date-time in local time, so the same URL would mean another instant per node).
  const zoned = shape[4] === undefined ? `${text}T00:00:00Z` : shape[7] === undefined ? `${text.replace(' ', 'T')}Z` : text.replace(' ', 'T');
  const ms = Date.parse(zoned);
  return Number.isFinite(ms) ? ms : null;
}
