// What an empty executions list means: a flow with none (never run, or its ended ones deleted after the
// retention period; said with how to run it), or filters or a page that leave nothing (said as such, not
// as a flow without executions).

export interface ExecutionFilters {
  status: string;
  from: string;
  to: string;
  contact: string;
}

export type EmptyExecutions = 'none' | 'none-match';

/** Why a page of the list read with `filters` is empty; `page` is the API's page number (0 first). */
export function emptyExecutions(filters: ExecutionFilters, page: number): EmptyExecutions {
  // A contact of spaces filters nothing (executionsQuery trims it away).
  const filtered = Boolean(filters.status || filters.from || filters.to || filters.contact.trim());
  return filtered || page > 0 ? 'none-match' : 'none';
}
