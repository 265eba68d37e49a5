// Benchmark runs side by side (bench/lib/compare.ts): one row per figure, one column per run.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareRuns, readRun, runLabel } from '../../bench/lib/compare.ts';
import { figure, type RunResult, type ScenarioResult } from '../../bench/lib/report.ts';

function run(startedAt: string, scenarios: ScenarioResult[], serverFlags: Record<string, string> = {}): RunResult {
  return {
    startedAt,
    finishedAt: startedAt,
    mode: 'full',
    machine: { cpus: 2, cpuModel: 'test', memoryGb: 1, platform: 'linux', node: 'v24', loadAverage: [0, 0, 0] },
    serverFlags,
    scenarios,
  };
}

const throughput = (value: number, hello: number) =>
  figure('create-execution throughput', value, 'req/s', { baseline: { name: 'hello-world', value: hello }, target: { of: 'ratio', op: '>=', value: 0.3 } });

describe('bench --compare', () => {
  const before = run('2026-11-26T15:13:54.000Z', [
    { id: 1, title: 'one', status: 'ok', notes: [], figures: [throughput(4000, 40000), figure('dropped', 0, 'messages')] },
    { id: 6, title: 'six', status: 'skipped', reason: 'DATABASE_URL is not set', notes: [] },
  ]);
  const after = run(
    '2026-11-26T15:41:02.000Z',
    [{ id: 1, title: 'one', status: 'ok', notes: [], figures: [throughput(6000, 20000), figure('new figure', 5, 'ms')] }],
    { 'sqlite-writer': 'thread' },
  );
  const lines = compareRuns([
    { label: runLabel(before), result: before },
    { label: runLabel(after), result: after },
  ]).split('\n');

  it('labels each run by when it started, its mode and its non-default settings', () => {
    assert.equal(lines[0], '| # | figure | 2026-11-26 15:13 UTC full | 2026-11-26 15:41 UTC full sqlite-writer=thread | last ÷ first | target |');
  });

  it('puts each figure of every run in one row: value, ratio to its own baseline, a missed target marked, last over first', () => {
    assert.ok(lines.includes('| 1 | create-execution throughput | 4,000 req/s (0.10×) ✗ | 6,000 req/s (0.30×) | 1.50× | ratio >= 0.30 |'), lines.join('\n'));
  });

  it('leaves a cell empty where a run lacks the figure, and says which scenarios a run skipped', () => {
    assert.ok(lines.includes('| 1 | dropped | 0.0 messages |  |  |  |'), lines.join('\n'));
    assert.ok(lines.includes('| 1 | new figure |  | 5.00 ms |  |  |'), lines.join('\n'));
    assert.ok(lines.includes('2026-11-26 15:13 UTC full: scenario 6 skipped (DATABASE_URL is not set)'));
  });

  it('reads result files and refuses what is not one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-compare-'));
    try {
      writeFileSync(join(dir, 'run.json'), JSON.stringify(after));
      writeFileSync(join(dir, 'other.json'), '{"hello":"world"}');
      writeFileSync(join(dir, 'broken.json'), '{');
      assert.equal(readRun(join(dir, 'run.json')).label, '2026-11-26 15:41 UTC full sqlite-writer=thread');
      assert.throws(() => readRun(join(dir, 'other.json')), /other\.json: not a benchmark result/);
      assert.throws(() => readRun(join(dir, 'broken.json')), /broken\.json: not a benchmark result/);
      assert.throws(() => readRun(join(dir, 'missing.json')), /missing\.json: not a benchmark result/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
