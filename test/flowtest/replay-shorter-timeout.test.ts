// Replaying against a revision with a shorter reply timeout: a reply that came 2 minutes after the
// question, replayed against a Send & Wait that now waits 60 s, was delivered in time all the same
// ("same path"), the wait before it cut short of the new timer, so shortening a timeout could never
// show what it does. The new timer now fires first (the path takes `timeout`), the reply comes after,
// and a note says why. A timeout still longer than the wait, and the revision that ran, change nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestServer, FORM, form, type TestServer } from '../support/server.ts';

const askAndWait = (timeout?: string) => {
  const definition = JSON.parse(readFileSync(new URL('../fixtures/flows/ask-and-wait.json', import.meta.url), 'utf8'));
  if (timeout !== undefined) definition.states.find((s: { name: string }) => s.name === 'ask').properties.timeout = timeout;
  return definition;
};

describe('replay against a shorter reply timeout', () => {
  const clock = { ms: Date.parse('2026-03-01T10:00:00Z') };
  let s: TestServer;
  let flowSid = '';
  let executionSid = '';
  const post = (url: string, fields: Record<string, string>) => s.app.server.inject({ method: 'POST', url, headers: { authorization: s.auth, ...FORM }, payload: form(fields) });
  const replay = async (definition?: unknown) => {
    const r = definition
      ? await post(`/replay/Flows/${flowSid}/Executions/${executionSid}`, { Definition: JSON.stringify(definition) })
      : await s.app.server.inject({ method: 'GET', url: `/replay/Flows/${flowSid}/Executions/${executionSid}`, headers: { authorization: s.auth } });
    assert.equal(r.statusCode, 200, r.body);
    return r.json();
  };

  before(async () => {
    s = await startTestServer({ now: () => clock.ms });
    flowSid = (await s.app.flows.create(s.account.sid, { friendlyName: 'Ask', status: 'published', definition: askAndWait() })).sid;
    const created = await post(`/v2/Flows/${flowSid}/Executions`, { To: '+15551230001', From: '+15005550006' });
    assert.equal(created.statusCode, 201, created.body);
    executionSid = created.json().sid;
    await s.app.executions.idle();
    clock.ms += 120_000;
    const reply = await post(`/simulator/Flows/${flowSid}/Messages`, { From: '+15551230001', To: '+15005550006', Body: 'fine' });
    assert.equal(reply.statusCode, 201, reply.body);
    await s.app.executions.idle();
  });
  after(() => s?.close());

  it('a 60 s timeout fires before the reply that took 2 minutes: the path times out, with a note', async () => {
    const body = await replay(askAndWait('60'));
    assert.equal(body.diverged, true);
    assert.deepEqual(body.divergence.replay, { from: 'ask', event: 'timeout', to: 'Ended' });
    assert.deepEqual(body.message_diff, ['  "Hi there, how are you?"', '- "Thanks: fine"']);
    assert.ok(body.notes.some((n: string) => n.startsWith(`the reply "fine" came 2m after 'ask' asked; this revision's reply timeout (1m) is shorter`)), JSON.stringify(body.notes));
  });

  it('a timeout still longer than the wait, and the revision that ran: same path, no such note', async () => {
    for (const body of [await replay(askAndWait('300')), await replay()]) {
      assert.equal(body.diverged, false, JSON.stringify(body));
      assert.deepEqual(body.notes.filter((n: string) => /is shorter/.test(n)), []);
    }
  });
});

describe('replay against a longer reply timeout, of an execution that timed out', () => {
  const clock = { ms: Date.parse('2026-03-01T10:00:00Z') };
  let s: TestServer;
  let flowSid = '';
  let executionSid = '';
  before(async () => {
    s = await startTestServer({ now: () => clock.ms });
    flowSid = (await s.app.flows.create(s.account.sid, { friendlyName: 'Ask', status: 'published', definition: askAndWait('60') })).sid;
    const created = await s.app.server.inject({ method: 'POST', url: `/v2/Flows/${flowSid}/Executions`, headers: { authorization: s.auth, ...FORM }, payload: form({ To: '+15551230001', From: '+15005550006' }) });
    assert.equal(created.statusCode, 201, created.body);
    executionSid = created.json().sid;
    await s.app.executions.idle();
    clock.ms += 61_000;
    await s.app.executions.fireDueTimers();
    await s.app.executions.idle();
  });
  after(() => s?.close());

  it('times out all the same, and says the longer wait is not known', async () => {
    const steps = await s.app.server.inject({ method: 'GET', url: `/v2/Flows/${flowSid}/Executions/${executionSid}/Steps`, headers: { authorization: s.auth } });
    assert.deepEqual(steps.json().steps.map((step: { name: string }) => step.name), ['incomingRequest', 'timeout']);
    const r = await s.app.server.inject({ method: 'POST', url: `/replay/Flows/${flowSid}/Executions/${executionSid}`, headers: { authorization: s.auth, ...FORM }, payload: form({ Definition: JSON.stringify(askAndWait('3600')) }) });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().diverged, false);
    assert.deepEqual(r.json().notes, ["'ask' timed out after 1m without a reply; this revision waits 1h, and the replay times it out all the same (a reply in the longer wait is not recorded)"]);
    const same = await s.app.server.inject({ method: 'GET', url: `/replay/Flows/${flowSid}/Executions/${executionSid}`, headers: { authorization: s.auth } });
    assert.deepEqual(same.json().notes, []);
  });
});
