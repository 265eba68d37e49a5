// `accounts list` and `keys list` take --json, as flows list, executions list and config do: they refused
// it ("accounts does not take --json"), so a script had to split their columns. Never a token, callback
// secret or key hash; the other subcommands refuse --json rather than ignore it.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { accountsCommand, keysCommand } from '../../src/cli/accounts.ts';
import { AccountService } from '../../src/runtime/accounts.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { runCliInProcess } from '../support/cli-in-process.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sb-accounts-json-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const store = new SqliteStore({ path: join(dir, 'switchboard.db') });
const service = new AccountService(store, Date.now);
const one = await service.create('one');
const two = await service.create('two');
const { key, secret } = await service.createKey(one.sid, 'deploy');
await store.close();

const flags = { 'data-dir': dir, json: true };
const inProcess = (command: typeof accountsCommand, sub: string, extra: Record<string, string> = {}, target?: string) =>
  runCliInProcess(() => command(sub, { ...flags, ...extra }, target), [], dir);

describe('accounts list --json, keys list --json', () => {
  it('accounts list --json: every account with its name and creation date, no secret', async () => {
    const run = await inProcess(accountsCommand, 'list');
    assert.equal(run.code, 0, run.stderr);
    const listed = JSON.parse(run.stdout) as { sid: string; friendlyName: string; dateCreated: string }[];
    assert.deepEqual(listed.map((a) => [a.sid, a.friendlyName]).sort(), [[one.sid, 'one'], [two.sid, 'two']].sort());
    assert.deepEqual(Object.keys(listed[0]!).sort(), ['dateCreated', 'friendlyName', 'sid']);
    assert.ok(listed.every((a) => !Number.isNaN(Date.parse(a.dateCreated))));
    assert.ok(!run.stdout.includes(one.authToken) && !run.stdout.includes(one.callbackSecret));
  });

  it("keys list --json: the table's columns, the account's only with --account, no secret or hash", async () => {
    const run = await inProcess(keysCommand, 'list', { account: one.sid });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), [{ sid: key.sid, accountSid: one.sid, dateCreated: new Date(key.dateCreated).toISOString(), friendlyName: 'deploy' }]);
    assert.ok(!run.stdout.includes(secret) && !run.stdout.includes(key.secretHash));
    const none = await inProcess(keysCommand, 'list', { account: two.sid });
    assert.deepEqual(JSON.parse(none.stdout), []);
  });

  it('another subcommand refuses --json (exit 2) rather than ignore it', async () => {
    const run = await inProcess(keysCommand, 'delete', {}, key.sid);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^switchboard keys delete: --json is an option of 'keys list'\n/);
    const rotate = await inProcess(accountsCommand, 'rotate-token', {}, two.sid);
    assert.equal(rotate.code, 2);
    assert.match(rotate.stderr, /^switchboard accounts rotate-token: --json is an option of 'accounts list'\n/);
  });

  it('through main.ts: --json reaches the command', () => {
    const run = spawnSync(process.execPath, [MAIN, 'keys', 'list', '--json', '--data-dir', dir], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: 60_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout)[0].sid, key.sid);
  });
});
