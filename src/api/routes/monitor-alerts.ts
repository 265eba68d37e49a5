// Twilio Monitor's Alerts (`/v1/Alerts`, `/v1/Alerts/{Sid}`): the warnings and errors executions
// reported (81000-81003, 81011, 84003…), as Twilio's Debugger shows Studio's. Point the SDK's
// `client.monitor.baseUrl` here and `client.monitor.v1.alerts.list()` works. Filters: LogLevel
// (Twilio's four levels; notice and debug list nothing, as Switchboard writes neither), StartDate
// and EndDate (alerts on or after, on or before, as Twilio's: see endSpan), and a Switchboard
// extension Twilio does not have: ResourceSid, the execution (FN…) an alert's resource_sid names, so
// one execution's alerts are read without paging through the account's (the console's execution page).
import type { FastifyRequest } from 'fastify';
import type { AlertFilter, AlertRecord } from '../../runtime/ports/store.ts';
import { isSid } from '../../runtime/ids.ts';
import type { ApiContext } from '../context.ts';
import type { Routes } from '../server.ts';
import { publicBase } from '../wire/base-urls.ts';
import { errors } from '../wire/errors.ts';
import { formatDate } from '../wire/dates.ts';
import { readDateFilters, single } from '../wire/query.ts';
import { pageMeta, parsePaging } from '../wire/paging.ts';

/** The levels Switchboard writes (an engine diagnostic is a warning or an error). */
const LOG_LEVELS = ['error', 'warning'] as const;
/** Twilio's other levels (LogLevel is "error, warning, notice, or debug"): taken, and list nothing here. */
const UNWRITTEN_LEVELS = ['notice', 'debug'] as const;

function alertBody(base: string, alert: AlertRecord, detail: boolean): Record<string, unknown> {
  const date = formatDate(alert.dateCreated);
  return {
    account_sid: alert.accountSid,
    alert_text: alert.text,
    api_version: null,
    date_created: date,
    date_generated: date,
    date_updated: date,
    error_code: String(alert.errorCode),
    log_level: alert.logLevel,
    more_info: `https://www.twilio.com/docs/errors/${alert.errorCode}`,
    request_method: null,
    request_url: null,
    resource_sid: alert.executionSid,
    service_sid: alert.flowSid,
    sid: alert.sid,
    url: `${base}/v1/Alerts/${alert.sid}`,
    ...(detail ? { request_variables: null, response_body: null, response_headers: null, request_headers: null } : {}),
  };
}

function listFilters(query: Record<string, unknown>): { filter: AlertFilter; filters: Record<string, string>; none: boolean } {
  const filter: AlertFilter = {};
  const filters: Record<string, string> = {};
  let none = false;
  const level = single(query.LogLevel);
  if (level !== undefined) {
    if ((UNWRITTEN_LEVELS as readonly string[]).includes(level)) none = true;
    else if ((LOG_LEVELS as readonly string[]).includes(level)) filter.logLevel = level as AlertFilter['logLevel'];
    else throw errors.invalidParameter('LogLevel', `'${level}' is not one of ${[...LOG_LEVELS, ...UNWRITTEN_LEVELS].join(', ')}`);
    filters.LogLevel = level;
  }
  const resource = single(query.ResourceSid, 'ResourceSid');
  if (resource !== undefined) {
    // An alert's resource is its execution, or its flow for a flow's own alerts (a 20429): a ResourceSid that is
    // not an execution could only list nothing useful here, so it is a mistake.
    if (!isSid('FN', resource)) throw errors.invalidParameter('ResourceSid', `'${resource}' is not an execution SID (FN followed by 32 hex digits)`);
    filter.executionSid = resource;
    filters.ResourceSid = resource;
  }
  readDateFilters(query, [['StartDate', 'startDate'], ['EndDate', 'endDate']] as const, filter, filters);
  if (filter.endDate !== undefined) filter.endDate += endSpan(filters.EndDate!);
  return { filter, filters, none };
}

/**
 * Twilio lists the alerts that occurred "on or before" EndDate (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ),
 * and shows their dates to the second: EndDate takes in the whole of the last unit it names, so an
 * alert's own date_created (or twilio-node's endDate, sent to the second) lists that alert, and a date
 * alone its whole day. This is how far past the instant EndDate parses to the store's exclusive end
 * lies: a day, a minute (hh:mm), a second (hh:mm:ss), or with fractional seconds, that millisecond.
 * StartDate needs nothing: it is the start of what it names (a date alone: its midnight), inclusive.
 */
function endSpan(text: string): number {
  const time = /[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?/.exec(text.trim());
  if (!time) return 86_400_000;
  if (time[1] === undefined) return 60_000;
  return time[2] === undefined ? 1000 : 1;
}

export function registerMonitorAlerts(routes: Routes, ctx: ApiContext): void {
  routes.add('GET', '/v1/Alerts', async (request) => {
    const query = request.query as Record<string, unknown>;
    const { filter, filters, none } = listFilters(query);
    const paging = parsePaging(query, { accountSid: request.account.sid, path: '/v1/Alerts', filters });
    const result = none
      ? { items: [], firstPosition: null, lastPosition: null, hasMore: false }
      : await ctx.store.listAlerts(request.account.sid, filter, paging.request);
    const base = publicBase(ctx, request);
    return {
      meta: pageMeta('alerts', base, paging, result),
      alerts: result.items.map((alert) => alertBody(base, alert, false)),
    };
  });

  routes.add('GET', '/v1/Alerts/:Sid', async (request: FastifyRequest) => {
    const sid = (request.params as Record<string, string>).Sid!;
    const path = request.url.split('?')[0]!;
    if (!isSid('NO', sid)) throw errors.notFound(path);
    const alert = await ctx.store.getAlert(request.account.sid, sid);
    if (!alert) throw errors.notFound(path);
    return alertBody(publicBase(ctx, request), alert, true);
  });
}
