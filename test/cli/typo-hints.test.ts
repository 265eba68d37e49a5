// A mistyped command or option names what was probably meant. `flows list --jsn` used to print Node's
// "To specify a positional argument starting with a '-', place it at the end of the command after '--'",
// advice that misleads for a typo; `switchboard tets` and `flows lst` named nothing. Nothing here needs a
// server: the usage check comes before any connection.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCliInProcess } from '../support/cli-in-process.ts';
import { flowsCommand } from '../../src/cli/flows.ts';
import { executionsCommand } from '../../src/cli/executions.ts';
import { testCommand } from '../../src/cli/test.ts';
import { accountsCommand, keysCommand } from '../../src/cli/accounts.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const cwd = mkdtempSync(join(tmpdir(), 'sb-typo-'));
after(() => rmSync(cwd, { recursive: true, force: true }));
const FW = 'FW' + '0'.repeat(32);

async function refused(command: (argv: string[]) => Promise<number>, args: string[]): Promise<string> {
  const run = await runCliInProcess(command, args, cwd);
  assert.equal(run.code, 2, run.stdout + run.stderr);
  return run.stderr;
}

describe('typo hints', () => {
  it('an unknown option names the closest one the command takes, without the positional advice', async () => {
    const flows = await refused(flowsCommand, ['list', '--jsn']);
    assert.match(flows, /unknown option '--jsn' \(did you mean --json\?\)/);
    assert.doesNotMatch(flows, /positional argument/);
    assert.match(await refused(testCommand, ['--grepp', 'x']), /unknown option '--grepp' \(did you mean --grep\?\)/);
    assert.match(await refused(executionsCommand, ['list', '--flow', FW, '--limt', '3']), /did you mean --limit\?/);
    // test --record read its options with parseArgs' own words ("Unknown option '--flwo'. To specify a positional…").
    const record = await refused(testCommand, ['--record', '--flwo', FW, '--out', 'x.test.yaml']);
    assert.match(record, /unknown option '--flwo' \(did you mean --flow\?\)/);
    assert.doesNotMatch(record, /positional argument/);
    assert.equal(await refused(testCommand, ['--record', 'extra', '--flow', FW, '--out', 'x.test.yaml']), "switchboard: test --record takes no arguments, got 'extra'\n");
  });

  it('an option nothing resembles says where the options are listed', async () => {
    const stderr = await refused(flowsCommand, ['list', '--frobnicate']);
    assert.match(stderr, /unknown option '--frobnicate' \(--help lists the options/);
    assert.doesNotMatch(stderr, /did you mean/);
  });

  it('a mistyped subcommand names the closest one', async () => {
    assert.match(await refused(flowsCommand, ['lst']), /switchboard flows: unknown command 'lst' \(did you mean 'list'\?\)/);
    assert.match(await refused(flowsCommand, ['vaildate']), /did you mean 'validate'\?/);
    assert.match(await refused(executionsCommand, ['stpes', 'FN1', '--flow', FW]), /did you mean 'steps'\?/);
  });

  it('a subcommand cut short names every one it begins, not a nearer-looking other (accounts rotate named create)', async () => {
    const accounts = await refused(() => accountsCommand('rotate', {}), []);
    assert.match(accounts, /^switchboard accounts: unknown command 'rotate' \(did you mean 'rotate-token' or 'rotate-callback-secret'\?\)\n/);
    assert.match(await refused(() => keysCommand('del', {}), []), /^switchboard keys: unknown command 'del' \(did you mean 'delete'\?\)/);
    assert.match(await refused(flowsCommand, ['val']), /unknown command 'val' \(did you mean 'validate'\?\)/);
  });

  it('a mistyped command names the closest one, a swapped pair of letters first', () => {
    for (const [typed, meant] of [['tets', 'test'], ['flow', 'flows'], ['execution', 'executions'], ['serv', 'serve']]) {
      const run = spawnSync(process.execPath, [MAIN, typed!], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      assert.equal(run.status, 2, run.stderr);
      assert.match(run.stderr, new RegExp(`^switchboard: unknown command '${typed}' \\(did you mean '${meant}'\\?\\)`));
    }
    // Another command's option or subcommand typed as a command names it (`switchboard record` named nothing).
    for (const [typed, meant] of [['record', 'test --record'], ['push', 'flows push']]) {
      const run = spawnSync(process.execPath, [MAIN, typed!, '--help'], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      assert.equal(run.status, 2, run.stderr);
      assert.match(run.stderr, new RegExp(`^switchboard: unknown command '${typed}' \\(did you mean 'switchboard ${meant}'\\?\\)\n`));
    }
    const none = spawnSync(process.execPath, [MAIN, 'zzzzzzzz'], { cwd, encoding: 'utf8' });
    assert.equal(none.status, 2);
    assert.match(none.stderr, /unknown command 'zzzzzzzz'\n/);
  });
});
