// `switchboard simulate|call FILE --vars VARS`: a flow kept as a Terraform template runs with its deploy-time
// `${…}` placeholders filled in from VARS (JSON or YAML); --vars with a stored flow (FW…) or an unreadable file
// is bad usage (2).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnCli, type SpawnedRun } from '../support/cli-spawn.ts';

function run(args: string[], dataDir: string, input = 'hi\n\n'): Promise<SpawnedRun> {
  return spawnCli(args, dataDir, input, { NO_COLOR: '1' });
}

const flow = {
  description: 'templated greeting',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: 'greet' }, { event: 'incomingCall', next: 'speak' }], properties: { offset: { x: 0, y: 0 } } },
    { name: 'greet', type: 'send-message', transitions: [{ event: 'sent' }, { event: 'failed' }], properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: '${brand["name"]} says hello' } },
    { name: 'speak', type: 'say-play', transitions: [{ event: 'audioComplete' }], properties: { offset: { x: 300, y: 200 }, say: 'Welcome to ${brand.name}' } },
  ],
};

describe('simulate and call --vars', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-simulate-vars-'));
    writeFileSync(join(dir, 'flow.json'), JSON.stringify(flow));
    writeFileSync(join(dir, 'vars.yaml'), 'brand: { name: Acme }\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('simulate fills in the placeholders before the flow runs; without --vars they stay as written', async () => {
    const filled = await run(['simulate', join(dir, 'flow.json'), '--vars', join(dir, 'vars.yaml')], join(dir, 'data1'));
    assert.equal(filled.code, 0, filled.stderr);
    assert.match(filled.stdout, /Acme says hello/);
    const plain = await run(['simulate', join(dir, 'flow.json')], join(dir, 'data2'));
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /\$\{brand\["name"\]\} says hello/);
  });

  it('call too', async () => {
    const call = await run(['call', join(dir, 'flow.json'), '--vars', join(dir, 'vars.yaml')], join(dir, 'data3'), '/hangup\n');
    assert.equal(call.code, 0, call.stderr);
    assert.match(call.stdout, /Welcome to Acme/);
  });

  it('--vars with a stored flow, or a vars file that cannot be read, is bad usage', async () => {
    const stored = await run(['simulate', 'FW' + 'a'.repeat(32), '--vars', join(dir, 'vars.yaml')], join(dir, 'data4'));
    assert.equal(stored.code, 2);
    assert.match(stored.stderr, /--vars fills in a flow file's \$\{…\} placeholders; FWa+ is a stored flow/);
    const missing = await run(['simulate', join(dir, 'flow.json'), '--vars', join(dir, 'nope.yaml')], join(dir, 'data5'));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--vars .*nope\.yaml: no such file/);
  });
});
