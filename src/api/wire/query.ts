// Query-string values as Twilio list endpoints read them: the first of repeated values, and ISO 8601
// date filters that are a 400 naming the parameter when they do not parse.
import { parseDateFilter } from './dates.ts';
import { errors } from './errors.ts';

export function single(value: unknown): string | undefined {
  if (Array.isArray(value)) return value.length ? String(value[0]) : undefined;
  return value === undefined ? undefined : String(value);
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
    const text = single(query[name]);
    if (text === undefined) continue;
    const ms = parseDateFilter(text);
    if (ms === null) throw errors.invalidParameter(name, `'${text}' is not an ISO 8601 date-time`);
    filter[key] = ms;
    echo[name] = text;
  }
}
