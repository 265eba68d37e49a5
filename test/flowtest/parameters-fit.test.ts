// A flow test started with a REST request whose Parameters the server would refuse at create (the context
// holds them twice: over half of --max-context-bytes is a 400) fails as the create would, naming the field,
// instead of running an execution the server never starts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testCommand } from '../../src/cli/test.ts';
import { runCliInProcess } from '../support/cli-in-process.ts';
import { triggerFlow } from '../support/flows.ts';

const FLOW = triggerFlow('echo', 'incomingRequest', 'vars', [
  { name: 'vars', type: 'set-variables', properties: { offset: { x: 0, y: 100 }, variables: [{ key: 'size', value: '{{flow.data.pad | size}}' }] }, transitions: [{ event: 'next' }] },
]);

describe('flow tests refuse Parameters the server would refuse', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-parameters-fit-'));
    writeFileSync(join(dir, 'echo.json'), JSON.stringify(FLOW));
    const test = (name: string, bytes: number) => ({ name, trigger: { request: { parameters: { pad: 'x'.repeat(bytes) } } }, expect: { end: 'completed' } });
    writeFileSync(join(dir, 'fit.test.json'), JSON.stringify({ flow: 'echo.json', tests: [test('fits', 40_000), test('too big', 60_000)] }));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('fails the test over half the context limit, with the server’s reason; runs the one under it', async () => {
    const run = await runCliInProcess(testCommand, ['--max-context-bytes', '100000', '--reporter', 'json', 'fit.test.json'], dir);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    const results = JSON.parse(run.stdout) as { tests: { name: string; status: string; failures: { field: string; message: string }[] }[] };
    const byName = new Map(results.tests.map((t) => [t.name, t]));
    assert.equal(byName.get('fits')?.status, 'passed', JSON.stringify(byName.get('fits')));
    const refused = byName.get('too big')!;
    assert.equal(refused.status, 'failed');
    assert.equal(refused.failures.length, 1, JSON.stringify(refused.failures));
    assert.equal(refused.failures[0]!.field, 'trigger.request.parameters');
    assert.match(refused.failures[0]!.message, /refuses to create this execution \(400\).*60010 bytes of JSON.*100000 bytes/);
  });

  it('the same Parameters run under the default limit (5 MiB)', async () => {
    const run = await runCliInProcess(testCommand, ['fit.test.json'], dir);
    assert.equal(run.code, 0, run.stdout + run.stderr);
  });
});
