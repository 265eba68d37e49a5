// The alerts of one execution, read with /v1/Alerts?ResourceSid=FN… (a Switchboard extension: Twilio's
// Monitor filters by level and date only, and reading the account's alerts to pick out one execution's
// missed them on a busy account). The newest MAX_ALERTS at first; as the execution goes on, only those
// from shortly before the newest one known, merged in. Pure; test/web/execution-page.test.ts.
import type { Alert } from '../api/types.ts';

/** What the page keeps and shows: an execution with more (a loop of warnings) shows its newest ones. */
export const MAX_ALERTS = 1000;
const PAGE_SIZE = 200;
/** A re-read starts this long before the newest alert known: alerts of one sprint share a second, and nodes' clocks differ a little. */
const REREAD_MARGIN_MS = 60_000;

/** The first page of this execution's alerts, newest first; `since` (ISO date, inclusive) for a re-read. */
export function alertsUrl(executionSid: string, since: string | null = null): string {
  const params = new URLSearchParams({ ResourceSid: executionSid, PageSize: String(PAGE_SIZE) });
  if (since !== null) params.set('StartDate', since);
  return `/v1/Alerts?${params}`;
}

export interface AlertPage {
  alerts: Alert[];
  meta: { next_page_url: string | null };
}

export interface AlertsRead {
  alerts: Alert[];
  /** False when pages were left unread at `limit`: older alerts are missing. */
  complete: boolean;
}

/** Follows next_page_url (it keeps the filter) until the list ends or `limit` alerts are read. */
export async function readAlerts(get: (url: string) => Promise<AlertPage>, url: string, limit = MAX_ALERTS): Promise<AlertsRead> {
  const alerts: Alert[] = [];
  let next: string | null = url;
  while (next !== null && alerts.length < limit) {
    const page: AlertPage = await get(next);
    alerts.push(...page.alerts);
    next = page.meta.next_page_url;
  }
  return { alerts: alerts.slice(0, limit), complete: next === null && alerts.length <= limit };
}

export interface ExecutionAlert {
  sid: string;
  level: 'error' | 'warning';
  code: string;
  message: string;
  widget: string | null;
  moreInfo: string;
  date: string;
}

export interface ExecutionAlerts {
  /** Oldest first. */
  alerts: ExecutionAlert[];
  /** Older alerts than these exist and are not shown. */
  truncated: boolean;
}

/**
 * Oldest first. Dates are to the second, and the alerts of one sprint share one: those are kept in the order
 * they are given (a stable sort), which is the order they were raised in (the API lists them by sequence).
 */
function byDate(a: ExecutionAlert, b: ExecutionAlert): number {
  return Date.parse(a.date) - Date.parse(b.date);
}

/**
 * This execution's alerts, oldest first, with the message and widget read out of alert_text. `alerts` is
 * as /v1/Alerts lists them: newest first, by the order they were written in, which orders those of one second.
 */
export function alertsOf(alerts: Alert[], executionSid: string): ExecutionAlert[] {
  return [...alerts]
    .reverse()
    .filter((alert) => alert.resource_sid === executionSid)
    .map((alert) => {
      const text = new URLSearchParams(alert.alert_text);
      return {
        sid: alert.sid,
        level: alert.log_level,
        code: alert.error_code,
        message: text.get('Msg') ?? alert.alert_text,
        widget: text.get('widget'),
        moreInfo: alert.more_info,
        date: alert.date_created,
      };
    })
    .sort(byDate);
}

/** What was known with what a read brought (the same alert once), the newest `limit` of them. */
export function mergeAlerts(known: ExecutionAlerts | null, read: AlertsRead, executionSid: string, limit = MAX_ALERTS): ExecutionAlerts {
  // Those known first (a Map keeps where a key was first set), then those new in this read, in its order: a
  // re-read starts before the newest known alert, so what it brings that was not known is newer.
  const bySid = new Map<string, ExecutionAlert>();
  for (const alert of [...(known?.alerts ?? []), ...alertsOf(read.alerts, executionSid)]) bySid.set(alert.sid, alert);
  const all = [...bySid.values()].sort(byDate);
  return { alerts: all.slice(-limit), truncated: (known?.truncated ?? false) || !read.complete || all.length > limit };
}

/** Where a re-read starts: shortly before the newest alert known; null (read them all) while none is. */
export function rereadSince(known: ExecutionAlerts | null): string | null {
  const newest = known?.alerts.reduce((max, alert) => Math.max(max, Date.parse(alert.date)), Number.NEGATIVE_INFINITY) ?? Number.NEGATIVE_INFINITY;
  if (!Number.isFinite(newest)) return null;
  return new Date(newest - REREAD_MARGIN_MS).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
