// Query-string values as Twilio list endpoints read them: the first of repeated values, and ISO 8601
// date filters that are a 400 naming the parameter when they do not parse.
import { parseDateFilter } from './dates.ts';
import { errors } from './errors.ts';
import { refuseNul } from './form.ts';

/** The first of a query parameter's values; `name` for the 400 a NUL character in it gets (form.ts refuseNul). */
export function single(value: unknown, name?: string): string | undefined {
  const text = Array.isArray(value) ? (value.length ? String(value[0]) : undefined) : value === undefined ? undefined : String(value);
  return text !== undefined && name !== undefined ? refuseNul(name, text) : text;
}

/**
 * Reads each named date filter present in `query` into `filter[key]` (epoch ms) and records its raw
 * text in `echo`, which list pages repeat in their URLs.
 */
export function readDateFilters<K extends string>(
  query: Record<string, unknown>,
  names: readonly (readonly [name: string, key: K])[],
  filter: { [P in K]?: number | undefined },
  echo: Record<string, string>,
): void {
  for (const [name, key] of names) {
    const text = single(query[name], name);
    if (text === undefined) continue;
    const ms = parseDateFilter(text);
    if (ms === null) {
      // `?DateCreatedFrom=2026-05-01T09:00:00+02:00` typed as is: the query reads its '+' as a space.
      const trimmed = text.trim();
      const spacedOffset = / (\d{2}:?\d{2})$/;
      const unencodedPlus = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)? \d{2}:?\d{2}$/.test(trimmed) && parseDateFilter(trimmed.replace(spacedOffset, '+$1')) !== null;
      const hint = unencodedPlus ? `: the '+' of its offset arrived as a space, as a '+' written unencoded in a URL does; write it %2B (${trimmed.replace(spacedOffset, '%2B$1')})` : '';
      throw errors.invalidParameter(name, `'${text}' is not an ISO 8601 date-time${hint}`);
    }
    filter[key] = ms;
    echo[name] = text;
  }
}
