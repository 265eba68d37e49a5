// The CLI as a user runs it: simulate a flow file in the terminal, create accounts and keys.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const fixture = fileURLToPath(new URL('../fixtures/flows/survey.json', import.meta.url));

function run(args: string[], input = '', dataDir?: string) {
  // The data directory's store, whatever the environment says (a CI DATABASE_URL would point it at a shared database).
  const env = { ...process.env, SWITCHBOARD_DATA_DIR: dataDir ?? join(tmpdir(), 'unused'), TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '', DATABASE_URL: '' };
  return spawnSync(process.execPath, [main, ...args], { input, encoding: 'utf8', env, timeout: 60_000 });
}

describe('switchboard CLI', () => {
  it('simulate: chats with a flow file, printing messages and steps', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-cli-'));
    try {
      const result = run(['simulate', fixture, '--from', '+15550001111'], 'hi\n1\n\n', dir);
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /← Rate us 1-5/);
      assert.match(result.stdout, /← Sorry about the 1\./);
      assert.match(result.stdout, /check —match→ sorry/);
      assert.match(result.stdout, /ended\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('accounts create and keys create print usable credentials; bad input is a clear error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-cli-'));
    try {
      const account = run(['accounts', 'create', '--friendly-name', 'CI'], '', dir);
      assert.equal(account.status, 0, account.stderr);
      const sid = /Account SID: (AC[0-9a-f]{32})/.exec(account.stdout)?.[1];
      assert.ok(sid, account.stdout);
      const key = run(['keys', 'create', '--account', sid], '', dir);
      assert.equal(key.status, 0, key.stderr);
      assert.match(key.stdout, /API key SID: SK[0-9a-f]{32}/);
      const listed = run(['accounts', 'list'], '', dir);
      assert.match(listed.stdout, new RegExp(sid));
      const bad = run(['keys', 'create', '--account', 'nope'], '', dir);
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /account SID/);
      const unknownFlag = run(['serve', '--bogus'], '', dir);
      assert.equal(unknownFlag.status, 2);
      assert.match(unknownFlag.stderr, /bogus/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
