// `switchboard config`: the effective configuration — every key, its value (secrets masked) and
// where the value came from — so an operator can see what a node will actually run with.
import { CONFIG_KEYS, resolveSwitchboardConfig } from '../config.ts';
import { displayValue, isUnset, type Flags } from '../config/model.ts';

export interface ConfigRow {
  key: string;
  /** As the table shows it: '(unset)' when the key has no value. */
  value: string;
  /** The key has no value (--json says null, which no set value can be mistaken for). */
  unset: boolean;
  source: string;
  env: string | null;
  flag: string | null;
}

export function effectiveConfigRows(flags: Flags, env: NodeJS.ProcessEnv = process.env): { rows: ConfigRow[]; file: string | undefined; warnings: string[] } {
  const resolved = resolveSwitchboardConfig(flags, env);
  const rows = resolved.keys.map((k) => ({
    key: k.name,
    value: displayValue(k.spec, k.value),
    unset: isUnset(k.spec, k.value),
    source: k.origin,
    env: k.spec.env ?? null,
    flag: k.spec.flag ? `--${k.spec.flag}` : null,
  }));
  return { rows, file: resolved.file, warnings: resolved.warnings };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n');
}

/**
 * Prints the effective configuration. A bad value that another source overrides (PORT=eighty with
 * --port 5000) does not stop anything, but it is a problem all the same: it is listed as a warning
 * (on stderr, or in "warnings" with --json). Exit code 0 either way; bad values in use are exit 2 (commands.ts).
 */
export function configCommand(flags: Flags, out: (line: string) => void = console.log, err: (line: string) => void = console.error, env: NodeJS.ProcessEnv = process.env): number {
  const { rows, file, warnings } = effectiveConfigRows(flags, env);
  if (flags.json === true) {
    const keys = rows.map(({ unset, ...row }) => ({ ...row, value: unset ? null : row.value }));
    out(JSON.stringify({ file: file ?? null, keys, warnings }, null, 2));
    return 0;
  }
  out(`config file: ${file ?? '(none)'}`);
  out(table([['KEY', 'VALUE', 'SOURCE'], ...rows.map((r) => [r.key, r.value, r.source])]));
  for (const warning of warnings) err(`switchboard: warning: ${warning}`);
  return 0;
}

/** The key reference (flag, env, type, default, description), e.g. for `switchboard config --keys`. */
export function configKeyReference(): string {
  const rows = Object.entries(CONFIG_KEYS).map(([name, spec]) => [
    spec.flag ? `--${spec.flag}` : '',
    spec.env ?? '',
    name,
    spec.type.name,
    spec.default === undefined ? '' : String(spec.default),
    spec.description + (spec.secret ? ' (secret)' : ''),
  ]);
  return table([['FLAG', 'ENV', 'FILE KEY', 'TYPE', 'DEFAULT', 'DESCRIPTION'], ...rows]);
}

/** The README's configuration table (`switchboard config --keys --markdown`). */
export function configKeyMarkdown(): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const rows = Object.entries(CONFIG_KEYS).map(([name, spec]) => {
    const fallback = spec.default === undefined || (Array.isArray(spec.default) && spec.default.length === 0) ? '—' : `\`${Array.isArray(spec.default) ? spec.default.join(',') : String(spec.default)}\``;
    return `| ${spec.flag ? `\`--${spec.flag}\`` : '—'} | ${spec.env ? `\`${spec.env}\`` : '—'} | \`${name}\` | ${fallback} | ${cell(spec.description)}${spec.secret ? ' (secret: masked)' : ''} |`;
  });
  return ['| flag | variable | file key | default | meaning |', '|---|---|---|---|---|', ...rows].join('\n');
}
