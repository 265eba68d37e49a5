/**
 * liquidjs' strftime, reading the wall clock from UTC fields so that what it prints never depends on the host's
 * time zone (TZ). liquidjs' LiquidDate shifts the instant by the host's offset minus the zone's and reads the
 * shifted Date's LOCAL getters: within hours of a change of the host's own offset (a New York laptop's DST
 * change) the shift uses one host offset and the getters another, and every zone printed an hour off.
 *
 * Directives, flags, widths and memory accounting are liquidjs 10's (strftime and format in
 * node_modules/liquidjs/dist/liquid.node.mjs); day and month names are en-US, the engine's fixed locale. Two
 * departures, both where liquidjs read the host: `%c` `%x` `%X` print Ruby's C-locale forms (liquidjs used the
 * host's default locale; the `date` filter expands them before they get here anyway), and `%z` prints whole
 * minutes of an offset that has seconds (a local mean time), as Ruby does.
 */

/** An instant as the date filters print it. */
export interface ZonedInstant {
  /** Milliseconds since the epoch. */
  instant: number;
  /** The zone's offset east of UTC at the instant, ms. */
  offset: number;
  /** What `%Z` prints for the zone (its abbreviation); undefined prints the offset, as liquidjs does for a numeric zone. */
  zoneName: () => string | undefined;
}

/** liquidjs' allocation accounting (Context#memoryLimit). */
export interface MemoryUse {
  use(count: number): void;
}

/** The fields strftime reads: the wall clock (UTC getters of `wall`) and the zone. */
interface Fields {
  wall: Date;
  time: ZonedInstant;
}

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const DIRECTIVE = /%([-_0^#:]+)?(\d+)?([EO])?(.)/;

/** The conversions Ruby's strftime takes after `E` and after `O` (locale alternatives it prints as the plain ones). */
const E_CONVERSIONS = 'cCxXyY';
const O_CONVERSIONS = 'deHkIlmMSuUVwWy';

/** Whether Ruby prints a directive with `modifier` (E or O) before `conversion` as written (`%Ez`, `%OY`). */
export function modifierRefused(modifier: string | undefined, conversion: string): boolean {
  return modifier !== undefined && !(modifier === 'E' ? E_CONVERSIONS : O_CONVERSIONS).includes(conversion);
}

/** Widths liquidjs pads to by default; 0 for the rest. */
const PAD_WIDTHS: Readonly<Record<string, number>> = { C: 2, d: 2, e: 2, H: 2, I: 2, j: 3, k: 2, l: 2, L: 3, m: 2, M: 2, S: 2, U: 2, W: 2, y: 2, Y: 4 };
const PAD_WITH_SPACES = new Set('aAbBceklpP');

function isLeapYear(year: number): boolean {
  return (year & 3) === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function dayOfYear(wall: Date): number {
  const feb = isLeapYear(wall.getUTCFullYear()) ? 29 : 28;
  const days = [31, feb, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  let n = 0;
  for (let i = 0; i < wall.getUTCMonth(); ++i) n += days[i]!;
  return n + wall.getUTCDate();
}

/** Week of the year, weeks starting on `startDay` (0 Sunday, 1 Monday); days before the first one are week 0. */
function weekOfYear(wall: Date, startDay: number): string {
  const daysSinceStartDay = (wall.getUTCDay() - startDay + 7) % 7;
  return String(Math.floor((dayOfYear(wall) - 1 - daysSinceStartDay + 7) / 7));
}

function ordinalSuffix(day: number): string {
  if (day === 11 || day === 12 || day === 13) return 'th';
  return ['th', 'st', 'nd', 'rd'][day % 10] ?? 'th';
}

/** `%z` (`%:z` with the `:` flag): the offset in hours and whole minutes. */
function offsetText(offsetMs: number, colon: boolean): string {
  const minutes = Math.trunc(Math.abs(offsetMs) / 60_000);
  const sign = offsetMs < 0 ? '-' : '+';
  return `${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}${colon ? ':' : ''}${String(minutes % 60).padStart(2, '0')}`;
}

type Flags = Record<string, true>;
type Conversion = (f: Fields, flags: Flags, width: string | undefined, memory: MemoryUse) => string | number;

const CONVERSIONS: Readonly<Record<string, Conversion>> = {
  a: ({ wall }) => DAY_NAMES[wall.getUTCDay()]!.slice(0, 3),
  A: ({ wall }) => DAY_NAMES[wall.getUTCDay()]!,
  b: ({ wall }) => MONTH_NAMES[wall.getUTCMonth()]!.slice(0, 3),
  h: ({ wall }) => MONTH_NAMES[wall.getUTCMonth()]!.slice(0, 3),
  B: ({ wall }) => MONTH_NAMES[wall.getUTCMonth()]!,
  c: (f, _flags, _width, memory) => format(f, '%a %b %e %H:%M:%S %Y', memory),
  C: ({ wall }) => Math.floor(wall.getUTCFullYear() / 100),
  d: ({ wall }) => wall.getUTCDate(),
  e: ({ wall }) => wall.getUTCDate(),
  H: ({ wall }) => wall.getUTCHours(),
  I: ({ wall }) => String(wall.getUTCHours() % 12 || 12),
  j: ({ wall }) => dayOfYear(wall),
  k: ({ wall }) => wall.getUTCHours(),
  l: ({ wall }) => String(wall.getUTCHours() % 12 || 12),
  L: ({ wall }) => wall.getUTCMilliseconds(),
  m: ({ wall }) => wall.getUTCMonth() + 1,
  M: ({ wall }) => wall.getUTCMinutes(),
  N: ({ wall }, _flags, width, memory) => {
    const digits = Number(width) || 9;
    const text = String(wall.getUTCMilliseconds()).padStart(3, '0').slice(0, digits);
    memory.use(digits - text.length); // before allocating it
    return text.padEnd(digits, '0');
  },
  p: ({ wall }) => (wall.getUTCHours() < 12 ? 'AM' : 'PM'),
  P: ({ wall }) => (wall.getUTCHours() < 12 ? 'am' : 'pm'),
  q: ({ wall }) => ordinalSuffix(wall.getUTCDate()),
  s: ({ time }) => Math.floor(time.instant / 1000),
  S: ({ wall }) => wall.getUTCSeconds(),
  u: ({ wall }) => wall.getUTCDay() || 7,
  U: ({ wall }) => weekOfYear(wall, 0),
  w: ({ wall }) => wall.getUTCDay(),
  W: ({ wall }) => weekOfYear(wall, 1),
  x: (f, _flags, _width, memory) => format(f, '%m/%d/%y', memory),
  X: (f, _flags, _width, memory) => format(f, '%H:%M:%S', memory),
  y: ({ wall }) => ((wall.getUTCFullYear() % 100) + 100) % 100,
  Y: ({ wall }) => wall.getUTCFullYear(),
  z: ({ time }, flags) => offsetText(time.offset, flags[':'] === true),
  Z: ({ time }, flags) => time.zoneName() || offsetText(time.offset, flags[':'] === true),
  t: () => '\t',
  n: () => '\n',
  '%': () => '%',
};

/** liquidjs' `#` flag: upper case if the text has a lower-case letter, else lower case. */
function changeCase(text: string): string {
  return /[a-z]/.test(text) ? text.toUpperCase() : text.toLowerCase();
}

function directive(f: Fields, match: RegExpExecArray, memory: MemoryUse): string {
  const [input, flagText = '', width, , conversion] = match;
  const convert = CONVERSIONS[conversion!];
  if (!convert) return input;
  const flags: Flags = {};
  for (const flag of flagText) flags[flag] = true;
  let text = String(convert(f, flags, width, memory));
  let padChar = PAD_WITH_SPACES.has(conversion!) ? ' ' : '0';
  let padWidth = Number(width) || PAD_WIDTHS[conversion!] || 0;
  // Ruby pads %Y to four digits after a minus sign (year -5 is "-0005"): five characters with it.
  if (conversion === 'Y' && !width && text.startsWith('-')) padWidth = 5;
  if (flags['^']) text = text.toUpperCase();
  else if (flags['#']) text = changeCase(text);
  if (flags['_']) padChar = ' ';
  else if (flags['0']) padChar = '0';
  if (flags['-']) padWidth = 0;
  memory.use(padWidth - text.length); // before allocating it
  if (padChar === '0' && text.startsWith('-')) return `-${text.slice(1).padStart(padWidth - 1, padChar)}`;
  return text.padStart(padWidth, padChar);
}

function format(f: Fields, formatText: string, memory: MemoryUse): string {
  let output = '';
  let remaining = formatText;
  let match: RegExpExecArray | null;
  while ((match = DIRECTIVE.exec(remaining))) {
    output += remaining.slice(0, match.index);
    remaining = remaining.slice(match.index + match[0].length);
    // Ruby prints a modifier with a conversion it does not take as written (`%Ez`, `%OY`, `%-Ed`).
    output += modifierRefused(match[3], match[4]!) ? match[0] : directive(f, match, memory);
  }
  return output + remaining;
}

/** The wall clock `time` shows, as a Date read with getUTC*; null if it is out of Date's range. */
export function wallClockOf(time: ZonedInstant): Date | null {
  const wall = new Date(time.instant + time.offset);
  return Number.isNaN(wall.getTime()) ? null : wall;
}

/** `time` printed by `formatText` as liquidjs' strftime prints it in the zone, whatever the host's zone. */
export function strftime(time: ZonedInstant, formatText: string, memory: MemoryUse): string {
  const wall = wallClockOf(time);
  if (wall === null) throw new Error('date out of range');
  return format({ wall, time }, formatText, memory);
}
