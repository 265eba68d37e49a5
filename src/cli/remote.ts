// Shared pieces of the commands that talk to a Studio-compatible server: connection options,
// subcommand parsing, readable tables, and turning failures into a sentence and an exit code.
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { ApiFailure } from '../flowtest/studio-client.ts';

/** parseArgs options every remote command accepts. */
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
  --base-url URL          default SWITCHBOARD_URL or http://127.0.0.1:4000 (Twilio: https://studio.twilio.com)
  --account-sid AC…       default TWILIO_ACCOUNT_SID
  --auth-token TOKEN      default TWILIO_AUTH_TOKEN
  --api-key SK… --api-secret S   API-key credentials instead (TWILIO_API_KEY, TWILIO_API_SECRET)
  --json                  machine-readable output`;

/**
 * `<subcommand> [options]`, parsed strictly. An option first means no subcommand, so `flows --help`
 * and `flows list --help` both ask for the help.
 */
export function parseSubcommand<O extends ParseArgsOptionsConfig>(argv: string[], options: O) {
  const [first, ...others] = argv;
  const [sub, rest] = first?.startsWith('-') ? [undefined, argv] : [first, others];
  return { sub, ...parseArgs({ args: rest, allowPositionals: true, strict: true, options }) };
}

export function table(rows: Record<string, unknown>[], columns: { key: string; title: string }[]): string {
  if (rows.length === 0) return '(none)';
  const cell = (v: unknown) => (v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : String(v));
  const widths = columns.map((c) => Math.max(c.title.length, ...rows.map((r) => cell(r[c.key]).length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns.map((c) => c.title.toUpperCase())), ...rows.map((r) => line(columns.map((c) => cell(r[c.key]))))].join('\n');
}

/** Prints a failure in words; 1 for a refused request, 3 when the server could not be reached. */
export function reportFailure(command: string, error: unknown): number {
  if (error instanceof ApiFailure) {
    const hint = error.status === 401 ? ' (check --account-sid/--auth-token or the TWILIO_* variables)' : error.status === 404 ? ' (not found on this server)' : '';
    console.error(`switchboard ${command}: ${error.message}${hint}`);
    return error.status === 0 ? 3 : 1;
  }
  console.error(`switchboard ${command}: ${(error as Error).message}`);
  return 1;
}
