/**
 * How a time zone's wall clock relates to instants, read from Intl for each instant and never from the
 * host's zone (TZ): the zone's offset and its abbreviation as Ruby prints `%Z`, where a zone-less wall time
 * falls across a change of offset (a DST gap or overlap), and which zone names are valid.
 */

/** Wider than any zone's offset from UTC (tzdata's extremes are about ±15 h, local mean times included). */
const OFFSET_SPAN_MS = 15 * 3_600_000;

/** The farthest from the epoch a JS Date reaches, ms (±275,760 years): Intl refuses any instant beyond it. */
export const MAX_DATE_MS = 8.64e15;

/** Whether a Date holds `instant` (false for NaN): one beyond is no date, never an error. */
export function isDateInstant(instant: number): boolean {
  return Math.abs(instant) <= MAX_DATE_MS;
}

const withinDates = (instant: number) => Math.min(MAX_DATE_MS, Math.max(-MAX_DATE_MS, instant));

/**
 * The instant at which `timezone`'s wall clock shows `asUtc`'s UTC fields, as Ruby's Time.parse (so Shopify
 * Liquid) takes a zone-less time around a change of offset:
 *  - in a gap (a spring-forward: 02:30 on 2026-03-08 in New York never shows) it is read with the offset before
 *    the change, so it moves forward by the gap: 03:30 EDT, as Ruby and java.time's ZonedDateTime.of both do;
 *  - in an overlap (a fall-back: 01:30 on 2026-11-01 shows twice) it is the LATER of the two instants, the one
 *    after the change: 01:30 EST, Ruby's answer (standard time where DST ends; also the later one where a zone
 *    moves its standard offset back, as Europe/Moscow in 2014). This is a choice: java.time, which Studio's
 *    engine may use, keeps the EARLIER offset (01:30 EDT); we follow Ruby, as for the rest of zone-less dates.
 * The offsets around the wall time are those `OFFSET_SPAN_MS` either side of it: one change within that span is
 * seen (zones do not change twice in 30 hours); without one, as nearly always, two offset look-ups suffice.
 */
export function instantOfWallClock(asUtc: number, timezone: string): number {
  if (!isDateInstant(asUtc)) return NaN;
  // Near the ends of Date's range the offsets are looked up at its ends.
  const before = zoneOffsetMs(timezone, withinDates(asUtc - OFFSET_SPAN_MS));
  const after = zoneOffsetMs(timezone, withinDates(asUtc + OFFSET_SPAN_MS));
  if (before === after) return asUtc - before;
  // Each offset gives a candidate; it is real if the zone has that offset at that instant.
  const early = asUtc - Math.max(before, after);
  const late = asUtc - Math.min(before, after);
  if (isDateInstant(late) && zoneOffsetMs(timezone, late) === asUtc - late) return late; // the only one, or the later of an overlap
  if (isDateInstant(early) && zoneOffsetMs(timezone, early) === asUtc - early) return early;
  return asUtc - before; // a gap: the offset before the change
}

/**
 * Date.UTC for any year: Date.UTC reads years 0–99 as 1900–1999 (a Y2K-era rule), so a date in year 50
 * would print as 1950. Years before 1 are astronomical (0 is 1 BC).
 */
export function utcTime(year: number, monthIndex: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  if (year >= 100) return Date.UTC(year, monthIndex, day, hour, minute, second, ms);
  const date = new Date(0);
  date.setUTCFullYear(year, monthIndex, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime();
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();
/** How far the zone's wall clock is ahead of UTC at `instant`; NaN for an instant no Date holds. */
export function zoneOffsetMs(timezone: string, instant: number): number {
  if (!isDateInstant(instant)) return NaN;
  let format = zoneFormats.get(timezone);
  if (!format) {
    // With the era: a BC year is shown as its number counted back (51 BC is "51").
    format = new Intl.DateTimeFormat('en-US', { timeZone: timezone, hourCycle: 'h23', era: 'short', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    if (zoneFormats.size < 64) zoneFormats.set(timezone, format);
  }
  const shown = format.formatToParts(new Date(instant));
  const parts = Object.fromEntries(shown.map((part) => [part.type, Number(part.value)]));
  const bc = shown.some((part) => part.type === 'era' && part.value.startsWith('B'));
  const wall = utcTime(bc ? 1 - parts.year! : parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return wall - Math.floor(instant / 1000) * 1000;
}

const zoneNameFormats = new Map<string, Intl.DateTimeFormat>();
/** en-US "GMT+3", "GMT-3:30": a zone without a common abbreviation. */
const GMT_OFFSET_NAME = /^GMT([+-])(\d{1,2})(?::(\d{2}))?$/;
/** An abbreviation as tzdata writes one ("BST", "CEST"). */
const LETTERS = /^[A-Z]{3,5}$/;

type NamingLocale = 'en-US' | 'en-GB' | 'en-IN' | 'en-AU' | 'en-ZA' | 'en-HK' | 'en-IE' | 'en-CA' | 'ja-JP' | 'id-ID';

/** The zone's short name at `instant` in `locale` (en-US, or a locale that names the zone as tzdata does). */
function shortZoneName(locale: NamingLocale, timezone: string, instant: number): string {
  const key = `${locale} ${timezone}`;
  let format = zoneNameFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { timeZone: timezone, timeZoneName: 'short' });
    if (zoneNameFormats.size < 128) zoneNameFormats.set(key, format);
  }
  let name = '';
  for (const part of format.formatToParts(instant)) if (part.type === 'timeZoneName') name = part.value;
  return name;
}

/**
 * Zones en-US leaves unnamed ("GMT+9") whose tzdata abbreviation Intl gives only in a local English (or the
 * country's) locale. Chosen per zone, not for whole regions: a locale also names neighbours tzdata numbers
 * (en-IN calls Asia/Colombo "IST", en-SG Asia/Singapore "SGT"; tzdata says +0530, +08).
 */
function namingLocale(timezone: string): NamingLocale | undefined {
  // Eucla and Lord Howe are numbered in tzdata (+0845, +1030/+11), not ACWST or LHST.
  if ((timezone.startsWith('Australia/') && timezone !== 'Australia/Eucla' && timezone !== 'Australia/Lord_Howe' && timezone !== 'Australia/LHI') || timezone === 'Antarctica/Macquarie' || timezone === 'Pacific/Auckland' || timezone === 'Antarctica/McMurdo') return 'en-AU'; // AEST/AEDT, ACST, AWST, NZST/NZDT
  if (timezone.startsWith('Africa/') || timezone === 'Indian/Antananarivo' || timezone === 'Indian/Comoro' || timezone === 'Indian/Mayotte') return 'en-ZA'; // SAST, CAT, EAT, WAT
  if (timezone === 'Asia/Kolkata' || timezone === 'Asia/Calcutta') return 'en-IN'; // IST
  if (timezone === 'Asia/Tokyo') return 'ja-JP'; // JST
  if (timezone === 'Asia/Hong_Kong') return 'en-HK'; // HKT
  if (timezone === 'Asia/Jakarta' || timezone === 'Asia/Pontianak' || timezone === 'Asia/Makassar' || timezone === 'Asia/Jayapura') return 'id-ID'; // WIB, WITA, WIT
  if (timezone === 'Europe/Dublin') return 'en-IE'; // IST in summer
  if (timezone === 'America/St_Johns') return 'en-CA'; // NST/NDT
  return undefined;
}

/**
 * tzdata's abbreviations, by offset from UTC in minutes, for common zones no locale of Intl (CLDR) names as
 * tzdata does: CLDR has no short name for them in any English locale (Korea's, Pakistan's, China's and
 * Taiwan's, Israel's, Moscow's, ...). An offset the table does not list (a zone's older offsets) prints as the
 * offset, as for zones tzdata names by offset.
 */
const TZDATA_ABBREVIATIONS: Readonly<Record<string, Readonly<Record<number, string>>>> = (() => {
  const table: Record<string, Record<number, string>> = {};
  const name = (zones: string[], byOffset: Record<number, string>) => {
    for (const zone of zones) table[zone] = byOffset;
  };
  name(['Asia/Seoul', 'Asia/Pyongyang'], { 540: 'KST' });
  name(['Asia/Karachi'], { 300: 'PKT' });
  name(['Asia/Manila'], { 480: 'PST' });
  name(['Asia/Shanghai', 'Asia/Taipei', 'Asia/Macau', 'Asia/Chongqing', 'Asia/Harbin', 'PRC', 'ROC'], { 480: 'CST', 540: 'CDT' });
  name(['Asia/Jerusalem', 'Asia/Tel_Aviv', 'Israel'], { 120: 'IST', 180: 'IDT' });
  // MSK is +03 today; from 2011 to 2014 it was +04 (then not MSD), so +04 prints as the offset.
  name(['Europe/Moscow', 'Europe/Simferopol', 'Europe/Volgograd', 'Europe/Kirov', 'W-SU'], { 180: 'MSK' });
  name(['Europe/Guernsey', 'Europe/Jersey', 'Europe/Isle_of_Man'], { 0: 'GMT', 60: 'BST' });
  name(['Pacific/Guam', 'Pacific/Saipan'], { 600: 'ChST' });
  name(['Pacific/Pago_Pago', 'Pacific/Midway', 'Pacific/Samoa', 'US/Samoa'], { [-660]: 'SST' });
  name(['America/Havana', 'Cuba'], { [-300]: 'CST', [-240]: 'CDT' });
  // Mexico's and Yukon's mountain time, which en-US leaves as "GMT-7".
  name(['America/Mazatlan', 'America/Hermosillo', 'America/Chihuahua', 'America/Ciudad_Juarez', 'America/Whitehorse', 'America/Dawson'], { [-420]: 'MST', [-360]: 'MDT' });
  return table;
})();

/**
 * The zone's abbreviation at `instant`, as Ruby's strftime prints `%Z` (tzdata's): "EST" or "EDT" as the date
 * falls, "UTC". Where en-US has no abbreviation (Intl says "GMT+1", "GMT+5:45"): the locale that names the zone
 * as tzdata does (namingLocale: "JST", "IST", "SAST", "AEST"), else en-GB's, which names Europe's zones and
 * their neighbours as tzdata does ("BST", "CET"/"CEST", "EET"/"EEST", "WET"/"WEST"), except "GST", which tzdata
 * does not use for the Gulf (Asia/Dubai is "+04"), else tzdata's name from TZDATA_ABBREVIATIONS ("KST", "PKT"). Else the offset is printed as tzdata spells its numeric abbreviations, "+03", "+0545" (Ruby's answer
 * for zones such as Europe/Istanbul, Asia/Singapore or Asia/Kathmandu).
 */
export function zoneAbbreviation(timezone: string, instant: number): string {
  if (timezone === 'UTC') return 'UTC';
  const name = shortZoneName('en-US', timezone, instant);
  const offset = GMT_OFFSET_NAME.exec(name);
  if (!offset) return name;
  const locale = namingLocale(timezone);
  const local = locale ? shortZoneName(locale, timezone, instant) : '';
  if (LETTERS.test(local)) return local;
  const british = shortZoneName('en-GB', timezone, instant);
  if (LETTERS.test(british) && british !== 'GST') return british;
  const sign = offset[1] === '-' ? -1 : 1;
  const tzdata = TZDATA_ABBREVIATIONS[timezone]?.[sign * (Number(offset[2]) * 60 + Number(offset[3] ?? 0))];
  if (tzdata) return tzdata;
  return `${offset[1]}${offset[2]!.padStart(2, '0')}${offset[3] ?? ''}`;
}

/** The input's wall-clock date in `timezone`, read with getUTC*; null if there is no date. */
export function wallDateOf(at: () => number, timezone: string | number): Date | null {
  const instant = at();
  if (!isDateInstant(instant)) return null;
  let wall: Date;
  if (typeof timezone === 'number') wall = new Date(instant - timezone * 60_000);
  else {
    try {
      wall = new Date(instant + (timezone === 'UTC' ? 0 : zoneOffsetMs(timezone, instant)));
    } catch {
      return null; // an unknown zone: liquidjs reports it
    }
  }
  return Number.isNaN(wall.getTime()) ? null : wall; // a wall clock past Date's ends
}

const validZones = new Map<string, boolean>();
/** Whether Intl knows the zone (the answer kept for up to 256 names). */
export function isValidTimezone(tz: string): boolean {
  let ok = validZones.get(tz);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      ok = true;
    } catch {
      ok = false;
    }
    if (validZones.size < 256) validZones.set(tz, ok);
  }
  return ok;
}
