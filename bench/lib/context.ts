// What every scenario gets: the mode, a scratch directory, a log, and measurements shared between
// scenarios of one run (scenario 2 compares with scenario 1's Switchboard figure, measured once).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScenarioResult } from './report.ts';

/** full: the sizes; quick: `--quick`, under a minute; smoke: the test suite's tiny run. */
export type BenchMode = 'full' | 'quick' | 'smoke';

export interface BenchContext {
  mode: BenchMode;
  /** Any mode other than full (figures are scaled down and labelled so). */
  quick: boolean;
  /** The value for the current mode. */
  pick<T>(values: Record<BenchMode, T>): T;
  /** A fresh directory under the OS temp dir (removed at the end of the run). */
  scratch(name: string): string;
  log(message: string): void;
  /** Runs `measure` once per run and key; later callers get the same promise. */
  once<T>(key: string, measure: () => Promise<T>): Promise<T>;
}

export type Scenario = { id: number; title: string; run(ctx: BenchContext): Promise<ScenarioResult> };

export function createContext(mode: BenchMode, log: (message: string) => void): BenchContext & { cleanup(): void } {
  const root = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
  const memo = new Map<string, Promise<unknown>>();
  let n = 0;
  return {
    mode,
    quick: mode !== 'full',
    pick: (values) => values[mode],
    scratch(name) {
      return mkdtempSync(join(root, `${++n}-${name}-`));
    },
    log,
    once<T>(key: string, measure: () => Promise<T>): Promise<T> {
      let promise = memo.get(key) as Promise<T> | undefined;
      if (!promise) {
        promise = measure();
        memo.set(key, promise);
      }
      return promise;
    },
    cleanup() {
      // BENCH_KEEP_SCRATCH=1 keeps the stores a run made, to look into them afterwards.
      if (process.env.BENCH_KEEP_SCRATCH) log(`scratch kept in ${root}`);
      else rmSync(root, { recursive: true, force: true });
    },
  };
}

export const BENCH_FLOW = new URL('../flows/ask-and-thank.json', import.meta.url);
export const SHARED_DIR = new URL('../../../shared/', import.meta.url);

/**
 * Studio's per-account execution rates (20 REST, 100 inbound per second and node) are on by
 * default; the benchmarks measure capacity, so every benchmark server runs with them off.
 */
export const UNLIMITED_RATES = { 'inbound-execution-rate': '0', 'rest-execution-rate': '0' } as const;
