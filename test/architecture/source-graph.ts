// The architecture checks read the sources through a real parser (oxc, through rolldown's parseAst:
// rolldown is vite's bundler; TypeScript 7's package has no in-process parser), so a comment or a
// string can neither hide an import nor fake one. Patterns on the text could: a line comment holding
// `/*` (`// see src/store/* for ...`) made a block-comment pattern swallow the imports after it.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAst } from 'rolldown/parseAst';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SRC = join(ROOT, 'src');

/** An ESTree node (with TypeScript's nodes); the checks look at a few fields by name. */
export interface AstNode {
  type: string;
  start: number;
  end: number;
  [field: string]: unknown;
}

export interface ModuleImport {
  specifier: string;
  /** `import type`, `export type ... from` and `import('x').T` in a type load nothing; `import { type X }` still loads the module. */
  typeOnly: boolean;
}

/** Parses TypeScript (TSX for .tsx files); throws on a syntax error, so a file the checks cannot read fails them. */
export function parseModule(text: string, fileName = 'module.ts'): AstNode {
  const lang = extname(fileName) === '.tsx' ? 'tsx' : 'ts';
  return parseAst(text, { lang, sourceType: 'module' }, fileName) as unknown as AstNode;
}

function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

/**
 * Visits every node depth-first in source order, with its parent and the field of the parent holding
 * it; a visit that returns false skips the node's children.
 */
export function walk(node: AstNode, visit: (node: AstNode, parent: AstNode | null, field: string | null) => boolean | void, parent: AstNode | null = null, field: string | null = null): void {
  if (visit(node, parent, field) === false) return;
  for (const [key, value] of Object.entries(node)) {
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item)) walk(item, visit, node, key);
    } else if (isNode(value)) {
      walk(value, visit, node, key);
    }
  }
}

/** The text of a string literal (or a template without substitutions), or null for anything computed. */
export function literalString(node: unknown): string | null {
  if (!isNode(node)) return null;
  if (node.type === 'Literal' && typeof node.value === 'string') return node.value;
  if (node.type === 'TemplateLiteral' && (node.expressions as unknown[]).length === 0) {
    return ((node.quasis as { value: { cooked: string } }[])[0]!).value.cooked;
  }
  return null;
}

/** Imports and re-exports, static or dynamic, in source order. */
export function importsOf(program: AstNode, fileName = 'module.ts'): ModuleImport[] {
  const found: ModuleImport[] = [];
  walk(program, (node) => {
    switch (node.type) {
      case 'ImportDeclaration':
        found.push({ specifier: literalString(node.source)!, typeOnly: node.importKind === 'type' });
        break;
      case 'ExportNamedDeclaration':
      case 'ExportAllDeclaration':
        if (node.source) found.push({ specifier: literalString(node.source)!, typeOnly: node.exportKind === 'type' });
        break;
      case 'TSImportType':
        found.push({ specifier: literalString(node.source)!, typeOnly: true });
        break;
      case 'ImportExpression': {
        const specifier = literalString(node.source);
        // A computed specifier could name any module: the checks cannot follow it.
        if (specifier === null) throw new Error(`${fileName}: import() of a computed specifier at offset ${node.start}`);
        found.push({ specifier, typeOnly: false });
        break;
      }
    }
  });
  return found;
}

export function sourceFiles(dir: string, extensions: readonly string[] = ['.ts']): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path, extensions);
    return extensions.includes(extname(entry.name)) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

const parsed = new Map<string, AstNode>();

/** The parsed module at an absolute path, parsed once per process. */
export function moduleAt(path: string): AstNode {
  let program = parsed.get(path);
  if (!program) {
    program = parseModule(readFileSync(path, 'utf8'), path);
    parsed.set(path, program);
  }
  return program;
}

/** Absolute path of the module a relative specifier names, or null for packages and built-ins. */
export function resolveRelative(file: string, specifier: string): string | null {
  return specifier.startsWith('.') ? resolve(dirname(file), specifier) : null;
}

/** Path relative to src/ (for messages and lists), e.g. `lib/lru.ts`. */
export function srcPath(path: string): string {
  return relative(SRC, path);
}

/** 1-based line of an offset in a file's text, for messages. */
export function lineAt(path: string, offset: number): number {
  return readFileSync(path, 'utf8').slice(0, offset).split('\n').length;
}
