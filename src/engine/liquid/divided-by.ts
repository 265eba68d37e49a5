/**
 * Shopify's `divided_by` (floor division of two integers), which liquidjs does not have: whether an operand is a
 * float is read as ./ruby-float.ts reads it (a number literal written with a decimal point is a RubyFloat).
 */
import { toValue } from 'liquidjs';
import { requireOperand, toNumber } from './shopify-filters.ts';
import { decimalQuotient } from './decimal.ts';
import { isFloatOperand, RubyFloat } from './ruby-float.ts';
import type { FilterThis } from './render-state.ts';

/**
 * Shopify's `divided_by`: floor division when both operands are integers (`10 | divided_by: 4` is
 * 2, `-7 | divided_by: 2` is -4), float division when either is a float (`10 | divided_by: 4.0`,
 * `10.0 | divided_by: 4` are 2.5, `10 | divided_by: 2.0` is 5.0); liquidjs always divides as floats. A float is
 * a RubyFloat (a literal written with a decimal point, a float result of another filter), a non-integer value,
 * or a string with a decimal point ("10.0", as Ruby's to_number reads it); an integer value from data counts as
 * an integer. liquidjs' third argument (`divided_by: 4.0, true`) still forces floor division. Division of two
 * integers by zero is an error, as Shopify's ZeroDivisionError, so the render fails with 84003; a float divided by
 * zero (or by 0.0) is Ruby's Infinity, -Infinity or NaN, as Ruby Liquid 5.4.0 (BigDecimal, Float) renders it.
 */
export function dividedByFilter(this: FilterThis, dividend: unknown, divisor: unknown, integerArithmetic?: unknown): number | RubyFloat {
  requireOperand('divided_by', arguments.length);
  const a = toNumber(dividend);
  const b = toNumber(divisor);
  const float = isFloatOperand(dividend) || isFloatOperand(divisor);
  if (!float || +(toValue(integerArithmetic) as number)) {
    if (b === 0) throw new Error('divided by 0');
    return Math.floor(a / b);
  }
  if (b === 0) return new RubyFloat(a / b);
  return new RubyFloat(decimalQuotient(a, b));
}
