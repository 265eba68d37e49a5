/**
 * `{% capture %}` within the render's budgets. liquidjs' own capture renders its body into a private emitter
 * that has no cap and counts nothing, so `{% capture s %}{{ s }}{{ s }}{% endcapture %}` in nested loops
 * built strings of hundreds of millions of characters (ropes, cheap until something such as `contains`
 * flattens them: gigabytes in one node). Here the body renders through the same capped emitter as the
 * output, so a capture is at most 16 KB (UTF-8) and prints values as the output does (objects serialized),
 * and what it captures counts against the render's memory units.
 */
import { CaptureTag, type Context, type Liquid, type TagToken, type TopLevelToken } from 'liquidjs';
import type { Parser } from 'liquidjs';
import { CappedEmitter, MAX_OUTPUT_BYTES, objectFormatOf } from './output.ts';

export class CappedCaptureTag extends CaptureTag {
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid, parser: Parser) {
    super(token, remainTokens, liquid, parser);
  }

  override *render(ctx: Context): Generator<unknown, void, any> {
    const emitter = new CappedEmitter(MAX_OUTPUT_BYTES, objectFormatOf(ctx), 'captured text');
    yield this.liquid.renderer.renderTemplates(this.templates, ctx, emitter);
    const text = emitter.text();
    ctx.memoryLimit.use(text.length);
    ctx.bottom()[this.variable] = text;
  }
}
