// Twilio v1/v2 paging: PageSize (default 50, clamped to 1000), Page, PageToken (PA…/PB… keyset
// tokens we issue) and a `meta` block whose URLs are absolute and carry every filter, because
// clients follow next_page_url verbatim and never re-add parameters.
import { createHash } from 'node:crypto';
import type { PageRequest, PageResult } from '../../runtime/ports/store.ts';
import { errors } from './errors.ts';
import { single } from './query.ts';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

/**
 * The list a page belongs to: the account reading it, its collection path (no host, no public base:
 * `/v2/Flows/FW…/Executions`) and its filters, exactly as they must be repeated on every page.
 */
export interface PagedList {
  accountSid: string;
  path: string;
  filters: Record<string, string>;
}

export interface PagingQuery {
  pageSize: number;
  page: number;
  pageToken: string | undefined;
  request: PageRequest;
  list: PagedList;
}

type Direction = 'after' | 'before';

/**
 * A PageToken: `PA` (the rows after) or `PB` (the rows before) a store position, `_`, and a check tying it
 * to the account, list and filters that issued it: 12 base64url characters of a SHA-256 over them. Clients
 * may only follow the paging URLs a list returned (Twilio's 21481): a token taken to another list, another
 * account (`/v2/Flows` is every account's path) or other filters, or edited, fails the check. No secret is
 * needed: the check catches a misapplied token, and a well-formed forged one only names a position in a
 * list the account may read anyway.
 */
const TOKEN = /^(PA|PB)(\d{1,15})_([A-Za-z0-9_-]{12})$/;

function tokenCheck(list: PagedList, prefix: string, position: string): string {
  const filters = Object.entries(list.filters).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256')
    .update(JSON.stringify(['switchboard-page-token/2', list.accountSid, list.path, filters, prefix, position]))
    .digest('base64url')
    .slice(0, 12);
}

export function pageToken(list: PagedList, direction: Direction, position: string): string {
  const prefix = direction === 'after' ? 'PA' : 'PB';
  return `${prefix}${position}_${tokenCheck(list, prefix, position)}`;
}

/**
 * Reads a list's paging parameters for `list` (see PagedList): a PageToken it did not issue is a 400/21481.
 */
export function parsePaging(query: Record<string, unknown>, list: PagedList): PagingQuery {
  const sizeText = single(query.PageSize);
  let pageSize = DEFAULT_PAGE_SIZE;
  if (sizeText !== undefined) {
    if (!/^\d+$/.test(sizeText) || Number(sizeText) < 1) throw errors.invalidParameter('PageSize', 'must be a positive integer');
    pageSize = Math.min(Number(sizeText), MAX_PAGE_SIZE);
  }
  const pageText = single(query.Page);
  let page = 0;
  if (pageText !== undefined) {
    if (!/^\d+$/.test(pageText)) throw errors.invalidParameter('Page', 'must be a non-negative integer');
    page = Number(pageText);
    // Beyond this the row offset is no longer an exact integer (the store would fail: a 500).
    if (!Number.isSafeInteger(page * pageSize)) throw errors.invalidParameter('Page', 'is too large');
  }
  const pageToken = single(query.PageToken);
  const request: PageRequest = { pageSize };
  if (pageToken !== undefined) {
    const match = TOKEN.exec(pageToken);
    if (!match || match[3] !== tokenCheck(list, match[1]!, match[2]!)) throw errors.invalidPageToken();
    request.cursor = { direction: match[1] === 'PA' ? 'after' : 'before', position: match[2]! };
  } else if (page > 0) {
    request.offset = page * pageSize;
  }
  return { pageSize, page, pageToken, request, list };
}

/**
 * Builds the `meta` block of the list `paging` was parsed for. `base` is the public base URL
 * (base-urls.ts); the URLs are `base` + the list's path, with its filters and paging parameters.
 */
export function pageMeta(key: string, base: string, paging: PagingQuery, result: PageResult<unknown>) {
  const { list } = paging;
  const build = (page: number, token?: string) => {
    const params = new URLSearchParams(list.filters);
    params.set('PageSize', String(paging.pageSize));
    params.set('Page', String(page));
    if (token) params.set('PageToken', token);
    return `${base}${list.path}?${params.toString()}`;
  };
  return {
    page: paging.page,
    page_size: paging.pageSize,
    first_page_url: build(0),
    previous_page_url:
      paging.page > 0 && result.firstPosition !== null ? build(paging.page - 1, pageToken(list, 'before', result.firstPosition)) : null,
    url: build(paging.page, paging.pageToken),
    next_page_url: result.hasMore && result.lastPosition !== null ? build(paging.page + 1, pageToken(list, 'after', result.lastPosition)) : null,
    key,
  };
}
