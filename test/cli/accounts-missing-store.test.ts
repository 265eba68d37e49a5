// accounts and keys in a --data-dir that holds no store (a mistyped one): as carrier and simulate do, they
// say where they looked and exit 1, leaving no new, empty database behind (src/cli/cli-store.ts); only
// `accounts create` makes a store, the first account of a new install. They listed nothing (exit 0) or
// said the account does not exist, and left an empty switchboard.db in the mistyped directory.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accountsCommand, keysCommand } from '../../src/cli/accounts.ts';
import { runCliInProcess } from '../support/cli-in-process.ts';

const root = mkdtempSync(join(tmpdir(), 'sb-accounts-missing-'));
after(() => rmSync(root, { recursive: true, force: true }));
const AC = 'AC' + '0'.repeat(32);
const SK = 'SK' + '0'.repeat(32);

describe('accounts and keys with no store in --data-dir', () => {
  for (const [name, command, sub, extra, target] of [
    ['accounts list', accountsCommand, 'list', {}, undefined],
    ['accounts list --json', accountsCommand, 'list', { json: true }, undefined],
    ['accounts rotate-token', accountsCommand, 'rotate-token', {}, AC],
    ['accounts rotate-callback-secret', accountsCommand, 'rotate-callback-secret', {}, AC],
    ['accounts delete', accountsCommand, 'delete', {}, AC],
    ['keys list', keysCommand, 'list', {}, undefined],
    ['keys create', keysCommand, 'create', { account: AC }, undefined],
    ['keys delete', keysCommand, 'delete', {}, SK],
  ] as const) {
    it(`${name}: exit 1 naming the directory, nothing created`, async () => {
      const dataDir = join(root, name.replaceAll(' ', '-'), 'mistyped');
      const run = await runCliInProcess(() => command(sub, { 'data-dir': dataDir, ...extra }, target), [], root);
      assert.equal(run.code, 1, run.stderr);
      assert.equal(run.stderr, `switchboard ${name.replace(' --json', '')}: there is no Switchboard store in ${dataDir} (--data-dir, SWITCHBOARD_DATA_DIR or dataDir in the config file)\n`);
      assert.equal(run.stdout, '');
      assert.equal(existsSync(join(dataDir, 'switchboard.db')), false, 'no empty store left behind');
    });
  }

  it('accounts create makes the store: the first account of a new install', async () => {
    const dataDir = join(root, 'new-install');
    const run = await runCliInProcess(() => accountsCommand('create', { 'data-dir': dataDir }), [], root);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(existsSync(join(dataDir, 'switchboard.db')));
  });
});
