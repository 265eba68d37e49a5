// A small client for the parts of Twilio's REST APIs the carrier uses: Messages and Calls
// (2010-04-01, form bodies, Basic auth) and Conversations Messages (v1, service-scoped when known). One rule shapes it:
// a create request is retried only when it surely did not reach Twilio (429 or 503, which Twilio
// answers before doing anything, and connections that were never established). Every other
// failure after the request may have left is reported as `unknown`, for the caller to reconcile.
import type { JsonObject } from '../../engine/types.ts';
import { BlockedError, FetchHttp } from '../http/fetch-http.ts';
import type { OutboundPolicy } from '../http/outbound-policy.ts';
import type { TwilioUpstream } from './carrier-config.ts';
import type { OutboundGuard } from './outbound-guard.ts';
import { asStored, sameAddress } from './upstream-match.ts';

export type FormParams = [name: string, value: string][];

export type CreateOutcome =
  /** Twilio created the resource (201/200). */
  | { kind: 'created'; resource: JsonObject }
  /** Twilio answered and created nothing (4xx, or 429/503 after every retry). */
  | { kind: 'rejected'; httpStatus: number; code: number; message: string }
  /** The request may or may not have been acted on (timeout, connection reset, 500/502/504). */
  | { kind: 'unknown'; reason: string };

/** What a read (GET) of one resource gave: the resource, Twilio's refusal (404 …), or no answer to go by. */
export type ReadOutcome =
  | { kind: 'found'; resource: JsonObject }
  | { kind: 'rejected'; httpStatus: number; code: number; message: string }
  | { kind: 'unknown'; reason: string };

export interface RetryPolicy {
  /** Total attempts, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface RestClientOptions {
  timeoutMs: number;
  retry: RetryPolicy;
  /** Injected for tests that check the schedule; defaults to a real timer. */
  sleep?: (ms: number) => Promise<void>;
  /** The server's outbound policy for upstream URLs (see outbound-guard.ts); none = allow all. */
  guard?: OutboundGuard;
  /** Told about every retry (operators want to see rate limiting). */
  onRetry?: (info: { url: string; attempt: number; reason: string; delayMs: number }) => void;
}

// Worst case one create takes 3 waits of at most 5 s plus a 10 s timeout: under the 30 s effect lease
// of a multi-node deployment, so another node never takes over a send that is still in progress.
export const DEFAULT_REST_OPTIONS: RestClientOptions = {
  timeoutMs: 10_000,
  retry: { attempts: 4, baseDelayMs: 500, maxDelayMs: 5_000 },
};

/** Connection errors raised before any byte of the request was sent. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** Statuses Twilio answers without having acted on the request. */
const NOT_PROCESSED = new Set([429, 503]);

/** The code of a connection error that surely sent nothing (so a retry cannot duplicate), else undefined. */
export function neverSentCode(error: unknown): string | undefined {
  const code = errorCode(error);
  return code && NEVER_SENT.has(code) ? code : undefined;
}

/** Whether an answer with this status says the request was not acted on (so it may be retried). */
export function notProcessed(status: number): boolean {
  return NOT_PROCESSED.has(status);
}

/**
 * The wait before retry `attempt + 1`, or null when the answer's Retry-After asks for longer than a
 * wait may last (maxDelayMs, which keeps a send inside the effect lease): retrying earlier than asked
 * would only be refused again, so the caller gives up at once with the answer's error.
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, retryAfterHeader: string | null): number | null {
  const retryAfter = retryAfterHeader !== null && /^\d+$/.test(retryAfterHeader.trim()) ? Number(retryAfterHeader.trim()) * 1000 : null;
  if (retryAfter !== null && retryAfter > policy.maxDelayMs) return null;
  const exponential = policy.baseDelayMs * 2 ** (attempt - 1);
  // Full jitter keeps many executions that hit a rate limit together from retrying together.
  const jittered = Math.round(exponential / 2 + Math.random() * (exponential / 2));
  return Math.min(policy.maxDelayMs, Math.max(retryAfter ?? 0, jittered));
}

/** How a refusal says that its Retry-After was past the retry budget. */
export function retryAfterTooLong(retryAfterHeader: string | null): string {
  return ` (Retry-After ${retryAfterHeader?.trim()} s is longer than a send may wait; not retried early)`;
}

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A conversation's Messages path: in its Conversation Service when that is known, else the default service's. */
export function conversationMessagesPath(conversationSid: string, serviceSid?: string): string {
  const conversation = `/Conversations/${encodeURIComponent(conversationSid)}/Messages`;
  return serviceSid ? `/v1/Services/${encodeURIComponent(serviceSid)}${conversation}` : `/v1${conversation}`;
}

/** An API answer, whichever way it was fetched. */
interface ApiResponse {
  status: number;
  header(name: string): string | null;
  /** Parses the body; throws when it is not JSON (or could not be read). */
  json(): Promise<unknown>;
  /** Drops an unread body. */
  discard(): void;
}

// Larger than any page the carrier reads; a body past it is treated as unreadable.
const MAX_API_BODY_BYTES = 16 * 1024 * 1024;

// One connection pool per policy: clients are made per send, and a pool per client would pay a
// TLS handshake per message.
const pools = new WeakMap<OutboundPolicy, FetchHttp>();

function pooledHttp(policy: OutboundPolicy): FetchHttp {
  let http = pools.get(policy);
  if (!http) pools.set(policy, (http = new FetchHttp({ policy, keepAlive: true })));
  return http;
}

export function encodeForm(params: FormParams): string {
  const search = new URLSearchParams();
  for (const [name, value] of params) search.append(name, value);
  return search.toString();
}

export class TwilioRestClient {
  readonly upstream: TwilioUpstream;
  readonly #options: RestClientOptions;

  constructor(upstream: TwilioUpstream, options: Partial<RestClientOptions> = {}) {
    this.upstream = upstream;
    this.#options = { ...DEFAULT_REST_OPTIONS, ...options };
  }

  get #authorization(): string {
    const { apiKey, accountSid, authToken } = this.upstream;
    const [user, password] = apiKey ? [apiKey.sid, apiKey.secret] : [accountSid, authToken];
    return 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
  }

  #accountUrl(resource: string): string {
    return `${this.upstream.apiBaseUrl}/2010-04-01/Accounts/${this.upstream.accountSid}/${resource}`;
  }

  /** POST /2010-04-01/Accounts/{AC}/Messages.json */
  createMessage(params: FormParams): Promise<CreateOutcome> {
    return this.#create(this.#accountUrl('Messages.json'), params);
  }

  /** POST /2010-04-01/Accounts/{AC}/Calls.json */
  createCall(params: FormParams): Promise<CreateOutcome> {
    return this.#create(this.#accountUrl('Calls.json'), params);
  }

  /**
   * POST /v1/Services/{IS}/Conversations/{CH}/Messages, or /v1/Conversations/{CH}/Messages when the
   * conversation's service is not known: that path reaches only the account's default Conversation
   * Service, so a conversation in another (Flex's, or one Start Conversation named) needs its service.
   */
  createConversationMessage(conversationSid: string, params: FormParams, serviceSid?: string): Promise<CreateOutcome> {
    return this.#create(`${this.upstream.conversationsBaseUrl}${conversationMessagesPath(conversationSid, serviceSid)}`, params);
  }

  /** POST to a Conversations API path (e.g. `/v1/Services/IS…/Conversations`). */
  createConversationsResource(path: string, params: FormParams): Promise<CreateOutcome> {
    return this.#create(`${this.upstream.conversationsBaseUrl}${path}`, params);
  }

  /** POST a form to any Twilio API URL on this account's credentials (TaskRouter uses it). */
  createAt(url: string, params: FormParams): Promise<CreateOutcome> {
    return this.#create(url, params);
  }

  /** GET JSON from any Twilio API URL; null when the read failed. */
  getJsonAt(url: string): Promise<JsonObject | null> {
    return this.#getJson(url);
  }

  /** GET a Conversations API path (e.g. `/v1/Services/IS…/Conversations/CH…`), with Twilio's refusal when there is one. */
  readConversationsResource(path: string): Promise<ReadOutcome> {
    return this.#read(`${this.upstream.conversationsBaseUrl}${path}`);
  }

  /**
   * DELETE a Conversations API path (a conversation's webhook). Deleting twice is harmless, so it is retried as a
   * read is; a 404 counts as gone. `ok: false` with why when it could not be done.
   */
  async deleteConversationsResource(path: string): Promise<{ ok: true } | { ok: false; reason: string }> {
    const url = `${this.upstream.conversationsBaseUrl}${path}`;
    const blocked = await this.#blocked(url);
    if (blocked) return { ok: false, reason: blocked };
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await this.#send(url, 'DELETE', { authorization: this.#authorization, accept: 'application/json' }, undefined, AbortSignal.timeout(this.#options.timeoutMs));
        response.discard();
        if ((response.status >= 200 && response.status <= 299) || response.status === 404) return { ok: true };
        const delay = (response.status === 429 || response.status >= 500) && attempt < this.#options.retry.attempts ? backoffDelay(this.#options.retry, attempt, response.header('retry-after')) : null;
        if (delay === null) return { ok: false, reason: `Twilio API answered HTTP ${response.status}` };
        await this.#sleep(delay);
      } catch (error) {
        if (error instanceof BlockedError) return { ok: false, reason: error.message };
        if (attempt >= this.#options.retry.attempts) return { ok: false, reason: (error as Error).name === 'TimeoutError' ? `no response within ${this.#options.timeoutMs} ms` : (error as Error).message };
        await this.#sleep(backoffDelay(this.#options.retry, attempt, null)!);
      }
    }
  }

  /** GET Messages.json filtered by To (and From); newest first, one page. Null when the lookup failed. */
  async listMessages(filter: { To: string; From?: string | undefined; PageSize?: number }): Promise<JsonObject[] | null> {
    const url = new URL(this.#accountUrl('Messages.json'));
    url.searchParams.set('To', filter.To);
    if (filter.From) url.searchParams.set('From', filter.From);
    url.searchParams.set('PageSize', String(filter.PageSize ?? 50));
    const body = await this.#getJson(url.toString());
    return body && Array.isArray(body.messages) ? (body.messages as JsonObject[]) : null;
  }

  /** GET Calls.json filtered by To and From; newest first, one page. Null when the lookup failed. */
  async listCalls(filter: { To: string; From: string; PageSize?: number }): Promise<JsonObject[] | null> {
    const url = new URL(this.#accountUrl('Calls.json'));
    url.searchParams.set('To', filter.To);
    url.searchParams.set('From', filter.From);
    url.searchParams.set('PageSize', String(filter.PageSize ?? 50));
    const body = await this.#getJson(url.toString());
    return body && Array.isArray(body.calls) ? (body.calls as JsonObject[]) : null;
  }

  /** GET the conversation's Messages (service-scoped when the service is known), newest first, one page. Null when the lookup failed. */
  async listConversationMessages(conversationSid: string, serviceSid?: string, pageSize = 50): Promise<JsonObject[] | null> {
    const url = `${this.upstream.conversationsBaseUrl}${conversationMessagesPath(conversationSid, serviceSid)}?Order=desc&PageSize=${pageSize}`;
    const body = await this.#getJson(url);
    return body && Array.isArray(body.messages) ? (body.messages as JsonObject[]) : null;
  }

  async #getJson(url: string): Promise<JsonObject | null> {
    const outcome = await this.#read(url);
    return outcome.kind === 'found' ? outcome.resource : null;
  }

  async #read(url: string): Promise<ReadOutcome> {
    const blocked = await this.#blocked(url);
    if (blocked) return { kind: 'rejected', httpStatus: 0, code: 30008, message: blocked };
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await this.#send(url, 'GET', { authorization: this.#authorization, accept: 'application/json' }, undefined, AbortSignal.timeout(this.#options.timeoutMs));
        // Reads have no side effect, so every transient failure may be retried.
        const delay = (response.status === 429 || response.status >= 500) && attempt < this.#options.retry.attempts ? backoffDelay(this.#options.retry, attempt, response.header('retry-after')) : null;
        if (delay !== null) {
          response.discard();
          await this.#sleep(delay);
          continue;
        }
        if (response.status >= 200 && response.status <= 299) return { kind: 'found', resource: (await response.json()) as JsonObject };
        let parsed: JsonObject | null = null;
        try {
          parsed = (await response.json()) as JsonObject;
        } catch {
          parsed = null;
        }
        const message = parsed && typeof parsed.message === 'string' ? parsed.message : `Twilio API answered HTTP ${response.status}`;
        if (response.status >= 500) return { kind: 'unknown', reason: `HTTP ${response.status}: ${message}` };
        const code = parsed && typeof parsed.code === 'number' ? parsed.code : response.status === 429 ? 20429 : 30008;
        return { kind: 'rejected', httpStatus: response.status, code, message };
      } catch (error) {
        // Refused at connection time: as the pre-check would have.
        if (error instanceof BlockedError) return { kind: 'rejected', httpStatus: 0, code: 30008, message: error.message };
        if (attempt >= this.#options.retry.attempts) return { kind: 'unknown', reason: (error as Error).name === 'TimeoutError' ? `no response within ${this.#options.timeoutMs} ms` : (error as Error).message };
        await this.#sleep(backoffDelay(this.#options.retry, attempt, null)!);
      }
    }
  }

  async #blocked(url: string): Promise<string | null> {
    return this.#options.guard ? this.#options.guard(new URL(url)) : null;
  }

  async #create(url: string, params: FormParams): Promise<CreateOutcome> {
    const blocked = await this.#blocked(url);
    if (blocked) return { kind: 'rejected', httpStatus: 0, code: 30008, message: blocked };
    const body = encodeForm(params);
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= this.#options.retry.attempts;
      let response: ApiResponse;
      const signal = AbortSignal.timeout(this.#options.timeoutMs);
      try {
        response = await this.#send(
          url,
          'POST',
          {
            authorization: this.#authorization,
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json',
            'user-agent': 'Switchboard/0.1 (Twilio Studio compatible)',
          },
          body,
          signal,
        );
      } catch (error) {
        // The policy refused the address the connection resolved: nothing was sent.
        if (error instanceof BlockedError) return { kind: 'rejected', httpStatus: 0, code: 30008, message: error.message };
        const code = errorCode(error);
        const neverSent = neverSentCode(error);
        if (neverSent) {
          if (last) return { kind: 'rejected', httpStatus: 0, code: 30008, message: `Twilio API unreachable (${neverSent})` };
          await this.#retryWait(url, attempt, neverSent, backoffDelay(this.#options.retry, attempt, null)!);
          continue;
        }
        const reason = (error as Error).name === 'TimeoutError' || signal.aborted ? `no response within ${this.#options.timeoutMs} ms` : `${code ?? (error as Error).message}`;
        return { kind: 'unknown', reason };
      }
      let parsed: JsonObject | null = null;
      try {
        parsed = (await response.json()) as JsonObject;
      } catch {
        parsed = null;
      }
      if (response.status === 200 || response.status === 201) {
        if (parsed && typeof parsed.sid === 'string') return { kind: 'created', resource: parsed };
        return { kind: 'unknown', reason: `HTTP ${response.status} without a resource body` };
      }
      let waitRefused = false;
      if (notProcessed(response.status) && !last) {
        const delay = backoffDelay(this.#options.retry, attempt, response.header('retry-after'));
        if (delay !== null) {
          await this.#retryWait(url, attempt, `HTTP ${response.status}`, delay);
          continue;
        }
        waitRefused = true;
      }
      const code = parsed && typeof parsed.code === 'number' ? parsed.code : response.status === 429 ? 20429 : 30008;
      const message = (parsed && typeof parsed.message === 'string' ? parsed.message : `Twilio API answered HTTP ${response.status}`) + (waitRefused ? retryAfterTooLong(response.header('retry-after')) : '');
      if (response.status < 500 || notProcessed(response.status)) return { kind: 'rejected', httpStatus: response.status, code, message };
      return { kind: 'unknown', reason: `HTTP ${response.status}: ${message}` };
    }
  }

  /**
   * One request, redirects not followed (Twilio never redirects; following one would bypass the
   * outbound guard). Under a policy the connection's own DNS lookup applies it, so a name that
   * resolves differently after the pre-check (DNS rebinding) is still refused: BlockedError.
   */
  async #send(url: string, method: 'GET' | 'POST' | 'DELETE', headers: Record<string, string>, body: string | undefined, signal: AbortSignal): Promise<ApiResponse> {
    const policy = this.#options.guard?.policy;
    if (!policy) {
      const response = await fetch(url, { method, headers, body: body ?? null, redirect: 'manual', signal });
      return {
        status: response.status,
        header: (name) => response.headers.get(name),
        json: () => response.json(),
        discard: () => void response.body?.cancel().catch(() => {}),
      };
    }
    const hop = await pooledHttp(policy).exchange(new URL(url), method, headers, body, MAX_API_BODY_BYTES, signal);
    return {
      status: hop.status,
      header: (name) => {
        const value = hop.headers[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
      },
      json: async () => JSON.parse(await hop.body()) as unknown,
      discard: () => hop.discard(),
    };
  }

  #retryWait(url: string, attempt: number, reason: string, delayMs: number): Promise<void> {
    this.#options.onRetry?.({ url, attempt, reason, delayMs });
    return this.#sleep(delayMs);
  }

  #sleep(ms: number): Promise<void> {
    return this.#options.sleep ? this.#options.sleep(ms) : new Promise((resolve) => setTimeout(resolve, ms));
  }
}

/** What the voice side asks for when it places a call. */
export interface CallRequest {
  to: string;
  from: string;
  /** One of url / twiml / applicationSid. */
  url?: string;
  twiml?: string;
  applicationSid?: string;
  method?: 'GET' | 'POST';
  statusCallback?: string;
  statusCallbackEvents?: ('initiated' | 'ringing' | 'answered' | 'completed')[];
  statusCallbackMethod?: 'GET' | 'POST';
  timeout?: number;
  machineDetection?: string;
  record?: boolean;
  callerId?: string;
  timeLimit?: number;
  /** Anything else the Calls API takes, passed through as given. */
  extra?: FormParams;
}

/** The Calls API form for a call request, in twilio-node's wire order. */
export function callParams(call: CallRequest): FormParams {
  const params: FormParams = [
    ['To', call.to],
    ['From', call.from],
  ];
  if (call.url !== undefined) params.push(['Url', call.url]);
  if (call.twiml !== undefined) params.push(['Twiml', call.twiml]);
  if (call.applicationSid !== undefined) params.push(['ApplicationSid', call.applicationSid]);
  if (call.method) params.push(['Method', call.method]);
  if (call.statusCallback) params.push(['StatusCallback', call.statusCallback]);
  for (const event of call.statusCallbackEvents ?? []) params.push(['StatusCallbackEvent', event]);
  if (call.statusCallbackMethod) params.push(['StatusCallbackMethod', call.statusCallbackMethod]);
  if (call.timeout !== undefined) params.push(['Timeout', String(call.timeout)]);
  if (call.machineDetection) params.push(['MachineDetection', call.machineDetection]);
  if (call.record !== undefined) params.push(['Record', String(call.record)]);
  if (call.callerId) params.push(['CallerId', call.callerId]);
  if (call.timeLimit !== undefined) params.push(['TimeLimit', String(call.timeLimit)]);
  params.push(...(call.extra ?? []));
  return params;
}

/** How placeCall establishes whether a call whose create was not confirmed was placed after all. */
export interface CallLookupOptions {
  /** Wait before looking (Twilio's lists lag its creates a little); 2 s by default. */
  delayMs?: number;
  /** Clock skew tolerated between us and Twilio when matching by creation date; 60 s by default. */
  clockSkewMs?: number;
  /**
   * Takes a call found for this step unless another step owns it, atomically (insert-if-absent), so
   * two steps looking up calls to the same number at once never take the same one; false: owned
   * elsewhere, the next candidate is tried. Without it every candidate is free.
   */
  claim?: (callSid: string) => Promise<boolean>;
}

/**
 * Places a call through the upstream account's Calls API (for the voice widgets). A call is never
 * retried after the request may have reached Twilio. When its outcome is unknown (a 500 after Twilio
 * created it, a timeout), the call is looked up, as a message is: the oldest outbound-api call to
 * `To` from `From` created since the request started that this step can claim (no other step owns
 * it) is this one (`created`: the callee's phone is ringing, and its callbacks come to the step).
 * Found nothing, or the lookup failed: `unknown`, for the caller to report.
 */
export async function placeCall(upstream: TwilioUpstream, call: CallRequest, options: Partial<RestClientOptions> = {}, lookup: CallLookupOptions = {}): Promise<CreateOutcome> {
  if (call.url === undefined && call.twiml === undefined && call.applicationSid === undefined) {
    return { kind: 'rejected', httpStatus: 0, code: 21205, message: 'A call needs Url, Twiml or ApplicationSid' };
  }
  const client = new TwilioRestClient(upstream, options);
  const startedAt = Date.now();
  const outcome = await client.createCall(callParams(call));
  if (outcome.kind !== 'unknown') return outcome;
  const delay = lookup.delayMs ?? 2000;
  if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  const found = await findPlacedCall(client, call, startedAt - (lookup.clockSkewMs ?? 60_000), lookup.claim);
  return found ? { kind: 'created', resource: found } : { kind: 'unknown', reason: `${outcome.reason}; no such call found upstream` };
}

async function findPlacedCall(client: TwilioRestClient, call: CallRequest, earliest: number, claim?: (callSid: string) => Promise<boolean>): Promise<JsonObject | null> {
  const candidates = await client.listCalls({ To: asStored(call.to), From: asStored(call.from) });
  const created = (candidate: JsonObject) => Date.parse(String(candidate.date_created ?? ''));
  const matches = (candidates ?? []).filter(
    (candidate) =>
      typeof candidate.sid === 'string' &&
      created(candidate) >= earliest &&
      sameAddress(call.to, candidate.to) &&
      sameAddress(call.from, candidate.from) &&
      (candidate.direction === undefined || candidate.direction === 'outbound-api'),
  );
  // The oldest one no other step owns is the one this request created.
  matches.sort((a, b) => created(a) - created(b));
  for (const candidate of matches) {
    // A claim that failed (the store did) is not ownership we may take.
    const mine = claim ? await claim(String(candidate.sid)).catch(() => false) : true;
    if (mine) return candidate;
  }
  return null;
}
