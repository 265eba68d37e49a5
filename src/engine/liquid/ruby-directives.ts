/**
 * The `date` filter's format as Shopify prints it: Ruby's strftime directives that liquidjs lacks or prints
 * otherwise (composites, ISO weeks, day and month names, `%::z`-style offsets) are rewritten here, for the
 * input's wall clock in the filter's zone, into text that ./strftime.ts prints as Ruby would.
 */
import { toValue } from 'liquidjs';
import type { Context } from 'liquidjs';
import type { FilterThis } from './render-state.ts';
import { utcTime, wallDateOf } from './time-zones.ts';
import { modifierRefused } from './strftime.ts';

/** liquidjs' strftime directive pattern, global. */
const STRFTIME_DIRECTIVE = /%([-_0^#:]+)?(\d+)?([EO])?(.)/g;

/** The `date` format of a call: its first argument, or the configured default. */
function formatOf(args: unknown[], opts: Context['opts']): unknown {
  const given = toValue(args[0]);
  return given === undefined || given === null ? opts.dateFormat : given;
}

/**
 * Ruby's strftime directives that liquidjs lacks or prints differently, as Shopify renders them:
 * composites (`%F` `%T` `%D` `%R` `%r` `%v`, and `%c` `%x` `%X` in Ruby's C-locale form rather than
 * liquidjs' toLocaleString) are expanded; ISO-week ones (`%G` `%g` `%V`) and day and month names are
 * spelled out for the date's wall clock in the zone. The same `args` when the format has none of them.
 */
const RUBY_COMPOSITES: Record<string, string> = {
  c: '%a %b %e %H:%M:%S %Y',
  x: '%m/%d/%y',
  X: '%H:%M:%S',
  D: '%m/%d/%y',
  F: '%Y-%m-%d',
  T: '%H:%M:%S',
  R: '%H:%M',
  r: '%I:%M:%S %p',
  v: '%e-%^b-%Y',
};
const RUBY_ONLY = /%[-_0^#:]*\d*[EO]?[cxXDFTRrvGgVaAbBh]|%[-_0^#]*\d*::+z|%[-_0^#]*(?:_[-_0^#]*\d*|\d+):*z/;
/**
 * Ruby's offset directives that liquidjs prints otherwise: `%::z` (+hh:mm:ss), `%:::z` (+hh, +hh:mm or +hh:mm:ss, as
 * precise as needed), and any `%z` with the `_` flag or a width (Ruby pads the hours: `%_z` is " -500"); a width
 * comes before the colons, as Ruby reads it. `%z`, `%:z` and their case or `-` flags print alike in both.
 */
const RUBY_OFFSET = /%(?:([-_0^#]*)(\d*)(:*)z|[^])/g;
const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/**
 * The `date` filter's arguments with Ruby's directives in its format rewritten for the input's wall clock in
 * `zone` (the filter's own or the render's, see date-filters.ts' zoneOf).
 */
export function rubyDirectives(self: FilterThis, at: () => number, args: unknown[], zone: string | number): unknown[] {
  const format = formatOf(args, self.context.opts);
  if (typeof format !== 'string' || !RUBY_ONLY.test(format)) return args;
  let wall: Date | null | undefined;
  const wallDate = () => (wall === undefined ? (wall = wallDateOf(at, zone)) : wall);
  // Composites first: `%c` brings in day and month names. (`%+` is Date's, not Time's: Ruby prints it as written.)
  // A modifier with a conversion Ruby does not take it with (`%Ea`, `%Oc`) stays as written (strftime.ts prints it so).
  const expanded = format.replace(STRFTIME_DIRECTIVE, (directive: string, _f: unknown, _w: unknown, modifier: string | undefined, conversion: string) =>
    modifierRefused(modifier, conversion) ? directive : (RUBY_COMPOSITES[conversion] ?? directive));
  const out = expanded.replace(STRFTIME_DIRECTIVE, (directive: string, flags = '', width = '', modifier: string | undefined, conversion: string) => {
    if (!'GgVaAbBh'.includes(conversion) || modifierRefused(modifier, conversion)) return directive;
    const date = wallDate();
    if (date === null) return directive;
    if (conversion === 'G' || conversion === 'g' || conversion === 'V') {
      const w = isoWeek(date);
      return conversion === 'G' ? String(w.year) : String(conversion === 'g' ? w.year % 100 : w.week).padStart(2, '0');
    }
    // Day and month names, spelled here: liquidjs asks Intl for them on every call (~100-200 µs).
    const full = conversion === 'A' || conversion === 'a' ? DAY_NAMES[date.getUTCDay()]! : MONTH_NAMES[date.getUTCMonth()]!;
    let text = conversion === 'A' || conversion === 'B' ? full : full.slice(0, 3);
    if (flags.includes('^') || flags.includes('#')) text = text.toUpperCase();
    const padWidth = flags.includes('-') ? 0 : Number(width) || 0;
    if (padWidth <= text.length) return text;
    self.context.memoryLimit.use(padWidth - text.length); // before allocating it
    return text.padStart(padWidth, flags.includes('0') ? '0' : ' ');
  });
  const withOffsets = out.replace(RUBY_OFFSET, (directive: string, flags: string | undefined, width: string | undefined, colons: string | undefined) => {
    if (flags === undefined || colons === undefined || width === undefined) return directive; // not a `z`
    if (colons.length < 2 && width === '' && !flags.includes('_')) return directive; // liquidjs prints it as Ruby does
    const date = wallDate();
    if (date === null) return directive;
    // Four colons or more: Ruby prints the directive as written, which liquidjs would not.
    if (colons.length > 3) return `%${directive}`;
    return rubyOffset(date.getTime() - at(), flags, width, colons.length, self);
  });
  return [withOffsets, ...args.slice(1)];
}

/**
 * An offset (ms east of UTC) as Ruby's strftime prints `%z` with `colons` colons (0 to 3), its flags and width.
 * The width counts the whole text, the hours take what the rest leaves; the `_` flag pads them with spaces
 * before the sign.
 */
function rubyOffset(offsetMs: number, flags: string, width: string, colons: number, self: FilterThis): string {
  const negative = offsetMs < 0;
  let off = Math.abs(Math.round(offsetMs / 1000));
  let padding = '0';
  for (const flag of flags) if (flag === '_' || flag === '0' || flag === '-') padding = flag === '_' ? ' ' : '0';
  const precision = Number(width) || 0;
  const minimal = colons === 3 ? (off % 3600 === 0 ? 0 : off % 60 === 0 ? 1 : 2) : colons;
  const rest = colons === 0 ? 2 : [0, 3, 6][minimal]!; // what follows the hours: "mm", "", ":mm" or ":mm:ss"
  const hoursWidth = precision <= rest + 2 + 1 ? 2 : precision - rest - 1;
  self.context.memoryLimit.use(hoursWidth); // before allocating it
  const sign = negative ? '-' : '+';
  const hours = String(Math.floor(off / 3600));
  let text = padding === ' ' ? `${sign}${hours}`.padStart(hoursWidth + 1, ' ') : `${sign}${hours.padStart(hoursWidth, '0')}`;
  off %= 3600;
  if (minimal === 0 && colons === 3) return text;
  text += `${colons >= 1 ? ':' : ''}${String(Math.floor(off / 60)).padStart(2, '0')}`;
  off %= 60;
  if (colons < 2 || (colons === 3 && minimal === 1)) return text;
  return `${text}:${String(off).padStart(2, '0')}`;
}

/** ISO 8601 week-numbering year and week of a wall-clock date. */
function isoWeek(wall: Date): { year: number; week: number } {
  const day = utcTime(wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate());
  const weekday = (wall.getUTCDay() + 6) % 7; // Monday 0
  const thursday = new Date(day + (3 - weekday) * 86_400_000);
  const year = thursday.getUTCFullYear();
  return { year, week: 1 + Math.floor((thursday.getTime() - utcTime(year, 0, 1)) / (7 * 86_400_000)) };
}
