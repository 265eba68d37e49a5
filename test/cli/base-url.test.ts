// A base URL without its scheme (`--base-url 127.0.0.1:49993`) crashed `flows list` and `flows pull`
// with twilio-node's "TypeError: Invalid URL" and a stack; `executions list` (or SWITCHBOARD_URL=
// localhost:49993) said "Unsupported protocol localhost:", exit 3, as if the server were down. Every
// remote command now checks it first: bad usage, one line naming where the URL came from, exit 2.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executionsCommand } from '../../src/cli/executions.ts';
import { flowsCommand } from '../../src/cli/flows.ts';
import { baseUrlProblem } from '../../src/cli/remote.ts';
import { runCliInProcess } from '../support/cli-in-process.ts';

const creds = ['--account-sid', `AC${'0'.repeat(32)}`, '--auth-token', 'token'];
const FLOW = `FW${'0'.repeat(32)}`;

describe('a base URL that is no http(s) URL is bad usage', () => {
  it('--base-url without a scheme: flows list, flows pull, executions list say so in one line, exit 2', async () => {
    const work = mkdtempSync(join(tmpdir(), 'sb-base-url-'));
    try {
      const runs: [string, (argv: string[]) => Promise<number>, string[]][] = [
        ['flows list', flowsCommand, ['list']],
        ['flows pull', flowsCommand, ['pull', '--dir', 'flows']],
        ['executions list', executionsCommand, ['list', '--flow', FLOW]],
        ['executions show', executionsCommand, ['show', `FN${'0'.repeat(32)}`, '--flow', FLOW]],
      ];
      for (const [name, command, args] of runs) {
        const run = await runCliInProcess(command, [...args, '--base-url', '127.0.0.1:49993', ...creds], work);
        assert.equal(run.code, 2, `${name}: ${run.stderr}`);
        assert.equal(run.stderr, `switchboard ${name}: --base-url must be a URL like http://127.0.0.1:4000 ("127.0.0.1:49993" has no http:// or https://)\n`);
        assert.equal(run.stdout, '');
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('SWITCHBOARD_URL=localhost:49993 (a URL whose scheme would be "localhost:") names the variable', async () => {
    const withEnv = (command: (argv: string[]) => Promise<number>) => (argv: string[]) => {
      // Set inside the run: runCliInProcess clears SWITCHBOARD_URL, and restores the environment after.
      process.env.SWITCHBOARD_URL = 'localhost:49993';
      return command(argv);
    };
    for (const [command, args] of [
      [flowsCommand, ['list']],
      [executionsCommand, ['list', '--flow', FLOW]],
    ] as const) {
      const run = await runCliInProcess(withEnv(command), [...args, ...creds], process.cwd());
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /^switchboard (flows|executions) list: SWITCHBOARD_URL must be a URL like http:\/\/127\.0\.0\.1:4000 \("localhost:49993" has no http:\/\/ or https:\/\/\)\n$/);
    }
  });

  it('what a base URL may be', () => {
    for (const good of ['http://127.0.0.1:4000', 'https://studio.twilio.com', 'https://studio.twilio.com/', 'http://[::1]:4000', 'http://sb.internal:8080/switchboard']) {
      assert.equal(baseUrlProblem(good), null, good);
    }
    assert.equal(baseUrlProblem('127.0.0.1:4000'), 'has no http:// or https://');
    assert.equal(baseUrlProblem('localhost:4000'), 'has no http:// or https://');
    assert.equal(baseUrlProblem('localhost'), 'has no http:// or https://');
    assert.equal(baseUrlProblem('ftp://example.com'), 'is not http or https (ftp:)');
    assert.equal(baseUrlProblem('http://'), 'is not a URL');
    assert.match(baseUrlProblem('http://127.0.0.1:4000/?x=1')!, /^has a query or fragment/);
  });
});
