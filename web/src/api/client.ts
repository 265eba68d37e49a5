// HTTP client for the Switchboard API: Basic auth with the signed-in account on every call, form
// bodies the way Twilio's SDKs send them, and Twilio error bodies turned into ApiError.
import type { TwilioErrorBody } from './types.ts';

export interface Credentials {
  accountSid: string;
  authToken: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly body: TwilioErrorBody;
  constructor(status: number, body: TwilioErrorBody) {
    super(body.message ?? `Request failed (${status})`);
    this.status = status;
    this.body = body;
  }
}

/** No answer from the server: it is down, restarting, or the network is. */
export class UnreachableError extends Error {
  constructor() {
    super('The Switchboard server cannot be reached: it may be stopped or restarting, or the network is down. Try again in a moment.');
  }
}

export type FormFields = Record<string, string | string[] | undefined>;

export function encodeForm(fields: FormFields): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
  }
  return params.toString();
}

export function authHeader(credentials: Credentials): string {
  // btoa needs Latin-1; SIDs and tokens are ASCII, but encode defensively.
  const bytes = new TextEncoder().encode(`${credentials.accountSid}:${credentials.authToken}`);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}

/** Headers of every console call; X-Requested-With keeps the browser's own login prompt away on a 401. */
export function consoleHeaders(credentials: Credentials): Record<string, string> {
  return { authorization: authHeader(credentials), 'x-requested-with': 'XMLHttpRequest' };
}

/** Absolute page URLs from `meta` point at this server; keep only path and query so the browser stays same-origin. */
export function relativeUrl(url: string): string {
  if (url.startsWith('/')) return url;
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
}

/** Reason phrases an HTTP/2 answer leaves out (it has no status text). */
const REASONS: Record<number, string> = {
  200: 'OK',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  413: 'Content Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/**
 * The words for an answer that is not the API's JSON: a proxy's or load balancer's error page, or a
 * server that is not Switchboard. Its body is never shown (it may be a whole HTML page).
 */
export function foreignAnswer(response: { status: number; statusText: string; ok: boolean }): string {
  const line = `${response.status} ${response.statusText || REASONS[response.status] || ''}`.trim();
  const who = 'a proxy or gateway in front of Switchboard may have answered for it';
  if (response.ok) return `The server answered ${line} with something other than the API's JSON (${who}).`;
  const down = response.status >= 502 && response.status <= 504 ? ': Switchboard may be stopped or restarting. Try again in a moment.' : '.';
  return `The server answered ${line}, without the API's error details (${who})${down}`;
}

export class ApiClient {
  readonly credentials: Credentials;
  readonly #onUnauthorized: () => void;

  constructor(credentials: Credentials, onUnauthorized: () => void = () => undefined) {
    this.credentials = credentials;
    this.#onUnauthorized = onUnauthorized;
  }

  /** Says the server refused these credentials outside `request` (an event stream's 401). */
  refused(): void {
    this.#onUnauthorized();
  }

  /** `extraHeaders`: a request's own, such as If-Match on a flow save. */
  async request<T>(method: 'GET' | 'POST' | 'DELETE', path: string, form?: FormFields, signal?: AbortSignal, extraHeaders: Record<string, string> = {}): Promise<T> {
    const headers: Record<string, string> = { ...extraHeaders, ...consoleHeaders(this.credentials), accept: 'application/json' };
    const init: RequestInit = { method, headers, signal: signal ?? null };
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      init.body = encodeForm(form);
    }
    let response: Response;
    try {
      response = await fetch(relativeUrl(path), init);
    } catch (caught) {
      // fetch rejects (with the browser's bare "Failed to fetch") only when no answer came at all.
      if (signal?.aborted) throw caught;
      throw new UnreachableError();
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    let body: unknown = null;
    let json = true;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      json = false;
    }
    if (!response.ok) {
      if (response.status === 401) this.#onUnauthorized();
      // A proxy's or gateway's own error page (HTML, plain text) is no Twilio error: say who answered what, never show the page.
      throw new ApiError(response.status, json && body !== null && typeof body === 'object' ? (body as TwilioErrorBody) : { message: foreignAnswer(response) });
    }
    if (!json) throw new Error(foreignAnswer(response));
    return body as T;
  }

  get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>('GET', path, undefined, signal);
  }

  post<T>(path: string, form: FormFields): Promise<T> {
    return this.request<T>('POST', path, form);
  }

  delete(path: string): Promise<void> {
    return this.request<void>('DELETE', path);
  }

  /** Follows next_page_url until the list is complete (steps, revisions); `limit` caps runaway lists. */
  async all<T>(path: string, key: string, limit = LIST_LIMIT): Promise<T[]> {
    return (await this.allOf<T>(path, key, limit)).items;
  }

  /** As all(), and whether the list went on past `limit` (a page should say it shows only part). */
  async allOf<T>(path: string, key: string, limit = LIST_LIMIT): Promise<{ items: T[]; more: boolean }> {
    const items: T[] = [];
    let next: string | null = path;
    while (next && items.length < limit) {
      const page: Record<string, unknown> & { meta: { next_page_url: string | null } } = await this.get(next);
      items.push(...((page[key] as T[]) ?? []));
      next = page.meta.next_page_url;
    }
    return { items, more: next !== null };
  }
}

/** How many items all() reads of a list at most. */
export const LIST_LIMIT = 5000;

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    const code = error.body.code ? ` (${error.body.code})` : '';
    return `${error.message}${code}`;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
