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

/** Widest a table cell gets (in characters): longer values end in "…" so one long value cannot widen every row. */
export const MAX_CELL_WIDTH = 48;

/** A value as one table cell: on one line (control characters become spaces), at most `max` characters. */
export function cellText(value: unknown, max = MAX_CELL_WIDTH): string {
  const text = value === null || value === undefined ? '' : value instanceof Date ? value.toISOString() : String(value);
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
    const hint = error.status === 401 ? ' (check --account-sid/--auth-token or the TWILIO_* variables)' : error.status === 404 ? ' (not found on this server)' : '';
    console.error(`switchboard ${command}: ${error.message}${hint}`);
    return error.status === 0 ? 3 : 2;
  }
  console.error(`switchboard ${command}: ${(error as Error).message}`);
  return 2;
}
