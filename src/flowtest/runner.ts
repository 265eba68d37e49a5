// Finds test files, loads them, runs every test and collects results and coverage. A file that
// cannot be loaded is reported as one failed test, so CI shows it rather than skipping it.
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { basename, join, resolve } from 'node:path';
import { CoverageCollector, type FlowCoverage } from './coverage.ts';
import { expectationsFrom } from './expect.ts';
import { LoadError, loadTestFile, type LoadedTestFile } from './load.ts';
import { runTest, type TestResult } from './run-test.ts';
import type { Expectations } from './types.ts';

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
}

export function runFiles(files: string[], options: RunOptions = {}): RunSummary {
  const started = performance.now();
  const results: TestResult[] = [];
  const coverage = new CoverageCollector();
  const updated: string[] = [];
  for (const path of files) {
    let loaded: LoadedTestFile;
    try {
      loaded = loadTestFile(path);
    } catch (error) {
      const message = error instanceof LoadError ? error.message : `${path}: ${(error as Error).message}`;
      results.push({ file: path, flowPath: '', name: '(load)', status: 'failed', failures: [{ field: 'file', message }], observation: null, durationMs: 0 });
      continue;
    }
    coverage.register(loaded.flow.path, loaded.flow.definition);
    for (const subflows of loaded.subflows) for (const sub of subflows.values()) coverage.register(sub.path, sub.definition);
    const fileResults: TestResult[] = [];
    loaded.file.tests.forEach((test, i) => {
      if (options.grep && !options.grep.test(test.name)) return;
      const subflows = loaded.subflows[i]!;
      const result = runTest({ file: path, flow: loaded.flow, test, fileMocks: loaded.file.mocks, subflows });
      if (result.observation) coverage.add(loaded.flow.path, loaded.flow.definition, result.observation.steps, subflows);
      fileResults.push(result);
    });
    if (options.update && applyUpdates(loaded, fileResults)) updated.push(path);
    results.push(...fileResults);
  }
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

const DEFAULT_KEYS: (keyof Expectations)[] = ['messages', 'path', 'end'];

/** New expectations: a failed test's failing keys change; a test without any gets the defaults. */
export function updatedExpectations(current: Expectations | undefined, result: TestResult): Expectations | null {
  if (!result.observation) return null;
  if (!current || Object.keys(current).length === 0) return expectationsFrom(result.observation, DEFAULT_KEYS);
  if (result.status !== 'failed') return null;
  const failedKeys = new Set(result.failures.filter((f) => !f.field.startsWith('script[') && f.field !== 'runner').map((f) => f.field.split('.')[0] as keyof Expectations));
  if (failedKeys.size === 0) return null;
  const fresh = expectationsFrom(result.observation, [...failedKeys]);
  const next: Expectations = { ...current, ...fresh };
  if (failedKeys.has('widgets') && current.widgets && fresh.widgets) {
    next.widgets = Object.fromEntries(Object.keys(current.widgets).filter((k) => k in fresh.widgets!).map((k) => [k, fresh.widgets![k]!]));
  }
  return next;
}

function applyUpdates(loaded: LoadedTestFile, results: TestResult[]): boolean {
  let changed = false;
  // The YAML as a Document, so comments and layout survive the rewrite.
  const doc = loaded.format === 'yaml' ? parseDocument(readFileSync(loaded.path, 'utf8')) : null;
  loaded.file.tests.forEach((test, i) => {
    const result = results.find((r) => r.name === test.name);
    if (!result) return;
    const next = updatedExpectations(test.expect, result);
    if (!next) return;
    changed = true;
    if (doc && test.expect && Object.keys(test.expect).length > 0) {
      // Key by key, so comments on the expectations that did not change survive.
      for (const [key, value] of Object.entries(next)) {
        if (JSON.stringify(value) !== JSON.stringify(test.expect[key as keyof Expectations])) doc.setIn(['tests', i, 'expect', key], doc.createNode(value));
      }
    } else if (doc) {
      doc.setIn(['tests', i, 'expect'], doc.createNode(next));
    }
    test.expect = next;
  });
  if (!changed) return false;
  writeFileSync(loaded.path, doc ? String(doc) : JSON.stringify(loaded.file, null, 2) + '\n');
  return true;
}
