/**
 * Ruby's Float in Liquid: `{{ 10 | divided_by: 2.0 }}` prints `5.0` and `{{ 3.0 }}` prints `3.0` in Shopify's
 * Liquid, where a JS number prints `5` and `3`. A JS number cannot tell 5 from 5.0, so the math filters' float
 * results and number literals written with a decimal point are carried as a RubyFloat: a liquidjs Drop whose
 * value (toValue, valueOf) is the number, so comparisons and other filters see a number, and that prints as
 * Ruby's Float#to_s. Numbers from data stay plain numbers; where the engine knows one was written as a float (Set
 * Variables' "5.0", an HTTP response's `2.0`: Frame.floatVariables, floatOutputs, floatPaths) the Liquid context
 * holds a RubyFloat instead (../context.ts).
 */
import { Drop, Output, Tag, TypeGuards, Value, evalToken, toValue } from 'liquidjs';
import type { Context, Emitter, Liquid, TagToken, Template, TopLevelToken, ValueToken } from 'liquidjs';
import { LaxEchoTag, forEachValueToken, wrapParseToken } from '../../definition/liquid-syntax.ts';

const rawJson = (JSON as unknown as { rawJSON: (text: string) => unknown }).rawJSON;

export class RubyFloat extends Drop {
  readonly value: number;
  constructor(value: number) {
    super();
    this.value = value;
  }
  override valueOf(): number {
    return this.value;
  }
  override toString(): string {
    return rubyFloatText(this.value);
  }
  /** `to_json` and printed objects write it as Ruby's to_json does (`5.0`); NaN and infinities as null. */
  toJSON(): unknown {
    return floatJson(this.value);
  }
}

/** A number as JSON.stringify should write a float of Ruby's: `5.0`, not `5` (a raw JSON value); null when not finite. */
export function floatJson(n: number): unknown {
  return Number.isFinite(n) ? rawJson(rubyFloatText(n)) : null;
}

/**
 * Ruby's Float#to_s: the shortest digits that read back as the number, in fixed notation with at least one
 * decimal (`5.0`, `0.0001`) while the decimal point falls within 16 digits before or 4 after the first digit,
 * else in scientific notation with a two-digit exponent at least (`1.0e+16`, `1.0e-05`).
 */
export function rubyFloatText(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const [mantissa, exponentText] = Math.abs(n).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const decpt = Number(exponentText) + 1; // digits before the decimal point
  const sign = n < 0 ? '-' : '';
  if (decpt > 0 && decpt <= 16) {
    const whole = digits.slice(0, decpt).padEnd(decpt, '0');
    const fraction = digits.slice(decpt) || '0';
    return `${sign}${whole}.${fraction}`;
  }
  if (decpt <= 0 && decpt > -4) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
  const exponent = decpt - 1;
  const exponentDigits = String(Math.abs(exponent)).padStart(2, '0');
  return `${sign}${digits[0]}.${digits.slice(1) || '0'}e${exponent < 0 ? '-' : '+'}${exponentDigits}`;
}

const DECIMAL_TEXT = /^-?\d+\.\d+$/;

/** Text Shopify reads as a float ("2.5", "-10.0"), trimmed; any other text is read as an integer. */
export function isDecimalText(text: string): boolean {
  return DECIMAL_TEXT.test(text.trim());
}

/**
 * Whether Shopify's Utils.to_number reads the value as a float (BigDecimal): a RubyFloat, a number with a
 * fraction, or text with a decimal point ("2.0"). A whole number from data is an integer.
 */
export function isFloatOperand(value: unknown): boolean {
  if (value instanceof RubyFloat) return true;
  const v = toValue(value);
  if (typeof v === 'number') return !Number.isInteger(v) && Number.isFinite(v);
  return typeof v === 'string' && isDecimalText(v);
}

/** A math result: a RubyFloat when Ruby's would be a Float, else the plain number. */
export function numberResult(n: number, float: boolean): number | RubyFloat {
  return float ? new RubyFloat(n) : n;
}

/** A number token written with a decimal point (`3.0`, `-10.5`): Ruby's Liquid parses it as a Float. */
export function markFloatToken(token: unknown): void {
  if (!TypeGuards.isNumberToken(token as never)) return;
  const number = token as unknown as { content: unknown; getText(): string };
  if (typeof number.content === 'number' && number.getText().includes('.')) number.content = new RubyFloat(number.content);
}

/**
 * Make the number literals written with a decimal point in parsed templates evaluate to RubyFloats (liquidjs
 * evaluates a number token to its `content`): outputs, filter arguments and tag expressions.
 */
export function markFloatLiterals(templates: Template[]): void {
  forEachValueToken(templates, markFloatToken);
}

/** `{{ }}` handing a RubyFloat to the emitter as it is: liquidjs' Output unwraps Drops (toValue) before writing. */
class RubyOutput extends Output {
  override *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    const value = yield this.value.value(ctx, false);
    emitter.write(value instanceof RubyFloat ? value : yield toValue(value));
  }
}

/** A value as an output writes it: a RubyFloat as it is (the emitter prints 5.0), anything else unwrapped. */
function* outputValue(value: unknown): Generator<unknown, unknown, unknown> {
  return value instanceof RubyFloat ? value : yield toValue(value);
}

/** `{% echo %}` (and `echo` lines of `{% liquid %}`, read laxly as LaxEchoTag) writing a float as `{{ }}` does: `{% echo 2.0 %}` is 2.0. */
class RubyEchoTag extends LaxEchoTag {
  override *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    if (this.value) emitter.write(yield* outputValue(yield this.value.value(ctx, false)));
  }
}

/** A cycle candidate Ruby writes the same in every tag (its `@variables.to_s`): a quoted text, a number, a literal range, true, false, blank, empty. */
const LITERAL_CANDIDATE = /^(?:"[^"]*"|'[^']*'|-?\d+(?:\.\d+)?|true|false|blank|empty|\(\s*-?\d+(?:\.\d+)?\s*\.\.\s*-?\d+(?:\.\d+)?\s*\))$/;

/** Numbers the cycle tags parsed so far: a tag whose candidates are no literals is a group of its own. */
let cycleTags = 0;

/**
 * `{% cycle %}` as Shopify's, writing its value as `{{ }}` does: a float as Ruby prints it (`{% cycle 1.0, 2.0 %}`
 * is 1.0), and 0 as 0 (liquidjs returned the value and its renderer dropped a 0). Its candidates are Values from
 * the start, so markFloatLiterals finds their float literals. Ruby keys its position by the group when one is named
 * (`{% cycle "g": … %}`, whatever the candidates), else by its candidates' `to_s`, which holds a variable's object
 * identity: tags naming only literals share a position, one naming a variable (`{% cycle "a", n %}`) has its own
 * (repeated in a loop it still cycles). A `nil` candidate is dropped, as Ruby's parser compacts it away.
 */
class RubyCycleTag extends Tag {
  private readonly candidates: Value[] = [];
  private readonly fingerprintText: string;
  private readonly group?: ValueToken;
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
    super(token, remainTokens, liquid);
    const tokenizer = this.tokenizer;
    const begin = tokenizer.p;
    const group = tokenizer.readValue();
    tokenizer.skipBlank();
    if (group && tokenizer.peek() === ':') {
      this.group = group;
      tokenizer.advance();
    } else tokenizer.p = begin;
    const texts: string[] = [];
    while (!tokenizer.end()) {
      const candidate = tokenizer.readFilteredValue();
      const text = candidate.getText().trim();
      tokenizer.readTo(',');
      if ((text === 'nil' || text === 'null') && candidate.filters.length === 0) continue;
      texts.push(text.replace(/^'([^'"]*)'$/, '"$1"')); // 'a' and "a" are one text to Ruby's to_s
      this.candidates.push(new Value(candidate, liquid));
    }
    tokenizer.assert(this.candidates.length, () => `empty candidates: "${token.getText()}"`);
    cycleTags++;
    this.fingerprintText = texts.every((text) => LITERAL_CANDIDATE.test(text)) ? texts.join(',') : `${texts.join(',')}#${cycleTags}`;
  }
  *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    const fingerprint = this.group ? `cycle:group:${String(yield evalToken(this.group, ctx))}` : `cycle::${this.fingerprintText}`;
    const groups = ctx.getRegister('cycle', {}) as Record<string, number>;
    const index = groups[fingerprint] ?? 0;
    groups[fingerprint] = (index + 1) % this.candidates.length;
    emitter.write(yield* outputValue(yield this.candidates[index]!.value(ctx, false)));
  }
  *arguments(): Generator<Value | ValueToken> {
    yield* this.candidates;
    if (this.group) yield this.group;
  }
}

/**
 * Make `liquid` parse `{{ }}` as RubyOutput (nested ones too, see wrapParseToken), and its `echo` and `cycle` tags
 * print floats as it does.
 */
export function useRubyOutput(liquid: Liquid): void {
  liquid.registerTag('echo', RubyEchoTag);
  liquid.registerTag('cycle', RubyCycleTag);
  wrapParseToken(liquid, (parseToken) => (token, remainTokens) => {
    if (!TypeGuards.isOutputToken(token)) return parseToken(token, remainTokens);
    try {
      return new RubyOutput(token, liquid);
    } catch {
      return parseToken(token, remainTokens); // liquidjs reports the error as it does
    }
  });
}
