// Call webhooks sent as Twilio sends them to a flow (Host switchboard.test, X-Twilio-Signature with the
// account's auth token): a POST with the call's parameters in the form, or a GET with them in the query.
import type { App } from '../../src/app.ts';
import { computeSignature } from '../../src/api/wire/signature.ts';
import type { InjectResponse } from '../support/server.ts';
import { verbs, type Verb } from './support.ts';

export const WEBHOOK_HOST = 'switchboard.test';

/** A server to call: its app and the account whose flows answer (a TestServer, a node of a cluster). */
export interface WebhookTarget {
  app: App;
  account: { sid: string; authToken: string };
}

/** The flow's webhook URL, as a number's "A call comes in" names it. */
export function flowWebhookUrl(target: WebhookTarget, flowSid: string): string {
  return `http://${WEBHOOK_HOST}/v1/Accounts/${target.account.sid}/Flows/${flowSid}`;
}

/** Twilio's POST: its parameters in the form, signed with `token` over the URL and them. */
export function twilioPost(target: WebhookTarget, url: string, params: Record<string, string>, token = target.account.authToken): Promise<InjectResponse> {
  const at = new URL(url);
  return target.app.server.inject({
    method: 'POST',
    url: at.pathname + at.search,
    headers: { host: WEBHOOK_HOST, 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': computeSignature(token, url, params) },
    payload: new URLSearchParams(params).toString(),
  });
}

/** Twilio's GET: its parameters appended to the URL's query, signed with `token` over the full URL alone. */
export function twilioGet(target: WebhookTarget, url: string, params: Record<string, string>, token = target.account.authToken): Promise<InjectResponse> {
  const full = `${url}${url.includes('?') ? '&' : '?'}${new URLSearchParams(params).toString()}`;
  const at = new URL(full);
  return target.app.server.inject({ method: 'GET', url: at.pathname + at.search, headers: { host: WEBHOOK_HOST, 'x-twilio-signature': computeSignature(token, full, {}) } });
}

export interface WebhookAnswer {
  status: number;
  body: string;
  /** The TwiML answered, parsed; null when the answer is no XML (an error). */
  twiml: Verb[] | null;
}

export function answerOf(res: InjectResponse): WebhookAnswer {
  return { status: res.statusCode, body: res.body, twiml: String(res.headers['content-type'] ?? '').includes('xml') ? verbs(res.body) : null };
}
