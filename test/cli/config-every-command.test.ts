// Every command takes every configuration flag and --config FILE (README "Configuration"): flows,
// executions, replay and carrier used to refuse them ("Unknown option"), so `carrier` could not be
// pointed at PostgreSQL. The commands that talk to a running server take its address (host, port)
// and the account (accountSid/authToken) from the configuration when no flag or variable gives them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { carrierCommand } from '../../src/cli/carrier.ts';
import { executionsCommand } from '../../src/cli/executions.ts';
import { flowsCommand } from '../../src/cli/flows.ts';
import { replayCommand } from '../../src/cli/replay.ts';
import { AccountService } from '../../src/runtime/accounts.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { runCliInProcess } from '../support/cli-in-process.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const pizza = readFileSync(fileURLToPath(new URL('../../examples/flows/pizza-order.json', import.meta.url)), 'utf8');
const NO_FLOW = 'FW' + '0'.repeat(32);
const NO_EXECUTION = 'FN' + '0'.repeat(32);

describe('every command takes the configuration flags and --config', () => {
  let server: TestServer;
  let dir = '';
  let port = 0;
  let flowSid = '';
  before(async () => {
    server = await startTestServer({ listen: true });
    port = Number(new URL(server.baseUrl).port);
    dir = mkdtempSync(join(tmpdir(), 'sb-config-every-'));
    const created = await server.app.server.inject({
      method: 'POST',
      url: '/v2/Flows',
      headers: { authorization: server.auth, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ FriendlyName: 'Pizza', Status: 'draft', Definition: pizza }).toString(),
    });
    assert.equal(created.statusCode, 201, created.body);
    flowSid = created.json().sid;
    // The server's address and account, as a config file that `serve` would run with.
    writeFileSync(join(dir, 'server.yaml'), `host: 127.0.0.1\nport: ${port}\naccountSid: ${server.account.sid}\nauthToken: ${server.account.authToken}\n`);
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('flows list: credentials and port from --config FILE (no flag, no TWILIO_*)', async () => {
    const run = await runCliInProcess(flowsCommand, ['list', '--config', 'server.yaml', '--json'], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout).map((f: { sid: string }) => f.sid), [flowSid]);
  });

  it('flows list: --port and the credentials of the config file found in the working directory', async () => {
    const cwd = mkdtempSync(join(dir, 'cwd-'));
    writeFileSync(join(cwd, 'switchboard.config.yaml'), `accountSid: ${server.account.sid}\nauthToken: ${server.account.authToken}\n`);
    const run = await runCliInProcess(flowsCommand, ['list', '--port', String(port), '--log-level', 'warn', '--no-metrics'], cwd);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(flowSid));
  });

  it('flags and variables still win over the file: a wrong --auth-token is refused (2)', async () => {
    const run = await runCliInProcess(flowsCommand, ['list', '--config', 'server.yaml', '--auth-token', 'wrong'], dir);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /401|credentials|authenticat/i);
  });

  it('executions list and replay: --config FILE and configuration flags', async () => {
    const list = await runCliInProcess(executionsCommand, ['list', '--flow', flowSid, '--config', 'server.yaml', '--timezone', 'UTC', '--json'], dir);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(JSON.parse(list.stdout), []);
    // Connected with the file's account: the server answers that the execution does not exist (2), not 401 or unreachable.
    const replay = await runCliInProcess(replayCommand, [NO_EXECUTION, '--flow', NO_FLOW, '--config', 'server.yaml', '--data-dir', dir], dir);
    assert.equal(replay.code, 2, replay.stderr);
    assert.match(replay.stderr, /not found/);
  });

  it('a bad configuration value is bad usage (2) in the client commands too', async () => {
    const run = await runCliInProcess(flowsCommand, ['list', '--config', 'server.yaml', '--port', 'eighty'], dir);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /--port must be/);
  });

  it('no credentials anywhere: the message names the config file keys too', async () => {
    const cwd = mkdtempSync(join(dir, 'empty-'));
    const run = await runCliInProcess(executionsCommand, ['list', '--flow', flowSid, '--port', String(port)], cwd);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /no credentials: .*TWILIO_ACCOUNT_SID.*accountSid and authToken in the config file/);
  });

  it('carrier: --database-url, --config and the other configuration flags are taken', async () => {
    const data = mkdtempSync(join(dir, 'data-'));
    const store = new SqliteStore({ path: join(data, 'switchboard.db') });
    const account = await new AccountService(store, Date.now).create('A');
    await store.close();
    writeFileSync(join(data, 'store.yaml'), `dataDir: ${data}\n`);
    const show = await runCliInProcess(carrierCommand, ['show', '--account', account.sid, '--config', 'store.yaml', '--read-cache-ms', '0', '--log-level', 'warn'], data);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /simulator/);
    // The store is PostgreSQL's when --database-url says so (nothing listens on port 9: the attempt is the proof).
    await assert.rejects(
      runCliInProcess(carrierCommand, ['show', '--account', account.sid, '--database-url', 'postgres://u:p@127.0.0.1:9/db'], data),
      /ECONNREFUSED|PostgreSQL|connect/,
    );
  });
});
