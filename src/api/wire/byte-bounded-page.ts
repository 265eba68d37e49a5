// A list page bounded by bytes as well as rows. Each item is serialised as it is read, and the page
// stops early once the next item would take it past the byte budget (it always holds at least one).
// The store is read in small chunks, so a page of large items never sits in memory whole as records:
// only its serialised text does, which the budget bounds. Paging is keyset-based, so the page's
// first and last positions are exact and next_page_url continues right after the last item returned
// (an SDK following it sees every item once).
import type { FastifyReply } from 'fastify';
import type { PageRequest, PageResult } from '../../runtime/ports/store.ts';

/** What a list page (executions, steps, flows, revisions) may hold before it stops early (the answer to one GET). */
export const LIST_PAGE_BYTES = 16 * 1024 * 1024;

/** Rows read first, before anything is known of their size; then chunks sized by the largest item seen. */
const FIRST_CHUNK_ROWS = 10;
/** At most this many rows are held as records at once, however small the items seen so far were. */
const MAX_CHUNK_ROWS = 50;

export interface SerialisedPage {
  /** The page's items, each as JSON text, in the list's order. */
  items: string[];
  /** Positions as PageResult has them, for pageMeta. */
  firstPosition: string | null;
  lastPosition: string | null;
  hasMore: boolean;
}

export type PageReader<T> = (request: PageRequest) => Promise<PageResult<T>>;

/** Reads the page `request` asks for, cut short where its serialised items would pass `budgetBytes`. */
export async function readByteBoundedPage<T>(
  read: PageReader<T>,
  request: PageRequest,
  serialise: (item: T) => string,
  budgetBytes: number = LIST_PAGE_BYTES,
): Promise<SerialisedPage> {
  return request.cursor?.direction === 'before' ? readBackward(read, request, serialise, budgetBytes) : readForward(read, request, serialise, budgetBytes);
}

/** A list page written from its items' JSON text, as they were measured. `meta` is pageMeta's block. */
export function sendSerialisedPage(reply: FastifyReply, meta: object, key: string, items: string[]): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(`{"meta":${JSON.stringify(meta)},"${key}":[${items.join(',')}]}`);
}

/** Rows for the next chunk: as many as the budget left holds at the largest size seen, within the bounds. */
function chunkRows(wanted: number, budgetLeft: number, largest: number): number {
  const fit = largest > 0 ? Math.floor(budgetLeft / largest) : MAX_CHUNK_ROWS;
  return Math.max(1, Math.min(wanted, MAX_CHUNK_ROWS, fit));
}

/** The first page, a `Page=N` page or one after a cursor: chunks read forwards from where it starts. */
async function readForward<T>(read: PageReader<T>, request: PageRequest, serialise: (item: T) => string, budget: number): Promise<SerialisedPage> {
  const page: SerialisedPage = { items: [], firstPosition: null, lastPosition: null, hasMore: false };
  let bytes = 0;
  let largest = 0;
  // The chunk's start: the page's own (offset or cursor), then right after the previous chunk.
  let start: Omit<PageRequest, 'pageSize'> = { cursor: request.cursor, offset: request.offset };
  let size = Math.min(request.pageSize, FIRST_CHUNK_ROWS);
  for (;;) {
    const chunk = await read({ ...start, pageSize: size });
    page.firstPosition ??= chunk.firstPosition;
    for (let i = 0; i < chunk.items.length; i++) {
      const text = serialise(chunk.items[i]!);
      const itemBytes = Buffer.byteLength(text, 'utf8');
      if (page.items.length > 0 && bytes + itemBytes > budget) {
        // The page ends before this item. Its position is not known mid-chunk: the chunk's first i rows, read again, end there.
        if (i > 0) page.lastPosition = (await read({ ...start, pageSize: i })).lastPosition;
        page.hasMore = true;
        return page;
      }
      page.items.push(text);
      bytes += itemBytes;
      largest = Math.max(largest, itemBytes);
    }
    if (chunk.items.length > 0) page.lastPosition = chunk.lastPosition;
    page.hasMore = chunk.hasMore;
    const wanted = request.pageSize - page.items.length;
    if (!chunk.hasMore || chunk.items.length < size || wanted === 0 || chunk.lastPosition === null) return page;
    start = { cursor: { direction: 'after', position: chunk.lastPosition } };
    size = chunkRows(wanted, budget - bytes, largest);
  }
}

/**
 * A previous page (a `before` cursor): the rows just ahead of the cursor, read in chunks backwards from
 * it, so that a page cut short by the budget still ends right before the cursor (where its next page starts).
 */
async function readBackward<T>(read: PageReader<T>, request: PageRequest, serialise: (item: T) => string, budget: number): Promise<SerialisedPage> {
  const reversed: string[] = [];
  let firstPosition: string | null = null;
  let lastPosition: string | null = null;
  let hasMore = false;
  let bytes = 0;
  let largest = 0;
  let position = request.cursor!.position;
  let size = Math.min(request.pageSize, FIRST_CHUNK_ROWS);
  const done = (): SerialisedPage => ({ items: reversed.reverse(), firstPosition, lastPosition, hasMore });
  for (let first = true; ; first = false) {
    const chunk = await read({ cursor: { direction: 'before', position }, pageSize: size });
    if (first) {
      // The first chunk holds the page's last item: whether rows follow the page is known from it.
      lastPosition = chunk.lastPosition;
      hasMore = chunk.hasMore;
    }
    for (let i = chunk.items.length - 1; i >= 0; i--) {
      const text = serialise(chunk.items[i]!);
      const itemBytes = Buffer.byteLength(text, 'utf8');
      if (reversed.length > 0 && bytes + itemBytes > budget) {
        const kept = chunk.items.length - 1 - i;
        if (kept > 0) firstPosition = (await read({ cursor: { direction: 'before', position }, pageSize: kept })).firstPosition;
        return done();
      }
      reversed.push(text);
      bytes += itemBytes;
      largest = Math.max(largest, itemBytes);
    }
    if (chunk.items.length > 0) firstPosition = chunk.firstPosition;
    const wanted = request.pageSize - reversed.length;
    if (chunk.items.length < size || wanted === 0 || chunk.firstPosition === null) return done();
    position = chunk.firstPosition;
    size = chunkRows(wanted, budget - bytes, largest);
  }
}
