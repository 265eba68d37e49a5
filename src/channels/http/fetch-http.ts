// Outbound HTTP for make-http-request and run-function: Studio's 10 s timeout and 64 KB body cap,
// redirects followed, form or JSON bodies. Uses Node's fetch (undici) — no extra dependency.
import type { HttpRequestSpec } from '../../engine/types.ts';
import type { HttpLimits, OutboundHttp } from '../../runtime/ports/channel.ts';

type HttpResult = Awaited<ReturnType<OutboundHttp['request']>>;

function encodeForm(parameters: { key: string; value: string }[]): string {
  const params = new URLSearchParams();
  for (const { key, value } of parameters) params.append(key, value);
  return params.toString();
}

/** Builds the fetch request: parameters go in the query for GET, in the form body for POST. */
export function buildRequest(spec: HttpRequestSpec): { url: URL; init: RequestInit } {
  const url = new URL(spec.url);
  const headers: Record<string, string> = { 'user-agent': 'Switchboard/0.1 (Twilio Studio compatible)' };
  if (url.username || url.password) {
    headers.authorization = 'Basic ' + Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64');
    url.username = '';
    url.password = '';
  }
  const method = spec.method === 'POST' ? 'POST' : 'GET';
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
  return { url, init: { method, headers, ...(body !== undefined ? { body } : {}), redirect: 'follow' } };
}

async function readCapped(response: Response, maxBytes: number): Promise<string | null> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export class FetchHttp implements OutboundHttp {
  async request(spec: HttpRequestSpec, limits: HttpLimits): Promise<HttpResult> {
    let built;
    try {
      built = buildRequest(spec);
    } catch (error) {
      return { kind: 'http-failed', reason: 'network', message: `Invalid URL: ${(error as Error).message}` };
    }
    const signal = AbortSignal.timeout(limits.timeoutMs);
    try {
      const response = await fetch(built.url, { ...built.init, signal });
      const body = await readCapped(response, limits.maxBodyBytes);
      if (body === null) return { kind: 'http-failed', reason: 'too-large', message: `Response body exceeds ${limits.maxBodyBytes} bytes` };
      const headers: Record<string, string> = {};
      response.headers.forEach((value, key) => (headers[key] = value));
      return { kind: 'http-response', statusCode: response.status, contentType: response.headers.get('content-type') ?? '', body, headers };
    } catch (error) {
      const timedOut = signal.aborted;
      return { kind: 'http-failed', reason: timedOut ? 'timeout' : 'network', message: timedOut ? `No response within ${limits.timeoutMs} ms` : (error as Error).message };
    }
  }
}
