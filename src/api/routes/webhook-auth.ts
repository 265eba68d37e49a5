// Who may post to a flow webhook: Twilio, proven by X-Twilio-Signature with the account's auth token
// (or, on the Twilio carrier, the upstream account's), or a local tool with the account's Basic auth.
// Shared by the POST and GET flow webhook routes, with the URL's account and flow and the 403 they answer.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Account } from '../../runtime/ports/store.ts';
import { upstreamSigning } from '../../channels/twilio/carrier-config.ts';
import type { ApiContext } from '../context.ts';
import { usableHost, webhookBase } from '../wire/base-urls.ts';
import { parseBasicAuth } from '../wire/basic-auth.ts';
import { validateSignature } from '../wire/signature.ts';
import { errors } from '../wire/errors.ts';
import { isSid } from '../../runtime/ids.ts';
import { redactedUrl } from '../../observability/logger.ts';

/** Twilio's 403 for a webhook it will not act on (error 20003), with the reason as the message. */
export function webhookRefused(reply: FastifyReply, message: string) {
  reply.code(403).type('application/json');
  return { code: 20003, message, more_info: 'https://www.twilio.com/docs/errors/20003', status: 403 };
}

/**
 * Twilio's answer to a webhook it cannot authenticate. Given the request (a flow webhook, which also takes
 * Basic auth), one that carried neither a signature nor credentials is told what it lacks, and refused
 * Basic auth is named as such: a curl without -u otherwise read "Invalid X-Twilio-Signature".
 */
export function invalidSignature(reply: FastifyReply, request?: FastifyRequest, callback = false) {
  if (request && callback && request.headers['x-twilio-signature'] === undefined) {
    // A carrier callback (status, virtual agent) takes only the signature, made as Twilio makes it.
    return webhookRefused(reply, "Missing X-Twilio-Signature: a carrier callback takes only Twilio's signature (made with the upstream Twilio account's auth token; on the webhook channel, the Switchboard account's)");
  }
  if (request && request.headers['x-twilio-signature'] === undefined) {
    if (request.headers.authorization === undefined) {
      return webhookRefused(reply, "Missing X-Twilio-Signature: a flow webhook takes Twilio's signature (made with the account's auth token, or on the Twilio carrier the upstream account's) or the account's Basic auth");
    }
    return webhookRefused(reply, "Basic auth refused: a flow webhook takes only its own account's credentials (or Twilio's X-Twilio-Signature)");
  }
  return webhookRefused(reply, 'Invalid X-Twilio-Signature');
}

/** The account and flow a flow webhook's URL names; 404 unless both SIDs are well formed and the account exists. */
export async function webhookTarget(ctx: ApiContext, request: FastifyRequest): Promise<{ accountSid: string; flowSid: string; account: Account; path: string }> {
  const { AccountSid, FlowSid } = request.params as { AccountSid: string; FlowSid: string };
  const path = request.url.split('?')[0]!;
  if (!isSid('AC', AccountSid) || !isSid('FW', FlowSid)) throw errors.notFound(path);
  const account = await ctx.store.getAccount(AccountSid);
  if (!account) throw errors.notFound(path);
  return { accountSid: AccountSid, flowSid: FlowSid, account, path };
}

/**
 * The URLs a Twilio request to this route may have been signed over: this server's public base (or the
 * Host it was reached at) with the path and query, and the carrier's StatusCallbackBaseUrl with them
 * when it hands Twilio callback and call URLs under another base (a separate hooks host, a TLS proxy).
 */
export function signedUrls(ctx: ApiContext, request: FastifyRequest, callbackBase: string | undefined): string[] {
  const urls = [webhookBase(ctx, request) + request.url];
  if (callbackBase) urls.push(callbackBase.replace(/\/+$/, '') + request.url);
  return urls;
}

/**
 * Who a flow webhook request proved to be, and so where the URLs its answer hands out (the TwiML's action,
 * Redirect and other callback URLs) must point: Twilio on the account's carrier (signed with the upstream auth
 * token) is handed the account's StatusCallbackBaseUrl when it has one — Twilio may reach the server only there,
 * and every other URL the carrier gives Twilio (the call's Url and StatusCallback, message StatusCallbacks) is on
 * it too — else the webhook base. Any other caller (the simulator phone, signed with the account's own token; a
 * local tool's Basic auth) is handed the webhook base, as before.
 */
export interface WebhookCaller {
  /** Base (no trailing slash) of the URLs the answer hands the caller. */
  answerBase: string;
}

/**
 * Whether the request is signed over `params` (the form for POST, none for GET) or carries the account's Basic auth:
 * who it is (WebhookCaller), or null when it is neither.
 */
export async function webhookAuthenticated(ctx: ApiContext, request: FastifyRequest, account: Account, params: Record<string, string | string[]>): Promise<WebhookCaller | null> {
  const header = request.headers['x-twilio-signature'];
  const signature = typeof header === 'string' ? header : undefined;
  const upstream = await upstreamSigning(ctx.store, account.sid);
  const urls = signedUrls(ctx, request, upstream.callbackBase);
  const local = { answerBase: webhookBase(ctx, request) };
  const signedWith = (token: string) => urls.some((url) => validateSignature(token, signature, url, params));
  if (upstream.tokens.some(signedWith)) return { answerBase: upstream.callbackBase?.replace(/\/+$/, '') ?? local.answerBase };
  if (signedWith(account.authToken)) return local;
  if (ctx.config.webhookAuth === 'none') return local;
  const basic = parseBasicAuth(request.headers.authorization);
  const authed = basic ? await ctx.accounts.authenticate(basic.username, basic.password) : null;
  if (authed !== null && authed.sid === account.sid) return local;
  if (signature !== undefined || !basic) logRefusedSignature(request, urls);
  return null;
}

/**
 * The URL a reverse proxy says the client called (X-Forwarded-Proto/-Host, or RFC 7239's Forwarded), when it
 * says so. Never trusted for signatures (any client can send these headers): only named in the log.
 */
function forwardedUrl(request: FastifyRequest): string | undefined {
  const first = (name: string): string | undefined => {
    const value = request.headers[name];
    const text = Array.isArray(value) ? value[0] : value;
    return text?.split(',')[0]?.trim() || undefined;
  };
  let proto = first('x-forwarded-proto');
  let host = first('x-forwarded-host');
  const forwarded = first('forwarded');
  if (forwarded) {
    for (const part of forwarded.split(';')) {
      const [name, value] = part.split('=').map((x) => x.trim().replace(/^"|"$/g, ''));
      if (name?.toLowerCase() === 'proto' && value) proto ??= value;
      if (name?.toLowerCase() === 'host' && value) host ??= value;
    }
  }
  if (proto === undefined && host === undefined) return undefined;
  const scheme = proto && /^https?$/i.test(proto) ? proto.toLowerCase() : request.protocol;
  const authority = host && usableHost(host) ? host : request.host;
  return `${scheme}://${authority}${request.url}`;
}

/**
 * Logs (warn) a webhook refused for its X-Twilio-Signature, with the URLs the signature was checked over (their
 * secrets redacted): the usual cause is a public base URL other than the one Twilio calls, such as a reverse proxy's
 * https:// URL while Switchboard sees http://. When the request came through a proxy that names another URL
 * (X-Forwarded-Proto/-Host, Forwarded), the line says so and how to fix it.
 */
export function logRefusedSignature(request: FastifyRequest, checkedUrls: string[]): void {
  const missing = request.headers['x-twilio-signature'] === undefined;
  const proxied = forwardedUrl(request);
  const hint = proxied !== undefined && !checkedUrls.includes(proxied)
    ? { forwardedUrl: redactedUrl(proxied), hint: 'the proxy forwarded a URL the signature was not checked over: X-Forwarded-* headers are not trusted, set --public-base-url (PUBLIC_BASE_URL) to the base URL Twilio calls' }
    : {};
  request.log.warn(
    { checkedUrls: checkedUrls.map(redactedUrl), ...hint },
    `webhook refused (403, 20003): ${missing ? 'no' : 'invalid'} X-Twilio-Signature`,
  );
}
