// Creating a folder and its missing parents. Not `mkdirSync(path, { recursive: true })`: Node's recursive mkdir
// spins for ever on a path under /proc (mkdir there fails with ENOENT, which it takes for a missing parent and
// retries), so `--data-dir /proc/x` hung a CPU. This walks up to the nearest folder that exists and creates each
// one below it, so every failure is an ordinary error naming the folder.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Creates `path` and any missing parent, each with `mode` when given; an existing folder is left as it is. */
export function makeDirectories(path: string, mode?: number): void {
  const target = resolve(path);
  const missing: string[] = [];
  for (let dir = target; !existsSync(dir); ) {
    missing.push(dir);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  // The target itself even when it exists: a file there is an error (EEXIST), as with mkdir -p.
  if (missing.length === 0) missing.push(target);
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir, mode === undefined ? undefined : { mode });
    } catch (error) {
      // There already, or made meanwhile (another process): fine if it is a folder.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(dir).isDirectory()) throw error;
    }
  }
}
