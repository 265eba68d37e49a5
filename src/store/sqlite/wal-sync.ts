// Makes group commits durable without blocking the event loop. A batch of sprints is committed with
// synchronous=NORMAL (SQLite appends it to the WAL without an fsync), then this fsyncs the WAL file
// on libuv's thread pool and the batch's callers resolve only after that: every acknowledged write
// is on disk, as with synchronous=FULL, but the thread goes on running requests while the disk
// works. The store's group commit runs one batch at a time, so what arrives meanwhile waits for the
// next batch and its fsync: no two fsyncs are asked for at once.
//
// fdatasync, not the fsync that SQLite as bundled with Node calls (seen with perf trace): a full fsync
// also writes the inode's new mtime, which makes the filesystem commit its journal every time (stalls
// of 5-15 ms every ~400 ms measured here).
//
// Safe to open beside SQLite: its locks live in the database and -shm files, never in the WAL, so
// opening and closing our own descriptor of the WAL cannot drop one of them. SQLite keeps the WAL
// file (truncating it at most) while any connection is open, and the store closes this after its own.
import { close as closeFd, fdatasync, openSync } from 'node:fs';

export type Fsync = (fd: number, done: (error: NodeJS.ErrnoException | null) => void) => void;

export class WalSync {
  readonly #fd: number;
  readonly #fsync: Fsync;
  #running: Promise<void> | null = null;

  constructor(walPath: string, fsyncImpl: Fsync = fdatasync) {
    this.#fd = openSync(walPath, 'r');
    this.#fsync = fsyncImpl;
  }

  /** Resolves once everything written to the WAL before this call is on disk. */
  sync(): Promise<void> {
    const running = new Promise<void>((resolve, reject) => this.#fsync(this.#fd, (error) => (error ? reject(error) : resolve())));
    this.#running = running;
    return running;
  }

  async close(): Promise<void> {
    await this.#running?.catch(() => undefined);
    await new Promise<void>((resolve) => closeFd(this.#fd, () => resolve()));
  }
}
