// A `\u0000` escape is valid JSON, but Switchboard refuses a Definition holding one (PostgreSQL cannot
// store NUL in text, and a widget's name becomes each step's name): the API names where it is, and the
// `flows` commands check files the same way before anything is sent.

/** The message for a key or string holding a NUL character, after its JSON pointer. */
export const NUL_MESSAGE = 'must not contain a NUL character (\\u0000)';

/** The JSON pointer (from `path`) of the first key or string holding a NUL character, or null. */
export function nulPath(value: unknown, path = '#'): string | null {
  if (typeof value === 'string') return value.includes('\0') ? path : null;
  if (value === null || typeof value !== 'object') return null;
  for (const [key, item] of Object.entries(value)) {
    const at = `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (key.includes('\0')) return at;
    const found = nulPath(item, at);
    if (found !== null) return found;
  }
  return null;
}
