// Finds test files, loads them, runs every test and collects results and coverage. A file that
// cannot be loaded is reported as one failed test, so CI shows it rather than skipping it.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { CoverageCollector, type FlowCoverage } from './coverage.ts';
import { closestFlowFile, LoadError, loadTestFile, testName, type LoadedTestFile } from './load.ts';
import { unusedHttpMocks, unusedOtherMocks } from './mocks.ts';
import { runTest, type TestResult } from './run-test.ts';
import type { SimulationOptions } from './simulation.ts';
import type { JsonObject } from '../engine/types.ts';
import { updateExpectationFiles } from './update-expectations.ts';

const TEST_FILE = /\.test\.(ya?ml|json)$/i;
const YAML = /\.ya?ml$/i;

/** Files named *.test.yaml|yml|json anywhere, and any YAML file inside a folder named tests/ or test/. */
export function discover(paths: string[]): string[] {
  const found = new Set<string>();
  const walk = (dir: string, inTests: boolean) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full, inTests || entry.name === 'tests' || entry.name === 'test');
      else if (TEST_FILE.test(entry.name) || (inTests && YAML.test(entry.name))) found.add(full);
    }
  };
  for (const path of paths) {
    if (!existsSync(path)) throw new LoadError(path, 'no such file or directory');
    if (statSync(path).isDirectory()) walk(path, ['tests', 'test'].includes(basename(resolve(path))));
    else found.add(path);
  }
  return [...found];
}

export interface RunSummary {
  results: TestResult[];
  coverage: FlowCoverage[];
  passed: number;
  failed: number;
  skipped: number;
  durationMs: number;
  /** Files rewritten by --update. */
  updated: string[];
}

export interface RunOptions {
  /** Rewrite the expectations of failing tests with what the run observed. */
  update?: boolean;
  /** Only tests whose name matches. */
  grep?: RegExp;
  /** The engine's rules and limits, from the configuration (default: Studio's). */
  simulation?: SimulationOptions;
  /** Values of the flows' deploy-time `${…}` placeholders (`--vars FILE`); a test file's `vars` win over them. */
  vars?: JsonObject;
  /**
   * Where a flow file a test file names, and that is not there, was moved, and how that is known (the CLI's
   * flows-as-code rename and manifest checks, src/cli/flows/rename.ts), or null.
   */
  movedFlow?: (missing: string) => MovedFlow | null;
}

export interface MovedFlow {
  /** The flow file's path now. */
  to: string;
  /** How that is known: "git reports the rename". */
  why: string;
}

/**
 * "flows/a.json: flow file not found; did you mean b.json? (git reports the rename)": the file it was moved to
 * (`movedFlow`), else the closest name beside it (a typo), as the test file (`testFile`) would name it.
 */
function missingFlowMessage(missing: string, testFile: string, movedFlow: RunOptions['movedFlow']): string {
  let moved: MovedFlow | null = null;
  try {
    moved = movedFlow?.(missing) ?? null;
  } catch {
    // A hint is a courtesy: whatever stops it (an unreadable manifest, git) leaves the plain message.
  }
  const to = moved?.to ?? closestFlowFile(missing);
  const named = to === null ? '' : relative(dirname(resolve(testFile)), to).split(sep).join('/');
  return `${missing}: flow file not found${to === null ? '' : `; did you mean ${named}?${moved ? ` (${moved.why})` : ''}`}`;
}

export function runFiles(files: string[], options: RunOptions = {}): RunSummary {
  const started = performance.now();
  const results: TestResult[] = [];
  const coverage = new CoverageCollector();
  const updated: string[] = [];
  for (const path of files) {
    let loaded: LoadedTestFile;
    try {
      loaded = loadTestFile(path, options.simulation?.limits?.liquidVersion, options.vars);
    } catch (error) {
      const message = error instanceof LoadError ? (error.missingFlow !== undefined ? missingFlowMessage(error.missingFlow, path, options.movedFlow) : error.message) : `${path}: ${(error as Error).message}`;
      results.push({ file: path, flowPath: '', name: '(load)', status: 'failed', failures: [{ field: 'file', message }], observation: null, durationMs: 0 });
      continue;
    }
    const fileResults: TestResult[] = [];
    loaded.file.tests.forEach((test, i) => {
      const name = testName(test, i);
      if (options.grep && !options.grep.test(name)) return;
      const invalid = loaded.invalid.get(i);
      if (invalid) {
        // Said as the file's schema errors are, for this test alone: the file's other tests still run.
        const message = `${path}: tests.${i} does not match the flow test schema:\n  ${invalid.slice(0, 8).join('\n  ')}`;
        fileResults.push({ file: path, flowPath: loaded.flow.path, name, status: 'failed', failures: [{ field: 'file', message }], observation: null, durationMs: 0 });
        return;
      }
      const subflows = loaded.subflows[i]!;
      const result = runTest({ file: path, flow: loaded.flow, test, fileMocks: loaded.file.mocks, subflows, options: options.simulation, fileClock: loaded.file.clock });
      if (result.observation) coverage.add(loaded.flow.path, loaded.flow.definition, result.observation.steps, subflows);
      fileResults.push(result);
    });
    // Flows count towards coverage when a test of theirs was selected: with --grep, a flow whose tests were all
    // left out is not listed, rather than listed as never reached.
    if (fileResults.length) {
      coverage.register(loaded.flow.path, loaded.flow.definition);
      for (const subflows of loaded.subflows) for (const sub of subflows.values()) if (sub) coverage.register(sub.path, sub.definition);
    }
    // The file's mocks serve every test: one that none answered is noted (when every test ran, so none was left out).
    const ranAll = fileResults.length === loaded.file.tests.length && fileResults.every((r) => r.mockUsed);
    const last = fileResults.at(-1);
    if (ranAll && last) {
      const miss = (mock: object) => fileResults.map((r) => r.mockMiss?.(mock)).find((why) => why !== undefined);
      const usedByAny = (mock: object) => fileResults.some((r) => r.mockUsed!(mock));
      const unused = [...unusedHttpMocks(loaded.file.mocks, usedByAny, miss, 'matched no request in any test'), ...unusedOtherMocks(loaded.file.mocks, usedByAny, true)];
      if (unused.length) last.notes = [...(last.notes ?? []), ...unused.map((mock) => `the file's ${mock}`)];
    }
    // A vars file that misses a name (or misspells it) leaves that placeholder in the flow, where a test could still pass.
    const first = fileResults[0];
    if (first) {
      const unfilled = unfilledNotes(loaded);
      if (unfilled.length) first.notes = [...unfilled, ...(first.notes ?? [])];
    }
    results.push(...fileResults);
  }
  // In place: only the failing values change, the rest of each file byte for byte (update-expectations.ts).
  if (options.update) updated.push(...updateExpectationFiles(files, results, options.grep));
  return {
    results,
    coverage: coverage.report(),
    passed: results.filter((r) => r.status === 'passed').length,
    failed: results.filter((r) => r.status === 'failed').length,
    skipped: results.filter((r) => r.status === 'skipped').length,
    durationMs: performance.now() - started,
    updated,
  };
}


/** What the vars given left unfilled in the file's flow and subflows, one note each, the flow first. */
function unfilledNotes(loaded: LoadedTestFile): string[] {
  const say = (which: string, unfilled: string[] | undefined) =>
    unfilled?.length ? [`${which} ${unfilled.length === 1 ? 'placeholder' : 'placeholders'} ${unfilled.join(', ')} left as written: no such name in the vars given, or not a plain reference`] : [];
  const subflows = new Map<string, string[] | undefined>();
  for (const perTest of loaded.subflows) for (const [sid, sub] of perTest) if (sub && !subflows.has(sid)) subflows.set(sid, sub.unfilled);
  return [...say("the flow's", loaded.flow.unfilled), ...[...subflows].flatMap(([sid, unfilled]) => say(`subflow ${sid}'s`, unfilled))];
}
