// The background checkpointer's hand-off of the WAL restart to the writing connection.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
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

/**
 * The WAL header's salt-1 (bytes 16-19, https://sqlite.org/fileformat.html#the_write_ahead_log): SQLite
 * increments it each time the WAL starts over from its beginning, in the header written with the first frame after.
 */
function walSalt(path: string): number {
  const fd = openSync(`${path}-wal`, 'r');
  try {
    const salt = Buffer.alloc(4);
    readSync(fd, salt, 0, 4, 16);
    return salt.readUInt32BE(0);
  } finally {
    closeSync(fd);
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
    // When the checkpointer asked, not when this busy thread got to its message.
    onRestartWanted: (at) => {
      asks.push(at);
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

test('without a hand-off, the checkpointer brings a WAL under continuous writes back to its start by itself, again and again', async () => {
  const path = join(dir, 'self.db');
  const db = writer(path);
  const checkpointer = new Checkpointer(path, { everyMs: 5, restartAtPages: 64 });
  try {
    // Restarts counted, not the WAL file's high-water size: how far the WAL grows between two turns of the
    // checkpointer's thread depends on how much CPU that thread gets (on a loaded machine the writer wrote
    // 1,600 pages meanwhile, and a bound on the size failed a working checkpointer). This connection never
    // checkpoints: without the checkpointer the WAL never starts over.
    const restartsWanted = 10;
    let salt = -1;
    let restarts = -1; // the first frame writes the first header
    let sinceRestart = 0;
    let written = 0;
    const deadline = performance.now() + 30_000;
    while (restarts < restartsWanted && performance.now() < deadline) {
      // Continuous writes, 8 pages every couple of milliseconds; a WAL far past the restart length (the
      // checkpointer's thread starved of CPU, or no checkpointer) gets a page every 10 ms instead, so the test's
      // files stay small (the new salt shows with a write).
      const far = sinceRestart >= 1024;
      write(db, far ? 1 : 8);
      written += far ? 1 : 8;
      sinceRestart += far ? 1 : 8;
      const now = walSalt(path);
      if (now !== salt) {
        salt = now;
        restarts++;
        sinceRestart = 0;
      }
      await new Promise((resolve) => setTimeout(resolve, far ? 10 : 2));
    }
    assert.equal(restarts, restartsWanted, `the WAL started over ${restarts} times in ${written} pages written`);
  } finally {
    await checkpointer.close();
    db.close();
  }
});
