// `npm run bench -- --help` and a mistyped option: usage, not a stack trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const RUN = fileURLToPath(new URL('../../bench/run.ts', import.meta.url));

test('bench --help prints the usage; an unknown option exits 2 with it', () => {
  const help = spawnSync(process.execPath, [RUN, '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /^Usage: npm run bench/);
  const bad = spawnSync(process.execPath, [RUN, '--bogus'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^bench: Unknown option '--bogus'/);
  assert.match(bad.stderr, /Usage: npm run bench/);
  assert.doesNotMatch(bad.stderr, /at parseArgs/);
});
