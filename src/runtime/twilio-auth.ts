// make-http-request's "Authenticate With Twilio" (add_twilio_auth): the account's upstream Twilio
// credentials replace any in the URL, and only Twilio API URLs may receive them — any other URL takes
// `failed` without a request (reference §2.18).
import type { EffectResult, HttpRequestSpec } from '../engine/types.ts';
import type { TwilioCredentials } from './ports/channel.ts';

export type TwilioAuthOutcome = { ok: true; request: HttpRequestSpec } | { ok: false; result: Extract<EffectResult, { kind: 'http-failed' }> };

function isTwilioHost(url: URL, apiHosts: string[]): boolean {
  const host = url.hostname.toLowerCase();
  const twilio = url.protocol === 'https:' && (host === 'twilio.com' || host.endsWith('.twilio.com'));
  return twilio || apiHosts.includes(url.host.toLowerCase());
}

export function withTwilioAuth(request: HttpRequestSpec, credentials: TwilioCredentials | null): TwilioAuthOutcome {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return { ok: false, result: { kind: 'http-failed', reason: 'network', message: `Invalid URL: ${request.url}` } };
  }
  if (!isTwilioHost(url, credentials?.apiHosts ?? [])) {
    return { ok: false, result: { kind: 'http-failed', reason: 'blocked', message: `Authenticate With Twilio works only for Twilio API URLs, not ${url.host}` } };
  }
  if (!credentials) {
    return {
      ok: false,
      result: { kind: 'http-failed', reason: 'blocked', message: 'Authenticate With Twilio needs the account to use the Twilio carrier (it has no upstream Twilio credentials)' },
    };
  }
  url.username = '';
  url.password = '';
  const authorization = 'Basic ' + Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
  return { ok: true, request: { ...request, url: url.toString(), headers: { ...request.headers, authorization } } };
}
