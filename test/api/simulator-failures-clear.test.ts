// The simulator's armed failures can be read back (GET /simulator/Failures?To=…) and disarmed
// (POST Kind=none): the console's "The flow's next message" select shows the server's state after a
// reload and can go back to "is delivered". And every simulator message carries `sequence`, the order
// it was recorded in, which orders what one second holds (dates have whole seconds).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FORM, form, startServerWithFlow, type InjectResponse, type TestServer } from '../support/server.ts';

const ECHO = JSON.parse(readFileSync(new URL('../fixtures/flows/sms-echo.json', import.meta.url), 'utf8'));

/** Writes to another number, then to the contact, in one sprint (so in one second). */
const FORWARD_THEN_REPLY = {
  description: 'forward, then reply',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    { name: 'Trigger', type: 'trigger', properties: { offset: { x: 0, y: 0 } }, transitions: [{ event: 'incomingMessage', next: 'forward' }, { event: 'incomingCall' }, { event: 'incomingRequest' }] },
    {
      name: 'forward',
      type: 'send-message',
      properties: { offset: { x: 0, y: 200 }, from: '{{flow.channel.address}}', to: '+15550009999', body: 'Forwarded: {{trigger.message.Body}}' },
      transitions: [{ event: 'sent', next: 'reply' }, { event: 'failed' }],
    },
    {
      name: 'reply',
      type: 'send-message',
      properties: { offset: { x: 0, y: 400 }, from: '{{flow.channel.address}}', to: '{{contact.channel.address}}', body: 'Thanks' },
      transitions: [{ event: 'sent' }, { event: 'failed' }],
    },
  ],
};

type Message = { sid: string; direction: string; to: string; body: string; status: string; sequence: number | null };

describe('simulator: armed failures read back and cleared', () => {
  let t: TestServer;
  let flowSid = '';
  let post: (url: string, payload: string) => Promise<InjectResponse>;
  before(async () => {
    ({ server: t, flowSid, post } = await startServerWithFlow(ECHO));
  });
  after(() => t.close());

  const armed = async (to: string, auth = t.auth) => {
    const res = await t.app.server.inject({ method: 'GET', url: `/simulator/Failures?To=${encodeURIComponent(to)}`, headers: { authorization: auth } });
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as { to: string; kind: string | null };
  };
  const text = async (from: string) => {
    const res = await post(`/simulator/Flows/${flowSid}/Messages`, form({ From: from, Body: 'hi' }));
    assert.equal(res.statusCode, 201, res.body);
    const messages = res.json().messages as Message[];
    await t.app.simulator.idle();
    const transcript = await t.app.server.inject({ method: 'GET', url: `/simulator/Flows/${flowSid}/Messages?Contact=${encodeURIComponent(from)}`, headers: { authorization: t.auth } });
    const byId = new Map((transcript.json().messages as Message[]).map((m) => [m.sid, m]));
    return messages.filter((m) => m.direction === 'outbound-api').map((m) => byId.get(m.sid)!);
  };

  it('GET says what is armed for a contact, null when nothing is', async () => {
    const contact = '+15551239001';
    assert.deepEqual(await armed(contact), { to: contact, kind: null });
    const arm = await post('/simulator/Failures', form({ To: contact, Kind: 'delivery' }));
    assert.equal(arm.statusCode, 200, arm.body);
    assert.deepEqual(arm.json(), { to: contact, kind: 'delivery' });
    assert.deepEqual(await armed(contact), { to: contact, kind: 'delivery' });
    // Another contact has nothing armed.
    assert.equal((await armed('+15551239002')).kind, null);
    // Used up by the flow's next message to the contact.
    const [reply] = await text(contact);
    assert.equal(reply!.status, 'undelivered');
    assert.equal((await armed(contact)).kind, null);
  });

  it('Kind=none disarms: the next message is delivered', async () => {
    const contact = '+15551239003';
    await post('/simulator/Failures', form({ To: contact, Kind: 'send' }));
    const clear = await post('/simulator/Failures', form({ To: contact, Kind: 'none' }));
    assert.equal(clear.statusCode, 200, clear.body);
    assert.deepEqual(clear.json(), { to: contact, kind: null });
    assert.equal((await armed(contact)).kind, null);
    const [reply] = await text(contact);
    assert.equal(reply!.status, 'delivered');
    // Clearing what is not armed is no error.
    assert.equal((await post('/simulator/Failures', form({ To: contact, Kind: 'none' }))).statusCode, 200);
  });

  it("another account's armed failure is neither read nor cleared", async () => {
    const contact = '+15551239004';
    await post('/simulator/Failures', form({ To: contact, Kind: 'send' }));
    const other = await t.app.accounts.create('Other');
    const otherAuth = 'Basic ' + Buffer.from(`${other.sid}:${other.authToken}`).toString('base64');
    assert.equal((await armed(contact, otherAuth)).kind, null);
    const cleared = await t.app.server.inject({ method: 'POST', url: '/simulator/Failures', headers: { authorization: otherAuth, ...FORM }, payload: form({ To: contact, Kind: 'none' }) });
    assert.equal(cleared.statusCode, 200);
    assert.equal((await armed(contact)).kind, 'send');
  });

  it('GET needs To, and other kinds are refused', async () => {
    const missing = await t.app.server.inject({ method: 'GET', url: '/simulator/Failures', headers: { authorization: t.auth } });
    assert.equal(missing.statusCode, 400);
    const bad = await post('/simulator/Failures', form({ To: '+15551239005', Kind: 'later' }));
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().message, /send, delivery, none/);
  });
});

describe('simulator: messages carry the order they were recorded in', () => {
  let t: TestServer;
  let flowSid = '';
  let post: (url: string, payload: string) => Promise<InjectResponse>;
  before(async () => {
    // One clock second for everything: only the sequence tells the order.
    ({ server: t, flowSid, post } = await startServerWithFlow(FORWARD_THEN_REPLY, { now: () => Date.parse('2026-11-27T15:21:25.000Z') }));
  });
  after(() => t.close());

  it('the forward to another number comes between the text and the reply', async () => {
    const res = await post(`/simulator/Flows/${flowSid}/Messages`, form({ From: '+15551239101', Body: 'hello' }));
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json() as { messages: Message[]; other_messages: Message[] };
    const all = [...body.messages, ...body.other_messages];
    assert.ok(all.every((m) => typeof m.sequence === 'number'), JSON.stringify(all));
    const ordered = all.sort((a, b) => a.sequence! - b.sequence!).map((m) => m.body);
    assert.deepEqual(ordered, ['hello', 'Forwarded: hello', 'Thanks']);
  });
});
