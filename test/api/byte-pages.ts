// Walking a list bounded by bytes (byte-bounded-page.ts) on the wire, for the list-page tests: every page
// by next_page_url, each checked to be a JSON page of PageSize=1000 within LIST_PAGE_BYTES.
import assert from 'node:assert/strict';
import { LIST_PAGE_BYTES } from '../../src/api/wire/byte-bounded-page.ts';
import type { InjectResponse } from '../support/server.ts';

/**
 * Every page from `first` on, following next_page_url with `follow`: each page's items under `key`. Fails
 * past `maxPages` pages (a list that never ends).
 */
export async function walkBytePages<T = Record<string, unknown>>(
  first: InjectResponse,
  key: string,
  follow: (absoluteUrl: string) => Promise<InjectResponse>,
  maxPages = Infinity,
): Promise<T[][]> {
  const pages: T[][] = [];
  let res = first;
  for (;;) {
    assert.equal(res.statusCode, 200, res.body.slice(0, 300));
    assert.match(String(res.headers['content-type']), /^application\/json/);
    const body = res.json();
    assert.equal(body.meta.key, key);
    assert.equal(body.meta.page_size, 1000);
    const items = body[key] as T[];
    assert.ok(items.length >= 1);
    const bytes = items.reduce((sum, item) => sum + Buffer.byteLength(JSON.stringify(item)), 0);
    assert.ok(bytes <= LIST_PAGE_BYTES, `page ${pages.length}: ${items.length} items, ${bytes} bytes`);
    pages.push(items);
    if (body.meta.next_page_url === null) return pages;
    assert.ok(pages.length <= maxPages, 'paging ends');
    res = await follow(body.meta.next_page_url);
  }
}
