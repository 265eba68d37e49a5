// How the simulator phone reaches URLs, as Twilio Voice would: every request signed with
// X-Twilio-Signature (the account's auth token). This server's own URLs go to the in-process
// handler the composition root attaches (the HTTP server, without a socket); any other URL a flow's
// TwiML names (a Redirect target) goes over HTTP under the outbound policy.
import type { Store } from '../../runtime/ports/store.ts';
import { FetchHttp } from '../http/fetch-http.ts';
import type { OutboundPolicy } from '../http/outbound-policy.ts';
import { signForm } from '../webhook/webhook-channel.ts';
import type { HttpAnswer, PhoneTransport } from './phone.ts';

/** A TwiML document larger than this is not one (Twilio's own limit is 64 KB). */
const MAX_TWIML_BYTES = 1024 * 1024;

/** The base URL the phone uses for this server when no public base URL is configured. */
export const SIMULATOR_BASE = 'http://switchboard.simulator';

/** The base of this server's URLs as the simulator phone knows them. */
export function simulatorBase(publicBaseUrl: string | undefined): string {
  return publicBaseUrl ? publicBaseUrl.replace(/\/+$/, '') : SIMULATOR_BASE;
}

/** A request to this server, by path (and query) under `base`. */
export interface LocalRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** Answers requests to this server in-process. */
export type LocalServer = (request: LocalRequest) => Promise<HttpAnswer>;

export interface SignedPhoneTransportOptions {
  /** This server's base URL (simulatorBase): requests under it are answered in-process. */
  base: string;
  /** The outbound policy for every other URL. */
  policy?: OutboundPolicy | undefined;
}

/** Signed requests: in-process for this server, over HTTP under the outbound policy for anything else. */
export class SignedPhoneTransport implements PhoneTransport {
  readonly base: string;
  readonly #store: Store;
  readonly #policy: OutboundPolicy | undefined;
  #local: LocalServer | null = null;
  /** Tests: send requests for other hosts to this local base instead (no Internet in CI). */
  externalBase: string | null = null;

  constructor(store: Store, options: SignedPhoneTransportOptions) {
    this.#store = store;
    this.base = options.base;
    this.#policy = options.policy;
  }

  /** The HTTP server is built after the runtime it serves, so it is attached once it exists. */
  serveLocally(server: LocalServer): void {
    this.#local = server;
  }

  async request(accountSid: string, url: string, method: string, params: Record<string, string>): Promise<HttpAnswer> {
    const account = await this.#store.getAccount(accountSid);
    const target = new URL(url);
    const get = method === 'GET';
    if (get) for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
    const signedUrl = get ? target.toString() : url;
    const headers: Record<string, string> = {
      'x-twilio-signature': signForm(account?.authToken ?? '', signedUrl, get ? [] : Object.entries(params)),
      'user-agent': 'TwilioProxy/1.1 (Switchboard simulator)',
    };
    const body = get ? undefined : new URLSearchParams(params).toString();
    if (!get) headers['content-type'] = 'application/x-www-form-urlencoded';
    if (signedUrl.startsWith(this.base + '/')) {
      if (!this.#local) throw new Error('no server answers the simulator phone');
      const base = new URL(this.base);
      headers.host = base.host;
      // Behind a proxy on a sub-path (https://host/switchboard), the server's own routes are the part after it.
      const path = target.pathname.slice(base.pathname.replace(/\/+$/, '').length);
      return this.#local({ method: get ? 'GET' : 'POST', url: path + target.search, headers, ...(body !== undefined ? { body } : {}) });
    }
    const external = new URL(this.externalBase ? new URL(target.pathname + target.search, this.externalBase).toString() : signedUrl);
    return this.#fetchExternal(external, get ? 'GET' : 'POST', headers, body);
  }

  /**
   * A TwiML Redirect target, or any URL a flow's TwiML names: flow authors choose it, so it goes under
   * the outbound policy of flows' HTTP requests, checked on the address each connection uses and on
   * every redirect hop (without it a simulated call could read a private or metadata address into
   * its transcript).
   */
  async #fetchExternal(url: URL, method: string, headers: Record<string, string>, body: string | undefined): Promise<HttpAnswer> {
    const http = new FetchHttp(this.#policy ? { policy: this.#policy } : {});
    const response = await http.follow(url, method, headers, body, MAX_TWIML_BYTES, AbortSignal.timeout(15_000));
    const type = response.headers['content-type'];
    return { status: response.status, contentType: Array.isArray(type) ? type[0] ?? '' : type ?? '', body: await response.body() };
  }
}
