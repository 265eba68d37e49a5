// The read cache in front of the store: a write through this node is seen at once; another
// writer's (another node, another process on the SQLite file) within the TTL; misses are not kept.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { cachedReads } from '../../src/runtime/read-cache.ts';

const ACCOUNT = { sid: 'AC' + '1'.repeat(32), authToken: 'a'.repeat(32), friendlyName: 'one', dateCreated: 1 };

function setup(ttlMs: number) {
  const raw = new SqliteStore({ path: ':memory:' });
  let clock = 1_000;
  let reads = 0;
  const getAccount = raw.getAccount.bind(raw);
  raw.getAccount = async (sid: string) => {
    reads++;
    return getAccount(sid);
  };
  const store = cachedReads(raw, { ttlMs, now: () => clock });
  return { raw, store, reads: () => reads, advance: (ms: number) => (clock += ms) };
}

describe('read cache', () => {
  it('serves repeated reads from memory and drops the entry on a write through it', async () => {
    const { raw, store, reads } = setup(1000);
    await store.createAccount(ACCOUNT);
    assert.equal((await store.getAccount(ACCOUNT.sid))?.authToken, ACCOUNT.authToken);
    await store.getAccount(ACCOUNT.sid);
    assert.equal(reads(), 1, 'the second read is a hit');
    await store.updateAccountToken(ACCOUNT.sid, 'b'.repeat(32));
    assert.equal((await store.getAccount(ACCOUNT.sid))?.authToken, 'b'.repeat(32), 'a rotation through this node is seen at once');
    await raw.close();
  });

  it("sees another writer's change once the TTL has passed, not before", async () => {
    const { raw, store, advance } = setup(1000);
    await raw.createAccount(ACCOUNT);
    await store.getAccount(ACCOUNT.sid);
    await raw.updateAccountToken(ACCOUNT.sid, 'c'.repeat(32)); // behind the cache's back
    advance(999);
    assert.equal((await store.getAccount(ACCOUNT.sid))?.authToken, ACCOUNT.authToken, 'within the TTL');
    advance(2);
    assert.equal((await store.getAccount(ACCOUNT.sid))?.authToken, 'c'.repeat(32), 'after it');
    await raw.close();
  });

  it('does not keep a miss, nor a value read while a write was under way', async () => {
    const { raw, store, reads } = setup(1000);
    assert.equal(await store.getAccount(ACCOUNT.sid), null);
    await raw.createAccount(ACCOUNT);
    assert.ok(await store.getAccount(ACCOUNT.sid), 'a SID missing before is found once created');
    // A read racing a write: the value it read may be the old one, so it is not cached.
    const before = reads();
    const racing = store.getAccount('AC' + '2'.repeat(32));
    await store.createAccount({ ...ACCOUNT, sid: 'AC' + '2'.repeat(32) });
    await racing;
    await store.getAccount('AC' + '2'.repeat(32));
    assert.equal(reads() - before, 2, 'the read after the write went to the store');
    await raw.close();
  });

  it('caches flows and test users, dropped by publishing and by setting test users', async () => {
    const { raw, store } = setup(60_000);
    await store.createAccount(ACCOUNT);
    const common = { accountSid: ACCOUNT.sid, friendlyName: 'f', commitMessage: null, authorSid: null, valid: true, errors: [], warnings: [], dateCreated: 1, dateUpdated: null };
    const flowSid = 'FW' + '3'.repeat(32);
    const definition = { description: 'x', initial_state: 'Trigger', states: [], flags: { allow_concurrent_calls: true } } as never;
    await store.createFlow({ ...common, sid: flowSid, status: 'draft', revision: 1, publishedRevision: null }, { ...common, status: 'draft', flowSid, revision: 1, definition });
    assert.equal((await store.getFlow(ACCOUNT.sid, flowSid))?.publishedRevision, null);
    await store.saveFlowRevision({ ...common, sid: flowSid, status: 'published', revision: 2, publishedRevision: 2 }, { ...common, status: 'published', flowSid, revision: 2, definition });
    assert.equal((await store.getFlow(ACCOUNT.sid, flowSid))?.publishedRevision, 2, 'a publish through this node is seen at once');
    assert.deepEqual(await store.getTestUsers(ACCOUNT.sid, flowSid), []);
    await store.setTestUsers(ACCOUNT.sid, flowSid, ['+15550001111']);
    assert.deepEqual(await store.getTestUsers(ACCOUNT.sid, flowSid), ['+15550001111']);
    await raw.close();
  });

  it('keeps a missing setting (no carrier configured is the common case) until one is set', async () => {
    const { raw, store } = setup(60_000);
    let reads = 0;
    const getSetting = raw.getSetting.bind(raw);
    raw.getSetting = async (key: string) => {
      reads++;
      return getSetting(key);
    };
    assert.equal(await store.getSetting('carrier'), null);
    assert.equal(await store.getSetting('carrier'), null);
    assert.equal(reads, 1, 'the miss was kept');
    await store.setSetting('carrier', '{"kind":"twilio"}');
    assert.equal(await store.getSetting('carrier'), '{"kind":"twilio"}', 'a setting made through this node is seen at once');
    await raw.close();
  });

  it('is off at a TTL of 0', async () => {
    const { raw, store, reads } = setup(0);
    await raw.createAccount(ACCOUNT);
    await store.getAccount(ACCOUNT.sid);
    await store.getAccount(ACCOUNT.sid);
    assert.equal(reads(), 2);
    await raw.close();
  });

  it('a key revoked or an account deleted through this node is gone at once: the key, the account, its flows and carrier setting', async () => {
    const { raw, store } = setup(60_000);
    await store.createAccount(ACCOUNT);
    const other = { ...ACCOUNT, sid: 'AC' + '2'.repeat(32) };
    await store.createAccount(other);
    const key = (sid: string, accountSid: string) => ({ sid, accountSid, friendlyName: 'k', secretHash: 'ab'.repeat(32), dateCreated: 1 });
    const [revoked, kept, otherKey] = [key('SK' + '1'.repeat(32), ACCOUNT.sid), key('SK' + '2'.repeat(32), ACCOUNT.sid), key('SK' + '3'.repeat(32), other.sid)];
    for (const k of [revoked, kept, otherKey]) await store.createApiKey(k);
    const common = { friendlyName: 'f', commitMessage: null, authorSid: null, valid: true, errors: [], warnings: [], dateCreated: 1, dateUpdated: null, status: 'draft' as const, revision: 1, publishedRevision: null };
    const definition = { description: 'x', initial_state: 'Trigger', states: [], flags: { allow_concurrent_calls: true } } as never;
    const flowSid = 'FW' + '3'.repeat(32);
    await store.createFlow({ ...common, accountSid: ACCOUNT.sid, sid: flowSid }, { ...common, accountSid: ACCOUNT.sid, flowSid, definition });
    await store.setSetting(`carrier:${ACCOUNT.sid}`, '{"channel":"webhook"}');
    // Every one read, so cached for a minute.
    for (const k of [revoked, kept, otherKey]) assert.ok(await store.getApiKey(k.sid));
    assert.ok(await store.getFlow(ACCOUNT.sid, flowSid));
    assert.ok(await store.getSetting(`carrier:${ACCOUNT.sid}`));

    assert.equal(await store.deleteApiKey(revoked.sid), true);
    assert.equal(await store.getApiKey(revoked.sid), null, 'the revoked key at once, not a TTL later');
    assert.ok(await store.getApiKey(kept.sid));

    assert.deepEqual(await store.deleteAccount(ACCOUNT.sid), { apiKeys: 1, flows: 1 });
    assert.equal(await store.getAccount(ACCOUNT.sid), null);
    assert.equal(await store.getApiKey(kept.sid), null, "the account's other keys too");
    assert.equal(await store.getFlow(ACCOUNT.sid, flowSid), null);
    assert.equal(await store.getSetting(`carrier:${ACCOUNT.sid}`), null);
    assert.ok(await store.getAccount(other.sid), 'another account stays');
    assert.ok(await store.getApiKey(otherKey.sid));
    await raw.close();
  });
});
