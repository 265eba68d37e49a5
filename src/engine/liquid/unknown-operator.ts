/**
 * A condition Ruby's lax parser read with an operator it does not know (`{% if a. b %}` reads `b` as the operator,
 * see laxCondition in ../../definition/liquid-syntax.ts) raises Ruby's Liquid::ArgumentError, "Unknown operator b",
 * when it is evaluated, and only then: Ruby's Condition stops at the first `or` part that is truthy and the first
 * `and` part that is not (`{% if true or a. b %}` renders its body). liquidjs evaluates every operand before any
 * `and`/`or` and applies them right to left, so a read of the operator gives a value that fails when its truth is
 * needed (UnknownOperatorFailure), and `and`/`or` pass it on, unread, where Ruby would have evaluated it (see
 * shortCircuit): `false and (a. b or true)` is false, `true and (a. b or true)` fails.
 */
import { Drop, toValue } from 'liquidjs';
import type { Context } from 'liquidjs';

/** A condition with an unknown operator: failing with Ruby's error when its truth is read (toValue, isTruthy). */
export class UnknownOperatorFailure extends Drop {
  private readonly operator: string;
  constructor(operator: string) {
    super();
    this.operator = operator;
  }
  override valueOf(): never {
    throw new Error(`Unknown operator ${this.operator}`);
  }
}

/** What UNKNOWN_OPERATOR_VARIABLE holds: its member `["b"]` is the condition read with the operator `b`. */
export class UnknownOperator extends Drop {
  override liquidMethodMissing(key: unknown): UnknownOperatorFailure {
    return new UnknownOperatorFailure(String(key));
  }
}

function truthy(v: unknown): boolean {
  const value = toValue(v);
  return value !== false && value !== null && value !== undefined;
}

/**
 * Ruby's `and`/`or`, the left part first: a failing left part fails (passed on, so that an outer `and`/`or` that
 * would not have reached it can drop it), else the left part decides or the right part is the result.
 */
export function shortCircuit(operator: 'and' | 'or') {
  return function* (l: unknown, r: unknown, _ctx: Context): Generator<unknown, unknown, unknown> {
    if (l instanceof UnknownOperatorFailure) return l;
    if (truthy(l) === (operator === 'or')) return operator === 'or';
    return r instanceof UnknownOperatorFailure ? r : truthy(r);
  };
}
