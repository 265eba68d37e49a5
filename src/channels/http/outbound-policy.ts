// Which hosts make-http-request and run-function may reach. A flow author controls the URL, so
// without a policy a flow could read cloud metadata (169.254.169.254) or internal services.
// Rules: hostname rules are more specific than address rules; at each level a deny beats an
// allow; with no matching rule, link-local and metadata addresses are always refused and
// private/loopback ranges are refused unless `allowPrivate` (dev mode) is on.
import { BlockList, isIP } from 'node:net';

export interface OutboundPolicyOptions {
  /** Hosts (`api.example.com`, `*.example.com`), addresses or CIDRs always allowed. */
  allow?: readonly string[];
  /** Hosts, addresses or CIDRs always refused. */
  deny?: readonly string[];
  /** Loopback and private ranges (10/8, 172.16/12, 192.168/16, 127/8, fc00::/7, …) allowed. */
  allowPrivate?: boolean;
}

export type PolicyDecision = { allowed: true } | { allowed: false; reason: string };

export class PolicyRuleError extends Error {}

/** A set of host and address rules, parsed once. */
class RuleSet {
  readonly #hosts = new Set<string>();
  readonly #suffixes: string[] = [];
  readonly #addresses = new BlockList();
  #hasAddresses = false;

  constructor(entries: readonly string[], label: string) {
    for (const raw of entries) {
      const entry = raw.trim().toLowerCase();
      if (entry === '') continue;
      if (entry.includes('/')) this.#addCidr(entry, label);
      else if (isIP(unbracket(entry))) this.#addAddress(unbracket(entry));
      else if (/^\*\.[a-z0-9.-]+$/.test(entry)) this.#suffixes.push(entry.slice(1));
      else if (/^[a-z0-9_.-]+$/.test(entry)) this.#hosts.add(entry.replace(/\.$/, ''));
      else throw new PolicyRuleError(`${label}: '${raw}' is not a host name, *.domain, IP address or CIDR`);
    }
  }

  #addCidr(entry: string, label: string): void {
    const [address = '', bitsText = ''] = entry.split('/');
    const ip = unbracket(address);
    const family = isIP(ip);
    const bits = Number(bitsText);
    const max = family === 6 ? 128 : 32;
    if (!family || !/^\d+$/.test(bitsText) || bits > max) throw new PolicyRuleError(`${label}: '${entry}' is not a valid CIDR`);
    this.#addresses.addSubnet(ip, bits, family === 6 ? 'ipv6' : 'ipv4');
    this.#hasAddresses = true;
  }

  #addAddress(ip: string): void {
    this.#addresses.addAddress(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4');
    this.#hasAddresses = true;
  }

  matchesHost(host: string): boolean {
    if (this.#hosts.has(host)) return true;
    return this.#suffixes.some((suffix) => host.endsWith(suffix));
  }

  matchesAddress(ip: string): boolean {
    return this.#hasAddresses && inList(this.#addresses, ip);
  }
}

/** Why `entry` is not a valid --http-allow/--http-deny rule, or undefined when it is. */
export function ruleProblem(entry: string): string | undefined {
  try {
    new RuleSet([entry], 'rule');
    return undefined;
  } catch (error) {
    return `'${entry}' is not a host name, *.domain, IP address or CIDR`;
  }
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** `::ffff:10.0.0.1` is 10.0.0.1 as far as the network is concerned. */
export function normalizeAddress(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return mapped ? mapped[1]! : ip;
}

function inList(list: BlockList, ip: string): boolean {
  const address = normalizeAddress(ip);
  const family = isIP(address);
  if (!family) return false;
  return list.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

function blockList(cidrs: string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [ip = '', bits = '0'] = cidr.split('/');
    list.addSubnet(ip, Number(bits), isIP(ip) === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

/** Link-local (where cloud metadata services live) and other metadata endpoints. */
const LINK_LOCAL_AND_METADATA = blockList([
  '169.254.0.0/16',
  'fe80::/10',
  '100.100.100.200/32', // Alibaba Cloud metadata
  'fd00:ec2::254/128', // AWS metadata over IPv6
]);
const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata.goog', 'metadata']);

/** Loopback, private, shared, unspecified, multicast and reserved ranges. */
const PRIVATE = blockList([
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '224.0.0.0/4',
  '240.0.0.0/4',
  '::/128',
  '::1/128',
  'fc00::/7',
  'fec0::/10',
  'ff00::/8',
]);

export class OutboundPolicy {
  readonly #allow: RuleSet;
  readonly #deny: RuleSet;
  readonly #allowPrivate: boolean;

  constructor(options: OutboundPolicyOptions = {}) {
    this.#allow = new RuleSet(options.allow ?? [], 'http-allow');
    this.#deny = new RuleSet(options.deny ?? [], 'http-deny');
    this.#allowPrivate = options.allowPrivate ?? false;
  }

  /** Everything allowed except explicit denials: for tests against local servers. */
  static permissive(): OutboundPolicy {
    return new OutboundPolicy({ allow: ['0.0.0.0/0', '::/0'] });
  }

  /**
   * Decides for one connection: `host` as written in the URL, `ip` the address it resolved to
   * (the same as `host` for an IP literal). Called again for every redirect hop.
   */
  check(host: string, ip: string): PolicyDecision {
    const name = unbracket(host.toLowerCase()).replace(/\.$/, '');
    const address = normalizeAddress(ip);
    const hostIsName = !isIP(name);
    if (hostIsName && this.#deny.matchesHost(name)) return deny(`${name} is denied by --http-deny`);
    if (hostIsName && this.#allow.matchesHost(name)) return { allowed: true };
    if (this.#deny.matchesAddress(address)) return deny(`${address} is denied by --http-deny`);
    if (this.#allow.matchesAddress(address)) return { allowed: true };
    if (hostIsName && METADATA_HOSTS.has(name)) return deny(`${name} is a cloud metadata service`);
    if (inList(LINK_LOCAL_AND_METADATA, address)) return deny(`${address} is a link-local or cloud metadata address`);
    if (!this.#allowPrivate && inList(PRIVATE, address)) {
      return deny(`${address} is a private, loopback or reserved address (allow it with --http-allow, or run in dev mode)`);
    }
    return { allowed: true };
  }
}

function deny(reason: string): PolicyDecision {
  return { allowed: false, reason: `Outbound request blocked: ${reason}` };
}
