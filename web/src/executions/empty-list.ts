// What an empty executions list means: a flow with none (never run, or its ended ones deleted after the
// retention period; said with how to run it), or filters or a page that leave nothing (said as such, not
// as a flow without executions): a date range that ends before it starts, and a page past the last, are named.

export interface ExecutionFilters {
  status: string;
  from: string;
  to: string;
  contact: string;
}

/**
 * 'backwards': "Created from" is later than "to", which no execution can match; 'past-end': an unfiltered
 * page after the last (an old link, or executions deleted since), which has none though the flow does.
 */
export type EmptyExecutions = 'none' | 'none-match' | 'backwards' | 'past-end';

/** Why a page of the list read with `filters` is empty; `page` is the API's page number (0 first). */
export function emptyExecutions(filters: ExecutionFilters, page: number): EmptyExecutions {
  if (filters.from && filters.to && new Date(filters.from).getTime() > new Date(filters.to).getTime()) return 'backwards';
  // A contact of spaces filters nothing (executionsQuery trims it away).
  const filtered = Boolean(filters.status || filters.from || filters.to || filters.contact.trim());
  if (filtered) return 'none-match';
  return page > 0 ? 'past-end' : 'none';
}
