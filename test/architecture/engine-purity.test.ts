// The engine is pure: (state, event, now, ids) -> (state, effects, steps). It takes the time and the ids
// as inputs, so a replay or a flow test on a simulated clock computes what the run computed. This reads
// the code the engine loads (src/engine and, transitively, the modules it imports by value) and fails on
// anything that reads a clock, draws randomness, schedules work, does I/O or reaches the process: the
// checks look at the parsed code, so comments and strings do not count and a renamed call does not hide.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import { importsOf, lineAt, literalString, moduleAt, parseModule, resolveRelative, SRC, sourceFiles, srcPath, walk, type AstNode } from './source-graph.ts';

/**
 * Globals the engine must not touch, by name: wherever one is used as a value (called, passed, read
 * through `globalThis`), not as a property name or in a type.
 */
const FORBIDDEN_GLOBALS = new Map([
  ['process', 'the process (environment, exit, clock)'],
  ['setTimeout', 'schedules work'],
  ['setInterval', 'schedules work'],
  ['setImmediate', 'schedules work'],
  ['fetch', 'does I/O'],
  ['crypto', 'draws randomness'],
  ['randomUUID', 'draws randomness'],
  ['performance', 'reads a clock'],
]);
/** Members of otherwise allowed globals: `Date.now`, `Math.random`. */
const FORBIDDEN_MEMBERS = new Map([
  ['Date.now', 'reads the clock'],
  ['Math.random', 'draws randomness'],
]);
const GLOBAL_OBJECTS = new Set(['globalThis', 'global']);

/**
 * What the engine's modules do against the rules on purpose, `<file under src/>: <finding>`, each with
 * why it is tolerated; the test fails when one disappears too, so the list only shrinks.
 */
const KNOWN_EXCEPTIONS = new Map([
  [
    'lib/bounded-regex.ts: import node:v8',
    'turns on V8\'s linear-time RegExp engine when loaded (setFlagsFromString): a flag for the `l` RegExp flag, no I/O and nothing a result depends on',
  ],
  [
    'lib/bounded-regex.ts: setImmediate',
    'resets the regex work budget that matches share within one turn of the event loop when no sprint budget is given; a sprint passes its own, so a run\'s results do not depend on it',
  ],
]);

/** Fields of TypeScript nodes that hold a type: what is named there loads and runs nothing. */
const TYPE_FIELDS = new Set(['typeAnnotation', 'typeArguments', 'typeParameters', 'returnType', 'superTypeArguments']);
const TYPE_DECLARATIONS = new Set(['TSTypeAliasDeclaration', 'TSInterfaceDeclaration', 'TSDeclareFunction', 'TSModuleDeclaration']);
/** Nodes whose (non-computed) `key` is a name, not a value read. */
const KEYED = new Set(['Property', 'PropertyDefinition', 'MethodDefinition', 'AccessorProperty', 'TSPropertySignature', 'TSMethodSignature', 'TSAbstractPropertyDefinition', 'TSAbstractMethodDefinition']);

/** Is this Identifier a value the code reads (not a property name, a label, an imported name or a type's)? */
function isReference(parent: AstNode | null, field: string | null): boolean {
  if (parent === null || field === null) return true;
  if (parent.type === 'MemberExpression' && field === 'property') return parent.computed === true;
  if (KEYED.has(parent.type) && field === 'key') return parent.computed === true;
  if (parent.type === 'ImportSpecifier' || parent.type === 'ImportDefaultSpecifier' || parent.type === 'ImportNamespaceSpecifier') return false;
  if (parent.type === 'ExportSpecifier') return field === 'local';
  if (field === 'label') return false;
  return true;
}

/** `Date`, `globalThis.Date`, `global.Date` -> 'Date'; anything else -> null. */
function globalName(node: AstNode): string | null {
  if (node.type === 'Identifier') return node.name as string;
  if (node.type === 'MemberExpression') {
    const object = node.object as AstNode;
    if (object.type === 'Identifier' && GLOBAL_OBJECTS.has(object.name as string)) return memberProperty(node);
  }
  return null;
}

function memberProperty(node: AstNode): string | null {
  const property = node.property as AstNode;
  if (node.computed === true) return literalString(property);
  return property.type === 'Identifier' ? (property.name as string) : null;
}

interface Impurity {
  what: string;
  offset: number;
}

/** What a module does against the engine's purity, in source order. */
function impuritiesOf(program: AstNode): Impurity[] {
  const found: Impurity[] = [];
  for (const { specifier } of importsOf(program)) {
    // Built-ins only: the engine's packages (liquidjs) are vetted where they are used.
    if (isBuiltin(specifier)) found.push({ what: `import ${specifier.startsWith('node:') ? specifier : `node:${specifier}`}`, offset: 0 });
  }
  walk(program, (node, parent, field) => {
    if (field !== null && TYPE_FIELDS.has(field)) return false;
    if (TYPE_DECLARATIONS.has(node.type)) return false;
    if (node.type === 'ImportDeclaration' || node.type === 'ExportAllDeclaration') return false;
    if (node.type === 'Identifier' && FORBIDDEN_GLOBALS.has(node.name as string) && isReference(parent, field)) {
      found.push({ what: node.name as string, offset: node.start });
    } else if (node.type === 'MemberExpression') {
      const object = globalName(node.object as AstNode);
      const member = `${object}.${memberProperty(node)}`;
      if (FORBIDDEN_MEMBERS.has(member)) found.push({ what: member, offset: node.start });
      // `globalThis.fetch` (`fetch` itself is a property name there, so not seen as an Identifier).
      const viaGlobal = globalName(node);
      if (viaGlobal !== null && FORBIDDEN_GLOBALS.has(viaGlobal)) found.push({ what: viaGlobal, offset: node.start });
    } else if ((node.type === 'NewExpression' || node.type === 'CallExpression') && (node.arguments as unknown[]).length === 0) {
      // `new Date()` and `Date()` read the clock; `new Date(ms)` does not.
      if (globalName(node.callee as AstNode) === 'Date') found.push({ what: node.type === 'NewExpression' ? 'new Date()' : 'Date()', offset: node.start });
    }
  });
  return found.sort((a, b) => a.offset - b.offset);
}

/** src/engine and every module it loads, following value imports (a type import loads nothing). */
function engineClosure(): string[] {
  const seen = new Set<string>();
  const queue = sourceFiles(join(SRC, 'engine'));
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const { specifier, typeOnly } of importsOf(moduleAt(file), srcPath(file))) {
      const path = resolveRelative(file, specifier);
      if (path !== null && !typeOnly) queue.push(path);
    }
  }
  return [...seen].sort();
}

test('the purity scanner finds clocks, randomness, timers, I/O and the process, and not their names in comments, strings or types', () => {
  const text = [
    "import { randomUUID } from 'node:crypto';",
    "import { readFileSync } from 'fs';",
    "import type { Foo } from 'node:http';",
    '// Date.now() and Math.random() in a comment, setTimeout(f) too',
    "const s = 'Date.now() process.env fetch(url)';",
    'const t = `new Date() ${1}`;',
    'const a = Date.now();',
    'const b = Math.random();',
    'const c = new Date();',
    'const d = new Date(0);',
    'const e = Date(); ',
    'const f = process.env.X;',
    'setTimeout(() => {}, 1);',
    'const g = globalThis.setInterval;',
    "const h = globalThis['fetch'];",
    'const i = randomUUID();',
    'const j = { fetch: 1, process: 2 }.fetch;',
    'let k: ReturnType<typeof setTimeout>;',
    'const l = globalThis.Date.now();',
    "const m = Date['now']();",
    'const n = crypto.getRandomValues(new Uint8Array(1));',
    'const o = performance.now();',
  ].join('\n');
  assert.deepEqual(
    impuritiesOf(parseModule(text)).map(({ what }) => what),
    [
      'import node:crypto',
      'import node:fs',
      'import node:http',
      'Date.now',
      'Math.random',
      'new Date()',
      'Date()',
      'process',
      'setTimeout',
      'setInterval',
      'fetch',
      'randomUUID',
      'Date.now',
      'Date.now',
      'crypto',
      'performance',
    ],
  );
});

test('the engine and the modules it loads read no clock, draw no randomness, schedule nothing and do no I/O', () => {
  const files = engineClosure();
  // The closure reaches below src/engine (src/lib, src/definition): the check covers what runs.
  assert.ok(files.some((file) => srcPath(file).startsWith('lib/')), 'the closure should include src/lib modules the engine imports');
  const violations: string[] = [];
  const excepted = new Set<string>();
  for (const file of files) {
    for (const { what, offset } of impuritiesOf(moduleAt(file))) {
      const key = `${srcPath(file)}: ${what}`;
      if (KNOWN_EXCEPTIONS.has(key)) excepted.add(key);
      else violations.push(`${srcPath(file)}:${lineAt(file, offset)}: ${what} (${FORBIDDEN_GLOBALS.get(what) ?? FORBIDDEN_MEMBERS.get(what) ?? (what.startsWith('import') ? 'a Node built-in' : 'reads the clock')})`);
    }
  }
  assert.deepEqual(violations, [], 'the engine takes the time and ids as inputs (see src/engine/types.ts); pass them in');
  assert.deepEqual([...KNOWN_EXCEPTIONS.keys()].filter((key) => !excepted.has(key)), [], 'fixed: drop it from KNOWN_EXCEPTIONS');
});
