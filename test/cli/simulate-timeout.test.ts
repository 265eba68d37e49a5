// `switchboard simulate`: /timeout makes what waits for the contact's reply (a Send & Wait For Reply, an hour by
// default) time out now, so a flow's timeout branch can be tried without waiting it out. Typed, it used to go
// to the flow as a text.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const flow = fileURLToPath(new URL('./fixtures/simulate-reply-timeout.json', import.meta.url));

function simulate(input: string) {
  const dir = mkdtempSync(join(tmpdir(), 'sb-simulate-timeout-'));
  try {
    const env = { ...process.env, SWITCHBOARD_DATA_DIR: dir, TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '' };
    return spawnSync(process.execPath, [main, 'simulate', flow], { input, encoding: 'utf8', env, timeout: 60_000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('switchboard simulate: /timeout', () => {
  it("times out the wait for the contact's reply now: the widget leaves by timeout", () => {
    const result = simulate('hi\n/timeout\n');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /\/timeout times out a wait for your reply/, 'the first line says so');
    assert.match(result.stdout, /← Rate us 1-5\?/);
    assert.match(result.stdout, /· ask —timeout→ gave_up\n/);
    assert.match(result.stdout, /← No answer, no problem\./);
    assert.doesNotMatch(result.stdout, /incomingMessage→ thanks|Thanks for the/);
  });

  it('with nothing waiting for a reply it says so, and sends nothing', () => {
    const result = simulate('/timeout\nhi\n5\n/timeout\n');
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout.match(/\(nothing waits for your reply now\)/g)?.length, 2);
    assert.match(result.stdout, /← Thanks for the 5\./);
    assert.doesNotMatch(result.stdout, /Thanks for the \/timeout/);
  });
});

describe('switchboard simulate: quitting mid-conversation', () => {
  it('says where the flow was left waiting', () => {
    const result = simulate('hi\n');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /← Rate us 1-5\?\n(.*\n)* {4}\(quit with execution FN[0-9a-f]{32} waiting at ask\)\n$/);
    // An execution that ended says nothing more.
    assert.doesNotMatch(simulate('hi\n4\n').stdout, /quit with/);
  });
});
