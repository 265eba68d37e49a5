// `switchboard` command line (started by ./main.ts): one small module per command; USAGE lists every command
// dispatched here. Each command's module is imported when that command runs: the server's (Fastify, the stores)
// takes over a second to load, which `flows list` or a usage error need not wait for.
import { ConfigError, configFlagOptions } from '../config.ts';
import { booleanWithValue, optionNotTaken, parseStrict, strayArgument, unknownCommandMessage } from './stray-arguments.ts';
import { unexpectedProblem } from './startup-errors.ts';
import { BACKUP_HELP } from './backup.ts';
import { npmRunDirectory } from './npm-run-directory.ts';

// The engine's dates do not need this (Liquid prints through src/engine/liquid/strftime.ts, whatever TZ is),
// nor do the CLI's date options (read as UTC, as Studio's GMT dates are). Kept so that pino-pretty prints a
// terminal log's clock in UTC, the zone of every date the API and the console show.
process.env.TZ = 'UTC';

/** Commands that parse their own options (flow tests and flows as code). */
const OWN_OPTIONS: Record<string, (argv: string[]) => Promise<number>> = {
  test: async (argv) => (await import('./test.ts')).testCommand(argv),
  flows: async (argv) => (await import('./flows.ts')).flowsCommand(argv),
  executions: async (argv) => (await import('./executions.ts')).executionsCommand(argv),
  replay: async (argv) => (await import('./replay.ts')).replayCommand(argv),
  carrier: async (argv) => (await import('./carrier.ts')).carrierCommand(argv),
};

const USAGE = `Usage: switchboard <command> [options]

Commands:
  serve                                  start the server (embedded SQLite, or PostgreSQL
                                         shared by many nodes)
  config [--json] [--keys [--markdown]]  print the effective configuration (secrets masked), or every key
  accounts <command>                     accounts: create (prints its SID and auth token), list,
                                         rotate-token AC…, rotate-callback-secret AC…, delete AC…
  keys <command>                         API keys (SK…): create --account AC… (prints its secret once),
                                         list, delete SK…
  simulate <FlowSid|flow.json>           chat with a flow in the terminal (--from +1555…, --to +1500…)
  call <FlowSid|flow.json>               call a flow: hear it, press keys, speak (--from, --to)
  test [paths…]                          run flow tests (YAML/JSON) on the engine; --record, --update
  flows <command>                        flows as code: list, pull, push, diff, validate, export, import
  executions <command> --flow FW…        inspect and end executions over the REST API: list, show, steps, end
  replay FN… --flow FW…                  re-run recorded executions against another revision (--revision R)
  carrier <command> --account AC…        an account's channel (simulator, Twilio, webhook): show, set, reset
  migrate-store --from S --to S          copy every record into an empty store (sqlite:<path> or postgres://…)
  backup --to FILE                       a consistent copy of the SQLite database (--data-dir),
                                         safe while a server runs
  help [command]                         this list, or a command's own help

serve: --port N --host H --public-base-url URL --data-dir DIR --database-url URL --log-level LEVEL
       --invalid-definitions reject|save-as-draft
migrate-store: stop every server using either store first; --database-schema S picks the PostgreSQL schema.
Every command takes --help (or: switchboard help <command>) for its own options.

Every command takes every configuration flag (see 'switchboard config --keys') and --config FILE
(default: switchboard.config.json/.yaml in the working directory, or SWITCHBOARD_CONFIG).`;

/** `switchboard <command> --help` for the commands parsed here (the others print their own). */
const COMMAND_HELP: Record<string, string> = {
  serve: `Usage: switchboard serve [configuration flags]

Starts the server: the Studio REST API (v1, v2), flow webhooks, the simulator and the web console.
  --port N                 HTTP port (default 4000; 0 picks a free one)
  --host H                 interface to listen on (default 127.0.0.1)
  --public-base-url URL    base of every URL in responses, signatures and callbacks (behind a proxy)
  --data-dir DIR           where the embedded SQLite database lives (default ./data)
  --database-url URL       use PostgreSQL instead (any number of nodes may share it)
  --dev                    development mode: flows may call private addresses, no execution rate limits
Every configuration key has a flag: 'switchboard config --keys' lists them.
Exit codes: 0 stopped by SIGINT, SIGTERM or SIGHUP once drained; 1 cannot start (the port, the store: one line
saying why), or a shutdown that failed or took too long; 2 bad usage or an invalid configuration.`,
  config: `Usage: switchboard config [--json] | config --keys [--markdown]

Prints the effective configuration (each value and where it came from; secrets masked), or with --keys every
configuration key: flag, environment variable, config-file key, default and meaning.
Exit codes: 0 printed (a bad value another source overrides is a warning); 2 bad usage or an invalid
configuration.`,
  accounts: `Usage: switchboard accounts create [--friendly-name NAME] [--json] | list [--json] | rotate-token AC… [--json]
       | rotate-callback-secret AC… [--grace DURATION] [--json] | delete AC…

create makes an account and prints its SID and auth token; list prints every account (--json: as JSON, with
its creation date; never a token).
rotate-token gives the account a new auth token and prints it once: the old one stops working.
rotate-callback-secret gives the account a new callback secret (the key of its calls' callback URLs, never
shown): new URLs use it at once; those calls in progress hold stay accepted for --grace (default 24h, the
longest a Twilio call lasts; 30m, 2h, 1d; 0 refuses them at once, after a leak).
delete removes the account with its API keys, flows, executions, alerts and carrier settings.
--json: create, rotate-token and rotate-callback-secret print one JSON object: sid, friendlyName, dateCreated
(as the API writes dates: 2026-05-04T18:30:00Z), and authToken (create, rotate-token: shown this once) or
previousSecretAcceptedUntil (rotate-callback-secret: null with --grace 0; the secret itself is never shown).
Neither rotate-token nor delete works on the account of TWILIO_ACCOUNT_SID, which serve recreates (with
TWILIO_AUTH_TOKEN) at start.
A running server using the store notices within its read-cache time (--read-cache-ms, 1 s by default).
Uses the store of the configuration (--data-dir or --database-url).
Exit codes: 0 done; 1 refused or not found (no such account, TWILIO_ACCOUNT_SID's account, no store in
--data-dir: only create makes one); 2 bad usage.`,
  keys: `Usage: switchboard keys create --account AC… [--friendly-name NAME] [--json] | list [--account AC…] [--json]
       | delete SK…

create makes an API key (SK…) for the account and prints its secret once (only its hash is kept); --json as
one JSON object: sid, accountSid, friendlyName, dateCreated (2026-05-04T18:30:00Z, as the API writes dates),
secret.
list prints every key (SID, account, creation date, name; never a secret), or the account's; --json as JSON.
delete revokes a key: a running server using the store refuses it within its read-cache time (1 s by default).
Exit codes: 0 done; 1 refused or not found (no such account or key, no store in --data-dir); 2 bad usage.`,
  simulate: `Usage: switchboard simulate <FlowSid|flow.json> [--from +1555…] [--to +1500…] [--vars FILE]
                          [--strict-outbound]

Chat with a flow in the terminal: each line you type is a message from --from; the flow's replies and steps
are printed as they happen, and under a failure transition its reason. An empty line or Ctrl-D quits.
'/timeout' makes what waits for your reply (a Send & Wait For Reply's timeout) time out now.
While a virtual agent has the conversation (Connect Virtual Agent, channel conversations) a line says so, and
'/agent [completed|live-agent-handoff|failed] [provider data]' ends its session as the agent would.
A file runs as a published flow in a throw-away in-memory store.
  --vars FILE              values (JSON or YAML) for the file's deploy-time \${…} placeholders (a flow kept
                           as a Terraform template), filled in before it is published
  --strict-outbound        simulate runs in dev mode like 'npm start' (flows may call localhost and private
                           addresses); this applies the server's strict outbound policy instead
                           (so does --no-dev)
Exit codes: 0 quit; 1 the flow cannot be found or loaded (no such flow or file, an invalid definition); 2 bad
usage (no flow named, or one written as a FlowSid that is none: FW followed by 32 hex characters, and no such
file).`,
  call: `Usage: switchboard call <FlowSid|flow.json> [--from +1555…] [--to +1500…] [--vars FILE]
                      [--strict-outbound] [--no-timeouts]

Call a flow in the terminal: what it says is printed, with each step; a line in brackets says what the call
waits for. At a menu type digits (0-9 * #) to press keys, other text to speak, an empty line for no input;
at a recording prompt its length in seconds (empty: 5, 0: silence); at a dial, queue, payment or virtual
agent the outcome named in the brackets (empty: the first); at a ConversationRelay session: completed, ended
or failed, then any handoff data (ended {"reason":"billing"}; empty: completed). /hangup or Ctrl-D hangs up.
A menu or recording left without a line times out after its timeout, as on a phone. On hold (the flow at work,
e.g. a slow HTTP request) the call goes on by itself; Ctrl-D then hangs up once the call waits for the caller.
A file runs as a published flow in a throw-away in-memory store.
  --vars FILE              values (JSON or YAML) for the file's deploy-time \${…} placeholders (a flow kept
                           as a Terraform template), filled in before it is published
  --no-timeouts            menus and recordings wait for a line instead of timing out (step by step)
  --strict-outbound        call runs in dev mode like 'npm start' (flows may call localhost and private
                           addresses); this applies the server's strict outbound policy instead
                           (so does --no-dev)
Exit codes: 0 hung up; 1 the flow cannot be found or loaded (no such flow or file, an invalid definition)
or was never published; 2 bad usage (no flow named, or one written as a FlowSid that is none: FW followed by
32 hex characters, and no such file).`,
  'migrate-store': `Usage: switchboard migrate-store --from sqlite:<path>|postgres://… --to sqlite:<path>|postgres://…

Copies every record into an empty store and checks the counts. Stop every server using either store first;
--database-schema S picks the PostgreSQL schema.
Exit codes: 0 copied; 1 failed (a store it cannot use or a server holds, a target that already holds data, a
schema an older Switchboard made, a copy that does not match the source); 2 bad usage (--from or --to missing
or miswritten, no SQLite database at --from).`,
  backup: BACKUP_HELP,
};

/**
 * Positionals each command parsed here takes, its own name included (`accounts create`: 2); a
 * subcommand with an argument of its own by command and subcommand (`keys delete SK…`: 3).
 */
const POSITIONALS: Record<string, number> = {
  serve: 1,
  config: 1,
  'migrate-store': 1,
  backup: 1,
  accounts: 2,
  'accounts rotate-token': 3,
  'accounts rotate-callback-secret': 3,
  'accounts delete': 3,
  keys: 2,
  'keys delete': 3,
  simulate: 2,
  call: 2,
};

/** Options of its own each command parsed here takes, besides every configuration flag, --config and --help. */
const OWN_FLAGS: Record<string, string[]> = {
  serve: [],
  config: ['json', 'keys', 'markdown'],
  'migrate-store': ['from', 'to'],
  backup: ['to', 'force'],
  accounts: ['friendly-name', 'grace', 'json'],
  keys: ['account', 'friendly-name', 'json'],
  simulate: ['from', 'to', 'strict-outbound', 'vars'],
  call: ['from', 'to', 'strict-outbound', 'timeouts', 'vars'],
};

function usageError(problem: string): number {
  console.error(`switchboard: ${problem}`);
  return 2;
}

export async function main(argv: string[]): Promise<number> {
  const own = OWN_OPTIONS[argv[0] ?? ''];
  if (own) return own(argv.slice(1));
  if (argv[0] === 'help') {
    // `switchboard help --help` is the help's own help: the general usage, as `help` alone (not "unknown command '--help'").
    if (argv.length === 2 && (argv[1] === '--help' || argv[1] === '-h')) argv = ['help'];
    // `switchboard help flows` is `switchboard flows --help`; the other commands are all in USAGE.
    if (argv.length > 2) return usageError(`help takes one command, got ${argv.slice(1).map((a) => `'${a}'`).join(' ')}`);
    const named = OWN_OPTIONS[argv[1] ?? ''];
    if (named) return named(['--help']);
    if (argv[1] !== undefined && !COMMAND_HELP[argv[1]]) return unknownCommand(argv[1]);
    console.log(COMMAND_HELP[argv[1] ?? ''] ?? USAGE);
    return 0;
  }
  const options = {
    // Every configuration key's flag (src/config.ts), plus --config FILE.
    ...configFlagOptions(),
    account: { type: 'string' },
    'friendly-name': { type: 'string' },
    grace: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    'strict-outbound': { type: 'boolean' },
    timeouts: { type: 'boolean' },
    vars: { type: 'string' },
    json: { type: 'boolean' },
    keys: { type: 'boolean' },
    markdown: { type: 'boolean' },
    force: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  } as const satisfies Record<string, { type: 'string' | 'boolean'; short?: string }>;
  const misread = booleanWithValue(argv, options);
  if (misread) return usageError(misread);
  const { values, positionals, tokens } = parseStrict({
    args: argv,
    allowPositionals: true,
    strict: true,
    allowNegative: true, // --no-metrics
    tokens: true,
    options,
  });
  // `serve --dev false` would otherwise run with --dev ON and 'false' ignored.
  const allowed = POSITIONALS[`${positionals[0]} ${positionals[1]}`] ?? POSITIONALS[positionals[0] ?? ''] ?? Infinity;
  const stray = strayArgument(tokens, options, positionals[0] ?? '', allowed);
  // A mistyped subcommand given its SID (`keys del SK…`) is told by the command, the closest one named.
  const mistyped = (positionals[0] === 'accounts' || positionals[0] === 'keys') && positionals[1] !== undefined && !(await import('./accounts.ts')).isSubcommand(positionals[0], positionals[1]);
  if (stray && !mistyped) return usageError(stray);
  const [command, sub, target] = positionals;
  // `switchboard frobnicate --help` is an unknown command, not the general help with exit 0.
  if (command !== undefined && !OWN_FLAGS[command]) return unknownCommand(command);
  // An option the command does not take would be ignored without a word (`serve --from +1555…`).
  const notTaken = command && optionNotTaken(command, tokens, new Set([...Object.keys(configFlagOptions()), 'help', ...OWN_FLAGS[command]!]));
  if (notTaken) return usageError(notTaken);
  if (values.help) {
    console.log(COMMAND_HELP[command ?? ''] ?? USAGE);
    return 0;
  }
  if (!command) {
    console.error(USAGE);
    return 2; // bad usage, as in every command
  }
  // Missing a subcommand, its usage is the error (stderr, 2), as for flows, executions and carrier.
  if ((command === 'accounts' || command === 'keys') && sub === undefined) {
    console.error(COMMAND_HELP[command]);
    return 2;
  }
  switch (command) {
    case 'serve':
      return (await import('./serve.ts')).serveCommand(values);
    case 'accounts':
      return (await import('./accounts.ts')).accountsCommand(sub, values, target);
    case 'keys':
      return (await import('./accounts.ts')).keysCommand(sub, values, target);
    case 'simulate':
      return (await import('./simulate.ts')).simulateCommand(sub, values);
    case 'call':
      return (await import('./call.ts')).callCommand(sub, values);
    case 'migrate-store':
      return (await import('./migrate-store.ts')).migrateStoreCommand(values);
    case 'backup':
      return (await import('./backup.ts')).backupCommand(values);
    case 'config': {
      const { configCommand, configKeyMarkdown, configKeyReference } = await import('./config.ts');
      if (values.keys) return console.log(values.markdown ? configKeyMarkdown() : configKeyReference()), 0;
      return configCommand(values);
    }
    default:
      return unknownCommand(command);
  }
}

/** Every command `switchboard` takes: those parsing their own options, those parsed here, and help. */
export function commandNames(): string[] {
  return [...Object.keys(OWN_OPTIONS), ...Object.keys(OWN_FLAGS), 'help'];
}

/**
 * The helps a command has besides its own --help, by the names its module dispatches on (imported only when
 * asked): each subcommand's (`flows push --help`), and test's --record mode's. test/cli/help-texts.test.ts runs
 * every one of them, with every command's --help, to hold them to 110 columns: a command that gains
 * subcommands names them here.
 */
export const SUBCOMMANDS: Record<string, () => Promise<readonly string[]>> = {
  accounts: async () => (await import('./accounts.ts')).ACCOUNTS_COMMANDS,
  keys: async () => (await import('./accounts.ts')).KEYS_COMMANDS,
  flows: async () => Object.keys((await import('./flows.ts')).SUBCOMMANDS),
  executions: async () => (await import('./executions.ts')).COMMANDS,
  carrier: async () => (await import('./carrier.ts')).COMMANDS,
  test: async () => ['--record'],
};

/** Words typed as commands that are another command's option or subcommand (`switchboard record`). */
const PART_OF: Record<string, string> = {
  record: 'test --record',
  update: 'test --update',
  watch: 'test --watch',
  pull: 'flows pull',
  push: 'flows push',
  diff: 'flows diff',
  validate: 'flows validate',
};

function unknownCommand(command: string): number {
  const meant = Object.hasOwn(PART_OF, command) ? `switchboard: unknown command '${command}' (did you mean 'switchboard ${PART_OF[command]}'?)` : undefined;
  console.error(`${meant ?? unknownCommandMessage('switchboard: ', command, commandNames())}\n\n${USAGE}`);
  return 2;
}

/** Runs the command line (main.ts, once Node's compile cache is on); importing this module runs nothing. */
export async function run(): Promise<void> {
  // Relative paths, ./data and the config file are read from where `npm run switchboard` was typed.
  const typedIn = npmRunDirectory();
  if (typedIn) {
    try {
      process.chdir(typedIn);
    } catch (error) {
      console.error(`switchboard: cannot work from ${typedIn}, where npm run was started (${(error as Error).message}): working from ${process.cwd()}`);
    }
  }

  try {
    const code = await main(process.argv.slice(2));
    if (code !== 0) process.exitCode = code;
  } catch (error) {
    if (error instanceof ConfigError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`switchboard: ${(error as Error).message}`);
      process.exitCode = 2;
    } else {
      // Any other failure (a store that cannot be opened by `accounts`, …): one line, the stack on request.
      const debug = /^(debug|trace)$/.test(process.env.LOG_LEVEL ?? '') || /(^|\s)--log-level[= ](debug|trace)(\s|$)/.test(process.argv.slice(2).join(' '));
      console.error(`switchboard: ${unexpectedProblem(error)}${debug ? '' : ' (--log-level debug shows where)'}`);
      if (debug && error instanceof Error && error.stack) console.error(error.stack);
      process.exitCode = 1;
    }
  }
}
