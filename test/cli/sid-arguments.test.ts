// A malformed SID, or one of another kind, given to a command that talks to a server was sent as it
// was: `executions show FNbad` got the server's 404 ("not found on this server"), which does not say
// the SID cannot be one, and `flows export FWbad` (or a side of `flows diff`) read it as a file name.
// Each is bad usage (exit 2) checked before any request (src/cli/sid-argument.ts), naming the SID's
// expected shape, as accounts, keys and carrier do with theirs.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executionsCommand } from '../../src/cli/executions.ts';
import { replayCommand } from '../../src/cli/replay.ts';
import { testCommand } from '../../src/cli/test.ts';
import { flowsCommand } from '../../src/cli/flows.ts';
import { runCliInProcess } from '../support/cli-in-process.ts';

const FW = 'FW' + 'a'.repeat(32);
const FN = 'FN' + 'b'.repeat(32);

describe('SIDs given to the remote commands are checked before anything is sent', () => {
  let server: Server;
  let requests: string[] = [];
  let connection: string[] = [];
  const work = mkdtempSync(join(tmpdir(), 'sb-sid-arguments-'));

  before(async () => {
    // Any request is recorded, and answered as Twilio answers an unknown resource.
    server = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 20404, message: 'The requested resource was not found', status: 404 }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    connection = ['--base-url', `http://127.0.0.1:${(server.address() as AddressInfo).port}`, '--account-sid', 'AC' + 'c'.repeat(32), '--auth-token', 'token'];
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(work, { recursive: true, force: true });
  });

  const cases: [string, (argv: string[]) => Promise<number>, string[], string][] = [
    ['executions show FNbad', executionsCommand, ['show', 'FNbad', '--flow', FW], "switchboard executions show: 'FNbad' is not an execution SID (FN followed by 32 hex characters)"],
    ['executions steps with a flow SID for the execution', executionsCommand, ['steps', FW, '--flow', FW], `switchboard executions steps: '${FW}' is not an execution SID (FN followed by 32 hex characters)`],
    ['executions end FN… cut short', executionsCommand, ['end', FN.slice(0, 20), '--flow', FW], `switchboard executions end: '${FN.slice(0, 20)}' is not an execution SID (FN followed by 32 hex characters)`],
    ['executions list --flow FWbad', executionsCommand, ['list', '--flow', 'FWbad'], "switchboard executions list: --flow must be a flow SID (FW followed by 32 hex characters), got 'FWbad'"],
    ['replay FNbad', replayCommand, [FN, 'FNbad', '--flow', FW], "switchboard replay: 'FNbad' is not an execution SID (FN followed by 32 hex characters)"],
    ['replay --flow ../x', replayCommand, [FN, '--flow', '../x'], "switchboard replay: --flow must be a flow SID (FW followed by 32 hex characters), got '../x'"],
    ['test --record --flow FWbad', testCommand, ['--record', '--flow', 'FWbad', '--out', 'x.test.yaml'], "switchboard test --record: --flow must be a flow SID (FW followed by 32 hex characters), got 'FWbad'"],
    ['test --record --execution FNbad', testCommand, ['--record', '--flow', FW, '--execution', 'FNbad', '--out', 'x.test.yaml'], "switchboard test --record: --execution must be an execution SID (FN followed by 32 hex characters), got 'FNbad'"],
    ['flows export FWbad', flowsCommand, ['export', 'FWbad'], "switchboard flows export: 'FWbad' is not a flow SID (FW followed by 32 hex characters), nor a file"],
    // A friendly name, as flows pull takes, is neither: said so, not 'cannot read Greeter: no such file'.
    ['flows export NAME', flowsCommand, ['export', 'Greeter'], "switchboard flows export: 'Greeter' is not a flow SID (FW followed by 32 hex characters), nor a file: flows list shows each flow's SID"],
    // Either side of a diff, checked before the other is fetched.
    ['flows diff FW… FWbad@2', flowsCommand, ['diff', `${FW}@3`, 'FWbad@2'], "switchboard flows diff: 'FWbad' is not a flow SID (FW followed by 32 hex characters), nor a file"],
    ['flows diff FW…@x-y FW…', flowsCommand, ['diff', `${FW}@x-y`, FW], `switchboard flows diff: '${FW}@x-y': the revision must be a number, published or latest`],
  ];
  for (const [name, command, args, message] of cases) {
    it(`${name}: exit 2, the SID's shape named, no request`, async () => {
      requests = [];
      const run = await runCliInProcess(command, [...args, ...connection], work);
      assert.equal(run.stderr, `${message}\n`);
      assert.equal(run.code, 2);
      assert.deepEqual(requests, [], 'nothing was sent');
    });
  }

  it('a well-formed SID is sent, its hex lower-cased as Twilio writes SIDs (the server answers 404 here: exit 2)', async () => {
    requests = [];
    const run = await runCliInProcess(executionsCommand, ['show', FN.toUpperCase(), '--flow', FW, ...connection], work);
    assert.equal(run.code, 2, run.stderr);
    // The server's own words say it was not found: no second '(not found on this server)' after them.
    assert.equal(run.stderr, 'switchboard executions show: The requested resource was not found (error 20404)\n');
    assert.ok(requests.some((r) => r.includes(`/v2/Flows/${FW}/Executions/${FN}`)), requests.join('\n'));
  });
});
