// `switchboard test --watch`: runs, then runs again when a test or flow file changes (one run for changes that
// come together), never for the reports it writes itself, until stopped; --update with it is refused.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const flow = fileURLToPath(new URL('../fixtures/flows/sms-echo.json', import.meta.url));

/** A project: flows/echo.json (it answers "Hello there") and tests/echo.test.yaml expecting `reply` for the message `hi`. */
function project(reply: string): { dir: string; test: string; writeTest: (reply: string) => void } {
  const dir = mkdtempSync(join(tmpdir(), 'sb-watch-'));
  mkdirSync(join(dir, 'flows'));
  mkdirSync(join(dir, 'tests'));
  cpSync(flow, join(dir, 'flows/echo.json'));
  const test = join(dir, 'tests/echo.test.yaml');
  const writeTest = (text: string) => writeFileSync(test, ['flow: ../flows/echo.json', 'tests:', '  - name: echoes', '    trigger: { message: { body: hi } }', '    expect:', `      messages: [${JSON.stringify(text)}]`, ''].join('\n'));
  writeTest(reply);
  return { dir, test, writeTest };
}

/** The watcher's output so far, and a way to wait for a pattern to appear in it `count` times. */
function watcher(dir: string, args: string[]) {
  const child = spawn(process.execPath, [main, 'test', '--watch', ...args], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => (out += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const count = (pattern: RegExp) => out.match(new RegExp(pattern.source, 'g'))?.length ?? 0;
  async function until(pattern: RegExp, times = 1): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (count(pattern) < times) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern} ×${times} in:\n${out}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return { child, exited, until, count, output: () => out };
}

describe('switchboard test --watch', () => {
  it('runs again when a test file changes or a new one appears, and ends with the last run\'s exit code when stopped', async () => {
    const { dir, writeTest } = project('wrong');
    const w = watcher(dir, []);
    try {
      await w.until(/Watching for changes/);
      assert.match(w.output(), /1 test: 0 passed, 1 failed/);
      // What the fixture flow says to a message: the test now passes.
      writeTest('Hello there');
      await w.until(/Watching for changes/, 2);
      assert.match(w.output(), /tests[/\\]echo\.test\.yaml changed: running the tests again/);
      assert.match(w.output(), /1 test: 1 passed, 0 failed/);
      // A new test file in a watched folder is found and run.
      writeFileSync(join(dir, 'tests/second.test.yaml'), readFileSync(join(dir, 'tests/echo.test.yaml'), 'utf8'));
      await w.until(/Watching for changes/, 3);
      assert.match(w.output(), /2 tests: 2 passed, 0 failed/);
      w.child.kill('SIGTERM');
      assert.equal(await w.exited, 0);
    } finally {
      w.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs again when the flow changes; the reports it writes in a watched folder start no run', async () => {
    const { dir } = project('x');
    const w = watcher(dir, ['tests', '--junit', 'tests/junit.xml', '--coverage-json', 'tests/coverage.json']);
    try {
      await w.until(/Watching for changes/);
      assert.ok(readFileSync(join(dir, 'tests/coverage.json'), 'utf8').includes('echo.json'));
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.equal(w.count(/Watching for changes/), 1, w.output());
      writeFileSync(join(dir, 'flows/echo.json'), readFileSync(join(dir, 'flows/echo.json'), 'utf8'));
      await w.until(/Watching for changes/, 2);
      assert.match(w.output(), /flows[/\\]echo\.json changed: running the tests again/);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.equal(w.count(/Watching for changes/), 2, w.output());
      w.child.kill('SIGINT');
      assert.equal(await w.exited, 1);
    } finally {
      w.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses --update with it (exit 2)', () => {
    const result = spawnSync(process.execPath, [main, 'test', '--watch', '--update'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /--watch and --update do not go together/);
  });
});
