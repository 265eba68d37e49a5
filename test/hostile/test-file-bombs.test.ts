// Hostile flow test files for `switchboard test`: a YAML alias bomb ("billion laughs") and YAML nested
// 100,000 deep. Each is one failed load with a clear reason (exit 1), never a crash, a hang or gigabytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testCommand } from '../../src/cli/test.ts';
import { runCliInProcess } from '../support/cli-in-process.ts';
import { triggerFlow } from '../support/flows.ts';

test('a YAML alias bomb and YAML nested 100,000 deep are refused with their reason', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'test-file-bombs-'));
  try {
    writeFileSync(join(dir, 'flow.json'), JSON.stringify(triggerFlow('f', 'incomingMessage', 'x', [])));
    // Ten anchors each naming the previous one nine times: 9^10 items once expanded.
    const laughs = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i < 10; i++) {
      const [name, previous] = [String.fromCharCode(97 + i), String.fromCharCode(96 + i)];
      laughs.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(', ')}]`);
    }
    const files = {
      'laughs.test.yaml': [laughs.join('\n'), 'flow: flow.json', 'tests: []'].join('\n'),
      'deep-list.test.yaml': `flow: flow.json\ntests: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`,
      'deep-map.test.yaml': `flow: flow.json\ntests: [${'{a: '.repeat(50_000)}1${'}'.repeat(50_000)}]\n`,
    };
    const expected: Record<string, RegExp> = {
      'laughs.test.yaml': /laughs\.test\.yaml: not valid YAML: Excessive alias count/,
      'deep-list.test.yaml': /deep-list\.test\.yaml: the test file is nested more than 100 levels deep/,
      'deep-map.test.yaml': /deep-map\.test\.yaml: the test file is nested more than 100 levels deep/,
    };
    for (const [name, text] of Object.entries(files)) {
      writeFileSync(join(dir, name), text);
      const run = await runCliInProcess(testCommand, [name], dir);
      assert.equal(run.code, 1, `${name}: ${run.stdout}${run.stderr}`);
      assert.match(run.stdout + run.stderr, expected[name]!, name);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
