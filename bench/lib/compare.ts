// Runs side by side: `npm run bench -- --compare A.json B.json …` prints one row per figure and one
// column per run (its value, and its ratio to that run's own baseline), then the last run's value
// over the first's. Ratios compare across machines; values only within one.
import { readFileSync } from 'node:fs';
import { formatNumber, formatTarget, markdownTable, type Figure, type RunResult } from './report.ts';

export interface LabelledRun {
  label: string;
  result: RunResult;
}

/** "2026-11-26 15:41 UTC full", with any non-default server settings: what tells runs apart. */
export function runLabel(result: RunResult): string {
  const started = result.startedAt.replace('T', ' ').slice(0, 16);
  const flags = Object.entries(result.serverFlags).map(([name, value]) => `${name}=${value}`);
  return [`${started} UTC ${result.mode}`, ...flags].join(' ');
}

export function readRun(file: string): LabelledRun {
  let result: RunResult;
  try {
    result = JSON.parse(readFileSync(file, 'utf8')) as RunResult;
  } catch (error) {
    throw new Error(`${file}: not a benchmark result (${(error as Error).message})`);
  }
  if (!result || !Array.isArray(result.scenarios) || typeof result.startedAt !== 'string') throw new Error(`${file}: not a benchmark result`);
  return { label: runLabel(result), result };
}

function cell(f: Figure | undefined): string {
  if (!f) return '';
  const ratio = f.ratio === undefined ? '' : Number.isFinite(f.ratio) ? ` (${formatNumber(f.ratio)}×)` : ' (n/a)';
  const missed = f.met === false ? ' ✗' : '';
  return `${formatNumber(f.value)} ${f.unit}${ratio}${missed}`;
}

/** The figures of every run side by side, in the order they first appear. */
export function compareRuns(runs: LabelledRun[]): string {
  if (runs.length === 0) throw new Error('nothing to compare');
  const rows = new Map<string, { id: number; name: string; target?: string; byRun: (Figure | undefined)[] }>();
  runs.forEach((run, index) => {
    for (const scenario of run.result.scenarios) {
      if (scenario.status !== 'ok') continue;
      for (const f of scenario.figures) {
        const key = `${scenario.id}\u0000${f.name}`;
        let row = rows.get(key);
        if (!row) {
          row = { id: scenario.id, name: f.name, byRun: runs.map(() => undefined) };
          rows.set(key, row);
        }
        row.byRun[index] = f;
        if (f.target) row.target = formatTarget(f.target);
      }
    }
  });
  const many = runs.length > 1;
  const header = ['#', 'figure', ...runs.map((run) => run.label), ...(many ? ['last ÷ first'] : []), 'target'];
  const ordered = [...rows.values()].sort((a, b) => a.id - b.id);
  const table = ordered.map((row) => {
    const first = row.byRun[0];
    const last = row.byRun[row.byRun.length - 1];
    const change = first && last && first.value !== 0 ? `${formatNumber(last.value / first.value)}×` : '';
    return [String(row.id), row.name, ...row.byRun.map(cell), ...(many ? [change] : []), row.target ?? ''];
  });
  const skipped = runs.flatMap((run) =>
    run.result.scenarios.flatMap((s) => (s.status === 'skipped' ? [`${run.label}: scenario ${s.id} skipped (${s.reason})`] : [])),
  );
  return [markdownTable(header, table), ...skipped].join('\n');
}
