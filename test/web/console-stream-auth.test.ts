// The console's event streams against credentials that stop working while they are open: a stream is
// authenticated again on every poll, through the API's (cached) authentication, and ends with an
// `unauthorized` event (the 401 body) once the token is rotated, the API key revoked or the account
// gone, instead of delivering the conversation for ever. And a simulator stream opened after the fact
// (a reload, another tab) still shows what the contact's executions sent to other numbers.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseSse, type SseMessage } from '../../web/src/api/sse.ts';
import { FORM, basicAuth, form, startTestServer, type TestServer } from '../support/server.ts';

const GREETING = JSON.parse(readFileSync(fileURLToPath(new URL('./fixtures/greeting-flow.json', import.meta.url)), 'utf8'));

/** An open stream: the events so far, and whether the server has ended it. */
interface OpenStream {
  events: SseMessage[];
  ended: Promise<void>;
  close(): void;
}

async function openStream(url: string, auth: string): Promise<OpenStream> {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { authorization: auth }, signal: controller.signal });
  assert.equal(response.status, 200, response.ok ? '' : await response.text());
  const events: SseMessage[] = [];
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const ended = (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer = parseSse(buffer + value, (m) => events.push(m));
      }
    } catch (error) {
      if (!controller.signal.aborted) throw error;
    }
  })();
  return { events, ended, close: () => controller.abort() };
}

/** Resolves true when `promise` settles within `ms`, false otherwise. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const data = (m: SseMessage) => JSON.parse(m.data) as Record<string, unknown>;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the stream has delivered what `check` looks for (it polls every 250 ms); fails with `what` after 5 s. */
async function delivered(stream: OpenStream, what: string, check: (events: SseMessage[]) => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check(stream.events)) {
    if (Date.now() > deadline) assert.fail(`not delivered within 5 s: ${what} (got ${stream.events.map((e) => e.event).join(', ') || 'nothing'})`);
    await sleep(20);
  }
}
const hasEvent = (event: string) => (events: SseMessage[]) => events.some((e) => e.event === event);

describe('console streams: credentials checked while open', () => {
  let server: TestServer;
  let flowSid: string;

  before(async () => {
    server = await startTestServer({ listen: true });
    flowSid = (await server.app.flows.create(server.account.sid, { friendlyName: 'Greeting', status: 'published', definition: GREETING })).sid;
  });
  after(() => server.close());

  const text = async (auth: string, from: string, body: string) => {
    const sent = await fetch(`${server.baseUrl}/simulator/Flows/${flowSid}/Messages`, { method: 'POST', headers: { authorization: auth, ...FORM }, body: form({ From: from, Body: body }) });
    assert.equal(sent.status, 201);
    return (await sent.json()) as { execution_sid: string };
  };

  it('an API key revoked while its stream is open ends the stream', async () => {
    const { key, secret } = await server.app.accounts.createKey(server.account.sid, 'console');
    const auth = basicAuth(key.sid, secret);
    const contact = '+15557771001';
    const stream = await openStream(`${server.baseUrl}/console/api/Flows/${flowSid}/Simulator/Events?Contact=${encodeURIComponent(contact)}`, auth);
    await text(auth, contact, 'hi');
    await delivered(stream, 'a message before the key is revoked', hasEvent('message'));
    await server.app.store.deleteApiKey(key.sid);
    assert.ok(await within(stream.ended, 3000), 'the stream was still open 3 s after the key was revoked');
    const last = stream.events.at(-1)!;
    assert.equal(last.event, 'unauthorized');
    assert.equal(data(last).code, 20003);
    stream.close();
  });

  // Rotates the account's token: keep it last.
  it('a rotated token ends the simulator and execution streams; what happens next is not delivered', async () => {
    const contact = '+15557771002';
    const { execution_sid: executionSid } = await text(server.auth, contact, 'hi');
    const simulator = await openStream(`${server.baseUrl}/console/api/Flows/${flowSid}/Simulator/Events?Contact=${encodeURIComponent(contact)}`, server.auth);
    const execution = await openStream(`${server.baseUrl}/console/api/Flows/${flowSid}/Executions/${executionSid}/Events`, server.auth);
    await delivered(simulator, 'a message on the simulator stream', hasEvent('message'));
    await delivered(execution, 'the execution on its stream', hasEvent('execution'));

    const token = (await server.app.accounts.rotateToken(server.account.sid))!;
    const auth = basicAuth(server.account.sid, token);
    assert.ok(await within(Promise.all([simulator.ended, execution.ended]), 3000), 'a stream was still open 3 s after the rotation');
    for (const stream of [simulator, execution]) assert.equal(stream.events.at(-1)!.event, 'unauthorized');
    const seen = simulator.events.length;
    await text(auth, contact, 'Ada');
    await sleep(400);
    assert.equal(simulator.events.length, seen, 'delivered after the rotation');
    simulator.close();
    execution.close();

    // The old token is refused at the door; the new one streams.
    const refused = await fetch(`${server.baseUrl}/console/api/Flows/${flowSid}/Simulator/Events?Contact=${encodeURIComponent(contact)}`, { headers: { authorization: basicAuth(server.account.sid, server.account.authToken) } });
    assert.equal(refused.status, 401);
    await refused.body?.cancel();
    const fresh = await openStream(`${server.baseUrl}/console/api/Flows/${flowSid}/Simulator/Events?Contact=${encodeURIComponent(contact)}`, auth);
    await delivered(fresh, 'the reply to Ada', (events) => events.some((e) => e.event === 'message' && data(e).body === 'Nice to meet you, Ada!'));
    fresh.close();
  });
});

describe('console streams: messages to other numbers sent before the stream opened', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ listen: true });
  });
  after(() => server.close());

  it("a stream opened after the conversation shows the contact's forwards, not another contact's", async () => {
    const forward = structuredClone(GREETING);
    forward.states[2].properties.to = '+15550009999';
    forward.states[2].properties.body = 'Forwarded: {{widgets.ask_name.inbound.Body}}';
    const flow = await server.app.flows.create(server.account.sid, { friendlyName: 'Forward', status: 'published', definition: forward });
    const contact = '+15557772001';
    for (const [from, body] of [['+15557772002', 'hi'], ['+15557772002', 'Bob'], [contact, 'hi'], [contact, 'Ada']]) {
      const sent = await fetch(`${server.baseUrl}/simulator/Flows/${flow.sid}/Messages`, { method: 'POST', headers: { authorization: server.auth, ...FORM }, body: form({ From: from!, Body: body! }) });
      assert.equal(sent.status, 201);
    }
    // Opened once it is all over: as a reload of the console's Chat does.
    const stream = await openStream(`${server.baseUrl}/console/api/Flows/${flow.sid}/Simulator/Events?Contact=${encodeURIComponent(contact)}`, server.auth);
    await delivered(stream, "the contact's 4 messages", (events) => events.filter((e) => e.event === 'message').length >= 4);
    stream.close();
    const messages = stream.events.filter((e) => e.event === 'message').map(data);
    assert.deepEqual(messages.filter((m) => m.to === '+15550009999').map((m) => m.body), ['Forwarded: Ada']);
    assert.ok(messages.every((m) => m.from !== '+15557772002' && m.to !== '+15557772002'), 'another contact showed up');
    // In the order they were recorded: the text, the question, the answer, then the forward.
    const sequences = messages.map((m) => m.sequence as number);
    assert.deepEqual(messages.map((m) => m.body), ['hi', 'Hi! What is your name?', 'Ada', 'Forwarded: Ada']);
    assert.deepEqual([...sequences].sort((a, b) => a - b), sequences);
  });
});
