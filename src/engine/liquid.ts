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
 *  - No file system: `include`, `render` and `layout` are replaced by tags that fail at parse
 *    time (→ 84003), and the liquidjs `fs` refuses every lookup (defence in depth).
 *  - DoS: parseLimit (template length), renderLimit (wall-clock ms, cooperative), memoryLimit
 *    (liquidjs' allocation accounting), plus our own loop and output caps.
 *  - Dates: `"now"`/`"today"` in the date filters mean `opts.now`, never the real clock. Date
 *    filters render in `opts.timezone` (IANA name), default UTC (the "PST" claim in the reference
 *    is UNCONFIRMED). Locale fixed to en-US so output never depends on the host.
 *  - Hyphenated identifiers (`widgets.get-customer.parsed`) work natively in liquidjs; so does
 *    `widgets["get-customer"]`.
 *  - Objects are read with `ownPropertyOnly` (no prototype members such as `constructor`), and
 *    the caller's context object is never mutated (`increment`/`assign` write to a copy/scope).
 *  - Errors of any kind (syntax, limits, filter exceptions) come back as
 *    `{ ok: false, error: { code: 84003, message } }`; renderTemplate never throws.
 */
import { Context, Liquid, filters as builtinFilters, Tag, toValue, toValueSync } from 'liquidjs';
import type { Emitter, FS, Template, TagToken, TopLevelToken } from 'liquidjs';
import { CappedForTag, CappedTablerowTag, MAX_LOOP_ITERATIONS } from './liquid/loop-tags.ts';
import { LruCache } from '../lib/lru.ts';
import { parseJsonWithinDepth } from '../lib/json-depth.ts';

export { MAX_LOOP_ITERATIONS };

/** Studio error code "unable to render block". */
export const LIQUID_ERROR_CODE = 84003;

/** Limits applied to every render. */
export const LIQUID_LIMITS = Object.freeze({
  /** Max UTF-8 bytes of a rendered template (Studio: "a rendered template at most 16 KB"). */
  maxOutputBytes: 16 * 1024,
  /** Max characters of a template source (liquidjs parseLimit). */
  maxTemplateLength: 128 * 1024,
  /** Wall-clock budget per render, ms (liquidjs renderLimit; cooperative, checked between nodes). */
  renderLimitMs: 200,
  /** liquidjs memoryLimit: allocation units (chars/array slots) per render. */
  memoryLimit: 1_000_000,
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

const REFUSING_FS: FS = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async (file: string) => {
    throw new Error(`file access is disabled: ${file}`);
  },
  readFileSync: (file: string) => {
    throw new Error(`file access is disabled: ${file}`);
  },
  resolve: (_dir: string, file: string) => file,
  contains: async () => false,
  containsSync: () => false,
  sep: '/',
  dirname: () => '',
};

function refusingTag(name: string) {
  return class extends Tag {
    constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
      super(token, remainTokens, liquid);
      throw new Error(`tag "${name}" is not supported (no template files)`);
    }
    override render(): void {
      throw new Error(`tag "${name}" is not supported`);
    }
  };
}

interface RenderState {
  now: Date;
  timezone: string;
}

const STATE_REGISTER = 'switchboard:state';

/** `this` of a liquidjs filter. */
interface FilterThis {
  context: Context;
  liquid: Liquid;
}

function stateOf(self: FilterThis): RenderState | undefined {
  return self.context.getRegister<RenderState | undefined>(STATE_REGISTER, undefined);
}

/** Replace "now"/"today" with the injected clock. */
function resolveNow(self: FilterThis, v: unknown): unknown {
  const val = toValue(v);
  if (val === 'now' || val === 'today') {
    const st = stateOf(self);
    // Without injected state (should not happen via renderTemplate) refuse to read the real clock.
    return st === undefined ? undefined : new Date(st.now.getTime());
  }
  return v;
}

/** A date string that names its zone or offset ("…Z", "+01:00", "-0800", "UTC", "PST"). */
const HAS_ZONE = /(?:\dZ|[+-]\d{2}:?\d{2}|\b(?:UTC|GMT|[ECMP][SD]T)\b)\s*$/i;

/**
 * A date string without a zone ("2026-03-10", "2026-03-10 09:30", "March 10, 2026") is a wall-clock
 * time in the render's zone, as in Shopify Liquid; liquidjs would read it as UTC and shift it into the
 * zone (a day early west of UTC). Such a string becomes the instant that shows that wall time there.
 */
function wallTimeIn(value: unknown, timezone: string): unknown {
  const text = toValue(value);
  if (timezone === 'UTC' || typeof text !== 'string' || /^\d+$/.test(text.trim()) || HAS_ZONE.test(text)) return value;
  const asUtc = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text.trim()) ? `${text.trim()}T00:00:00Z` : `${text} UTC`);
  if (Number.isNaN(asUtc)) return value; // liquidjs answers what it would for it
  let instant = asUtc - zoneOffsetMs(timezone, asUtc);
  instant = asUtc - zoneOffsetMs(timezone, instant); // again, across a DST change
  return new Date(instant);
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
  if (timezone !== 'UTC') return timezone;
  if (name !== 'date') return 0; // fixed formats without %Z
  const format = toValue(args[0]);
  if (format === undefined || format === null) return String(opts.dateFormat).includes('Z') ? timezone : 0;
  return typeof format === 'string' && !format.includes('Z') ? 0 : timezone;
}

type AnyFilter = (this: FilterThis, ...args: unknown[]) => unknown;

function dateFilter(name: string): AnyFilter {
  const original = (builtinFilters as unknown as Record<string, AnyFilter>)[name];
  if (typeof original !== 'function') throw new Error(`liquidjs has no ${name} filter`);
  return function (this: FilterThis, v: unknown, ...args: unknown[]) {
    const st = stateOf(this);
    const self = st === undefined ? this : withTimezone(this, zoneFor(name, st.timezone, args, this.context.opts));
    const value = resolveNow(this, v);
    return original.call(self, st === undefined ? value : wallTimeIn(value, st.timezone), ...args);
  };
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

function createLiquid(): Liquid {
  const liquid = new Liquid({
    strictVariables: false,
    strictFilters: false,
    ownPropertyOnly: true,
    jsTruthy: false,
    dynamicPartials: false,
    relativeReference: false,
    root: [],
    partials: [],
    layouts: [],
    fs: REFUSING_FS,
    cache: false,
    timezoneOffset: 'UTC',
    locale: 'en-US',
    parseLimit: LIQUID_LIMITS.maxTemplateLength,
    renderLimit: LIQUID_LIMITS.renderLimitMs,
    memoryLimit: LIQUID_LIMITS.memoryLimit,
  });
  for (const name of ['include', 'render', 'layout']) liquid.registerTag(name, refusingTag(name));
  liquid.registerTag('for', CappedForTag);
  liquid.registerTag('tablerow', CappedTablerowTag);
  for (const name of ['date', 'date_to_xmlschema', 'date_to_rfc822', 'date_to_string', 'date_to_long_string']) {
    liquid.registerFilter(name, dateFilter(name));
  }
  liquid.registerFilter('to_json', toJsonFilter);
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
    parsed = { ok: true, templates: liquid.parse(template) };
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

class OutputLimitError extends Error {}

function stringifyOutput(value: unknown): string {
  const v = toValue(value);
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map((x) => stringifyOutput(x)).join('');
  return String(v);
}

/** Emitter that aborts as soon as the output cannot fit in the cap. */
class CappedEmitter implements Emitter {
  buffer = '';
  exceeded = false;
  readonly maxBytes: number;
  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }
  write(html: unknown): void {
    if (this.exceeded) throw new OutputLimitError(outputLimitMessage(this.maxBytes));
    const s = stringifyOutput(html);
    // UTF-8 bytes >= UTF-16 code units, so a length over the cap is already too big.
    if (this.buffer.length + s.length > this.maxBytes) {
      this.exceeded = true;
      throw new OutputLimitError(outputLimitMessage(this.maxBytes));
    }
    this.buffer += s;
  }
}

function outputLimitMessage(max: number): string {
  return `rendered template exceeds ${max} bytes`;
}

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
  const emitter = new CappedEmitter(max);
  try {
    const ctx = new Context(env, liquid.options, { sync: true }, { liquid });
    ctx.setRegister(STATE_REGISTER, { now: opts.now, timezone } satisfies RenderState);
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

/** Render every `value` of a `{ key, value }` list (Set Variables, HTTP params…); keys are not Liquid. */
export function renderKeyValues<T extends { key: string; value: string }>(
  pairs: readonly T[],
  context: Record<string, unknown>,
  opts: RenderOptions,
): Result<Array<T & { value: string }>> {
  const out: Array<T & { value: string }> = [];
  for (const pair of pairs) {
    const r = renderTemplate(pair.value, context, opts);
    if (!r.ok) return { ok: false, error: { code: r.error.code, message: `${pair.key}: ${r.error.message}` } };
    out.push({ ...pair, value: r.value });
  }
  return { ok: true, value: out };
}

/**
 * Render every string found in a JSON-like value (arrays and plain objects are walked; object
 * keys are not rendered; non-string leaves are kept). The first failure wins.
 */
export function renderDeep<T>(value: T, context: Record<string, unknown>, opts: RenderOptions): Result<T> {
  const walk = (v: unknown, depth: number): unknown => {
    if (depth > 64) throw new RenderFailure(fail('value nested too deeply').error);
    if (typeof v === 'string') {
      const r = renderTemplate(v, context, opts);
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
