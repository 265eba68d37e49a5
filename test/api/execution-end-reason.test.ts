// How an execution ended, which the Twilio-shaped Execution does not say (status 'ended' only): the
// console's GET /console/api/Flows/{FlowSid}/Executions/{Sid}/EndReason tells an end by the End button
// or the API ('manual') from one at the maximum age ('expired'), a flow that ran out ('completed') and
// one an error ended ('error', with its code and message).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FORM, form, startTestServer, basicAuth, type TestServer } from '../support/server.ts';
import { triggerFlow } from '../support/flows.ts';

const askAndWait = JSON.parse(readFileSync(new URL('../fixtures/flows/ask-and-wait.json', import.meta.url), 'utf8'));
const selfLoop = triggerFlow('loop', 'incomingRequest', 'w', [
  { name: 'w', type: 'split-based-on', properties: { offset: { x: 0, y: 100 }, input: 'x' }, transitions: [{ event: 'noMatch', next: 'w' }] },
]);
const FLOW_ADDRESS = '+15550000001';

describe('console: how an execution ended', () => {
  const clock = { ms: Date.parse('2026-06-01T00:00:00Z') };
  let t: TestServer;
  let ask: string;
  let loop: string;
  let n = 0;
  before(async () => {
    t = await startTestServer({ now: () => clock.ms, config: { executionMaxAge: 600 } });
    ask = (await t.app.flows.create(t.account.sid, { friendlyName: 'ask', status: 'published', definition: askAndWait })).sid;
    loop = (await t.app.flows.create(t.account.sid, { friendlyName: 'loop', status: 'published', definition: selfLoop })).sid;
  });
  after(() => t.close());

  const inject = (method: 'GET' | 'POST', url: string, fields?: Record<string, string>, auth = t.auth) =>
    t.app.server.inject({ method, url, headers: { authorization: auth, ...(fields ? FORM : {}) }, ...(fields ? { payload: form(fields) } : {}) });
  const start = async (flowSid: string): Promise<{ sid: string; contact: string }> => {
    const contact = `+1555888${String(++n).padStart(4, '0')}`;
    const res = await inject('POST', `/v2/Flows/${flowSid}/Executions`, { To: contact, From: FLOW_ADDRESS });
    assert.equal(res.statusCode, 201, res.body);
    await t.app.executions.idle();
    return { sid: res.json().sid, contact };
  };
  const endReason = async (flowSid: string, sid: string, auth = t.auth) => {
    const res = await inject('GET', `/console/api/Flows/${flowSid}/Executions/${sid}/EndReason`, undefined, auth);
    return { status: res.statusCode, body: res.json() };
  };

  it('active: none yet; ended by the API: manual, while the Execution resource stays as Twilio has it', async () => {
    const { sid } = await start(ask);
    assert.deepEqual(await endReason(ask, sid), { status: 200, body: { sid, status: 'active', end_reason: null } });
    assert.equal((await inject('POST', `/v2/Flows/${ask}/Executions/${sid}`, { Status: 'ended' })).statusCode, 200);
    assert.deepEqual(await endReason(ask, sid), { status: 200, body: { sid, status: 'ended', end_reason: { kind: 'manual' } } });
    const resource = (await inject('GET', `/v2/Flows/${ask}/Executions/${sid}`)).json();
    assert.equal(resource.status, 'ended');
    assert.equal('end_reason' in resource, false);
  });

  it('ran to its end: completed; stopped by a widget loop: error with its code', async () => {
    const { sid, contact } = await start(ask);
    await t.app.executions.inboundMessage(t.account.sid, ask, { From: contact, To: FLOW_ADDRESS, Body: 'fine', MessageSid: 'SM' + '7'.repeat(32) });
    await t.app.executions.idle();
    assert.deepEqual((await endReason(ask, sid)).body.end_reason, { kind: 'completed' });
    const looped = await start(loop);
    const reason = (await endReason(loop, looped.sid)).body.end_reason;
    assert.equal(reason.kind, 'error');
    assert.equal(reason.code, 81001);
    assert.match(reason.message, /ran more than \d+ times in a row/);
  });

  it('past its maximum age: expired', async () => {
    const { sid } = await start(ask);
    clock.ms += 601_000;
    await t.app.executions.fireDueTimers();
    assert.deepEqual((await endReason(ask, sid)).body, { sid, status: 'ended', end_reason: { kind: 'expired' } });
  });

  it("is a 404 for an unknown or malformed execution, another flow's, and another account's", async () => {
    const { sid } = await start(ask);
    const notFound = async (flowSid: string, executionSid: string, auth = t.auth) => {
      const res = await endReason(flowSid, executionSid, auth);
      assert.equal(res.status, 404, JSON.stringify(res.body));
      assert.equal(res.body.code, 20404);
    };
    await notFound(ask, `FN${'0'.repeat(32)}`);
    await notFound(ask, 'nope');
    await notFound(loop, sid);
    const other = await t.app.accounts.create('other');
    await notFound(ask, sid, basicAuth(other.sid, other.authToken));
    assert.equal((await inject('GET', `/console/api/Flows/${ask}/Executions/${sid}/EndReason`, undefined, 'Basic nope')).statusCode, 401);
  });
});

describe("console: where a list page's executions stand, in one request", () => {
  let t: TestServer;
  let ask: string;
  let loop: string;
  let parent: string;
  let n = 0;
  before(async () => {
    t = await startTestServer();
    ask = (await t.app.flows.create(t.account.sid, { friendlyName: 'ask', status: 'published', definition: askAndWait })).sid;
    loop = (await t.app.flows.create(t.account.sid, { friendlyName: 'loop', status: 'published', definition: selfLoop })).sid;
    const child = triggerFlow('child', 'incomingParent', 'ask_child', [
      { ...askAndWait.states[1], name: 'ask_child', transitions: [{ event: 'incomingMessage' }, { event: 'timeout' }, { event: 'deliveryFailure' }] },
    ]);
    const childSid = (await t.app.flows.create(t.account.sid, { friendlyName: 'child', status: 'published', definition: child })).sid;
    const runsAsk = triggerFlow('parent', 'incomingRequest', 'run_child', [
      {
        name: 'run_child',
        type: 'run-subflow',
        properties: { offset: { x: 0, y: 100 }, flow_sid: childSid, flow_revision: 'LatestPublished', parameters: [] },
        transitions: [{ event: 'completed' }, { event: 'failed' }],
      },
    ]);
    parent = (await t.app.flows.create(t.account.sid, { friendlyName: 'parent', status: 'published', definition: runsAsk })).sid;
  });
  after(() => t.close());

  const inject = (method: 'GET' | 'POST', url: string, fields?: Record<string, string>, auth = t.auth) =>
    t.app.server.inject({ method, url, headers: { authorization: auth, ...(fields ? FORM : {}) }, ...(fields ? { payload: form(fields) } : {}) });
  const start = async (flowSid: string): Promise<string> => {
    const res = await inject('POST', `/v2/Flows/${flowSid}/Executions`, { To: `+1555777${String(++n).padStart(4, '0')}`, From: FLOW_ADDRESS });
    assert.equal(res.statusCode, 201, res.body);
    await t.app.executions.idle();
    return res.json().sid;
  };
  const summaries = (flowSid: string, sids: string[], auth = t.auth) =>
    inject('GET', `/console/api/Flows/${flowSid}/ExecutionSummaries?${sids.map((sid) => `Sid=${encodeURIComponent(sid)}`).join('&')}`, undefined, auth);

  it('says how each ended and where each active one waits, in the order asked, leaving out what is not this flow’s', async () => {
    const waiting = await start(ask);
    const ended = await start(ask);
    assert.equal((await inject('POST', `/v2/Flows/${ask}/Executions/${ended}`, { Status: 'ended' })).statusCode, 200);
    const looped = await start(loop);
    const res = await summaries(ask, [ended, waiting, looped, `FN${'0'.repeat(32)}`, 'nope', waiting]);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), {
      summaries: [
        { sid: ended, status: 'ended', end_reason: { kind: 'manual' }, waiting_at: null },
        { sid: waiting, status: 'active', end_reason: null, waiting_at: { widget: 'ask', subflow_path: [] } },
      ],
    });
    const error = (await summaries(loop, [looped])).json().summaries[0];
    assert.equal(error.end_reason.kind, 'error');
    assert.equal(error.end_reason.code, 81001);
  });

  it("names the Run Subflow widget a subflow's waiting widget runs under", async () => {
    const sid = await start(parent);
    assert.deepEqual((await summaries(parent, [sid])).json().summaries, [
      { sid, status: 'active', end_reason: null, waiting_at: { widget: 'ask_child', subflow_path: ['run_child'] } },
    ]);
  });

  it("reads only the standing out of each state, in one store read: never an execution's whole state", async () => {
    const waiting = await start(ask);
    const ended = await start(ask);
    assert.equal((await inject('POST', `/v2/Flows/${ask}/Executions/${ended}`, { Status: 'ended' })).statusCode, 200);
    const store = t.app.store;
    const whole = { getExecution: store.getExecution, getExecutionBySid: store.getExecutionBySid, listExecutions: store.listExecutions };
    const refuse = () => Promise.reject(new Error('read a whole execution'));
    let reads = 0;
    const listExecutionStandings = store.listExecutionStandings;
    Object.assign(store, { getExecution: refuse, getExecutionBySid: refuse, listExecutions: refuse });
    store.listExecutionStandings = (...args) => (reads++, listExecutionStandings.apply(store, args));
    try {
      const res = await summaries(ask, [waiting, ended, `FN${'0'.repeat(32)}`]);
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json().summaries, [
        { sid: waiting, status: 'active', end_reason: null, waiting_at: { widget: 'ask', subflow_path: [] } },
        { sid: ended, status: 'ended', end_reason: { kind: 'manual' }, waiting_at: null },
      ]);
      assert.equal(reads, 1);
    } finally {
      Object.assign(store, whole, { listExecutionStandings });
    }
  });

  it("is a 404 for an unknown flow or another account's, and a 400 for over 100 executions", async () => {
    const sid = await start(ask);
    assert.equal((await summaries(`FW${'0'.repeat(32)}`, [sid])).statusCode, 404);
    const other = await t.app.accounts.create('other');
    assert.equal((await summaries(ask, [sid], basicAuth(other.sid, other.authToken))).statusCode, 404);
    const many = await summaries(ask, Array.from({ length: 101 }, (_, i) => `FN${String(i).padStart(32, '0')}`));
    assert.equal(many.statusCode, 400);
    assert.match(many.json().message, /Sid/);
    assert.deepEqual((await summaries(ask, [])).json(), { summaries: [] });
  });
});
