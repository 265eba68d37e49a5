/**
 * The work liquidjs does inside one template node without counting it, counted here in the render's memory
 * units. The node budget bounds how many nodes run and the wall-clock fuse is checked between nodes, so only
 * a single node's work can escape both; these are the ones a template can make unbounded:
 *
 *  - filters that walk a string or grow it without counting (`url_encode`: a chain of 2000 on a string of
 *    `%` held one node for minutes), or return more than they counted (`escape`, `base64_encode`);
 *  - filters that walk an array without counting it (`sum`, `find`, `has`...), that read a property of every
 *    item (`where`, `map`, `sort: "name"`...), and the `*_exp` filters, whose expression runs once per item;
 *  - the `contains`, `==` and `!=` operators on arrays (liquidjs compares item by item: 6000 `contains`
 *    on a 4096-item array in one `{% if %}` took seconds).
 *
 * Units follow the time the work takes, so that the counted budgets (LIQUID_LIMITS.memoryLimit and
 * sprintMemory) stop a template long before the wall-clock fuse would on a slow or busy node, and stop it the
 * same way on every node. A unit is about the cost of allocating a character; measured on one machine (a
 * quick script, CPU time per item over arrays of 4000 objects), every costed operation stays within ~0.25 µs
 * per unit, so a sprint's 600,000 units are a fraction of a second:
 *
 *  - a character allocated, or an array item copied: 1 (a string scanned by `contains`: 1 per 256 characters);
 *  - an item compared by `contains`/`==`: 3 (~0.7 µs: liquidjs runs a generator per item);
 *  - an item whose property `map`, `sum`, `sort`, `sort_natural` read: 4 (~0.6-1.1 µs);
 *  - an item `where`, `reject`, `group_by`, `find`, `find_index`, `has` look at: 14 (~2-4 µs: liquidjs makes a
 *    render context for each item and evaluates the property path in it), charged per item actually looked
 *    at, so a `find` that stops at the first item costs one item;
 *  - an item a `*_exp` filter evaluates its expression for: 12 plus 1.25 per character of the expression
 *    (~3 µs for "i", ~4.5 µs for "i.n == 3", ~30 µs for 92 characters), also per item actually evaluated.
 */
import { defaultOperators, toValue } from 'liquidjs';
import { checkExpressionNesting } from '../../definition/liquid-syntax.ts';
import type { Context, Operators } from 'liquidjs';
import { isPlainObject } from './output.ts';
import { RubyFloat } from './ruby-float.ts';
import { shortCircuit } from './unknown-operator.ts';

/** Units per array item compared by `contains`, `==`, `!=`. */
const COMPARE_UNITS = 3;
/** Units per item whose property a filter reads (liquidjs counted one of them already). */
const PROPERTY_READ_UNITS = 4;
/** Units per item `where` and its kin look at, each in a render context of its own. */
const LOOKUP_UNITS = 14;
/** Units per evaluation of a `*_exp` filter's expression, plus EXPRESSION_CHAR_UNITS per character of it. */
const EXPRESSION_UNITS = 12;
const EXPRESSION_CHAR_UNITS = 1.25;

const lengthOf = (v: unknown): number => {
  const value = toValue(v);
  return typeof value === 'string' || Array.isArray(value) ? value.length : 0;
};

/** What liquidjs already counts for each filter wrapped here. */
const INPUT_UNCOUNTED = new Set(['url_encode', 'url_decode', 'cgi_escape', 'uri_escape', 'slugify', 'sum']);
/** Filters whose result may be longer than what they counted (only the growth is charged). */
const GROWING = new Set(['url_encode', 'cgi_escape', 'uri_escape', 'escape', 'xml_escape', 'escape_once', 'newline_to_br', 'base64_encode']);
/** Filters that read a property (their first argument, when given) of every item. */
const PROPERTY_READ = new Set(['map', 'sum', 'sort', 'sort_natural']);
/** Filters that evaluate a property path in a context spawned for each item they look at. */
const PER_ITEM_LOOKUP = new Set(['where', 'reject', 'group_by', 'find', 'find_index', 'has']);
/** Filters that evaluate an expression (their third argument) once per item they look at. */
const PER_ITEM_EXPRESSION = new Set(['where_exp', 'reject_exp', 'group_by_exp', 'find_exp', 'find_index_exp', 'has_exp']);

/** The filters wrapped here. */
export const COSTED_FILTERS: readonly string[] = [...new Set([...INPUT_UNCOUNTED, ...GROWING, ...PROPERTY_READ, ...PER_ITEM_LOOKUP, ...PER_ITEM_EXPRESSION])];

/**
 * A filter `this` whose context charges `units` each time the filter calls `method` on it: liquidjs' `where`
 * family spawns a context per item it looks at and the `*_exp` family pushes a scope per item, so counting
 * those calls charges the items actually visited (a `find` that stops early pays for what it walked).
 */
function chargingPer<T extends { context: Context }>(self: T, method: 'spawn' | 'push', units: number): T {
  const context = self.context;
  const original = context[method] as (scope?: object) => unknown;
  const counting = Object.create(context) as Context;
  Object.defineProperty(counting, method, {
    value(scope?: object) {
      context.memoryLimit.use(units);
      return original.call(context, scope);
    },
  });
  const shadow = Object.create(self) as T;
  Object.defineProperty(shadow, 'context', { value: counting });
  return shadow;
}

/** `filter` charging the work liquidjs does not count for it (see the header). */
export function withCost<T extends { context: Context }>(name: string, filter: (this: T, ...args: unknown[]) => unknown): (this: T, ...args: unknown[]) => unknown {
  const countInput = INPUT_UNCOUNTED.has(name);
  const growing = GROWING.has(name);
  const readsProperty = PROPERTY_READ.has(name);
  const lookup = PER_ITEM_LOOKUP.has(name);
  const expression = PER_ITEM_EXPRESSION.has(name);
  return function (this: T, input: unknown, ...args: unknown[]) {
    const limit = this.context.memoryLimit;
    const inLength = lengthOf(input);
    if (countInput) limit.use(inLength);
    if (readsProperty && toValue(args[0])) limit.use(inLength * (PROPERTY_READ_UNITS - 1));
    let self: T = this;
    if (lookup) self = chargingPer(this, 'spawn', LOOKUP_UNITS);
    if (expression) {
      const text = String(toValue(args[1]) ?? '');
      checkExpressionNesting(text); // liquidjs parses it now, by recursion
      const characters = text.length;
      self = chargingPer(this, 'push', EXPRESSION_UNITS + Math.ceil(characters * EXPRESSION_CHAR_UNITS));
    }
    const out = filter.call(self, input, ...args);
    if (growing && typeof out === 'string') limit.use(out.length - inLength);
    return out;
  };
}

type Operator = (l: unknown, r: unknown, ctx: Context) => unknown;

/** A Drop that compares itself (`empty`, `blank`): liquidjs' own operators handle those. */
function isComparable(v: unknown): boolean {
  return v !== null && typeof v === 'object' && typeof (v as { equals?: unknown }).equals === 'function';
}

/** Two arrays whose items liquidjs' `==` would compare one by one. */
function comparedArrays(l: unknown, r: unknown): boolean {
  if (isComparable(l) || isComparable(r)) return false;
  const a = toValue(l);
  const b = toValue(r);
  return Array.isArray(a) && Array.isArray(b) && a.length === b.length;
}

/** liquidjs' `equals`, charging COMPARE_UNITS per array item compared at any depth. */
function* countedEquals(l: unknown, r: unknown, ctx: Context): Generator<unknown, boolean, unknown> {
  // Ruby has one nil: a JSON null equals a missing variable (liquidjs told null from undefined).
  if (!isComparable(l) && !isComparable(r) && toValue(l) == null && toValue(r) == null) return true;
  if (!comparedArrays(l, r)) return (yield (defaultOperators['=='] as Operator)(l, r, ctx)) as boolean;
  const a = toValue(l) as unknown[];
  const b = toValue(r) as unknown[];
  for (let i = 0; i < a.length; i++) {
    ctx.memoryLimit.use(COMPARE_UNITS);
    if (!(yield* countedEquals(a[i], b[i], ctx))) return false;
  }
  return true;
}

function* notEquals(l: unknown, r: unknown, ctx: Context): Generator<unknown, boolean, unknown> {
  return !(yield* countedEquals(l, r, ctx));
}

/**
 * Shopify's ordering (`<`, `>`, `<=`, `>=`): Ruby's Condition compares only operands that both have the operator,
 * and neither nil nor an Array nor a Hash nor true/false has it, so such a comparison is false (liquidjs compared
 * them as JavaScript does: `[1, 2] < "x"`, `false < 1`, `list >= list` and a JSON null `< "5"` were true).
 */
function ordering(op: '<' | '>' | '<=' | '>='): Operator {
  const original = defaultOperators[op] as Operator;
  return (l: unknown, r: unknown, ctx: Context) => (unordered(l) || unordered(r) ? false : original(l, r, ctx));
}

function unordered(v: unknown): boolean {
  if (isComparable(v)) return false;
  const value = toValue(v);
  return value === null || value === undefined || typeof value === 'boolean' || Array.isArray(value) || isPlainObject(value);
}

/**
 * liquidjs' operators with the comparisons that walk their operands counted (see the header), and Shopify's
 * where liquidjs differs: `<>` is `!=` (liquidjs has no such operator and read `a <> b` as false), a hash
 * `contains` a key (Ruby's Hash#include?: `{% if body contains "error" %}` with body {"error": ...}) and never nil
 * or false (Ruby's Condition requires a truthy right side), and an
 * ordering of a list, a hash or a boolean is false (see ordering).
 */
export const COUNTED_OPERATORS: Operators = {
  ...defaultOperators,
  '==': function* (l: unknown, r: unknown, ctx: Context) {
    return yield* countedEquals(l, r, ctx);
  },
  '!=': notEquals,
  '<>': notEquals,
  and: shortCircuit('and'),
  or: shortCircuit('or'),
  '<': ordering('<'),
  '>': ordering('>'),
  '<=': ordering('<='),
  '>=': ordering('>='),
  contains: function* (l: unknown, r: unknown, ctx: Context) {
    // Ruby's `left && right && left.include?(right)`: nothing contains nil or false.
    const needle = toValue(r);
    if (needle === null || needle === undefined || needle === false) return false;
    const value = toValue(l);
    if (Array.isArray(value)) {
      for (const item of value) {
        ctx.memoryLimit.use(COMPARE_UNITS);
        if (yield* countedEquals(item, r, ctx)) return true;
      }
      return false;
    }
    if (isPlainObject(value)) {
      const key = toValue(r);
      return typeof key === 'string' && Object.hasOwn(value, key);
    }
    if (typeof value === 'string') {
      ctx.memoryLimit.use(Math.ceil(value.length / 256));
      // Ruby's `right.to_s` for a text: `"x2" contains 2.0` looks for "2.0"
      if (r instanceof RubyFloat) return value.includes(r.toString());
    }
    return yield (defaultOperators.contains as Operator)(l, r, ctx);
  },
} as Operators;
