// The way back from an execution to the list it was opened from: the list's filters and page ride
// along in the execution page's query string (execution-list.tsx puts them there), so the
// breadcrumb's "Executions" link, reload and a copied link all return to the same page of the list.
import { consoleSearch } from '../ui/page-query.ts';

/** The query-string keys of the executions list (execution-list.tsx, page-query.ts). */
const LIST_KEYS = ['status', 'from', 'to', 'page', 'token'] as const;

/** The list's part of a query string (`?status=active&page=2…`), '' when there is none. */
export function listSearch(search: string): string {
  const params = new URLSearchParams(search);
  return consoleSearch(Object.fromEntries(LIST_KEYS.map((key) => [key, params.get(key)])));
}

export function executionsListHref(flowSid: string, search: string): string {
  return `/flows/${flowSid}/executions${listSearch(search)}`;
}

export function executionHref(flowSid: string, executionSid: string, listQuery: string): string {
  return `/flows/${flowSid}/executions/${executionSid}${listSearch(listQuery)}`;
}
