/**
 * Liquid rendering for the flow engine (pure: no I/O, no clock — the current time is passed in).
 *
 * Dialect (see reference §4.2): Shopify-style Liquid via liquidjs, non-strict variables and
 * filters (an undefined variable renders '', an unknown filter is skipped), standard Liquid
 * truthiness, plus Studio's `to_json` filter.
 *
 * Decisions:
 *  - Loops: at most 15 iterations per `for`/`tablerow`; further iterations are silently NOT
 *    rendered (truncation, as Studio documents "loops at most 15 iterations"), see
 *    ./liquid/loop-tags.ts.
 *  - Output: a rendered result over 16 KB (16384 UTF-8 bytes) is an ERROR 84003 ("rendered
 *    template exceeds 16384 bytes"), not a truncation: silently cutting a JSON body or an SMS
 *    would produce wrong data downstream, while an error routes the widget to its failure path.
 *    The cap is enforced while rendering (the output emitter aborts early), not only at the end.
 *    `{% capture %}` renders through the same capped emitter (a capture over 16 KB is 84003 too) and
 *    counts what it captured in memory units, see ./liquid/capture-tag.ts.
 *  - No file system: `include`, `render` and `layout` are replaced by tags that fail at parse
 *    time (→ 84003), and the liquidjs `fs` refuses every lookup (defence in depth).
 *  - DoS: parseLimit (template length); budgets of template nodes and of liquidjs' allocation units
 *    per render and per sprint (deterministic: the same flow and events fail or pass the same way
 *    on any node; a wall-clock fuse per sprint stays behind them for pathological single nodes);
 *    plus our own loop and output caps. Work liquidjs does within one node without counting it (growing
 *    filters such as `url_encode`, array walks, per-item property lookups of `where` and `map`, `contains`/`==`
 *    on arrays, `*_exp` expressions per item) is counted in allocation units too, weighted by the time it takes
 *    so that the counted budgets stop a render long before the fuse, see ./liquid/costs.ts.
 *  - `sample` draws from a seed the caller passes (the engine: execution and step), never Math.random,
 *    so a run, its replay and its flow test pick the same items.
 *  - Dates: `"now"`/`"today"` (any case) in the date filters mean `opts.now`, never the real clock; so do the
 *    day and the year a date text leaves out ("17:00", "Mar 10"), as Ruby's Time.parse takes them. Date
 *    filters render in `opts.timezone` (IANA name), default UTC (the "PST" claim in the reference
 *    is UNCONFIRMED). Locale fixed to en-US so output never depends on the host. `%Z` prints the
 *    zone's abbreviation for that date as Ruby does ("EST"/"EDT", "UTC"; "+03" for a zone that has
 *    none in en-US), not liquidjs' IANA name.
 *  - `divided_by` is Shopify's: floor division of two integers, see dividedByFilter. `plus`, `minus`, `times`
 *    and `modulo` are exact in decimals as Shopify's BigDecimal arithmetic (`0.1 | plus: 0.2` is 0.3), see
 *    ./liquid/decimal.ts; a math filter written without its operand is an error, as Ruby's ArgumentError.
 *  - Other filters where liquidjs departs from Shopify in ways a flow sees (math filters' text coercion,
 *    `modulo: 0`, `size`/`split` by characters, `truncatewords`, `url_encode`/`url_decode`, `join` of objects,
 *    `slice`'s accounting, `escape`/`escape_once`, `default` of an empty hash)
 *    are put right in ./liquid/shopify-filters.ts; loops' `offset:`/`limit:` in ./liquid/loop-tags.ts.
 *  - Operators and tags as Shopify's where liquidjs differs: `<>` is `!=`, a hash `contains` its keys
 *    (./liquid/costs.ts), `assign` takes dotted names (../definition/liquid-syntax.ts).
 *  - Hyphenated identifiers (`widgets.get-customer.parsed`) work natively in liquidjs; so does
 *    `widgets["get-customer"]`.
 *  - Objects are read with `ownPropertyOnly` (no prototype members such as `constructor`), and
 *    the caller's context object is never mutated (`increment`/`assign` write to a copy/scope).
 *  - An object (or an array holding one) printed without a filter is serialized, not `[object Object]`:
 *    `opts.objectFormat` 'json' (default: techmatters' flows pass `{{flow}}`/`{{widgets}}` to Run Subflow
 *    as json_object and strip `"` from printed objects) or 'map', Java's `{k1=v1, k2=v2}` (Twilio's own
 *    function-templates parse `{{flow.data}}` in that form). Which one Studio prints is UNCONFIRMED.
 *    An array of scalars still prints its items joined, as Liquid does.
 *  - Errors of any kind (syntax, limits, filter exceptions) come back as
 *    `{ ok: false, error: { code: 84003, message } }`; renderTemplate never throws.
 */
import { Context, Liquid, filters as builtinFilters, TypeGuards, toValue, toValueSync } from 'liquidjs';
import type { FilteredValueToken, Template } from 'liquidjs';
import { BASE_LIQUID_OPTIONS, MAX_TEMPLATE_LENGTH, findInValues, useDialectTags } from '../definition/liquid-syntax.ts';
import { CappedForTag, CappedTablerowTag, MAX_LOOP_ITERATIONS } from './liquid/loop-tags.ts';
import { CappedCaptureTag } from './liquid/capture-tag.ts';
import { partialDateAsUtc, zonedPartialDate } from './liquid/date-text.ts';
import { COSTED_FILTERS, COUNTED_OPERATORS, withCost } from './liquid/costs.ts';
import { SHOPIFY_FILTERS, codePointLength, isDecimalText, requireOperand, toNumber } from './liquid/shopify-filters.ts';
import { decimalQuotient } from './liquid/decimal.ts';
import { CappedEmitter, MAX_OUTPUT_BYTES, STATE_REGISTER, isPlainObject, outputLimitMessage, serializeObject, type ObjectFormat } from './liquid/output.ts';
import { LruCache } from '../lib/lru.ts';
import { parseJsonWithinDepth } from '../lib/json-depth.ts';

export { MAX_LOOP_ITERATIONS };
export type { ObjectFormat };

/** liquidjs does not export the type of a filter's token (name, argument tokens, source text). */
type FilterToken = FilteredValueToken['filters'][number];

/** Studio error code "unable to render block". */
export const LIQUID_ERROR_CODE = 84003;

/** Limits applied to every render. */
export const LIQUID_LIMITS = Object.freeze({
  /** Max UTF-8 bytes of a rendered template (Studio: "a rendered template at most 16 KB"). */
  maxOutputBytes: MAX_OUTPUT_BYTES,
  /** Max characters of a template source (liquidjs parseLimit). */
  maxTemplateLength: MAX_TEMPLATE_LENGTH,
  /**
   * Template nodes one render may run, loop bodies counted each time round: the deterministic bound on a
   * render's work (a wall-clock budget would fail the same template on a cold or busy node and pass it on a
   * warm one, and replays and flow tests would disagree with the run).
   */
  maxRenderNodes: 100_000,
  /**
   * Wall-clock fuse per sprint, ms: only a template whose few nodes each do enormous work gets this far
   * within the deterministic budgets; no flow's template comes near it.
   */
  renderFuseMs: 2_000,
  /**
   * liquidjs' allocation units (characters, array slots: a range, a sort, a split each count their length)
   * per render: a few passes over a 64 kB HTTP body (Studio's response cap) fit, `(1..500000) | sort` does not.
   */
  memoryLimit: 200_000,
  /**
   * What all the renders of one sprint (the work one event causes) may use together: a Set Variables of
   * 150 pairs looping through a Split would otherwise hold the event loop for seconds within the step cap.
   * Real flows use a few thousand nodes and units per sprint.
   */
  sprintNodes: 300_000,
  sprintMemory: 600_000,
  /** Parsed-template cache bounds. */
  cacheEntries: 2000,
  cacheTotalChars: 8 * 1024 * 1024,
  /** Iterations per loop. */
  maxLoopIterations: MAX_LOOP_ITERATIONS,
});

export interface RenderOptions {
  /** The engine's "current time"; `"now"`/`"today"` in date filters resolve to it. */
  now: Date;
  /** IANA time zone for the date filters; default "UTC". */
  timezone?: string;
  /** How an object prints without a filter; default 'json'. */
  objectFormat?: ObjectFormat;
  /**
   * Seeds the `sample` filter with `seedStep` and `seedRender` (the engine passes the execution's SID, its step
   * count and the render's place in the sprint; numbers, so a render that never samples builds no string);
   * default: `now`'s milliseconds.
   */
  seed?: string;
  seedStep?: number;
  seedRender?: number;
  /** The sprint's Liquid budget, shared by its renders; default: one of the render's own. */
  budget?: LiquidBudget;
}

export interface LiquidError {
  code: 84003;
  message: string;
}

export type RenderResult = { ok: true; value: string } | { ok: false; error: LiquidError };

type Result<T> = { ok: true; value: T } | { ok: false; error: LiquidError };

// ---------------------------------------------------------------------------------------------
// Liquid instance
// ---------------------------------------------------------------------------------------------

interface RenderState {
  now: Date;
  timezone: string;
  /** Whose seed, step and render seed `sample`: the same ones pick the same items, so a replay renders what the run did. */
  options: RenderOptions;
  /** `sample` calls so far in this render (each draws from its own stream of the seed). */
  samples: number;
  /** How an object prints, also where a string filter is given one. */
  objectFormat: ObjectFormat;
}

/**
 * `text.size` counts characters (code points) as Shopify's Ruby does and as the `size` filter here does;
 * liquidjs counts UTF-16 units, so "😀".size would be 2. Counting walks the text: a unit per 256 characters.
 */
class ShopifyContext extends Context {
  override readProperty(obj: Parameters<Context["readProperty"]>[0], key: Parameters<Context["readProperty"]>[1]): unknown {
    const value: unknown = obj;
    if (typeof value === 'string' && toValue(key) === 'size') {
      this.memoryLimit.use(Math.ceil(value.length / 256));
      return codePointLength(value);
    }
    return super.readProperty(obj, key);
  }
}

type ContextLimiters = NonNullable<ConstructorParameters<typeof Context>[3]>;
type ContextLimiter = NonNullable<ContextLimiters['renderLimit']>;

/**
 * The Liquid work one sprint may do across all its renders (see LIQUID_LIMITS.sprintNodes). The engine makes
 * one per sprint and passes it with every render; a render without one gets its own.
 */
export class LiquidBudget {
  nodes = 0;
  memory = 0;
  fuseAt = Infinity;
}

const limitError = (what: string) => new Error(`template render limit exceeded (${what})`);

/**
 * liquidjs' two limiters for one render in one object, counting against the render's and the sprint's
 * budgets: liquidjs only ever calls `renderLimit.check` and `memoryLimit.use`. It calls `check` with the
 * current time before every template node it renders (loop bodies included), so counting those calls
 * measures the render's work deterministically; the time it passes serves only the fuse. `use` is
 * liquidjs' allocation accounting (ranges, array filters, string filters).
 */
class RenderLimits {
  nodes = 0;
  memory = 0;
  readonly sprint: LiquidBudget;
  constructor(sprint: LiquidBudget) {
    this.sprint = sprint;
  }
  check(now: number): void {
    const sprint = this.sprint;
    if (sprint.fuseAt === Infinity) sprint.fuseAt = now + LIQUID_LIMITS.renderFuseMs;
    if (++this.nodes > LIQUID_LIMITS.maxRenderNodes) throw limitError(`more than ${LIQUID_LIMITS.maxRenderNodes} nodes rendered`);
    if (++sprint.nodes > LIQUID_LIMITS.sprintNodes) throw limitError(`more than ${LIQUID_LIMITS.sprintNodes} nodes rendered in one step's work`);
    if (now > sprint.fuseAt) throw limitError(`over ${LIQUID_LIMITS.renderFuseMs} ms of rendering in one step's work`);
  }
  use(count: number): void {
    const n = +count;
    if (!(n > 0)) return;
    if ((this.memory += n) > LIQUID_LIMITS.memoryLimit) throw limitError(`more than ${LIQUID_LIMITS.memoryLimit} memory units`);
    if ((this.sprint.memory += n) > LIQUID_LIMITS.sprintMemory) throw limitError(`more than ${LIQUID_LIMITS.sprintMemory} memory units in one step's work`);
  }
}

/** FNV-1a over the seed and the call's index, then one round of mulberry32 per draw: small and stable. */
function seededRandom(seed: string, stream: number): () => number {
  let h = 0x811c9dc5 ^ stream;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193);
  let a = h >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * liquidjs' `sample` (one random item, or `count` of them) drawing from the render's seed instead of
 * Math.random, which would make the engine's output differ between a run, its replay and its flow test.
 */
function sampleFilter(this: FilterThis, v: unknown, count: unknown = 1): unknown {
  const value = toValue(v);
  if (value === null || value === undefined) return [];
  const items: unknown[] = Array.isArray(value) ? [...value] : [...String(value)];
  this.context.memoryLimit.use(items.length);
  const state = stateOf(this);
  const o = state?.options;
  const seed = o ? (o.seed !== undefined ? `${o.seed}:${o.seedStep ?? 0}:${o.seedRender ?? 0}` : String(o.now.getTime())) : '';
  const random = seededRandom(seed, state ? state.samples++ : 0);
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return count === 1 ? items[0] : items.slice(0, Number(count));
}

/** `this` of a liquidjs filter. */
interface FilterThis {
  context: Context;
  liquid: Liquid;
  /** The filter as written (name, argument tokens); absent when a filter is called directly. */
  token?: FilterToken;
}

function stateOf(self: FilterThis): RenderState | undefined {
  return self.context.getRegister<RenderState | undefined>(STATE_REGISTER, undefined);
}

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

/** A date string that names its zone or offset ("…Z", "+01:00", "-0800", "UTC", "PST"). */
const HAS_ZONE = /(?:\dZ|[+-]\d{2}:?\d{2}|\b(?:UTC|GMT|[ECMP][SD]T)\b)\s*$/i;

/**
 * A date string without a zone ("2026-03-10", "2026-03-10 09:30", "2026-03-10T09:30:00", "March 10, 2026")
 * is a wall-clock time in the render's zone, as in Shopify Liquid, whatever the host's zone: liquidjs would
 * read it with `new Date(text)`, in the process's zone (TZ). Such a string becomes the instant that shows
 * that wall time in the render's zone. A time alone or a date without a year takes the rest from the render's
 * clock, as Ruby's Time.parse does (./liquid/date-text.ts), also when it names its zone.
 */
function wallTimeIn(value: unknown, timezone: string, now: Date): unknown {
  const text = toValue(value);
  if (typeof text !== 'string' || /^\d+$/.test(text.trim())) return value;
  if (HAS_ZONE.test(text)) {
    const zoned = zonedPartialDate(text.trim(), now.getTime());
    return Number.isNaN(zoned) ? value : new Date(zoned);
  }
  const asUtc = wallClockAsUtc(text.trim(), () => wallDateOf(() => now.getTime(), timezone)!);
  if (Number.isNaN(asUtc)) return value; // liquidjs answers what it would for it
  if (timezone === 'UTC') return new Date(asUtc);
  let instant = asUtc - zoneOffsetMs(timezone, asUtc);
  instant = asUtc - zoneOffsetMs(timezone, instant); // again, across a DST change
  return new Date(instant);
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/i;

/**
 * The wall-clock time a zone-less date string writes, as the UTC instant with those fields; NaN if none.
 * `today` gives the current wall-clock date (UTC fields) for text that leaves it or its year out.
 */
function wallClockAsUtc(text: string, today: () => Date): number {
  if (ISO_DATE.test(text)) return Date.parse(`${text}T00:00:00Z`);
  if (ISO_DATE_TIME.test(text)) return Date.parse(`${text.slice(0, 10)}T${text.slice(11)}Z`);
  const partial = partialDateAsUtc(text, today());
  if (!Number.isNaN(partial)) return partial;
  const utc = Date.parse(`${text} UTC`);
  if (!Number.isNaN(utc)) return utc;
  // Another form the engine reads as host-local time: its local fields are what the text says.
  const local = new Date(text);
  if (Number.isNaN(local.getTime())) return NaN;
  return Date.UTC(local.getFullYear(), local.getMonth(), local.getDate(), local.getHours(), local.getMinutes(), local.getSeconds(), local.getMilliseconds());
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();
/** How far the zone's wall clock is ahead of UTC at `instant`. */
function zoneOffsetMs(timezone: string, instant: number): number {
  let format = zoneFormats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    if (zoneFormats.size < 64) zoneFormats.set(timezone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(instant)).map((part) => [part.type, Number(part.value)]));
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return wall - Math.floor(instant / 1000) * 1000;
}

// Context options with the zone set, one copy per (options, zone) rather than one per filter call.
const zonedOptions = new WeakMap<object, Map<string | number, Context['opts']>>();
function optionsInZone(opts: Context['opts'], zone: string | number): Context['opts'] {
  let byZone = zonedOptions.get(opts);
  if (byZone === undefined) zonedOptions.set(opts, (byZone = new Map()));
  let zoned = byZone.get(zone);
  if (zoned === undefined) {
    zoned = { ...opts, timezoneOffset: zone } as Context['opts'];
    if (byZone.size < 256) byZone.set(zone, zoned);
  }
  return zoned;
}

/** A filter `this` whose context options carry the render's time zone. */
function withTimezone(self: FilterThis, zone: string | number): FilterThis {
  const ctx = Object.create(self.context) as Context;
  Object.defineProperty(ctx, 'opts', { value: optionsInZone(self.context.opts, zone) });
  const shadow = Object.create(self) as FilterThis;
  Object.defineProperty(shadow, 'context', { value: ctx });
  return shadow;
}

/**
 * The zone handed to liquidjs. A zone name makes liquidjs compute the offset with two
 * toLocaleString calls per date (the costliest part of a date filter); for UTC the offset is 0
 * whatever the date, and a numeric 0 renders the same except `%Z` (zone name "UTC" vs "+0000"),
 * so the number is used only when the format cannot contain `%Z`.
 */
function zoneFor(name: string, timezone: string, args: unknown[], opts: Context['opts']): string | number {
  return timezone !== 'UTC' || mayPrintZone(name, args, opts) ? timezone : 0;
}

const zoneNameFormats = new Map<string, Intl.DateTimeFormat>();
/** en-US "GMT+3", "GMT-3:30": a zone without a common abbreviation. */
const GMT_OFFSET_NAME = /^GMT([+-])(\d{1,2})(?::(\d{2}))?$/;

/**
 * The zone's abbreviation at `instant`, as Ruby's strftime prints `%Z`: "EST" or "EDT" as the date
 * falls, "UTC". Where en-US has no abbreviation (Intl says "GMT+3", "GMT+5:45") the offset is
 * printed as tzdata spells its numeric abbreviations, "+03", "+0545" (Ruby's answer for zones such
 * as Europe/Istanbul or Asia/Kathmandu). Limitation: zones that tzdata names but en-US does not
 * (Asia/Tokyo "JST", Europe/Paris "CET", Europe/London's summer "BST") print the offset too.
 */
function zoneAbbreviation(timezone: string, instant: number): string {
  if (timezone === 'UTC') return 'UTC';
  let format = zoneNameFormats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: timezone, timeZoneName: 'short' });
    if (zoneNameFormats.size < 64) zoneNameFormats.set(timezone, format);
  }
  let name = '';
  for (const part of format.formatToParts(instant)) if (part.type === 'timeZoneName') name = part.value;
  const offset = GMT_OFFSET_NAME.exec(name);
  return offset ? `${offset[1]}${offset[2]!.padStart(2, '0')}${offset[3] ?? ''}` : name;
}

/** The instant liquidjs' parseDate reads from a date filter input, NaN if none. */
function instantOf(value: unknown): number {
  const v = toValue(value);
  if (v === undefined || v === null) return NaN;
  if (typeof v === 'number') return v * 1000;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v) * 1000;
  return new Date(v as string).getTime();
}

/** liquidjs' strftime directive pattern, global. */
const STRFTIME_DIRECTIVE = /%([-_0^#:]+)?(\d+)?([EO])?(.)/g;

/**
 * `format` with every `%Z` directive replaced by `abbreviation`, its flags and width applied as
 * liquidjs applies them to the zone name it prints (so output matches its UTC rendering).
 */
function withZoneAbbreviation(format: string, abbreviation: string, self: FilterThis): string {
  return format.replace(STRFTIME_DIRECTIVE, (directive: string, flags = '', width = '', _modifier: unknown, conversion: string) => {
    if (conversion !== 'Z') return directive;
    let text = abbreviation;
    if (flags.includes('^')) text = text.toUpperCase();
    else if (flags.includes('#')) text = /[a-z]/.test(text) ? text.toUpperCase() : text.toLowerCase();
    const padChar = flags.includes('_') ? ' ' : '0';
    const padWidth = flags.includes('-') ? 0 : Number(width) || 0;
    self.context.memoryLimit.use(padWidth - text.length); // before allocating it
    if (padChar === '0' && text.startsWith('-')) return `-${text.slice(1).padStart(padWidth - 1, padChar)}`;
    return text.padStart(padWidth, padChar);
  });
}

/**
 * The `date` arguments with `%Z` in the format spelled out as the zone abbreviation; the same
 * `args` when there is nothing to do (no `Z` in the format, UTC — which liquidjs prints "UTC" —,
 * a numeric zone, an input that is not a date). The zone is the filter's own third argument
 * (a liquidjs extension) or else the render's.
 */
function spellZoneAbbreviation(self: FilterThis, at: () => number, args: unknown[], timezone: string): unknown[] {
  const format = formatOf(args, self.context.opts);
  if (typeof format !== 'string' || !format.includes('Z')) return args;
  const zone = args[1] === undefined || args[1] === null ? timezone : args[1];
  if (typeof zone !== 'string') return args;
  const instant = at();
  if (Number.isNaN(instant)) return args;
  return [withZoneAbbreviation(format, zoneAbbreviation(zone, instant), self), ...args.slice(1)];
}

type AnyFilter = (this: FilterThis, ...args: unknown[]) => unknown;

/** The `date` format of a call: its first argument, or the configured default. */
function formatOf(args: unknown[], opts: Context['opts']): unknown {
  const given = toValue(args[0]);
  return given === undefined || given === null ? opts.dateFormat : given;
}

function isEmptyFormat(format: unknown): boolean {
  const f = toValue(format);
  return f === undefined || f === null || f === '';
}

function dateFilter(name: string): AnyFilter {
  const original = (builtinFilters as unknown as Record<string, AnyFilter>)[name];
  if (typeof original !== 'function') throw new Error(`liquidjs has no ${name} filter`);
  return function (this: FilterThis, v: unknown, ...args: unknown[]) {
    // Shopify: a format given but empty or nil (`date: ""`, `date: flow.variables.unset`) returns the input as is.
    if (name === 'date' && args.length > 0 && isEmptyFormat(args[0])) return v;
    const st = stateOf(this);
    if (st === undefined) return original.call(this, resolveNow(this, v), ...args);
    const value = wallTimeIn(resolveNow(this, v), st.timezone, st.now);
    let instant: number | undefined;
    const at = () => (instant ??= instantOf(value)); // parsed once, by whichever step needs it first
    const ruby = name === 'date' ? rubyDirectives(this, at, args, st.timezone) : args;
    const spelled = name === 'date' ? spellZoneAbbreviation(this, at, ruby, st.timezone) : args;
    // With `%Z` spelled out, liquidjs needs only the offset at this instant: handing it a number spares
    // the two toLocaleString calls per date it makes for a zone name (most of a date filter's cost).
    const zone = spelled !== ruby || !mayPrintZone(name, ruby, this.context.opts) ? offsetAt(st.timezone, at) : null;
    const self = withTimezone(this, zone ?? zoneFor(name, st.timezone, args, this.context.opts));
    return original.call(self, value, ...spelled);
  };
}

/**
 * Ruby's strftime directives that liquidjs lacks or prints differently, as Shopify renders them:
 * composites (`%F` `%T` `%D` `%R` `%r` `%v` `%+`, and `%c` `%x` `%X` in Ruby's C-locale form rather than
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
  '+': '%a %b %e %H:%M:%S %Z %Y',
};
const RUBY_ONLY = /%[-_0^#:]*\d*[EO]?[cxXDFTRrv+GgVaAbBh]/;
const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function rubyDirectives(self: FilterThis, at: () => number, args: unknown[], timezone: string): unknown[] {
  const format = formatOf(args, self.context.opts);
  if (typeof format !== 'string' || !RUBY_ONLY.test(format)) return args;
  // The filter's own zone (a liquidjs extension: a name, or minutes west of UTC) wins over the render's.
  const zone: string | number = typeof args[1] === 'string' || typeof args[1] === 'number' ? args[1] : timezone;
  let wall: Date | null | undefined;
  const wallDate = () => (wall === undefined ? (wall = wallDateOf(at, zone)) : wall);
  // Composites first: `%+` brings in `%Z`, and `%c` day and month names.
  const expanded = format.replace(STRFTIME_DIRECTIVE, (directive: string, _f: unknown, _w: unknown, _m: unknown, conversion: string) => RUBY_COMPOSITES[conversion] ?? directive);
  const out = expanded.replace(STRFTIME_DIRECTIVE, (directive: string, flags = '', width = '', _modifier: unknown, conversion: string) => {
    if (!'GgVaAbBh'.includes(conversion)) return directive;
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
  return [out, ...args.slice(1)];
}

/** The input's wall-clock date in `timezone`, read with getUTC*; null if there is no date. */
function wallDateOf(at: () => number, timezone: string | number): Date | null {
  const instant = at();
  if (!Number.isFinite(instant)) return null;
  if (typeof timezone === 'number') return new Date(instant - timezone * 60_000);
  try {
    return new Date(instant + (timezone === 'UTC' ? 0 : zoneOffsetMs(timezone, instant)));
  } catch {
    return null; // an unknown zone: liquidjs reports it
  }
}

/** ISO 8601 week-numbering year and week of a wall-clock date. */
function isoWeek(wall: Date): { year: number; week: number } {
  const day = Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate());
  const weekday = (wall.getUTCDay() + 6) % 7; // Monday 0
  const thursday = new Date(day + (3 - weekday) * 86_400_000);
  const year = thursday.getUTCFullYear();
  return { year, week: 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000)) };
}

/** Could liquidjs print the zone's name for this call (a `%Z` still in the `date` format)? */
function mayPrintZone(name: string, args: unknown[], opts: Context['opts']): boolean {
  if (name !== 'date') return false; // the fixed formats print offsets, never names
  const format = formatOf(args, opts);
  return typeof format !== 'string' || format.includes('Z');
}

/** liquidjs' numeric zone (minutes west of UTC, as Date#getTimezoneOffset) at the input's instant; null if none. */
function offsetAt(timezone: string, at: () => number): number | null {
  if (timezone === 'UTC') return 0;
  const instant = at();
  if (!Number.isFinite(instant)) return null;
  return -zoneOffsetMs(timezone, instant) / 60_000 || 0;
}

/** An operand that is an integer: an integer value not written with a decimal point ("10", not "10.0"). */
function isIntegerOperand(value: unknown, n: number): boolean {
  if (!Number.isInteger(n)) return false;
  const v = toValue(value);
  return typeof v !== 'string' || !isDecimalText(v);
}

/** A number literal written with a decimal point: `4.0`, `-10.0`. */
function isDecimalLiteral(token: unknown): boolean {
  return TypeGuards.isNumberToken(token as never) && (token as FilterToken).getText().includes('.');
}

/** `divided_by` filters whose input is a number literal written with a decimal point (`{{ 10.0 | divided_by: 4 }}`). */
const decimalLiteralInputs = new WeakSet<FilterToken>();

/**
 * Note, in parsed templates, the `divided_by` filters applied directly to a decimal literal: the
 * filter only receives the number 10, so how it was written is read from the parse tree here.
 * Walks every tag's arguments and children without recursion.
 */
function noteDecimalLiteralInputs(templates: Template[]): void {
  findInValues(templates, (value) => {
    const first = value.filters[0] as unknown as { name: string; token: FilterToken } | undefined;
    const postfix = value.initial.postfix;
    if (first?.name === 'divided_by' && postfix.length === 1 && isDecimalLiteral(postfix[0])) decimalLiteralInputs.add(first.token);
    return undefined;
  });
}

/**
 * Shopify's `divided_by`: floor division when both operands are integers (`10 | divided_by: 4` is
 * 2, `-7 | divided_by: 2` is -4), float division when either is a float (`10 | divided_by: 4.0`,
 * `10.0 | divided_by: 4` are 2.5); liquidjs always divides as floats. JS numbers cannot tell 4
 * from 4.0, so a float is a non-integer value, a number literal in the template written with a
 * decimal point (the divisor, or the input when the filter applies to the literal directly), or a
 * string with one ("10.0", as Ruby's to_number reads it). An integer value from data or from a
 * previous filter counts as an integer. liquidjs' third argument (`divided_by: 4.0, true`) still
 * forces floor division. Division by zero is an error, as Shopify's ZeroDivisionError, so the
 * render fails with 84003 rather than printing "Infinity".
 */
function dividedByFilter(this: FilterThis, dividend: unknown, divisor: unknown, integerArithmetic?: unknown): number {
  requireOperand('divided_by', arguments.length);
  const a = toNumber(dividend);
  const b = toNumber(divisor);
  if (b === 0) throw new Error('divided by 0');
  const token = this.token;
  const integers =
    isIntegerOperand(dividend, a) &&
    isIntegerOperand(divisor, b) &&
    (token === undefined || (!isDecimalLiteral(token.args[0]) && !decimalLiteralInputs.has(token)));
  return integers || +(toValue(integerArithmetic) as number) ? Math.floor(a / b) : decimalQuotient(a, b);
}

/**
 * Studio's `to_json`: compact JSON. undefined/nil → "null" (so `{"x": {{v | to_json}}}` stays
 * valid JSON). Uses liquidjs' `json` filter for memory accounting.
 */
function toJsonFilter(this: FilterThis, v: unknown): string {
  const val = toValue(v);
  if (val === undefined || val === null) return 'null';
  const json = (builtinFilters as unknown as Record<string, AnyFilter>)['json'];
  const out = json.call(this, val) as string | undefined;
  return out === undefined ? 'null' : out;
}

/**
 * liquidjs' filters that work on a string. Given an object (a parsed HTTP body, `flow.data`, a subflow's
 * `trigger.parent.parameters.*`) they would print `[object Object]`; they get the object printed as it prints
 * without a filter (JSON or Java's map form, `objectFormat`), which is what techmatters' debug subflows
 * `replace` their quotes in.
 */
const STRING_FILTERS = [
  'append', 'prepend', 'capitalize', 'downcase', 'upcase', 'lstrip', 'rstrip', 'strip', 'strip_newlines', 'squish',
  'strip_html', 'newline_to_br', 'normalize_whitespace', 'remove', 'remove_first', 'remove_last', 'replace',
  'replace_first', 'replace_last', 'split', 'truncate', 'truncatewords', 'number_of_words', 'escape', 'escape_once',
  'xml_escape', 'url_encode', 'url_decode', 'cgi_escape', 'uri_escape', 'slugify', 'base64_encode', 'base64_decode',
  'sha256', 'hmac_sha256',
] as const;

function objectsAsText(filter: AnyFilter): AnyFilter {
  return function (this: FilterThis, input: unknown, ...args: unknown[]) {
    const v = toValue(input);
    const isObject = isPlainObject(v) || (Array.isArray(v) && v.some(isPlainObject));
    return filter.call(this, isObject ? serializeObject(v, stateOf(this)?.objectFormat ?? 'json') : input, ...args);
  };
}

function createLiquid(): Liquid {
  const liquid = new Liquid({
    ...BASE_LIQUID_OPTIONS,
    timezoneOffset: 'UTC',
    locale: 'en-US',
    memoryLimit: LIQUID_LIMITS.memoryLimit,
    operators: COUNTED_OPERATORS,
  });
  useDialectTags(liquid);
  liquid.registerTag('for', CappedForTag);
  liquid.registerTag('tablerow', CappedTablerowTag);
  liquid.registerTag('capture', CappedCaptureTag);
  for (const name of ['date', 'date_to_xmlschema', 'date_to_rfc822', 'date_to_string', 'date_to_long_string']) {
    liquid.registerFilter(name, dateFilter(name));
  }
  liquid.registerFilter('to_json', toJsonFilter);
  // liquidjs' filters with Shopify's behaviour where they differ, then counted, then given objects as text.
  const base: Record<string, AnyFilter | undefined> = { ...(builtinFilters as unknown as Record<string, AnyFilter>), ...(SHOPIFY_FILTERS as Record<string, AnyFilter>) };
  const counted = (name: string): AnyFilter | undefined => {
    const filter = base[name];
    return filter && COSTED_FILTERS.includes(name) ? withCost(name, filter) : filter;
  };
  for (const name of new Set([...Object.keys(SHOPIFY_FILTERS), ...COSTED_FILTERS])) liquid.registerFilter(name, counted(name)!);
  for (const name of STRING_FILTERS) {
    const filter = counted(name);
    if (filter) liquid.registerFilter(name, objectsAsText(filter));
  }
  liquid.registerFilter('sample', sampleFilter);
  liquid.registerFilter('divided_by', dividedByFilter);
  return liquid;
}

const liquid = createLiquid();

// ---------------------------------------------------------------------------------------------
// Parse cache
// ---------------------------------------------------------------------------------------------

type Parsed = { ok: true; templates: Template[] } | { ok: false; message: string };

const parseCache = new LruCache<string, Parsed>(LIQUID_LIMITS.cacheEntries, LIQUID_LIMITS.cacheTotalChars);

function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

function parse(template: string): Parsed {
  const hit = parseCache.get(template);
  if (hit !== undefined) return hit;
  let parsed: Parsed;
  try {
    const templates = liquid.parse(template);
    if (template.includes('divided_by')) {
      try {
        noteDecimalLiteralInputs(templates);
      } catch {
        // Unexpected parse-tree shape: such a literal input then counts as an integer, the template still renders.
      }
    }
    parsed = { ok: true, templates };
  } catch (e) {
    parsed = { ok: false, message: `Liquid syntax error: ${errorMessage(e)}` };
  }
  parseCache.set(template, parsed, template.length + 64);
  return parsed;
}

/** For tests/diagnostics. */
export function parseCacheStats(): { entries: number; chars: number } {
  return { entries: parseCache.size, chars: parseCache.totalWeight };
}

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

function fail(message: string): { ok: false; error: LiquidError } {
  return { ok: false, error: { code: LIQUID_ERROR_CODE, message } };
}

const validZones = new Map<string, boolean>();
function isValidTimezone(tz: string): boolean {
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

/** Plain-data check for templates that contain no Liquid markup at all. */
function hasMarkup(template: string): boolean {
  return template.includes('{{') || template.includes('{%');
}

/** A template that is one variable and nothing else: `{{flow.channel.address}}`, `{{ contact.channel.address }}`. */
const SOLE_VARIABLE = /^\{\{ *([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*) *\}\}$/;
const solePaths = new Map<string, string[] | null>();
const LITERALS = new Set(['true', 'false', 'nil', 'null', 'empty', 'blank']);
let directReads = 0;

/** For tests/diagnostics: templates rendered by lookupDirect, without liquidjs. */
export function directReadCount(): number {
  return directReads;
}

/**
 * The value of a template that is a single variable naming a string through own properties of plain
 * data, read without liquidjs: the commonest templates in flows (every send's From and To) rendered
 * without a render context, a scope chain and generators (a fifth of what a create allocated). Anything
 * else (filters, whitespace control, `size`/`first`, a number, a missing value) is undefined here and
 * goes to liquidjs, which gives it Liquid's exact meaning.
 */
function lookupDirect(template: string, context: Record<string, unknown>): string | undefined {
  if (template.length > LIQUID_LIMITS.maxTemplateLength) return undefined; // liquidjs refuses it
  let path = solePaths.get(template);
  if (path === undefined) {
    const match = SOLE_VARIABLE.exec(template);
    path = match ? match[1]!.split('.') : null;
    // Liquid's literals are not variables, whatever the context holds.
    if (path && LITERALS.has(path[0]!)) path = null;
    if (solePaths.size < LIQUID_LIMITS.cacheEntries) solePaths.set(template, path);
  }
  if (!path) return undefined;
  let value: unknown = context;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return typeof value === 'string' ? value : undefined;
}

/**
 * Render a Liquid template against a flow context (`{ flow, trigger, widgets, contact }`).
 * Never throws.
 */
export function renderTemplate(template: string, context: Record<string, unknown>, opts: RenderOptions): RenderResult {
  const max = LIQUID_LIMITS.maxOutputBytes;
  if (typeof template !== 'string') return fail('template is not a string');
  if (!hasMarkup(template)) {
    if (template.length > LIQUID_LIMITS.maxTemplateLength) return fail('template is too long');
    if (Buffer.byteLength(template, 'utf8') > max) return fail(outputLimitMessage(max));
    return { ok: true, value: template };
  }
  const timezone = opts.timezone ?? 'UTC';
  if (!isValidTimezone(timezone)) return fail(`invalid time zone: ${timezone}`);
  if (!(opts.now instanceof Date) || Number.isNaN(opts.now.getTime())) return fail('invalid render clock (now)');

  const direct = lookupDirect(template, context);
  if (direct !== undefined) {
    directReads++;
    if (Buffer.byteLength(direct, 'utf8') > max) return fail(outputLimitMessage(max));
    return { ok: true, value: direct };
  }

  const parsed = parse(template);
  if (!parsed.ok) return fail(parsed.message);

  // Shallow null-prototype copy: `increment`/`decrement` write to the environment root.
  const env: Record<string, unknown> = Object.assign(Object.create(null), context);
  const objectFormat: ObjectFormat = opts.objectFormat === 'map' ? 'map' : 'json';
  const emitter = new CappedEmitter(max, objectFormat);
  try {
    const limits = new RenderLimits(opts.budget ?? new LiquidBudget()) as unknown as ContextLimiter;
    const ctx = new ShopifyContext(env, liquid.options, { sync: true }, { liquid, renderLimit: limits, memoryLimit: limits });
    ctx.setRegister(STATE_REGISTER, { now: opts.now, timezone, options: opts, samples: 0, objectFormat } satisfies RenderState);
    toValueSync(liquid.renderer.renderTemplates(parsed.templates, ctx, emitter));
  } catch (e) {
    if (emitter.exceeded) return fail(outputLimitMessage(max));
    return fail(`Liquid render error: ${errorMessage(e)}`);
  }
  if (emitter.exceeded) return fail(outputLimitMessage(max));
  const value = emitter.buffer;
  if (Buffer.byteLength(value, 'utf8') > max) return fail(outputLimitMessage(max));
  return { ok: true, value };
}

/**
 * Render every string found in a JSON-like value (arrays and plain objects are walked; object
 * keys are not rendered, and a `__proto__` key stays an own property; non-string leaves are kept).
 * The first failure wins.
 */
export function renderDeep<T>(value: T, render: (template: string) => RenderResult): Result<T> {
  const walk = (v: unknown, depth: number): unknown => {
    if (depth > 64) throw new RenderFailure(fail('value nested too deeply').error);
    if (typeof v === 'string') {
      const r = render(v);
      if (!r.ok) throw new RenderFailure(r.error);
      return r.value;
    }
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        Object.defineProperty(out, k, { value: walk(x, depth + 1), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    return v;
  };
  try {
    return { ok: true, value: walk(value, 0) as T };
  } catch (e) {
    if (e instanceof RenderFailure) return { ok: false, error: e.error };
    return fail(errorMessage(e));
  }
}

class RenderFailure extends Error {
  readonly error: LiquidError;
  constructor(error: LiquidError) {
    super(error.message);
    this.error = error;
  }
}

// ---------------------------------------------------------------------------------------------
// Set Variables typing
// ---------------------------------------------------------------------------------------------

const CANONICAL_DECIMAL = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$/;

/**
 * Set Variables type inference (§2.3, exact rules UNCONFIRMED). Decision: only a canonical
 * decimal number becomes a number — optional `-`, no leading zeros, optional fraction, nothing
 * else: `12`, `-3.5`, `0.25`, `1.50` → numbers; `007`, `1e5`, `+1`, `.5`, `1.`, `0x10`, ` 12`
 * (whitespace is not trimmed), `""`, `-0` and integers beyond 2^53 (precision loss) stay strings.
 */
export function inferVariableValue(rendered: string): string | number {
  if (!CANONICAL_DECIMAL.test(rendered) || rendered === '-0') return rendered;
  const n = Number(rendered);
  if (!Number.isFinite(n)) return rendered;
  if (!rendered.includes('.') && !Number.isSafeInteger(n)) return rendered;
  return n;
}

export type JsonParseResult = { ok: true; value: unknown } | { ok: false; message: string };

/**
 * "Parse as JSON" for Set Variables / subflow parameters. Invalid JSON is reported, the caller
 * decides (e.g. keep the string). `__proto__` keys are dropped so the parsed value can never be
 * used for prototype injection when merged into other objects.
 */
export function parseJsonValue(rendered: string): JsonParseResult {
  // Text nested deeper than MAX_JSON_DEPTH is refused like invalid JSON (the reviver and every later copy recurse).
  const parsed = parseJsonWithinDepth(rendered, (key, v: unknown) => (key === '__proto__' ? undefined : v));
  if (parsed.ok) return { ok: true, value: parsed.value };
  return { ok: false, message: `invalid JSON: ${parsed.error}` };
}
