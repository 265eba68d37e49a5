// `switchboard --help` (through the npm bin wrapper and main.ts) lists every command commands.ts
// dispatches, one entry each, and exits 0; `help`, `help <command>` and no command at all behave.
// The dispatched commands are read from commands.ts itself, so a new command without a usage line fails here.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { commandNames } from '../../src/cli/commands.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/switchboard.js', import.meta.url));

function run(entry: string, args: string[]) {
  return spawnSync(process.execPath, [entry, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' }, timeout: 60_000 });
}

/** Every command name commands.ts dispatches (its own table), help aside. */
function dispatchedCommands(): string[] {
  const commands = commandNames().filter((name) => name !== 'help');
  assert.ok(commands.length >= 12, `found only ${commands.join(', ')} in commands.ts`);
  return commands.sort();
}

/** The command lines of the usage text: name first, one line each. */
function commandLines(usage: string): string[] {
  const section = usage.split('\nCommands:\n')[1]?.split('\n\n')[0];
  assert.ok(section, usage);
  return section.split('\n');
}

describe('switchboard --help', () => {
  for (const [label, entry] of [['bin/switchboard.js (npx switchboard)', BIN], ['src/cli/main.ts (npm run switchboard)', MAIN]] as const) {
    it(`${label}: every dispatched command, one entry each, exit 0`, () => {
      const result = run(entry, ['--help']);
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /^Usage: switchboard <command> \[options\]/);
      const lines = commandLines(result.stdout);
      // Each entry starts with the command's name at the same indent; a description too long for 110 columns
      // goes on in the description's column.
      const entries = lines.filter((line) => /^ {2}[a-z]/.test(line));
      const listed = entries.map((line) => line.trim().split(/\s/)[0]!);
      assert.deepEqual([...listed].sort(), [...dispatchedCommands(), 'help'].sort());
      // Descriptions start in one column.
      const column = new Set(entries.map((line) => /^ {2}\S.*?\s{2,}(?=\S)/.exec(line)?.[0].length));
      assert.equal(column.size, 1, lines.join('\n'));
      const [indent] = column;
      for (const line of lines.filter((line) => !entries.includes(line))) {
        assert.equal(/^ */.exec(line)![0].length, indent, `a continuation line not in the description column: '${line}'`);
      }
    });
  }

  it('help, help <command>, a command with --help and no command at all', () => {
    const help = run(MAIN, ['help']);
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^Usage: switchboard <command>/);
    // The help command's own --help is that same usage, not "unknown command '--help' (did you mean 'help'?)".
    for (const flag of ['--help', '-h']) {
      const own = run(MAIN, ['help', flag]);
      assert.equal(own.status, 0, `help ${flag}: ${own.stderr}`);
      assert.equal(own.stdout, help.stdout, `help ${flag}`);
    }
    const flows = run(MAIN, ['help', 'flows']);
    assert.equal(flows.status, 0, flows.stderr);
    assert.match(flows.stdout, /^Usage: switchboard flows <command>/);
    // Every command has a help of its own, through --help and through `help <command>`.
    for (const command of dispatchedCommands()) {
      for (const args of [[command, '--help'], ['help', command]]) {
        const own = run(MAIN, args);
        assert.equal(own.status, 0, `${args.join(' ')}: ${own.stderr}`);
        assert.match(own.stdout, new RegExp(`^Usage: switchboard ${command}\\b`), args.join(' '));
      }
    }
    // A command that takes a subcommand, given none: its usage is the error, on stderr (stdout stays empty for a pipe).
    // accounts and keys printed a one-line 'usage: …' instead of their help.
    for (const command of ['flows', 'executions', 'carrier', 'accounts', 'keys']) {
      const bare = run(MAIN, [command]);
      assert.equal(bare.status, 2, `${command} without a subcommand is bad usage`);
      assert.equal(bare.stdout, '', command);
      assert.match(bare.stderr, new RegExp(`^Usage: switchboard ${command}\\b`), command);
    }
    const none = run(MAIN, []);
    assert.equal(none.status, 2, "no command is bad usage");
    assert.match(none.stderr, /^Usage: switchboard <command>/);
    const unknown = run(MAIN, ['frobnicate']);
    assert.equal(unknown.status, 2, "an unknown command is bad usage");
    assert.match(unknown.stderr, /^switchboard: unknown command 'frobnicate'/);
  });
});
