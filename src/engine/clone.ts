// Deep copy of plain JSON data (execution state) for the interpreter's "input is never modified"
// rule. structuredClone was the engine's largest single cost (profile of bench scenario 4); a
// plain recursive copy of objects and arrays is several times faster. Anything that is not a plain
// object or array (a Date, say) still goes through structuredClone, so the result is the same.
export function cloneJson<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const copy = new Array(value.length);
    for (let i = 0; i < value.length; i++) copy[i] = cloneJson(value[i]);
    return copy as T;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const item = cloneJson((value as Record<string, unknown>)[key]);
    // A "__proto__" key from JSON.parse is data; assigning it would set the prototype instead.
    if (key === '__proto__') Object.defineProperty(copy, key, { value: item, enumerable: true, writable: true, configurable: true });
    else copy[key] = item;
  }
  return copy as T;
}
