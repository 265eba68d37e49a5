// Running git for the flows commands (drift checks against committed versions, renames, shallow clones):
// one way to call it, its errors left to the caller (no git, no repository: the caller falls back).
import { execFileSync } from 'node:child_process';

/**
 * `git -C cwd …args`, its output as bytes; `input` goes to its stdin. Throws when git is missing or fails.
 * Bounded: 20 s and 256 MB of output (a file's history read with cat-file --batch).
 */
export function runGit(cwd: string, args: string[], input?: string): Buffer {
  return execFileSync('git', ['-C', cwd, ...args], { input, stdio: ['pipe', 'pipe', 'ignore'], timeout: 20_000, maxBuffer: 256 * 1024 * 1024 });
}
