// The data directory holds account auth tokens and upstream Twilio secrets in plain text, so what
// Switchboard creates there is for its own user only: the directory 0700 when Switchboard makes it
// (one the user made stays as it is), and the files 0600. SQLite creates a database's -wal, -shm
// and -journal files with the database file's mode, so making that file private covers them too.
import { chmodSync, closeSync, openSync, statSync } from 'node:fs';
import { makeDirectories } from '../../lib/make-directories.ts';

const OWNER_ONLY_DIR = 0o700;
export const OWNER_ONLY_FILE = 0o600;

/** Creates `dir` (and any missing parent) owner-only; an existing directory is left as it is. */
export function makePrivateDir(dir: string): void {
  makeDirectories(dir, OWNER_ONLY_DIR);
}

/**
 * Makes `path` an owner-only file before SQLite opens it: created 0600 when missing, and one a
 * previous version left group- or world-readable loses those bits, as do its -wal/-shm/-journal
 * files, which SQLite would otherwise go on recreating with the database's old mode.
 */
export function makePrivateDatabaseFile(path: string): void {
  try {
    closeSync(openSync(path, 'wx', OWNER_ONLY_FILE));
  } catch {
    // There already, or the directory cannot be written: SQLite opens it, or says why it cannot.
  }
  for (const file of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) restrictToOwner(file);
}

/** Takes group and other permissions off an existing file (not ours to change, or gone: left alone). */
export function restrictToOwner(path: string): void {
  try {
    const mode = statSync(path).mode & 0o777;
    if (mode & 0o077) chmodSync(path, mode & 0o700); // the owner's bits as they were
  } catch {
    // Missing, or owned by another user (chmod refused): nothing this process may do about it.
  }
}
