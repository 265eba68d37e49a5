// Twilio v1/v2 paging: PageSize (default 50, clamped to 1000), Page, PageToken (PA…/PB… keyset
// tokens we issue) and a `meta` block whose URLs are absolute and carry every filter, because
// clients follow next_page_url verbatim and never re-add parameters.
import type { PageRequest, PageResult } from '../../runtime/ports/store.ts';
import { errors } from './errors.ts';
import { single } from './query.ts';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

export interface PagingQuery {
  pageSize: number;
  page: number;
  pageToken: string | undefined;
  request: PageRequest;
}

export function parsePaging(query: Record<string, unknown>): PagingQuery {
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
    const match = /^(PA|PB)(\d{1,15})$/.exec(pageToken);
    if (!match) throw errors.invalidPageToken();
    request.cursor = { direction: match[1] === 'PA' ? 'after' : 'before', position: match[2]! };
  } else if (page > 0) {
    request.offset = page * pageSize;
  }
  return { pageSize, page, pageToken, request };
}

/**
 * Builds the `meta` block. `baseUrl` is the absolute URL of the list without query; `filters`
 * are the list's filter parameters exactly as they must be repeated on every page.
 */
export function pageMeta(
  key: string,
  baseUrl: string,
  filters: Record<string, string>,
  paging: PagingQuery,
  result: PageResult<unknown>,
) {
  const build = (page: number, token?: string) => {
    const params = new URLSearchParams(filters);
    params.set('PageSize', String(paging.pageSize));
    params.set('Page', String(page));
    if (token) params.set('PageToken', token);
    return `${baseUrl}?${params.toString()}`;
  };
  return {
    page: paging.page,
    page_size: paging.pageSize,
    first_page_url: build(0),
    previous_page_url: paging.page > 0 && result.firstPosition !== null ? build(paging.page - 1, `PB${result.firstPosition}`) : null,
    url: build(paging.page, paging.pageToken),
    next_page_url: result.hasMore && result.lastPosition !== null ? build(paging.page + 1, `PA${result.lastPosition}`) : null,
    key,
  };
}
