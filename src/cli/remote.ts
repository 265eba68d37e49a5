// Shared pieces of the commands that talk to a Studio-compatible server: connection options,
// subcommand parsing, readable tables, and turning failures into a sentence and an exit code.
import type { ParseArgsOptionsConfig } from 'node:util';
import { isIPv6 } from 'node:net';
import { CONFIG_KEYS, configFlagOptions } from '../config.ts';
import { resolveConfig, type Flags } from '../config/model.ts';
import { ApiFailure, DEFAULT_BASE_URL, connectionFrom, type Connection } from '../flowtest/studio-client.ts';
import { isoSeconds } from '../lib/iso-date.ts';
import { booleanWithValue, parseStrict, switchWithWord } from './stray-arguments.ts';

/** parseArgs options every remote command accepts (parseSubcommand adds every configuration flag). */
export const CONNECTION_OPTIONS = {
  'base-url': { type: 'string' },
  'account-sid': { type: 'string' },
  'auth-token': { type: 'string' },
  'api-key': { type: 'string' },
  'api-secret': { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h' },
} as const;

export const CONNECTION_HELP = `Connection (any Studio-compatible API: this server, another Switchboard, the real Twilio):
  --base-url URL          default SWITCHBOARD_URL, else the configured server (http://<host>:<port> from
                          --host/--port, HOST/PORT or the config file; http://127.0.0.1:4000 by default;
                          Twilio: https://studio.twilio.com)
  --account-sid AC…       default TWILIO_ACCOUNT_SID, else accountSid in the config file
  --auth-token TOKEN      default TWILIO_AUTH_TOKEN, else authToken in the config file
  --api-key SK… --api-secret S   API-key credentials instead (TWILIO_API_KEY, TWILIO_API_SECRET)
  --json                  machine-readable output
Every configuration flag and --config FILE are accepted, as by every command.`;

/**
 * `<subcommand> [options]`, parsed strictly, with every configuration flag (and --config FILE, and
 * --no-<switch>) as every command takes them. An option first means no subcommand, so `flows --help`
 * and `flows list --help` both ask for the help. `problem`: a switch given a value (`--json false`),
 * which the command must refuse as bad usage.
 */
export function parseSubcommand<O extends ParseArgsOptionsConfig>(argv: string[], own: O) {
  // Typed as the command's own options: the configuration flags are read through remoteConnector.
  const options = { ...configFlagOptions(), ...own } as O;
  const [first, ...others] = argv;
  const [sub, rest] = first?.startsWith('-') ? [undefined, argv] : [first, others];
  const flat = options as Record<string, { type: 'string' | 'boolean' }>;
  const early = booleanWithValue(rest, flat);
  const parsed = parseStrict({ args: early ? [] : rest, allowPositionals: true, strict: true, allowNegative: true, tokens: true, options });
  const problem = early ?? switchWithWord(parsed.tokens, flat);
  return { sub, problem, values: parsed.values, positionals: parsed.positionals };
}

/** The address a client reaches the configured server at: a wildcard host means this machine. */
function configuredServer(host: string, port: number): string | undefined {
  if (port === 0) return undefined; // any free port: nothing to name
  const h = host === '' || host === '0.0.0.0' ? '127.0.0.1' : host === '::' || host === '[::]' ? '::1' : host;
  return `http://${isIPv6(h) ? `[${h}]` : h}:${port}`;
}

/**
 * Checks the configuration now (flags, environment, config file: a bad value is bad usage, exit 2, as in
 * every command) and returns how to connect when the command needs to: --base-url, else SWITCHBOARD_URL,
 * else the configured host and port; the credentials from the flags, else TWILIO_*, else the config
 * file's accountSid/authToken (the account serve runs with). The rule that the two keys come together is
 * serve's and is not applied: a lone TWILIO_ACCOUNT_SID next to --account-sid/--auth-token stops nothing.
 */
export function remoteConnector(values: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): () => Connection {
  const resolved = resolveConfig(CONFIG_KEYS, values as Flags, env);
  const config = resolved.values;
  return () => {
    const given = (name: string) => typeof values[name] === 'string' && values[name] !== '';
    const filled: Record<string, unknown> = { ...values };
    const server = configuredServer(config.host, config.port);
    const fromServer = !given('base-url') && !env.SWITCHBOARD_URL && server !== undefined;
    if (fromServer) filled['base-url'] = server;
    if (!given('account-sid') && config.accountSid) filled['account-sid'] = config.accountSid;
    // Filled in as a flag, the configured token would win over an API key in TWILIO_API_KEY/TWILIO_API_SECRET, which come before it.
    if (!given('auth-token') && config.authToken && !(env.TWILIO_API_KEY && env.TWILIO_API_SECRET)) filled['auth-token'] = config.authToken;
    let connection: Connection;
    try {
      connection = connectionFrom(filled);
    } catch (error) {
      throw new Error(`${(error as Error).message}${/^no credentials/.test((error as Error).message) ? ' (or accountSid and authToken in the config file)' : ''}`);
    }
    if (fromServer) {
      // Named by what set the host or port (`PORT`, `'port' in …`); both defaults: the default address.
      const origins = resolved.keys.filter((k) => (k.name === 'host' || k.name === 'port') && k.source !== 'default').map((k) => k.origin);
      if (origins.length) connection.baseUrlFrom = origins.join(' and ');
      else delete connection.baseUrlFrom;
    }
    // Checked before any request: twilio-node would crash on it with a stack (127.0.0.1:4000), or
    // read the host as a scheme and call the server unreachable (localhost:4000 is "Unsupported protocol").
    const problem = baseUrlProblem(connection.baseUrl);
    if (problem) {
      const source = given('base-url') ? '--base-url' : process.env.SWITCHBOARD_URL ? 'SWITCHBOARD_URL' : 'the configured server (--host/--port)';
      throw new Error(`${source} must be a URL like ${DEFAULT_BASE_URL} (${JSON.stringify(connection.baseUrl)} ${problem})`);
    }
    return connection;
  };
}

/** Why `value` cannot be a server's base URL (an absolute http or https URL, a path allowed), or null when it can. */
export function baseUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? 'is not a URL' : 'has no http:// or https://';
  }
  // new URL('localhost:4000') is a URL whose scheme is "localhost:".
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? `is not http or https (${url.protocol})` : 'has no http:// or https://';
  if (url.hostname === '') return 'has no host';
  if (url.search !== '' || url.hash !== '') return 'has a query or fragment (the base URL is a server, and request paths are added to it)';
  return null;
}

/** Bad usage of a command, in one line as commands.ts says it (the sentence names the command when it matters): exit 2. */
export function usageFailure(problem: string): number {
  console.error(`switchboard: ${problem}`);
  return 2;
}

/** Widest a table cell gets (in characters): longer values end in "…" so one long value cannot widen every row. */
export const MAX_CELL_WIDTH = 48;

/** A value as one table cell: on one line (control characters become spaces), at most `max` characters. */
export function cellText(value: unknown, max = MAX_CELL_WIDTH): string {
  const text = value === null || value === undefined ? '' : value instanceof Date ? isoSeconds(value.getTime()) : String(value);
  const flat = text.replace(/[\u0000-\u001f\u007f]/g, ' ');
  if (flat.length <= max) return flat;
  // By code point, so a character outside the BMP is never cut in half.
  const chars = Array.from(flat);
  return chars.length <= max ? flat : chars.slice(0, max - 1).join('') + '…';
}

export function table(rows: Record<string, unknown>[], columns: { key: string; title: string; max?: number }[]): string {
  if (rows.length === 0) return '(none)';
  const cells = rows.map((r) => columns.map((c) => cellText(r[c.key], c.max)));
  const width = (text: string) => Array.from(text).length;
  const widths = columns.map((c, i) => cells.reduce((most, row) => Math.max(most, width(row[i]!)), c.title.length));
  const line = (values: string[]) => values.map((v, i) => v + ' '.repeat(widths[i]! - width(v))).join('  ').trimEnd();
  return [line(columns.map((c) => c.title.toUpperCase())), ...cells.map(line)].join('\n');
}

/** Prints a failure in words; 2 for a refused request or any other error (1 is left for answers: differs, diverged), 3 when the server could not be reached. */
export function reportFailure(command: string, error: unknown): number {
  if (error instanceof ApiFailure) {
    const credentials =
      error.credentials === 'api-key' ? '--api-key/--api-secret/--account-sid or TWILIO_API_KEY, TWILIO_API_SECRET and TWILIO_ACCOUNT_SID' : '--account-sid/--auth-token or the TWILIO_* variables';
    const hint = error.status === 401 ? ` (check ${credentials})` : error.status === 404 && !/not found/i.test(error.message) ? ' (not found on this server)' : '';
    console.error(`switchboard ${command}: ${error.message}${hint}`);
    return error.status === 0 ? 3 : 2;
  }
  console.error(`switchboard ${command}: ${(error as Error).message}`);
  return 2;
}
