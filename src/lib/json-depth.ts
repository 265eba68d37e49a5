// How deeply JSON from outside (a client's Definition or Parameters, a webhook's attributes, an HTTP
// widget's response) may nest. JSON.parse itself copes with any depth, but everything that walks the
// value afterwards — the validator, the engine's copies, JSON.stringify in the stores, Python's json
// in twilio-python clients — recurses and overflows somewhere between ~1,000 and ~10,000 levels. So
// depth is measured here without recursion and anything deeper than the limit is refused (or, for a
// remote server's response, treated as unparsable) where it is parsed, before it is walked or stored.

/** Real flows nest < 10 levels and real parameters a handful; 100 is generous yet far below any recursion limit (Python's json stops near 1,000). */
export const MAX_JSON_DEPTH = 100;

/** "nested more than 100 levels deep (the limit is 100)", to follow a field's name or "is". */
export const TOO_DEEP = `nested more than ${MAX_JSON_DEPTH} levels deep (the limit is ${MAX_JSON_DEPTH})`;

/**
 * Nesting depth of a parsed value: 0 for a scalar, 1 for `{}` or `[1]`, 2 for `{"a":[]}`. Stops
 * counting once past `stopAbove` (returns stopAbove + 1), so a hostile value costs no more than needed.
 */
export function jsonDepth(value: unknown, stopAbove = Infinity): number {
  if (value === null || typeof value !== 'object') return 0;
  let max = 0;
  const stack: [object, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > max) {
      max = depth;
      if (max > stopAbove) return max;
    }
    const children: unknown[] = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return max;
}

/**
 * Nesting depth of JSON text, by counting brackets outside strings (exact for valid JSON; for
 * broken JSON a count JSON.parse will reject anyway). Stops like jsonDepth.
 */
export function jsonTextDepth(text: string, stopAbove = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) {
        max = depth;
        if (max > stopAbove) return max;
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

export function isTooDeep(value: unknown): boolean {
  return jsonDepth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH;
}

export type LimitedParse = { ok: true; value: unknown } | { ok: false; tooDeep: boolean; error: string };

/**
 * A JSON.parse reviver that keeps an integer too large for a double (beyond ±2^53) as its exact digits,
 * a string: an API's 64-bit ID printed by a flow (`{{widgets.api.parsed.id}}`) must not come out rounded
 * (12345678901234567890 → 12345678901234567000). Numbers with a fraction or exponent stay numbers. The price:
 * such a value written out again as JSON (`{{widgets.api.parsed}}`, a body built from it) is a quoted string.
 */
export function exactLargeIntegers(_key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value !== 'number' || Number.isSafeInteger(value) || !context?.source || !/^-?\d+$/.test(context.source)) return value;
  return context.source;
}

/** Whether `text` holds a run of 16 digits, the shortest that can be an integer beyond 2^53 (a cheap pre-check for exactLargeIntegers). */
export function mayHoldLargeIntegers(text: string): boolean {
  return /\d{16}/.test(text);
}

/**
 * JSON.parse that refuses text nested deeper than MAX_JSON_DEPTH before parsing it. `error` is
 * JSON.parse's message, or TOO_DEEP.
 */
export function parseJsonWithinDepth(text: string, reviver?: (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown): LimitedParse {
  if (jsonTextDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) return { ok: false, tooDeep: true, error: TOO_DEEP };
  try {
    return { ok: true, value: JSON.parse(text, reviver as Parameters<typeof JSON.parse>[1]) };
  } catch (error) {
    return { ok: false, tooDeep: false, error: error instanceof Error ? error.message : String(error) };
  }
}
