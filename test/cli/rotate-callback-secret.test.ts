// `switchboard accounts rotate-callback-secret AC… [--grace DURATION]` on the store a running server
// uses: a call in progress goes on across a rotation with a grace, and its URLs are refused after one
// without. Bad arguments are usage errors (exit 2), an unknown account exit 1.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { accountsCommand } from '../../src/cli/accounts.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { runCliInProcess } from '../support/cli-in-process.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { fixture, type Verb } from '../voice/support.ts';
import { answerOf, flowWebhookUrl, twilioPost } from '../voice/twilio-webhook.ts';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const actionOf = (verb: Verb) => verb.attributes.action ?? verb.text ?? '';

describe('switchboard accounts rotate-callback-secret', () => {
  let dir = '';
  let t: TestServer;
  let flowSid = '';
  const rotate = (args: string[], flags: Record<string, string> = {}) =>
    runCliInProcess(() => accountsCommand(args[0], { 'data-dir': dir, ...flags }, args[1]), [], dir);
  let calls = 0;
  /** A new carrier call to the IVR flow, up to its menu: the Gather's action URL. */
  const atMenu = async (): Promise<{ action: string; press: (digits: string) => Promise<{ status: number; body: string; twiml: Verb[] | null }> }> => {
    const callSid = 'CA' + String(++calls).padStart(32, '0');
    const params = (extra: Record<string, string> = {}) => ({ AccountSid: t.account.sid, CallSid: callSid, CallStatus: 'in-progress', Direction: 'inbound', From: `+1555123${String(calls).padStart(4, '0')}`, To: '+15005550006', ...extra });
    const first = answerOf(await twilioPost(t, flowWebhookUrl(t, flowSid), params({ CallStatus: 'ringing' })));
    const menu = answerOf(await twilioPost(t, actionOf(first.twiml![1]!), params()));
    const action = actionOf(menu.twiml![0]!);
    return { action, press: async (digits) => answerOf(await twilioPost(t, action, params({ Digits: digits }))) };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-rotate-callback-'));
    // No read cache: the server sees each rotation at once.
    t = await startTestServer({ store: new SqliteStore({ path: join(dir, 'switchboard.db') }), config: { dataDir: dir, readCacheMs: 0 } });
    flowSid = (await t.app.flows.create(t.account.sid, { friendlyName: 'ivr', status: 'published', definition: fixture('ivr-menu.json') as never })).sid;
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('with a grace, the call in progress goes on; the output says until when the old secret is accepted', async () => {
    const call = await atMenu();
    const before = Date.now();
    const result = await rotate(['rotate-callback-secret', t.account.sid], { grace: '90m' });
    assert.equal(result.code, 0, result.stderr);
    const until = /accepted until (\S+)\.\n/.exec(result.stdout)?.[1];
    assert.ok(until, result.stdout);
    assert.ok(Math.abs(Date.parse(until) - (before + 90 * 60_000)) < 60_000, `about 90 minutes from now: ${until}`);
    assert.match(result.stdout, new RegExp(`^Account ${t.account.sid} has a new callback secret`));
    const account = (await t.app.store.getAccount(t.account.sid))!;
    assert.ok(!result.stdout.includes(account.callbackSecret) && !result.stdout.includes(account.previousCallbackSecret!.secret), 'no secret is printed');
    const next = await call.press('2');
    assert.equal(next.status, 200, next.body);
    assert.equal(next.twiml![0]!.verb, 'Record');
  });

  it('the default grace is 24 hours; --grace 0 refuses the URLs of calls in progress at once', async () => {
    const result = await rotate(['rotate-callback-secret', t.account.sid]);
    assert.equal(result.code, 0, result.stderr);
    const until = Date.parse(/accepted until (\S+)\./.exec(result.stdout)![1]!);
    assert.ok(Math.abs(until - (Date.now() + 24 * 3_600_000)) < 60_000, result.stdout);

    const call = await atMenu();
    const now = await rotate(['rotate-callback-secret', t.account.sid], { grace: '0' });
    assert.equal(now.code, 0, now.stderr);
    assert.match(now.stdout, /refused from now on/);
    const refused = await call.press('2');
    assert.equal(refused.status, 403, refused.body);
    assert.equal(JSON.parse(refused.body).code, 20003);
  });

  it('bad arguments exit 2, an unknown account 1', async () => {
    for (const [args, flags, stderr] of [
      [['rotate-callback-secret'], {}, /^switchboard accounts rotate-callback-secret: an account SID \(AC…\) is needed/],
      [['rotate-callback-secret', 'nope'], {}, /^switchboard accounts rotate-callback-secret: 'nope' is not an account SID/],
      [['rotate-callback-secret', t.account.sid], { grace: 'soon' }, /^switchboard accounts rotate-callback-secret: --grace must be a duration of at most 10 years such as 30m, 2h or 1d \(0: none\), got 'soon'\n$/],
      [['rotate-callback-secret', t.account.sid], { grace: '-1h' }, /--grace must be a duration/],
      [['rotate-callback-secret', t.account.sid], { grace: '11000d' }, /--grace must be a duration of at most 10 years/],
      [['rotate-token', t.account.sid], { grace: '1h' }, /^switchboard accounts rotate-token: --grace is an option of 'accounts rotate-callback-secret'\n/],
    ] as const) {
      const result = await rotate([...args], flags);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, stderr, args.join(' '));
    }
    const missing = await rotate(['rotate-callback-secret', 'AC' + 'f'.repeat(32)]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, `switchboard accounts rotate-callback-secret: account AC${'f'.repeat(32)} does not exist\n`);
  });

  it('through main.ts: the SID and --grace reach the command, and an argument after the SID is refused', () => {
    const unknown = 'AC' + 'e'.repeat(32);
    const spawned = (args: string[]) => spawnSync(process.execPath, [main, ...args, '--data-dir', dir], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: 60_000 });
    const notFound = spawned(['accounts', 'rotate-callback-secret', unknown, '--grace', '2h']);
    assert.equal(notFound.status, 1, notFound.stderr);
    assert.equal(notFound.stderr, `switchboard accounts rotate-callback-secret: account ${unknown} does not exist\n`);
    const extra = spawned(['accounts', 'rotate-callback-secret', unknown, 'extra']);
    assert.equal(extra.status, 2, extra.stderr);
    assert.equal(extra.stderr, `switchboard: unexpected argument 'extra' after 'accounts rotate-callback-secret ${unknown}'\n`);
  });
});
