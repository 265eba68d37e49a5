// The carrier's upstream URLs (API base URLs, webhook channel URL) are set per account over the
// API, so they get the same outbound policy as flows' HTTP requests: without it an account could
// point "Twilio" at a private or metadata address and read answers back through widget outputs.
// The check resolves the host and refuses if any address is denied (api.twilio.com passes; a
// local fake Twilio needs dev mode or --http-allow).
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { OutboundPolicy } from '../http/outbound-policy.ts';

/**
 * Returns why a request to `url` is refused, or null when it may go. A guard made from a policy
 * carries it, so a client that connects itself can check the address each connection really uses
 * (the pre-check alone leaves a DNS-rebinding window) and every redirect hop.
 */
export type OutboundGuard = ((url: URL) => Promise<string | null>) & { readonly policy?: OutboundPolicy };

export function policyGuard(policy: OutboundPolicy): OutboundGuard {
  return Object.assign(check(policy), { policy });
}

function check(policy: OutboundPolicy): (url: URL) => Promise<string | null> {
  return async (url) => {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    let addresses: string[];
    try {
      addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((entry) => entry.address);
    } catch {
      return null; // unresolvable: the request itself fails as "never sent" and is retried/reported
    }
    for (const address of addresses) {
      const decision = policy.check(host, address);
      if (!decision.allowed) return decision.reason;
    }
    return null;
  };
}
