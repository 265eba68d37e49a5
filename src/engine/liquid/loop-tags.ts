/**
 * Liquid loop tags with Studio's iteration cap.
 *
 * Studio documents that "Liquid loops at most 15 iterations". We enforce that ourselves instead
 * of relying on liquidjs' cooperative render-time limit:
 *
 *  - `for`: the loop is evaluated exactly like liquidjs does (collection, then the `offset`,
 *    `limit`, `reversed` modifiers in that fixed order, `offset: continue`, `else` branch for an
 *    empty collection, `break`/`continue`), and then only the FIRST 15 iterations are rendered;
 *    the rest are dropped silently (truncation, not an error). `forloop.length`, `forloop.last`,
 *    `forloop.rindex` describe the truncated loop, so `forloop.last` is true on the last
 *    iteration actually rendered. A range collection `(a..b)` is never materialised: only the
 *    (at most 15) items that are rendered are computed, so `(1..100000000)` is cheap.
 *  - `tablerow`: its `limit:` argument is clamped to 15 (same truncation semantics).
 *  - `offset:` and `limit:` select items as Shopify does (see loopWindow), not as Array#slice; `else` renders when
 *    they leave nothing, a text is one item they do not cut (Ruby's slice_collection), and `reversed` counts only
 *    right after the collection, where Shopify's parser reads it (`limit:2 reversed` is not reversed).
 */
import {
  Drop,
  ForTag,
  TablerowTag,
  TypeGuards,
  evalToken,
  toValue,
  type Context,
  type Emitter,
  type Liquid,
  type TagToken,
  type TopLevelToken,
} from 'liquidjs';
import type { Parser } from 'liquidjs';
import { rubyInteger } from './shopify-filters.ts';
import { markFloatToken } from './ruby-float.ts';

/** Studio's cap on the number of iterations a single Liquid loop renders. */
export const MAX_LOOP_ITERATIONS = 15;

/** Same surface as liquidjs' (unexported) ForloopDrop. */
class LoopDrop extends Drop {
  i = 0;
  length: number;
  name: string;
  constructor(length: number, collection: string, variable: string) {
    super();
    this.length = length;
    this.name = `${variable}-${collection}`;
  }
  next(): void {
    this.i++;
  }
  index0(): number {
    return this.i;
  }
  index(): number {
    return this.i + 1;
  }
  first(): boolean {
    return this.i === 0;
  }
  last(): boolean {
    return this.i === this.length - 1;
  }
  rindex(): number {
    return this.length - this.i;
  }
  rindex0(): number {
    return this.length - this.i - 1;
  }
  override valueOf(): string {
    return JSON.stringify(this);
  }
}

/**
 * Shopify's loop window (Utils.slice_collection): items from `offset` up to `offset + limit`, so a negative
 * `limit:` renders nothing, a nil one everything, and a negative `offset:` counts from the first item (liquidjs took both as
 * Array#slice does, from the end: `limit: -1` rendered all but the last item).
 */
function loopWindow(offset: unknown, limit: unknown, length: number): { from: number; start: number; end: number } {
  // A nil limit (`limit: nil`, a variable holding null) is no limit, as Ruby's For reads it; a nil offset is 0.
  const from = toValue(offset) == null ? 0 : rubyInteger(offset);
  const to = toValue(limit) == null ? length : from + rubyInteger(limit);
  const start = Math.min(Math.max(from, 0), length);
  return { from, start, end: Math.max(start, Math.min(to, length)) };
}

/**
 * A range's end as Ruby's RangeLookup reads it: a number written in the template as its to_i (`(2.5..4)` is 2..4),
 * a variable's integer as it is, nil and text as their to_i (nil and "abc" are 0, "3 items" is 3), anything else
 * (a float such as 2.5, true, a list) as Utils.to_integer, which refuses them ("invalid integer"). liquidjs took
 * each as a JS number (2.5, 3.5, 4.5; nil and text gave no items).
 */
function rangeEnd(raw: unknown, token: unknown): number {
  const v = toValue(raw);
  const toI = v === null || v === undefined || typeof v === 'string' || (typeof v === 'number' && TypeGuards.isNumberToken(token as never));
  return toI ? rubyToI(raw) : rubyInteger(raw);
}

/** liquidjs' toEnumerable(). */
function toEnumerable(val: unknown): unknown[] {
  const v = toValue(val);
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return v.length > 0 ? [v] : [];
  if (v !== null && typeof v === 'object') {
    if (typeof (v as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function') {
      return Array.from(v as Iterable<unknown>);
    }
    return Object.keys(v).map((k) => [k, (v as Record<string, unknown>)[k]]);
  }
  return [];
}

interface Source {
  length: number;
  at(i: number): unknown;
}

export class CappedForTag extends ForTag {
  /** `reversed` written right after the collection, the only place Shopify's For syntax reads it. */
  private readonly reversedAfterCollection: boolean;
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid, parser: Parser) {
    super(token, remainTokens, liquid, parser);
    const { input, end } = this.collection as unknown as { input: string; end: number };
    this.reversedAfterCollection = /^\s*reversed\b/.test(input.slice(end, token.end));
    // `limit: 2.0` is a Ruby Float, which to_integer refuses: the loop's number literals are marked as outputs' are.
    for (const value of Object.values((this.hash as unknown as { hash: Record<string, unknown> }).hash)) markFloatToken(value);
  }

  override *render(ctx: Context, emitter: Emitter): Generator<unknown, void, any> {
    const r = this.liquid.renderer;
    let source: Source;
    let text = false;
    if (TypeGuards.isRangeToken(this.collection)) {
      const low = rangeEnd(yield evalToken(this.collection.lhs, ctx), this.collection.lhs);
      const high = rangeEnd(yield evalToken(this.collection.rhs, ctx), this.collection.rhs);
      // liquidjs: for (i = low; i < high + 1; i++) — without materialising it.
      const n = Number.isFinite(low) && Number.isFinite(high) ? Math.max(0, Math.ceil(high + 1 - low)) : 0;
      source = { length: n, at: (i) => low + i };
    } else {
      const value = toValue(yield evalToken(this.collection, ctx));
      text = typeof value === 'string';
      const arr = toEnumerable(value);
      source = { length: arr.length, at: (i) => arr[i] };
    }
    const continueKey = 'continue-' + this.variable + '-' + this.collection.getText();
    // `offset: continue` reads where the last loop over the same collection stopped, 0 the first time.
    ctx.push(Object.assign(Object.create(null), { continue: ctx.getRegister(continueKey, 0) }));
    const hash: Record<string, unknown> = yield this.hash.render(ctx);
    ctx.pop();

    // modifiers in liquidjs' fixed order (orderedFilterParameters=false): offset, limit, reversed. Shopify reads
    // offset and limit with Utils.to_integer ("2" is 2; "abc", 2.5 and true are errors) whatever the collection.
    const window = loopWindow(hash['offset'], hash['limit'], source.length);
    if (source.length === 0) {
      yield r.renderTemplates(this.elseTemplates, ctx, emitter);
      return;
    }
    // A text is one item that offset and limit do not cut (Ruby's slice_collection_using_each).
    const { from, start, end } = text ? { from: 0, start: 0, end: 1 } : window;
    const reversed = this.reversedAfterCollection;
    const total = Math.max(0, end - start);
    if (total === 0) {
      // Shopify renders `else` when the window is empty, not only the collection (`limit: 0`, an offset past the end).
      ctx.setRegister(continueKey, from);
      yield r.renderTemplates(this.elseTemplates, ctx, emitter);
      return;
    }
    const count = Math.min(total, MAX_LOOP_ITERATIONS);
    const items: unknown[] = [];
    for (let k = 0; k < count; k++) items.push(source.at(reversed ? end - 1 - k : start + k));

    // `offset: continue` resumes after what was actually rendered.
    ctx.setRegister(continueKey, from + count);
    const forloop = new LoopDrop(count, this.collection.getText(), this.variable);
    const scope: Record<string, unknown> = Object.assign(Object.create(null), { forloop });
    ctx.push(scope);
    for (const item of items) {
      scope[this.variable] = item;
      ctx.continueCalled = ctx.breakCalled = false;
      yield r.renderTemplates(this.templates, ctx, emitter);
      if (ctx.breakCalled) break;
      forloop.next();
    }
    ctx.continueCalled = ctx.breakCalled = false;
    ctx.pop();
  }
}

/** Ruby's `to_i` as Shopify's tablerow reads `offset:`, `limit:` and `cols:` (and rangeEnd a range's nil, text or literal end): nil 0, text its leading integer, a float truncated; other values have none (NoMethodError). */
function rubyToI(raw: unknown): number {
  const v = toValue(raw);
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : 0;
  if (typeof v === 'string') {
    const leading = /^[ \t\n\v\f\r]*([+-]?\d+(?:_\d+)*)/.exec(v);
    return leading ? Number(leading[1]!.replace(/_/g, '')) : 0;
  }
  throw new Error(`undefined method 'to_i' for ${typeof v === 'boolean' ? String(v) : 'the value'}`);
}

/** Shopify's TablerowloopDrop: `col` counts up to `cols` then starts a new `row`; with no `cols` (0) one row. */
class TablerowLoop extends LoopDrop {
  private column = 1;
  private rowNumber = 1;
  private readonly cols: number;
  constructor(length: number, cols: number, collection: string, variable: string) {
    super(length, collection, variable);
    this.cols = cols;
  }
  override next(): void {
    super.next();
    if (this.column === this.cols) {
      this.column = 1;
      this.rowNumber++;
    } else this.column++;
  }
  col(): number {
    return this.column;
  }
  col0(): number {
    return this.column - 1;
  }
  col_first(): boolean {
    return this.column === 1;
  }
  col_last(): boolean {
    return this.column === this.cols;
  }
  row(): number {
    return this.rowNumber;
  }
}

/**
 * Shopify's tablerow (tags/table_row.rb), at most 15 cells: `<tr class="row1">` and a newline, the cells, a new row
 * after every `cols` cells (`</tr>` newline `<tr class="rowN">`), then `</tr>` and a newline, even with no cells;
 * nothing for a nil or false collection. `offset:`, `limit:` and `cols:` are read with Ruby's to_i (nil and "abc"
 * are 0, "2.5" and 2.5 are 2), so no `cols:` (or 0, or a negative one) is one row. liquidjs wrote no newlines,
 * nothing for an empty collection, and divided by `cols`.
 */
export class CappedTablerowTag extends TablerowTag {
  override *render(ctx: Context, emitter: Emitter): Generator<unknown, void, any> {
    let source: Source;
    if (TypeGuards.isRangeToken(this.collection)) {
      const low = rangeEnd(yield evalToken(this.collection.lhs, ctx), this.collection.lhs);
      const high = rangeEnd(yield evalToken(this.collection.rhs, ctx), this.collection.rhs);
      const n = Math.max(0, high + 1 - low);
      source = { length: n, at: (i) => low + i };
    } else {
      const value = toValue(yield evalToken(this.collection, ctx));
      if (value === null || value === undefined || value === false) return;
      const arr = toEnumerable(value);
      source = { length: arr.length, at: (i) => arr[i] };
    }
    const args: Record<string, unknown> = yield this.args.render(ctx);
    const from = 'offset' in args ? rubyToI(args['offset']) : 0;
    const to = 'limit' in args ? from + rubyToI(args['limit']) : source.length;
    const cols = rubyToI(args['cols']);
    const start = Math.min(Math.max(from, 0), source.length);
    const end = Math.max(start, Math.min(to, source.length));
    const count = Math.min(end - start, MAX_LOOP_ITERATIONS);
    const r = this.liquid.renderer;
    const tablerowloop = new TablerowLoop(count, cols, this.collection.getText(), this.variable);
    const scope: Record<string, unknown> = Object.assign(Object.create(null), { tablerowloop });
    emitter.write('<tr class="row1">\n');
    ctx.push(scope);
    for (let k = 0; k < count; k++) {
      scope[this.variable] = source.at(start + k);
      emitter.write(`<td class="col${tablerowloop.col()}">`);
      yield r.renderTemplates(this.templates, ctx, emitter);
      emitter.write('</td>');
      if (tablerowloop.col_last() && !tablerowloop.last()) emitter.write(`</tr>\n<tr class="row${tablerowloop.row() + 1}">`);
      tablerowloop.next();
    }
    ctx.pop();
    emitter.write('</tr>\n');
  }
}
