// `switchboard accounts delete|rotate-token` and what a server on the same store needs.
//  - An account whose row is gone but whose rows are not (requests that raced its deletion wrote them):
//    `accounts delete` purges them (exit 0, "Purged leftovers of deleted account AC…") instead of saying
//    it does not exist, which left a flow and an upstream Twilio auth token behind for good.
//  - The account serve runs as (TWILIO_ACCOUNT_SID) is refused from any shell, not only one whose
//    environment names it: serve records it in the store at start (configured-accounts).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accountsCommand, configuredAccounts, recordConfiguredAccounts } from '../../src/cli/accounts.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { INSERT_FLOW, INSERT_REVISION, flowInsertParams, revisionInsertParams } from '../../src/store/sql-statements.ts';
import type { FlowRecord } from '../../src/runtime/ports/store.ts';
import { runCliInProcess, type CliRun } from '../support/cli-in-process.ts';
import { withServe } from '../support/serve-process.ts';

describe('accounts delete: leftovers of a deleted account, and the account serve runs as', () => {
  let dir = '';
  const path = () => join(dir, 'switchboard.db');
  /** `switchboard accounts SUB SID --data-dir DIR`, in this process, TWILIO_* cleared unless `env` sets them. */
  const accounts = (sub: string, sid: string, env: Record<string, string> = {}): Promise<CliRun> =>
    runCliInProcess(
      async () => {
        Object.assign(process.env, env);
        return accountsCommand(sub, { 'data-dir': dir }, sid);
      },
      [],
      dir,
    );
  const withStore = async <T>(fn: (store: SqliteStore) => Promise<T>): Promise<T> => {
    const store = new SqliteStore({ path: path() });
    try {
      return await fn(store);
    } finally {
      await store.close();
    }
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-account-leftovers-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('purges what a deleted account left behind (a flow, its upstream token): exit 0; then it does not exist', async () => {
    const sid = 'AC' + 'd'.repeat(32);
    const flow: FlowRecord = {
      sid: 'FW' + 'd'.repeat(32),
      accountSid: sid,
      friendlyName: 'raced the delete',
      status: 'draft',
      revision: 1,
      publishedRevision: null,
      commitMessage: null,
      authorSid: null,
      valid: true,
      errors: [],
      warnings: [],
      dateCreated: 1,
      dateUpdated: null,
    };
    await withStore(async (store) => {
      // As a request racing the deletion wrote them before the store checked the account in its transaction.
      store.db.prepare(INSERT_FLOW).run(...flowInsertParams(flow));
      store.db.prepare(INSERT_REVISION).run(...revisionInsertParams({ ...flow, flowSid: flow.sid, definition: { states: [] } as never }));
      await store.setSetting(`carrier:${sid}`, '{"channel":"twilio","twilio":{"authToken":"upstream-secret"}}');
    });
    const purged = await accounts('delete', sid);
    assert.equal(purged.code, 0, purged.stderr);
    assert.match(purged.stdout, new RegExp(`^Purged leftovers of deleted account ${sid}: 1 flow\\(s\\)`));
    await withStore(async (store) => {
      assert.equal(await store.getFlow(sid, flow.sid), null);
      assert.equal(await store.getRevision(sid, flow.sid, 1), null);
      assert.equal(await store.getSetting(`carrier:${sid}`), null, 'the upstream token is gone');
    });
    const again = await accounts('delete', sid);
    assert.equal(again.code, 1);
    assert.equal(again.stderr, `switchboard accounts delete: account ${sid} does not exist\n`);
  });

  it("refuses to delete or rotate the account serve runs as, from a shell without TWILIO_ACCOUNT_SID", { timeout: 120_000 }, async () => {
    const sid = 'AC' + 'c'.repeat(32);
    const token = 'c'.repeat(32);
    const env = { TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: token, SWITCHBOARD_DATA_DIR: dir };
    await withServe(['--port', '0', '--host', '127.0.0.1', '--log-level', 'warn'], env, (out) => /listening on http/.test(out), async () => {
      for (const sub of ['delete', 'rotate-token']) {
        const refused = await accounts(sub, sid);
        assert.equal(refused.code, 1, `${sub}: ${refused.stdout}`);
        assert.match(refused.stderr, new RegExp(`^switchboard accounts ${sub}: ${sid} is the account a server on this store runs as \\(its TWILIO_ACCOUNT_SID, recorded when it started\\)`));
      }
    }, 90_000);
    await withStore(async (store) => {
      assert.equal((await store.getAccount(sid))?.authToken, token, 'neither deleted nor rotated');
      assert.deepEqual(await configuredAccounts(store), [sid]);
      // A start without TWILIO_ACCOUNT_SID (a generated dev account) records none: then it may go.
      await recordConfiguredAccounts(store, undefined);
    });
    const deleted = await accounts('delete', sid);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(deleted.stdout, new RegExp(`^Deleted account ${sid} `));
  });
});
