// `switchboard serve` as a child process, as a user runs it: started with the given flags and
// environment (PATH only, besides), run until its stdout says it is ready, used, then stopped
// with SIGTERM whatever happened.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface ServeOutput {
  out: string;
  err: string;
}

/**
 * Runs `switchboard serve ARGS` until `ready(stdout)` holds (or fails after `timeoutMs`, or if serve
 * exits first), then `use` with what it printed so far; SIGTERM afterwards. Returns use's result.
 */
export async function withServe<T>(
  args: string[],
  env: Record<string, string>,
  ready: (out: string) => boolean,
  use: (printed: ServeOutput) => Promise<T> | T,
  timeoutMs = 30_000,
): Promise<T> {
  const child = spawn(process.execPath, [main, 'serve', ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const printed: ServeOutput = { out: '', err: '' };
  child.stdout.on('data', (chunk) => (printed.out += chunk));
  child.stderr.on('data', (chunk) => (printed.err += chunk));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  try {
    await Promise.race([
      new Promise<void>((resolve) => child.stdout.on('data', () => ready(printed.out) && resolve())),
      exited.then(() => assert.fail(`serve exited early: ${printed.err}`)),
      new Promise<void>((_, reject) => setTimeout(() => reject(new Error(`serve not ready in ${timeoutMs / 1000} s: ${printed.out}${printed.err}`)), timeoutMs).unref()),
    ]);
    return await use(printed);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}
