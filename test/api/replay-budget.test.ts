// The replay route within one budget (security finding: one replay request froze the node). A replay
// whose every recorded sprint renders heavy Liquid (each within the engine's per-sprint budget) is refused whole (400/20001
// "replay too costly: … exceeded") instead of holding the event loop for minutes; a replay gives the event
// loop up while it runs (an unauthenticated /healthz answers meanwhile); one replay at a time per account
// (429/20429); and an ordinary execution of 1,000 steps still replays.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, FORM, form, type InjectResponse, type TestServer } from '../support/server.ts';
import { COSTLY_VALUE, loopFlow } from '../support/loop-flow.ts';
import { threadCpuMs } from '../../src/lib/thread-cpu.ts';

describe('POST /replay/… within one budget per replay', () => {
  let s: TestServer;
  let flowSid = '';
  let executionSid = '';
  before(async () => {
    s = await startTestServer({ listen: true });
    flowSid = (await s.app.flows.create(s.account.sid, { friendlyName: 'Loop', status: 'published', definition: loopFlow('{{widgets.ask.inbound.Body | upcase}}') })).sid;
    // The trigger and 499 replies: one execution of 999 steps (two a reply), just under Studio's 1,000.
    for (let i = 0; i < 500; i++) {
      const r = await s.app.server.inject({ method: 'POST', url: `/simulator/Flows/${flowSid}/Messages`, headers: { authorization: s.auth, ...FORM }, payload: form({ From: '+15550002222', Body: `m${i}` }) });
      assert.equal(r.statusCode, 201, r.body);
      executionSid = JSON.parse(r.body).execution_sid;
    }
  });
  after(() => s?.close());

  const url = () => `/replay/Flows/${flowSid}/Executions/${executionSid}`;
  const replay = () => s.app.server.inject({ method: 'GET', url: url(), headers: { authorization: s.auth } });
  const replayDefinition = (definition: unknown) =>
    s.app.server.inject({ method: 'POST', url: url(), headers: { authorization: s.auth, ...FORM }, payload: form({ Definition: JSON.stringify(definition) }) });

  it('an ordinary execution of 1,000 steps replays, both runs', async () => {
    const r = await replay();
    assert.equal(r.statusCode, 200, r.body);
    const body = JSON.parse(r.body);
    assert.equal(body.original.steps.length, 999);
    assert.equal(body.replay.steps.length, 999);
    assert.equal(body.diverged, false);
    assert.equal(body.effects_compared, true);
  });

  it('a replay of many costly sprints, each within the engine budgets, is refused whole, with a Twilio error', async () => {
    // The work it held the event loop for: this thread's CPU time (the replay runs in it), which a loaded
    // machine does not stretch as it stretches the wall clock.
    const started = threadCpuMs();
    // ~98,000 template nodes in every one of 499 sprints: each within the engine's budgets, together ~50 million.
    const r = await replayDefinition(loopFlow(COSTLY_VALUE));
    const seconds = (threadCpuMs() - started) / 1000;
    assert.equal(r.statusCode, 400, r.body.slice(0, 500));
    const body = JSON.parse(r.body);
    assert.equal(body.code, 20001);
    assert.equal(body.status, 400);
    assert.match(body.message, /^replay too costly: the replay's (Liquid|time) budget \(.*\) exceeded$/);
    assert.ok(!('replay' in body) && !('diverged' in body), 'no partial report');
    const d = body.details;
    assert.equal(d.liquid_nodes_limit, 3_000_000);
    assert.equal(d.busy_ms_limit, 5_000);
    // Normally the deterministic node count runs out first (~3 s of work); on a very slow machine the fuse.
    if (d.limit === 'liquid') assert.ok(d.liquid_nodes > d.liquid_nodes_limit, JSON.stringify(d));
    else assert.ok(d.limit === 'time' && d.busy_ms > d.busy_ms_limit, JSON.stringify(d));
    // Unbounded, this replay held the event loop for about a minute of work; a generous bound (~3 s idle).
    assert.ok(seconds < 30, `${seconds} s of CPU time`);
    // The account's replay slot was given back.
    assert.equal((await replay()).statusCode, 200);
  });

  it('one replay at a time per account; the server answers /healthz while one runs', async () => {
    const settled: InjectResponse[] = [];
    const track = (p: Promise<InjectResponse>) => p.then((r) => (settled.push(r), r));
    const a = track(replay());
    const b = track(replay());
    // Whichever came second is refused at once, while the other (1,000 recorded inputs) is still replaying.
    const refused = await Promise.race([a, b]);
    assert.equal(refused.statusCode, 429, refused.body.slice(0, 300));
    assert.deepEqual(
      { code: JSON.parse(refused.body).code, message: JSON.parse(refused.body).message },
      { code: 20429, message: 'a replay is already running for this account' },
    );
    assert.equal(settled.length, 1, 'the other replay is still running');
    // An unauthenticated probe over a real socket is served between the replay's inputs.
    const health = await fetch(`${s.baseUrl}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(settled.length, 1, '/healthz answered while the replay was still running');
    const [ra, rb] = await Promise.all([a, b]);
    const done = ra === refused ? rb : ra;
    assert.equal(done.statusCode, 200, done.body.slice(0, 300));
    assert.equal(JSON.parse(done.body).replay.steps.length, 999);
  });
});
