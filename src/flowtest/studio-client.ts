// A Studio REST client for the CLI, built on the official `twilio` package so it talks to
// Switchboard, another Switchboard or the real Twilio alike: only the base URL and credentials
// differ. Switchboard-only endpoints (simulator transcript, replay) go through the same client's
// authenticated request().
import type { FlowDefinition } from '../definition/types.ts';
import type { JsonObject } from '../engine/types.ts';

export interface Connection {
  /** e.g. http://127.0.0.1:4000 or https://studio.twilio.com */
  baseUrl: string;
  username: string;
  password: string;
  /** Needed with API-key credentials. */
  accountSid?: string;
  /** Where baseUrl came from, for a failure to connect: '--base-url', 'SWITCHBOARD_URL', 'PORT', … (none: the default). */
  baseUrlFrom?: string;
}

export const DEFAULT_BASE_URL = 'http://127.0.0.1:4000';

export class ApiFailure extends Error {
  readonly status: number;
  readonly code: number | undefined;
  /** For a 401: the credentials the request was made with (API key or account), as a failure names them to check. */
  credentials?: 'api-key' | 'account';
  constructor(status: number, message: string, code?: number) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Credentials and base URL from flags, then the environment (the names twilio-cli uses). */
export function connectionFrom(flags: Record<string, unknown>, prefix = ''): Connection {
  const flag = (name: string) => {
    const value = flags[prefix + name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const env = process.env;
  const baseUrl = flag('base-url') ?? (prefix ? undefined : env.SWITCHBOARD_URL) ?? DEFAULT_BASE_URL;
  const baseUrlFrom = flag('base-url') ? `--${prefix}base-url` : !prefix && env.SWITCHBOARD_URL ? 'SWITCHBOARD_URL' : undefined;
  const accountSid = flag('account-sid') ?? (prefix ? undefined : env.TWILIO_ACCOUNT_SID);
  // Flags win over the environment: an --auth-token given is used, not an API key the shell exports (for Twilio).
  const envKey = !prefix && !flag('auth-token');
  const apiKey = flag('api-key') ?? (envKey ? env.TWILIO_API_KEY : undefined);
  const apiSecret = flag('api-secret') ?? (envKey ? env.TWILIO_API_SECRET : undefined);
  const authToken = flag('auth-token') ?? (prefix ? undefined : env.TWILIO_AUTH_TOKEN);
  const p = prefix ? `--${prefix}` : '--';
  if (apiKey && apiSecret) {
    // An API key belongs to an account that must be named: twilio-node would only say "accountSid must start with AC".
    if (!accountSid) throw new Error(`an API key needs the account SID too: pass ${p}account-sid AC…${prefix ? '' : ' (or set TWILIO_ACCOUNT_SID)'} with ${p}api-key and ${p}api-secret`);
    return { baseUrl, username: apiKey, password: apiSecret, accountSid, ...(baseUrlFrom ? { baseUrlFrom } : {}) };
  }
  if (accountSid && authToken) return { baseUrl, username: accountSid, password: authToken, accountSid, ...(baseUrlFrom ? { baseUrlFrom } : {}) };
  throw new Error(
    `no credentials: pass ${p}account-sid and ${p}auth-token (or ${p}api-key, ${p}api-secret and ${p}account-sid)` +
      (prefix ? '' : ', or set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN'),
  );
}

export interface FlowSummary {
  sid: string;
  friendlyName: string;
  status: string;
  revision: number;
  dateUpdated: string | null;
}

/** A flow as the list shows it: also when it was created (what a never-updated flow last changed at). */
export interface ListedFlow extends FlowSummary {
  dateCreated: string;
}

export interface RemoteFlow extends FlowSummary {
  definition: FlowDefinition;
  commitMessage: string | null;
}

export interface RevisionSummary {
  revision: number;
  status: string;
  dateCreated: string | null;
}

type TwilioClient = import('twilio').Twilio;

/** Errors of a server that cannot be reached at all (refused, no such host, no route, no answer). */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET']);

function failure(error: unknown, connection: Connection): ApiFailure {
  const e = error as { status?: number; message?: string; code?: number; moreInfo?: string; details?: unknown };
  if (typeof e.status === 'number') {
    const details = e.details ? ` ${JSON.stringify(e.details)}` : '';
    const refused = new ApiFailure(e.status, `${e.message ?? 'request failed'}${e.code ? ` (error ${e.code})` : ''}${details}`, e.code);
    if (e.status === 401) refused.credentials = connection.username.startsWith('SK') ? 'api-key' : 'account';
    return refused;
  }
  const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code;
  if (cause && UNREACHABLE.has(cause)) return new ApiFailure(0, unreachable(connection, cause === 'ECONNREFUSED' ? 'connection refused' : (error as Error).message));
  return new ApiFailure(0, (error as Error).message);
}

/**
 * A server that could not be reached, named with the URL tried and where that came from: the user may not
 * know which one was used (no --base-url given means the default, http://127.0.0.1:4000).
 */
export function unreachable(connection: Pick<Connection, 'baseUrl' | 'baseUrlFrom'>, why: string): string {
  const { baseUrl, baseUrlFrom } = connection;
  if (!baseUrlFrom) return `could not connect to the server at ${baseUrl} (the default, as neither --base-url nor SWITCHBOARD_URL is set; ${why}): is a server running there?`;
  return `could not connect to the server at ${baseUrl} (from ${baseUrlFrom}; ${why}): is it running, and is ${baseUrlFrom.includes(' and ') ? 'that address' : baseUrlFrom} right?`;
}

export class StudioClient {
  readonly connection: Connection;
  readonly #client: TwilioClient;

  private constructor(connection: Connection, client: TwilioClient) {
    this.connection = connection;
    this.#client = client;
  }

  static async connect(connection: Connection): Promise<StudioClient> {
    const { default: twilio } = await import('twilio');
    const client = twilio(connection.username, connection.password, connection.accountSid ? { accountSid: connection.accountSid } : {});
    client.studio.baseUrl = connection.baseUrl.replace(/\/+$/, '');
    // twilio-node reads a host's labels as product.region.domain (sb.internal becomes
    // sb.internal.sb.internal); the configured base URL's host is meant exactly as given.
    client.getHostname = (hostname: string) => hostname;
    return new StudioClient(connection, client);
  }

  async #call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw failure(error, this.connection);
    }
  }

  get #flows() {
    return this.#client.studio.v2.flows;
  }

  async listFlows(): Promise<ListedFlow[]> {
    const flows = await this.#call(() => this.#flows.list());
    return flows.map((f) => ({ sid: f.sid, friendlyName: f.friendlyName, status: f.status, revision: f.revision, dateUpdated: f.dateUpdated ? f.dateUpdated.toISOString() : null, dateCreated: f.dateCreated.toISOString() }));
  }

  async getFlow(sid: string): Promise<RemoteFlow> {
    const f = await this.#call(() => this.#flows(sid).fetch());
    return { sid: f.sid, friendlyName: f.friendlyName, status: f.status, revision: f.revision, dateUpdated: f.dateUpdated ? f.dateUpdated.toISOString() : null, definition: f.definition as FlowDefinition, commitMessage: f.commitMessage ?? null };
  }

  async getRevision(sid: string, revision: number | 'LatestPublished' | 'LatestRevision'): Promise<RemoteFlow> {
    const f = await this.#call(() => this.#flows(sid).revisions(String(revision)).fetch());
    return { sid: f.sid, friendlyName: f.friendlyName, status: f.status, revision: f.revision, dateUpdated: f.dateUpdated ? f.dateUpdated.toISOString() : null, definition: f.definition as FlowDefinition, commitMessage: f.commitMessage ?? null };
  }

  /**
   * The flow's revisions, newest first (without definitions: fetch one with getRevision). Read as
   * plain JSON: twilio's FlowRevision list throws building its instances (it reads the revision number
   * from the path, which a list does not have).
   */
  async listRevisions(sid: string): Promise<RevisionSummary[]> {
    const listed = await this.#listPages(`/v2/Flows/${sid}/Revisions`, { PageSize: '50' }, 'revisions', { maxPages: 100 });
    const revisions = listed.map((r) => ({ revision: Number(r.revision), status: String(r.status ?? ''), dateCreated: typeof r.date_created === 'string' ? r.date_created : null }));
    return revisions.sort((a, b) => b.revision - a.revision);
  }

  /**
   * The items under `key` across a list's pages, following meta.next_page_url (Twilio lists repeat every
   * filter in it) until `limit` items, the last page, or an empty page (a server that loops would
   * otherwise never end). A next URL on another origin (a server behind a proxy naming its public
   * address) is read as a path on this connection's server.
   */
  async #listPages(path: string, params: Record<string, string>, key: string, bounds: { limit?: number; maxPages?: number } = {}): Promise<JsonObject[]> {
    const limit = bounds.limit ?? Infinity;
    const items: JsonObject[] = [];
    let page = 0;
    for await (const listed of this.#pages(path, params, key)) {
      items.push(...listed);
      if (items.length >= limit || ++page >= (bounds.maxPages ?? Infinity)) break;
    }
    return items.slice(0, limit);
  }

  /** A list's pages (the items under `key`), in order, until the last page or an empty one. */
  async *#pages(path: string, params: Record<string, string>, key: string): AsyncGenerator<JsonObject[]> {
    const base = this.connection.baseUrl.replace(/\/+$/, '');
    for (;;) {
      const body = await this.raw('GET', path, params);
      const listed = (body[key] ?? []) as JsonObject[];
      yield listed;
      const next = (body.meta as JsonObject | undefined)?.next_page_url;
      if (typeof next !== 'string' || !next || listed.length === 0) return;
      const url = new URL(next);
      const absolute = `${url.origin}${url.pathname}`;
      path = absolute.startsWith(base) ? absolute.slice(base.length) : url.pathname;
      params = Object.fromEntries(url.searchParams);
    }
  }

  async createFlow(friendlyName: string, status: 'draft' | 'published', definition: FlowDefinition, commitMessage?: string): Promise<RemoteFlow> {
    const f = await this.#call(() => this.#flows.create({ friendlyName, status, definition, ...(commitMessage ? { commitMessage } : {}) }));
    return { sid: f.sid, friendlyName: f.friendlyName, status: f.status, revision: f.revision, dateUpdated: null, definition: f.definition as FlowDefinition, commitMessage: f.commitMessage ?? null };
  }

  async updateFlow(sid: string, status: 'draft' | 'published', definition: FlowDefinition, options: { friendlyName?: string; commitMessage?: string } = {}): Promise<RemoteFlow> {
    const f = await this.#call(() =>
      this.#flows(sid).update({
        status,
        definition,
        ...(options.friendlyName ? { friendlyName: options.friendlyName } : {}),
        ...(options.commitMessage ? { commitMessage: options.commitMessage } : {}),
      }),
    );
    return { sid: f.sid, friendlyName: f.friendlyName, status: f.status, revision: f.revision, dateUpdated: null, definition: f.definition as FlowDefinition, commitMessage: f.commitMessage ?? null };
  }

  /** Server-side validation (POST /v2/Flows/Validate); resolves with the problems, empty when valid. */
  async validate(friendlyName: string, definition: FlowDefinition): Promise<string[]> {
    try {
      await this.#client.studio.v2.flowValidate.update({ friendlyName, status: 'draft', definition });
      return [];
    } catch (error) {
      const f = failure(error, this.connection);
      if (f.status === 400) {
        const details = (error as { details?: { errors?: { property_path?: string; message?: string }[] } }).details;
        const listed = details?.errors?.map((e) => `${e.property_path ?? '#'}: ${e.message ?? ''}`);
        return listed && listed.length ? listed : [f.message];
      }
      throw f;
    }
  }

  /**
   * A flow's executions, newest first, shaped as twilio's ExecutionInstance.toJSON() (camelCase, Date
   * dates). Read as plain JSON so the filter can carry `contact`: ContactAddress, a Switchboard
   * extension the SDK has no parameter for (the real Twilio ignores it and lists every execution).
   * Pages are as large as the limit (the server clamps them, to 1000 on Twilio and Switchboard) and
   * followed until the limit.
   */
  async listExecutions(flowSid: string, filter: { from?: Date; to?: Date; status?: 'active' | 'ended'; contact?: string; limit?: number } = {}): Promise<JsonObject[]> {
    const limit = filter.limit ?? 50;
    const params: Record<string, string> = { PageSize: String(Math.min(limit, 1000)) };
    // Lower-case, as Studio's list takes it (the one filter that is).
    if (filter.status) params.status = filter.status;
    if (filter.from) params.DateCreatedFrom = wireDate(filter.from);
    if (filter.to) params.DateCreatedTo = wireDate(filter.to);
    if (filter.contact !== undefined) params.ContactAddress = filter.contact;
    const listed = await this.#listPages(`/v2/Flows/${encodeURIComponent(flowSid)}/Executions`, params, 'executions', { limit });
    return listed.map(executionFromWire);
  }

  async getExecution(flowSid: string, executionSid: string): Promise<JsonObject> {
    const e = await this.#call(() => this.#flows(flowSid).executions(executionSid).fetch());
    return e.toJSON() as unknown as JsonObject;
  }

  async getExecutionContext(flowSid: string, executionSid: string): Promise<JsonObject> {
    const c = await this.#call(() => this.#flows(flowSid).executions(executionSid).executionContext().fetch());
    return (c.context ?? {}) as JsonObject;
  }

  /** Every step of an execution, in list order: a recording or a listing cut short would misstate it. */
  async listSteps(flowSid: string, executionSid: string): Promise<JsonObject[]> {
    const steps: JsonObject[] = [];
    for await (const page of this.stepPages(flowSid, executionSid)) steps.push(...page);
    return steps;
  }

  /**
   * Every step of an execution, in list order, a page at a time, shaped as twilio's StepInstance.toJSON()
   * has them: for a reader that needs only the newest steps of a long execution without holding all.
   */
  async *stepPages(flowSid: string, executionSid: string): AsyncGenerator<JsonObject[]> {
    const path = `/v2/Flows/${encodeURIComponent(flowSid)}/Executions/${encodeURIComponent(executionSid)}/Steps`;
    for await (const page of this.#pages(path, { PageSize: '1000' }, 'steps')) yield page.map(stepFromWire);
  }

  async endExecution(flowSid: string, executionSid: string): Promise<JsonObject> {
    const e = await this.#call(() => this.#flows(flowSid).executions(executionSid).update({ status: 'ended' }));
    return e.toJSON() as unknown as JsonObject;
  }

  /** Any other endpoint on the same server (Switchboard's simulator and replay routes). */
  async raw(method: 'GET' | 'POST', path: string, params: Record<string, string> = {}): Promise<JsonObject> {
    const uri = this.connection.baseUrl.replace(/\/+$/, '') + path;
    const response = await this.#call(() =>
      this.#client.request({
        method: method === 'GET' ? 'get' : 'post',
        uri,
        ...(method === 'GET' ? { params } : { data: params }),
      } as Parameters<TwilioClient['request']>[0]),
    );
    const body = typeof response.body === 'string' ? (response.body ? JSON.parse(response.body) : {}) : response.body;
    if (response.statusCode >= 400) throw new ApiFailure(response.statusCode, `${body?.message ?? 'request failed'}${body?.code ? ` (error ${body.code})` : ''}`, body?.code);
    return body as JsonObject;
  }
}

/** A date as twilio's serializer sends it: whole seconds, UTC. */
function wireDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A date from the wire as twilio's deserializer gives it: a Date, or the text when it is not one. */
function dateFromWire(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date;
}

/** One step from a list page, as twilio's StepInstance.toJSON() has it (what listSteps gives). */
function stepFromWire(s: JsonObject): JsonObject {
  return {
    sid: s.sid,
    accountSid: s.account_sid,
    flowSid: s.flow_sid,
    executionSid: s.execution_sid,
    parentStepSid: s.parent_step_sid,
    name: s.name,
    context: s.context,
    transitionedFrom: s.transitioned_from,
    transitionedTo: s.transitioned_to,
    type: s.type,
    dateCreated: dateFromWire(s.date_created),
    dateUpdated: dateFromWire(s.date_updated),
    url: s.url,
    links: s.links,
  } as JsonObject;
}

/** One execution from a list page, as twilio's ExecutionInstance.toJSON() has it (what the SDK listed before). */
function executionFromWire(e: JsonObject): JsonObject {
  const flowVersion = typeof e.flow_version === 'string' ? Number.parseInt(e.flow_version, 10) : e.flow_version;
  return {
    sid: e.sid,
    accountSid: e.account_sid,
    flowSid: e.flow_sid,
    contactChannelAddress: e.contact_channel_address,
    contactSid: e.contact_sid,
    flowVersion,
    context: e.context,
    status: e.status,
    dateCreated: dateFromWire(e.date_created),
    dateUpdated: dateFromWire(e.date_updated),
    initiatedBy: e.initiated_by,
    url: e.url,
    links: e.links,
  } as JsonObject;
}
