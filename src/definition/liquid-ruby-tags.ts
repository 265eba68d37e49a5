/**
 * Tags Shopify's Liquid has and liquidjs lacks, parsed here so that the validator and the engine agree on them
 * (the engine renders `ifchanged` within its output cap, see ../engine/liquid/ifchanged-tag.ts):
 *  - `{% ifchanged %}…{% endifchanged %}` (4.0.0): writes its body only when the body renders to something other
 *    than what it wrote last time in this render (Ruby keeps that text in `registers[:ifchanged]`);
 *  - `{% doc %}…{% enddoc %}` (5.8.0): documentation; its body is text, never parsed nor rendered, and the tag
 *    takes no arguments and does not nest (Ruby's Liquid::Doc raises a syntax error for either).
 */
import { Tag, TypeGuards } from 'liquidjs';
import type { Context, Emitter, Liquid, Parser, TagToken, Template, TopLevelToken } from 'liquidjs';

/** The register holding the text an `ifchanged` last wrote in this render. */
const IFCHANGED_REGISTER = 'ifchanged';

export class IfchangedTag extends Tag {
  protected readonly templates: Template[] = [];
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid, parser: Parser) {
    super(token, remainTokens, liquid);
    while (remainTokens.length) {
      const next = remainTokens.shift()!;
      if (TypeGuards.isTagToken(next) && next.name === 'endifchanged') return;
      this.templates.push(parser.parseToken(next, remainTokens));
    }
    throw new Error(`tag ${token.getText()} not closed`);
  }

  /** The body's text: liquidjs' own rendering (the engine's subclass renders within its output cap). */
  protected *renderBody(ctx: Context): Generator<unknown, string, unknown> {
    return (yield this.liquid.renderer.renderTemplates(this.templates, ctx)) as string;
  }

  *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    const text = yield* this.renderBody(ctx);
    const register = ctx.getRegister(IFCHANGED_REGISTER, {}) as { last?: string };
    if (text === register.last) return;
    register.last = text;
    emitter.write(text);
  }

  *children(): Generator<unknown, Template[]> {
    return this.templates;
  }
}

export class DocTag extends Tag {
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
    super(token, remainTokens, liquid);
    if (token.args.trim() !== '') throw new Error(`Syntax Error in 'doc' - Valid syntax: {% doc %}{% enddoc %}`);
    while (remainTokens.length) {
      const next = remainTokens.shift()!;
      if (!TypeGuards.isTagToken(next)) continue;
      if (next.name === 'enddoc') return;
      if (next.name === 'doc') throw new Error('Syntax Error in \'doc\' - Nested doc tags are not allowed');
    }
    throw new Error(`tag ${token.getText()} not closed`);
  }

  render(): void {}
}

/** Registers the tags of this module on `liquid`. */
export function useRubyTags(liquid: Liquid): void {
  liquid.registerTag('ifchanged', IfchangedTag);
  liquid.registerTag('doc', DocTag);
}
