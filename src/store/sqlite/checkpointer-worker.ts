// The SQLite store's checkpointer thread. In WAL mode committed pages are copied back into the
// database file by a checkpoint; left to SQLite, the commit that crosses 1,000 WAL pages runs it
// inline, and that commit (with every sprint waiting on it) takes as long as copying and fsyncing
// those pages, 100 ms and more on a slow disk. Here a connection of its own checkpoints in the
// background instead (PASSIVE: it never blocks the writer), and the writer's autocheckpoint is off.
import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';

const { path, everyMs, restartAtPages } = workerData as { path: string; everyMs: number; restartAtPages: number };
const db = new DatabaseSync(path);
db.exec('PRAGMA busy_timeout = 5000');
const passive = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
const restart = db.prepare('PRAGMA wal_checkpoint(RESTART)');

const timer = setInterval(() => {
  try {
    const result = passive.get() as { busy: number; log: number; checkpointed: number };
    // A WAL that keeps growing (readers always in it) is brought back to its start, briefly holding writers.
    if (result.log >= restartAtPages) restart.get();
  } catch {
    // Busy or interrupted: the next round tries again; the writer is never affected.
  }
}, everyMs);

parentPort!.on('message', (message: { op: 'close' }) => {
  if (message.op !== 'close') return;
  clearInterval(timer);
  db.close();
  parentPort!.close();
});
