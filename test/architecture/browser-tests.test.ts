// The console's CSP (script-src 'self') forbids eval, and Playwright's waitForFunction polls a string
// predicate with eval inside the page: such a test type-checks, skips where there is no Chromium and fails
// where there is (CI). page.evaluate('…') is fine: the DevTools protocol runs it, which the CSP does not
// govern. `until` in test/web/browser.ts polls from the test instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, relative } from 'node:path';
import { lineAt, moduleAt, parseModule, ROOT, sourceFiles, walk, type AstNode } from './source-graph.ts';


function stringEvaluations(program: AstNode): { method: string; start: number }[] {
  const found: { method: string; start: number }[] = [];
  walk(program, (node) => {
    if (node.type !== 'CallExpression') return;
    const callee = node.callee as AstNode;
    if (callee.type !== 'MemberExpression') return;
    const property = callee.property as AstNode;
    const method = property.type === 'Identifier' ? (property.name as string) : null;
    if (method !== 'waitForFunction') return;
    const predicate = (node.arguments as AstNode[])[0];
    if (predicate !== undefined && (predicate.type === 'Literal' || predicate.type === 'TemplateLiteral')) found.push({ method, start: node.start as number });
  });
  return found;
}

test("browser tests never give waitForFunction a string, which the console's CSP forbids", () => {
  const offenders: string[] = [];
  for (const file of sourceFiles(join(ROOT, 'test'), ['.ts'])) {
    for (const { method, start } of stringEvaluations(moduleAt(file))) offenders.push(`${relative(ROOT, file)}:${lineAt(file, start)} ${method}(string)`);
  }
  assert.deepEqual(offenders, []);
});

test('the check finds a string predicate and a template one, and passes functions and page.evaluate strings', () => {
  const program = parseModule(
    [
      "await page.waitForFunction('document.title === \"x\"');",
      'await page.waitForFunction(`document.querySelectorAll("tr").length === ${n}`);',
      "await page.evaluate('document.title');",
      'await page.waitForFunction((n) => n > 1, 2);',
      "await page.evaluate(() => 1);",
    ].join('\n'),
  );
  assert.deepEqual(stringEvaluations(program).map((f) => f.method), ['waitForFunction', 'waitForFunction']);
});
