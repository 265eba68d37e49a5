/**
 * Shopify's `case`: each `when` value is compared with Ruby's `==` as the `==` operator compares here (a JSON null
 * equals a missing variable, Ruby having one nil; liquidjs' own `equals` told them apart), and a `when` renders once
 * for every one of its values that matches (`{% when 1, 1 %}` twice), as Ruby's Case attaches the body to a
 * condition per value. `else` renders when no value matched.
 */
import { CaseTag, evalToken, toValue } from 'liquidjs';
import type { Context, Emitter } from 'liquidjs';

type Equals = (l: unknown, r: unknown, ctx: Context) => unknown;

export class RubyCaseTag extends CaseTag {
  override *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    const r = this.liquid.renderer;
    const equals = ctx.opts.operators['=='] as Equals;
    const target = yield toValue(yield this.value.value(ctx, ctx.opts.lenientIf));
    let hit = false;
    for (const branch of this.branches) {
      for (const valueToken of branch.values) {
        const value = yield evalToken(valueToken, ctx, ctx.opts.lenientIf);
        if (yield equals(target, value, ctx)) {
          hit = true;
          yield r.renderTemplates(branch.templates, ctx, emitter);
        }
      }
    }
    if (!hit) yield r.renderTemplates(this.elseTemplates, ctx, emitter);
  }
}
