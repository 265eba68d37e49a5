// The alerts of one execution. /v1/Alerts filters by log level and date only (as Twilio's Monitor
// does), so the console asks for those dated from the execution's start (to shortly after its end)
// and keeps the ones whose resource is this execution. Pure; test/web/execution-page.test.ts.
import type { Alert, Execution } from '../api/types.ts';

/** An ended execution's alerts are written when it ends; a minute's margin covers clocks and slow writes. */
const AFTER_END_MS = 60_000;

export function alertsUrl(execution: Pick<Execution, 'date_created' | 'date_updated' | 'status'>): string {
  const params = new URLSearchParams({ StartDate: execution.date_created, PageSize: '200' });
  const ended = execution.status === 'ended' && execution.date_updated ? Date.parse(execution.date_updated) : NaN;
  if (Number.isFinite(ended)) params.set('EndDate', new Date(ended + AFTER_END_MS).toISOString().replace(/\.\d{3}Z$/, 'Z'));
  return `/v1/Alerts?${params}`;
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

/** This execution's alerts, oldest first, with the message and widget read out of alert_text. */
export function alertsOf(alerts: Alert[], executionSid: string): ExecutionAlert[] {
  return alerts
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
    .sort((a, b) => Date.parse(a.date) - Date.parse(b.date) || a.sid.localeCompare(b.sid));
}
