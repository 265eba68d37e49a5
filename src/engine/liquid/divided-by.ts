/**
 * Shopify's `divided_by` (floor division of two integers), which liquidjs does not have: whether an operand is
 * written as a float is read from its value and, for a number literal, from the parse tree, which the parse
 * cache has noteDecimalLiteralInputs mark when it parses a template.
 */
import { TypeGuards, toValue } from 'liquidjs';
import type { Template } from 'liquidjs';
import { findInValues } from '../../definition/liquid-syntax.ts';
import { isDecimalText, requireOperand, toNumber } from './shopify-filters.ts';
import { decimalQuotient } from './decimal.ts';
import type { FilterThis, FilterToken } from './render-state.ts';

/** An operand that is an integer: an integer value not written with a decimal point ("10", not "10.0"). */
function isIntegerOperand(value: unknown, n: number): boolean {
  if (!Number.isInteger(n)) return false;
  const v = toValue(value);
  return typeof v !== 'string' || !isDecimalText(v);
}

/** A number literal written with a decimal point: `4.0`, `-10.0`. */
function isDecimalLiteral(token: unknown): boolean {
  return TypeGuards.isNumberToken(token as never) && (token as FilterToken).getText().includes('.');
}

/** `divided_by` filters whose input is a number literal written with a decimal point (`{{ 10.0 | divided_by: 4 }}`). */
const decimalLiteralInputs = new WeakSet<FilterToken>();

/**
 * Note, in parsed templates, the `divided_by` filters applied directly to a decimal literal: the
 * filter only receives the number 10, so how it was written is read from the parse tree here.
 * Walks every tag's arguments and children without recursion.
 */
export function noteDecimalLiteralInputs(templates: Template[]): void {
  findInValues(templates, (value) => {
    const first = value.filters[0] as unknown as { name: string; token: FilterToken } | undefined;
    const postfix = value.initial.postfix;
    if (first?.name === 'divided_by' && postfix.length === 1 && isDecimalLiteral(postfix[0])) decimalLiteralInputs.add(first.token);
    return undefined;
  });
}

/**
 * Shopify's `divided_by`: floor division when both operands are integers (`10 | divided_by: 4` is
 * 2, `-7 | divided_by: 2` is -4), float division when either is a float (`10 | divided_by: 4.0`,
 * `10.0 | divided_by: 4` are 2.5); liquidjs always divides as floats. JS numbers cannot tell 4
 * from 4.0, so a float is a non-integer value, a number literal in the template written with a
 * decimal point (the divisor, or the input when the filter applies to the literal directly), or a
 * string with one ("10.0", as Ruby's to_number reads it). An integer value from data or from a
 * previous filter counts as an integer. liquidjs' third argument (`divided_by: 4.0, true`) still
 * forces floor division. Division by zero is an error, as Shopify's ZeroDivisionError, so the
 * render fails with 84003 rather than printing "Infinity".
 */
export function dividedByFilter(this: FilterThis, dividend: unknown, divisor: unknown, integerArithmetic?: unknown): number {
  requireOperand('divided_by', arguments.length);
  const a = toNumber(dividend);
  const b = toNumber(divisor);
  if (b === 0) throw new Error('divided by 0');
  const token = this.token;
  const integers =
    isIntegerOperand(dividend, a) &&
    isIntegerOperand(divisor, b) &&
    (token === undefined || (!isDecimalLiteral(token.args[0]) && !decimalLiteralInputs.has(token)));
  return integers || +(toValue(integerArithmetic) as number) ? Math.floor(a / b) : decimalQuotient(a, b);
}
