// `switchboard carrier`'s refusals: each says which command refused and what to do, as the other
// commands' do. A mistyped option used to get Node's advice about positionals after '--', a malformed
// --account was called missing, a mistyped subcommand was reported only after --account was checked,
// the other messages had no 'switchboard carrier …:' prefix, and a mistyped --data-dir was given a new,
// empty database (where the account could never be) before being told the account did not exist.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { carrierCommand } from '../../src/cli/carrier.ts';
import { AccountService } from '../../src/runtime/accounts.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { runCliInProcess } from '../support/cli-in-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-carrier-messages-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const data = join(dir, 'data');
const store = new SqliteStore({ path: join(data, 'switchboard.db') });
const account = await new AccountService(store, Date.now).create('A');
await store.close();
const STORE = ['--data-dir', data];
const carrier = (...args: string[]) => runCliInProcess(carrierCommand, args, dir);

describe('carrier: refusals name the command and what to do', () => {
  it('a mistyped option names the closest one', async () => {
    const run = await carrier('show', '--acount', account.sid, ...STORE);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^switchboard: unknown option '--acount' \(did you mean --account\?\)/);
    assert.doesNotMatch(run.stderr, /positional argument/);
  });

  // As main.ts and executions/flows say them: one line, not followed by the 30 lines of carrier's usage.
  it('a bad option or a stray argument is one line', async () => {
    for (const args of [['show', '--acount', account.sid], ['show', 'extra', '--account', account.sid], ['reset', '--channel', 'twilio', '--account', account.sid], ['show', '--json=false', '--account', account.sid]]) {
      const run = await carrier(...args, ...STORE);
      assert.equal(run.code, 2, args.join(' '));
      assert.equal(run.stderr.split('\n').length, 2, run.stderr);
      assert.match(run.stderr, /^switchboard: /);
    }
  });

  it('a mistyped subcommand names the closest one, whatever else is missing', async () => {
    const run = await carrier('shwo');
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^switchboard carrier: unknown command 'shwo' \(did you mean 'show'\?\)/);
  });

  it('a malformed --account is called malformed, not missing', async () => {
    const run = await carrier('show', '--account', 'ACbad', ...STORE);
    assert.equal(run.code, 2);
    assert.equal(run.stderr, "switchboard carrier show: --account must be an account SID (AC followed by 32 hex characters), got 'ACbad'\n");
    const missing = await carrier('reset', ...STORE);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^switchboard carrier reset: --account AC… is required/);
  });

  // Exit codes as accounts and keys have them (their --help, the README): an account that is not there
  // is not found (1), not bad usage (2, which carrier used to say).
  it('an unknown account and a bad value are prefixed with the command', async () => {
    const unknown = await carrier('show', '--account', 'AC' + '0'.repeat(32), ...STORE);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^switchboard carrier show: account AC0{32} does not exist in this store \('switchboard accounts list' lists them\)\n$/);
    const bad = await carrier('set', '--account', account.sid, '--channel', 'webhook', '--webhook-url', 'notaurl', ...STORE);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^switchboard carrier set: --webhook-url: WebhookUrl must be an absolute http\(s\) URL, got 'notaurl'\n$/);
  });

  it('an upper-case SID names the same account', async () => {
    const run = await carrier('show', '--account', `AC${account.sid.slice(2).toUpperCase()}`, ...STORE);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).account_sid, account.sid);
  });

  it('a data directory without a store is named, and left without one', async () => {
    const nowhere = join(dir, 'typo');
    const run = await carrier('show', '--account', account.sid, '--data-dir', nowhere);
    assert.equal(run.code, 1, 'not found, as simulate FW… says of a store that is not there');
    assert.match(run.stderr, new RegExp(`^switchboard carrier show: there is no Switchboard store in ${nowhere.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(--data-dir`));
    assert.equal(existsSync(nowhere), false);
  });
});

// --json is every other command's switch for machine-readable output; carrier refused it ("unknown
// option") though show and set print JSON already. Each subcommand takes it: reset then says JSON too.
describe('carrier --json', () => {
  it('show and set print the same JSON with it; reset prints the configuration as JSON', async () => {
    const plain = await carrier('show', '--account', account.sid, ...STORE);
    assert.equal(plain.code, 0, plain.stderr);
    const json = await carrier('show', '--account', account.sid, '--json', ...STORE);
    assert.equal(json.code, 0, json.stderr);
    assert.equal(json.stdout, plain.stdout);
    const set = await carrier('set', '--account', account.sid, '--channel', 'webhook', '--webhook-url', 'https://gateway.example.com/', '--json', ...STORE);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(JSON.parse(set.stdout).webhook_url, 'https://gateway.example.com/');
    const reset = await carrier('reset', '--account', account.sid, '--json', ...STORE);
    assert.equal(reset.code, 0, reset.stderr);
    assert.deepEqual(JSON.parse(reset.stdout), JSON.parse(plain.stdout), 'back to the simulator, as show said before set');
    const words = await carrier('reset', '--account', account.sid, ...STORE);
    assert.equal(words.stdout, `${account.sid}: simulator\n`);
  });
});
