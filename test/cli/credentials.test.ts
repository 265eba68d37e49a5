// Revoking credentials from the command line: `keys list`, `keys delete SK…`, `accounts rotate-token AC…`
// and `accounts delete AC…` on the store a running server uses. The server refuses the deleted key,
// the old token and the deleted account (401, 20003) once its read cache (1 s) has let go; the new token
// works. Usage errors exit 2, things not found or refused exit 1. The commands run in this process (a
// spawn costs seconds on a busy machine); two spawns check main.ts passes the SID and refuses extras.
// Their messages say 'switchboard keys delete: …' (the command and subcommand), as every other command's
// do; they said a bare 'switchboard: …'.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { accountsCommand, keysCommand } from '../../src/cli/accounts.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { runCliInProcess, type CliRun } from '../support/cli-in-process.ts';
import { basicAuth, startTestServer, type TestServer } from '../support/server.ts';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

describe('switchboard keys list/delete, accounts rotate-token/delete', () => {
  let dir = '';
  let t: TestServer;
  /**
   * `switchboard accounts|keys SUB [SID] [--account AC…] [--friendly-name NAME]` on the server's data
   * directory, as main.ts dispatches it; `env` is the command's environment (TWILIO_* cleared otherwise).
   */
  const run = async (args: string[], env: Record<string, string> = {}): Promise<CliRun & { status: number }> => {
    const [command, sub, ...rest] = args;
    const flags: Record<string, string> = { 'data-dir': dir };
    const positionals: string[] = [];
    for (let i = 0; i < rest.length; i++) {
      if (rest[i]!.startsWith('--')) flags[rest[i]!.slice(2)] = rest[++i]!;
      else positionals.push(rest[i]!);
    }
    assert.ok(positionals.length <= 1, 'main.ts refuses extra arguments (checked by a spawn below)');
    const result = await runCliInProcess(
      async () => {
        Object.assign(process.env, env);
        return (command === 'keys' ? keysCommand : accountsCommand)(sub, flags, positionals[0]);
      },
      [],
      dir,
    );
    return { ...result, status: result.code };
  };
  const created = async (args: string[]) => {
    const result = await run(args);
    assert.equal(result.status, 0, result.stderr);
    return result.stdout;
  };
  const spawned = (args: string[]) =>
    spawnSync(process.execPath, [main, ...args, '--data-dir', dir], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: 60_000 });
  /** The server's answer to these credentials on an authenticated route. */
  const status = async (username: string, password: string) => {
    const res = await t.app.server.inject({ method: 'GET', url: '/v2/Flows', headers: { authorization: basicAuth(username, password) } });
    if (res.statusCode === 401) assert.equal(res.json().code, 20003);
    return res.statusCode;
  };
  /** Waits out the server's read cache (1 s): the status it settles on. */
  const settles = async (username: string, password: string, expected: number) => {
    const deadline = Date.now() + 3000;
    let last = await status(username, password);
    while (last !== expected && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      last = await status(username, password);
    }
    return last;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-credentials-'));
    // A server on the SQLite file the commands open, with the default read cache (1 s).
    t = await startTestServer({ store: new SqliteStore({ path: join(dir, 'switchboard.db') }), config: { dataDir: dir, readCacheMs: 1000 } });
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keys list shows SIDs, accounts, dates and names (never a secret); keys delete revokes one: the server refuses it', async () => {
    const account = /Account SID: (AC\w+)\nAuth token:  (\w+)/.exec(await created(['accounts', 'create', '--friendly-name', 'ci']))!;
    const [sid, token] = [account[1]!, account[2]!];
    const make = async (name: string) => /API key SID: (SK\w+)\nSecret:\s+(\S+)/.exec(await created(['keys', 'create', '--account', sid, '--friendly-name', name]))!.slice(1) as [string, string];
    const [revoked, revokedSecret] = await make('deploy bot');
    const [kept, keptSecret] = await make('ci');
    assert.equal(await status(revoked, revokedSecret), 200);

    const listed = await created(['keys', 'list', '--account', sid]);
    assert.match(listed, new RegExp(`^${revoked}  ${sid}  \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z  deploy bot$`, 'm'));
    assert.match(listed, new RegExp(`^${kept}  ${sid}  .*  ci$`, 'm'));
    assert.equal(listed.trim().split('\n').length, 2, listed);
    assert.ok(!listed.includes(revokedSecret) && !listed.includes(keptSecret) && !listed.includes(token), 'no secret is listed');
    assert.match(await created(['keys', 'list']), new RegExp(revoked), 'every key without --account');
    // --account as every command reads a SID (src/cli/sid-argument.ts): an upper-case copy names the same
    // account, as in accounts and carrier (keys listed none of its keys, and create said it did not exist).
    const upper = `AC${sid.slice(2).toUpperCase()}`;
    assert.equal(await created(['keys', 'list', '--account', upper]), listed);
    const third = /API key SID: (SK\w+)/.exec(await created(['keys', 'create', '--account', upper, '--friendly-name', 'upper']))![1]!;
    assert.match(await created(['keys', 'list', '--account', sid]), new RegExp(`^${third}  ${sid}  .*  upper$`, 'm'));
    await created(['keys', 'delete', third]);
    assert.doesNotMatch(await created(['keys', 'list', '--account', t.account.sid]), new RegExp(revoked), "another account's list");

    const deleted = await run(['keys', 'delete', revoked]);
    assert.equal(deleted.status, 0, deleted.stderr);
    assert.equal(deleted.stdout, `Deleted API key ${revoked} (account ${sid}): it no longer authenticates.\n`);
    assert.equal(await settles(revoked, revokedSecret, 401), 401, 'the deleted key is refused');
    assert.equal(await status(kept, keptSecret), 200, 'the other key still works');
    assert.doesNotMatch(await created(['keys', 'list']), new RegExp(revoked));

    const again = await run(['keys', 'delete', revoked]);
    assert.equal(again.status, 1);
    assert.equal(again.stderr, `switchboard keys delete: API key ${revoked} does not exist\n`);
  });

  it('accounts rotate-token prints a new token once: the old one is refused, the new one taken', async () => {
    const [, sid, old] = /Account SID: (AC\w+)\nAuth token:  (\w+)/.exec(await created(['accounts', 'create']))!;
    assert.equal(await status(sid!, old!), 200);
    const rotated = await run(['accounts', 'rotate-token', sid!]);
    assert.equal(rotated.status, 0, rotated.stderr);
    const [, printedSid, token] = /^Account SID: (AC\w+)\nAuth token:  ([0-9a-f]{32})\n\(The old token no longer works\. The new one is shown only once\.\)\n$/.exec(rotated.stdout)!;
    assert.equal(printedSid, sid);
    assert.notEqual(token, old);
    assert.equal(await settles(sid!, old!, 401), 401, 'the old token is refused');
    assert.equal(await status(sid!, token!), 200, 'the new one works');
    assert.doesNotMatch(await created(['accounts', 'list']), new RegExp(old!), 'no token is listed');
  });

  it('accounts delete removes the account, its keys and flows: the server refuses both its token and its keys', async () => {
    const [, sid, token] = /Account SID: (AC\w+)\nAuth token:  (\w+)/.exec(await created(['accounts', 'create']))!;
    const [, key, secret] = /API key SID: (SK\w+)\nSecret:\s+(\S+)/.exec(await created(['keys', 'create', '--account', sid!]))!;
    const flow = await t.app.flows.create(sid!, { friendlyName: 'f', status: 'draft', definition: { description: 'x', initial_state: 'Trigger', states: [{ name: 'Trigger', type: 'trigger', transitions: [], properties: { offset: { x: 0, y: 0 } } }], flags: { allow_concurrent_calls: true } } as never });
    assert.equal(await status(key!, secret!), 200);
    const deleted = await run(['accounts', 'delete', sid!]);
    assert.equal(deleted.status, 0, deleted.stderr);
    assert.equal(deleted.stdout, `Deleted account ${sid} with 1 API key(s) and 1 flow(s) (their executions, alerts and carrier settings too).\n`);
    assert.equal(await settles(sid!, token!, 401), 401, 'its token is refused');
    assert.equal(await settles(key!, secret!, 401), 401, 'so are its keys');
    assert.equal(await t.app.store.getFlow(sid!, flow.sid), null);
    assert.doesNotMatch(await created(['accounts', 'list']), new RegExp(sid!));
    assert.equal(await status(t.account.sid, t.account.authToken), 200, "the server's own account is untouched");

    const again = await run(['accounts', 'delete', sid!]);
    assert.equal(again.status, 1);
    assert.equal(again.stderr, `switchboard accounts delete: account ${sid} does not exist\n`);
    const rotate = await run(['accounts', 'rotate-token', sid!]);
    assert.equal(rotate.status, 1);
    assert.equal(rotate.stderr, `switchboard accounts rotate-token: account ${sid} does not exist\n`);
  });

  it('the account of TWILIO_ACCOUNT_SID is neither rotated nor deleted: serve would undo it at start', async () => {
    const [, sid, token] = /Account SID: (AC\w+)\nAuth token:  (\w+)/.exec(await created(['accounts', 'create']))!;
    const env = { TWILIO_ACCOUNT_SID: sid!, TWILIO_AUTH_TOKEN: token! };
    const rotate = await run(['accounts', 'rotate-token', sid!], env);
    assert.equal(rotate.status, 1);
    assert.match(rotate.stderr, /^switchboard accounts rotate-token: AC\w+ is TWILIO_ACCOUNT_SID in this configuration: serve sets its token from TWILIO_AUTH_TOKEN at every start; change TWILIO_AUTH_TOKEN and restart instead\n$/);
    const del = await run(['accounts', 'delete', sid!], env);
    assert.equal(del.status, 1);
    assert.match(del.stderr, /^switchboard accounts delete: AC\w+ is TWILIO_ACCOUNT_SID in this configuration: serve creates it again at start; unset TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN first\n$/);
    assert.equal(await status(sid!, token!), 200, 'nothing changed');
  });

  it('usage errors exit 2: a missing or malformed SID, an unknown subcommand; not found exits 1', async () => {
    for (const [args, stderr] of [
      [['keys', 'delete'], /^switchboard keys delete: an API key SID \(SK…\) is needed \(usage: switchboard keys create/],
      [['keys', 'delete', 'nope'], /^switchboard keys delete: 'nope' is not an API key SID \(SK followed by 32 hex characters\)\n$/],
      [['keys', 'list', '--account', 'nope'], /^switchboard keys list: --account must be an account SID \(AC followed by 32 hex characters\), got 'nope'\n$/],
      [['keys', 'create'], /^switchboard keys create: --account AC… is required/],
      // A mistyped subcommand is named before its options are checked, with the closest one, as in flows, executions and carrier.
      [['keys', 'revoke', '--account', 'nope'], /^switchboard keys: unknown command 'revoke'\n\nusage: switchboard keys create/],
      [['keys', 'lsit'], /^switchboard keys: unknown command 'lsit' \(did you mean 'list'\?\)\n/],
      [['accounts', 'rotate-token'], /^switchboard accounts rotate-token: an account SID \(AC…\) is needed/],
      [['accounts', 'delete', 'SK' + '0'.repeat(32)], /^switchboard accounts delete: 'SK0+' is not an account SID/],
      [['accounts', 'rotate'], /^switchboard accounts: unknown command 'rotate' \(did you mean 'rotate-token' or 'rotate-callback-secret'\?\)\n\nusage: switchboard accounts create \[--friendly-name NAME\] \[--json\] \| list \[--json\] \| rotate-token AC… \[--json\] \| rotate-callback-secret AC… \[--grace DURATION\] \[--json\] \| delete AC…\n$/],
      [['accounts'], /^usage: switchboard accounts /],
    ] as const) {
      const result = await run([...args]);
      assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, stderr, args.join(' '));
    }
    const missing = await run(['keys', 'list', '--account', 'AC' + 'f'.repeat(32)]);
    assert.equal(missing.status, 1);
    assert.equal(missing.stderr, `switchboard keys list: account AC${'f'.repeat(32)} does not exist\n`);
  });

  it('through main.ts: the SID reaches the command, and an argument after it is refused (exit 2)', () => {
    const unknown = 'SK' + '0'.repeat(32);
    const notFound = spawned(['keys', 'delete', unknown]);
    assert.equal(notFound.status, 1, notFound.stderr);
    assert.equal(notFound.stderr, `switchboard keys delete: API key ${unknown} does not exist\n`);
    const extra = spawned(['keys', 'delete', unknown, 'extra']);
    assert.equal(extra.status, 2, extra.stderr);
    assert.equal(extra.stderr, `switchboard: unexpected argument 'extra' after 'keys delete ${unknown}'\n`);
  });

  it('through main.ts: a mistyped subcommand given its SID (keys del SK…, accounts rotate AC…) is named as one, with the closest', () => {
    const keys = spawned(['keys', 'del', 'SK' + '0'.repeat(32)]);
    assert.equal(keys.status, 2, keys.stderr);
    assert.match(keys.stderr, /^switchboard keys: unknown command 'del' \(did you mean 'delete'\?\)\n\nusage: switchboard keys create/);
    const accounts = spawned(['accounts', 'rotate', 'AC' + '0'.repeat(32)]);
    assert.equal(accounts.status, 2, accounts.stderr);
    assert.match(accounts.stderr, /^switchboard accounts: unknown command 'rotate' \(did you mean 'rotate-token' or 'rotate-callback-secret'\?\)\n/);
  });
});
