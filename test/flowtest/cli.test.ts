// `switchboard test` as CI runs it: exit codes, reporters on stdout and in files, coverage JSON,
// usage errors.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const examples = fileURLToPath(new URL('../../examples/', import.meta.url));
const failing = fileURLToPath(new URL('./fixtures/failing.test.yaml', import.meta.url));

function run(args: string[], cwd = examples) {
  return spawnSync(process.execPath, [main, 'test', ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
}

describe('switchboard test', () => {
  it('passes the example project from its folder (default path ./tests) with exit code 0', () => {
    const result = run(['--coverage']);
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /15 tests: 15 passed, 0 failed/);
    assert.match(result.stdout, /Coverage\n {2}flows\/ivr\.json {2}widgets 10\/10 \(100%\)/);
  });

  it('fails with exit code 1, prints the diff, and writes JUnit, TAP and coverage JSON files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-test-cli-'));
    try {
      const junit = join(dir, 'out/junit.xml');
      const tap = join(dir, 'report.tap');
      const coverage = join(dir, 'coverage.json');
      const result = run([failing, '--junit', junit, '--tap', tap, '--coverage-json', coverage]);
      assert.equal(result.status, 1);
      assert.match(result.stdout, /✗ .*wrong confirmation text\n {4}messages differ/);
      assert.match(result.stdout, /4 tests: 0 passed, 3 failed, 1 skipped/);
      assert.match(readFileSync(junit, 'utf8'), /<testsuites name="switchboard test" tests="4" failures="3" skipped="1"/);
      assert.match(readFileSync(tap, 'utf8'), /^not ok 3 - .*replies after the end$/m);
      const cov = JSON.parse(readFileSync(coverage, 'utf8'));
      assert.equal(cov.flows[0].widgets.total, 10);
      assert.ok(cov.flows[0].transitions.missed.some((t: { widget: string; event: string }) => t.widget === 'ask_size' && t.event === 'timeout'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--reporter tap and --grep', () => {
    const result = run(['--reporter', 'tap', '--grep', 'REST']);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^TAP version 13\n1\.\.1\nok 1 - tests\/pizza-order\.test\.yaml › started from the REST API$/m);
  });

  it('--grep matching no test exits 2, not "0 tests: 0 passed"', () => {
    const result = run(['--grep', 'no such test name']);
    assert.equal(result.status, 2, result.stdout + result.stderr);
    assert.match(result.stderr, /switchboard test: no test name matches --grep no such test name in \d+ test files/);
  });

  it('a report file that cannot be written exits 2 with one line, not a stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-test-cli-'));
    try {
      writeFileSync(join(dir, 'file'), '');
      const junit = run(['--grep', 'REST', '--junit', dir]);
      assert.equal(junit.status, 2, junit.stdout + junit.stderr);
      assert.equal(junit.stderr.trim(), `switchboard test: cannot write --junit ${dir}: it is a directory`);
      const tap = run(['--grep', 'REST', '--tap', join(dir, 'file', 'x.tap')]);
      assert.equal(tap.status, 2, tap.stdout + tap.stderr);
      assert.match(tap.stderr, /^switchboard test: cannot write --tap .*x\.tap: \S.*\n$/);
      assert.doesNotMatch(tap.stderr, /\n\s+at /);
      const coverage = run(['--grep', 'REST', '--coverage-json', dir]);
      assert.equal(coverage.status, 2);
      assert.match(coverage.stderr, /cannot write --coverage-json/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('usage errors exit 2 with a sentence', () => {
    const none = run(['nowhere']);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /nowhere: no such file or directory/);
    const empty = run([join(examples, 'flows')]);
    assert.equal(empty.status, 2);
    assert.match(empty.stderr, /no test files found/);
    const reporter = run(['--reporter', 'xml']);
    assert.equal(reporter.status, 2);
    assert.match(reporter.stderr, /--reporter must be one of text, tap, junit, json/);
    const record = run(['--record', '--flow', 'FW' + '0'.repeat(32)]);
    assert.equal(record.status, 2);
    assert.match(record.stderr, /--flow and --out are required/);
  });
});
