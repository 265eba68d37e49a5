// A boolean flag is a switch: in `--dev false` the word `false` used to be a silently ignored positional
// and dev mode came ON (loopback/private addresses open to flows, no rate limits). Such a word, a
// `--flag=value` on a switch, and any argument a command does not take are refused (exit 2, one sentence).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const cwd = mkdtempSync(join(tmpdir(), 'sb-flags-'));
after(() => rmSync(cwd, { recursive: true, force: true }));

function run(args: string[]) {
  return spawnSync(process.execPath, [MAIN, ...args], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' }, timeout: 60_000 });
}

describe('boolean flags followed by a value', () => {
  for (const [flag, word] of [['dev', 'false'], ['one-active-per-contact', 'false'], ['metrics', 'false'], ['dev', 'true'], ['no-dev', 'false'], ['json', 'no']]) {
    it(`config --${flag} ${word}: exit 2, pointing to --no-<flag>`, () => {
      const result = run(['config', `--${flag}`, word]);
      assert.equal(result.status, 2, result.stdout + result.stderr);
      const name = flag.replace(/^no-/, '');
      assert.match(result.stderr, new RegExp(`^switchboard: --${flag} is a switch and takes no value: '${word}'.*--no-${name} to turn it off`));
      assert.equal(result.stdout, '');
    });
  }

  it('serve --dev false never starts (it would have run in dev mode)', () => {
    const result = run(['serve', '--dev', 'false', '--data-dir', ':memory:', '--port', '0']);
    assert.equal(result.status, 2, result.stdout + result.stderr);
    assert.doesNotMatch(result.stdout, /listening/);
  });

  it('--flag=false on a switch names --no-flag', () => {
    for (const arg of ['--dev=false', '--no-metrics=1']) {
      const result = run(['config', arg]);
      assert.equal(result.status, 2, result.stderr);
      assert.match(result.stderr, /is a switch and takes no value \(got .*\); write --no-(dev|metrics) to turn it off/);
    }
  });

  it('--no-<flag> turns the setting off and shows where it came from', () => {
    const result = run(['config', '--no-dev', '--no-one-active-per-contact', '--json']);
    assert.equal(result.status, 0, result.stderr);
    const keys = JSON.parse(result.stdout).keys as { key: string; value: string; source: string }[];
    assert.deepEqual(keys.find((k) => k.key === 'dev'), { ...keys.find((k) => k.key === 'dev'), value: 'false', source: '--no-dev' });
    assert.equal(keys.find((k) => k.key === 'oneActivePerContact')?.value, 'false');
  });

  it('a value that is not a true/false word after a switch is still an unexpected argument', () => {
    const result = run(['serve', '--dev', 'please']);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^switchboard: serve takes no arguments, got 'please'/);
  });

  it('commands that take one argument refuse a second', () => {
    const result = run(['accounts', 'list', 'everything']);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /unexpected argument 'everything' after 'accounts list'/);
    const config = run(['config', 'show']);
    assert.equal(config.status, 2);
    assert.match(config.stderr, /config takes no arguments, got 'show'/);
  });
});
