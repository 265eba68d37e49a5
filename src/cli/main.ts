// `switchboard` command line: serve, accounts, keys. Each command is a small module.
import { parseArgs } from 'node:util';
import { ConfigError, configFlagOptions } from '../config.ts';
import { serveCommand } from './serve.ts';
import { accountsCommand, keysCommand } from './accounts.ts';
import { simulateCommand } from './simulate.ts';
import { callCommand } from './call.ts';
import { configCommand, configKeyMarkdown, configKeyReference } from './config.ts';
import { testCommand } from './test.ts';
import { flowsCommand } from './flows.ts';
import { replayCommand } from './replay.ts';
import { executionsCommand } from './executions.ts';
import { carrierCommand } from './carrier.ts';
import { migrateStoreCommand } from './migrate-store.ts';

/** Commands that parse their own options (flow tests and flows as code). */
const OWN_OPTIONS: Record<string, (argv: string[]) => Promise<number>> = {
  test: testCommand,
  flows: flowsCommand,
  executions: executionsCommand,
  replay: replayCommand,
  carrier: carrierCommand,
};

const USAGE = `Usage: switchboard <command> [options]

Commands:
  serve                         start the server (embedded SQLite, or PostgreSQL with --database-url:
                                any number of nodes may share one database)
      --port N --host H --public-base-url URL --data-dir DIR
      --invalid-definitions reject|save-as-draft --log-level LEVEL
  accounts create [--friendly-name NAME]   create an account, print its SID and auth token
  accounts list                 list accounts
  keys create --account AC… [--friendly-name NAME]   create an API key (SK…) and print its secret
  simulate <FlowSid|flow.json> [--from +1555…] [--to +1500…]   chat with a flow in the terminal
  call <FlowSid|flow.json> [--from +1555…] [--to +1500…]   call a flow: hear it, press keys, speak
  config [--json] [--keys [--markdown]]   print the effective configuration (secrets masked), or every key
  test [paths…]                 run flow tests (YAML/JSON) on the engine; --record, --update, --reporter
  flows pull|push|diff|validate|export|import|list   flows as code against any Studio-compatible API
  executions list|show|steps|end --flow FW…   inspect and end executions over the REST API
  replay FN… --flow FW… [--revision R]   re-run recorded executions against another revision
  carrier show|set|reset --account AC…   the account's channel: simulator, Twilio carrier or webhook
  migrate-store --from sqlite:<path> --to postgres://…   copy all data into an empty PostgreSQL
      database (--database-schema S); stop the servers first
  (each of these takes --help)

Every command takes every configuration flag (see 'switchboard config --keys') and --config FILE
(default: switchboard.config.json/.yaml in the working directory, or SWITCHBOARD_CONFIG).`;

export async function main(argv: string[]): Promise<number> {
  const own = OWN_OPTIONS[argv[0] ?? ''];
  if (own) return own(argv.slice(1));
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    allowNegative: true, // --no-metrics
    options: {
      // Every configuration key's flag (src/config.ts), plus --config FILE.
      ...configFlagOptions(),
      account: { type: 'string' },
      'friendly-name': { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      json: { type: 'boolean' },
      keys: { type: 'boolean' },
      markdown: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, sub] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return command ? 0 : 1;
  }
  switch (command) {
    case 'serve':
      return serveCommand(values);
    case 'accounts':
      return accountsCommand(sub, values);
    case 'keys':
      return keysCommand(sub, values);
    case 'simulate':
      return simulateCommand(sub, values);
    case 'call':
      return callCommand(sub, values);
    case 'migrate-store':
      return migrateStoreCommand(values);
    case 'config':
      if (values.keys) return console.log(values.markdown ? configKeyMarkdown() : configKeyReference()), 0;
      return configCommand(values);
    default:
      console.error(`unknown command '${command}'\n\n${USAGE}`);
      return 1;
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
    throw error;
  }
}
