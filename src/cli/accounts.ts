// `switchboard accounts …` and `switchboard keys …`: manage credentials in the store directly. A
// server using the same store stops taking a rotated token or a deleted key within its read-cache
// time (--read-cache-ms, 1 s by default). A store an older Switchboard made is refused, not migrated
// (cli-store.ts): only serve upgrades it. `accounts delete` of an account whose row is already gone
// purges what still names it (rows that requests racing its deletion wrote); neither command touches
// the account a server on the store runs as (TWILIO_ACCOUNT_SID here, or recorded by serve at start).
import { missingStore, openCliStore, refusingOlderSchema } from './cli-store.ts';
import { loadConfig, type SwitchboardConfig } from '../config.ts';
import { AccountService } from '../runtime/accounts.ts';
import { releaseCarrierAgents } from './account-agents.ts';
import { sidArgument, sidKind } from './sid-argument.ts';
import { parseDuration } from '../flowtest/duration.ts';
import { unknownCommandMessage } from './stray-arguments.ts';
import { isoSeconds } from '../lib/iso-date.ts';
import type { Store } from '../runtime/ports/store.ts';

type Flags = Record<string, string | boolean | undefined>;

/**
 * The setting in which `serve` records, at every start, the account it runs as (TWILIO_ACCOUNT_SID; an
 * empty list when it runs with a generated dev account). `accounts rotate-token` and `accounts delete`
 * refuse the accounts it names, whatever the environment of the shell they run in: serve would undo
 * either at its next start, and until then every node would refuse the account (401).
 */
export const CONFIGURED_ACCOUNTS_SETTING = 'configured-accounts';

/** serve, at start: the accounts this server runs as, replacing what an earlier start recorded. */
export async function recordConfiguredAccounts(store: Pick<Store, 'setSetting'>, account: { sid: string } | undefined): Promise<void> {
  await store.setSetting(CONFIGURED_ACCOUNTS_SETTING, JSON.stringify(account ? [account.sid] : []));
}

/** The accounts serve recorded (recordConfiguredAccounts); none when nothing (or nothing readable) is. */
export async function configuredAccounts(store: Pick<Store, 'getSetting'>): Promise<string[]> {
  try {
    const recorded: unknown = JSON.parse((await store.getSetting(CONFIGURED_ACCOUNTS_SETTING)) ?? '[]');
    return Array.isArray(recorded) ? recorded.filter((sid): sid is string => typeof sid === 'string') : [];
  } catch {
    return [];
  }
}

export const ACCOUNTS_USAGE =
  'usage: switchboard accounts create [--friendly-name NAME] [--json] | list [--json] | rotate-token AC… [--json] | rotate-callback-secret AC… [--grace DURATION] [--json] | delete AC…';

/** How long a rotated callback secret stays accepted by default: the longest a Twilio call lasts (its time limit's maximum). */
export const DEFAULT_CALLBACK_SECRET_GRACE_MS = 24 * 3_600_000;
export const KEYS_USAGE = 'usage: switchboard keys create --account AC… [--friendly-name NAME] [--json] | list [--account AC…] [--json] | delete SK…';

async function withStore<T>(config: SwitchboardConfig, fn: (store: Store, accounts: AccountService) => Promise<T>): Promise<T> {
  const store = await openCliStore(config);
  try {
    return await fn(store, new AccountService(store, Date.now));
  } finally {
    await store.close();
  }
}

/**
 * withStore for what only reads or changes what is already there (every subcommand but `accounts create`,
 * which makes a new install's store): a --data-dir holding no store (mistyped) is said, exit 1, and no new,
 * empty database is left in it, as carrier and simulate do.
 */
async function withExistingStore(config: SwitchboardConfig, fail: Fail, fn: (store: Store, accounts: AccountService) => Promise<number>): Promise<number> {
  const missing = missingStore(config);
  return missing ? fail(missing, 1) : withStore(config, fn);
}

/** A message on stderr and the exit code: 2 for usage errors, 1 for refusals and things not found. */
type Fail = (message: string, code: 1 | 2) => number;

/** fail for a command (`accounts delete`): its messages say 'switchboard accounts delete: …', as every command names itself. */
function failing(command: string): Fail {
  return (message, code) => {
    console.error(`switchboard ${command}: ${message}`);
    return code;
  };
}

export const ACCOUNTS_COMMANDS = ['create', 'list', 'rotate-token', 'rotate-callback-secret', 'delete'];
export const KEYS_COMMANDS = ['create', 'list', 'delete'];

/** Whether `sub` is a subcommand of accounts or keys (commands.ts: a mistyped one is told as such, not its SID as a stray argument). */
export function isSubcommand(command: 'accounts' | 'keys', sub: string | undefined): boolean {
  return sub !== undefined && (command === 'accounts' ? ACCOUNTS_COMMANDS : KEYS_COMMANDS).includes(sub);
}

/**
 * What --json prints for an account that create, rotate-token or rotate-callback-secret just wrote: one
 * object, its dates as the API writes them (2026-05-04T18:30:00Z), with `extra` (the new auth token,
 * shown this once; never the callback secret).
 */
function printAccountJson(account: { sid: string; friendlyName: string; dateCreated: number }, extra: Record<string, unknown>): void {
  console.log(JSON.stringify({ sid: account.sid, friendlyName: account.friendlyName, dateCreated: isoSeconds(account.dateCreated), ...extra }, null, 2));
}

/** No subcommand (the usage), or one this command does not have (the closest named, as flows, executions and carrier do). */
function usageError(command: string, sub: string | undefined, known: string[], usage: string): number {
  if (sub !== undefined) console.error(`${unknownCommandMessage(`switchboard ${command}: `, sub, known)}\n`);
  console.error(usage);
  return 2;
}

/** The SID argument of `rotate-token`/`delete` (as stored: lower-case hex), or a usage error when missing or of the wrong shape. */
function sidOf(prefix: 'AC' | 'SK', value: string | undefined, usage: string, fail: Fail): string | number {
  if (value === undefined) return fail(`${sidKind(prefix)} is needed (${usage})`, 2);
  const checked = sidArgument(prefix, value);
  return 'sid' in checked ? checked.sid : fail(checked.problem, 2);
}

export function accountsCommand(sub: string | undefined, flags: Flags, target?: string): Promise<number> {
  return refusingOlderSchema(() => accounts(sub, flags, target));
}

export function keysCommand(sub: string | undefined, flags: Flags, target?: string): Promise<number> {
  return refusingOlderSchema(() => keys(sub, flags, target));
}

/** Ten years: a longer grace is surely a mistake. */
const MAX_GRACE_MS = 10 * 365 * 86_400_000;

/** --grace of rotate-callback-secret in milliseconds, or null when it is no duration. */
function graceOf(value: string | boolean | undefined): number | null {
  if (value === undefined) return DEFAULT_CALLBACK_SECRET_GRACE_MS;
  try {
    const ms = parseDuration(String(value));
    return Number.isFinite(ms) && ms <= MAX_GRACE_MS ? ms : null;
  } catch {
    return null;
  }
}

async function accounts(sub: string | undefined, flags: Flags, target?: string): Promise<number> {
  // Before its options: `accounts rotate` is a mistyped command.
  if (sub === undefined || !ACCOUNTS_COMMANDS.includes(sub)) return usageError('accounts', sub, ACCOUNTS_COMMANDS, ACCOUNTS_USAGE);
  const fail = failing(`accounts ${sub}`);
  if (flags.grace !== undefined && sub !== 'rotate-callback-secret') return fail(`--grace is an option of 'accounts rotate-callback-secret'\n${ACCOUNTS_USAGE}`, 2);
  if (flags.json !== undefined && sub === 'delete') return fail(`--json is an option of 'accounts create', 'list', 'rotate-token' and 'rotate-callback-secret'\n${ACCOUNTS_USAGE}`, 2);
  if (sub === 'rotate-callback-secret') {
    const sid = sidOf('AC', target, ACCOUNTS_USAGE, fail);
    if (typeof sid === 'number') return sid;
    const graceMs = graceOf(flags.grace);
    if (graceMs === null) return fail(`--grace must be a duration of at most 10 years such as 30m, 2h or 1d (0: none), got '${String(flags.grace)}'`, 2);
    // serve leaves the callback secret of TWILIO_ACCOUNT_SID's account alone: it may be rotated too.
    return withExistingStore(loadConfig(flags), fail, async (store, accounts) => {
      const rotated = await accounts.rotateCallbackSecret(sid, graceMs);
      const account = rotated && (await store.getAccount(sid));
      if (!rotated || !account) return fail(`account ${sid} does not exist`, 1);
      // The secret itself is never shown (only its URLs' keys carry it): until when the old one is accepted.
      if (flags.json) return printAccountJson(account, { previousSecretAcceptedUntil: rotated.acceptedUntil === null ? null : isoSeconds(rotated.acceptedUntil) }), 0;
      const old = rotated.acceptedUntil === null
        ? 'Callback URLs keyed by the old one are refused from now on: calls in progress can no longer go on.'
        : `Callback URLs keyed by the old one (calls in progress) are accepted until ${isoSeconds(rotated.acceptedUntil)}.`;
      console.log(`Account ${sid} has a new callback secret: new callback URLs are keyed by it.\n${old}\n(A running server using the store takes it within its read-cache time.)`);
      return 0;
    });
  }
  if (sub === 'create') {
    const name = typeof flags['friendly-name'] === 'string' ? flags['friendly-name'] : 'Account';
    const account = await withStore(loadConfig(flags), (_, accounts) => accounts.create(name));
    if (flags.json) printAccountJson(account, { authToken: account.authToken });
    else console.log(`Account SID: ${account.sid}\nAuth token:  ${account.authToken}`);
    return 0;
  }
  if (sub === 'list') {
    return withExistingStore(loadConfig(flags), fail, async (store) => {
      const listed = await store.listAccounts();
      // --json: the columns, and the creation date; never a token or callback secret.
      if (flags.json) console.log(JSON.stringify(listed.map(({ sid, friendlyName, dateCreated }) => ({ sid, friendlyName, dateCreated: isoSeconds(dateCreated) })), null, 2));
      else for (const account of listed) console.log(`${account.sid}  ${account.friendlyName}`);
      return 0;
    });
  }
  if (sub === 'rotate-token' || sub === 'delete') {
    const sid = sidOf('AC', target, ACCOUNTS_USAGE, fail);
    if (typeof sid === 'number') return sid;
    const config = loadConfig(flags);
    // serve sets this account's token from TWILIO_AUTH_TOKEN (and creates it) at every start: a
    // rotation or deletion here would be undone by the next start.
    if (config.account?.sid.toLowerCase() === sid.toLowerCase()) {
      return fail(
        sub === 'delete'
          ? `${sid} is TWILIO_ACCOUNT_SID in this configuration: serve creates it again at start; unset TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN first`
          : `${sid} is TWILIO_ACCOUNT_SID in this configuration: serve sets its token from TWILIO_AUTH_TOKEN at every start; change TWILIO_AUTH_TOKEN and restart instead`,
        1,
      );
    }
    return withExistingStore(config, fail, async (store, accounts) => {
      // The same refusal for the account a server on this store recorded it runs as (serve, at start),
      // though this shell's environment does not name it.
      if ((await configuredAccounts(store)).some((recorded) => recorded.toLowerCase() === sid.toLowerCase())) {
        return fail(
          sub === 'delete'
            ? `${sid} is the account a server on this store runs as (its TWILIO_ACCOUNT_SID, recorded when it started): serve creates it again at start, and until then every node refuses it (401); start the servers without TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN first`
            : `${sid} is the account a server on this store runs as (its TWILIO_ACCOUNT_SID, recorded when it started): serve sets its token from TWILIO_AUTH_TOKEN at every start; change TWILIO_AUTH_TOKEN and restart instead`,
          1,
        );
      }
      if (sub === 'rotate-token') {
        const token = await accounts.rotateToken(sid);
        const account = token === null ? undefined : await store.getAccount(sid);
        if (token === null || !account) return fail(`account ${sid} does not exist`, 1);
        if (flags.json) return printAccountJson(account, { authToken: token }), 0;
        console.log(`Account SID: ${sid}\nAuth token:  ${token}\n(The old token no longer works. The new one is shown only once.)`);
        return 0;
      }
      const released = await releaseCarrierAgents(store, sid, config, (line) => console.error(`switchboard accounts delete: warning: ${line}`));
      if (released) console.log(`Took ${released} conversation(s) back from virtual agents first (the account's Twilio carrier removed their connector webhooks).`);
      const deleted = await store.deleteAccount(sid);
      if (deleted === null) return fail(`account ${sid} does not exist`, 1);
      if (deleted.leftoversOnly) {
        // Requests that raced an earlier deletion (a node's read cache still held the account) wrote these.
        console.log(`Purged leftovers of deleted account ${sid}: ${deleted.flows} flow(s), and whatever else still named it (carrier settings, send records).`);
        return 0;
      }
      console.log(`Deleted account ${sid} with ${deleted.apiKeys} API key(s) and ${deleted.flows} flow(s) (their executions, alerts and carrier settings too).`);
      return 0;
    });
  }
  return usageError('accounts', sub, ACCOUNTS_COMMANDS, ACCOUNTS_USAGE);
}

async function keys(sub: string | undefined, flags: Flags, target?: string): Promise<number> {
  // Before its options: `keys revoke` is a mistyped command, not a malformed --account.
  if (sub === undefined || !KEYS_COMMANDS.includes(sub)) return usageError('keys', sub, KEYS_COMMANDS, KEYS_USAGE);
  const fail = failing(`keys ${sub}`);
  if (flags.json !== undefined && sub === 'delete') return fail(`--json is an option of 'keys create' and 'keys list'\n${KEYS_USAGE}`, 2);
  // As stored (lower-case hex): an upper-case copy names the same account.
  const account = flags.account === undefined ? undefined : sidArgument('AC', String(flags.account), '--account');
  if (account && 'problem' in account) return fail(account.problem, 2);
  const accountSid = account?.sid;
  if (sub === 'create') {
    if (accountSid === undefined) return fail(`--account AC… is required (the account the key is for)\n${KEYS_USAGE}`, 2);
    const name = typeof flags['friendly-name'] === 'string' ? flags['friendly-name'] : 'API key';
    const config = loadConfig(flags);
    const missing = missingStore(config);
    if (missing) return fail(missing, 1);
    try {
      const { key, secret } = await withStore(config, (_, accounts) => accounts.createKey(accountSid, name));
      // --json: the listed columns (their date as the API writes it) and the secret, this once.
      if (flags.json) console.log(JSON.stringify({ sid: key.sid, accountSid: key.accountSid, friendlyName: key.friendlyName, dateCreated: isoSeconds(key.dateCreated), secret }, null, 2));
      else console.log(`API key SID: ${key.sid}\nSecret:      ${secret}\n(The secret is shown only once.)`);
      return 0;
    } catch (error) {
      return fail((error as Error).message, 1);
    }
  }
  if (sub === 'list') {
    // Secrets are never listed: only their hashes are kept.
    return withExistingStore(loadConfig(flags), fail, async (store) => {
      if (accountSid !== undefined && !(await store.getAccount(accountSid))) return fail(`account ${accountSid} does not exist`, 1);
      const listed = (await store.listApiKeys())
        .filter((key) => accountSid === undefined || key.accountSid === accountSid)
        .map(({ sid, accountSid, friendlyName, dateCreated }) => ({ sid, accountSid, dateCreated: isoSeconds(dateCreated), friendlyName }));
      // --json: the same columns (never the secret's hash either).
      if (flags.json) console.log(JSON.stringify(listed, null, 2));
      else for (const key of listed) console.log(`${key.sid}  ${key.accountSid}  ${key.dateCreated}  ${key.friendlyName}`);
      return 0;
    });
  }
  if (sub === 'delete') {
    const sid = sidOf('SK', target, KEYS_USAGE, fail);
    if (typeof sid === 'number') return sid;
    return withExistingStore(loadConfig(flags), fail, async (store) => {
      const key = await store.getApiKey(sid);
      if (!key || !(await store.deleteApiKey(sid))) return fail(`API key ${sid} does not exist`, 1);
      console.log(`Deleted API key ${sid} (account ${key.accountSid}): it no longer authenticates.`);
      return 0;
    });
  }
  return usageError('keys', sub, KEYS_COMMANDS, KEYS_USAGE);
}
