// The SQLite store's checkpointer thread. In WAL mode committed pages are copied back into the
// database file by a checkpoint; left to SQLite, the commit that crosses 1,000 WAL pages runs it
// inline, and that commit (with every sprint waiting on it) takes as long as copying and fsyncing
// those pages, 100 ms and more on a slow disk. Here a connection of its own checkpoints in the
// background instead (PASSIVE: it never blocks the writer), and the writer's autocheckpoint is off.
import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';

const { path, minEveryMs, maxEveryMs, restartAtPages, restartBy, handoffMs } = workerData as {
  path: string;
  minEveryMs: number;
  maxEveryMs: number;
  restartAtPages: number;
  restartBy: 'self' | 'writer';
  /** How long a restart handed to the writer may take before checkpoints resume anyway. */
  handoffMs: number;
};
const db = new DatabaseSync(path);
db.exec('PRAGMA busy_timeout = 5000');
const passive = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
const restart = db.prepare('PRAGMA wal_checkpoint(RESTART)');

// Small and often under load: a checkpoint's writes and fsync delay the commits running beside it
// (they share the disk), so many small ones keep every commit's delay short where a few large ones
// would stall a whole batch (every 200 ms here: inbound->reply p99 11 ms; every 50 ms: 8 ms). Idle, it
// backs off to maxEveryMs, so an idle server does not wake 20 times a second.
let everyMs = minEveryMs;
let lastLog = -1;
let timer: NodeJS.Timeout = setTimeout(checkpoint, everyMs);

function checkpoint(): void {
  try {
    const result = passive.get() as { busy: number; log: number; checkpointed: number };
    const idle = result.log === lastLog && result.checkpointed === result.log;
    lastLog = result.log;
    everyMs = idle ? Math.min(maxEveryMs, everyMs * 2) : minEveryMs;
    // A WAL that keeps growing (the writer never finds it fully copied back, as it does when it
    // pauses) is brought back to its start. The writer does it best: everything is copied back,
    // so its RESTART has little left to do, and it needs no lock that the writer would wait for.
    if (result.log >= restartAtPages) {
      if (restartBy === 'self') restart.get();
      else if (result.checkpointed === result.log) {
        // Stamped here: the thread receiving it may be busy for a while (time since the epoch, the same clock in every thread).
        parentPort!.postMessage({ op: 'restart-wanted', at: performance.timeOrigin + performance.now() });
        // No checkpoint meanwhile: the writer's RESTART would wait for this connection's.
        timer = setTimeout(checkpoint, handoffMs);
        return;
      }
    }
  } catch {
    // Busy or interrupted: the next round tries again; the writer is never affected.
  }
  timer = setTimeout(checkpoint, everyMs);
}

parentPort!.on('message', (message: { op: 'close' | 'restarted' }) => {
  if (message.op === 'restarted') {
    clearTimeout(timer);
    timer = setTimeout(checkpoint, minEveryMs);
    return;
  }
  if (message.op !== 'close') return;
  clearTimeout(timer);
  db.close();
  parentPort!.close();
});
