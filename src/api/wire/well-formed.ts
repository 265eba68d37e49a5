// Text from outside made well-formed UTF-16. Invalid UTF-8 in a form, a body or a query already
// decodes to U+FFFD; the one way a lone surrogate gets in is a JSON escape (`"\ud800"`) in a JSON body
// or in a JSON-in-form field such as Definition or Parameters. No store keeps one faithfully:
// PostgreSQL refuses it in jsonb and text (22P02), failing the whole batch of writes it was committed
// with, and SQLite would keep what PostgreSQL refuses. So it becomes U+FFFD too, as its bytes would
// have in a form: one rule for every field, and the request is served rather than refused.

/** `text` with each lone surrogate replaced by U+FFFD (the check first: almost all text is already well formed). */
export function wellFormed(text: string): string {
  return text.isWellFormed() ? text : text.toWellFormed();
}

/**
 * Parsed JSON with every string and object key well formed: fixed in place, except that an object with
 * an ill-formed key is copied (keeping its key order). Recursive: callers pass values they have
 * already bounded in depth (src/lib/json-depth.ts).
 */
export function wellFormedJson(value: unknown): unknown {
  if (typeof value === 'string') return wellFormed(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = wellFormedJson(value[i]);
    return value;
  }
  const object = value as Record<string, unknown>;
  let keysWellFormed = true;
  for (const key of Object.keys(object)) {
    const item = object[key];
    const fixed = wellFormedJson(item);
    if (fixed !== item) object[key] = fixed;
    if (!key.isWellFormed()) keysWellFormed = false;
  }
  // fromEntries defines own properties, so a "__proto__" key stays a key, as JSON.parse made it.
  return keysWellFormed ? object : Object.fromEntries(Object.entries(object).map(([key, item]) => [wellFormed(key), item]));
}
