// `switchboard carrier show|set|reset --account AC…`: an account's channel (simulator, the real
// Twilio carrier, or a plain webhook), written to the store directly like `accounts`. A running
// server picks the change up on its next send; no restart needed.
import { missingStore, openCliStore, refusingOlderSchema } from './cli-store.ts';
import { configFlagOptions, loadConfig } from '../config.ts';
import { booleanWithValue, extraArguments, optionNotTaken, parseStrict, switchWithWord, unknownCommandMessage } from './stray-arguments.ts';
import {
  CarrierConfigError,
  describeCarrier,
  loadCarrierConfig,
  parseCarrierInput,
  saveCarrierConfig,
  SIMULATOR,
  type CarrierInput,
} from '../channels/twilio/carrier-config.ts';
import { sidArgument } from './sid-argument.ts';
import type { Store } from '../runtime/ports/store.ts';

type Flags = Record<string, string | boolean | undefined>;

export const CARRIER_USAGE = `Usage: switchboard carrier <show|set|reset> --account AC… [options] [--json]

  show                     print the account's channel configuration as JSON (secrets are not shown)
  set --channel twilio --upstream-account-sid AC… --auth-token TOKEN
      [--api-key-sid SK… --api-key-secret SECRET]   REST calls with an API key instead of the token
      [--api-base-url URL]            default https://api.twilio.com
      [--conversations-base-url URL]  default https://conversations.twilio.com
      [--taskrouter-base-url URL]     default https://taskrouter.twilio.com (send-to-flex)
      [--taskrouter-workspace-sid WS…]  default: the workspace that holds the flow's workflow
      [--flex-api-base-url URL]       default https://flex-api.twilio.com (send-to-flex in Conversations)
      [--status-callback-base-url URL]  default: the server's --public-base-url
      [--virtual-agent-url URL]       Connect Virtual Agent in Conversations: the connector's webhook URL
  set --channel webhook --webhook-url URL
      [--status-callback-base-url URL]  default: the server's --public-base-url
  set --channel simulator
  set [options]            without --channel: update only the options given, keep the rest
                           (an empty value, e.g. --status-callback-base-url '', restores the default)
  reset                    back to the simulator
  --json                   accepted by each, as by the other commands: show and set print JSON anyway (the
                           configuration), and reset then prints the configuration as JSON too

--channel naming another channel configures it afresh (its required options must be given);
naming the channel in use, or omitting it, updates the current configuration.
The auth token is required with an API key too: Twilio signs webhooks with it.
The store written is the configuration's, as for every command: --data-dir DIR, or --database-url URL
(with --database-schema S) for PostgreSQL, from the flags, the environment or --config FILE; every
configuration flag is accepted.
Exit codes: 0 done; 1 refused or not found (no such account, no store in --data-dir, a store an older
Switchboard made); 2 bad usage (a malformed --account, an option value the channel refuses).`;

export const COMMANDS = ['show', 'set', 'reset'];

const FLAG_TO_FIELD: Record<string, keyof CarrierInput> = {
  channel: 'Channel',
  'upstream-account-sid': 'UpstreamAccountSid',
  'auth-token': 'AuthToken',
  'api-key-sid': 'ApiKeySid',
  'api-key-secret': 'ApiKeySecret',
  'api-base-url': 'ApiBaseUrl',
  'conversations-base-url': 'ConversationsBaseUrl',
  'taskrouter-base-url': 'TaskRouterBaseUrl',
  'taskrouter-workspace-sid': 'TaskRouterWorkspaceSid',
  'flex-api-base-url': 'FlexApiBaseUrl',
  'status-callback-base-url': 'StatusCallbackBaseUrl',
  'virtual-agent-url': 'VirtualAgentUrl',
  'webhook-url': 'WebhookUrl',
};

export async function carrierCommand(argv: string[]): Promise<number> {
  // Every configuration flag, as every command takes them: --data-dir or --database-url picks the store.
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    ...configFlagOptions(),
    account: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  };
  for (const flag of Object.keys(FLAG_TO_FIELD)) options[flag] = { type: 'string' };
  // One line, as commands.ts and the other commands say a bad option or argument (the usage follows an unknown subcommand only).
  const usage = (problem: string) => {
    console.error(`switchboard: ${problem}`);
    return 2;
  };
  const early = booleanWithValue(argv, options);
  if (early) return usage(early);
  let parsed;
  try {
    // parseStrict: a mistyped option is named with the closest one (`--acount` → --account).
    parsed = parseStrict({ args: argv, allowPositionals: true, strict: true, allowNegative: true, tokens: true, options });
  } catch (error) {
    return usage((error as Error).message);
  }
  const { values, positionals, tokens } = parsed;
  const sub = positionals[0];
  if (values.help || !sub) {
    // Asked for, the usage is the answer (stdout, 0); missing a subcommand, it is the error (stderr, 2).
    if (!values.help) {
      console.error(CARRIER_USAGE);
      return 2;
    }
    console.log(CARRIER_USAGE);
    return 0;
  }
  // Before its options: `carrier shwo` is a mistyped command, not a missing --account.
  if (!COMMANDS.includes(sub)) {
    console.error(`${unknownCommandMessage('switchboard carrier: ', sub, COMMANDS)}\n\n${CARRIER_USAGE}`);
    return 2;
  }
  // show and reset take none of set's channel options: given, they would be ignored without a word.
  const channelFlags = sub === 'set' ? [] : Object.keys(FLAG_TO_FIELD);
  const stray =
    switchWithWord(tokens, options) ??
    extraArguments(`carrier ${sub}`, positionals.slice(1), 0) ??
    optionNotTaken(`carrier ${sub}`, tokens, new Set(Object.keys(options).filter((name) => !channelFlags.includes(name))));
  if (stray) return usage(stray);
  // As accounts and keys: 2 for bad usage, 1 for what is refused or not found in the store.
  const fail = (problem: string, code: 1 | 2 = 2) => {
    console.error(`switchboard carrier ${sub}: ${problem}`);
    return code;
  };
  const given = values.account;
  if (typeof given !== 'string') return fail('--account AC… is required (the Switchboard account whose flows use this channel)');
  // As stored (lower-case hex, as Twilio writes SIDs): an upper-case copy names the same account.
  const checked = sidArgument('AC', given, '--account');
  if ('problem' in checked) return fail(checked.problem);
  const account = checked.sid;
  const config = loadConfig(values);
  // The account must be in the store already: a mistyped --data-dir gets no new, empty database.
  const missing = missingStore(config);
  if (missing) return fail(missing, 1);
  return refusingOlderSchema(async () => carrierOn(await openCliStore(config), sub, account, values, fail));
}

async function carrierOn(store: Store, sub: string, account: string, values: Flags, fail: (problem: string, code?: 1 | 2) => number): Promise<number> {
  try {
    if (!(await store.getAccount(account))) return fail(`account ${account} does not exist in this store ('switchboard accounts list' lists them)`, 1);
    if (sub === 'show') {
      console.log(JSON.stringify(describeCarrier(account, await loadCarrierConfig(store, account)), null, 2));
      return 0;
    }
    if (sub === 'reset') {
      await saveCarrierConfig(store, account, SIMULATOR);
      console.log(values.json ? JSON.stringify(describeCarrier(account, SIMULATOR), null, 2) : `${account}: simulator`);
      return 0;
    }
    const input: CarrierInput = {};
    for (const [flag, field] of Object.entries(FLAG_TO_FIELD)) {
      const value = values[flag];
      if (typeof value === 'string') input[field] = value;
    }
    try {
      const config = parseCarrierInput(input, await loadCarrierConfig(store, account));
      await saveCarrierConfig(store, account, config);
      console.log(JSON.stringify(describeCarrier(account, config), null, 2));
      return 0;
    } catch (error) {
      if (error instanceof CarrierConfigError) {
        return fail(`--${Object.entries(FLAG_TO_FIELD).find(([, field]) => field === error.field)?.[0] ?? error.field}: ${error.message}`);
      }
      throw error;
    }
  } finally {
    await store.close();
  }
}
