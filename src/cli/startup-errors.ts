// Why the server could not open its data directory, in words an operator can act on. Startup
// fails before listening, so nothing is half-written: SQLite refuses the write and the database
// stays as it was.
import { accessSync, constants, existsSync } from 'node:fs';
import { dirname } from 'node:path';

const SQLITE_PRIMARY = {
  BUSY: 5,
  READONLY: 8,
  IOERR: 10,
  CORRUPT: 11,
  FULL: 13,
  CANTOPEN: 14,
  NOTADB: 26,
} as const;

const FS_CODES: Record<string, string> = {
  EACCES: 'is not writable (permission denied)',
  EPERM: 'is not writable (operation not permitted)',
  EROFS: 'is on a read-only file system',
  ENOSPC: 'has no space left on its device (disk full)',
  EDQUOT: 'is over its disk quota',
  EFBIG: 'cannot grow: file size limit reached (disk full or ulimit -f)',
  ENOTDIR: 'is not a directory (a file is in the way)',
  EEXIST: 'cannot be created (a file is in the way)',
  ENOENT: 'cannot be created (a parent directory is missing and cannot be made)',
};

/** What the file system says about a path; tests pass their own to play a read-only mount. */
export interface FsProbe {
  exists(path: string): boolean;
  /** Throws why nothing can be created in the directory `path` (EROFS, EACCES…), if it cannot. */
  checkWritable(path: string): void;
}

const REAL_FS: FsProbe = { exists: existsSync, checkWritable: (path) => accessSync(path, constants.W_OK) };

/**
 * A recursive mkdir reports ENOENT whatever stopped it (a read-only file system, no permission): the
 * deepest directory that exists says why nothing could be made in it.
 */
function blockedAncestor(path: string, fs: FsProbe): { ancestor: string; code: string } | undefined {
  let ancestor = dirname(path);
  while (!fs.exists(ancestor) && dirname(ancestor) !== ancestor) ancestor = dirname(ancestor);
  try {
    fs.checkWritable(ancestor);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code && code !== 'ENOENT' && FS_CODES[code]) return { ancestor, code };
  }
  return undefined;
}

/** A clear sentence for storage failures at start; undefined for anything else (a real bug). */
export function storageProblem(error: unknown, dataDir: string, fs: FsProbe = REAL_FS): string | undefined {
  const e = error as { code?: string; errcode?: number; errstr?: string; message?: string; name?: string; path?: string };
  // PostgreSQL unreachable, refusing us, or migrated by a newer Switchboard (src/store/postgres).
  if (e.name === 'DatabaseStartupError') return e.message;
  // Written by a newer Switchboard (src/store/sqlite): running this older build would misread it.
  const newer = /database schema version (\d+) is newer than this Switchboard \((\d+)\)/.exec(e.message ?? '');
  if (newer) return `the database in ${dataDir} has schema version ${newer[1]}, newer than this Switchboard's (${newer[2]}): run the newer Switchboard that migrated it, or restore a backup made before`;
  if (e.code === 'ENOENT') {
    const blocked = blockedAncestor(e.path ?? dataDir, fs);
    if (blocked) return `data directory ${dataDir} cannot be created: ${blocked.ancestor} ${FS_CODES[blocked.code]}: ${blocked.code}`;
  }
  if (e.code && FS_CODES[e.code]) return `data directory ${dataDir} ${FS_CODES[e.code]}: ${e.message}`;
  if (e.code === 'ERR_SQLITE_ERROR' && typeof e.errcode === 'number') {
    const detail = e.errstr ?? e.message ?? '';
    switch (e.errcode & 0xff) {
      case SQLITE_PRIMARY.READONLY:
        return `data directory ${dataDir} is read-only (${detail}); make it writable or point --data-dir elsewhere`;
      case SQLITE_PRIMARY.FULL:
        return `data directory ${dataDir} is full (${detail}); free some space and start again`;
      case SQLITE_PRIMARY.IOERR:
        return `data directory ${dataDir} cannot be written (${detail}): the disk is full, failing or over a file size limit`;
      case SQLITE_PRIMARY.CANTOPEN:
        return `the database in ${dataDir} cannot be opened (${detail}): check that the directory exists and is writable`;
      case SQLITE_PRIMARY.BUSY:
        return `the database in ${dataDir} is locked by another process (${detail})`;
      case SQLITE_PRIMARY.CORRUPT:
      case SQLITE_PRIMARY.NOTADB:
        return `the database in ${dataDir} is damaged or not a Switchboard database (${detail}); restore it from a backup`;
    }
  }
  return undefined;
}

/** Why the server could not listen (port taken, not allowed, no such address); undefined for anything else. */
export function listenProblem(error: unknown, host: string, port: number): string | undefined {
  const where = `${host}:${port}`;
  switch ((error as { code?: string }).code) {
    case 'EADDRINUSE':
      return `${where} is already in use (is another Switchboard running?); stop it or choose another port with --port`;
    case 'EACCES':
      return `not allowed to listen on ${where} (ports below 1024 need privileges); choose another port with --port`;
    case 'EADDRNOTAVAIL':
      return `${host} is not an address of this machine; fix --host`;
    case 'ENOTFOUND':
    case 'EAI_NONAME':
    case 'EAI_FAIL':
      return `${host} is not a known host name or address (${(error as Error).message}); fix --host (or HOST)`;
    case 'EAI_AGAIN':
      return `${host} cannot be resolved now (${(error as Error).message}): DNS did not answer; retry, or give --host an address`;
    default:
      return undefined;
  }
}

/**
 * Any other startup failure, as one line: the error's own message (first line; its code when it has
 * one). The stack is for developers: `serve` prints it too at log level debug or trace.
 */
export function unexpectedProblem(error: unknown): string {
  const e = error as { message?: unknown; code?: unknown } | null | undefined;
  const message = typeof e?.message === 'string' && e.message.trim() !== '' ? e.message.trim().split('\n')[0]! : String(error);
  const code = typeof e?.code === 'string' && !message.includes(e.code) ? ` (${e.code})` : '';
  return `${message}${code}`;
}
