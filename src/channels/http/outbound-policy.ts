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

/** The policy of a server's settings: dev mode opens private ranges; --http-allow/--http-deny refine it. */
export function outboundPolicy(settings: { dev: boolean; httpAllow?: readonly string[] | undefined; httpDeny?: readonly string[] | undefined }): OutboundPolicy {
  return new OutboundPolicy({ ...(settings.httpAllow ? { allow: settings.httpAllow } : {}), ...(settings.httpDeny ? { deny: settings.httpDeny } : {}), allowPrivate: settings.dev });
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

/** A list of host rules (names, `*.domains`, addresses, CIDRs) a URL's host is checked against, without DNS. */
export class HostRules {
  readonly #rules: RuleSet;

  constructor(entries: readonly string[], label: string) {
    this.#rules = new RuleSet(entries, label);
  }

  /** Whether the host of `url` (as written, not resolved) is in the list. */
  matchesUrl(url: string): boolean {
    let host: string;
    try {
      host = unbracket(new URL(url).hostname.toLowerCase()).replace(/\.$/, '');
    } catch {
      return false;
    }
    return isIP(host) ? this.#rules.matchesAddress(normalizeAddress(host)) : this.#rules.matchesHost(host);
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

/** The eight 16-bit groups of an IPv6 address (the URL parser writes embedded dotted quads as hex). */
function ipv6Groups(ip: string): number[] | null {
  let host: string;
  try {
    host = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    return null;
  }
  const [left = '', right] = host.split('::');
  const head = left ? left.split(':') : [];
  const tail = right ? right.split(':') : [];
  const groups = right === undefined ? head : [...head, ...Array<string>(8 - head.length - tail.length).fill('0'), ...tail];
  return groups.length === 8 ? groups.map((g) => parseInt(g, 16)) : null;
}

const dottedQuad = (high: number, low: number) => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;

/**
 * The IPv4 address an IPv6 address carries, when it carries one, so `::ffff:10.0.0.1`, NAT64
 * (`64:ff9b::a9fe:a9fe`, 64:ff9b:1::/48), 6to4 (`2002:a9fe:a9fe::`) and IPv4-compatible
 * (`::127.0.0.1`) forms are judged as the IPv4 address they reach.
 */
export function normalizeAddress(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  const g = ipv6Groups(ip);
  if (!g) return ip;
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && g[5] === 0xffff) return dottedQuad(g[6]!, g[7]!);
  if (g[0] === 0x64 && g[1] === 0xff9b && (zeros(2, 6) || g[2] === 1)) return dottedQuad(g[6]!, g[7]!);
  if (g[0] === 0x2002) return dottedQuad(g[1]!, g[2]!);
  if (zeros(0, 6) && (g[6] !== 0 || g[7]! > 1)) return dottedQuad(g[6]!, g[7]!);
  return ip;
}

/** Whether the address, as written or as the IPv4 address it embeds, is in the list. */
function inList(list: BlockList, ip: string): boolean {
  return [ip, normalizeAddress(ip)].some((address) => {
    const family = isIP(address);
    return family !== 0 && list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  });
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
    if (this.#deny.matchesAddress(ip)) return deny(`${address} is denied by --http-deny`);
    if (this.#allow.matchesAddress(ip)) return { allowed: true };
    if (hostIsName && METADATA_HOSTS.has(name)) return deny(`${name} is a cloud metadata service`);
    if (inList(LINK_LOCAL_AND_METADATA, ip)) return deny(`${address} is a link-local or cloud metadata address`);
    if (!this.#allowPrivate && inList(PRIVATE, ip)) {
      return deny(`${address} is a private, loopback or reserved address (allow it with --http-allow, or run in dev mode)`);
    }
    return { allowed: true };
  }
}

/** Names that stand for loopback without asking DNS (RFC 6761): `localhost` and `*.localhost`. */
function isLoopbackName(name: string): boolean {
  return name === 'localhost' || name.endsWith('.localhost');
}

/**
 * How `policy` judges a host as written in a URL, without DNS (flow tests, which send nothing): an IP
 * literal as the server judges it, `localhost` as the loopback address it resolves to, any other name by
 * the host rules and the metadata names only (the server also refuses a name whose address is refused,
 * which only DNS can tell).
 */
export function checkWrittenHost(policy: OutboundPolicy, host: string): PolicyDecision {
  const name = unbracket(host.toLowerCase()).replace(/\.$/, '');
  if (isIP(name)) return policy.check(name, name);
  return policy.check(name, isLoopbackName(name) ? '127.0.0.1' : name);
}

function deny(reason: string): PolicyDecision {
  return { allowed: false, reason: `Outbound request blocked: ${reason}` };
}
