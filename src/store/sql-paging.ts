// Keyset paging, planned once for both SQL backends. The plan is a generator that yields each query
// and is handed back its rows, so the SQLite store drives it synchronously (node:sqlite) and the
// PostgreSQL store with await; the SQL is the same `?` text for both.
import type { PageRequest, PageResult } from '../runtime/ports/store.ts';
import type { Row } from './sql-rows.ts';

/** A list paged on an integer column `key` of `table`, narrowed by `where` (with its `?` params). */
export interface KeysetList<T> {
  table: string;
  key: string;
  where: string;
  params: (string | number)[];
  map: (row: Row) => T;
  /** The columns `map` reads, `key` among them; '*' (the default) reads them all. */
  columns?: string;
  /** 'desc' (the default): newest first. */
  order?: 'asc' | 'desc';
}

export interface PageQuery {
  sql: string;
  params: (string | number)[];
}

export type PagePlan<T> = Generator<PageQuery, PageResult<T>, Row[]>;

/**
 * 'desc' lists newest first: a cursor 'after' p lists rows older than p, 'before' p the rows just
 * newer than p (the previous page). 'asc' lists in chronological order: 'after' p lists rows later
 * than p, 'before' p the rows just earlier. Either way the page comes back in the list's own order,
 * and hasMore tells whether rows follow its last item (a next page exists).
 */
export function* planPage<T>(list: KeysetList<T>, page: PageRequest): PagePlan<T> {
  const { table, key, where, params } = list;
  const columns = list.columns ?? '*';
  const desc = (list.order ?? 'desc') === 'desc';
  const forward = desc ? 'DESC' : 'ASC';
  const backward = desc ? 'ASC' : 'DESC';
  const past = desc ? '<' : '>';
  const behind = desc ? '>' : '<';
  const limit = page.pageSize + 1;
  let rows: Row[];
  let hasMore: boolean;
  if (page.cursor) {
    const position = Number(page.cursor.position);
    if (page.cursor.direction === 'after') {
      rows = yield { sql: `SELECT ${columns} FROM ${table} WHERE ${where} AND ${key} ${past} ? ORDER BY ${key} ${forward} LIMIT ?`, params: [...params, position, limit] };
      hasMore = rows.length > page.pageSize;
      rows = rows.slice(0, page.pageSize);
    } else {
      rows = yield { sql: `SELECT ${columns} FROM ${table} WHERE ${where} AND ${key} ${behind} ? ORDER BY ${key} ${backward} LIMIT ?`, params: [...params, position, page.pageSize] };
      rows.reverse();
      // The page was read backwards: whether rows follow it takes a look past its last item.
      const from = rows.length ? Number(rows[rows.length - 1]![key]) : position;
      const next = yield { sql: `SELECT 1 AS found FROM ${table} WHERE ${where} AND ${key} ${past} ? LIMIT 1`, params: [...params, from] };
      hasMore = next.length > 0;
    }
  } else {
    rows = yield { sql: `SELECT ${columns} FROM ${table} WHERE ${where} ORDER BY ${key} ${forward} LIMIT ? OFFSET ?`, params: [...params, limit, page.offset ?? 0] };
    hasMore = rows.length > page.pageSize;
    rows = rows.slice(0, page.pageSize);
  }
  return {
    items: rows.map(list.map),
    firstPosition: rows.length ? String(rows[0]![key]) : null,
    lastPosition: rows.length ? String(rows[rows.length - 1]![key]) : null,
    hasMore,
  };
}

/** Runs a plan whose queries answer at once (node:sqlite). */
export function runPlan<T>(plan: PagePlan<T>, query: (q: PageQuery) => Row[]): PageResult<T> {
  let step = plan.next();
  while (!step.done) step = plan.next(query(step.value));
  return step.value;
}

/** Runs a plan whose queries answer later (node-postgres). */
export async function runPlanAsync<T>(plan: PagePlan<T>, query: (q: PageQuery) => Promise<Row[]>): Promise<PageResult<T>> {
  let step = plan.next();
  while (!step.done) step = plan.next(await query(step.value));
  return step.value;
}
