// A test's flow file may be a Flow resource saved from GET /v2/Flows/FW… (the definition under
// `definition`), as `simulate` and the web import take it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFiles } from '../../src/flowtest/runner.ts';
import { textReport } from '../../src/flowtest/reporters.ts';

const pizza = JSON.parse(readFileSync(new URL('../../examples/flows/pizza-order.json', import.meta.url), 'utf8'));

describe('flow test on a Flow resource file', () => {
  it('runs the definition it holds', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-resource-'));
    try {
      writeFileSync(join(dir, 'pizza.json'), JSON.stringify({ sid: 'FW' + '1'.repeat(32), friendly_name: 'Pizza', revision: 4, definition: pizza }));
      writeFileSync(
        join(dir, 'pizza.test.yaml'),
        ['flow: pizza.json', 'tests:', '  - name: asks for the size', '    trigger: { message: { body: pizza } }', '    expect: { messages: ["Hi! What size pizza? Reply S, M or L."], end: waiting }', ''].join('\n'),
      );
      const summary = runFiles([join(dir, 'pizza.test.yaml')]);
      assert.equal(summary.failed, 0, textReport(summary));
      assert.equal(summary.passed, 1, textReport(summary));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
