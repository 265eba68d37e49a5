// The SQLite data directory holds account auth tokens and upstream Twilio secrets in plain text: a
// directory Switchboard creates is 0700 and the database, its -wal/-shm, the lock and holder files
// are 0600 under the usual umask (022), so other local users cannot read them. A directory the user
// made keeps its mode; a database an older version left 0644 is tightened.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { DataDirLock, HOLDER_FILE, LOCK_FILE } from '../../src/store/sqlite/data-dir-lock.ts';

const posix = process.platform !== 'win32';
const modeOf = (path: string) => statSync(path).mode & 0o777;
const octal = (mode: number) => mode.toString(8).padStart(4, '0');

describe('SQLite data directory file modes', { skip: !posix && 'file modes are POSIX only' }, () => {
  let root: string;
  let umask: number;

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'sb-file-modes-'));
    // The default most systems run with: what made the files world-readable.
    umask = process.umask(0o022);
  });
  after(() => {
    process.umask(umask);
    rmSync(root, { recursive: true, force: true });
  });

  it('a fresh data dir is 0700, and switchboard.db with its -wal and -shm 0600', async () => {
    const dir = join(root, 'fresh', 'data');
    const path = join(dir, 'switchboard.db');
    const store = new SqliteStore({ path });
    try {
      // Opening migrates the schema, so the WAL and the shared-memory index exist by now.
      assert.equal(octal(modeOf(join(root, 'fresh'))), '0700', 'a parent Switchboard created');
      assert.equal(octal(modeOf(dir)), '0700');
      for (const file of [path, `${path}-wal`, `${path}-shm`]) assert.equal(octal(modeOf(file)), '0600', file);
    } finally {
      await store.close();
    }
  });

  it("a data dir the user made keeps its mode; a database an older version left 0644 becomes 0600", async () => {
    const dir = join(root, 'existing');
    mkdirSync(dir);
    chmodSync(dir, 0o750);
    const path = join(dir, 'switchboard.db');
    // An empty file is a valid empty database to SQLite: as an older Switchboard would have left it.
    writeFileSync(path, '', { mode: 0o644 });
    chmodSync(path, 0o644);
    const store = new SqliteStore({ path });
    try {
      assert.equal(octal(modeOf(dir)), '0750');
      for (const file of [path, `${path}-wal`, `${path}-shm`]) assert.equal(octal(modeOf(file)), '0600', file);
    } finally {
      await store.close();
    }
  });

  it('serve\'s lock creates the data dir 0700, the lock and its holder file 0600', () => {
    const dir = join(root, 'locked');
    const lock = DataDirLock.acquire(dir);
    try {
      assert.equal(octal(modeOf(dir)), '0700');
      assert.equal(octal(modeOf(join(dir, LOCK_FILE))), '0600');
      assert.equal(octal(modeOf(join(dir, HOLDER_FILE))), '0600');
    } finally {
      lock.release();
    }
  });
});
