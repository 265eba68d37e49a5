// `switchboard accounts …` and `switchboard keys …`: manage credentials in the store directly.
import { openStore } from '../app.ts';
import { loadConfig } from '../config.ts';
import { AccountService } from '../runtime/accounts.ts';
import { isSid } from '../runtime/ids.ts';

type Flags = Record<string, string | boolean | undefined>;

async function withAccounts<T>(flags: Flags, fn: (accounts: AccountService) => Promise<T>): Promise<T> {
  const store = openStore(loadConfig(flags));
  try {
    return await fn(new AccountService(store, Date.now));
  } finally {
    await store.close();
  }
}

export async function accountsCommand(sub: string | undefined, flags: Flags): Promise<number> {
  if (sub === 'create') {
    const name = typeof flags['friendly-name'] === 'string' ? flags['friendly-name'] : 'Account';
    const account = await withAccounts(flags, (accounts) => accounts.create(name));
    console.log(`Account SID: ${account.sid}\nAuth token:  ${account.authToken}`);
    return 0;
  }
  if (sub === 'list') {
    const store = openStore(loadConfig(flags));
    try {
      for (const account of await store.listAccounts()) console.log(`${account.sid}  ${account.friendlyName}`);
    } finally {
      await store.close();
    }
    return 0;
  }
  console.error('usage: switchboard accounts create|list');
  return 1;
}

export async function keysCommand(sub: string | undefined, flags: Flags): Promise<number> {
  const accountSid = flags.account;
  if (sub !== 'create' || typeof accountSid !== 'string') {
    console.error('usage: switchboard keys create --account AC… [--friendly-name NAME]');
    return 1;
  }
  if (!isSid('AC', accountSid)) {
    console.error(`--account must be an account SID (AC…), got '${accountSid}'`);
    return 2;
  }
  const name = typeof flags['friendly-name'] === 'string' ? flags['friendly-name'] : 'API key';
  try {
    const { key, secret } = await withAccounts(flags, (accounts) => accounts.createKey(accountSid, name));
    console.log(`API key SID: ${key.sid}\nSecret:      ${secret}\n(The secret is shown only once.)`);
    return 0;
  } catch (error) {
    console.error((error as Error).message);
    return 1;
  }
}
