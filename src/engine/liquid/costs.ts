/**
 * The work liquidjs does inside one template node without counting it, counted here in the render's memory
 * units. The node budget bounds how many nodes run and the wall-clock fuse is checked between nodes, so only
 * a single node's work can escape both; these are the ones a template can make unbounded:
 *
 *  - filters that walk a string or grow it without counting (`url_encode`: a chain of 2000 on a string of
 *    `%` held one node for minutes), or return more than they counted (`escape`, `base64_encode`);
 *  - filters that walk an array without counting it (`sum`, `find`, `has`...), and the `*_exp` filters,
 *    whose expression runs once per item (a long expression over a long array);
 *  - the `contains`, `==` and `!=` operators on arrays (liquidjs compares item by item: 6000 `contains`
 *    on a 4096-item array in one `{% if %}` took seconds).
 *
 * Units: a character allocated or an array item walked is one; a string scanned by `contains` is one per
 * 256 characters (a scan costs far less than an allocation, and a 64 kB body stays cheap to search).
 */
import { defaultOperators, toValue } from 'liquidjs';
import type { Context, Operators } from 'liquidjs';

const lengthOf = (v: unknown): number => {
  const value = toValue(v);
  return typeof value === 'string' || Array.isArray(value) ? value.length : 0;
};

/** What liquidjs already counts for each filter wrapped here. */
const INPUT_UNCOUNTED = new Set(['url_encode', 'url_decode', 'cgi_escape', 'uri_escape', 'slugify', 'sum', 'find', 'find_index', 'has']);
/** Filters whose result may be longer than what they counted (only the growth is charged). */
const GROWING = new Set(['url_encode', 'cgi_escape', 'uri_escape', 'escape', 'xml_escape', 'escape_once', 'newline_to_br', 'base64_encode']);
/** Filters that evaluate an expression (their third argument) once per item. */
const PER_ITEM_EXPRESSION = new Set(['where_exp', 'reject_exp', 'group_by_exp', 'find_exp', 'find_index_exp', 'has_exp']);

/** The filters wrapped here. */
export const COSTED_FILTERS: readonly string[] = [...new Set([...INPUT_UNCOUNTED, ...GROWING, ...PER_ITEM_EXPRESSION])];

/** `filter` charging the work liquidjs does not count for it (see the header). */
export function withCost<T extends { context: Context }>(name: string, filter: (this: T, ...args: unknown[]) => unknown): (this: T, ...args: unknown[]) => unknown {
  const countInput = INPUT_UNCOUNTED.has(name);
  const growing = GROWING.has(name);
  const perItem = PER_ITEM_EXPRESSION.has(name);
  return function (this: T, input: unknown, ...args: unknown[]) {
    const limit = this.context.memoryLimit;
    const inLength = lengthOf(input);
    if (countInput) limit.use(inLength);
    // An evaluation costs more the longer the expression; liquidjs counted the items once.
    if (perItem) limit.use(inLength * Math.ceil(String(toValue(args[1]) ?? '').length / 32));
    const out = filter.call(this, input, ...args);
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

/** liquidjs' `equals`, charging one unit per array item compared at any depth. */
function* countedEquals(l: unknown, r: unknown, ctx: Context): Generator<unknown, boolean, unknown> {
  if (!comparedArrays(l, r)) return (yield (defaultOperators['=='] as Operator)(l, r, ctx)) as boolean;
  const a = toValue(l) as unknown[];
  const b = toValue(r) as unknown[];
  ctx.memoryLimit.use(a.length);
  for (let i = 0; i < a.length; i++) if (!(yield* countedEquals(a[i], b[i], ctx))) return false;
  return true;
}

/** liquidjs' operators with the comparisons that walk their operands counted (see the header). */
export const COUNTED_OPERATORS: Operators = {
  ...defaultOperators,
  '==': function* (l: unknown, r: unknown, ctx: Context) {
    return yield* countedEquals(l, r, ctx);
  },
  '!=': function* (l: unknown, r: unknown, ctx: Context) {
    return !(yield* countedEquals(l, r, ctx));
  },
  contains: function* (l: unknown, r: unknown, ctx: Context) {
    const value = toValue(l);
    if (Array.isArray(value)) {
      ctx.memoryLimit.use(value.length);
      for (const item of value) if (yield* countedEquals(item, r, ctx)) return true;
      return false;
    }
    if (typeof value === 'string') ctx.memoryLimit.use(Math.ceil(value.length / 256));
    return yield (defaultOperators.contains as Operator)(l, r, ctx);
  },
} as Operators;
