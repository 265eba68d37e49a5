// Names from a flow (a widget's, a Set Variables key) are data: `__proto__` among them. Assigning
// `object[name]` with that name would set the object's prototype instead (the value then vanishes
// from the context, from Liquid and from JSON); defining the member makes it an own key like any other.

/** Sets `object[key]` to `value` as an own, enumerable member, whatever the key. */
export function setOwn<T>(object: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  else object[key] = value;
}
