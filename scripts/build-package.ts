// Builds what the npm package runs, into the package directory: src/ compiled to JavaScript in dist/
// (an installed package lives under node_modules, where Node refuses to strip types) and the web console
// in web/dist. A checkout needs neither: Node 24 runs src/ directly and `npm start` builds the console.
// `npm pack` and `npm publish` run it (prepack); npm packing a git dependency runs only `prepare`, which
// calls buildWhenPacked() below.
//
// TypeScript's own compiler does the compiling (tsconfig.build.json): it type-checks on the way, and
// rewriteRelativeImportExtensions turns the `.ts` of relative import specifiers into `.js`, dynamic
// imports with a literal included. URLs handed to a Worker are no specifiers: src/lib/sibling-module.ts.
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtIsStale, ensureConsoleBuilt } from '../web/ensure-built.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
/** The file whose age stands for the build's. */
const BUILT_MAIN = join(DIST, 'cli', 'main.js');
const INPUTS = [join(ROOT, 'src'), join(ROOT, 'tsconfig.json'), join(ROOT, 'tsconfig.build.json')];

export function distIsStale(): boolean {
  return builtIsStale(BUILT_MAIN, INPUTS);
}

/** Compiles src/ into dist/: into a fresh folder first, so a failed build leaves no half of one behind. */
export function compileSources(): void {
  const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
  const partial = join(ROOT, '.tmp', `dist-${process.pid}`);
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(dirname(partial), { recursive: true });
  const result = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', partial], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    rmSync(partial, { recursive: true, force: true });
    throw new Error(`tsc -p tsconfig.build.json failed (${result.error?.message ?? `exit ${result.status ?? result.signal}`})`);
  }
  rmSync(DIST, { recursive: true, force: true });
  renameSync(partial, DIST);
}

/** Builds dist/ and the console, each only when it is missing or older than its sources. */
export async function buildWhenPacked(): Promise<void> {
  await build(distIsStale());
}

async function build(compile: boolean): Promise<void> {
  const started = Date.now();
  if (compile) compileSources();
  const consoleBuilt = await ensureConsoleBuilt();
  const built = [compile && 'dist', consoleBuilt && 'web/dist'].filter(Boolean);
  if (built.length > 0) console.error(`package built in ${Date.now() - started} ms (${built.join(', ')})`);
}

if (import.meta.main) {
  try {
    await build(true);
  } catch (error) {
    console.error(`switchboard package build failed: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
