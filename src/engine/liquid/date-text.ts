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
import { utcTime } from './time-zones.ts';

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
/**
 * "3/10", "03/10 09:30": month/day, as Ruby reads two slashed numbers, whatever the slashed-date order (which
 * is about dates with a year, see slashedDateMonthFirst).
 */
const SLASHED = new RegExp(`^(\\d{1,2})/(\\d{1,2})(?:\\s+${TIME})?$`, 'i');

/**
 * How the date filters read a slashed date with a year, "03/10/2026": 'month-first' is 10 March, as V8 reads
 * it and US users write it (the default); 'day-first' is 3 October, as Ruby's Time.parse (so Shopify Liquid)
 * reads it. Which one Studio uses is UNCONFIRMED, so it is configurable (--liquid-slash-dates).
 */
export type SlashDateOrder = 'month-first' | 'day-first';

/** A slashed date with a four-digit year at the start of a date text; a time or a zone may follow it. */
const SLASHED_WITH_YEAR = /^(\s*)(\d{1,2})\/(\d{1,2})\/(\d{4})(?!\d)/;

/**
 * `text` as the date filters read it under `order`: with 'day-first', a text starting with a slashed date with
 * a four-digit year ("03/10/2026", "03/10/2026 9:30 PM", "03/10/2026 09:30 UTC") is respelled month first
 * ("10/03/2026 …"), the form they read, and is null when its month or day is out of range ("03/13/2026": Ruby's
 * Time.parse refuses it, so the filter returns its input). Any other text, and any text under 'month-first',
 * is returned as it is. Two-digit years ("03/10/26", which Ruby reads as 2003-10-26) and dates without a year
 * ("3/10", month first for Ruby too) are not affected.
 */
export function slashedDateMonthFirst(text: string, order: SlashDateOrder): string | null {
  if (order !== 'day-first') return text;
  const m = SLASHED_WITH_YEAR.exec(text);
  if (m === null) return text;
  const [day, month] = [Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  return `${m[1]}${m[3]}/${m[2]}/${m[4]}${text.slice(m[0].length)}`;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** The zone a date text ends with, as the date filters recognise one (date-filters.ts' HAS_ZONE). */
const ZONE_SUFFIX = /^(.+?)\s*(\bUTC|\bGMT|\b[ECMP][SD]T|[+-]\d{2}:?\d{2})$/i;
const Z_SUFFIX = /^(.*\d)(Z)$/i;
const US_ZONES: Readonly<Record<string, number>> = { E: -5, C: -6, M: -7, P: -8 };

/** Milliseconds of a fraction of a second's digits ("5" is 500, "123456" is 123), without float rounding. */
function millisecondsOf(digits: string | undefined): number {
  return digits === undefined ? 0 : Number(digits.slice(0, 3).padEnd(3, '0'));
}

/** The time fields of a TIME match starting at `i`, or null if out of range (Ruby's Time refuses them). */
function timeOf(m: RegExpExecArray, i: number): [number, number, number, number] | null {
  if (m[i] === undefined) return [0, 0, 0, 0];
  let hour = Number(m[i]);
  const minute = Number(m[i + 1] ?? 0);
  const second = Number(m[i + 2] ?? 0);
  const ms = millisecondsOf(m[i + 3]);
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
    return time ? utcTime(year, today.getUTCMonth(), today.getUTCDate(), ...time) : NaN;
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
  return utcTime(year, month, day, ...time);
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

/**
 * ISO 8601 date and time forms that V8's Date does not read but Ruby's Time.parse (so Shopify) does: the basic
 * form ("20260310T093000Z", "20260310T0930", "20260310T093000+0100"), an offset of hours alone
 * ("2026-03-10T09:30:00+05"), and a zone after a space ("2026-03-10T09:30:00 Z", "2026-03-10 09:30 +05:30").
 * The extended forms V8 reads are read here too, the same. Letters in any case (Shopify downcases the text).
 */
const ISO_EXTENDED = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:\s*(Z|[+-]\d{2}(?::?\d{2})?))?$/i;
const ISO_BASIC = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(?:(\d{2})(?:[.,](\d+))?)?(?:\s*(Z|[+-]\d{2}(?::?\d{2})?))?$/i;

/** An ISO 8601 date and time: its wall clock as a UTC instant with those fields, and its offset (ms east), if any. */
export interface IsoDateTime {
  wall: number;
  offset: number | null;
}

/**
 * `text` as an ISO 8601 date and time, extended or basic, with or without a zone (see ISO_EXTENDED); null if it
 * is not one or a field is out of range (then the caller reads it as before). A date alone is not read here.
 */
export function isoDateTime(text: string): IsoDateTime | null {
  const m = ISO_EXTENDED.exec(text) ?? ISO_BASIC.exec(text);
  if (m === null) return null;
  const [year, month, day, hour, minute] = [1, 2, 3, 4, 5].map((i) => Number(m[i]));
  const second = Number(m[6] ?? 0);
  // Ruby takes 24:00 (the next midnight) and a leap second (the next minute). Past 24:00 ("24:30", "24:00:01")
  // Ruby's Time refuses ("min out of range"), so Shopify's filter returns its input; a fraction of a second
  // at 24:00:00 it takes ("24:00:00.5" is 00:00:00.5 the next day: its check looks at minutes and seconds only).
  if (month! < 1 || month! > 12 || day! < 1 || day! > 31 || hour! > 24 || minute! > 59 || second > 60) return null;
  if (hour === 24 && (minute !== 0 || second !== 0)) return null;
  const wall = utcTime(year!, month! - 1, day!, hour!, minute!, second, millisecondsOf(m[7]));
  const zone = m[8];
  if (zone === undefined) return { wall, offset: null };
  if (zone.toUpperCase() === 'Z') return { wall, offset: 0 };
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(3).replace(':', '') || 0);
  if (hours > 23 || minutes > 59) return null;
  return { wall, offset: (zone[0] === '-' ? -1 : 1) * (hours * 60 + minutes) * 60_000 };
}
