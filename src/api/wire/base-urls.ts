// The bases of the URLs the API hands out: links a client follows, and webhook URLs Twilio calls.
// Shared by server.ts and the routes (here, not in server.ts, which imports every route).
import { isIPv6 } from 'node:net';
import type { FastifyRequest } from 'fastify';
import type { ApiContext } from '../context.ts';
import { isTwilioHost, throughGateway } from '../../twilio-proxy/gateway.ts';

/**
 * Whether twilio-cli sent the request: through the gateway's tunnel, or (a TLS proxy in front, a hosts
 * entry) addressed to a *.twilio.com Host. Such a client reaches Switchboard only at that Host.
 */
function addressedAsTwilio(request: FastifyRequest): boolean {
  return throughGateway(request.raw.socket) || isTwilioHost(request.hostname);
}

/** A host name or IPv4 address: RFC 3986's reg-name, without percent-escapes and sub-delims (`&`, `=`, …) no real host has. */
const NAME = /^[A-Za-z0-9._~-]+$/;

/**
 * Whether a Host header can stand as a URL's authority: a name or IPv4 address, or an IPv6 address in
 * brackets, with an optional port 1–65535. Anything else (`a.example/evil?x=`, `a.example:99999`, a
 * userinfo, a space) would be copied into every URL a response hands out and is not used.
 */
export function usableHost(host: string): boolean {
  const match = /^(\[[^\]]*\]|[^:]*)(?::([1-9]\d{0,4}))?$/.exec(host);
  if (!match || (match[2] !== undefined && Number(match[2]) > 65_535)) return false;
  const name = match[1]!;
  return name.startsWith('[') ? isIPv6(name.slice(1, -1)) : NAME.test(name);
}

/**
 * The base of the URLs a response names for the client to follow (url, links, meta.*_url): the public
 * base URL, or the Host the request came to. A request addressed to Twilio gets https://<that Host>
 * whatever the public base URL: twilio-cli follows next_page_url itself and can only reach us there.
 */
export function publicBase(ctx: ApiContext, request: FastifyRequest): string {
  if (addressedAsTwilio(request) && usableHost(request.host)) return `https://${request.host}`;
  return webhookBase(ctx, request);
}

/**
 * Where Twilio and other callers send webhooks (webhook_url, signatures): the public base URL, or else
 * the Host the request came to — never a Twilio host, which would send a number's traffic to real Twilio,
 * so a request addressed to Twilio gets the server's own listening address instead. So does a request
 * without a Host (HTTP/1.0 may omit it), which would otherwise be handed `http:///v2/…`, or with one
 * that is no host and port (usableHost).
 */
export function webhookBase(ctx: ApiContext, request: FastifyRequest): string {
  if (ctx.config.publicBaseUrl) return ctx.config.publicBaseUrl.replace(/\/+$/, '');
  if (addressedAsTwilio(request) || !usableHost(request.host)) return ownAddress(request);
  return `${request.protocol}://${request.host}`;
}

/** http://<bound address>:<port>, with a wildcard address as the loopback one (what a local tool can reach). */
function ownAddress(request: FastifyRequest): string {
  const bound = request.server.server.address();
  if (!bound || typeof bound === 'string') return 'http://localhost'; // not listening (tests that inject)
  const host = bound.address === '0.0.0.0' ? '127.0.0.1' : bound.address === '::' ? '::1' : bound.address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${bound.port}`;
}
