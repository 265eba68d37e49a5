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

/** Array.prototype.slice's ToIntegerOrInfinity + relative index clamping. */
function relIndex(raw: unknown, len: number, dflt: number): number {
  if (raw === undefined) return dflt;
  let n = Number(raw);
  if (Number.isNaN(n)) n = 0;
  n = n === Infinity || n === -Infinity ? n : Math.trunc(n);
  if (n < 0) return Math.max(len + n, 0);
  return Math.min(n, len);
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
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid, parser: Parser) {
    super(token, remainTokens, liquid, parser);
  }

  override *render(ctx: Context, emitter: Emitter): Generator<unknown, void, any> {
    const r = this.liquid.renderer;
    let source: Source;
    if (TypeGuards.isRangeToken(this.collection)) {
      const low = Number(toValue(yield evalToken(this.collection.lhs, ctx)));
      const high = Number(toValue(yield evalToken(this.collection.rhs, ctx)));
      // liquidjs: for (i = low; i < high + 1; i++) — without materialising it.
      const n = Number.isFinite(low) && Number.isFinite(high) ? Math.max(0, Math.ceil(high + 1 - low)) : 0;
      source = { length: n, at: (i) => low + i };
    } else {
      const arr = toEnumerable(yield evalToken(this.collection, ctx));
      source = { length: arr.length, at: (i) => arr[i] };
    }
    if (source.length === 0) {
      yield r.renderTemplates(this.elseTemplates, ctx, emitter);
      return;
    }
    const continueKey = 'continue-' + this.variable + '-' + this.collection.getText();
    ctx.push(Object.assign(Object.create(null), { continue: ctx.getRegister(continueKey, {}) }));
    const hash: Record<string, unknown> = yield this.hash.render(ctx);
    ctx.pop();

    // modifiers in liquidjs' fixed order (orderedFilterParameters=false): offset, limit, reversed
    const start = relIndex(hash['offset'], source.length, 0);
    const afterOffset = source.length - start;
    const end = start + relIndex(hash['limit'], afterOffset, afterOffset);
    const reversed = hash['reversed'] !== undefined;
    const total = Math.max(0, end - start);
    const count = Math.min(total, MAX_LOOP_ITERATIONS);
    const items: unknown[] = [];
    for (let k = 0; k < count; k++) items.push(source.at(reversed ? end - 1 - k : start + k));

    // `offset: continue` resumes after what was actually rendered.
    ctx.setRegister(continueKey, (Number(hash['offset']) || 0) + count);
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

export class CappedTablerowTag extends TablerowTag {
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid, parser: Parser) {
    super(token, remainTokens, liquid, parser);
    const args = this.args;
    const original = args.render.bind(args);
    args.render = function* (ctx: Context): Generator<unknown, Record<string, any>, unknown> {
      const h = yield* original(ctx);
      const lim = h['limit'] === undefined ? MAX_LOOP_ITERATIONS : Number(h['limit']);
      h['limit'] = Math.min(lim, MAX_LOOP_ITERATIONS);
      return h;
    };
  }
}
