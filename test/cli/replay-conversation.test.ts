// `switchboard replay FN… --flow FW… --revision N --fail-on-divergence` on an execution a Conversations
// message started, with a reply in the conversation: against the revision it ran, "same path …, same
// messages and outputs" and exit 0 (it said the outputs differed and exited 1, as the replay made up the
// reply's ChatServiceSid, ParticipantSid and WebhookSid); against a revision whose Send & Wait is written by
// another author, the outputs differ and it exits 1.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runCliInProcess } from '../support/cli-in-process.ts';
import { startTestServer, FORM, form, type TestServer } from '../support/server.ts';
import { replayCommand } from '../../src/cli/replay.ts';
import { conversationAskFlow } from '../support/flows.ts';


function chatFlow(askFrom: string): object {
  return conversationAskFlow(askFrom, 'You said {{trigger.conversation.Body}}. Name?');
}

describe('switchboard replay of a Conversations-triggered execution', () => {
  let t: TestServer;
  let flowSid = '';
  let executionSid = '';
  before(async () => {
    t = await startTestServer({ listen: true });
    // Revision 1 asks as "Agent"; revision 2, the one that runs, as "Bot".
    flowSid = (await t.app.flows.create(t.account.sid, { friendlyName: 'Chat', status: 'published', definition: chatFlow('Agent') })).sid;
    await t.app.flows.update(t.account.sid, flowSid, { status: 'published', definition: chatFlow('Bot') });
    const text = async (body: string) => {
      const res = await t.app.server.inject({ method: 'POST', url: `/simulator/Flows/${flowSid}/Messages`, headers: { authorization: t.auth, ...FORM }, payload: form({ From: '+15551260001', Body: body }) });
      assert.equal(res.statusCode, 201, res.body);
      await t.app.executions.idle();
      return String(res.json().execution_sid);
    };
    executionSid = await text('hi');
    assert.equal(await text('Ada'), executionSid);
  });
  after(() => t.close());

  const replay = (revision: string) =>
    runCliInProcess(replayCommand, [executionSid, '--flow', flowSid, '--revision', revision, '--fail-on-divergence', '--base-url', t.baseUrl, '--account-sid', t.account.sid, '--auth-token', t.account.authToken], process.cwd());

  it('against the revision it ran: same, exit 0', async () => {
    const run = await replay('2');
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /revision 2 → 2\n\s+same path \(Trigger → ask → bye\), same messages and outputs/);
    assert.doesNotMatch(run.stdout, /differ/);
  });

  it('against a revision asking as another author: the outputs differ, exit 1', async () => {
    const run = await replay('1');
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /same path\n/);
    assert.match(run.stdout, /outputs of 'ask' differ:\n\s+recorded: .*"Author":"Bot".*\n\s+replay: .*"Author":"Agent"/);
  });
});
