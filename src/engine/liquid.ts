/**
 * Liquid rendering for the flow engine (pure: no I/O, no clock — the current time is passed in).
 *
 * Dialect (see reference §4.2): Shopify-style Liquid via liquidjs, non-strict variables and
 * filters (an undefined variable renders '', an unknown filter is skipped), standard Liquid
 * truthiness, plus Studio's `to_json` filter. Only Studio's filters and tags (../definition/liquid-dialect.ts:
 * Shopify's Liquid at `opts.liquidVersion`, default 5.4.0, which release Studio runs is UNCONFIRMED): liquidjs'
 * others (push, where_exp, slugify, sample, date_to_xmlschema…) return their input unchanged, as Ruby's lax
 * Liquid skips a filter it lacks, and its other tags (block, layout) fail the parse, as Ruby's "Unknown tag";
 * `opts.liquidExtras` (--liquid-extras) keeps them all. Each dialect has its own liquidjs instance.
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
 *    on any node; a fuse on the CPU time of a sprint stays behind them for pathological single nodes);
 *    plus our own loop and output caps (./liquid/limits.ts). Work liquidjs does within one node without counting it (growing
 *    filters such as `url_encode`, array walks, per-item property lookups of `where` and `map`, `contains`/`==`
 *    on arrays, `*_exp` expressions per item) is counted in allocation units too, weighted by the time it takes
 *    so that the counted budgets stop a render long before the fuse, see ./liquid/costs.ts.
 *  - `sample` (with liquidExtras) draws from a seed the caller passes (the engine: execution and step), never
 *    Math.random, so a run, its replay and its flow test pick the same items (./liquid/sample.ts).
 *  - Dates: `"now"`/`"today"` (any case) in the date filters mean `opts.now`, never the real clock; so do the
 *    day and the year a date text leaves out ("17:00", "Mar 10"), as Ruby's Time.parse takes them. Date
 *    filters render in `opts.timezone` (IANA name), default UTC (the "PST" claim in the reference
 *    is UNCONFIRMED), whatever the host's zone (TZ): liquidjs' filters read the wall clock through the host's
 *    local clock (an hour off near the host's own DST changes), so they print through ./liquid/strftime.ts,
 *    which reads it from UTC fields. Locale fixed to en-US so output never depends on the host. `%Z` prints the
 *    zone's abbreviation for that date as Ruby (tzdata) does ("EST"/"EDT", "UTC", "JST"; "+03" for a zone
 *    tzdata names by offset), not liquidjs' IANA name. A zone-less time the clock skips moves forward by the gap, one
 *    it shows twice is the later instant, as Ruby reads them (./liquid/time-zones.ts); ISO 8601's basic form,
 *    `+05` and ` Z` are read as Ruby reads them (./liquid/date-text.ts); `%::z`/`%:::z` print as Ruby's. A slashed
 *    date with a year ("03/10/2026") reads month first (10 March, V8's and US users' reading) or, with
 *    `opts.slashDates` 'day-first', day first (3 October, Ruby's Time.parse): Studio's reading is UNCONFIRMED. The filters: ./liquid/date-filters.ts.
 *  - `divided_by` is Shopify's: floor division of two integers, see ./liquid/divided-by.ts. `plus`, `minus`, `times`
 *    and `modulo` are exact in decimals as Shopify's BigDecimal arithmetic (`0.1 | plus: 0.2` is 0.3), see
 *    ./liquid/decimal.ts; a math filter written without its operand is an error, as Ruby's ArgumentError.
 *    A float result (an operand a float literal such as `2.0`, a float text, a non-whole number) and a float literal
 *    print as Ruby's Float#to_s (`10 | divided_by: 2.0` is 5.0, `{{ 3.0 }}` 3.0; `echo`, `cycle`, `join` and the text
 *    filters too), see ./liquid/ruby-float.ts; a whole number an HTTP response wrote as a float is one too
 *    (../json-floats.ts), one from other JSON data counts as an integer (JSON.parse keeps no trace of `2.0`).
 *  - Other filters where liquidjs departs from Shopify in ways a flow sees (math filters' text coercion,
 *    `modulo: 0`, `size`/`split` by characters, `truncatewords`, `url_encode`/`url_decode`, `join` of objects,
 *    `slice`'s accounting, `escape`/`escape_once`, `default` of an empty hash, `concat` of a non-array,
 *    `first`/`last` of a text, `uniq`/`compact` by a property and `uniq` of equal hashes, a property name read as
 *    a key, not a path, by `map`, `where`, `sort` and their kin)
 *    are put right in ./liquid/shopify-filters.ts; the array filters flatten nested arrays and take a hash as one
 *    item, as Shopify's InputIterator, see ./liquid/input-iterator.ts; loops' `offset:`/`limit:` in ./liquid/loop-tags.ts.
 *  - Operators and tags as Shopify's where liquidjs differs: `<>` is `!=`, a hash `contains` its keys
 *    (./liquid/costs.ts), `assign` takes dotted names, `if`/`elsif`/`unless` conditions and `case` subjects are read
 *    as Ruby's lax parser reads them (`a .b` is `a`; `a. b` has the unknown operator `b`, which fails the render
 *    through UnknownOperator, only where Ruby evaluates it: ./liquid/unknown-operator.ts) (../definition/liquid-syntax.ts).
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
import { Context, Drop, Liquid, Tag, filters as builtinFilters, toValue, toValueSync } from 'liquidjs';
import type { TagToken, Template, TopLevelToken } from 'liquidjs';
import { BASE_LIQUID_OPTIONS, REFUSED_TAGS, UNKNOWN_OPERATOR_VARIABLE, useDialectTags } from '../definition/liquid-syntax.ts';
import { DEFAULT_LIQUID_VERSION, isStudioFilter, isStudioTag, liquidSince, parseLiquidVersion, type LiquidVersion } from '../definition/liquid-dialect.ts';
import { CappedForTag, CappedTablerowTag, MAX_LOOP_ITERATIONS } from './liquid/loop-tags.ts';
import { CappedCaptureTag } from './liquid/capture-tag.ts';
import { CappedIfchangedTag } from './liquid/ifchanged-tag.ts';
import { RubyCaseTag } from './liquid/case-tag.ts';
import type { SlashDateOrder } from './liquid/date-text.ts';
import { COSTED_FILTERS, COUNTED_OPERATORS, withCost } from './liquid/costs.ts';
import { SHOPIFY_FILTERS, codePointLength, integerSize } from './liquid/shopify-filters.ts';
import { CappedEmitter, STATE_REGISTER, holdsObject, isPlainObject, outputLimitMessage, plainText, rubyInspect, serializeObject, type ObjectFormat } from './liquid/output.ts';
import { LIQUID_LIMITS, LiquidBudget, RenderLimits, type ContextLimiter } from './liquid/limits.ts';
import { stateOf, type AnyFilter, type FilterThis, type RenderState } from './liquid/render-state.ts';
import { dateFilter } from './liquid/date-filters.ts';
import { isValidTimezone } from './liquid/time-zones.ts';
import { sampleFilter } from './liquid/sample.ts';
import { dividedByFilter } from './liquid/divided-by.ts';
import { withRubyArity } from './liquid/arity.ts';
import { INPUT_ITERATOR_FILTERS, withInputIterator } from './liquid/input-iterator.ts';
import { RubyFloat, markFloatLiterals, useRubyOutput } from './liquid/ruby-float.ts';
import { BracketKey, markBracketKeys, mayHoldBracketedCommand } from './liquid/bracket-keys.ts';
import { UnknownOperator } from './liquid/unknown-operator.ts';
import { LruCache } from '../lib/lru.ts';
import { exactLargeIntegers, mayHoldLargeIntegers, parseJsonWithinDepth } from '../lib/json-depth.ts';

export { MAX_LOOP_ITERATIONS };
export type { ObjectFormat, SlashDateOrder };

/** Studio error code "unable to render block". */
export const LIQUID_ERROR_CODE = 84003;

export interface RenderOptions {
  /** The engine's "current time"; `"now"`/`"today"` in date filters resolve to it. */
  now: Date;
  /** IANA time zone for the date filters; default "UTC". */
  timezone?: string;
  /** How an object prints without a filter; default 'json'. */
  objectFormat?: ObjectFormat;
  /**
   * How the date filters read a slashed date with a year ("03/10/2026"): 'month-first' (10 March, the default)
   * or 'day-first' (3 October, Ruby's Time.parse). Studio's reading is UNCONFIRMED.
   */
  slashDates?: SlashDateOrder;
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
  /**
   * The release of Shopify's Liquid taken as Studio's ("5.4.0", "5.5"; default DEFAULT_LIQUID_VERSION): filters and
   * tags it lacks behave as in Studio (a filter returns its input, a tag fails the parse). Studio's is UNCONFIRMED.
   */
  liquidVersion?: string;
  /** liquidjs' filters and tags that Studio's Liquid lacks (push, where_exp, sample, {% block %}…) work; default false. */
  liquidExtras?: boolean;
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

/**
 * Shopify's VariableLookup calls `size`, `first` and `last` on a value that has no such key, when it has the
 * method: `text.size` counts characters (code points) as the `size` filter here does (liquidjs counts UTF-16
 * units, so "😀".size would be 2; counting walks the text: a unit per 256 characters), an integer's `size` is
 * Integer#size, 8 (a float has none: nil), and a hash's `first` is Hash#first, its first [key, value] pair
 * (liquidjs read the key "first" only). Only the dotted form: `h["first"]` reads the key (./liquid/bracket-keys.ts).
 */
class ShopifyContext extends Context {
  override readProperty(obj: Parameters<Context["readProperty"]>[0], key: Parameters<Context["readProperty"]>[1]): unknown {
    const value: unknown = obj;
    if (value === NO_SCOPE) return undefined;
    if ((key as unknown) instanceof BracketKey) {
      const { name } = key as unknown as BracketKey;
      // A hash's own key, a Drop's member as Ruby's Drop#[] invokes it; a text, an array or a number has no such key.
      if (isPlainObject(value)) return Object.hasOwn(value, name) ? value[name] : undefined;
      return value instanceof Drop && !(value instanceof RubyFloat) ? super.readProperty(obj, name) : undefined;
    }
    const name = toValue(key);
    // Ruby's VariableLookup indexes by the key as written: an array only by an integer (`list[0]`; `list["0"]` and
    // `list.0` are nil), a hash by its (text) keys (`h[0]` is nil even when h has the key "0"), a text not at all
    // (`text[0]` is nil). `size`, `first` and `last` are the dotted commands below and liquidjs'.
    if (typeof name === 'number' || typeof name === 'bigint') {
      if (!Array.isArray(value) || typeof name !== 'number' || !Number.isInteger(name)) return undefined;
    } else if (Array.isArray(value) && typeof name === 'string' && name !== 'size' && name !== 'first' && name !== 'last') return undefined;
    if (typeof value === 'string' && name === 'size') {
      this.memoryLimit.use(Math.ceil(value.length / 256));
      return codePointLength(value);
    }
    if (name === 'size' && (typeof value === 'number' || typeof value === 'bigint')) return integerSize(value);
    if (name === 'first' && isPlainObject(value) && !Object.hasOwn(value, 'first')) {
      const firstKey = Object.keys(value)[0];
      return firstKey === undefined ? undefined : [firstKey, value[firstKey]];
    }
    return super.readProperty(obj, key);
  }
}

/** The scope of a root `size`, `first` or `last` that no scope holds: every read of it is nil (see findScope below). */
const NO_SCOPE: Readonly<Record<string, unknown>> = Object.freeze(Object.create(null) as Record<string, unknown>);

/**
 * Where UNKNOWN_OPERATOR_VARIABLE is found: ShopifyContext's root lookup (liquidjs' private findScope) answers it
 * before the context's scopes, so the flow's context, liquidjs' globals and what a root `first` or `size` reads
 * stay as they were; one shared object, nothing made per render.
 */
const UNKNOWN_OPERATOR_SCOPE: Readonly<Record<string, unknown>> = Object.freeze({ [UNKNOWN_OPERATOR_VARIABLE]: new UnknownOperator() });
{
  const prototype = ShopifyContext.prototype as unknown as { findScope(key: unknown): unknown };
  const findScope = prototype.findScope;
  prototype.findScope = function (this: { globals: object }, key: unknown): unknown {
    if (key === UNKNOWN_OPERATOR_VARIABLE) return UNKNOWN_OPERATOR_SCOPE;
    const scope = findScope.call(this, key);
    // A root `size`, `first` or `last` nothing defines is nil, as Ruby's find_variable reads it (liquidjs read the
    // size of its globals: `{{ size }}` printed 0 and `{% if size %}` was true).
    return scope === this.globals && (key === 'size' || key === 'first' || key === 'last') && !(key in scope) ? NO_SCOPE : scope;
  };
}

/**
 * Studio's `to_json`: compact JSON. undefined/nil → "null" (so `{"x": {{v | to_json}}}` stays
 * valid JSON). Uses liquidjs' `json` filter for memory accounting.
 */
function toJsonFilter(this: FilterThis, v: unknown): string {
  const val = v instanceof RubyFloat ? v : toValue(v); // a float's toJSON writes 2.0
  if (val === undefined || val === null) return 'null';
  const json = (builtinFilters as unknown as Record<string, AnyFilter>)['json'];
  const out = json.call(this, val) as string | undefined;
  return out === undefined ? 'null' : out;
}

/**
 * liquidjs' filters that work on a string. Given an object (a parsed HTTP body, `flow.data`, a subflow's
 * `trigger.parent.parameters.*`) they would print `[object Object]`; they get the object printed as it prints
 * without a filter (JSON or Java's map form, `objectFormat`), which is what techmatters' debug subflows
 * `replace` their quotes in. A list of plain values is Ruby's to_s of it, its inspect (`["a", 1, nil]`), as
 * Shopify's text filters take it, not its items joined.
 */
const STRING_FILTERS = [
  'append', 'prepend', 'capitalize', 'downcase', 'upcase', 'lstrip', 'rstrip', 'strip', 'strip_newlines', 'squish',
  'strip_html', 'newline_to_br', 'normalize_whitespace', 'remove', 'remove_first', 'remove_last', 'replace',
  'replace_first', 'replace_last', 'split', 'truncate', 'truncatewords', 'number_of_words', 'escape', 'escape_once',
  'xml_escape', 'url_encode', 'url_decode', 'cgi_escape', 'uri_escape', 'slugify', 'base64_encode', 'base64_decode',
  'base64_url_safe_encode', 'base64_url_safe_decode', 'sha256', 'hmac_sha256',
] as const;

/** String filters whose arguments are text too (`append: 2.0` appends "2.0", `split: 0.0` splits at "0.0"). */
const TEXT_ARGUMENTS = new Set(['append', 'prepend', 'split', 'replace', 'replace_first', 'replace_last', 'remove', 'remove_first', 'remove_last']);

/**
 * A text filter's argument as Ruby's to_s gives it: a float as Ruby writes it, a list of plain values inspected,
 * an object (or a list holding one) as objects print.
 */
function listAsText(arg: unknown, self: FilterThis): unknown {
  if (arg instanceof RubyFloat) return String(arg);
  const v = toValue(arg);
  if (typeof v === 'number') return plainText(v);
  if (!Array.isArray(v) && !isPlainObject(v)) return arg;
  return holdsObject(v) ? serializeObject(v, stateOf(self)?.objectFormat ?? 'json') : rubyInspect(v);
}

function objectsAsText(filter: AnyFilter, name: string): AnyFilter {
  const textArguments = TEXT_ARGUMENTS.has(name);
  return function (this: FilterThis, input: unknown, ...args: unknown[]) {
    // A float as Ruby's to_s writes it ("5.0" | append: "x" is "5.0x"), not as the number liquidjs would see.
    if (input instanceof RubyFloat) input = input.toString();
    else if (typeof input === 'number') input = plainText(input); // 1.5e-07, as Ruby's Float#to_s
    if (textArguments) for (let i = 0; i < args.length; i++) args[i] = listAsText(args[i], this);
    const v = toValue(input);
    if (holdsObject(v)) return filter.call(this, serializeObject(v, stateOf(this)?.objectFormat ?? 'json'), ...args);
    return filter.call(this, Array.isArray(v) ? rubyInspect(v) : input, ...args);
  };
}

/**
 * Which filters and tags an instance has: Studio's (Shopify's Liquid at `version`, plus `to_json`), or with `extras`
 * every one liquidjs has too (../definition/liquid-dialect.ts).
 */
type Dialect = { extras: true } | { extras: false; version: LiquidVersion };

/** A tag Studio's Liquid does not have: Ruby's Liquid refuses the template when it parses it ("Unknown tag"). */
function notInStudio(name: string, version: LiquidVersion) {
  const since = liquidSince('tag', name);
  const why = since
    ? `Shopify's Liquid has it since ${since}, Studio's is taken to be ${version}; see --liquid-version`
    : "liquidjs has it, Shopify's Liquid does not; --liquid-extras keeps liquidjs' tags";
  return class extends Tag {
    constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
      super(token, remainTokens, liquid);
      throw new Error(`tag "${name}" is not in Studio's Liquid (${why})`);
    }
    override render(): void {
      throw new Error(`tag "${name}" is not in Studio's Liquid`);
    }
  };
}

/**
 * Leaves `liquid` with Studio's filters and tags only: any other filter is removed, so a template using it gets its
 * input unchanged (liquidjs' non-strict filters, as Ruby's lax Strainer), and any other tag fails the parse.
 * Studio's file tags (`include`, and `render` from 5.0.0) stay refused as the dialect refuses them (no files).
 */
function keepStudioDialect(liquid: Liquid, version: LiquidVersion): void {
  for (const name of Object.keys(liquid.filters)) if (!isStudioFilter(name, version)) liquid.unregisterFilter(name);
  // The file tags keep the refusal the validator reports (the same message from both).
  for (const name of Object.keys(liquid.tags)) if (!isStudioTag(name, version) && !REFUSED_TAGS.includes(name)) liquid.registerTag(name, notInStudio(name, version));
}

function createLiquid(dialect: Dialect): Liquid {
  const liquid = new Liquid({
    ...BASE_LIQUID_OPTIONS,
    timezoneOffset: 'UTC',
    locale: 'en-US',
    memoryLimit: LIQUID_LIMITS.memoryLimit,
    operators: COUNTED_OPERATORS,
  });
  useDialectTags(liquid);
  useRubyOutput(liquid);
  liquid.registerTag('for', CappedForTag);
  liquid.registerTag('tablerow', CappedTablerowTag);
  liquid.registerTag('capture', CappedCaptureTag);
  liquid.registerTag('ifchanged', CappedIfchangedTag);
  liquid.registerTag('case', RubyCaseTag);
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
    if (filter) liquid.registerFilter(name, objectsAsText(filter, name));
  }
  liquid.registerFilter('sample', sampleFilter);
  liquid.registerFilter('divided_by', dividedByFilter);
  for (const name of INPUT_ITERATOR_FILTERS) liquid.registerFilter(name, withInputIterator(name, liquid.filters[name] as AnyFilter));
  // Ruby's alias of `escape`, which liquidjs lacks.
  liquid.registerFilter('h', liquid.filters['escape']!);
  // Shopify's filters refuse a call with more or fewer arguments than their Ruby methods take.
  for (const [name, filter] of Object.entries(liquid.filters)) liquid.registerFilter(name, withRubyArity(name, filter as AnyFilter));
  if (!dialect.extras) keepStudioDialect(liquid, dialect.version);
  return liquid;
}

/** One instance per dialect in use (usually one), made when first rendered with. */
const instances = new Map<string, Liquid>();

/** parseLiquidVersion's answers for the version texts met so far (a handful: every render asks). */
const dialectKeys = new Map<string, LiquidVersion | undefined>();

/** The key of a dialect: `liquidjs`, or the Shopify release taken as Studio's; undefined for a release that is none. */
function dialectKey(opts: RenderOptions): string | undefined {
  if (opts.liquidExtras) return 'liquidjs';
  const text = opts.liquidVersion;
  if (text === undefined) return DEFAULT_LIQUID_VERSION;
  if (typeof text !== 'string') return parseLiquidVersion(text);
  if (dialectKeys.has(text)) return dialectKeys.get(text);
  const key = parseLiquidVersion(text);
  if (dialectKeys.size < 64) dialectKeys.set(text, key);
  return key;
}

function instanceFor(key: string): Liquid {
  let liquid = instances.get(key);
  if (liquid === undefined) {
    liquid = createLiquid(key === 'liquidjs' ? { extras: true } : { extras: false, version: key });
    instances.set(key, liquid);
  }
  return liquid;
}

// ---------------------------------------------------------------------------------------------
// Parse cache
// ---------------------------------------------------------------------------------------------

type Parsed = { ok: true; templates: Template[] } | { ok: false; message: string };

const parseCache = new LruCache<string, Parsed>(LIQUID_LIMITS.cacheEntries, LIQUID_LIMITS.cacheTotalChars);

function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/** A number written with a decimal point, which Ruby's Liquid reads as a Float. */
const FLOAT_LITERAL = /\d\.\d/;

function parse(liquid: Liquid, key: string, template: string): Parsed {
  // Filters are bound when a template is parsed: each dialect parses its own.
  const cacheKey = key === DEFAULT_LIQUID_VERSION ? template : `${key}\u0000${template}`;
  const hit = parseCache.get(cacheKey);
  if (hit !== undefined) return hit;
  let parsed: Parsed;
  try {
    const templates = liquid.parse(template);
    if (FLOAT_LITERAL.test(template)) {
      try {
        markFloatLiterals(templates);
      } catch {
        // Unexpected parse-tree shape: such a literal then counts as an integer, the template still renders.
      }
    }
    if (mayHoldBracketedCommand(template)) {
      try {
        markBracketKeys(templates);
      } catch {
        // Unexpected parse-tree shape: such a key then reads as the dotted form, the template still renders.
      }
    }
    parsed = { ok: true, templates };
  } catch (e) {
    parsed = { ok: false, message: `Liquid syntax error: ${errorMessage(e)}` };
  }
  parseCache.set(cacheKey, parsed, template.length + 64);
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

/** Plain-data check for templates that contain no Liquid markup at all. */
function hasMarkup(template: string): boolean {
  // One scan for `{`, looking at what follows each (most texts have none), instead of one scan per opening.
  for (let at = template.indexOf('{'); at >= 0; at = template.indexOf('{', at + 1)) {
    const next = template.charCodeAt(at + 1);
    if (next === 0x7b || next === 0x25) return true; // {{ or {%
  }
  return false;
}

/** Whether `text`'s UTF-8 form is over `max` bytes: never when even three bytes a code unit would fit. */
function overBytes(text: string, max: number): boolean {
  return text.length * 3 > max && Buffer.byteLength(text, 'utf8') > max;
}

/** An output that is one variable and nothing else, where a template's markup starts: `{{flow.channel.address}}`, `{{ contact.channel.address }}`. */
const SOLE_VARIABLE = /\{\{ *([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*) *\}\}/y;
/** A template as text and variables in turn (a path, split at its dots), or null when it holds other markup. */
type Pieces = (string | string[])[];
const templatePieces = new Map<string, Pieces | null>();
const LITERALS = new Set(['true', 'false', 'nil', 'null', 'empty', 'blank']);
let directReads = 0;

/** For tests/diagnostics: templates rendered by lookupDirect, without liquidjs. */
export function directReadCount(): number {
  return directReads;
}

/**
 * A template's text and variables, as liquidjs' tokenizer reads it: text up to the first `{{` or `{%`, there an
 * output that is one variable (else null: a tag, a filter, whitespace control, a literal), and so on.
 */
function piecesOf(template: string): Pieces | null {
  const pieces: Pieces = [];
  let at = 0;
  while (at < template.length) {
    const output = template.indexOf('{{', at);
    const tag = template.indexOf('{%', at);
    const open = tag < 0 ? output : output < 0 ? tag : Math.min(output, tag);
    if (open < 0) {
      pieces.push(template.slice(at));
      break;
    }
    if (open > at) pieces.push(template.slice(at, open));
    if (open === tag) return null;
    SOLE_VARIABLE.lastIndex = open;
    const match = SOLE_VARIABLE.exec(template);
    if (!match) return null;
    const path = match[1]!.split('.');
    // Liquid's literals are not variables, whatever the context holds.
    if (LITERALS.has(path[0]!)) return null;
    pieces.push(path);
    at = SOLE_VARIABLE.lastIndex;
  }
  return pieces;
}

/**
 * A template of text and single variables read without liquidjs: the commonest templates in flows (every
 * send's From and To, a split's subject, a message or a JSON body with values put in) rendered without a
 * render context, a scope chain and generators (a fifth of what a create allocated). Undefined when one of
 * its variables is not read here (see `readDirect`): liquidjs then renders the whole template.
 */
function lookupDirect(template: string, context: Record<string, unknown>): string | undefined {
  if (template.length > LIQUID_LIMITS.maxTemplateLength) return undefined; // liquidjs refuses it
  let pieces = templatePieces.get(template);
  if (pieces === undefined) {
    pieces = piecesOf(template);
    if (templatePieces.size < LIQUID_LIMITS.cacheEntries) templatePieces.set(template, pieces);
  }
  if (!pieces) return undefined;
  if (pieces.length === 1 && typeof pieces[0] !== 'string') return readDirect(pieces[0]!, context);
  let text = '';
  for (const piece of pieces) {
    if (typeof piece === 'string') text += piece;
    else {
      const value = readDirect(piece, context);
      if (value === undefined) return undefined;
      text += value;
    }
  }
  return text;
}

/**
 * The text of variable `path` as Liquid prints it, where the answer is certain: a text, a number or a boolean
 * reached through own properties of plain data (printed as Liquid's output prints them, see stringifyOutput),
 * and nothing (''), as Liquid prints nil, where the path runs into null or into a plain object without the key
 * (what liquidjs' readProperty reads there with `ownPropertyOnly`: a widget's output a flow reads before the
 * widget ran, a field a message lacks). Anything else (a list, a hash, a Drop such as a float, `size`/`first`/
 * `last`, members of a text or a number, a root the context lacks) is undefined: liquidjs gives it Liquid's
 * exact meaning.
 */
function readDirect(path: string[], context: Record<string, unknown>): string | undefined {
  if (!Object.hasOwn(context, path[0]!)) return undefined;
  let value: unknown = context[path[0]!];
  for (let i = 1; i < path.length; i++) {
    if (value === null || value === undefined) return ''; // nil stays nil down the path
    const key = path[i]!;
    if (!isPlainObject(value)) return undefined;
    if (Object.hasOwn(value, key)) value = value[key];
    else return MEMBER_COMMANDS.has(key) ? undefined : '';
  }
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  return typeof value === 'number' || typeof value === 'boolean' ? plainText(value) : undefined;
}

/** What Liquid reads on a hash that lacks them as keys (its size, its first pair). */
const MEMBER_COMMANDS = new Set(['size', 'first', 'last']);

/**
 * Render a Liquid template against a flow context (`{ flow, trigger, widgets, contact }`), or a function
 * that builds it: called only when the template reads it (text without markup does not).
 * Never throws.
 */
export function renderTemplate(template: string, contextOf: Record<string, unknown> | (() => Record<string, unknown>), opts: RenderOptions): RenderResult {
  const max = LIQUID_LIMITS.maxOutputBytes;
  if (typeof template !== 'string') return fail('template is not a string');
  if (!hasMarkup(template)) {
    if (template.length > LIQUID_LIMITS.maxTemplateLength) return fail('template is too long');
    if (overBytes(template, max)) return fail(outputLimitMessage(max));
    return { ok: true, value: template };
  }
  const timezone = opts.timezone ?? 'UTC';
  if (!isValidTimezone(timezone)) return fail(`invalid time zone: ${timezone}`);
  if (!(opts.now instanceof Date) || Number.isNaN(opts.now.getTime())) return fail('invalid render clock (now)');

  const context = typeof contextOf === 'function' ? contextOf() : contextOf;
  const direct = lookupDirect(template, context);
  if (direct !== undefined) {
    directReads++;
    if (overBytes(direct, max)) return fail(outputLimitMessage(max));
    return { ok: true, value: direct };
  }

  const key = dialectKey(opts);
  if (key === undefined) return fail(`invalid Liquid version: ${String(opts.liquidVersion)}`);
  const liquid = instanceFor(key);
  const parsed = parse(liquid, key, template);
  if (!parsed.ok) return fail(parsed.message);

  // Shallow null-prototype copy: `increment`/`decrement` write to the environment root.
  const env: Record<string, unknown> = Object.assign(Object.create(null), context);
  const objectFormat: ObjectFormat = opts.objectFormat === 'map' ? 'map' : 'json';
  const slashDates: SlashDateOrder = opts.slashDates === 'day-first' ? 'day-first' : 'month-first';
  const emitter = new CappedEmitter(max, objectFormat);
  try {
    const limits = new RenderLimits(opts.budget ?? new LiquidBudget()) as unknown as ContextLimiter;
    const ctx = new ShopifyContext(env, liquid.options, { sync: true }, { liquid, renderLimit: limits, memoryLimit: limits });
    ctx.setRegister(STATE_REGISTER, { now: opts.now, timezone, options: opts, samples: 0, objectFormat, slashDates } satisfies RenderState);
    toValueSync(liquid.renderer.renderTemplates(parsed.templates, ctx, emitter));
  } catch (e) {
    if (emitter.exceeded) return fail(outputLimitMessage(max));
    return fail(`Liquid render error: ${errorMessage(e)}`);
  }
  if (emitter.exceeded) return fail(outputLimitMessage(max));
  const value = emitter.buffer;
  if (overBytes(value, max)) return fail(outputLimitMessage(max));
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

/** The reviver for text without a 16-digit run: only `__proto__` keys go (the common case, kept cheap). */
const dropProto = (key: string, v: unknown): unknown => (key === '__proto__' ? undefined : v);

/**
 * "Parse as JSON" for Set Variables / subflow parameters. Invalid JSON is reported, the caller
 * decides (e.g. keep the string). `__proto__` keys are dropped so the parsed value can never be
 * used for prototype injection when merged into other objects.
 */
export function parseJsonValue(rendered: string): JsonParseResult {
  // Integers beyond ±2^53 stay their digits, as in an HTTP response's JSON and an execution's Parameters.
  const exact = mayHoldLargeIntegers(rendered);
  // Text nested deeper than MAX_JSON_DEPTH is refused like invalid JSON (the reviver and every later copy recurse).
  const parsed = parseJsonWithinDepth(
    rendered,
    exact ? (key, v: unknown, context?: { source?: string }) => (key === '__proto__' ? undefined : exactLargeIntegers(key, v, context)) : dropProto,
  );
  if (parsed.ok) return { ok: true, value: parsed.value };
  return { ok: false, message: `invalid JSON: ${parsed.error}` };
}
