/**
 * `{% ifchanged %}` rendering its body within the render's budgets, as `{% capture %}` does (./capture-tag.ts):
 * the body goes through a capped emitter of its own (so it prints values as the output does and cannot grow
 * without bound) and what it holds counts against the render's memory units.
 */
import type { Context } from 'liquidjs';
import { IfchangedTag } from '../../definition/liquid-ruby-tags.ts';
import { CappedEmitter, MAX_OUTPUT_BYTES, objectFormatOf } from './output.ts';

export class CappedIfchangedTag extends IfchangedTag {
  protected override *renderBody(ctx: Context): Generator<unknown, string, unknown> {
    const emitter = new CappedEmitter(MAX_OUTPUT_BYTES, objectFormatOf(ctx), 'text in ifchanged');
    yield this.liquid.renderer.renderTemplates(this.templates, ctx, emitter);
    const text = emitter.text();
    ctx.memoryLimit.use(text.length);
    return text;
  }
}
