// The WAL file shrinks back after a burst. SQLite keeps a WAL file at the largest size it ever reached
// unless journal_size_limit is set (one 160 MB sprint left a 162 MB -wal for good): the store sets it
// (WAL_SIZE_LIMIT_BYTES) on every connection it writes on, the writer thread's too, so the first commit
// after a checkpoint has copied the WAL back truncates the file to that size.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore, WAL_SIZE_LIMIT_BYTES } from '../../src/store/sqlite/sqlite-store.ts';

const root = mkdtempSync(join(tmpdir(), 'sb-wal-size-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('sqlite: the WAL file is truncated back after a burst', () => {
  for (const writer of ['inline', 'thread'] as const) {
    it(`writes ${writer === 'thread' ? 'on the writer thread' : 'inline'}`, { timeout: 120_000 }, async () => {
      const path = join(root, writer, 'switchboard.db');
      // No background checkpointer: the test checkpoints itself, as the checkpointer would.
      const store = new SqliteStore({ path, writer, checkpoints: 'none' });
      try {
        assert.equal(Number((store.db.prepare('PRAGMA journal_size_limit').get() as { journal_size_limit: number }).journal_size_limit), WAL_SIZE_LIMIT_BYTES);
        // A burst past the limit: 8 MB values, 80 MB in all.
        const chunk = 'x'.repeat(8 * 1024 * 1024);
        for (let i = 0; i < 10; i++) await store.setSetting(`burst-${i}`, chunk);
        const wal = () => statSync(`${path}-wal`).size;
        assert.ok(wal() > WAL_SIZE_LIMIT_BYTES, `the burst grew the WAL (${wal()} bytes)`);
        // Everything copied back; the next commit starts the WAL over, and truncates it.
        store.db.prepare('PRAGMA wal_checkpoint(RESTART)').get();
        await store.setSetting('after', 'small');
        assert.ok(wal() <= WAL_SIZE_LIMIT_BYTES, `the WAL is back within the limit (${wal()} bytes)`);
        assert.equal(await store.getSetting('after'), 'small');
      } finally {
        await store.close();
      }
    });
  }
});
