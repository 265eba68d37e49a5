// serve's banner says where the configured account's auth token came from. It said "(from TWILIO_AUTH_TOKEN, not
// shown)" for a token set as `authToken` in switchboard.config.yaml too, sending a reader to look for a variable
// that was never set.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withServe } from '../support/serve-process.ts';

const SID = 'AC' + 'e'.repeat(32);
const ready = (out: string) => out.includes('Point twilio-node at it');

describe('serve: the auth token line names its source', () => {
  it("a token from the config file is named as the file's key; one from the environment as TWILIO_AUTH_TOKEN", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-token-origin-'));
    try {
      const config = join(dir, 'switchboard.config.yaml');
      writeFileSync(config, `accountSid: ${SID}\nauthToken: file-token-123\ndataDir: ${join(dir, 'data')}\nport: 0\n`);
      const fromFile = await withServe(['--config', config], {}, ready, ({ out }) => out);
      assert.match(fromFile, /^Auth token: \(from 'authToken' in .*switchboard\.config\.yaml, not shown\)$/m);
      assert.ok(!fromFile.includes('file-token-123'));
      const fromEnv = await withServe(['--data-dir', join(dir, 'data2'), '--port', '0'], { TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 'env-token-123' }, ready, ({ out }) => out);
      assert.match(fromEnv, /^Auth token: \(from TWILIO_AUTH_TOKEN, not shown\)$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
