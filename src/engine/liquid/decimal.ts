/**
 * Exact decimal arithmetic for the math filters, as Shopify's Utils.to_number does it: a float operand becomes
 * the BigDecimal its printed form writes, the operation is exact, and the result is turned back into the nearest
 * float (`0.1 | plus: 0.2` is 0.3, `"19.99" | times: 100` 1999, `183.357 | modulo: 12` 3.357). A JS number's
 * printed form is the shortest that reads back as it, as Ruby's Float#to_s, so both start from the same decimal.
 * BigInt holds the digits; a double has at most ~770 significant decimal digits once its exponent is spelled out,
 * so the work per operation stays small whatever the operands.
 */

/** `digits / 10^scale`, scale >= 0. */
interface Decimal {
  digits: bigint;
  scale: number;
}

const NUMBER_TEXT = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/;

/** A finite number as the decimal it prints as ("0.1", "1e+21", "1.5e-7"). */
function decimalOf(n: number): Decimal {
  const m = NUMBER_TEXT.exec(String(n))!;
  const fraction = m[3] ?? '';
  const scale = fraction.length - Number(m[4] ?? 0);
  const digits = BigInt(`${m[1]}${m[2]}${fraction}`);
  return scale >= 0 ? { digits, scale } : { digits: digits * 10n ** BigInt(-scale), scale: 0 };
}

/** Both operands' digits at the larger scale. */
function aligned(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale);
  return [a.digits * 10n ** BigInt(scale - a.scale), b.digits * 10n ** BigInt(scale - b.scale), scale];
}

/** The float nearest to the exact decimal (as BigDecimal#to_f). */
function toFloat(digits: bigint, scale: number): number {
  return Number(`${digits}e-${scale}`);
}

export type DecimalOperation = 'plus' | 'minus' | 'times' | 'modulo';

/**
 * `a op b` computed exactly on the operands' decimals when one of them has a fraction; two integers are left to
 * float arithmetic (exact up to 2^53, and beyond it as the filters always answered). `modulo` is floored, as
 * Ruby's (the sign of the divisor); the caller refuses a zero divisor.
 */
export function decimalArithmetic(op: DecimalOperation, a: number, b: number): number {
  const exact = Number.isFinite(a) && Number.isFinite(b) && !(Number.isInteger(a) && Number.isInteger(b));
  if (!exact) return floatArithmetic(op, a, b);
  const x = decimalOf(a);
  const y = decimalOf(b);
  if (op === 'times') return toFloat(x.digits * y.digits, x.scale + y.scale);
  const [p, q, scale] = aligned(x, y);
  if (op === 'plus') return toFloat(p + q, scale);
  if (op === 'minus') return toFloat(p - q, scale);
  let r = p % q;
  if (r !== 0n && r < 0n !== q < 0n) r += q;
  return toFloat(r, scale);
}

/**
 * Float division on the operands' decimals (`0.3 | divided_by: 0.1` is 3, not 2.9999999999999996), as
 * BigDecimal#/ then #to_f: at one scale both are integers, whose quotient as floats is the nearest one
 * while they stay below 2^53 (the operands' decimals of everyday amounts always do).
 */
export function decimalQuotient(a: number, b: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b) || (Number.isInteger(a) && Number.isInteger(b))) return a / b;
  const [p, q] = aligned(decimalOf(a), decimalOf(b));
  const quotient = Number(p) / Number(q);
  // Operands of very different scales (1e-320 and 2) align beyond a double's range: divide as floats.
  return Number.isFinite(quotient) && (quotient !== 0 || a === 0) ? quotient : a / b;
}

function floatArithmetic(op: DecimalOperation, a: number, b: number): number {
  if (op === 'plus') return a + b;
  if (op === 'minus') return a - b;
  if (op === 'times') return a * b;
  return ((a % b) + b) % b;
}
