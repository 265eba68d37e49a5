// flows.manifest.json is committed with the flows, so in CI it may come from anyone's branch: its
// keys name files that `flows pull` (and `test --record`) write. A key must be a plain relative path
// that stays inside the flow directory — subfolders are fine, an absolute path, a `..` step or a
// symbolic link leading out of the directory is not — or a tampered manifest could overwrite any
// file the job can write.
import { lstatSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, win32 } from 'node:path';

/** Why `key` may not name a file of the flow directory `dir`, or null when it may. */
export function manifestKeyProblem(dir: string, key: string): string | null {
  if (key === '' || key.includes('\0')) return 'is no file name';
  // Both separators: a manifest written on one system is read on the other.
  if (isAbsolute(key) || win32.isAbsolute(key) || /^[a-zA-Z]:/.test(key)) return 'is an absolute path';
  const steps = key.split(/[\\/]/);
  if (steps.includes('..')) return "has a '..' step";
  if (steps.every((step) => step === '' || step === '.')) return 'names the flow directory itself';
  return symlinkEscape(dir, key);
}

/**
 * Whether the file, or the deepest folder of its path that exists, is really (symbolic links
 * followed) inside `dir`: what does not exist yet is created there as a plain folder or file.
 */
function symlinkEscape(dir: string, key: string): string | null {
  let root: string;
  try {
    root = realpathSync(dir);
  } catch {
    return null; // No flow directory yet: nothing in it can lead out.
  }
  const top = resolve(dir);
  let existing = resolve(dir, key);
  while (existing !== top && !exists(existing)) existing = dirname(existing);
  let real: string;
  try {
    real = realpathSync(existing);
  } catch {
    return 'is a symbolic link to nothing';
  }
  return inside(root, real) ? null : 'leads out of the flow directory through a symbolic link';
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith('..\\') && !rel.startsWith('../'));
}
