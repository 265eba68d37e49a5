// README "Configuration": arguments a command does not take are refused, exit 2 (bad usage), before
// anything runs. Every command and subcommand is run with one stray argument (and a few with an option
// they do not take); `flows list extra` and `executions list … extra` used to run and exit 0, `help bogus`
// printed the general help with 0. Nothing here needs a server or a store: the refusal comes first.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const FLOW_FILE = fileURLToPath(new URL('../../examples/flows/pizza-order.json', import.meta.url));
const cwd = mkdtempSync(join(tmpdir(), 'sb-stray-'));
after(() => rmSync(cwd, { recursive: true, force: true }));
const AC = 'AC' + '0'.repeat(32);
const SK = 'SK' + '0'.repeat(32);
const FW = 'FW' + '0'.repeat(32);
const FN = 'FN' + '0'.repeat(32);
// Reachable by nothing: a command that got past its usage check would exit 3 (or 1), not 2.
const REMOTE = ['--base-url', 'http://127.0.0.1:9', '--account-sid', AC, '--auth-token', 'x'];
const STORE = ['--data-dir', join(cwd, 'data')];

/** Options a command does not take, first in each line: they would be ignored just the same. */
const NOT_TAKEN = new Set([
  ['serve', '--from', 'extra', '--port', '0', ...STORE],
  // accounts create, list and the rotations take --json; delete does not.
  ['accounts', 'delete', '--json', AC, ...STORE],
  ['carrier', 'show', '--channel', 'extra', '--account', AC, ...STORE],
]);

/** Each command line with a stray 'extra' in it. Commands taking any number of arguments (test paths, flows pull/push/validate, replay FN…) have none to add. */
const CASES: string[][] = [
  ['serve', 'extra', '--port', '0', ...STORE],
  ['config', 'extra'],
  ['accounts', 'create', 'extra', ...STORE],
  ['accounts', 'list', 'extra', ...STORE],
  ['accounts', 'rotate-token', AC, 'extra', ...STORE],
  ['accounts', 'delete', AC, 'extra', ...STORE],
  ['keys', 'create', 'extra', '--account', AC, ...STORE],
  ['keys', 'list', 'extra', ...STORE],
  ['keys', 'delete', SK, 'extra', ...STORE],
  ['simulate', FLOW_FILE, 'extra'],
  ['call', FLOW_FILE, 'extra'],
  ['migrate-store', 'extra', '--from', `sqlite:${join(cwd, 'a.db')}`, '--to', `sqlite:${join(cwd, 'b.db')}`],
  ['test', '--record', 'extra', '--flow', FW, '--out', 'x.test.yaml', ...REMOTE],
  ['flows', 'list', 'extra', ...REMOTE],
  ['flows', 'diff', 'a.json', 'b.json', 'extra', ...REMOTE],
  ['flows', 'export', FW, 'extra', ...REMOTE],
  ['flows', 'import', FLOW_FILE, 'extra', ...REMOTE],
  ['executions', 'list', 'extra', '--flow', FW, ...REMOTE],
  ['executions', 'show', FN, 'extra', '--flow', FW, ...REMOTE],
  ['executions', 'steps', FN, 'extra', '--flow', FW, ...REMOTE],
  ['executions', 'end', FN, 'extra', '--flow', FW, ...REMOTE],
  ['carrier', 'show', 'extra', '--account', AC, ...STORE],
  ['carrier', 'set', 'extra', '--account', AC, '--channel', 'simulator', ...STORE],
  ['carrier', 'reset', 'extra', '--account', AC, ...STORE],
  ['help', 'flows', 'extra'],
  ...NOT_TAKEN,
  // A switch given a value: --json extra would be a stray argument with --json on.
  ['replay', FN, '--flow', FW, '--json', 'false', ...REMOTE],
  ['test', '--coverage', 'false'],
];

function run(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { cwd, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' }, timeout: 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Runs every case, two at a time (one per core), keeping each result with its case. */
async function runAll(cases: string[][]) {
  const results = new Array<Awaited<ReturnType<typeof run>>>(cases.length);
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      results[i] = await run(cases[i]!);
    }
  };
  await Promise.all([worker(), worker()]);
  return results;
}

describe('arguments a command does not take', () => {
  it('every command and subcommand refuses a stray argument: exit 2, naming it, nothing done', async () => {
    const results = await runAll(CASES);
    const wrong: string[] = [];
    for (const [i, args] of CASES.entries()) {
      const { status, stdout, stderr } = results[i]!;
      // What the refusal names: the stray word, or the option not taken (the one just after the command).
      const stray = args.includes('extra') && !NOT_TAKEN.has(args) ? 'extra' : args.includes('false') ? 'false' : args.find((a) => a.startsWith('--'))!;
      if (status !== 2 || !stderr.includes(stray) || stdout !== '') wrong.push(`${args.slice(0, 4).join(' ')}: exit ${status}, stdout ${JSON.stringify(stdout.slice(0, 120))}, stderr ${JSON.stringify(stderr.slice(0, 200))}`);
    }
    assert.deepEqual(wrong, []);
  });

  it('help with an unknown command is bad usage (2), with the usage on stderr', async () => {
    for (const args of [['help', 'bogus'], ['bogus', '--help']]) {
      const { status, stdout, stderr } = await run(args);
      assert.equal(status, 2, args.join(' '));
      assert.equal(stdout, '');
      assert.match(stderr, /^switchboard: unknown command 'bogus'\n\nUsage: switchboard <command>/);
    }
  });
});
