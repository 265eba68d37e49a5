// The benchmark harness in its smallest mode: every scenario but Prism's (a slow external start)
// runs end to end and produces a well-formed result file and table. No timing is asserted here:
// speed targets live in the benchmark's own report, never in the test suite.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBench } from '../../bench/run.ts';
import { renderTable, type RunResult } from '../../bench/lib/report.ts';

describe('benchmark harness (smoke mode)', () => {
  it('runs scenarios 1, 3, 4 and 5 and writes a well-formed JSON result', { timeout: 300_000 }, async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'sb-bench-'));
    try {
      const { result, file } = await runBench({ mode: 'smoke', only: [1, 3, 4, 5], outDir, log: () => undefined });
      const written = JSON.parse(readFileSync(file, 'utf8')) as RunResult;
      assert.deepEqual(written, JSON.parse(JSON.stringify(result)));
      assert.equal(written.mode, 'smoke');
      assert.ok(written.machine.cpus > 0 && written.machine.node.startsWith('v'));
      assert.deepEqual(written.scenarios.map((s) => s.id), [1, 3, 4, 5]);
      const table = renderTable(written);
      for (const scenario of written.scenarios) {
        assert.equal(scenario.status, 'ok', scenario.status === 'skipped' ? `${scenario.id}: ${scenario.reason}\n${scenario.notes.join('\n')}` : '');
        if (scenario.status !== 'ok') continue;
        assert.match(scenario.scaled ?? '', /^SMOKE/, 'a scaled-down run says so');
        assert.ok(scenario.figures.length > 0);
        for (const f of scenario.figures) {
          assert.ok(Number.isFinite(f.value), `${f.name} is a number`);
          assert.ok(f.unit.length > 0);
          if (f.baseline) assert.equal(f.ratio, f.value / f.baseline.value, `${f.name}: ratio is value / baseline`);
          if (f.target) assert.equal(typeof f.met, 'boolean', `${f.name}: a target is judged`);
          assert.ok(table.includes(`| ${scenario.id} | ${f.name} |`), `${f.name} is in the table`);
        }
      }
      // Correctness figures hold even in the smallest run: nothing lost, nothing dropped.
      const figures = Object.fromEntries(written.scenarios.flatMap((s) => (s.status === 'ok' ? s.figures.map((f) => [f.name, f]) : [])));
      assert.equal(figures['201s found in the database after SIGKILL']?.met, true, 'every 201 survives SIGKILL');
      assert.equal(figures['messages without a reply (dropped)']?.value, 0);
      assert.equal(figures['timeouts not fired']?.value, 0);
      // Scenario 1 says where a create's time goes: the HTTP stack alone and the runtime alone, both measured.
      assert.ok(figures['where the time goes: Switchboard /healthz throughput (HTTP stack, no store)']!.value > 0);
      assert.ok(figures['where the time goes: runtime creates without HTTP (in-process)']!.value > 0);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});
