// `accounts list` and `keys list` take --json, as flows list, executions list and config do: they refused
// it ("accounts does not take --json"), so a script had to split their columns. Never a token, callback
// secret or key hash; delete refuses --json rather than ignore it. accounts create, rotate-token,
// rotate-callback-secret and keys create took no --json, so a script had to cut the token or secret it
// must keep out of their text: now one JSON object each, the token or key secret in it once.
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
    // The API's date format, as create --json prints it: whole seconds, no milliseconds.
    assert.ok(listed.every((a) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(a.dateCreated)), run.stdout);
    assert.ok(!run.stdout.includes(one.authToken) && !run.stdout.includes(one.callbackSecret));
  });

  it("keys list --json: the table's columns, the account's only with --account, no secret or hash", async () => {
    const run = await inProcess(keysCommand, 'list', { account: one.sid });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), [{ sid: key.sid, accountSid: one.sid, dateCreated: new Date(key.dateCreated).toISOString().replace(/\.\d{3}Z$/, 'Z'), friendlyName: 'deploy' }]);
    assert.ok(!run.stdout.includes(secret) && !run.stdout.includes(key.secretHash));
    const none = await inProcess(keysCommand, 'list', { account: two.sid });
    assert.deepEqual(JSON.parse(none.stdout), []);
  });

  it('delete refuses --json (exit 2) rather than ignore it', async () => {
    const run = await inProcess(keysCommand, 'delete', {}, key.sid);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^switchboard keys delete: --json is an option of 'keys create' and 'keys list'\n/);
    const deleted = await inProcess(accountsCommand, 'delete', {}, two.sid);
    assert.equal(deleted.code, 2);
    assert.match(deleted.stderr, /^switchboard accounts delete: --json is an option of 'accounts create', 'list', 'rotate-token' and 'rotate-callback-secret'\n/);
  });

  it('through main.ts: --json reaches the command', () => {
    const created = spawnSync(process.execPath, [MAIN, 'accounts', 'create', '--friendly-name', 'CI', '--json', '--data-dir', dir], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: 60_000 });
    assert.equal(created.status, 0, created.stderr);
    assert.equal(JSON.parse(created.stdout).friendlyName, 'CI');
    const run = spawnSync(process.execPath, [MAIN, 'keys', 'list', '--json', '--data-dir', dir], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: 60_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout)[0].sid, key.sid);
  });
});

/** The number of times `secret` occurs in `text`. */
const occurrences = (text: string, secret: string) => text.split(secret).length - 1;
/** Twilio's date format: to the second, in UTC, no milliseconds. */
const API_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** Accounts and keys as `list --json` prints them, and the store's own copy of the accounts. */
async function listed(): Promise<{ accounts: string; keys: string; stored: { sid: string; authToken: string; callbackSecret: string }[] }> {
  const accounts = await inProcess(accountsCommand, 'list');
  const keys = await inProcess(keysCommand, 'list');
  assert.equal(accounts.code + keys.code, 0, accounts.stderr + keys.stderr);
  const reopened = new SqliteStore({ path: join(dir, 'switchboard.db') });
  try {
    return { accounts: accounts.stdout, keys: keys.stdout, stored: await reopened.listAccounts() };
  } finally {
    await reopened.close();
  }
}

async function authenticates(username: string, password: string): Promise<boolean> {
  const reopened = new SqliteStore({ path: join(dir, 'switchboard.db') });
  try {
    return (await new AccountService(reopened, Date.now).authenticate(username, password)) !== null;
  } finally {
    await reopened.close();
  }
}

describe('accounts create / rotate-token / rotate-callback-secret and keys create --json', () => {
  let created: { sid: string; friendlyName: string; dateCreated: string; authToken: string };

  it('accounts create --json: one object with the SID, name, creation date (as the API writes it) and the token once', async () => {
    const run = await inProcess(accountsCommand, 'create', { 'friendly-name': 'Scripted' });
    assert.equal(run.code, 0, run.stderr);
    created = JSON.parse(run.stdout);
    assert.deepEqual(Object.keys(created).sort(), ['authToken', 'dateCreated', 'friendlyName', 'sid']);
    assert.match(created.sid, /^AC[0-9a-f]{32}$/);
    assert.equal(created.friendlyName, 'Scripted');
    assert.match(created.dateCreated, API_DATE);
    assert.ok(Math.abs(Date.parse(created.dateCreated) - Date.now()) < 60_000);
    assert.equal(occurrences(run.stdout + run.stderr, created.authToken), 1);
    assert.ok(await authenticates(created.sid, created.authToken), 'the printed token is the account\'s');
    const { accounts, stored } = await listed();
    const account = stored.find((a) => a.sid === created.sid)!;
    assert.ok(!run.stdout.includes(account.callbackSecret), 'never the callback secret');
    assert.equal(occurrences(accounts, created.authToken), 0, 'list --json still shows no token');
    assert.equal(JSON.parse(accounts).find((a: { sid: string }) => a.sid === created.sid).friendlyName, 'Scripted');
  });

  it('accounts rotate-token --json (its SID in upper-case hex): the new token once, the old one refused; list --json shows neither', async () => {
    const run = await inProcess(accountsCommand, 'rotate-token', {}, 'AC' + created.sid.slice(2).toUpperCase());
    assert.equal(run.code, 0, run.stderr);
    const rotated = JSON.parse(run.stdout) as Record<string, string>;
    assert.deepEqual(Object.keys(rotated).sort(), ['authToken', 'dateCreated', 'friendlyName', 'sid']);
    assert.deepEqual({ ...rotated, authToken: undefined }, { ...created, authToken: undefined });
    assert.notEqual(rotated.authToken, created.authToken);
    assert.equal(occurrences(run.stdout + run.stderr, rotated.authToken!), 1);
    assert.ok(await authenticates(created.sid, rotated.authToken!));
    assert.ok(!(await authenticates(created.sid, created.authToken)));
    const { accounts } = await listed();
    assert.equal(occurrences(accounts, rotated.authToken!) + occurrences(accounts, created.authToken), 0);
  });

  it('accounts rotate-callback-secret --json: until when the old secret is accepted (null with --grace 0), never the secret', async () => {
    const before = (await listed()).stored.find((a) => a.sid === created.sid)!.callbackSecret;
    const run = await inProcess(accountsCommand, 'rotate-callback-secret', { grace: '2h' }, created.sid);
    assert.equal(run.code, 0, run.stderr);
    const rotated = JSON.parse(run.stdout) as Record<string, string | null>;
    assert.deepEqual(Object.keys(rotated).sort(), ['dateCreated', 'friendlyName', 'previousSecretAcceptedUntil', 'sid']);
    assert.equal(rotated.sid, created.sid);
    assert.match(rotated.previousSecretAcceptedUntil!, API_DATE);
    assert.ok(Math.abs(Date.parse(rotated.previousSecretAcceptedUntil!) - (Date.now() + 2 * 3_600_000)) < 60_000);
    const after = (await listed()).stored.find((a) => a.sid === created.sid)!.callbackSecret;
    assert.notEqual(after, before);
    assert.ok(!run.stdout.includes(after) && !run.stdout.includes(before), 'neither secret is shown');
    const now = await inProcess(accountsCommand, 'rotate-callback-secret', { grace: '0' }, created.sid);
    assert.equal(now.code, 0, now.stderr);
    assert.equal(JSON.parse(now.stdout).previousSecretAcceptedUntil, null);
  });

  it('keys create --json: the listed columns and the secret once; keys list --json never shows it', async () => {
    const run = await inProcess(keysCommand, 'create', { account: created.sid, 'friendly-name': 'ci-deploy' });
    assert.equal(run.code, 0, run.stderr);
    const made = JSON.parse(run.stdout) as Record<string, string>;
    assert.deepEqual(Object.keys(made).sort(), ['accountSid', 'dateCreated', 'friendlyName', 'secret', 'sid']);
    assert.match(made.sid!, /^SK[0-9a-f]{32}$/);
    assert.equal(made.accountSid, created.sid);
    assert.equal(made.friendlyName, 'ci-deploy');
    assert.match(made.dateCreated!, API_DATE);
    assert.equal(occurrences(run.stdout + run.stderr, made.secret!), 1);
    assert.ok(await authenticates(made.sid!, made.secret!), 'the printed secret is the key\'s');
    const { keys } = await listed();
    assert.equal(occurrences(keys, made.secret!), 0, 'list --json still shows no secret');
    assert.equal(JSON.parse(keys).find((k: { sid: string }) => k.sid === made.sid).friendlyName, 'ci-deploy');
  });

  it('a refusal with --json is the same message on stderr and nothing on stdout', async () => {
    const missing = 'AC' + 'f'.repeat(32);
    for (const [command, sub, extra, target] of [
      [accountsCommand, 'rotate-token', {}, missing],
      [accountsCommand, 'rotate-callback-secret', {}, missing],
      [keysCommand, 'create', { account: missing }, undefined],
    ] as const) {
      const run = await inProcess(command, sub, extra, target);
      assert.equal(run.code, 1, sub);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, new RegExp(`^switchboard (accounts|keys) ${sub}: account ${missing} does not exist\\n$`));
    }
  });
});
