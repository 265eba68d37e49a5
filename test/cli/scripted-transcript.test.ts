// `simulate` and `call` driven by a script piped to stdin: no terminal echoes the lines, so the transcript
// shows each one (`→ text` for simulate, after the `>` prompt for call); before, it showed the flow's side only.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const textFlow = fileURLToPath(new URL('./fixtures/simulate-reply-timeout.json', import.meta.url));
const callFlow = fileURLToPath(new URL('./fixtures/call-menu.json', import.meta.url));

function run(args: string[], input: string) {
  const dir = mkdtempSync(join(tmpdir(), 'sb-scripted-'));
  try {
    const env = { ...process.env, SWITCHBOARD_DATA_DIR: dir, TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '' };
    return spawnSync(process.execPath, [main, ...args], { input, encoding: 'utf8', env, timeout: 60_000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('a script piped to simulate or call shows in the transcript', () => {
  it('simulate: each text, marked →, before what it caused', () => {
    const result = run(['simulate', textFlow], 'hi\n4\n');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /\n {2}→ hi\n {2}← Rate us 1-5\?\n/);
    assert.match(result.stdout, /\n {2}→ 4\n {2}← Thanks for the 4\.\n/);
  });

  it('call: each line after the prompt it answers', () => {
    const result = run(['call', callFlow, '--no-timeouts'], 'sales\n2\n');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /\n> sales\n {2}← You said sales\. Press 2\.\n/);
    assert.match(result.stdout, /\n> 2\n {2}← Bye\.\n/);
  });
});
