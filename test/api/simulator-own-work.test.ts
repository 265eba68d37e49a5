// A simulator text waits for the work of the execution it started or resumed, not for everything in
// flight on the node: another flow's webhook that never answers does not hold up the answer (it used
// to, up to the HTTP timeout, and for as long as such traffic kept coming). The answer still has the
// replies the text caused, those that come after an HTTP round trip of its own included.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FORM, form, startTestServer, type TestServer } from '../support/server.ts';
import { triggerFlow } from '../support/flows.ts';

const at = (y: number) => ({ offset: { x: 0, y } });
const reply = (name: string, body: string, next?: string) => ({
  name,
  type: 'send-message',
  properties: { ...at(100), from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body },
  transitions: [{ event: 'sent', ...(next ? { next } : {}) }, { event: 'failed' }],
});
const request = (name: string, url: string, next?: string) => ({
  name,
  type: 'make-http-request',
  properties: { ...at(200), method: 'GET', url, content_type: 'application/x-www-form-urlencoded;charset=utf-8' },
  transitions: [{ event: 'success', ...(next ? { next } : {}) }, { event: 'failed', ...(next ? { next } : {}) }],
});

interface Message {
  direction: string;
  body: string;
  status: string;
}

describe('simulator text: waits for its own execution only', () => {
  let t: TestServer;
  /** Requests to /hang are never answered (until the test lets go of them); /fast answers at once. */
  const hanging: http.ServerResponse[] = [];
  const api = http.createServer((req, res) => {
    if (req.url === '/fast') res.writeHead(200, { 'content-type': 'application/json' }).end('{"word":"pong"}');
    else hanging.push(res);
  });
  let base = '';

  before(async () => {
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    t = await startTestServer({ config: { dev: true } });
  });
  after(async () => {
    for (const res of hanging) res.destroy();
    await t.app.executions.idle();
    await t.close();
    await new Promise((resolve) => api.close(resolve));
  });

  const create = async (name: string, definition: unknown) =>
    (await t.app.flows.create(t.account.sid, { friendlyName: name, status: 'published', definition: definition as never })).sid;
  const text = async (flowSid: string, from: string, body: string) => {
    const res = await t.app.server.inject({ method: 'POST', url: `/simulator/Flows/${flowSid}/Messages`, headers: { authorization: t.auth, ...FORM }, payload: form({ From: from, Body: body }) });
    assert.equal(res.statusCode, 201, res.body);
    return res.json() as { execution_sid: string; messages: Message[] };
  };

  it("another flow's never-answering webhook does not hold up a text", async () => {
    const hello = await create('hello', triggerFlow('hello', 'incomingMessage', 'hi', [reply('hi', 'Hi {{trigger.message.Body}}')]));
    const hang = await create('hang', triggerFlow('hang', 'incomingRequest', 'call', [request('call', `${base}/hang`)]));
    const created = await t.app.server.inject({ method: 'POST', url: `/v2/Flows/${hang}/Executions`, headers: { authorization: t.auth, ...FORM }, payload: form({ To: '+15551230001', From: '+15005550006' }) });
    assert.equal(created.statusCode, 201, created.body);
    const stuck = created.json().sid as string;
    while (hanging.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));

    const answer = await text(hello, '+15551230002', 'there');
    assert.deepEqual(answer.messages.map((m) => `${m.direction} ${m.body} ${m.status}`), ['inbound there received', 'outbound-api Hi there delivered']);

    // Answered while the other execution still waits on its request: nothing answered it, it has not timed out.
    assert.equal(hanging.filter((res) => !res.writableEnded && !res.destroyed).length, 1, 'the other request is still open');
    const other = await t.app.store.getExecution(t.account.sid, hang, stuck);
    assert.equal(other?.status, 'active', 'the other execution is still waiting on its request');
    const steps = (await t.app.store.listSteps(t.account.sid, hang, stuck, { pageSize: 10 })).items.map((s) => `${s.transitionedFrom}->${s.transitionedTo}`);
    assert.deepEqual(steps, ['Trigger->call']);
  });

  it('the answer still has the replies its own work chains: sends after an HTTP round trip included', async () => {
    const chain = await create(
      'chain',
      triggerFlow('chain', 'incomingMessage', 'first', [
        reply('first', 'One', 'ask'),
        request('ask', `${base}/fast`, 'second'),
        reply('second', 'Two: {{widgets.ask.parsed.word}}'),
      ]),
    );
    const answer = await text(chain, '+15551230003', 'go');
    assert.deepEqual(answer.messages.map((m) => `${m.direction} ${m.body}`), ['inbound go', 'outbound-api One', 'outbound-api Two: pong']);
  });

  it("and what a send's failed delivery report leads to (reported a turn after the send)", async () => {
    const ask = {
      name: 'ask',
      type: 'send-and-wait-for-reply',
      properties: { ...at(100), from: '{{flow.channel.address}}', body: 'Name?', timeout: '3600' },
      transitions: [{ event: 'incomingMessage' }, { event: 'timeout' }, { event: 'deliveryFailure', next: 'sorry' }],
    };
    const flow = await create('undelivered', triggerFlow('undelivered', 'incomingMessage', 'ask', [ask, reply('sorry', 'Sorry, that did not arrive')]));
    const failed = await t.app.server.inject({ method: 'POST', url: '/simulator/Failures', headers: { authorization: t.auth, ...FORM }, payload: form({ To: '+15551230005', Kind: 'delivery' }) });
    assert.equal(failed.statusCode, 200, failed.body);
    const answer = await text(flow, '+15551230005', 'hi');
    assert.deepEqual(answer.messages.map((m) => `${m.direction} ${m.body} ${m.status}`), ['inbound hi received', 'outbound-api Name? undelivered', 'outbound-api Sorry, that did not arrive delivered']);
  });

  it('waiting for an execution whose own request hangs gives up at the bound, with its work still out', async () => {
    const own = await create('own', triggerFlow('own', 'incomingMessage', 'first', [reply('first', 'Checking', 'call'), request('call', `${base}/hang`, 'done'), reply('done', 'Done')]));
    const before = hanging.length;
    const { executionSid } = await t.app.executions.inboundMessage(t.account.sid, own, { From: '+15551230004', To: '+15005550006', Body: 'go', MessageSid: 'SM' + 'a'.repeat(32), AccountSid: t.account.sid });
    assert.ok(executionSid);
    assert.equal(await t.app.executions.idleFor(executionSid, 50), false, 'its request is still out');
    while (hanging.length === before) await new Promise((resolve) => setTimeout(resolve, 5));
    // Answered: the result's sprint and the last send are that execution's work, waited for in turn.
    hanging.at(-1)!.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    assert.equal(await t.app.executions.idleFor(executionSid, 5_000), true);
    const steps = (await t.app.store.listSteps(t.account.sid, own, executionSid, { pageSize: 10 })).items.map((s) => s.transitionedTo);
    assert.deepEqual(steps, ['first', 'call', 'done', 'Ended']);
  });
});
