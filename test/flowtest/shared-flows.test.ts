// Real third-party exports from ../shared/flows (read in place, never copied; skipped when the
// folder is absent): the hand-written test files in ./shared-flows cover more than ten of them, and
// every flow with a message trigger runs through the test runner with catch-all mocks, gets its
// expectations written by --update, and passes when run again (the runner is deterministic).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { discover, runFiles } from '../../src/flowtest/runner.ts';
import { textReport } from '../../src/flowtest/reporters.ts';
import { loadTestFile } from '../../src/flowtest/load.ts';

const sharedDir = fileURLToPath(new URL('../../../shared/flows/', import.meta.url));
const testsDir = fileURLToPath(new URL('./shared-flows/', import.meta.url));
const skip = existsSync(sharedDir) ? false : `../shared/flows is absent (${sharedDir})`;

function hasMessageTrigger(path: string): boolean {
  try {
    const definition = JSON.parse(readFileSync(path, 'utf8'));
    const trigger = definition.states?.find((s: { type: string }) => s.type === 'trigger');
    return Boolean(trigger?.transitions?.some((t: { event: string; next?: string }) => t.event === 'incomingMessage' && t.next));
  } catch {
    return false;
  }
}

describe('flow tests on real exported flows', { skip }, () => {
  it('the hand-written tests for at least ten real flows pass', () => {
    const files = discover([testsDir]);
    const flows = new Set(files.map((f) => loadTestFile(f).flow.path));
    assert.ok(flows.size >= 10, `tests cover ${flows.size} real flows`);
    const summary = runFiles(files);
    assert.equal(summary.failed, 0, textReport(summary));
    assert.ok(summary.passed >= 20, `${summary.passed} tests passed`);
  });

  it('every flow with a message trigger runs through the runner; --update records it and a second run passes', () => {
    const flows = readdirSync(sharedDir).filter((f) => f.endsWith('.json')).map((f) => join(sharedDir, f)).filter(hasMessageTrigger);
    assert.ok(flows.length >= 20, `${flows.length} message-triggered flows`);
    const dir = mkdtempSync(join(tmpdir(), 'sb-shared-'));
    try {
      const files = flows.map((flow, i) => {
        const file = join(dir, `flow-${i}.test.yaml`);
        writeFileSync(
          file,
          stringify({
            flow,
            mocks: { http: [{ url: '*', body: { ok: true } }], functions: [{ body: { ok: true } }] },
            tests: [
              { name: 'a greeting', trigger: { message: { body: 'hi' } } },
              { name: 'replies 1, 2, yes', trigger: { message: { body: 'hi' } }, script: [{ send: '1' }, { send: '2' }, { send: 'yes' }] },
              { name: 'silence for a day', trigger: { message: { body: 'hi' } }, script: [{ wait: '1d' }] },
            ],
          }),
        );
        return file;
      });
      const first = runFiles(files, { update: true });
      const invalid = first.results.filter((r) => r.name === '(load)');
      for (const r of invalid) assert.match(r.failures[0]!.message, /the flow definition is not valid/, 'a flow the runner refuses is refused for its validation errors');
      const ran = first.results.filter((r) => r.observation);
      assert.ok(ran.length >= 3 * (flows.length - invalid.length), 'every test of every valid flow ran');
      for (const r of ran) {
        assert.ok(r.observation!.steps.length >= 1, `${r.file} › ${r.name}: at least the trigger step`);
        // Effects this runner does not carry out, and subflows these catch-all mocks do not provide, are
        // reported by name, never silently dropped.
        for (const p of r.observation!.problems) assert.match(p, /cannot carry out a '[\w-]+' effect|^unmocked subflow from widget '[^']+': \S+/, `${r.file} › ${r.name}`);
      }
      const second = runFiles(files);
      // The same replies are sent to every flow, so some flows have ended before a reply arrives
      // (script[i] failures) and some use effects the runner reports (runner failures); every
      // expectation --update wrote must hold on the second run.
      const expectationFailures = second.results.flatMap((r) => r.failures.filter((f) => f.field !== 'runner' && f.field !== 'file' && !f.field.startsWith('script[')).map((f) => `${r.file} › ${r.name}: ${f.message}`));
      assert.deepEqual(expectationFailures, []);
      assert.ok(second.passed >= ran.length / 2, `${second.passed} of ${ran.length} passed outright on the second run`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
