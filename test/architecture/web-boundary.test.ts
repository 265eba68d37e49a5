// The console (web/) talks to the server over HTTP only, but shares a few modules of src/definition so
// the editor checks a flow as the server does. Those modules go into the browser bundle with all they
// import: this keeps the list short and explicit, and their closure free of packages (ajv, liquidjs,
// Node's built-ins), which would otherwise slip into the bundle through one new import.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, relative } from 'node:path';
import { importsOf, moduleAt, resolveRelative, ROOT, SRC, sourceFiles, srcPath } from './source-graph.ts';

const WEB = join(ROOT, 'web');

/** The modules of src/ web/src may import (paths under src/). What they import comes along; see below. */
const WEB_SHARED = new Set(['definition/parse.ts', 'definition/widget-specs.ts', 'definition/reply-timeout.ts', 'definition/types.ts', 'lib/phone-format.ts']);
/**
 * Packages the shared modules may import, each chosen for the browser too: jsonc-parser (VS Code's JSON
 * scanner, no dependencies, an ES module build) locates a broken flow file's error for the server and the
 * console's import alike.
 */
const BROWSER_PACKAGES = new Set(['jsonc-parser']);

function isUnder(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && !rel.startsWith('..');
}

interface WebImport {
  from: string;
  to: string;
}

/** Imports from web/src that leave web/, as paths relative to the repository. */
function importsLeavingWeb(): WebImport[] {
  const out: WebImport[] = [];
  for (const file of sourceFiles(join(WEB, 'src'), ['.ts', '.tsx'])) {
    for (const { specifier } of importsOf(moduleAt(file), relative(ROOT, file))) {
      const path = resolveRelative(file, specifier);
      if (path !== null && !isUnder(WEB, path)) out.push({ from: relative(ROOT, file), to: path });
    }
  }
  return out;
}

/** The shared modules and everything they import, type imports included (the web type-checks them too). */
function sharedClosure(): { files: string[]; packages: string[] } {
  const seen = new Set<string>();
  const packages: string[] = [];
  const queue = [...WEB_SHARED].map((path) => join(SRC, path));
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const { specifier } of importsOf(moduleAt(file), srcPath(file))) {
      const path = resolveRelative(file, specifier);
      if (path !== null) queue.push(path);
      else if (!BROWSER_PACKAGES.has(specifier)) packages.push(`${srcPath(file)} -> ${specifier}`);
    }
  }
  return { files: [...seen].map(srcPath).sort(), packages };
}

test('web/src imports from outside web/ only the shared modules of src/', () => {
  const leaving = importsLeavingWeb();
  // The console's .tsx files are read too (the parser takes them as TSX).
  assert.ok(leaving.some(({ from }) => from.endsWith('.tsx')), 'expected the editor\'s .tsx files to import the widget specs');
  const offending = leaving
    .filter(({ to }) => !(isUnder(SRC, to) && WEB_SHARED.has(srcPath(to))))
    .map(({ from, to }) => `${from} -> ${relative(ROOT, to)}`);
  assert.deepEqual(offending, [], 'share a module with the console by adding it to WEB_SHARED, if its closure imports no package');
});

test('the modules the console shares import no package (but the browser ones chosen) and no Node built-in, directly or through what they import', () => {
  const { files, packages } = sharedClosure();
  assert.ok(files.length > WEB_SHARED.size, 'the closure follows the shared modules\' own imports');
  assert.ok(files.every((file) => !file.startsWith('..')), `the closure stays inside src/: ${files.join(', ')}`);
  assert.deepEqual(packages, []);
});
