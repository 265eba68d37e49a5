// A test file that still names a flow file renamed since (git mv, or moved by hand with the manifest updated by
// a push or pull) said only "flow file not found": it now says which file the flow went to and how that is
// known (the flows commands' rename and manifest checks), or the closest name beside it for a typo.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { syncedHash } from '../../src/cli/flows/manifest.ts';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

const flow = {
  description: 'Greeting',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage', next: 'hello' }, { event: 'incomingCall' }, { event: 'incomingRequest' }], properties: { offset: { x: 0, y: 0 } } },
    { name: 'hello', type: 'send-message', transitions: [{ event: 'sent' }, { event: 'failed' }], properties: { offset: { x: 0, y: 100 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'Hello' } },
  ],
};
const json = (value: unknown) => JSON.stringify(value, null, 2) + '\n';

/** A project: flows/ holding `files`, tests/t.test.yaml naming `named` (relative to tests/). */
function project(files: Record<string, unknown>, named: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sb-moved-flow-'));
  mkdirSync(join(dir, 'flows'));
  mkdirSync(join(dir, 'tests'));
  for (const [name, value] of Object.entries(files)) writeFileSync(join(dir, 'flows', name), json(value));
  writeFileSync(join(dir, 'tests', 't.test.yaml'), `flow: ${named}\ntests:\n  - name: greets\n    trigger: { message: { body: hi } }\n    expect: { messages: [Hello] }\n`);
  return dir;
}

function git(dir: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'init.defaultBranch=main', '-C', dir, ...args], { stdio: 'ignore' });
}

function runTests(dir: string): string {
  const result = spawnSync(process.execPath, [main, 'test', 'tests'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  assert.equal(result.status, 1, result.stderr);
  return result.stdout;
}

describe('switchboard test: a flow file that is not there', () => {
  it('names the file git reports it renamed to (git mv, not committed yet)', () => {
    const dir = project({ 'a.json': flow }, '../flows/a.json');
    try {
      git(dir, 'init', '-q');
      git(dir, 'add', '.');
      git(dir, 'commit', '-qm', 'flows');
      git(dir, 'mv', 'flows/a.json', 'flows/b.json');
      assert.match(runTests(dir), /a\.json: flow file not found; did you mean \.\.\/flows\/b\.json\? \(git reports the rename\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the file the manifest tracks its flow under now (moved by hand, then pushed or pulled)', () => {
    const dir = project({ 'a.json': flow, 'flows.manifest.json': { flows: { 'a.json': { friendlyName: 'Greeting', sid: 'FW00000000000000000000000000000001' } } } }, '../flows/a.json');
    try {
      git(dir, 'init', '-q');
      git(dir, 'add', '.');
      git(dir, 'commit', '-qm', 'flows');
      // Moved by hand (git knows nothing of b.json) and edited; the push moved the manifest entry.
      renameSync(join(dir, 'flows', 'a.json'), join(dir, 'flows', 'b.json'));
      writeFileSync(join(dir, 'flows', 'b.json'), json({ ...flow, states: [flow.states[0], { ...flow.states[1], properties: { ...flow.states[1]!.properties, body: 'Hello there, and welcome' } }] }));
      writeFileSync(join(dir, 'flows', 'flows.manifest.json'), json({ flows: { 'b.json': { friendlyName: 'Greeting', sid: 'FW00000000000000000000000000000001' } } }));
      assert.match(runTests(dir), /a\.json: flow file not found; did you mean \.\.\/flows\/b\.json\? \(flows\.manifest\.json tracks its flow Greeting \(FW00000000000000000000000000000001\) under that name now\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('without git: the file holding the JSON last synced, or a Flow resource of the same SID', () => {
    const synced = project({ 'b.json': flow, 'flows.manifest.json': { flows: { 'a.json': { friendlyName: 'Greeting', sid: 'FW00000000000000000000000000000001', synced: syncedHash(flow) } } } }, '../flows/a.json');
    const resource = project(
      {
        'b.json': { sid: 'FW00000000000000000000000000000001', friendly_name: 'Greeting', definition: flow },
        'c.json': { sid: 'FW00000000000000000000000000000002', friendly_name: 'Other', definition: flow },
        'flows.manifest.json': { flows: { 'a.json': { friendlyName: 'Greeting', sid: 'FW00000000000000000000000000000001', synced: 'sha256:0' } } },
      },
      '../flows/a.json',
    );
    try {
      assert.match(runTests(synced), /a\.json: flow file not found; did you mean \.\.\/flows\/b\.json\? \(it holds the JSON a\.json held when last pulled or pushed\)/);
      assert.match(runTests(resource), /a\.json: flow file not found; did you mean \.\.\/flows\/b\.json\? \(it holds the same flow, FW00000000000000000000000000000001\)/);
    } finally {
      rmSync(synced, { recursive: true, force: true });
      rmSync(resource, { recursive: true, force: true });
    }
  });

  it('names the closest file beside it for a typo, and nothing when none is near', () => {
    const typo = project({ 'greeting.json': flow }, '../flows/greting.json');
    const none = project({ 'greeting.json': flow }, '../flows/nowhere-at-all.json');
    try {
      assert.match(runTests(typo), /greting\.json: flow file not found; did you mean \.\.\/flows\/greeting\.json\?$/m);
      const text = runTests(none);
      assert.match(text, /nowhere-at-all\.json: flow file not found$/m);
      assert.doesNotMatch(text, /did you mean/);
    } finally {
      rmSync(typo, { recursive: true, force: true });
      rmSync(none, { recursive: true, force: true });
    }
  });
});
