/**
 * Date text that leaves out the date or the year, read as Shopify reads it (Ruby's Time.parse, whose missing
 * leading fields come from the current time): "17:00" and "9:30 AM" are today at that time, "Mar 10" and
 * "3/10" are that day of the current year at midnight. V8's Date parsing, which the date filters otherwise fall
 * back to, refuses a time alone and puts a date without a year in 2001.
 *
 * "Today" and "the current year" are those of the render's clock (`opts.now`, never the real one) in the
 * render's zone, or, for text that names its zone ("17:00 UTC", "5pm PST", "Mar 10 -0500"), in that zone, as
 * Ruby takes them.
 */

/** A time of day as Ruby's date parser reads it: "17:00", "17:00:05.250", "9:30 AM", "9:30pm", "9 a.m.". */
const TIME = String.raw`(\d{1,2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(?:([ap])(?:m\b|\.m\.))?`;
const MONTH = String.raw`(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?`;
const WEEKDAY = String.raw`(?:(?:sun|mon|tue|wed|thu|fri|sat)[a-z]*\.?,?\s+)?`;
const ORDINAL = String.raw`(?:st|nd|rd|th)?`;

const TIME_ONLY = new RegExp(`^${TIME}$`, 'i');
/** "Mar 10", "Tuesday, March 10th", "Mar 10, 5pm". */
const MONTH_DAY = new RegExp(`^${WEEKDAY}${MONTH}\\s+(\\d{1,2})${ORDINAL}(?:,?\\s+${TIME})?$`, 'i');
/** "10 Mar", "10th March 17:00". */
const DAY_MONTH = new RegExp(`^${WEEKDAY}(\\d{1,2})${ORDINAL}\\s+${MONTH}(?:,?\\s+${TIME})?$`, 'i');
/** "3/10", "03/10 09:30": month/day, as "03/10/2026" is read. */
const SLASHED = new RegExp(`^(\\d{1,2})/(\\d{1,2})(?:\\s+${TIME})?$`, 'i');

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** The zone a date text ends with, as the date filters recognise one (liquid.ts' HAS_ZONE). */
const ZONE_SUFFIX = /^(.+?)\s*(\bUTC|\bGMT|\b[ECMP][SD]T|[+-]\d{2}:?\d{2})$/i;
const Z_SUFFIX = /^(.*\d)(Z)$/i;
const US_ZONES: Readonly<Record<string, number>> = { E: -5, C: -6, M: -7, P: -8 };

/** The time fields of a TIME match starting at `i`, or null if out of range (Ruby's Time refuses them). */
function timeOf(m: RegExpExecArray, i: number): [number, number, number, number] | null {
  if (m[i] === undefined) return [0, 0, 0, 0];
  let hour = Number(m[i]);
  const minute = Number(m[i + 1] ?? 0);
  const second = Number(m[i + 2] ?? 0);
  const ms = Math.floor(Number(`0.${m[i + 3] ?? 0}`) * 1000);
  const meridian = m[i + 4]?.toLowerCase();
  // A bare number is no time ("10" is not 10:00): Ruby wants minutes or a meridian with it.
  if (m[i + 1] === undefined && meridian === undefined) return null;
  if (meridian !== undefined) hour = (hour % 12) + (meridian === 'p' ? 12 : 0);
  if (hour > 23 || minute > 59 || second > 59) return null;
  return [hour, minute, second, ms];
}

/**
 * The wall-clock instant (as a UTC instant with the same fields) of text that is a time of day or a date
 * without a year, its missing fields taken from `today` (a date whose UTC fields are the current wall clock);
 * NaN for any other text.
 */
export function partialDateAsUtc(text: string, today: Date): number {
  const year = today.getUTCFullYear();
  let m = TIME_ONLY.exec(text);
  if (m) {
    const time = timeOf(m, 1);
    return time ? Date.UTC(year, today.getUTCMonth(), today.getUTCDate(), ...time) : NaN;
  }
  let month: number;
  let day: number;
  let timeAt: number;
  if ((m = MONTH_DAY.exec(text))) {
    [month, day, timeAt] = [MONTHS.indexOf(m[1]!.toLowerCase()), Number(m[2]), 3];
  } else if ((m = DAY_MONTH.exec(text))) {
    [month, day, timeAt] = [MONTHS.indexOf(m[2]!.toLowerCase()), Number(m[1]), 3];
  } else if ((m = SLASHED.exec(text))) {
    [month, day, timeAt] = [Number(m[1]) - 1, Number(m[2]), 3];
  } else {
    return NaN;
  }
  const time = timeOf(m, timeAt);
  if (time === null || month < 0 || month > 11 || day < 1 || day > 31) return NaN;
  return Date.UTC(year, month, day, ...time);
}

/** Offset east of UTC, ms, of a zone as the date filters recognise one ("UTC", "PDT", "-0500", "+01:00"). */
function zoneOffsetOf(zone: string): number {
  const name = zone.toUpperCase();
  if (name === 'Z' || name === 'UTC' || name === 'GMT') return 0;
  const hours = US_ZONES[name[0]!];
  if (hours !== undefined && /^[ECMP][SD]T$/.test(name)) return (hours + (name[1] === 'D' ? 1 : 0)) * 3_600_000;
  const sign = name[0] === '-' ? -1 : 1;
  const digits = name.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
}

/**
 * The instant of text that is a time of day or a date without a year followed by its zone ("17:00 UTC",
 * "9:30 AM PST", "Mar 10 -0500"), today and the year taken in that zone at `now` (ms); NaN for other text.
 */
export function zonedPartialDate(text: string, now: number): number {
  const m = ZONE_SUFFIX.exec(text) ?? Z_SUFFIX.exec(text);
  if (!m) return NaN;
  const offset = zoneOffsetOf(m[2]!);
  const wall = partialDateAsUtc(m[1]!, new Date(now + offset));
  return wall - offset;
}
