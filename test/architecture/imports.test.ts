// The layering rules, checked on the import statements of src/**/*.ts: each layer depends only on
// earlier ones (lib, definition, engine, runtime, store|channels, api, flowtest, cli), and the HTTP
// layer's modules do not import each other in a cycle (a route importing server.ts, which imports
// every route, evaluates half-initialised modules). The imports come from a parse of each file (see
// source-graph.ts): static, relative and with their `.ts` extension, or dynamic with a literal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { importsOf, moduleAt, parseModule, resolveRelative, SRC, sourceFiles } from './source-graph.ts';

/**
 * Layer ranks by top-level directory. config/ is the configuration model (no Switchboard imports);
 * observability/ implements the runtime's observer port and twilio-proxy/ is a network gateway, both
 * adapters beside store/ and channels/.
 */
const RANKS: Record<string, number> = {
  lib: 0,
  config: 0,
  definition: 1,
  engine: 2,
  runtime: 3,
  store: 4,
  channels: 4,
  observability: 4,
  'twilio-proxy': 4,
  api: 5,
  flowtest: 6,
  cli: 7,
};

/**
 * Imports against the layering that predate this check, each with why it is tolerated; the test fails
 * when one disappears too, so the list only shrinks. POST .../Replay reuses the flow-test replayer
 * (which itself needs only lib, definition and engine); the cure is moving the replayer below api.
 */
const KNOWN_EXCEPTIONS = new Set(['api/routes/replay.ts -> flowtest/derive.ts', 'api/routes/replay.ts -> flowtest/replay.ts']);

/** The composition root: may import anything; only the CLI (the entry points) imports it. */
const ROOT_FILES = new Set(['app.ts', 'config.ts']);
/** Imported for its type alone by adapters that take the settings (a type import loads nothing). */
const TYPE_IMPORTABLE_ROOT = new Set(['config.ts']);

interface Import {
  from: string;
  to: string;
  typeOnly: boolean;
}

/** Relative path under src/ of the module a specifier names, or null for packages and node: modules. */
function target(file: string, specifier: string): string | null {
  const path = resolveRelative(file, specifier);
  return path === null ? null : relative(SRC, path);
}

let cached: Import[] | null = null;

function allImports(): Import[] {
  if (cached) return cached;
  const out: Import[] = [];
  for (const file of sourceFiles(SRC)) {
    const from = relative(SRC, file);
    for (const { specifier, typeOnly } of importsOf(moduleAt(file), from)) {
      const to = target(file, specifier);
      if (to !== null) out.push({ from, to, typeOnly });
    }
  }
  cached = out;
  return out;
}

function layerOf(path: string): string {
  return path.includes('/') ? path.slice(0, path.indexOf('/')) : path;
}

test('the import parser sees value, type-only, re-exported and dynamic imports', () => {
  const text = [
    "import { a } from './a.ts';",
    "import type { B } from './b.ts';",
    "import {\n  c,\n  type C,\n} from './c.ts';",
    "export { d } from './d.ts';",
    "export type { E } from './e.ts';",
    "import './f.ts';",
    "const g = await import('./g.ts');",
    "// import { h } from './h.ts';",
    "export * from './i.ts';",
    "type J = import('./j.ts').J;",
  ].join('\n');
  assert.deepEqual(importsOf(parseModule(text)), [
    { specifier: './a.ts', typeOnly: false },
    { specifier: './b.ts', typeOnly: true },
    { specifier: './c.ts', typeOnly: false },
    { specifier: './d.ts', typeOnly: false },
    { specifier: './e.ts', typeOnly: true },
    { specifier: './f.ts', typeOnly: false },
    { specifier: './g.ts', typeOnly: false },
    { specifier: './i.ts', typeOnly: false },
    { specifier: './j.ts', typeOnly: true },
  ]);
});

test('comments and strings neither hide an import nor make one up', () => {
  // A block-comment pattern run before the line comments took `/*` in a line comment as an opening
  // and dropped every import up to the next `*/` (here, the doc comment's).
  const text = [
    '// Comparisons (see src/store/* for how values are stored)',
    "import { SqliteStore } from '../store/sqlite/sqlite-store.ts';",
    '/** doc */',
    'export const x = 1;',
    "const s = \"import { y } from './y.ts'\";",
    "const t = `import('./t.ts')`;",
    "/* import { z } from './z.ts'; */",
  ].join('\n');
  assert.deepEqual(importsOf(parseModule(text)), [{ specifier: '../store/sqlite/sqlite-store.ts', typeOnly: false }]);
});

test('an import() of a computed specifier fails the checks: they could not follow it', () => {
  assert.throws(() => importsOf(parseModule('const m = await import(name);')), /computed specifier/);
});

test('every relative import the parser finds names a source file (the parser reads what Node loads)', () => {
  const missing = allImports().filter(({ to }) => !existsSync(join(SRC, to))).map(({ from, to }) => `${from} -> ${to}`);
  assert.deepEqual(missing, []);
});

test('every top-level entry of src/ has a layer or is the composition root', () => {
  const unknown = readdirSync(SRC).filter((name) => !(name in RANKS) && !ROOT_FILES.has(name));
  assert.deepEqual(unknown, [], 'classify the new top-level entries in RANKS or ROOT_FILES');
});

test('no layer imports a later layer', () => {
  const violations: string[] = [];
  const excepted = new Set<string>();
  for (const { from, to, typeOnly } of allImports()) {
    if (KNOWN_EXCEPTIONS.has(`${from} -> ${to}`)) {
      excepted.add(`${from} -> ${to}`);
      continue;
    }
    const fromLayer = layerOf(from);
    const toLayer = layerOf(to);
    if (ROOT_FILES.has(fromLayer)) continue;
    if (ROOT_FILES.has(toLayer)) {
      if (fromLayer !== 'cli' && !(typeOnly && TYPE_IMPORTABLE_ROOT.has(toLayer))) violations.push(`${from} -> ${to} (the composition root)`);
      continue;
    }
    const fromRank = RANKS[fromLayer];
    const toRank = RANKS[toLayer];
    assert.ok(fromRank !== undefined && toRank !== undefined, `unclassified: ${from} -> ${to}`);
    if (toRank > fromRank) violations.push(`${from} -> ${to}`);
  }
  assert.deepEqual(violations, []);
  assert.deepEqual([...KNOWN_EXCEPTIONS].filter((edge) => !excepted.has(edge)), [], 'fixed: drop it from KNOWN_EXCEPTIONS');
});

test('the HTTP layer neither implements the runtime\'s channel ports nor plugs them into the runtime', () => {
  // Ports are implemented in store/, channels/, observability/ and wired in the composition root; a
  // runtime that is built without the HTTP routes must still send messages and place calls.
  const ports = new Set(['runtime/ports/channel.ts', 'runtime/ports/voice.ts']);
  const offending = allImports().filter(({ from, to }) => layerOf(from) === 'api' && ports.has(to)).map(({ from, to }) => `${from} -> ${to}`);
  for (const file of sourceFiles(join(SRC, 'api'))) {
    if (/\.use(Voice|Channel)\(/.test(readFileSync(file, 'utf8'))) offending.push(`${relative(SRC, file)} plugs a channel into the runtime`);
  }
  assert.deepEqual(offending, []);
});

test('route modules are registered by the HTTP server, not imported as libraries by other layers', () => {
  // A constant or helper another layer needs belongs below the routes (src/channels/simulator holds
  // SIMULATOR_FLOW_ADDRESS for the CLI); the composition root registers the optional /metrics route.
  const offending = allImports()
    .filter(({ from, to }) => to.startsWith('api/routes/') && layerOf(from) !== 'api' && !ROOT_FILES.has(layerOf(from)))
    .map(({ from, to }) => `${from} -> ${to}`);
  assert.deepEqual(offending, []);
});

test('no value-import cycle within src/api', () => {
  const graph = new Map<string, Set<string>>();
  for (const { from, to, typeOnly } of allImports()) {
    if (typeOnly || layerOf(from) !== 'api' || layerOf(to) !== 'api') continue;
    if (!graph.has(from)) graph.set(from, new Set());
    graph.get(from)!.add(to);
  }
  // Depth-first search; a grey node reached again closes a cycle.
  const state = new Map<string, 'grey' | 'black'>();
  const cycles: string[] = [];
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'grey');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const seen = state.get(next);
      if (seen === 'grey') cycles.push([...stack.slice(stack.indexOf(next)), next].join(' -> '));
      else if (seen === undefined) visit(next);
    }
    stack.pop();
    state.set(node, 'black');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  assert.deepEqual(cycles, []);
});
