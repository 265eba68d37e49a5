// `switchboard call` as a user runs it: a flow file, keys and a recording typed on stdin.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { callerRequest } from '../../src/cli/call.ts';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const flow = fileURLToPath(new URL('./fixtures/ivr-menu.json', import.meta.url));

function run(args: string[], input: string) {
  const dir = mkdtempSync(join(tmpdir(), 'sb-call-'));
  try {
    const env = { ...process.env, SWITCHBOARD_DATA_DIR: dir, TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '' };
    return spawnSync(process.execPath, [main, ...args], { input, encoding: 'utf8', env, timeout: 60_000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('switchboard call', () => {
  it('prints what the caller hears and the steps; keys, speech and a recording from stdin', () => {
    const result = run(['call', flow, '--from', '+15551230009'], 'what\n7\n');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /← Welcome to Acme, \+15551230009\./);
    assert.match(result.stdout, /route_speech —noMatch→ vm/, 'typed words are speech');
    assert.match(result.stdout, /← Thanks, we got 7 seconds\./);
    assert.match(result.stdout, /call completed; execution FN[0-9a-f]{32} ended/);
  });

  it('Ctrl-D hangs up: the execution ends with the call', () => {
    const result = run(['call', flow], '');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /caller hung up/);
    assert.match(result.stdout, /execution FN[0-9a-f]{32} ended/);
  });

  it('maps typed lines to caller actions', () => {
    assert.deepEqual(callerRequest('input', '12#'), { action: 'Digits', fields: { Digits: '12#' } });
    assert.deepEqual(callerRequest('input', 'talk to sales'), { action: 'Speech', fields: { SpeechResult: 'talk to sales' } });
    assert.deepEqual(callerRequest('input', ''), { action: 'Silence', fields: {} });
    assert.deepEqual(callerRequest('record', '0'), { action: 'Silence', fields: {} });
    assert.deepEqual(callerRequest('record', ''), { action: 'Recording', fields: { Duration: '5' } });
    assert.equal(callerRequest('record', 'abc'), null);
    assert.deepEqual(callerRequest('dial', 'busy'), { action: 'Dial', fields: { Status: 'busy' } });
  });
});
