// Benchmark results: every figure is measured in this run and, where the issue defines one,
// compared with a baseline measured in the same run on the same machine (a ratio) and/or a target.
import { cpus, totalmem, platform, release, loadavg } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type Comparison = '>=' | '<=' | '<' | '>';

export interface Target {
  /** What the target constrains: the figure itself, or its ratio to the baseline. */
  of: 'value' | 'ratio';
  op: Comparison;
  value: number;
}

export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** The same-run reference; its unit is the figure's unless given. */
  baseline?: { name: string; value: number; unit?: string };
  /** value / baseline.value, when there is a baseline. */
  ratio?: number;
  target?: Target;
  /** Whether the target is met; absent when there is no target. */
  met?: boolean;
}

export type ScenarioResult =
  | { id: number; title: string; status: 'ok'; figures: Figure[]; notes: string[]; scaled?: string }
  | { id: number; title: string; status: 'skipped'; reason: string; notes: string[] };

export interface RunResult {
  startedAt: string;
  finishedAt: string;
  mode: 'full' | 'quick' | 'smoke';
  machine: { cpus: number; cpuModel: string; memoryGb: number; platform: string; node: string; loadAverage: number[] };
  /** Switchboard settings the benchmark servers ran with besides the defaults (BENCH_SWITCHBOARD_FLAGS). */
  serverFlags: Record<string, string>;
  scenarios: ScenarioResult[];
}

/** A figure with its ratio to the baseline and whether its target is met, both computed here. */
export function figure(
  name: string,
  value: number,
  unit: string,
  options: { baseline?: { name: string; value: number; unit?: string }; target?: Target } = {},
): Figure {
  const result: Figure = { name, value, unit };
  if (options.baseline) {
    result.baseline = options.baseline;
    result.ratio = options.baseline.value === 0 ? Number.NaN : value / options.baseline.value;
  }
  if (options.target) {
    result.target = options.target;
    const actual = options.target.of === 'ratio' ? result.ratio : value;
    result.met = actual !== undefined && Number.isFinite(actual) && compare(actual, options.target.op, options.target.value);
  }
  return result;
}

function compare(actual: number, op: Comparison, expected: number): boolean {
  switch (op) {
    case '>=':
      return actual >= expected;
    case '<=':
      return actual <= expected;
    case '<':
      return actual < expected;
    case '>':
      return actual > expected;
  }
}

export function machine(): RunResult['machine'] {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model ?? 'unknown',
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    platform: `${platform()} ${release()}`,
    node: process.version,
    loadAverage: loadavg().map((n) => Math.round(n * 100) / 100),
  };
}

/**
 * Settings for every benchmark Switchboard server, from BENCH_SWITCHBOARD_FLAGS ("sqlite-writer=thread
 * read-cache-ms=0"): the same keys as the command-line flags, so a run can compare non-default settings.
 */
export function serverFlags(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const flags: Record<string, string> = {};
  for (const pair of (env.BENCH_SWITCHBOARD_FLAGS ?? '').split(/\s+/).filter(Boolean)) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`BENCH_SWITCHBOARD_FLAGS: expected name=value, got "${pair}"`);
    flags[pair.slice(0, at).replace(/^--/, '')] = pair.slice(at + 1);
  }
  return flags;
}

export function writeResult(dir: string, result: RunResult): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${result.startedAt.replace(/[:.]/g, '-')}-${result.mode}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  return file;
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 100) return Math.round(value).toLocaleString('en-US');
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toPrecision(2);
}

export function formatTarget(target: Target): string {
  return `${target.of === 'ratio' ? 'ratio ' : ''}${target.op} ${formatNumber(target.value)}`;
}

/** The table printed at the end of a run (also pasted into the README). */
export function renderTable(result: RunResult): string {
  const header = ['#', 'figure', 'value', 'baseline (same run)', 'ratio', 'target', 'met'];
  const rows: string[][] = [];
  for (const scenario of result.scenarios) {
    if (scenario.status === 'skipped') {
      rows.push([String(scenario.id), `${scenario.title}: SKIPPED (${scenario.reason})`, '', '', '', '', '']);
      continue;
    }
    for (const f of scenario.figures) {
      rows.push([
        String(scenario.id),
        f.name,
        `${formatNumber(f.value)} ${f.unit}`,
        f.baseline ? `${formatNumber(f.baseline.value)} ${f.baseline.unit ?? f.unit} (${f.baseline.name})` : '',
        // A zero baseline (autocannon's whole-millisecond latencies: under 1 ms) has no ratio.
        f.ratio === undefined ? '' : Number.isFinite(f.ratio) ? formatNumber(f.ratio) + '×' : 'n/a',
        f.target ? formatTarget(f.target) : '',
        f.met === undefined ? '' : f.met ? 'yes' : 'NO',
      ]);
    }
  }
  return markdownTable(header, rows);
}

/** A Markdown table; cells may hold '|'. */
export function markdownTable(header: string[], rows: string[][]): string {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  const lines = [`| ${header.map(escape).join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${row.map(escape).join(' | ')} |`);
  return lines.join('\n');
}
