// Each --help says what the command does: `call --help` said "type 'hangup' to hang up" while that line
// is spoken (the tool hangs up on /hangup or Ctrl-D), simulate's did not say an empty line quits, and
// `flows --help` did not say that a push without --status keeps a published flow published (the change
// goes live), nor that the connection comes from the configuration too. executions, accounts, keys,
// simulate and call did not say what their exit codes mean, as flows, replay and backup do.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { callerRequest } from '../../src/cli/call.ts';
import { commandNames, SUBCOMMANDS } from '../../src/cli/commands.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

function help(command: string): string {
  const result = spawnSync(process.execPath, [MAIN, command, '--help'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' }, timeout: 60_000 });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout.replace(/\s+/g, ' ');
}

describe('help texts match the commands', () => {
  it('call: /hangup or Ctrl-D hangs up; a bare "hangup" is speech', () => {
    const text = help('call');
    assert.match(text, /\/hangup or Ctrl-D hangs up/);
    assert.doesNotMatch(text, /'hangup' to hang up/);
    assert.equal(callerRequest('input', 'hangup')?.action, 'Speech');
    // The tool's own check is for the slash command.
    assert.match(readFileSync(fileURLToPath(new URL('../../src/cli/call.ts', import.meta.url)), 'utf8'), /line\.trim\(\) === '\/hangup'/);
    assert.match(text, /empty line for no input/);
  });

  it('call: a ConversationRelay session is ended by a line, as the README says (completed|ended|failed, then handoff data)', () => {
    assert.match(help('call'), /ConversationRelay session: completed, ended or failed, then any handoff data/);
    assert.equal(callerRequest('conversation-relay', 'ended {"reason":"billing"}')?.action, 'ConversationRelay');
  });

  it('simulate: an empty line or Ctrl-D quits', () => {
    assert.match(help('simulate'), /An empty line or Ctrl-D quits/);
  });

  it('flows: push without --status keeps the flow\'s status (published goes live); the connection may come from the configuration', () => {
    const text = help('flows');
    assert.match(text, /Without --status a new flow is a draft and an updated one keeps its status: pushing to a published flow publishes the change/);
    assert.match(text, /accountSid in the config file/);
    assert.match(text, /Every configuration flag and --config FILE are accepted/);
  });

  it('executions, accounts, keys, simulate and call say what their exit codes mean', () => {
    assert.match(help('executions'), /Exit codes: 0 done; 2 bad usage, or the server refused \(credentials, no such flow or execution\); 3 the server could not be reached\./);
    assert.match(help('accounts'), /Exit codes: 0 done; 1 refused or not found \(no such account, TWILIO_ACCOUNT_SID's account, no store in --data-dir: only create makes one\); 2 bad usage\./);
    assert.match(help('keys'), /Exit codes: 0 done; 1 refused or not found \(no such account or key, no store in --data-dir\); 2 bad usage\./);
    // A FlowSid cut short or mistyped (FWbad, no such file) is bad usage, as a malformed SID is in every command.
    for (const [command, done] of [['simulate', '0 quit'], ['call', '0 hung up']]) {
      assert.match(help(command!), new RegExp(`Exit codes: ${done}; 1 the flow cannot be found or loaded \\(no such flow or file, .*; 2 bad usage \\(no flow named, or one written as a FlowSid that is none: FW followed by 32 hex characters, and no such file\\)\\.`));
    }
  });

  it('carrier: the store comes from the configuration, --database-url included', () => {
    assert.match(help('carrier'), /--database-url URL .*every configuration flag is accepted/);
  });

  // serve, config and migrate-store said nothing of them, and backup's called them 'Exit status' and usage '2 usage'.
  it('serve, config, migrate-store, backup and replay say what their exit codes mean, in the words the others use', () => {
    // replay's were in --fail-on-divergence's line only.
    assert.match(help('replay'), /Exit codes: 0 replayed \(diverging or not, without --fail-on-divergence\); 1 a replay diverged, with --fail-on-divergence; 2 bad usage, or the server refused \(credentials, no such flow, execution or revision: an execution it has not, or will not replay, is named and the others are replayed all the same\); 3 the server could not be reached\./);
    assert.match(help('serve'), /Exit codes: 0 stopped by SIGINT, SIGTERM or SIGHUP once drained; 1 cannot start .*; 2 bad usage or an invalid configuration\./);
    assert.match(help('config'), /Exit codes: 0 printed \(a bad value another source overrides is a warning\); 2 bad usage or an invalid configuration\./);
    assert.match(help('migrate-store'), /Exit codes: 0 copied; 1 failed \(.*a copy that does not match the source\); 2 bad usage \(--from or --to missing or miswritten, no SQLite database at --from\)\./);
    assert.match(help('backup'), /Exit codes: 0 backed up; 1 failed \(FILE is left as it was\); 2 bad usage\./);
  });

  it('carrier says what its exit codes mean, as accounts and keys do', () => {
    assert.match(help('carrier'), /Exit codes: 0 done; 1 refused or not found \(no such account, no store in --data-dir, a store an older\sSwitchboard made\); 2 bad usage/);
  });

  // flows' exit-code list gained push's server changes on one 160-column line, and test's settings paragraph
  // the outbound policy without saying that its default is serve's, not npm start's dev mode. Only flows and
  // test were held to 110 columns; the general usage, config, accounts, keys, simulate, call, migrate-store
  // and test --record had lines of 111 to 153. Every help is now, read from commands.ts's own tables: each
  // command's (--help and `help <command>`), each subcommand's (`flows push --help`), and help's itself.
  it('every --help of every command and subcommand fits 110 columns', async () => {
    const asks: string[][] = [['--help'], ['help'], ['help', '--help']];
    for (const command of commandNames()) {
      asks.push([command, '--help']);
      if (command !== 'help') asks.push(['help', command]);
      for (const sub of (await SUBCOMMANDS[command]?.()) ?? []) asks.push([command, sub, '--help']);
    }
    // Each subcommand table is read: a command losing its table's entry would drop its subcommands unnoticed.
    for (const command of ['accounts', 'keys', 'flows', 'executions', 'carrier', 'test']) {
      assert.ok(asks.some((args) => args.length === 3 && args[0] === command), command);
    }
    const outputs = await inBatches(asks, 4, async (args) => {
      const result = await run(args);
      assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stdout, /^Usage: switchboard /, args.join(' '));
      return result.stdout;
    });
    const long = asks.flatMap((args, i) => outputs[i]!.split('\n').filter((line) => [...line].length > 110).map((line) => `${args.join(' ')}: ${line}`));
    assert.deepEqual(long, []);
  });

  it('test says the outbound policy defaults to serve\'s, not dev mode', () => {
    assert.match(help('test'), /--http-deny; by default serve's, not in dev mode, though npm start runs serve --dev/);
  });
});

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

/** fn over items, at most `width` at a time, results in the items' order. */
async function inBatches<T, R>(items: T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += width) results.push(...(await Promise.all(items.slice(i, i + width).map(fn))));
  return results;
}
