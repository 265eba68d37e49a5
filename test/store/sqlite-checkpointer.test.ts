// The background checkpointer's hand-off of the WAL restart to the writing connection.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Checkpointer } from '../../src/store/sqlite/checkpointer.ts';

const dir = mkdtempSync(join(tmpdir(), 'switchboard-checkpointer-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A writing connection as the store opens it: WAL, no autocheckpoint. */
function writer(path: string): DatabaseSync {
  const db = new DatabaseSync(path);
  db.exec('PRAGMA busy_timeout = 5000'); // as the store's: a RESTART briefly holds the write lock
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA wal_autocheckpoint = 0');
  db.exec('CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, body TEXT)');
  return db;
}

/** Appends `pages` WAL frames' worth of rows, one transaction per call. */
function write(db: DatabaseSync, pages: number): void {
  const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
  db.exec('BEGIN');
  for (let i = 0; i < pages; i++) insert.run('x'.repeat(3000));
  db.exec('COMMIT');
}

/** Keeps writing (so the WAL never drains by itself) until `done` settles. */
async function writeUntil(db: DatabaseSync, done: Promise<unknown>): Promise<void> {
  let finished = false;
  void done.then(() => (finished = true));
  while (!finished) {
    write(db, 8);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

function walLength(db: DatabaseSync): number {
  // A PASSIVE checkpoint reports the WAL's length in frames (and copies back what it can).
  return Number((db.prepare('PRAGMA wal_checkpoint(PASSIVE)').get() as { log: number }).log);
}

test('a long WAL, once copied back, is handed to the writer to restart; checkpoints resume after restarted()', async () => {
  const path = join(dir, 'handoff.db');
  const db = writer(path);
  let asks = 0;
  let asked: () => void = () => undefined;
  const nextAsk = () => new Promise<void>((resolve) => (asked = resolve));
  let firstAsk = nextAsk();
  const checkpointer = new Checkpointer(path, {
    everyMs: 5,
    restartAtPages: 64,
    onRestartWanted: () => {
      asks++;
      asked();
    },
  });
  try {
    await writeUntil(db, firstAsk);
    assert.equal(asks, 1);
    // The writer restarts it: all of it was copied back, so nothing is left and the next write starts over.
    const restart = db.prepare('PRAGMA wal_checkpoint(RESTART)').get() as { busy: number; log: number; checkpointed: number };
    assert.equal(restart.busy, 0);
    checkpointer.restarted();
    write(db, 4);
    assert.ok(walLength(db) < 64, 'the WAL started again from its beginning');
    // Checkpoints resumed: the WAL grows long again and is handed over again.
    firstAsk = nextAsk();
    await writeUntil(db, firstAsk);
    assert.equal(asks, 2);
    checkpointer.restarted();
  } finally {
    await checkpointer.close();
    db.close();
  }
});

test('a writer that never answers the hand-off holds checkpoints up for a second at most', async () => {
  const path = join(dir, 'unanswered.db');
  const db = writer(path);
  const asks: number[] = [];
  let asked: () => void = () => undefined;
  const checkpointer = new Checkpointer(path, {
    everyMs: 5,
    restartAtPages: 64,
    onRestartWanted: () => {
      asks.push(performance.now());
      asked();
    },
  });
  try {
    await writeUntil(db, new Promise<void>((resolve) => (asked = resolve)));
    // Never restarted(): the checkpointer checkpoints again after its wait and, the WAL still long, asks again.
    await writeUntil(db, new Promise<void>((resolve) => (asked = resolve)));
    assert.equal(asks.length, 2);
    const waited = asks[1]! - asks[0]!;
    assert.ok(waited >= 900 && waited < 5000, `asked again after ${waited.toFixed(0)} ms`);
  } finally {
    await checkpointer.close();
    db.close();
  }
});

test('without a hand-off, the checkpointer keeps a WAL under continuous writes short by itself', async () => {
  const path = join(dir, 'self.db');
  const db = writer(path);
  const checkpointer = new Checkpointer(path, { everyMs: 5, restartAtPages: 64 });
  try {
    // 4,000 pages (about 16 MB) or more written without a checkpoint from this connection: the WAL file,
    // which never shrinks, shows how far the WAL ever got before the checkpointer brought it back to its
    // start. So much that a checkpointer thread held up for a while on a loaded machine still keeps it
    // to a quarter (by time alone, 600 ms, a loaded run wrote a thousand pages and the WAL reached 264).
    let written = 0;
    const until = performance.now() + 600;
    while (performance.now() < until || written < 4000) {
      write(db, 8);
      written += 8;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const walPages = statSync(`${path}-wal`).size / 4096;
    assert.ok(walPages < written / 4, `WAL grew to ${walPages.toFixed(0)} pages of ${written} written`);
  } finally {
    await checkpointer.close();
    db.close();
  }
});
