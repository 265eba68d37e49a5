// A list's state in the console's own query string (filters, page number and page token), so Back,
// reload and a copied link show the same page. The API's page URLs carry Page and PageToken; the
// console mirrors them as `page` and `token` and builds the API URL back from them.
import { relativeUrl } from '../api/client.ts';

export interface PagePosition {
  page: string | null;
  token: string | null;
}

/** The page an API page URL (meta.next_page_url …) points at. */
export function pageOf(apiUrl: string): PagePosition {
  const params = new URL(relativeUrl(apiUrl), 'http://x').searchParams;
  return { page: params.get('Page'), token: params.get('PageToken') };
}

/** The position in a console query string; page 0 without a token is the first page. */
export function positionIn(search: URLSearchParams): PagePosition {
  const page = search.get('page');
  const token = search.get('token');
  return { page: page && /^\d+$/.test(page) ? page : null, token: token && /^P[AB]\d+$/.test(token) ? token : null };
}

/** The API list URL for a position. */
export function atPosition(apiPath: string, position: PagePosition): string {
  const [path, query = ''] = apiPath.split('?');
  const params = new URLSearchParams(query);
  if (position.page && position.page !== '0') params.set('Page', position.page);
  if (position.token) params.set('PageToken', position.token);
  return `${path}?${params}`;
}

/** A console query string (with its "?", or '' when empty) from fields; empty ones are left out. */
export function consoleSearch(fields: Record<string, string | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) if (value) params.set(key, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}
