// `switchboard test` runs flows under the step size limit as `serve` configures it (--max-step-bytes,
// SWITCHBOARD_MAX_STEP_BYTES, the config file), as it does the context's (--max-context-bytes).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engineRules, testCommand } from '../../src/cli/test.ts';
import { simulationOptionsFrom } from '../../src/flowtest/simulation.ts';
import { runCliInProcess } from '../support/cli-in-process.ts';
import { growingStepsFlow } from '../support/growing-steps-flow.ts';

describe('flow tests under the step size limit', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-step-bytes-'));
    writeFileSync(join(dir, 'grow.json'), JSON.stringify(growingStepsFlow(20)));
    const end = (limit: number) => ({ error: 84003, message: `/over their limit of ${limit} bytes/` });
    const test = (name: string, limit: number) => ({ name, trigger: { request: { parameters: { pad: 'x'.repeat(16_000) } } }, expect: { end: end(limit) } });
    writeFileSync(join(dir, 'small.test.json'), JSON.stringify({ flow: 'grow.json', tests: [test('ends at 1 MiB of steps', 1_048_576)] }));
    writeFileSync(join(dir, 'default.test.json'), JSON.stringify({ flow: 'grow.json', tests: [test('ends at 50 MiB of steps', 52_428_800)] }));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--max-step-bytes reaches the engine', async () => {
    const run = await runCliInProcess(testCommand, ['--max-step-bytes', '1048576', 'small.test.json'], dir);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const without = await runCliInProcess(testCommand, ['small.test.json'], dir);
    assert.equal(without.code, 1, 'without the flag the default applies: the expected message differs');
  });

  it('the default (50 MiB) applies without it', async () => {
    const run = await runCliInProcess(testCommand, ['default.test.json'], dir);
    assert.equal(run.code, 0, run.stdout + run.stderr);
  });

  it('SWITCHBOARD_MAX_STEP_BYTES reaches the simulation options', () => {
    assert.equal(simulationOptionsFrom(engineRules({} as never, { SWITCHBOARD_MAX_STEP_BYTES: '1048576' })).limits?.maxStepBytes, 1_048_576);
    assert.equal(simulationOptionsFrom(engineRules({} as never, {})).limits?.maxStepBytes, 52_428_800);
  });
});
