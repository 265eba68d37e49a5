// `executions list` had --since only: a user hunting the executions that ended (or the ones still
// waiting) on a given day could not ask the server for them, though the API takes `status` and
// DateCreatedTo. --status and --until send them; --until with a date alone means up to the end of
// that day, so `--since D --until D` lists that day's executions (DateCreatedTo itself is "before").
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { executionsCommand } from '../../src/cli/executions.ts';
import { runCliInProcess } from '../support/cli-in-process.ts';
import { FORM, form, startTestServer, type TestServer } from '../support/server.ts';

describe('switchboard executions list --status / --until', () => {
  const clock = { ms: Date.parse('2026-03-01T10:00:00Z') };
  let s: TestServer;
  let flowSid = '';
  /** Created a day apart, at 10:00Z on Mar 1, 2, 3; the second is ended. */
  const sids: string[] = [];

  const cli = (args: string[]) =>
    runCliInProcess(executionsCommand, ['list', '--flow', flowSid, ...args, '--json', '--base-url', s.baseUrl, '--account-sid', s.account.sid, '--auth-token', s.account.authToken], process.cwd());
  const listed = async (args: string[]) => {
    const run = await cli(args);
    assert.equal(run.code, 0, run.stderr);
    return (JSON.parse(run.stdout) as { sid: string }[]).map((e) => e.sid);
  };

  before(async () => {
    s = await startTestServer({ listen: true, now: () => clock.ms });
    const definition = JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/flows/ask-and-wait.json', import.meta.url)), 'utf8'));
    flowSid = (await s.app.flows.create(s.account.sid, { friendlyName: 'Filters', status: 'published', definition })).sid;
    for (let i = 0; i < 3; i++) {
      clock.ms = Date.parse(`2026-03-0${i + 1}T10:00:00Z`);
      const res = await s.app.server.inject({ method: 'POST', url: `/v2/Flows/${flowSid}/Executions`, headers: { authorization: s.auth, ...FORM }, payload: form({ To: `+1555123000${i}`, From: '+15005550006' }) });
      assert.equal(res.statusCode, 201, res.body);
      sids.push(res.json().sid);
    }
    await s.app.executions.idle();
    await s.app.executions.end(s.account.sid, flowSid, sids[1]!);
  });
  after(async () => {
    await s?.close();
  });

  it('--status lists only the active or only the ended ones', async () => {
    assert.deepEqual(await listed(['--status', 'ended']), [sids[1]]);
    assert.deepEqual(await listed(['--status', 'active']), [sids[2], sids[0]]);
    const bad = await cli(['--status', 'failed']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--status must be active or ended, not 'failed'/);
  });

  it("list's filters given to show, steps or end are refused (exit 2), not ignored", async () => {
    for (const [sub, extra] of [['steps', ['--limit', '3']], ['show', ['--since', '2026-03-01', '--status', 'ended']], ['end', ['--contact', '+15551230000']]] as const) {
      const run = await runCliInProcess(executionsCommand, [sub, sids[0]!, '--flow', flowSid, ...extra, '--base-url', s.baseUrl, '--account-sid', s.account.sid, '--auth-token', s.account.authToken], process.cwd());
      assert.equal(run.code, 2, `${sub}: ${run.stdout}`);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, new RegExp(`^switchboard executions ${sub}: --\\w+(, --\\w+)? (is|are) for executions list only\\n$`));
    }
    // Nothing was ended.
    assert.deepEqual(await listed(['--status', 'active']), [sids[2], sids[0]]);
  });

  it('--until: created before a date-time; a date alone up to the end of that day', async () => {
    assert.deepEqual(await listed(['--until', '2026-03-02T10:00:00Z']), [sids[0]]);
    assert.deepEqual(await listed(['--until', '2026-03-02T10:00:01Z']), [sids[1], sids[0]]);
    assert.deepEqual(await listed(['--since', '2026-03-02', '--until', '2026-03-02']), [sids[1]]);
    assert.deepEqual(await listed(['--until', '2026-03-02', '--status', 'active']), [sids[0]]);
    const bad = await cli(['--until', '2026-02-30']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--until '2026-02-30' is not a date/);
  });
});

// The DETAIL column asks the server about 100 executions at a time (its limit): a list of more still has it for each.
describe('switchboard executions list: DETAIL for more executions than one summaries request names', () => {
  let s: TestServer;
  let flowSid = '';
  before(async () => {
    s = await startTestServer({ listen: true });
    const definition = JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/flows/ask-and-wait.json', import.meta.url)), 'utf8'));
    flowSid = (await s.app.flows.create(s.account.sid, { friendlyName: 'Many', status: 'published', definition })).sid;
    for (let i = 0; i < 101; i++) {
      const res = await s.app.server.inject({ method: 'POST', url: `/v2/Flows/${flowSid}/Executions`, headers: { authorization: s.auth, ...FORM }, payload: form({ To: `+1555124${String(i).padStart(4, '0')}`, From: '+15005550006' }) });
      assert.equal(res.statusCode, 201, res.body);
    }
    await s.app.executions.idle();
  });
  after(async () => {
    await s?.close();
  });

  it('says where each of 101 waits', async () => {
    const run = await runCliInProcess(executionsCommand, ['list', '--flow', flowSid, '--limit', '101', '--base-url', s.baseUrl, '--account-sid', s.account.sid, '--auth-token', s.account.authToken], process.cwd());
    assert.equal(run.code, 0, run.stderr);
    const rows = run.stdout.trimEnd().split('\n').slice(1);
    assert.equal(rows.length, 101);
    for (const row of rows) assert.match(row, /\sactive\s.*\swaiting at ask$/);
  });
});
