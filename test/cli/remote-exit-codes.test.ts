// `executions` and `replay` exit like `flows`: 1 is an answer (replay --fail-on-divergence: a replay
// diverged), so a refused request (bad credentials, an unknown SID) is 2, an unreachable server 3.
// A --base-url host is reached exactly as given, whatever its number of labels.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import dns from 'node:dns';
import { executionsCommand } from '../../src/cli/executions.ts';
import { flowsCommand } from '../../src/cli/flows.ts';
import { replayCommand } from '../../src/cli/replay.ts';
import { runCliInProcess } from '../support/cli-in-process.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** Runs a command in this process with its console captured (test/support/cli-in-process.ts). */
async function cli(command: (argv: string[]) => Promise<number>, args: string[]): Promise<{ code: number; stderr: string }> {
  const run = await runCliInProcess(command, args, process.cwd());
  return { code: run.code, stderr: run.stderr };
}

describe('executions and replay: exit codes', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ listen: true });
  });
  after(() => server.close());

  it('a refused request is 2, not the 1 that means "diverged"', async () => {
    const wrong = ['--base-url', server.baseUrl, '--account-sid', server.account.sid, '--auth-token', 'wrong'];
    const list = await cli(executionsCommand, ['list', '--flow', 'FW' + '0'.repeat(32), ...wrong]);
    assert.equal(list.code, 2, list.stderr);
    const right = ['--base-url', server.baseUrl, '--account-sid', server.account.sid, '--auth-token', server.account.authToken];
    const replay = await cli(replayCommand, ['FN' + '0'.repeat(32), '--flow', 'FW' + '0'.repeat(32), '--fail-on-divergence', ...right]);
    assert.equal(replay.code, 2, replay.stderr);
  });

  it('an unreachable server is 3', async () => {
    const list = await cli(executionsCommand, ['list', '--flow', 'FW' + '0'.repeat(32), '--base-url', 'http://127.0.0.1:9', '--account-sid', server.account.sid, '--auth-token', 'x']);
    assert.equal(list.code, 3, list.stderr);
  });

  it('keeps a two-label host name as given (twilio-node would read sb.internal as product.region)', async () => {
    // sb.internal resolves to this machine for the test's duration; any other name goes to DNS as usual.
    const lookup = dns.lookup;
    const asked: string[] = [];
    dns.lookup = function (this: unknown, host: string, options: unknown, callback?: unknown) {
      asked.push(host);
      const cb = (typeof options === 'function' ? options : callback) as (...args: unknown[]) => void;
      const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all;
      if (host === 'sb.internal') return all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4);
      return (lookup as (...args: unknown[]) => void).call(this, host, options, callback);
    } as typeof dns.lookup;
    try {
      const port = new URL(server.baseUrl).port;
      const list = await cli(flowsCommand, ['list', '--base-url', `http://sb.internal:${port}`, '--account-sid', server.account.sid, '--auth-token', server.account.authToken]);
      assert.equal(list.code, 0, list.stderr);
      assert.deepEqual([...new Set(asked)], ['sb.internal']);
    } finally {
      dns.lookup = lookup;
    }
  });
});
