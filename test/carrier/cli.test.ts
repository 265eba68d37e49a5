// `switchboard carrier show|set|reset` against a data directory: validation names the flag,
// secrets are never printed, and the running server would read what the command wrote.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { serverEnv } from '../support/server-env.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { loadCarrierConfig } from '../../src/channels/twilio/carrier-config.ts';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
// The CI's DATABASE_URL (and any other configuration variable) must not move this CLI off the SQLite file it is given.
const run = (args: string[]) => spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', env: serverEnv() });

describe('switchboard carrier', () => {
  it('sets, shows and resets an account channel in the store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-carrier-cli-'));
    try {
      const created = run(['accounts', 'create', '--data-dir', dir]);
      assert.equal(created.status, 0, created.stderr);
      const account = /Account SID: (AC[0-9a-f]{32})/.exec(created.stdout)![1]!;
      const upstream = 'AC' + '1'.repeat(32);

      const missing = run(['carrier', 'set', '--account', account, '--data-dir', dir, '--channel', 'twilio', '--upstream-account-sid', upstream]);
      assert.equal(missing.status, 2);
      assert.match(missing.stderr, /--auth-token/);

      const set = run(['carrier', 'set', '--account', account, '--data-dir', dir, '--channel', 'twilio', '--upstream-account-sid', upstream, '--auth-token', 'sekrit-token', '--api-base-url', 'http://127.0.0.1:9/']);
      assert.equal(set.status, 0, set.stderr);
      assert.ok(!set.stdout.includes('sekrit-token'));
      const shown = JSON.parse(run(['carrier', 'show', '--account', account, '--data-dir', dir]).stdout);
      assert.equal(shown.channel, 'twilio');
      assert.equal(shown.api_base_url, 'http://127.0.0.1:9');

      // Without --channel, set updates the options given and keeps the channel and its credentials.
      const partial = run(['carrier', 'set', '--account', account, '--data-dir', dir, '--status-callback-base-url', 'https://hooks.example.com/']);
      assert.equal(partial.status, 0, partial.stderr);
      const updated = JSON.parse(partial.stdout);
      assert.equal(updated.channel, 'twilio');
      assert.equal(updated.upstream_account_sid, upstream);
      assert.equal(updated.api_base_url, 'http://127.0.0.1:9');
      assert.equal(updated.status_callback_base_url, 'https://hooks.example.com');
      const wrong = run(['carrier', 'set', '--account', account, '--data-dir', dir, '--webhook-url', 'https://gateway.example.com/']);
      assert.equal(wrong.status, 2);
      assert.match(wrong.stderr, /--webhook-url: WebhookUrl does not apply to the twilio channel/);

      const store = new SqliteStore({ path: join(dir, 'switchboard.db') });
      try {
        const config = await loadCarrierConfig(store, account);
        assert.equal(config.channel === 'twilio' && config.twilio.authToken, 'sekrit-token');
      } finally {
        await store.close();
      }

      assert.equal(run(['carrier', 'reset', '--account', account, '--data-dir', dir]).status, 0);
      assert.equal(JSON.parse(run(['carrier', 'show', '--account', account, '--data-dir', dir]).stdout).channel, 'simulator');
      const onSimulator = run(['carrier', 'set', '--account', account, '--data-dir', dir, '--upstream-account-sid', upstream, '--auth-token', 'x']);
      assert.equal(onSimulator.status, 2, 'no silent switch: the account stays on the simulator and says why');
      assert.match(onSimulator.stderr, /--upstream-account-sid: .*simulator/);
      // A webhook URL is kept exactly as given: the receiver validates the signature over it.
      const webhook = run(['carrier', 'set', '--account', account, '--data-dir', dir, '--channel', 'webhook', '--webhook-url', 'https://gateway.example.com/']);
      assert.equal(webhook.status, 0, webhook.stderr);
      assert.equal(JSON.parse(webhook.stdout).webhook_url, 'https://gateway.example.com/');
      assert.equal(run(['carrier', 'show', '--account', 'AC' + '2'.repeat(32), '--data-dir', dir]).status, 1, 'unknown account: not found, as in accounts and keys');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
