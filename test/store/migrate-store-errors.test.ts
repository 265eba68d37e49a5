// `switchboard migrate-store` with a PostgreSQL side it cannot use (nothing listens on port 1 of
// this machine, so it always refuses) is one line naming the database (password masked) and exit
// code 1, as `serve` does; no stack trace. Needs no PostgreSQL server. Every message of its own says
// 'switchboard migrate-store: …', as the other commands name themselves (it used to say 'switchboard: …').
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { DataDirLock } from '../../src/store/sqlite/data-dir-lock.ts';

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
  assert.match(result.stderr, /^switchboard migrate-store: cannot use PostgreSQL at postgres:\/\/sb:\*{8}@127\.0\.0\.1:1\/switchboard \(schema public\): .*ECONNREFUSED/);
  assert.doesNotMatch(result.stderr, /s3cret/);
});

// The README walkthrough's mistake: a source that cannot be read must not leave the new,
// empty target file (or the folders made for it) behind; a target that was there stays.
function migrate(cwd: string, from: string, to: string) {
  return spawnSync(process.execPath, [MAIN, 'migrate-store', '--from', from, '--to', to], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
    timeout: 60_000,
  });
}

test('migrate-store from an unreachable PostgreSQL leaves no new SQLite target (file, WAL or folders) behind', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-migrate-err-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const relative = migrate(dir, 'postgres://127.0.0.1:1/x', 'sqlite:new.db');
  assert.equal(relative.status, 1, relative.stderr);
  assert.match(relative.stderr, /^switchboard migrate-store: cannot use PostgreSQL at postgres:\/\/127\.0\.0\.1:1\/x/);
  const nested = migrate(dir, 'postgres://127.0.0.1:1/x', 'sqlite:made/for/it/new.db');
  assert.equal(nested.status, 1, nested.stderr);
  assert.deepEqual(readdirSync(dir), []);
});

test('migrate-store that fails keeps a target file that was already there, untouched', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-migrate-err-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'empty.db'), '');
  const unreachable = migrate(dir, 'postgres://127.0.0.1:1/x', 'sqlite:empty.db');
  assert.equal(unreachable.status, 1, unreachable.stderr);
  assert.ok(existsSync(join(dir, 'empty.db')));

  // A target already holding data is refused (exit 1) and keeps its data.
  const source = new SqliteStore({ path: join(dir, 'source.db') });
  await source.setSetting('x', 'from source');
  await source.close();
  const full = new SqliteStore({ path: join(dir, 'full.db') });
  await full.setSetting('x', 'already there');
  await full.close();
  const refused = migrate(dir, 'sqlite:source.db', 'sqlite:full.db');
  assert.equal(refused.status, 1, refused.stderr);
  assert.match(refused.stderr, /^switchboard migrate-store: .*already holds data/);
  const kept = new SqliteStore({ path: join(dir, 'full.db') });
  try {
    assert.equal(await kept.getSetting('x'), 'already there');
  } finally {
    // Closed before the folder is removed: an open store's checkpointer thread may still touch its files.
    await kept.close();
  }
});

// README step 1 says to stop every server using the data directory first; a server still holding
// it (its switchboard.lock) is named in one line, exit 1, as a second `serve` is — source or target.
test('migrate-store refuses a SQLite data directory a server holds, naming it; copies once it is free', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-migrate-err-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const data = join(dir, 'data');
  const source = new SqliteStore({ path: join(data, 'switchboard.db') });
  await source.setSetting('x', 'from source');
  await source.close();

  const server = DataDirLock.acquire(data); // what a running `serve --data-dir data` holds
  const held = migrate(dir, 'sqlite:./data/switchboard.db', 'sqlite:copy.db');
  assert.equal(held.status, 1, held.stdout + held.stderr);
  assert.equal(held.stderr.trim().split('\n').length, 1, held.stderr);
  assert.match(held.stderr, new RegExp(`^switchboard migrate-store: the data directory .*data is in use by a Switchboard server \\(pid ${process.pid} on host [^,]+, since [^)]+\\); stop every server using it before migrate-store$`, 'm'));
  assert.equal(existsSync(join(dir, 'copy.db')), false, 'nothing copied');

  // The same for a SQLite target in a data directory a server holds.
  const into = migrate(dir, 'postgres://127.0.0.1:1/x', 'sqlite:data');
  assert.equal(into.status, 1, into.stderr);
  assert.match(into.stderr, /^switchboard migrate-store: the data directory .*data is in use by a Switchboard server/);
  server.release();

  const free = migrate(dir, 'sqlite:./data/switchboard.db', 'sqlite:copy.db');
  assert.equal(free.status, 0, free.stdout + free.stderr);
  const copy = new SqliteStore({ path: join(dir, 'copy.db') });
  try {
    assert.equal(await copy.getSetting('x'), 'from source');
  } finally {
    await copy.close();
  }
  // The migration let go of the lock: a server can start on the directory again.
  DataDirLock.acquire(data).release();
});

test('a data-directory lock that cannot be taken for another reason (not a server holding it) does not stop the copy', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-migrate-err-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const source = new SqliteStore({ path: join(dir, 'switchboard.db') });
  await source.setSetting('x', 'from source');
  await source.close();
  // What a read-only copy of a data directory does to taking the lock (root may write anywhere): fail otherwise.
  mkdirSync(join(dir, 'switchboard.lock'));
  const result = migrate(dir, 'sqlite:.', 'sqlite:copy.db');
  assert.equal(result.status, 0, result.stdout + result.stderr);
});

// Either side may be either kind, so a missing one is named as such (the message used to ask for
// "--from sqlite:<path> and --to postgres://…" whichever was missing), and a bare path is shown how to
// write it. Bad usage: exit 2, before any store is opened.
test('migrate-store names the missing side, and how to write a bare path', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-migrate-err-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const noFrom = spawnSync(process.execPath, [MAIN, 'migrate-store', '--to', 'sqlite:new.db'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: 60_000 });
  assert.equal(noFrom.status, 2, noFrom.stderr);
  assert.equal(noFrom.stderr, 'switchboard migrate-store: --from is required: each is sqlite:<path> (a database file or data directory) or a postgres:// URL\n');
  const neither = spawnSync(process.execPath, [MAIN, 'migrate-store'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: 60_000 });
  assert.equal(neither.status, 2, neither.stderr);
  assert.match(neither.stderr, /^switchboard migrate-store: --from and --to are required: /);
  const bare = migrate(dir, join(dir, 'old.db'), 'sqlite:new.db');
  assert.equal(bare.status, 2, bare.stderr);
  assert.match(bare.stderr, new RegExp(`^switchboard migrate-store: --from must be sqlite:<path> or a postgres:// URL, got '.*old\\.db' \\(a SQLite file or data directory is written sqlite:.*old\\.db\\)\\n$`));
  const nowhere = migrate(dir, 'sqlite:nowhere.db', 'sqlite:new.db');
  assert.equal(nowhere.status, 2, nowhere.stderr);
  assert.match(nowhere.stderr, /^switchboard migrate-store: --from: no SQLite database at .*nowhere\.db\n$/);
  assert.deepEqual(readdirSync(dir), [], 'nothing was opened or created');
});
