// `switchboard replay FN… FN… FN…` stopped at the first execution the server would not replay (one
// deleted, or of another flow) and showed nothing of the replays already done: checking an edit against
// a day's executions gave one 404 instead of a report. Such an execution is now named on stderr, the
// others are replayed and shown, the summary counts it, and the exit code is 2. A failure every replay
// would meet (no such revision) still stops at once, showing what was replayed before it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestServer, FORM, type TestServer } from '../support/server.ts';
import { replayCommand } from '../../src/cli/replay.ts';
import { runCliInProcess } from '../support/cli-in-process.ts';

const pizzaText = readFileSync(new URL('../../examples/flows/pizza-order.json', import.meta.url), 'utf8');
const MISSING = 'FN' + '0'.repeat(32);

describe('replay of several executions, one the server has not', () => {
  let t: TestServer;
  let flowSid = '';
  const sids: string[] = [];
  const replay = (args: string[]) =>
    runCliInProcess(replayCommand, [...args, '--flow', flowSid, '--base-url', t.baseUrl, '--account-sid', t.account.sid, '--auth-token', t.account.authToken], process.cwd());

  before(async () => {
    t = await startTestServer({ listen: true });
    flowSid = (await t.app.flows.create(t.account.sid, { friendlyName: 'Pizza', status: 'published', definition: JSON.parse(pizzaText) })).sid;
    for (const to of ['%2B15551230001', '%2B15551230002']) {
      const res = await t.app.server.inject({ method: 'POST', url: `/v2/Flows/${flowSid}/Executions`, headers: { authorization: t.auth, ...FORM }, payload: `To=${to}&From=%2B15005550006` });
      assert.equal(res.statusCode, 201, res.body);
      sids.push(res.json().sid);
    }
    await t.app.executions.idle();
    await t.app.flows.update(t.account.sid, flowSid, { friendlyName: 'Pizza', status: 'published', definition: JSON.parse(pizzaText.replace('What size pizza?', 'Which size?')) });
  });
  after(async () => {
    await t.close();
  });

  it('replays the others, names the missing one, exit 2', async () => {
    const run = await replay([sids[0]!, MISSING, sids[1]!, '--revision', '1']);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stdout, new RegExp(`Execution ${sids[0]} `));
    assert.match(run.stdout, new RegExp(`Execution ${sids[1]} `));
    assert.match(run.stdout, new RegExp(`2 executions replayed: 0 diverged; 1 could not be replayed \\(${MISSING}\\)`));
    assert.equal(run.stderr, `switchboard replay: ${MISSING}: not found in flow ${flowSid} (error 20404)\n`);
  });

  it('--json: the reports of those replayed', async () => {
    const run = await replay([MISSING, sids[1]!, '--json']);
    assert.equal(run.code, 2, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout).map((r: { executionSid: string; diverged: boolean }) => [r.executionSid, r.diverged]), [[sids[1], true]]);
    assert.match(run.stderr, new RegExp(`${MISSING}: not found in flow`));
  });

  it('a revision the flow has not stops them all (one error), exit 2', async () => {
    const run = await replay([sids[0]!, sids[1]!, '--revision', '9']);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /^switchboard replay: The requested resource \/v2\/Flows\/FW[0-9a-f]{32}\/Revisions\/9 was not found \(error 20404\)\n$/);
  });
});
