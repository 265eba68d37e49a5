/**
 * Liquid's date filters (`date`, `date_to_xmlschema`, `date_to_rfc822`, `date_to_string`, `date_to_long_string`)
 * as Shopify renders them, in the render's zone and never the host's. The input is read as an instant
 * ("now"/"today" and what a date text leaves out come from the render's clock; zone-less text is a wall time in
 * the render's zone), then printed through ./strftime.ts, the `date` format's Ruby-only directives rewritten
 * first by ./ruby-directives.ts. What a flow sees is in liquid.ts' header ("Dates").
 */
import { filters as builtinFilters, toValue } from 'liquidjs';
import { isoDateTime, partialDateAsUtc, slashedDateMonthFirst, zonedPartialDate, type SlashDateOrder } from './date-text.ts';
import { strftime, wallClockOf, type ZonedInstant } from './strftime.ts';
import { stateOf, type AnyFilter, type FilterThis } from './render-state.ts';
import { instantOfWallClock, isDateInstant, wallDateOf, zoneAbbreviation, zoneOffsetMs } from './time-zones.ts';
import { rubyDirectives } from './ruby-directives.ts';
import { RubyFloat } from './ruby-float.ts';

/** Replace "now"/"today" (in any case: Shopify lowercases the text first) with the injected clock. */
function resolveNow(self: FilterThis, v: unknown): unknown {
  const val = toValue(v);
  if (typeof val === 'string' && /^(?:now|today)$/i.test(val)) {
    const st = stateOf(self);
    // Without injected state (should not happen via renderTemplate) refuse to read the real clock.
    return st === undefined ? undefined : new Date(st.now.getTime());
  }
  return v;
}

/** What a date filter makes of an input that is no date: it returns the input, as Shopify does. */
const NO_DATE = Symbol('no date');

/** A date string that names its zone or offset ("…Z", "+01:00", "-0800", "UTC", "PST"). */
const HAS_ZONE = /(?:\dZ|[+-]\d{2}:?\d{2}|\b(?:UTC|GMT|[ECMP][SD]T)\b)\s*$/i;

/**
 * A date string without a zone ("2026-03-10", "2026-03-10 09:30", "2026-03-10T09:30:00", "March 10, 2026")
 * is a wall-clock time in the render's zone, as in Shopify Liquid, whatever the host's zone: liquidjs would
 * read it with `new Date(text)`, in the process's zone (TZ). Such a string becomes the instant that shows
 * that wall time in the render's zone. A time alone or a date without a year takes the rest from the render's
 * clock, as Ruby's Time.parse does (./liquid/date-text.ts), also when it names its zone. A slashed date with a
 * year is read as `slashDates` says ("03/10/2026": 10 March month first, 3 October day first); read day first,
 * one whose month or day is out of range is NO_DATE.
 */
function wallTimeIn(value: unknown, timezone: string, now: Date, slashDates: SlashDateOrder): unknown {
  const text = toValue(value);
  // A number written otherwise than as bare digits (" 42 ", "-3", "+5", "2.5") is no date: V8 read it as a day of
  // 2001, 2042 or 2000; Ruby's Time.parse refuses most (it reads a few "m.dd" as a day of this year, not done here).
  if (typeof text === 'string' && !/^\d+$/.test(text) && /^\s*[-+]?\d+(?:\.\d+)?\s*$/.test(text)) return NO_DATE;
  if (typeof text !== 'string' || /^\d+$/.test(text.trim())) return value;
  const dotted = DOTTED_DATE.exec(text);
  if (dotted) {
    // Ruby's Date._parse reads a dotted date with the year last day first, as Europe writes it ("10.03.2026" is
    // 10 March; V8 read it month first), and refuses a month or day out of range.
    const [, day, month, year, rest] = dotted as unknown as [string, string, string, string, string];
    if (+month < 1 || +month > 12 || +day < 1 || +day > 31) return NO_DATE;
    const iso = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}${rest}`;
    return wallTimeOfText(iso, iso, timezone, now);
  }
  const monthFirst = slashedDateMonthFirst(text, slashDates);
  if (monthFirst === text) return wallTimeOfText(value, text, timezone, now);
  // A slashed date read day first, as its month-first spelling; what that does not read is no date.
  if (monthFirst === null) return NO_DATE;
  const read = wallTimeOfText(monthFirst, monthFirst, timezone, now);
  if (read instanceof Date) return read;
  const instant = new Date(monthFirst); // one naming its zone, as liquidjs would read it
  return Number.isNaN(instant.getTime()) ? NO_DATE : instant;
}

/** A format whose last directive is unfinished: an odd run of `%` then only flags and a width ("%", "x%-5"). */
const UNFINISHED_DIRECTIVE = /(?:^|[^%])(?:%%)*%[-_0^#]*\d*$/;

/** A date written day.month.year ("10.03.2026", "1.3.2026 09:30"), and what follows it. */
const DOTTED_DATE = /^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})((?:[ T].*)?)$/;

/** wallTimeIn for date text (`text` is `value`'s): a Date, or `value` for liquidjs to read as it would. */
function wallTimeOfText(value: unknown, text: string, timezone: string, now: Date): unknown {
  // ISO 8601 dates and times, read here also in the forms V8 refuses (basic, "+05", " Z"), as Ruby reads them.
  const iso = isoDateTime(text.trim());
  if (iso !== null && iso.offset !== null) return dateOrNone(iso.wall - iso.offset);
  if (iso === null && HAS_ZONE.test(text)) {
    const zoned = zonedPartialDate(text.trim(), now.getTime());
    return Number.isNaN(zoned) ? value : new Date(zoned);
  }
  const asUtc = iso !== null ? iso.wall : wallClockAsUtc(text.trim(), () => wallDateOf(() => now.getTime(), timezone)!);
  if (Number.isNaN(asUtc)) return value; // liquidjs answers what it would for it
  return dateOrNone(timezone === 'UTC' ? asUtc : instantOfWallClock(asUtc, timezone));
}

/** The Date of a date text's instant, or NO_DATE when it is beyond what a Date holds (the filter returns its input). */
function dateOrNone(instant: number): Date | typeof NO_DATE {
  return isDateInstant(instant) ? new Date(instant) : NO_DATE;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The wall-clock time a zone-less date string writes, as the UTC instant with those fields; NaN if none.
 * `today` gives the current wall-clock date (UTC fields) for text that leaves it or its year out.
 */
function wallClockAsUtc(text: string, today: () => Date): number {
  if (ISO_DATE.test(text)) return Date.parse(`${text}T00:00:00Z`);
  const partial = partialDateAsUtc(text, today());
  if (!Number.isNaN(partial)) return partial;
  // An hour with am/pm and no minutes after a date ("10 March 2026 5pm"), which Ruby reads and V8 does not.
  const hourOnly = /^(.*\S)\s+(\d{1,2})\s*([ap])\.?m\.?$/i.exec(text);
  const utc = Date.parse(hourOnly ? `${hourOnly[1]} ${hourOnly[2]}:00 ${hourOnly[3]}M UTC` : `${text} UTC`);
  if (!Number.isNaN(utc)) return utc;
  // Another form the engine reads as host-local time: its local fields are what the text says.
  const local = new Date(text);
  if (Number.isNaN(local.getTime())) return NaN;
  return Date.UTC(local.getFullYear(), local.getMonth(), local.getDate(), local.getHours(), local.getMinutes(), local.getSeconds(), local.getMilliseconds());
}

/** The instant liquidjs' parseDate reads from a date filter input, NaN if none. */
function instantOf(value: unknown): number {
  const v = toValue(value);
  if (v === undefined || v === null) return NaN;
  if (typeof v === 'number') return v * 1000;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v) * 1000;
  return new Date(v as string).getTime();
}

/** What Shopify's Utils.to_date may read as a date: text, an Integer (not a Float, even a whole one), a time. */
function isDateInput(value: unknown): boolean {
  if (value instanceof RubyFloat) return false;
  const v = toValue(value);
  return typeof v === 'string' || v instanceof Date || (typeof v === 'number' && Number.isInteger(v));
}

function isEmptyFormat(format: unknown): boolean {
  const f = toValue(format);
  return f === undefined || f === null || f === '';
}

export function dateFilter(name: string): AnyFilter {
  const original = (builtinFilters as unknown as Record<string, AnyFilter>)[name];
  if (typeof original !== 'function') throw new Error(`liquidjs has no ${name} filter`);
  return function (this: FilterThis, v: unknown, ...args: unknown[]) {
    // Shopify: a format given but empty or nil (`date: ""`, `date: flow.variables.unset`) returns the input as is.
    if (name === 'date' && args.length > 0 && isEmptyFormat(args[0])) return v;
    // Shopify's to_date reads only text, an integer (seconds) and a time: a float, true/false, a list or a hash is no
    // date, so the input is returned (liquidjs took a float as seconds, false as 0, a list as its joined text).
    if (name === 'date' && !isDateInput(v)) return v;
    const st = stateOf(this);
    if (st === undefined) return original.call(this, resolveNow(this, v), ...args);
    const value = wallTimeIn(resolveNow(this, v), st.timezone, st.now, st.slashDates);
    if (value === NO_DATE) return v;
    let instant: number | undefined;
    const at = () => (instant ??= instantOf(value)); // parsed once, by whichever step needs it first
    // Ruby's strftime refuses a format ending in an unescaped `%` (with flags or a width at most): Shopify raises,
    // when the input is a date.
    const format = toValue(args[0]);
    if (name === 'date' && typeof format === 'string' && UNFINISHED_DIRECTIVE.test(format) && !Number.isNaN(at())) {
      throw new Error(`invalid format: ${format}`);
    }
    if (name !== 'date') return LIQUIDJS_DATE_FILTERS[name]!(this, value, args, zonedAt(at, st.timezone));
    // The filter's own zone (a liquidjs extension: a name, or minutes west of UTC) wins over the render's.
    const zone = zoneOf(args[1], st.timezone);
    const ruby = rubyDirectives(this, at, args, zone);
    return formatDate(this, value, ruby[0], args[1], zonedAt(at, zone));
  };
}

/**
 * The zone a `date` filter prints in: its own third argument (a liquidjs extension: a zone name, or minutes
 * west of UTC as Date#getTimezoneOffset) or else, `nil` and an unset variable included, the render's.
 */
function zoneOf(given: unknown, timezone: string): string | number {
  return typeof given === 'string' || typeof given === 'number' ? given : timezone;
}

/**
 * The input's instant in `zone` as strftime prints it; null if there is no date. The zone's offset and
 * abbreviation come from Intl for that instant, never from the host's clock.
 */
function zonedAt(at: () => number, zone: string | number): () => ZonedInstant | null {
  return () => {
    const instant = at();
    if (!isDateInstant(instant)) return null;
    if (typeof zone === 'number') {
      const time: ZonedInstant = { instant, offset: -zone * 60_000, zoneName: () => undefined };
      return wallClockOf(time) ? time : null;
    }
    const offset = zone === 'UTC' ? 0 : zoneOffsetMs(zone, instant);
    let name: string | undefined;
    const time: ZonedInstant = { instant, offset, zoneName: () => (name ??= zoneAbbreviation(zone, instant)) };
    return wallClockOf(time) ? time : null;
  };
}

/** The `length` liquidjs counts for a date filter's input or zone (a string's; 0 for a number or a date). */
function lengthOf(value: unknown): number {
  const length = (value as { length?: unknown } | null | undefined)?.length;
  return typeof length === 'number' ? length : 0;
}

/** The text of a `date` format as liquidjs reads it (its stringify). */
function formatText(format: unknown): string {
  const f = toValue(format);
  if (typeof f === 'string') return f;
  if (f === undefined || f === null) return '';
  if (Array.isArray(f)) return f.map(formatText).join('');
  return String(f);
}

/**
 * liquidjs' `date` filter (its memory accounting included), printing through ./liquid/strftime.ts: `value` is
 * the input as read here, returned as it is when it is no date (as liquidjs and Shopify do).
 */
function formatDate(self: FilterThis, value: unknown, format: unknown, zoneArgument: unknown, zoned: () => ZonedInstant | null): unknown {
  const memory = self.context.memoryLimit;
  memory.use(lengthOf(value) + lengthOf(zoneArgument));
  const time = zoned();
  if (time === null) return value;
  const f = toValue(format);
  const text = f === undefined || f === null ? self.context.opts.dateFormat : formatText(f);
  memory.use(text.length);
  return strftime(time, text, memory);
}

type DateFilterBody = (self: FilterThis, value: unknown, args: unknown[], zoned: () => ZonedInstant | null) => unknown;

/** liquidjs' fixed-format date filters (the render's zone only), printing through ./liquid/strftime.ts. */
const LIQUIDJS_DATE_FILTERS: Readonly<Record<string, DateFilterBody>> = {
  date_to_xmlschema: (self, value, _args, zoned) => formatDate(self, value, '%Y-%m-%dT%H:%M:%S%:z', undefined, zoned),
  date_to_rfc822: (self, value, _args, zoned) => {
    const time = zoned();
    return time === null ? value : strftime(time, '%a, %d %b %Y %H:%M:%S %z', self.context.memoryLimit);
  },
  date_to_string: (self, value, [type, style], zoned) => dateToString(self, value, '%b', type, style, zoned),
  date_to_long_string: (self, value, [type, style], zoned) => dateToString(self, value, '%B', type, style, zoned),
};

/** liquidjs' date_to_string and date_to_long_string: "10 Mar 2026", "10th Mar 2026", "March 10th, 2026". */
function dateToString(self: FilterThis, value: unknown, month: string, type: unknown, style: unknown, zoned: () => ZonedInstant | null): unknown {
  const time = zoned();
  if (time === null) return value;
  const memory = self.context.memoryLimit;
  if (type !== 'ordinal') return strftime(time, `%d ${month} %Y`, memory);
  const day = wallClockOf(time)!.getUTCDate();
  return strftime(time, style === 'US' ? `${month} ${day}%q, %Y` : `${day}%q ${month} %Y`, memory);
}
