// `simulate` and `call`: a message or a Say of several lines keeps its later lines indented under its first
// (they started at the left margin, among the steps, where they read as something else).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { messageLine } from '../../src/cli/simulate-output.ts';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

function run(args: string[], input: string) {
  const dir = mkdtempSync(join(tmpdir(), 'sb-multiline-'));
  try {
    const env = { ...process.env, SWITCHBOARD_DATA_DIR: dir, TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '' };
    return spawnSync(process.execPath, [main, ...args], { input, encoding: 'utf8', env, timeout: 60_000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('lines of a multi-line message or Say', () => {
  it('simulate indents a message body’s later lines under its first', () => {
    const result = run(['simulate', fileURLToPath(new URL('./fixtures/simulate-reply-timeout.json', import.meta.url))], 'hi\n/timeout\n');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /\n {2}← No answer, no problem\.\n {4}Write again any time\.\n/);
    assert.equal(messageLine({ from: '+1500', to: '+1555', body: 'a\nb', mediaUrl: [] }, '+1555', '+1500'), '  ← a\n    b');
  });

  it('call indents a Say’s later lines under its first', () => {
    const result = run(['call', fileURLToPath(new URL('./fixtures/call-menu.json', import.meta.url)), '--no-timeouts'], '');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /\n {2}← Welcome\.\n {4}Say sales or support\.\n/);
  });
});
