// A request that races its account's deletion. `switchboard accounts delete` runs in another process (or
// on another node's connection); a node's read cache (--read-cache-ms) still holds the account for a
// while, so the request authenticates. Its write must still find the account gone: 401 (20003), as the
// deleted account's credentials get once the cache lets go, never a 500, and nothing left behind that
// no later `accounts delete` could find (a flow, its revisions, the upstream Twilio auth token).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Account } from '../../src/runtime/ports/store.ts';
import { FORM, basicAuth, form, startTestServer, type TestServer } from '../support/server.ts';

const DEFINITION = JSON.stringify({
  description: 'raced',
  initial_state: 'Trigger',
  states: [{ name: 'Trigger', type: 'trigger', transitions: [], properties: { offset: { x: 0, y: 0 } } }],
  flags: { allow_concurrent_calls: true },
});

describe('a request racing its account deletion', () => {
  let dir = '';
  let path = '';
  let t: TestServer;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-account-race-'));
    path = join(dir, 'switchboard.db');
    // A long read cache: the node keeps taking the deleted account's credentials for the whole test.
    t = await startTestServer({ store: new SqliteStore({ path }), config: { dataDir: dir, readCacheMs: 60_000 } });
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** An account the node has cached (one authenticated request), then deleted by another connection (the CLI's). */
  async function deletedElsewhere(): Promise<{ account: Account; auth: string; store: SqliteStore }> {
    const account = await t.app.accounts.create('raced');
    const auth = basicAuth(account.sid, account.authToken);
    const warm = await t.app.server.inject({ method: 'GET', url: '/v2/Flows', headers: { authorization: auth } });
    assert.equal(warm.statusCode, 200);
    await t.app.server.inject({ method: 'GET', url: `/v1/Accounts/${account.sid}/Carrier`, headers: { authorization: auth } });
    const store = new SqliteStore({ path });
    assert.ok(await store.deleteAccount(account.sid));
    return { account, auth, store };
  }

  it('POST /v2/Flows answers 401 (20003) and leaves no flow', async () => {
    const { account, auth, store } = await deletedElsewhere();
    try {
      const res = await t.app.server.inject({
        method: 'POST',
        url: '/v2/Flows',
        headers: { authorization: auth, ...FORM },
        payload: form({ FriendlyName: 'raced', Status: 'published', Definition: DEFINITION }),
      });
      assert.equal(res.statusCode, 401, res.body);
      assert.equal(res.json().code, 20003);
      assert.deepEqual((await store.listFlows(account.sid, { pageSize: 10 })).items, [], 'no flow outlives its account');
      assert.equal(await store.deleteAccount(account.sid), null, 'nothing is left for `accounts delete` to find');
    } finally {
      await store.close();
    }
  });

  it('POST /v1/Accounts/{AC}/Carrier answers 401 (20003) and stores no upstream token', async () => {
    const { account, auth, store } = await deletedElsewhere();
    try {
      const res = await t.app.server.inject({
        method: 'POST',
        url: `/v1/Accounts/${account.sid}/Carrier`,
        headers: { authorization: auth, ...FORM },
        payload: form({ Channel: 'twilio', UpstreamAccountSid: 'AC' + 'b'.repeat(32), AuthToken: 'upstream-secret-token' }),
      });
      assert.equal(res.statusCode, 401, res.body);
      assert.equal(res.json().code, 20003);
      assert.equal(await store.getSetting(`carrier:${account.sid}`), null, 'the upstream auth token is not stored');
      const reset = await t.app.server.inject({ method: 'DELETE', url: `/v1/Accounts/${account.sid}/Carrier`, headers: { authorization: auth } });
      assert.equal(reset.statusCode, 401, reset.body);
      assert.equal(await store.getSetting(`carrier:${account.sid}`), null);
    } finally {
      await store.close();
    }
  });

  it('the server keeps serving its own account', async () => {
    const res = await t.app.server.inject({ method: 'GET', url: '/v2/Flows', headers: { authorization: t.auth } });
    assert.equal(res.statusCode, 200);
  });
});
