// Twilio Monitor's Alerts (`/v1/Alerts`, `/v1/Alerts/{Sid}`): the warnings and errors executions
// reported (81000-81003, 81011, 84003…), as Twilio's Debugger shows Studio's. Point the SDK's
// `client.monitor.baseUrl` here and `client.monitor.v1.alerts.list()` works. Filters: LogLevel,
// StartDate (inclusive), EndDate (exclusive), and a Switchboard extension Twilio does not have:
// ResourceSid, the execution (FN…) an alert's resource_sid names, so one execution's alerts are read
// without paging through the account's (the console's execution page).
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

const LOG_LEVELS = ['error', 'warning'] as const;

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

function listFilters(query: Record<string, unknown>): { filter: AlertFilter; filters: Record<string, string> } {
  const filter: AlertFilter = {};
  const filters: Record<string, string> = {};
  const level = single(query.LogLevel);
  if (level !== undefined) {
    if (!(LOG_LEVELS as readonly string[]).includes(level)) throw errors.invalidParameter('LogLevel', `'${level}' is not one of ${LOG_LEVELS.join(', ')}`);
    filter.logLevel = level as AlertFilter['logLevel'];
    filters.LogLevel = level;
  }
  const resource = single(query.ResourceSid, 'ResourceSid');
  if (resource !== undefined) {
    // Every alert's resource is an execution: any other value could only list nothing, so it is a mistake.
    if (!isSid('FN', resource)) throw errors.invalidParameter('ResourceSid', `'${resource}' is not an execution SID (FN followed by 32 hex digits)`);
    filter.executionSid = resource;
    filters.ResourceSid = resource;
  }
  readDateFilters(query, [['StartDate', 'startDate'], ['EndDate', 'endDate']] as const, filter, filters);
  return { filter, filters };
}

export function registerMonitorAlerts(routes: Routes, ctx: ApiContext): void {
  routes.add('GET', '/v1/Alerts', async (request) => {
    const query = request.query as Record<string, unknown>;
    const { filter, filters } = listFilters(query);
    const paging = parsePaging(query);
    const result = await ctx.store.listAlerts(request.account.sid, filter, paging.request);
    const base = publicBase(ctx, request);
    return {
      meta: pageMeta('alerts', `${base}/v1/Alerts`, filters, paging, result),
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
