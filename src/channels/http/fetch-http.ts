// Outbound HTTP for make-http-request and run-function: Studio's 10 s timeout and 64 KB body cap,
// redirects followed, form or JSON bodies — under the outbound policy. Built on node:http(s)
// rather than fetch so the policy sees the address each connection really uses: the check runs
// inside the socket's DNS lookup (no window for DNS rebinding) and again on every redirect hop.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import type { HttpRequestSpec } from '../../engine/types.ts';
import type { HttpLimits, OutboundHttp } from '../../runtime/ports/channel.ts';
import { OutboundPolicy, checkWrittenHost } from './outbound-policy.ts';
import { charsetOf } from '../../lib/content-type.ts';

type HttpResult = Awaited<ReturnType<OutboundHttp['request']>>;

export const MAX_REDIRECTS = 10;

/** The answers followed when they carry a Location (as fetch follows them); any other status is final. */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** The method a redirect with `status` is followed with: 303 (and 301/302 after a POST) become GET without a body. */
export function redirectedMethod(status: number, method: string): string {
  return status === 303 || (method === 'POST' && (status === 301 || status === 302)) ? 'GET' : method;
}

export interface BuiltRequest {
  url: URL;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body: string | undefined;
}

/** The outbound policy refused the connection: nothing was sent. */
export class BlockedError extends Error {}
export class TooLargeError extends Error {}
class TooManyRedirectsError extends Error {}
/** A method Studio never sends: refused before anything is sent, rather than sent as another request. */
export class UnsupportedMethodError extends Error {}

function encodeForm(parameters: { key: string; value: string }[]): string {
  const params = new URLSearchParams();
  for (const { key, value } of parameters) params.append(key, value);
  return params.toString();
}

/** Builds the request: parameters go in the query for GET, in the form body for POST. Throws for other methods. */
export function buildRequest(spec: HttpRequestSpec): BuiltRequest {
  const method = spec.method.trim().toUpperCase();
  if (method !== 'GET' && method !== 'POST') throw new UnsupportedMethodError(`HTTP method '${spec.method}' is not supported (GET or POST only)`);
  const url = new URL(spec.url);
  const headers: Record<string, string> = { 'user-agent': 'Switchboard/0.1 (Twilio Studio compatible)', ...spec.headers };
  if (url.username || url.password) {
    headers.authorization = 'Basic ' + Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64');
    url.username = '';
    url.password = '';
  }
  let body: string | undefined;
  if (method === 'GET') {
    for (const { key, value } of spec.parameters) url.searchParams.append(key, value);
  } else if (/json/i.test(spec.contentType)) {
    headers['content-type'] = 'application/json';
    body = spec.body ?? (spec.parameters.length ? JSON.stringify(Object.fromEntries(spec.parameters.map((p) => [p.key, p.value]))) : '');
  } else {
    headers['content-type'] = 'application/x-www-form-urlencoded; charset=utf-8';
    body = spec.parameters.length ? encodeForm(spec.parameters) : (spec.body ?? '');
  }
  return { url, method, headers, body };
}

/** A decompressor for the response's Content-Encoding, or null for an identity (or unknown) encoding. */
function decoderFor(encoding: string | undefined): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | null {
  switch ((encoding ?? '').trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip();
    case 'deflate':
      return zlib.createInflate();
    case 'br':
      return zlib.createBrotliDecompress();
    default:
      return null;
  }
}

/**
 * Whether a Content-Type is JSON's: `application/json` or a `+json` type (`application/problem+json`,
 * `application/vnd.api+json`), any case, whatever its parameters.
 */
export function isJsonMediaType(contentType: string | undefined): boolean {
  const essence = (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
  return essence === 'application/json' || (essence.startsWith('application/') && essence.endsWith('+json'));
}

/**
 * Decodes a body in the charset its Content-Type declares (any label TextDecoder knows: `iso-8859-1`,
 * `windows-1252`, `shift_jis`, `utf-16le`, …); none, or one it does not know, is UTF-8. JSON is UTF-8 whatever
 * it declares: RFC 8259 §8.1 has JSON exchanged between systems in UTF-8 and a charset parameter no effect on
 * its recipients, and fetch's response.json() reads it so; a server that labels its UTF-8 JSON `charset=
 * ISO-8859-1` is read as it means ("café", not "cafÃ©"). Malformed bytes become U+FFFD and a byte order mark
 * is kept, as UTF-8 bodies always were.
 */
export function decodeBody(bytes: Uint8Array, contentType: string | undefined): string {
  return textDecoder(isJsonMediaType(contentType) ? undefined : charsetOf(contentType)).decode(bytes);
}

function textDecoder(charset: string | undefined): InstanceType<typeof TextDecoder> {
  if (charset) {
    try {
      return new TextDecoder(charset, { ignoreBOM: true });
    } catch {
      // An unknown label (RangeError): UTF-8.
    }
  }
  return new TextDecoder('utf-8', { ignoreBOM: true });
}

/** Why the client sends nothing to a URL with this scheme (a network failure), or null for http and https. */
function unsupportedProtocol(url: URL): string | null {
  return url.protocol === 'http:' || url.protocol === 'https:' ? null : `Unsupported protocol ${url.protocol}`;
}

/**
 * How the client fails a request to `url` under `policy` before sending anything — a scheme other than
 * http(s) (network), a host the policy refuses (blocked, "Outbound request blocked: …") — or null when it
 * would send it. For flow tests, which send nothing: the host is judged as written (checkWrittenHost), as
 * the server judges an IP literal, `localhost` and the host rules; the server also refuses a name whose
 * DNS answer is a refused address.
 */
export function refusedRequest(url: URL, policy: OutboundPolicy): { reason: 'network' | 'blocked'; message: string } | null {
  const protocol = unsupportedProtocol(url);
  if (protocol) return { reason: 'network', message: protocol };
  const decision = checkWrittenHost(policy, url.hostname);
  return decision.allowed ? null : { reason: 'blocked', message: decision.reason };
}

/** A DNS lookup that refuses the connection when any address the name resolves to is denied. */
function policyLookup(policy: OutboundPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { all: true, family: options.family ?? 0 }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      for (const { address } of addresses) {
        const decision = policy.check(hostname, address);
        if (!decision.allowed) return callback(new BlockedError(decision.reason), '', 0);
      }
      if (addresses.length === 0) return callback(new Error(`${hostname} has no address`), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

export interface Hop {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Reads the capped body (the cap counts bytes) decoded in its declared charset; throws TooLargeError past the cap. */
  body(): Promise<string>;
  discard(): void;
}

export interface FetchHttpOptions {
  policy?: OutboundPolicy;
  /**
   * Reuse connections (keep-alive agents whose lookup applies the policy) instead of one
   * connection per request: for a client that sends many requests to one host (the Twilio API),
   * where a TLS handshake per message would cost. A reused connection was checked when it opened.
   */
  keepAlive?: boolean;
}

export class FetchHttp implements OutboundHttp {
  readonly #policy: OutboundPolicy;
  readonly #lookup: LookupFunction;
  readonly #agents: { http: http.Agent; https: https.Agent } | null;

  constructor(options: FetchHttpOptions = {}) {
    this.#policy = options.policy ?? new OutboundPolicy();
    this.#lookup = policyLookup(this.#policy);
    // Idle sockets close after 4 s, before a server's usual 5 s keep-alive timeout closes them under a new request.
    const agentOptions = { keepAlive: true, timeout: 4_000, scheduling: 'lifo' as const, lookup: this.#lookup };
    this.#agents = options.keepAlive ? { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) } : null;
  }

  /** Closes the pooled connections (keep-alive only); idle ones never keep the process alive anyway. */
  destroy(): void {
    this.#agents?.http.destroy();
    this.#agents?.https.destroy();
  }

  /** One exchange without following redirects, for callers with their own redirect rules (the carrier's webhook channel). */
  exchange(url: URL, method: string, headers: Record<string, string>, body: string | undefined, maxBytes: number, signal: AbortSignal): Promise<Hop> {
    return this.#send(url, method, headers, body, maxBytes, signal);
  }

  /**
   * Exchanges, following redirects as fetch does, each hop under the policy: 303 (and 301/302 after a
   * POST) become GET without a body, credentials stay with their origin. Returns the final answer.
   */
  async follow(start: URL, startMethod: string, headers: Record<string, string>, startBody: string | undefined, maxBytes: number, signal: AbortSignal): Promise<Hop> {
    let url = start;
    let method = startMethod;
    let body = startBody;
    const sent = { ...headers };
    for (let hop = 0; ; hop++) {
      const response = await this.#send(url, method, sent, body, maxBytes, signal);
      const location = response.headers.location;
      if (!REDIRECT_STATUSES.has(response.status) || !location) return response;
      response.discard();
      if (hop >= MAX_REDIRECTS) throw new TooManyRedirectsError(`More than ${MAX_REDIRECTS} redirects`);
      const next = new URL(location, url);
      if (redirectedMethod(response.status, method) !== method) {
        method = 'GET';
        body = undefined;
        delete sent['content-type'];
      }
      if (next.origin !== url.origin) delete sent.authorization;
      url = next;
    }
  }

  async request(spec: HttpRequestSpec, limits: HttpLimits): Promise<HttpResult> {
    let built: BuiltRequest;
    try {
      built = buildRequest(spec);
    } catch (error) {
      if (error instanceof UnsupportedMethodError) return { kind: 'http-failed', reason: 'network', message: error.message };
      return { kind: 'http-failed', reason: 'network', message: `Invalid URL: ${(error as Error).message}` };
    }
    const signal = AbortSignal.timeout(limits.timeoutMs);
    try {
      const response = await this.follow(built.url, built.method, built.headers, built.body, limits.maxBodyBytes, signal);
      const text = await response.body();
      const flat: Record<string, string> = {};
      for (const [key, value] of Object.entries(response.headers)) if (value !== undefined) flat[key] = Array.isArray(value) ? value.join(', ') : value;
      return { kind: 'http-response', statusCode: response.status, contentType: flat['content-type'] ?? '', body: text, headers: flat };
    } catch (error) {
      if (error instanceof TooManyRedirectsError) return { kind: 'http-failed', reason: 'network', message: error.message };
      if (error instanceof BlockedError) return { kind: 'http-failed', reason: 'blocked', message: error.message };
      if (error instanceof TooLargeError) return { kind: 'http-failed', reason: 'too-large', message: error.message };
      if (signal.aborted) return { kind: 'http-failed', reason: 'timeout', message: `No response within ${limits.timeoutMs} ms` };
      return { kind: 'http-failed', reason: 'network', message: (error as Error).message };
    }
  }

  /** One request/response exchange; the policy is checked before connecting (IP literals) and in the lookup (names). */
  #send(url: URL, method: string, headers: Record<string, string>, body: string | undefined, maxBytes: number, signal: AbortSignal): Promise<Hop> {
    const protocol = unsupportedProtocol(url);
    if (protocol) return Promise.reject(new Error(protocol));
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    if (isIP(host)) {
      const decision = this.#policy.check(host, host);
      if (!decision.allowed) return Promise.reject(new BlockedError(decision.reason));
    }
    const transport = url.protocol === 'https:' ? https : http;
    const payload = body === undefined ? undefined : Buffer.from(body, 'utf8');
    return new Promise<Hop>((resolve, reject) => {
      const request = transport.request(
        url,
        {
          method,
          headers: { ...headers, ...(payload ? { 'content-length': String(payload.length) } : {}) },
          lookup: this.#lookup,
          signal,
          agent: this.#agents ? (url.protocol === 'https:' ? this.#agents.https : this.#agents.http) : false,
        },
        (response) => {
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            discard: () => response.destroy(),
            body: () =>
              new Promise<string>((done, fail) => {
                // A compressed body is decoded, and the cap counts decoded bytes: a small gzip bomb is still too large.
                const decoder = decoderFor(response.headers['content-encoding']);
                const stream: Readable = decoder ? response.pipe(decoder) : response;
                const chunks: Buffer[] = [];
                let size = 0;
                let settled = false;
                const settle = (error: Error | null) => {
                  if (settled) return;
                  settled = true;
                  if (error) fail(error);
                  else done(decodeBody(Buffer.concat(chunks), response.headers['content-type']));
                };
                stream.on('data', (chunk: Buffer) => {
                  size += chunk.length;
                  if (size > maxBytes) {
                    settle(new TooLargeError(`Response body exceeds ${maxBytes} bytes`));
                    decoder?.destroy();
                    response.destroy();
                    return;
                  }
                  chunks.push(chunk);
                });
                stream.on('end', () => settle(null));
                stream.on('error', (error) => settle(error));
                response.on('error', (error) => settle(error));
                response.on('close', () => {
                  if (!response.complete) settle(new Error('response aborted'));
                });
              }),
          });
        },
      );
      request.on('error', (error) => reject(error.cause instanceof BlockedError ? error.cause : error));
      request.end(payload);
    });
  }
}
