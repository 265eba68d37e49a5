// Basic-auth checks against accounts and API keys, including the ones answered from the passwords
// that already matched: a changed token or a wrong guess must never pass on their account.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AccountService } from '../../src/runtime/accounts.ts';
import { cachedReads } from '../../src/runtime/read-cache.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';

function service() {
  // As the app runs it: the read cache hands out the same account object while it lasts.
  const store = cachedReads(new SqliteStore({ path: ':memory:' }), { ttlMs: 60_000 });
  return { store, accounts: new AccountService(store, () => 1_700_000_000_000) };
}

test('an account token passes every time; a wrong or near guess never does, before or after it', async () => {
  const { store, accounts } = service();
  const account = await accounts.create('A');
  const near = account.authToken.slice(0, -1) + (account.authToken.endsWith('0') ? '1' : '0');
  assert.equal(await accounts.authenticate(account.sid, near), null);
  assert.equal((await accounts.authenticate(account.sid, account.authToken))?.sid, account.sid);
  assert.equal((await accounts.authenticate(account.sid, account.authToken))?.sid, account.sid);
  for (const guess of [near, '', account.authToken + 'x', account.authToken.toUpperCase()]) {
    assert.equal(await accounts.authenticate(account.sid, guess), null, guess);
  }
  // Another account does not take this one's token.
  const other = await accounts.create('B');
  assert.equal(await accounts.authenticate(other.sid, account.authToken), null);
  await store.close();
});

test('a changed token: the old one stops passing at once, the new one passes', async () => {
  const { store, accounts } = service();
  const account = await accounts.create('A');
  assert.ok(await accounts.authenticate(account.sid, account.authToken));
  await store.updateAccountToken(account.sid, 'f'.repeat(32));
  assert.equal(await accounts.authenticate(account.sid, account.authToken), null);
  assert.equal((await accounts.authenticate(account.sid, 'f'.repeat(32)))?.sid, account.sid);
  await store.close();
});

test('an API key secret passes for its account, every time; a wrong one never does', async () => {
  const { store, accounts } = service();
  const account = await accounts.create('A');
  const { key, secret } = await accounts.createKey(account.sid, 'ci');
  assert.equal((await accounts.authenticate(key.sid, secret))?.sid, account.sid);
  assert.equal((await accounts.authenticate(key.sid, secret))?.sid, account.sid);
  assert.equal(await accounts.authenticate(key.sid, secret.slice(1)), null);
  assert.equal(await accounts.authenticate(key.sid, account.authToken), null);
  // A key's secret is not its account's token.
  assert.equal(await accounts.authenticate(account.sid, secret), null);
  await store.close();
});
