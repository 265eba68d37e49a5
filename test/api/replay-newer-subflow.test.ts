// A Run Subflow widget on LatestPublished runs the subflow as it is when replayed. A subflow published
// again since the execution makes even a replay against the revision the execution ran diverge, and the
// report said only "revision 4 → 4 … diverged", as if the parent flow had changed. It now notes which
// subflow it ran at which newer revision; a subflow unchanged since (or not run) gets no note.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { form, FORM, startTestServer, type TestServer } from '../support/server.ts';

const at = (y: number) => ({ offset: { x: 0, y } });
const subflow = (body: string) => ({
  description: 'sub',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', properties: at(0), transitions: [{ event: 'incomingParent', next: 'hi' }] },
    { name: 'hi', type: 'send-message', properties: { ...at(100), from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body }, transitions: [{ event: 'sent' }, { event: 'failed' }] },
  ],
});
const parent = (subflowSids: string[]) => ({
  description: 'parent',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', properties: at(0), transitions: [{ event: 'incomingRequest', next: 'run0' }] },
    ...subflowSids.map((sid, i) => ({
      name: `run${i}`,
      type: 'run-subflow',
      properties: { ...at(100 * (i + 1)), flow_sid: sid, flow_revision: 'LatestPublished', parameters: [] },
      // The second subflow is never reached.
      transitions: [{ event: 'completed' }, { event: 'failed' }],
    })),
  ],
});

describe('replay: a subflow published again since the execution', () => {
  const clock = { ms: Date.parse('2026-03-01T10:00:00Z') };
  let t: TestServer;
  let flowSid = '';
  let changed = '';
  let unreached = '';
  let executionSid = '';
  const replay = () => t.app.server.inject({ method: 'GET', url: `/replay/Flows/${flowSid}/Executions/${executionSid}?Revision=1`, headers: { authorization: t.auth } });

  before(async () => {
    t = await startTestServer({ now: () => clock.ms });
    changed = (await t.app.flows.create(t.account.sid, { friendlyName: 'Greeter', status: 'published', definition: subflow('Hello') as never })).sid;
    unreached = (await t.app.flows.create(t.account.sid, { friendlyName: 'Unreached', status: 'published', definition: subflow('Never') as never })).sid;
    flowSid = (await t.app.flows.create(t.account.sid, { friendlyName: 'Parent', status: 'published', definition: parent([changed, unreached]) as never })).sid;
    clock.ms += 60_000;
    const created = await t.app.server.inject({ method: 'POST', url: `/v2/Flows/${flowSid}/Executions`, headers: { authorization: t.auth, ...FORM }, payload: form({ To: '+15551230001', From: '+15005550006' }) });
    assert.equal(created.statusCode, 201, created.body);
    executionSid = created.json().sid;
    await t.app.executions.idle();
  });
  after(() => t.close());

  it('unchanged: no divergence, no note', async () => {
    const res = await replay();
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().diverged, false);
    assert.deepEqual(res.json().notes, []);
  });

  it('published again: the divergence comes with a note naming the subflow and its revision', async () => {
    clock.ms += 60_000;
    await t.app.flows.update(t.account.sid, changed, { friendlyName: 'Greeter', status: 'published', definition: subflow('Howdy') as never });
    await t.app.flows.update(t.account.sid, unreached, { friendlyName: 'Unreached', status: 'published', definition: subflow('Still never') as never });
    const res = await replay();
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().diverged, true);
    assert.deepEqual(res.json().notes, [
      `subflow ${changed} ('Greeter') is replayed at revision 2, its LatestPublished now, saved after the execution started: what it does may differ from the run because of that revision, not this flow's`,
    ]);
    // Against a definition that runs no subflow, none is replayed: no note.
    const without = parent([]);
    without.states[0]!.transitions = [{ event: 'incomingRequest' }] as never;
    const bare = await t.app.server.inject({ method: 'POST', url: `/replay/Flows/${flowSid}/Executions/${executionSid}`, headers: { authorization: t.auth, ...FORM }, payload: form({ Definition: JSON.stringify(without) }) });
    assert.equal(bare.statusCode, 200, bare.body);
    assert.equal(bare.json().diverged, true);
    assert.deepEqual(bare.json().notes, []);
  });
});
