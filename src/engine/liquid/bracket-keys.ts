/**
 * `h["first"]` reads the key only. Ruby's VariableLookup calls `size`, `first` and `last` as methods only for the
 * dotted form (`h.first`, `text.size`: its command flags); a bracketed key reads `h[key]` and nothing else, so
 * `h["first"]` of a hash without that key, `"abc"["size"]` and `list["last"]` are nil. liquidjs reads both forms
 * alike, so the quoted keys with those names are marked when the template is parsed and ShopifyContext reads a
 * marked key as a key. A key held in a variable (`h[k]` with k = "first") is known only when it renders: its
 * token is wrapped in one that marks such a name when it is evaluated.
 */
import { TokenKind, TypeGuards, evalTokenValue } from 'liquidjs';
import type { Context, Template } from 'liquidjs';
import { forEachValueToken } from '../../definition/liquid-syntax.ts';

const COMMANDS = new Set(['size', 'first', 'last']);

/** A key written in brackets, one of the names the dotted form runs as a method. */
export class BracketKey {
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
  toString(): string {
    return this.name;
  }
}

/** Whether `template` may hold such a key (a cheap test before the parse tree is walked). */
export function mayHoldBracketedCommand(template: string): boolean {
  return /\[\s*(?:(["'])(?:size|first|last)\1\s*\]|[A-Za-z_])/.test(template);
}

/**
 * A variable key's token, wrapped: liquidjs evaluates a filtered value's `initial` expression (no filters), and
 * this one marks the key it evaluates to when it names a command. The key token itself is left as parsed.
 */
function markingAtRender(key: unknown): unknown {
  return {
    kind: TokenKind.FilteredValue,
    filters: [],
    initial: {
      *evaluate(ctx: Context, lenient?: boolean): Generator<unknown, unknown, unknown> {
        const value = yield evalTokenValue(key as never, ctx, lenient);
        return typeof value === 'string' && COMMANDS.has(value) ? new BracketKey(value) : value;
      },
    },
  };
}

function mark(token: unknown, depth = 0): void {
  if (depth > 200 || !TypeGuards.isPropertyAccessToken(token as never)) return;
  const access = token as unknown as { variable?: unknown; props: unknown[] };
  mark(access.variable, depth + 1);
  access.props.forEach((prop, i) => {
    if (TypeGuards.isQuotedToken(prop as never)) {
      const quoted = prop as { content: unknown };
      if (typeof quoted.content === 'string' && COMMANDS.has(quoted.content)) quoted.content = new BracketKey(quoted.content);
    } else if (TypeGuards.isPropertyAccessToken(prop as never)) {
      mark(prop, depth + 1);
      access.props[i] = markingAtRender(prop);
    }
  });
}

/** Marks the bracketed `size`, `first` and `last` keys, written or held in variables, in parsed templates (outputs, filter arguments, tag expressions). */
export function markBracketKeys(templates: Template[]): void {
  forEachValueToken(templates, (token) => mark(token));
}
