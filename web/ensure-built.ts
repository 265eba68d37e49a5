// Builds the web console when web/dist is missing or older than its sources, so a fresh clone
// needs only `npm install && npm start`. Run directly (`node web/ensure-built.ts [--force]`) or
// imported by tests. A missing Vite (production install without dev dependencies) is reported,
// not fatal: the server still starts and explains at `/` how to build the console.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB_DIR = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(WEB_DIR, '..');
const BUILT_INDEX = join(WEB_DIR, 'dist', 'index.html');

/** Everything the bundle is built from: the app, its config, and the shared widget specs it imports. */
const SOURCES = [
  join(WEB_DIR, 'src'),
  join(WEB_DIR, 'index.html'),
  join(WEB_DIR, 'vite.config.ts'),
  join(ROOT, 'src', 'definition'),
  join(ROOT, 'package-lock.json'),
];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** Whether `built` (the file whose age stands for a build's) is missing or older than any file under `inputs`. */
export function builtIsStale(built: string, inputs: readonly string[]): boolean {
  if (!existsSync(built)) return true;
  const builtAt = statSync(built).mtimeMs;
  return inputs.some((input) => newestMtime(input) > builtAt);
}

export function consoleIsStale(): boolean {
  return builtIsStale(BUILT_INDEX, SOURCES);
}

export async function buildConsole(): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: join(WEB_DIR, 'vite.config.ts'), logLevel: 'warn' });
}

const LOCK = join(WEB_DIR, '.build-lock');
const LOCK_STALE_MS = 120_000;

/**
 * One build at a time across processes (the test runner runs files in parallel, and a build empties
 * web/dist first): an exclusive mkdir is the lock; a lock older than any build is left over and taken.
 */
async function withBuildLock<T>(fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = Date.now() - (existsSync(LOCK) ? statSync(LOCK).mtimeMs : Date.now());
      if (age > LOCK_STALE_MS) rmSync(LOCK, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** Builds when needed; returns whether a build ran. */
export async function ensureConsoleBuilt(force = false): Promise<boolean> {
  if (!force && !consoleIsStale()) return false;
  return withBuildLock(async () => {
    // Another process may have built it while this one waited.
    if (!force && !consoleIsStale()) return false;
    await buildConsole();
    return true;
  });
}

if (import.meta.main) {
  const force = process.argv.includes('--force');
  try {
    const started = Date.now();
    if (await ensureConsoleBuilt(force)) console.error(`web console built in ${Date.now() - started} ms (web/dist)`);
  } catch (error) {
    const missingVite = (error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND';
    console.error(missingVite ? 'web console not built: Vite is not installed (install dev dependencies)' : `web console build failed: ${(error as Error).message}`);
    // Only an explicit build request fails; `npm start` still starts the API.
    if (force) process.exitCode = 1;
  }
}
