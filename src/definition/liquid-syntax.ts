/**
 * The Liquid dialect's syntax, shared by the validator (which only parses) and the engine (which renders), so
 * that a template the validator passes is one the engine parses, and one it flags is one the engine refuses.
 *
 * What differs from a plain liquidjs instance is syntax, not only limits: `include`, `render` and `layout`
 * are refused at parse time (Studio has no template files), a template longer than the parse limit is
 * refused, tags nested deeper than Shopify's limit are refused (see limitNesting), and `assign` takes Shopify's
 * variable names (see ShopifyAssignTag). The engine adds its filters, loop caps and render limits on top; none of those change what parses.
 */
import { Liquid, Parser, Tag, TypeGuards, Value, toValueSync } from 'liquidjs';
import type { Context, Emitter, FS, LiquidOptions, TagToken, Template, TopLevelToken } from 'liquidjs';
import { useRubyTags } from './liquid-ruby-tags.ts';

/** Max characters of a template source (liquidjs parseLimit). */
export const MAX_TEMPLATE_LENGTH = 128 * 1024;

/** Tags that would read template files: refused when the template is parsed. */
export const REFUSED_TAGS: readonly string[] = ['include', 'render', 'layout'];

/** A liquidjs file system that finds nothing (defence in depth behind the refused tags). */
const REFUSING_FS: FS = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async (file: string) => {
    throw new Error(`file access is disabled: ${file}`);
  },
  readFileSync: (file: string) => {
    throw new Error(`file access is disabled: ${file}`);
  },
  resolve: (_dir: string, file: string) => file,
  contains: async () => false,
  containsSync: () => false,
  sep: '/',
  dirname: () => '',
};

/** Options every Switchboard liquidjs instance starts from. */
export const BASE_LIQUID_OPTIONS: Readonly<LiquidOptions> = Object.freeze({
  strictVariables: false,
  strictFilters: false,
  ownPropertyOnly: true,
  jsTruthy: false,
  dynamicPartials: false,
  relativeReference: false,
  root: [],
  partials: [],
  layouts: [],
  fs: REFUSING_FS,
  cache: false,
  parseLimit: MAX_TEMPLATE_LENGTH,
});

function refusingTag(name: string) {
  return class extends Tag {
    constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
      super(token, remainTokens, liquid);
      throw new Error(`tag "${name}" is not supported (no template files)`);
    }
    override render(): void {
      throw new Error(`tag "${name}" is not supported`);
    }
  };
}

/** Replaces the file-reading tags of `liquid` with ones that fail at parse time. */
export function refuseFileTags(liquid: Liquid): void {
  for (const name of REFUSED_TAGS) liquid.registerTag(name, refusingTag(name));
}

/**
 * The rest of `tokenizer`'s markup read as Shopify's Variable reads it, strict then lax (Studio's): what liquidjs
 * cannot parse is read by laxOutput (`a..b` is a.b); what that does not read either keeps liquidjs' error.
 */
export function readLaxValue(tokenizer: Tag['tokenizer'], liquid: Liquid): Value {
  const start = tokenizer.p;
  try {
    return new Value(tokenizer.readFilteredValue(), liquid);
  } catch (error) {
    const lax = laxOutput(tokenizer.input.slice(start, tokenizer.N));
    if (lax === null) throw error;
    try {
      return new Value(lax, liquid);
    } catch {
      throw error;
    }
  }
}

/**
 * `{% echo %}` (and `echo` lines of `{% liquid %}`), whose markup Shopify reads as a Variable, as `{{ }}`'s:
 * `{% echo a..b %}` prints a.b as `{{ a..b }}` does (readLaxValue), where liquidjs' echo refused the template.
 */
export class LaxEchoTag extends Tag {
  protected readonly value?: Value;
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
    super(token, remainTokens, liquid);
    this.tokenizer.skipBlank();
    if (!this.tokenizer.end()) this.value = readLaxValue(this.tokenizer, liquid);
  }
  *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    if (this.value) emitter.write(yield this.value.value(ctx, false));
  }
  *arguments(): Generator<Value> {
    if (this.value) yield this.value;
  }
}

/**
 * Shopify's `assign`, whose variable name may hold `.`, `[` and `]` (Assign::Syntax's VariableSignature):
 * `{% assign flow.variables.x = 1 %}` sets a variable literally named "flow.variables.x" and leaves
 * `flow.variables` alone, where liquidjs' assign refused the template ('expected "="'). A plain name is
 * read, stored and evaluated as liquidjs' assign does.
 */
export class ShopifyAssignTag extends Tag {
  private readonly key: string;
  private readonly value: Value;
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
    super(token, remainTokens, liquid);
    const tokenizer = this.tokenizer;
    tokenizer.skipBlank();
    const begin = tokenizer.p;
    tokenizer.readIdentifier();
    while (!tokenizer.end() && '.[]'.includes(tokenizer.peek())) {
      tokenizer.advance();
      tokenizer.readIdentifier();
    }
    this.key = tokenizer.input.slice(begin, tokenizer.p);
    tokenizer.assert(this.key, 'expected variable name');
    tokenizer.skipBlank();
    tokenizer.assert(tokenizer.peek() === '=', 'expected "="');
    tokenizer.advance();
    // Shopify's assign reads its value as a Variable, strict then lax (Studio's): `a..b` is a.b (see laxOutput).
    this.value = readLaxValue(tokenizer, this.liquid);
  }
  *render(ctx: Context): Generator<unknown, void, unknown> {
    ctx.bottom()[this.key] = yield this.value.value(ctx, this.liquid.options.lenientIf);
  }
  *arguments(): Generator<Value> {
    yield this.value;
  }
}

/**
 * Max levels of tags inside tags (`{% if %}` in `{% for %}` …), and of brackets and parentheses within one tag
 * or output outside its quoted strings (and within a `*_exp` filter's expression, which is parsed when the filter
 * runs): Shopify's Liquid refuses blocks nested deeper than 100 ("Nesting too deep"). liquidjs parses and
 * renders both by recursion, so a deeper template overflowed the JS stack at a depth that depended on the
 * caller's stack and on what the JIT had compiled: the validator passed templates the engine refused, one
 * widget rendered what another could not, and the error said "Maximum call stack size exceeded".
 */
export const MAX_NESTING_DEPTH = 100;

const nestingError = (what: string) => new Error(`Nesting too deep (more than ${MAX_NESTING_DEPTH} levels of ${what})`);

/**
 * The deepest nesting of `[`/`(` in `input` between `begin` and `end`, outside quoted strings: a bracket in
 * `"(("` is text, which Shopify's Liquid and liquidjs read without recursion. Strings are skipped as liquidjs'
 * tokenizer reads them (a `\` escapes the next character; an unclosed quote runs to the end).
 */
export function bracketDepth(input: string, begin = 0, end = input.length): number {
  let depth = 0;
  let max = 0;
  for (let i = begin; i < end; i++) {
    const c = input.charCodeAt(i);
    if (c === 0x22 || c === 0x27) {
      for (i++; i < end && input.charCodeAt(i) !== c; i++) if (input.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x5b || c === 0x28) max = Math.max(max, ++depth);
    else if ((c === 0x5d || c === 0x29) && depth > 0) depth--;
  }
  return max;
}

/** Filters whose second argument is a Liquid expression, evaluated once per item. */
export const EXPRESSION_FILTERS: ReadonlySet<string> = new Set(['where_exp', 'reject_exp', 'group_by_exp', 'find_exp', 'find_index_exp', 'has_exp']);

/**
 * Refuses a `*_exp` filter's expression nested deeper than MAX_NESTING_DEPTH: liquidjs parses it (by recursion)
 * when the filter runs, so the brackets of that one kind of string count. A literal one is checked at parse time
 * (limitNesting), one read from a variable by the engine when the filter runs.
 */
export function checkExpressionNesting(expression: string): void {
  if (bracketDepth(expression) > MAX_NESTING_DEPTH) throw nestingError('brackets');
}

/**
 * The literal `*_exp` expressions among a parsed tag's or output's own arguments (not its children's). Only those of
 * filters `liquid` has: where Studio's dialect leaves them out, the filter returns its input and never parses one.
 */
function checkLiteralExpressions(template: unknown, liquid: Liquid): void {
  const node = template as { arguments?: () => Iterable<unknown> };
  if (typeof node?.arguments !== 'function') return;
  for (const arg of node.arguments()) {
    if (!(arg instanceof Value)) continue;
    for (const filter of arg.filters) {
      const expression = filter.args[1];
      if (EXPRESSION_FILTERS.has(filter.name) && liquid.filters[filter.name] && expression !== undefined && !Array.isArray(expression) && TypeGuards.isQuotedToken(expression)) {
        checkExpressionNesting(expression.content);
      }
    }
  }
}

type ParseToken = Parser['parseToken'];
const tokenWrappers = new WeakMap<Liquid, ((next: ParseToken) => ParseToken)[]>();

/**
 * Wraps the parseToken of every parser `liquid.parse` makes: liquidjs parses each template with a new Parser,
 * which hands itself to block tags for their children, so nested tags and outputs go through it too. The
 * wrapper added first is the outermost (sees every token first).
 */
export function wrapParseToken(liquid: Liquid, wrapper: (next: ParseToken) => ParseToken): void {
  let wrappers = tokenWrappers.get(liquid);
  if (wrappers === undefined) {
    const list: ((next: ParseToken) => ParseToken)[] = (wrappers = []);
    tokenWrappers.set(liquid, list);
    liquid.parse = (html: string, filepath?: string) => {
      const parser = new Parser(liquid);
      let parseToken: ParseToken = parser.parseToken.bind(parser);
      for (let i = list.length - 1; i >= 0; i--) parseToken = list[i]!(parseToken);
      parser.parseToken = parseToken;
      return parser.parse(html, filepath);
    };
  }
  wrappers.push(wrapper);
}

/**
 * Refuses, at parse time, a template whose tags nest deeper than MAX_NESTING_DEPTH or one tag or output whose
 * brackets do. Every tag and output, nested ones included (`{% liquid %}` lines too), goes through the
 * parser's parseToken, so counting the calls in progress measures the nesting without a walk. Added before
 * any other wrapper, so it counts before another one parses.
 */
export function limitNesting(liquid: Liquid): void {
  wrapParseToken(liquid, (parseToken) => {
    let depth = 0;
    let lastInput: string | undefined;
    let mentionsExpressions = false;
    return (token, remainTokens) => {
      if (depth > MAX_NESTING_DEPTH) throw nestingError('tags');
      if ((TypeGuards.isTagToken(token) || TypeGuards.isOutputToken(token)) && bracketDepth(token.input, token.begin, token.end) > MAX_NESTING_DEPTH) {
        throw nestingError('brackets');
      }
      depth++;
      try {
        const template = parseToken(token, remainTokens);
        const input = template.token.input;
        if (input !== lastInput) {
          lastInput = input;
          mentionsExpressions = input.includes('_exp');
        }
        if (mentionsExpressions) checkLiteralExpressions(template, liquid);
        return template;
      } finally {
        depth--;
      }
    };
  });
}

/** A name (or `]`) then whitespace, a dot and a name: `a .b`, `a . b` (quick test before closeSpacedDots scans). */
const SPACED_DOT = /[\w\]]\s+\.\s*[A-Za-z_]/;

/** A tag whose markup Ruby's lax Liquid reads with its own regular expressions (quick test before closeSpacedDots scans). */
const LAX_TAG = /\{%-?\s*(?:if|elsif|unless|case|liquid)\b/;

/**
 * The variable a condition reads where Ruby's lax Liquid found an operator it does not know (`{% if a. b %}`: `b`):
 * the engine's global whose every member raises Ruby's "Unknown operator b" when the condition is evaluated.
 */
export const UNKNOWN_OPERATOR_VARIABLE = '__switchboard_unknown_operator__';

// Shopify's Liquid 5.4.0 regular expressions (liquid.rb, tags/if.rb), in JavaScript's syntax.
const QUOTED = String.raw`"[^"]*"|'[^']*'`;
const QUOTED_FRAGMENT = String.raw`(?:${QUOTED}|(?:[^\s,|'"]|${QUOTED})+)`;
const EXPRESSIONS_AND_OPERATORS = new RegExp(String.raw`(?:\b(?:\s?and\s?|\s?or\s?)\b|(?:\s*(?!\b(?:\s?and\s?|\s?or\s?)\b)(?:${QUOTED_FRAGMENT}|\S+)\s*)+)`, 'g');
const CONDITION_SYNTAX = new RegExp(String.raw`(${QUOTED_FRAGMENT})\s*([=!<>a-z_]+)?\s*(${QUOTED_FRAGMENT})?`);
const FIRST_FRAGMENT = new RegExp(QUOTED_FRAGMENT);
const CONDITION_OPERATORS: ReadonlySet<string> = new Set(['==', '!=', '<>', '<', '>', '>=', '<=', 'contains']);

/**
 * An operand as Ruby's Expression.parse reads it, written so that liquidjs reads the same: a quoted text, an
 * integer, a float, a range and a literal (nil, true, blank…) as written; anything else is a variable path as
 * VariableLookup scans it (names and `[…]` keys, whatever lies between them), so `a.`, `.a` and `a..b` are `a` and
 * `a.b`, `a[` is `a`, and `n==3` (one fragment, no spaces) is `n.3`.
 */
function laxOperand(fragment: string): string {
  const f = fragment.trim();
  if (/^(?:"[^]*"|'[^]*')$/.test(f) && f[0] === f[f.length - 1]) return f;
  if (/^-?\d[\d.]*$/.test(f) || /^\(\s*\S+\s*\.\.\s*\S+\s*\)$/.test(f)) return f;
  const tokens = f.match(/\[[^\]]+\]|[\w-]+\??/g);
  if (tokens === null) return 'nil';
  if (tokens[0]!.startsWith('[') || tokens.some((t) => t.endsWith('?'))) return f;
  return tokens.map((t, i) => (i === 0 || t.startsWith('[') ? t : `.${t}`)).join('');
}

/**
 * An `if`/`elsif`/`unless` condition as Ruby's lax parser (Studio's) reads it (If#lax_parse): split at `and`/`or`,
 * each part `left [operator [right]]` by If::Syntax, anything after those ignored. Where that reading is not what
 * liquidjs would read, the condition is written out as Ruby reads it: `a .b` is `a` (no operator: the rest is
 * ignored), `a == b c` is `a == b`, `a.` is `a`, and an operator Ruby does not know (`a. b`, where `b` is read as
 * the operator; `a = 1`) becomes a read of UNKNOWN_OPERATOR_VARIABLE, which fails the render as Ruby does. A
 * condition Ruby would refuse to parse, or reads as liquidjs does, is returned as written.
 */
export function laxCondition(markup: string): string {
  const parts = markup.match(EXPRESSIONS_AND_OPERATORS);
  if (parts === null || parts.length % 2 === 0) return markup;
  let changed = false;
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (i % 2 === 1) {
      const operator = part.trim();
      if (operator !== 'and' && operator !== 'or') return markup;
      out.push(operator);
      continue;
    }
    const m = CONDITION_SYNTAX.exec(part);
    if (m === null) return markup;
    const [whole, left, operator, right] = m as unknown as [string, string, string | undefined, string | undefined];
    const ignored = part.slice(0, m.index).trim() !== '' || part.slice(m.index + whole.length).trim() !== '';
    let condition: string;
    if (operator === undefined) condition = laxOperand(left);
    else if (!CONDITION_OPERATORS.has(operator)) condition = `${UNKNOWN_OPERATOR_VARIABLE}["${operator}"]`;
    else condition = `${laxOperand(left)} ${operator} ${right === undefined ? 'nil' : laxOperand(right)}`;
    if (ignored || condition !== whole.trim()) changed = true;
    out.push(condition);
  }
  return changed ? ` ${out.join(' ')} ` : markup;
}

const UNKNOWN_OPERATOR_READ = new RegExp(String.raw`${UNKNOWN_OPERATOR_VARIABLE}\["([^"]*)"\]`, 'g');

/** The operators Ruby's lax parser would not know in `template`'s conditions (`{% if a. b %}`: `b`), each once, in order. */
export function unknownOperators(template: string): string[] {
  if (!LAX_TAG.test(template)) return [];
  const found = new Set<string>();
  for (const m of closeSpacedDots(template).matchAll(UNKNOWN_OPERATOR_READ)) found.add(m[1]!);
  return [...found];
}

const LAX_VARIABLE = new RegExp(String.raw`(${QUOTED_FRAGMENT})([^]*)`);
const LAX_FILTERS = /\|\s*([^]*)/;
const LAX_FILTER = new RegExp(String.raw`(?:\s+|${QUOTED_FRAGMENT}|,)+`, 'g');
const LAX_FILTER_ARGUMENT = new RegExp(String.raw`(?::|,)\s*((?:\w+\s*:\s*)?${QUOTED_FRAGMENT})`, 'g');

/**
 * An output's markup as Ruby's lax Variable parser (which Studio's Liquid falls back to when its strict parser
 * fails) reads it, written for liquidjs: the first fragment is the value (`a..b` is a.b, `list[1]]` list[1]), then
 * after a `|` each run of fragments is a filter named by its first word, with the arguments that follow a `:` or a
 * `,` (`append: "x" "y"` appends "x"; `upcase upcase` is one upcase; `||` is nothing). Null when there is no value.
 */
export function laxOutput(markup: string): string | null {
  const m = LAX_VARIABLE.exec(markup);
  if (m === null) return null;
  let out = laxOperand(m[1]!);
  const filters = LAX_FILTERS.exec(m[2]!);
  for (const f of filters ? filters[1]!.match(LAX_FILTER) ?? [] : []) {
    const name = /\w+/.exec(f);
    if (name === null) continue;
    const args = [...f.matchAll(LAX_FILTER_ARGUMENT)].map(([, arg]) => {
      const keyword = /^(\w+)\s*:\s*([^]*)$/.exec(arg!);
      return keyword ? `${keyword[1]}: ${laxOperand(keyword[2]!)}` : laxOperand(arg!);
    });
    out += ` | ${name[0]}${args.length > 0 ? `: ${args.join(', ')}` : ''}`;
  }
  return out;
}

/**
 * Outputs liquidjs cannot parse read as Ruby's Liquid reads them (laxOutput): Shopify's Variable tries its strict
 * parser, then in lax mode (Studio's) reads what it can, so `{{ a..b }}` prints a.b where liquidjs refused the
 * template. An output that still does not parse keeps liquidjs' error.
 */
function laxOutputs(liquid: Liquid): void {
  wrapParseToken(liquid, (parseToken) => (token, remainTokens) => {
    try {
      return parseToken(token, remainTokens);
    } catch (error) {
      if (!TypeGuards.isOutputToken(token)) throw error;
      const lax = laxOutput(token.content);
      if (lax === null) throw error;
      const { trimLeft, trimRight } = token as unknown as { trimLeft: boolean; trimRight: boolean };
      const input = `{{${trimLeft ? '-' : ''} ${lax} ${trimRight ? '-' : ''}}}`;
      const Token = token.constructor as new (input: string, begin: number, end: number, options: unknown, file?: string) => typeof token;
      try {
        return parseToken(new Token(input, 0, input.length, liquid.options, token.file), remainTokens);
      } catch {
        throw error;
      }
    }
  });
}

/** A tag's markup with its condition (if, elsif, unless) or its subject (case) as Ruby's lax parser reads it. */
function laxTagMarkup(name: string, markup: string): string {
  const at = markup.indexOf(name) + name.length;
  const trim = /-\s*$/.test(markup) ? markup.slice(markup.lastIndexOf('-')) : '';
  const body = markup.slice(at, markup.length - trim.length);
  if (name !== 'case') return markup.slice(0, at) + laxCondition(body) + trim;
  // Case::Syntax: the first fragment is the subject, the rest is ignored.
  const first = FIRST_FRAGMENT.exec(body);
  if (first === null) return markup;
  const subject = laxOperand(first[0]);
  return subject === body.trim() ? markup : `${markup.slice(0, at)} ${subject} ${trim}`;
}

/**
 * `template` with the whitespace before a dot that leads to a property dropped inside `{{ }}` and tags, outside
 * quoted text: Shopify's Liquid reads `a .b` and `a . b` as `a.b`, as it reads `a. b` (real flows contain
 * `{{ trigger.conversation.ChannelAttributes.memory .helpline }}`), where liquidjs would read `a` and ignore the
 * rest, or fail on it after a filter's colon. `{% raw %}` and `{% comment %}` bodies (text) and `for`/`tablerow`
 * markup (where Ruby reads `in a .b` as `in a`, as liquidjs does) are left as written. The conditions of `if`,
 * `elsif` and `unless` and the subject of `case` (tags, or lines of `{% liquid %}`) are instead written as Ruby's
 * lax parser reads them (laxTagMarkup: there `a .b` is `a`, and `a. b` an unknown operator).
 */
export function closeSpacedDots(template: string): string {
  if (!SPACED_DOT.test(template) && !LAX_TAG.test(template)) return template;
  let out = '';
  let i = 0;
  for (;;) {
    const open = template.indexOf('{', i);
    if (open < 0 || open + 1 >= template.length) break;
    const kind = template[open + 1];
    if (kind !== '{' && kind !== '%') {
      out += template.slice(i, open + 1);
      i = open + 1;
      continue;
    }
    const close = kind === '{' ? '}}' : '%}';
    let end = open + 2;
    let quote = '';
    for (; end < template.length; end++) {
      const c = template[end]!;
      if (quote) {
        if (c === quote) quote = '';
      } else if (c === '"' || c === "'") quote = c;
      else if (template.startsWith(close, end)) break;
    }
    if (end >= template.length) break; // not closed: left as written, for the parser to report
    const markup = template.slice(open + 2, end);
    if (kind === '%') {
      const name = /^-?\s*(\w+)/.exec(markup)?.[1];
      if (name === 'raw' || name === 'comment') {
        const closing = new RegExp(`\\{%-?\\s*end${name}\\s*-?%\\}`, 'g');
        closing.lastIndex = end + 2;
        const found = closing.exec(template);
        const stop = found ? found.index + found[0].length : template.length;
        out += template.slice(i, stop);
        i = stop;
        continue;
      }
      if (name === 'for' || name === 'tablerow') {
        out += template.slice(i, end + 2);
        i = end + 2;
        continue;
      }
      if (name === 'if' || name === 'elsif' || name === 'unless' || name === 'case') {
        out += template.slice(i, open + 2) + laxTagMarkup(name, markup) + close;
        i = end + 2;
        continue;
      }
      if (name === 'liquid') {
        // Its lines are tags: their conditions are read as those of {% if %} and {% case %} are.
        const lines = markup.split('\n').map((line) => {
          const tag = /^\s*(if|elsif|unless|case)\b/.exec(line)?.[1];
          return tag ? laxTagMarkup(tag, line) : closeDots(line);
        });
        out += template.slice(i, open + 2) + lines.join('\n') + close;
        i = end + 2;
        continue;
      }
    }
    const closed = closeDots(markup);
    out += template.slice(i, open + 2) + closed + close;
    i = end + 2;
  }
  return out + template.slice(i);
}

/** `markup` with the whitespace before a dot that leads to a property dropped, outside quoted text (see closeSpacedDots). */
function closeDots(markup: string): string {
  return markup.replace(/("[^"]*"|'[^']*')|([\w\]])\s+\.(?=\s*[A-Za-z_])/g, (_whole, quoted: string | undefined, before: string | undefined) => quoted ?? `${before}.`);
}

/**
 * The dialect's tags on `liquid`: file tags refused, nesting limited, Shopify's `assign`, `ifchanged` and `doc`,
 * outputs and `echo` liquidjs cannot parse read laxly (laxOutputs, LaxEchoTag), and Shopify's reading of `a .b`
 * and of conditions (closeSpacedDots) for every template it parses.
 */
export function useDialectTags(liquid: Liquid): void {
  refuseFileTags(liquid);
  limitNesting(liquid);
  laxOutputs(liquid);
  // limitNesting installed the parse every later wrapParseToken reuses: this wrapper stays outermost.
  const parse = liquid.parse.bind(liquid);
  liquid.parse = (html: string, filepath?: string) => parse(closeSpacedDots(html), filepath);
  liquid.registerTag('assign', ShopifyAssignTag);
  liquid.registerTag('echo', LaxEchoTag);
  useRubyTags(liquid);
}

let syntaxOnly: Liquid | undefined;
/** The last template liquidSyntaxError parsed, for liquidNames to read without parsing it again. */
let lastParsed: { template: string; templates: Template[] | null } | undefined;

/**
 * The syntax error in `template` as the engine would report it (first line, no position), or null.
 * Such a template fails with 84003 every time it renders. A `where_exp`-style filter's expression written
 * as a literal is checked too: liquidjs parses it only when the filter runs, and fails the render then.
 * Every liquidjs tag and filter is known here (the engine's with --liquid-extras); the ones Studio's Liquid lacks
 * are liquidNames' to tell.
 */
export function liquidSyntaxError(template: string): string | null {
  if (syntaxOnly === undefined) {
    syntaxOnly = new Liquid({ ...BASE_LIQUID_OPTIONS });
    useDialectTags(syntaxOnly);
  }
  lastParsed = { template, templates: null };
  try {
    const templates = syntaxOnly.parse(template);
    lastParsed.templates = templates;
    return template.includes('_exp') ? expressionError(templates, syntaxOnly) : null;
  } catch (error) {
    return firstLine(error);
  }
}

/**
 * The filters and tags `template` uses, each once, in the order written (nested blocks and `{% liquid %}` lines
 * included; `{% raw %}` and `{% comment %}` bodies are text); null when it does not parse.
 */
export function liquidNames(template: string): { filters: string[]; tags: string[] } | null {
  if (lastParsed?.template !== template) liquidSyntaxError(template);
  const templates = lastParsed!.templates;
  if (templates === null) return null;
  const filters = new Set<string>();
  const tags = new Set<string>();
  type Node = { name?: unknown; token?: unknown; arguments?: () => Iterable<unknown>; children?: (partials: boolean, sync: boolean) => unknown };
  const stack: Node[] = [...(templates as unknown as Node[])].reverse();
  while (stack.length > 0) {
    const node = stack.pop()!;
    if ((node as unknown) instanceof Tag && typeof node.name === 'string') tags.add(node.name);
    if (typeof node.arguments === 'function') {
      for (const arg of node.arguments()) if (arg instanceof Value) for (const filter of arg.filters) filters.add(filter.name);
    }
    if (typeof node.children === 'function') {
      const children = toValueSync(node.children(false, true));
      if (Array.isArray(children)) for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as Node);
    }
  }
  return { filters: [...filters], tags: [...tags] };
}

function firstLine(error: unknown): string {
  return ((error as Error).message ?? String(error)).split('\n')[0]!.replace(/, line:\d+, col:\d+$/, '');
}


/**
 * Every output and tag argument (a Value) in parsed templates, nested blocks included, without
 * recursion; `visit` returning a value other than undefined stops the walk with it.
 */
export function findInValues<T>(templates: Template[], visit: (value: Value) => T | undefined): T | undefined {
  type Node = { arguments?: () => Iterable<unknown>; children?: (partials: boolean, sync: boolean) => unknown };
  const stack: Node[] = [...(templates as unknown as Node[])];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (typeof node.arguments === 'function') {
      for (const arg of node.arguments()) {
        if (!(arg instanceof Value)) continue;
        const found = visit(arg);
        if (found !== undefined) return found;
      }
    }
    if (typeof node.children === 'function') {
      const children = toValueSync(node.children(false, true));
      if (Array.isArray(children)) for (const child of children) stack.push(child as Node);
    }
  }
  return undefined;
}

/**
 * Every expression token in parsed templates' Values (see findInValues): each Value's operands, then its filters'
 * arguments (a keyword argument's value), for passes that rewrite literals once a template is parsed.
 */
export function forEachValueToken(templates: Template[], visit: (token: unknown) => void): void {
  findInValues(templates, (value) => {
    for (const token of value.initial.postfix) visit(token);
    for (const filter of value.filters) {
      for (const arg of filter.args) visit(Array.isArray(arg) ? arg[1] : arg);
    }
    return undefined;
  });
}

/** The first literal `*_exp` expression in the parsed templates that does not parse, as an error; else null. */
function expressionError(templates: Template[], liquid: Liquid): string | null {
  const error = findInValues(templates, (value) => {
    for (const filter of value.filters) {
      const expression = filter.args[1];
      if (!EXPRESSION_FILTERS.has(filter.name) || expression === undefined || Array.isArray(expression)) continue;
      if (!TypeGuards.isQuotedToken(expression)) continue;
      try {
        new Value(expression.content, liquid);
      } catch (error) {
        return `${filter.name} expression ${JSON.stringify(expression.content)}: ${firstLine(error)}`;
      }
    }
    return undefined;
  });
  return error ?? null;
}
