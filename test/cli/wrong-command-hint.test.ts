// A voice flow given to `simulate`, or a texting flow given to `call`: besides saying why nothing ran, the
// command names the one that runs it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const voiceFlow = fileURLToPath(new URL('./fixtures/call-menu.json', import.meta.url));
const textFlow = fileURLToPath(new URL('./fixtures/simulate-reply-timeout.json', import.meta.url));

function run(args: string[], input: string) {
  const dir = mkdtempSync(join(tmpdir(), 'sb-wrong-command-'));
  try {
    const env = { ...process.env, SWITCHBOARD_DATA_DIR: dir, TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '' };
    return spawnSync(process.execPath, [main, ...args], { input, encoding: 'utf8', env, timeout: 60_000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('a flow given to the command for the other channel', () => {
  it('simulate on a flow that takes only calls names switchboard call', () => {
    const result = run(['simulate', voiceFlow], 'hi\n');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /does not handle incoming messages.*\n {4}\(it takes calls: switchboard call .*call-menu\.json runs it\)\n/);
    // A flow that takes texts gets no such line.
    assert.doesNotMatch(run(['simulate', textFlow], 'hi\n').stdout, /it takes calls/);
  });

  it('call on a flow that takes only texts names switchboard simulate', () => {
    const result = run(['call', textFlow], '');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /does not handle incoming calls.*\n {4}\(it takes texts: switchboard simulate .*simulate-reply-timeout\.json runs it\)\n/);
    assert.doesNotMatch(run(['call', voiceFlow], '').stdout, /it takes texts/);
  });
});
