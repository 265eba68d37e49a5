// `switchboard migrate-store` with a PostgreSQL side it cannot use (nothing listens on port 1 of
// this machine, so it always refuses) is one line naming the database (password masked) and exit
// code 1, as `serve` does; no stack trace. Needs no PostgreSQL server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

test('migrate-store to an unreachable PostgreSQL: one line, password masked, exit 1', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-migrate-err-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const source = new SqliteStore({ path: join(dir, 'switchboard.db') });
  await source.setSetting('x', 'y');
  await source.close();
  const result = spawnSync(process.execPath, [MAIN, 'migrate-store', '--from', `sqlite:${dir}`, '--to', 'postgres://sb:s3cret@127.0.0.1:1/switchboard'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
    timeout: 60_000,
  });
  assert.equal(result.status, 1, result.stderr);
  assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  assert.match(result.stderr, /^switchboard: cannot use PostgreSQL at postgres:\/\/sb:\*{8}@127\.0\.0\.1:1\/switchboard \(schema public\): .*ECONNREFUSED/);
  assert.doesNotMatch(result.stderr, /s3cret/);
});
