// `npm run bench [-- --quick] [-- --only 1,3] [-- --out DIR]`: runs the benchmark scenarios, prints
// a table of every figure with its ratio to the same-run baseline and its target, and writes the
// whole run as JSON to bench/results/ (git-ignored) so runs can be compared:
// `npm run bench -- --compare A.json B.json …` prints them side by side (bench/lib/compare.ts).
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createContext, type BenchMode, type Scenario } from './lib/context.ts';
import { machine, renderTable, serverFlags, writeResult, type RunResult, type ScenarioResult } from './lib/report.ts';
import { SCENARIOS } from './scenarios/index.ts';
import { compareRuns, readRun } from './lib/compare.ts';

export interface BenchOptions {
  mode: BenchMode;
  only?: number[];
  outDir: string;
  log?: (message: string) => void;
}

export async function runBench(options: BenchOptions): Promise<{ result: RunResult; file: string }> {
  const log = options.log ?? ((message: string) => process.stderr.write(message + '\n'));
  const ctx = createContext(options.mode, log);
  const startedAt = new Date().toISOString();
  const scenarios: ScenarioResult[] = [];
  try {
    for (const scenario of selected(options.only)) {
      log(`[${scenario.id}] ${scenario.title}${options.mode === 'full' ? '' : ` (${options.mode})`}`);
      const started = performance.now();
      try {
        scenarios.push(await scenario.run(ctx));
      } catch (error) {
        // A scenario that breaks is reported as such; the others still run.
        scenarios.push({ id: scenario.id, title: scenario.title, status: 'skipped', reason: `failed: ${(error as Error).message}`, notes: [String((error as Error).stack)] });
      }
      log(`[${scenario.id}] done in ${((performance.now() - started) / 1000).toFixed(1)}s`);
    }
  } finally {
    ctx.cleanup();
  }
  const result: RunResult = { startedAt, finishedAt: new Date().toISOString(), mode: options.mode, machine: machine(), serverFlags: serverFlags(), scenarios };
  return { result, file: writeResult(options.outDir, result) };
}

function selected(only: number[] | undefined): Scenario[] {
  return only ? SCENARIOS.filter((s) => only.includes(s.id)) : SCENARIOS;
}

const USAGE = `Usage: npm run bench [-- options]

Runs the benchmark scenarios (docs: README "Benchmarks", bench/PERFORMANCE.md), prints every figure with
its ratio to a baseline measured in the same run, and writes the run as JSON to bench/results/.

Options:
  --quick            a shorter run; --smoke the shortest (the one the test suite runs)
  --only 1,3         only these scenarios (${SCENARIOS.map((s) => s.id).join(', ')})
  --out DIR          where the JSON goes (default bench/results/)
  --compare A.json B.json …   print earlier runs side by side
  -h, --help         this help

DATABASE_URL (PostgreSQL) is needed for scenario 6; without it that scenario is skipped.`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let parsed;
  try {
    parsed = parseArgs({
      options: { quick: { type: 'boolean', default: false }, smoke: { type: 'boolean', default: false }, only: { type: 'string' }, out: { type: 'string' }, compare: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
      allowPositionals: true,
    });
  } catch (error) {
    console.error(`bench: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (values.compare) {
    try {
      if (positionals.length === 0) throw new Error('--compare needs result files (bench/results/*.json)');
      console.log(compareRuns(positionals.map(readRun)));
      process.exit(0);
    } catch (error) {
      console.error(`bench --compare: ${(error as Error).message}`);
      process.exit(2);
    }
  }
  if (positionals.length > 0) {
    console.error(`bench: unexpected arguments: ${positionals.join(' ')} (result files go with --compare)`);
    process.exit(2);
  }
  const only = values.only ? values.only.split(',').map((s) => Number(s.trim())) : undefined;
  const outDir = values.out ?? fileURLToPath(new URL('./results/', import.meta.url));
  const mode: BenchMode = values.smoke ? 'smoke' : values.quick ? 'quick' : 'full';
  const { result, file } = await runBench({ mode, only, outDir });
  const m = result.machine;
  console.log(`\nSwitchboard benchmarks (${result.mode}) on ${m.cpus}× ${m.cpuModel}, ${m.memoryGb} GB, ${m.platform}, Node ${m.node}, load average at end ${m.loadAverage.join(' ')}, ${Object.keys(result.serverFlags).length ? `server flags ${Object.entries(result.serverFlags).map(([k, v]) => `--${k}=${v}`).join(' ')}` : 'default settings'}\n`);
  console.log(renderTable(result));
  for (const scenario of result.scenarios) {
    if (scenario.status === 'ok' && scenario.scaled) console.log(`\n${scenario.id}: ${scenario.scaled}`);
    for (const note of scenario.status === 'ok' ? scenario.notes : []) console.log(`${scenario.id}: ${note}`);
  }
  const missed = result.scenarios.flatMap((s) => (s.status === 'ok' ? s.figures.filter((f) => f.met === false).map((f) => `${s.id}: ${f.name}`) : []));
  const skipped = result.scenarios.filter((s) => s.status === 'skipped').map((s) => `${s.id} (${s.status === 'skipped' ? s.reason : ''})`);
  console.log(`\nTargets missed: ${missed.length ? missed.join('; ') : 'none'}`);
  if (skipped.length) console.log(`Scenarios skipped: ${skipped.join('; ')}`);
  console.log(`Results written to ${file}`);
}
