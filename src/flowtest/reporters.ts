// Reporters: readable text with diffs (the default), TAP 13 and JUnit XML for CI, and JSON.
import { relative } from 'node:path';
import { stepText, type Failure } from './expect.ts';
import type { RunSummary } from './runner.ts';
import type { TestResult } from './run-test.ts';

export type ReporterName = 'text' | 'tap' | 'junit' | 'json';
export const REPORTERS: ReporterName[] = ['text', 'tap', 'junit', 'json'];

const rel = (path: string) => (path ? relative(process.cwd(), path) || path : path);
const title = (r: TestResult) => `${rel(r.file)} › ${r.name}`;

const show = (value: unknown) => (typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value));

/** A failure as indented lines: the message, then expected/actual or the diff. */
export function failureLines(failure: Failure): string[] {
  const lines = failure.message.split('\n');
  if (failure.diff) {
    lines.push('  - expected  + actual');
    lines.push(...failure.diff.map((l) => `  ${l}`));
  } else if ('expected' in failure || 'actual' in failure) {
    lines.push(`  expected: ${show(failure.expected)}`, `  actual:   ${show(failure.actual)}`);
  }
  lines.push(...(failure.hints ?? []));
  return lines;
}

/**
 * The failure transitions the run took, each with why (as \`simulate\` prints them): a \`failed\` in a
 * diff otherwise hides the widget's error or the HTTP status behind it.
 */
export function failureStepLines(r: TestResult): string[] {
  const steps = (r.observation?.steps ?? []).filter((s) => s.reason !== undefined);
  if (steps.length === 0) return [];
  return [
    'failure transitions taken:',
    ...steps.flatMap((s) => [`  ${s.subflow ? `(subflow ${s.subflow}) ` : ''}${stepText(s)}`, `    ✗ ${s.reason}`]),
  ];
}

interface Paint {
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  dim(s: string): string;
}
const plain: Paint = { red: (s) => s, green: (s) => s, yellow: (s) => s, dim: (s) => s };
const ansi: Paint = {
  red: (s) => `\x1b[31m${s}\x1b[39m`,
  green: (s) => `\x1b[32m${s}\x1b[39m`,
  yellow: (s) => `\x1b[33m${s}\x1b[39m`,
  dim: (s) => `\x1b[2m${s}\x1b[22m`,
};

/** One test's lines in the text report: its mark and name, and for a failure the failures, reasons and path. */
function resultLines(r: TestResult, p: Paint): string[] {
  const out: string[] = [];
  if (r.status === 'passed') out.push(`${p.green('✓')} ${title(r)} ${p.dim(`(${r.durationMs.toFixed(1)} ms)`)}`);
  else if (r.status === 'skipped') out.push(`${p.yellow('-')} ${title(r)} ${p.dim(`(skipped${r.skipReason ? `: ${r.skipReason}` : ''})`)}`);
  else {
    out.push(`${p.red('✗')} ${title(r)}`);
    for (const failure of r.failures) {
      for (const line of failureLines(failure)) {
        const colored = line.startsWith('  - ') && !line.startsWith('  - expected') ? p.red(line) : line.startsWith('  + ') ? p.green(line) : line;
        out.push(`    ${colored}`);
      }
    }
    for (const line of failureStepLines(r)) out.push(`    ${line.trimStart().startsWith('✗') ? p.red(line) : line}`);
    if (r.observation && r.observation.path.length) out.push(p.dim(`    path taken: ${r.observation.path.join(' → ')}`));
  }
  for (const note of r.notes ?? []) out.push(p.yellow(`    note: ${note}`));
  return out;
}

/** The failed tests of `results` as the text report shows them (after --update, what still fails). */
export function textFailures(results: TestResult[], options: { color?: boolean } = {}): string {
  const p = options.color ? ansi : plain;
  return results.filter((r) => r.status === 'failed').flatMap((r) => resultLines(r, p)).join('\n');
}

export function textReport(summary: RunSummary, options: { color?: boolean } = {}): string {
  const p = options.color ? ansi : plain;
  const out = summary.results.flatMap((r) => resultLines(r, p));
  out.push('');
  const parts = [`${summary.passed} passed`, `${summary.failed} failed`];
  if (summary.skipped) parts.push(`${summary.skipped} skipped`);
  const line = `${summary.results.length} ${summary.results.length === 1 ? 'test' : 'tests'}: ${parts.join(', ')} (${summary.durationMs.toFixed(0)} ms)`;
  out.push(summary.failed ? p.red(line) : p.green(line));
  for (const file of summary.updated) out.push(`updated expectations in ${rel(file)}`);
  return out.join('\n');
}

export function tapReport(summary: RunSummary): string {
  const out = ['TAP version 13', `1..${summary.results.length}`];
  summary.results.forEach((r, i) => {
    const n = i + 1;
    if (r.status === 'skipped') out.push(`ok ${n} - ${title(r)} # SKIP${r.skipReason ? ` ${r.skipReason}` : ''}`);
    else if (r.status === 'passed') out.push(`ok ${n} - ${title(r)}`);
    else {
      out.push(`not ok ${n} - ${title(r)}`, '  ---', '  message: |');
      for (const failure of r.failures) for (const line of failureLines(failure)) out.push(`    ${line}`);
      for (const line of failureStepLines(r)) out.push(`    ${line}`);
      out.push(`  file: ${JSON.stringify(rel(r.file))}`, '  ...');
    }
    for (const note of r.notes ?? []) out.push(`# note: ${note}`);
  });
  out.push(`# pass ${summary.passed}`, `# fail ${summary.failed}`, `# skip ${summary.skipped}`);
  return out.join('\n');
}

const xml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

export function junitReport(summary: RunSummary): string {
  const byFile = new Map<string, TestResult[]>();
  for (const r of summary.results) byFile.set(r.file, [...(byFile.get(r.file) ?? []), r]);
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites name="switchboard test" tests="${summary.results.length}" failures="${summary.failed}" skipped="${summary.skipped}" time="${seconds(summary.durationMs)}">`);
  for (const [file, results] of byFile) {
    const failed = results.filter((r) => r.status === 'failed').length;
    const skipped = results.filter((r) => r.status === 'skipped').length;
    const time = results.reduce((t, r) => t + r.durationMs, 0);
    out.push(`  <testsuite name="${xml(rel(file))}" tests="${results.length}" failures="${failed}" skipped="${skipped}" time="${seconds(time)}">`);
    for (const r of results) {
      const open = `    <testcase name="${xml(r.name)}" classname="${xml(rel(file))}" time="${seconds(r.durationMs)}"`;
      // Notes are no failure: JUnit's place for what a test printed.
      const notes = r.notes?.length ? [`      <system-out>${xml(r.notes.map((note) => `note: ${note}`).join('\n'))}</system-out>`] : [];
      if (r.status === 'passed') out.push(...(notes.length ? [`${open}>`, ...notes, '    </testcase>'] : [`${open}/>`]));
      else if (r.status === 'skipped') out.push(`${open}>`, `      <skipped${r.skipReason ? ` message="${xml(r.skipReason)}"` : ''}/>`, '    </testcase>');
      else {
        const text = [...r.failures.flatMap(failureLines), ...failureStepLines(r)].join('\n');
        out.push(`${open}>`, `      <failure message="${xml(r.failures[0]?.message ?? 'failed')}" type="AssertionError">${xml(text)}</failure>`, ...notes, '    </testcase>');
      }
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n');
}

/** `coverage`: include the coverage (--coverage); without it a JSON report holds the tests alone. */
export function jsonReport(summary: RunSummary, options: { coverage?: boolean } = {}): string {
  return JSON.stringify(
    {
      passed: summary.passed,
      failed: summary.failed,
      skipped: summary.skipped,
      durationMs: Math.round(summary.durationMs),
      tests: summary.results.map((r) => ({
        file: rel(r.file),
        name: r.name,
        status: r.status,
        failures: r.failures,
        ...(r.notes?.length ? { notes: r.notes } : {}),
        ...(r.observation ? { path: r.observation.path, end: r.observation.end, messages: r.observation.messages.map((m) => m.body) } : {}),
        ...(r.status === 'failed' && r.observation?.steps.some((s) => s.reason !== undefined)
          ? { failureSteps: r.observation.steps.filter((s) => s.reason !== undefined).map((s) => ({ step: stepText(s), reason: s.reason, ...(s.subflow ? { subflow: s.subflow } : {}) })) }
          : {}),
      })),
      ...(options.coverage ? { coverage: summary.coverage.map((c) => ({ ...c, flow: rel(c.flow) })) } : {}),
    },
    null,
    2,
  );
}

export function report(name: ReporterName, summary: RunSummary, options: { color?: boolean; coverage?: boolean } = {}): string {
  switch (name) {
    case 'tap':
      return tapReport(summary);
    case 'junit':
      return junitReport(summary);
    case 'json':
      return jsonReport(summary, options);
    default:
      return textReport(summary, options);
  }
}
