// `switchboard executions list|show|steps|end`: a flow's executions over the REST API, as
// readable tables or --json.
import { isoSeconds } from '../lib/iso-date.ts';
import type { JsonObject } from '../engine/types.ts';
import { StudioClient } from '../flowtest/studio-client.ts';
import { CONNECTION_HELP, CONNECTION_OPTIONS, parseSubcommand, remoteConnector, reportFailure, table, usageFailure } from './remote.ts';
import { extraArguments, unknownCommandMessage } from './stray-arguments.ts';
import { sidArgument } from './sid-argument.ts';
import { parseDateFilter } from '../api/wire/dates.ts';
import { withoutPhoneFormatting } from '../lib/phone-format.ts';

export const EXECUTIONS_USAGE = `Usage: switchboard executions <command> --flow FW… [options]

Commands:
  list [--limit N] [--status active|ended] [--since ISO-DATE] [--until ISO-DATE] [--contact ADDRESS]
                                        the flow's executions, newest first (on a Switchboard
                                        also how each ended: completed, error 81001, ended
                                        manually…, or the widget it waits at); --since: created
                                        at or after it, --until: before it (a date alone: up to
                                        the end of that day; dates without a zone are UTC);
                                        --contact: only that contact's (its address exactly as
                                        stored, e.g. +15551234567, whatsapp:+15551234567,
                                        client:alice; a Switchboard extension: on a server without
                                        it, such as Twilio, those among the newest listed, with a
                                        warning)
  show FN…                              one execution and its context; on a Switchboard also how
                                        it ended (an error's code and message, by hand, its
                                        maximum age) or the widget an active one waits at
  steps FN…                             the steps: from, event, to; on a Switchboard then the
                                        execution's alerts (warnings, errors), by widget
  end FN…                               end an active execution

Exit codes: 0 done; 2 bad usage, or the server refused (credentials, no such flow or execution);
3 the server could not be reached.

${CONNECTION_HELP}`;

export const COMMANDS = ['list', 'show', 'steps', 'end'];

const iso = (value: unknown) => (value instanceof Date ? isoSeconds(value.getTime()) : value === null || value === undefined ? '' : String(value));

/**
 * ContactAddress is a Switchboard extension: a server without it (the real Twilio) lists every
 * execution. Rather than show other contacts' executions as this one's, keep only the contact's and
 * say that they are only those among the newest listed.
 */
function onlyTheContacts(listed: JsonObject[], contact: string): JsonObject[] {
  const matching = listed.filter((e) => e.contactChannelAddress === contact);
  if (matching.length < listed.length) {
    console.error(`switchboard executions list: warning: the server ignored --contact (a Switchboard extension); showing ${contact}'s executions among the ${listed.length} newest only`);
  }
  return matching;
}

/** How an execution ended, as Switchboard's console API says (GET /console/api/…/EndReason): Twilio's Execution says only 'ended'. */
type EndReason = { kind: 'completed' | 'manual' | 'expired' } | { kind: 'error'; code: number | null; message: string | null };

/**
 * The server's word on how the execution ended (null while active, or when it stored none), or
 * undefined when the server has no such API (the real Twilio): then nothing more is shown.
 */
async function serverEndReason(client: StudioClient, flowSid: string, sid: string): Promise<{ endReason: EndReason | null } | undefined> {
  try {
    const body = await client.raw('GET', `/console/api/Flows/${encodeURIComponent(flowSid)}/Executions/${encodeURIComponent(sid)}/EndReason`);
    if (body.sid !== sid || !('end_reason' in body)) return undefined;
    return { endReason: endReasonFromWire(body.end_reason) };
  } catch {
    // Any answer but the API's (a 404 page, HTML, a refusal) means a server without it.
    return undefined;
  }
}

/** An `end_reason` as the console API gives it (null while active, or when the server stored none). */
function endReasonFromWire(value: unknown): EndReason | null {
  const reason = value as Record<string, unknown> | null;
  if (reason === null || typeof reason !== 'object') return null;
  if (reason.kind === 'error') return { kind: 'error', code: typeof reason.code === 'number' ? reason.code : null, message: typeof reason.message === 'string' ? reason.message : null };
  if (reason.kind === 'completed' || reason.kind === 'manual' || reason.kind === 'expired') return { kind: reason.kind };
  return null;
}

/** Executions one ExecutionSummaries request names at most (the server's limit). */
const SUMMARIES_PER_REQUEST = 100;

type Standing = { endReason: EndReason | null; waitingAt: Waiting | null };

/**
 * How each listed execution ended, or where an active one waits, as Switchboard's console API says
 * (ExecutionSummaries, 100 a request): Twilio's Execution says only 'ended', so `list` could not tell a
 * failed execution from one that ran to the end. Undefined on a server without that API (the real Twilio).
 */
async function serverStandings(client: StudioClient, flowSid: string, sids: string[]): Promise<Map<string, Standing> | undefined> {
  const standings = new Map<string, Standing>();
  try {
    for (let i = 0; i < sids.length; i += SUMMARIES_PER_REQUEST) {
      const body = await client.raw('GET', `/console/api/Flows/${encodeURIComponent(flowSid)}/ExecutionSummaries`, { Sid: sids.slice(i, i + SUMMARIES_PER_REQUEST) } as unknown as Record<string, string>);
      if (!Array.isArray(body.summaries)) return undefined;
      for (const summary of body.summaries as JsonObject[]) {
        const at = summary.waiting_at as JsonObject | null | undefined;
        const waitingAt = at && typeof at.widget === 'string' ? { widget: at.widget, subflowPath: Array.isArray(at.subflow_path) ? at.subflow_path.map(String) : [] } : null;
        standings.set(String(summary.sid), { endReason: endReasonFromWire(summary.end_reason), waitingAt });
      }
    }
  } catch {
    return undefined;
  }
  return standings;
}

/** The list's words for where an execution stands (as the console's executions list has them). */
function standingWords(status: unknown, standing: Standing | undefined): string {
  if (!standing) return '';
  if (status === 'active') return standing.waitingAt ? `waiting ${waitingText(standing.waitingAt)}` : '';
  const reason = standing.endReason;
  switch (reason?.kind) {
    case 'completed':
      return 'completed';
    case 'manual':
      return 'ended manually';
    case 'expired':
      return 'expired (maximum age)';
    case 'error':
      return reason.code !== null ? `error ${reason.code}` : 'error';
    default:
      return '';
  }
}

interface ExecutionAlert {
  level: string;
  code: string;
  message: string;
  widget: string | null;
  date: string;
}

/** Alerts read at most (the console's own cap): a loop of warnings can raise many more. */
const MAX_ALERTS = 1000;

/**
 * The execution's Monitor alerts, oldest first, read with /v1/Alerts?ResourceSid=FN… (a Switchboard
 * extension); undefined when the server has none (the real Twilio's Studio host does not serve Monitor).
 */
async function executionAlerts(client: StudioClient, sid: string): Promise<{ alerts: ExecutionAlert[]; truncated: boolean } | undefined> {
  const listed: JsonObject[] = [];
  let path = '/v1/Alerts';
  let params: Record<string, string> = { ResourceSid: sid, PageSize: '200' };
  let truncated = false;
  try {
    const base = client.connection.baseUrl.replace(/\/+$/, '');
    for (;;) {
      const body = await client.raw('GET', path, params);
      if (!Array.isArray(body.alerts)) return undefined;
      listed.push(...(body.alerts as JsonObject[]));
      const next = (body.meta as JsonObject | undefined)?.next_page_url;
      if (typeof next !== 'string' || !next || body.alerts.length === 0) break;
      if (listed.length >= MAX_ALERTS) {
        truncated = true;
        break;
      }
      const url = new URL(next);
      const absolute = `${url.origin}${url.pathname}`;
      path = absolute.startsWith(base) ? absolute.slice(base.length) : url.pathname;
      params = Object.fromEntries(url.searchParams);
    }
  } catch {
    return undefined;
  }
  // Newest first on the wire; a server that ignored ResourceSid listed other executions' too.
  const alerts = listed
    .filter((alert) => alert.resource_sid === sid)
    .reverse()
    .map((alert) => {
      const text = new URLSearchParams(typeof alert.alert_text === 'string' ? alert.alert_text : '');
      return {
        level: String(alert.log_level ?? ''),
        code: String(alert.error_code ?? ''),
        message: text.get('Msg') ?? String(alert.alert_text ?? ''),
        widget: text.get('widget'),
        date: String(alert.date_created ?? ''),
      };
    });
  const at = (alert: ExecutionAlert) => Date.parse(alert.date) || 0;
  return { alerts: alerts.map((alert, i) => ({ alert, i })).sort((a, b) => at(a.alert) - at(b.alert) || a.i - b.i).map(({ alert }) => alert).slice(-MAX_ALERTS), truncated };
}

type Waiting = { widget: string; subflowPath: string[] };

/**
 * Where an active execution waits, from its steps read oldest first: the widget its last step went to,
 * or, while a subflow runs, the subflow's (with the Run Subflow widgets it runs under). Only the newest
 * main-flow step and the subflow steps under it are kept, so an execution of any length can be read
 * through. Null without steps.
 */
export class WaitingTracker {
  #top: WaitNode | undefined;
  #nodes = new Map<unknown, WaitNode>();

  add(step: JsonObject): void {
    const node: WaitNode = { step, subflow: [] };
    if (step.parentStepSid) {
      // A step under an older main-flow step than the newest cannot be where it waits.
      const parent = this.#nodes.get(step.parentStepSid);
      if (!parent) return;
      parent.subflow.push(node);
    } else {
      this.#top = node;
      this.#nodes.clear();
    }
    this.#nodes.set(step.sid, node);
  }

  get waiting(): Waiting | null {
    let node = this.#top;
    if (!node) return null;
    const subflowPath: string[] = [];
    while (node.subflow.length > 0) {
      subflowPath.push(String(node.step.transitionedTo));
      node = node.subflow.at(-1)!;
    }
    return { widget: String(node.step.transitionedTo), subflowPath };
  }

  /** The newest main-flow step. */
  get last(): JsonObject | undefined {
    return this.#top?.step;
  }
}

type WaitNode = { step: JsonObject; subflow: WaitNode[] };

export function waitingAt(steps: JsonObject[]): Waiting | null {
  const tracker = new WaitingTracker();
  for (const step of steps) tracker.add(step);
  return tracker.waiting;
}

/** Reads every step of an execution page by page, keeping only where it waits and its newest main-flow step. */
async function throughSteps(client: StudioClient, flowSid: string, sid: string): Promise<WaitingTracker> {
  const tracker = new WaitingTracker();
  for await (const page of client.stepPages(flowSid, sid)) for (const step of page) tracker.add(step);
  return tracker;
}

/**
 * Where an active execution waits as the server's state says (Switchboard's ExecutionSummaries, the
 * console's execution list): one request, however many steps it has. Undefined when the server does
 * not say (no such API, or a state that does not tell): the steps decide then.
 */
async function serverWaitingAt(client: StudioClient, flowSid: string, sid: string): Promise<Waiting | undefined> {
  return (await serverStandings(client, flowSid, [sid]))?.get(sid)?.waitingAt ?? undefined;
}

/** The `show` line of an ended execution, from the server's end reason (and, for a completed one, how its steps end). */
function endedText(reason: EndReason | null, final: JsonObject | undefined, context: JsonObject): string {
  switch (reason?.kind) {
    case 'manual':
      return 'manually (the End button or the API)';
    case 'expired':
      return 'at its maximum age';
    case 'error':
      if (reason.code !== null) return `by error ${reason.code}${reason.message ? `: ${reason.message}` : ''}`;
      return reason.message ? `by an error: ${reason.message}` : 'by an error';
    case 'completed': {
      const call = (context.trigger as JsonObject | undefined)?.call !== undefined;
      // A voice widget without a hangup transition ends the execution with its call: no step to Ended.
      if (final && final.transitionedTo !== 'Ended' && call) return `with its call, at ${String(final.transitionedTo)}`;
      return 'completed: ran to the end of the flow';
    }
    default:
      return 'the server recorded no reason';
  }
}

/** The alerts as a table, each widget's together (in the order the widgets first raised one), oldest first. */
function alertsText(alerts: ExecutionAlert[], truncated: boolean): string {
  const order = [...new Set(alerts.map((alert) => alert.widget))];
  const rows = order.flatMap((widget) => alerts.filter((alert) => alert.widget === widget)).map((alert) => ({ ...alert, widget: alert.widget ?? '(no widget)' }));
  const heading = `Alerts${truncated ? ` (the newest ${alerts.length}; older ones are not shown)` : ''}:`;
  return `${heading}\n${table(rows, [
    { key: 'widget', title: 'widget' },
    { key: 'level', title: 'level' },
    { key: 'code', title: 'code' },
    { key: 'message', title: 'message', max: 200 },
  ])}`;
}

function waitingText(waiting: Waiting | null): string {
  if (!waiting) return 'no step yet';
  return `at ${waiting.widget}${waiting.subflowPath.length ? ` (in the subflow run by ${waiting.subflowPath.join(' › ')})` : ''}`;
}

export async function executionsCommand(argv: string[]): Promise<number> {
  const { sub, problem, values, positionals } = parseSubcommand(argv, {
    ...CONNECTION_OPTIONS,
    flow: { type: 'string' },
    limit: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    status: { type: 'string' },
    contact: { type: 'string' },
  });
  if (problem) return usageFailure(problem);
  if (!sub || values.help || sub === 'help') {
    // Asked for, the usage is the answer (stdout, 0); missing a subcommand, it is the error (stderr, 2).
    if (!(sub || values.help)) {
      console.error(EXECUTIONS_USAGE);
      return 2;
    }
    console.log(EXECUTIONS_USAGE);
    return 0;
  }
  // Before its options: `executions lst` is a mistyped command, not a missing --flow.
  if (!COMMANDS.includes(sub)) {
    console.error(`${unknownCommandMessage('switchboard executions: ', sub, COMMANDS)}\n\n${EXECUTIONS_USAGE}`);
    return 2;
  }
  // list takes no argument, show/steps/end the execution's SID.
  const extra = extraArguments(`executions ${sub}`, positionals, sub === 'list' ? 0 : ['show', 'steps', 'end'].includes(sub) ? 1 : Infinity);
  if (extra) return usageFailure(extra);
  // list's filters mean nothing to show, steps or end: refused rather than ignored (`steps --limit 3` listed every step).
  if (sub !== 'list') {
    const listOnly = (['limit', 'status', 'since', 'until', 'contact'] as const).filter((name) => values[name] !== undefined);
    if (listOnly.length) {
      console.error(`switchboard executions ${sub}: ${listOnly.map((name) => `--${name}`).join(', ')} ${listOnly.length === 1 ? 'is' : 'are'} for executions list only`);
      return 2;
    }
  }
  if (!values.flow) {
    console.error(`switchboard executions ${sub}: --flow FW… is required`);
    return 2;
  }
  const needsSid = sub !== 'list';
  const given = positionals[0];
  if (needsSid && !given) {
    console.error(`switchboard executions ${sub}: give the execution SID (FN…)`);
    return 2;
  }
  // Checked here, not sent: the server's answer to a malformed SID is a 404 that does not say it is malformed.
  const flow = sidArgument('FW', values.flow, '--flow');
  const execution = needsSid ? sidArgument('FN', given!) : undefined;
  for (const checked of [flow, execution]) {
    if (checked && 'problem' in checked) {
      console.error(`switchboard executions ${sub}: ${checked.problem}`);
      return 2;
    }
  }
  values.flow = 'sid' in flow ? flow.sid : values.flow;
  const sid = execution && 'sid' in execution ? execution.sid : undefined;
  try {
    const client = await StudioClient.connect(remoteConnector(values)());
    switch (sub) {
      case 'list': {
        const limit = values.limit ? Number(values.limit) : 50;
        if (!Number.isInteger(limit) || limit < 1) {
          console.error('switchboard executions list: --limit must be a positive whole number');
          return 2;
        }
        // As the API reads DateCreatedFrom: a date or date-time without a zone is UTC (Studio's dates are GMT).
        const sinceMs = values.since ? parseDateFilter(values.since) : undefined;
        const since = sinceMs === undefined || sinceMs === null ? undefined : new Date(sinceMs);
        if (sinceMs === null) {
          console.error(`switchboard executions list: --since '${values.since}' is not a date (use e.g. 2026-05-01 or 2026-05-01T09:00:00Z)`);
          return 2;
        }
        // DateCreatedTo is "created before": a date alone means up to the end of that day, so
        // `--since 2026-05-01 --until 2026-05-01` lists that day's executions rather than none.
        const untilMs = values.until ? parseDateFilter(values.until) : undefined;
        if (untilMs === null) {
          console.error(`switchboard executions list: --until '${values.until}' is not a date (use e.g. 2026-05-01 or 2026-05-01T09:00:00Z)`);
          return 2;
        }
        const until = untilMs === undefined ? undefined : new Date(/^\s*\d{4}-\d{2}-\d{2}\s*$/.test(values.until!) ? untilMs + 86_400_000 : untilMs);
        const status = values.status;
        if (status !== undefined && status !== 'active' && status !== 'ended') {
          console.error(`switchboard executions list: --status must be active or ended, not '${status}'`);
          return 2;
        }
        // Even an empty --contact goes to the server, whose error says what an address looks like.
        const contact = values.contact !== undefined ? { contact: values.contact } : {};
        const listed = await client.listExecutions(values.flow, { limit, ...(since ? { from: since } : {}), ...(until ? { to: until } : {}), ...(status ? { status } : {}), ...contact });
        const list = values.contact === undefined ? listed : onlyTheContacts(listed, withoutPhoneFormatting(values.contact));
        // A Switchboard also says how each ended (completed, an error's code…) or where it waits, as `show` does.
        const standings = list.length ? await serverStandings(client, values.flow, list.map((e) => String(e.sid))) : undefined;
        if (values.json) {
          const withStanding = standings ? list.map((e) => ({ ...e, endReason: standings.get(String(e.sid))?.endReason ?? null, waitingAt: standings.get(String(e.sid))?.waitingAt ?? null })) : list;
          console.log(JSON.stringify(withStanding, null, 2));
        } else
          console.log(
            table(
              list.map((e) => ({ ...e, dateCreated: iso(e.dateCreated), standing: standingWords(e.status, standings?.get(String(e.sid))) })),
              [
                { key: 'sid', title: 'sid' },
                { key: 'status', title: 'status' },
                { key: 'contactChannelAddress', title: 'contact' },
                { key: 'dateCreated', title: 'created' },
                ...(standings ? [{ key: 'standing', title: 'detail', max: 80 }] : []),
              ],
            ),
          );
        return 0;
      }
      case 'show': {
        const execution = await client.getExecution(values.flow, sid!);
        const context = await client.getExecutionContext(values.flow, sid!);
        // A Switchboard also says how it ended, or where it waits (Twilio's Execution has only the status).
        const reason = await serverEndReason(client, values.flow, sid!);
        const active = execution.status === 'active';
        // The steps only when the server's state does not say where it waits, or to tell how a completed one ended:
        // then all of them, however many (the newest decide).
        const known = reason && active ? await serverWaitingAt(client, values.flow, sid!) : undefined;
        const read = reason && (active ? !known : reason.endReason?.kind === 'completed') ? await throughSteps(client, values.flow, sid!) : undefined;
        const waiting = reason && active ? (known ?? read?.waiting ?? null) : null;
        if (values.json) {
          const extra = reason ? { endReason: reason.endReason, waitingAt: waiting } : {};
          console.log(JSON.stringify({ ...execution, context, ...extra }, null, 2));
        } else {
          const where = !reason ? [] : active ? [`  waiting:  ${waitingText(waiting)}`] : [`  ended:    ${endedText(reason.endReason, read?.last, context)}`];
          console.log(
            [
              `Execution ${execution.sid}`,
              `  flow:     ${execution.flowSid}`,
              `  status:   ${execution.status}`,
              ...where,
              `  contact:  ${execution.contactChannelAddress}`,
              `  created:  ${iso(execution.dateCreated)}`,
              `  updated:  ${iso(execution.dateUpdated) || '-'}`,
              'Context:',
              ...JSON.stringify(context, null, 2).split('\n').map((l) => `  ${l}`),
            ].join('\n'),
          );
        }
        return 0;
      }
      case 'steps': {
        const steps = await client.listSteps(values.flow, sid!);
        if (values.json) console.log(JSON.stringify(steps, null, 2));
        else
          console.log(
            table(
              steps.map((s: JsonObject) => ({ ...s, dateCreated: iso(s.dateCreated), sub: s.parentStepSid ? 'subflow' : '' })),
              [
                { key: 'dateCreated', title: 'at' },
                { key: 'transitionedFrom', title: 'from' },
                { key: 'name', title: 'event' },
                { key: 'transitionedTo', title: 'to' },
                { key: 'sub', title: '' },
              ],
            ),
          );
        if (!values.json) {
          // A Switchboard's Monitor alerts of the execution, by widget: why a widget failed, or the run stopped.
          const read = await executionAlerts(client, sid!);
          if (read?.alerts.length) console.log(`\n${alertsText(read.alerts, read.truncated)}`);
        }
        return 0;
      }
      case 'end': {
        const ended = await client.endExecution(values.flow, sid!);
        console.log(values.json ? JSON.stringify(ended, null, 2) : `execution ${ended.sid} is ${ended.status}`);
        return 0;
      }
      default:
        console.error(`${unknownCommandMessage('switchboard executions: ', sub, COMMANDS)}\n\n${EXECUTIONS_USAGE}`);
        return 2;
    }
  } catch (error) {
    return reportFailure(`executions ${sub}`, error);
  }
}
