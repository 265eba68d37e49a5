// The console's server side: built assets and client-side paths without auth, the API still behind
// Basic auth (and without the browser's login prompt for console calls), full validation results,
// and the live event streams of executions and simulator conversations, on a real socket.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { ensureConsoleBuilt } from '../../web/ensure-built.ts';
import { parseSse, type SseMessage } from '../../web/src/api/sse.ts';
import { registerConsole } from '../../src/api/routes/console.ts';
import { Routes } from '../../src/api/server.ts';
import type { ApiContext } from '../../src/api/context.ts';
import { FORM, form, startTestServer, type TestServer } from '../support/server.ts';

const GREETING = JSON.parse(readFileSync(fileURLToPath(new URL('./fixtures/greeting-flow.json', import.meta.url)), 'utf8'));
const DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/** Reads a server-sent event stream until `done` says the events seen so far are enough. */
async function readStream(url: string, auth: string, done: (events: SseMessage[]) => boolean, timeoutMs = 5000): Promise<SseMessage[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const events: SseMessage[] = [];
  try {
    const response = await fetch(url, { headers: { authorization: auth }, signal: controller.signal });
    assert.equal(response.status, 200, await (response.ok ? Promise.resolve('') : response.text()));
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    while (!done(events)) {
      const { value, done: ended } = await reader.read();
      if (ended) break;
      buffer = parseSse(buffer + value, (m) => events.push(m));
    }
    return events;
  } catch (error) {
    if (controller.signal.aborted) assert.fail(`stream did not deliver in ${timeoutMs} ms; saw ${JSON.stringify(events.map((e) => e.event))}`);
    throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

const data = (m: SseMessage) => JSON.parse(m.data) as Record<string, unknown>;

/** What Chromium sends loading a page. */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7';

describe('console routes', () => {
  let server: TestServer;
  let flowSid: string;

  before(async () => {
    await ensureConsoleBuilt();
    server = await startTestServer({ listen: true });
    const flow = await server.app.flows.create(server.account.sid, { friendlyName: 'Greeting', status: 'published', definition: GREETING });
    flowSid = flow.sid;
  });
  after(() => server.close());

  it('serves index.html at / and at every console path, without auth and uncached', async () => {
    for (const path of ['/', '/flows', `/flows/${flowSid}`, `/flows/${flowSid}/executions/FN00000000000000000000000000000000`]) {
      const response = await server.app.server.inject({ method: 'GET', url: path });
      assert.equal(response.statusCode, 200, path);
      assert.match(response.headers['content-type'] as string, /^text\/html/);
      assert.equal(response.headers['cache-control'], 'no-cache');
      assert.match(response.body, /<div id="root"><\/div>/);
      assert.match(response.headers['content-security-policy'] as string, /script-src 'self'.*frame-ancestors 'none'/);
      assert.equal(response.headers['x-frame-options'], 'DENY');
    }
  });

  it('serves hashed assets for a year, and unknown assets are a Twilio 404', async () => {
    const asset = readdirSync(`${DIST}assets`).find((f) => f.endsWith('.js'))!;
    const response = await server.app.server.inject({ method: 'GET', url: `/assets/${asset}` });
    assert.equal(response.statusCode, 200);
    assert.match(response.headers['cache-control'] as string, /immutable/);
    const missing = await server.app.server.inject({ method: 'GET', url: '/assets/nope.js' });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().code, 20404);
  });

  it("answers a browser's page outside the API with the console as a 404, which says the page is not found", async () => {
    for (const path of ['/console/nonexistent', '/nonexistent', '/flow', '/console', '/Flows', '/nonexistent/deeper?x=1']) {
      for (const method of ['GET', 'HEAD'] as const) {
        const response = await server.app.server.inject({ method, url: path, headers: { accept: BROWSER_ACCEPT } });
        assert.equal(response.statusCode, 404, `${method} ${path}`);
        assert.match(response.headers['content-type'] as string, /^text\/html/, `${method} ${path}`);
        assert.match(response.headers['content-security-policy'] as string, /script-src 'self'.*frame-ancestors 'none'/);
        assert.equal(response.headers['cache-control'], 'no-cache');
        if (method === 'GET') assert.match(response.body, /<div id="root"><\/div>/, path);
      }
    }
    // Any Accept that takes HTML, as Safari's and curl -H 'Accept: text/html' are.
    const plain = await server.app.server.inject({ method: 'GET', url: '/nonexistent', headers: { accept: 'text/html' } });
    assert.equal(plain.statusCode, 404);
    assert.match(plain.headers['content-type'] as string, /^text\/html/);
  });

  it("keeps Twilio's JSON 404 for API paths, API clients, and requests that are not for a page", async () => {
    const twilio404 = (path: string) => ({ code: 20404, message: `The requested resource ${path} was not found`, more_info: 'https://www.twilio.com/docs/errors/20404', status: 404 });
    const expectJson = async (what: string, options: { method?: 'GET' | 'HEAD' | 'POST' | 'DELETE'; url: string; headers?: Record<string, string> }) => {
      const response = await server.app.server.inject({ method: options.method ?? 'GET', url: options.url, headers: options.headers ?? {} });
      assert.equal(response.statusCode, 404, what);
      assert.match(response.headers['content-type'] as string, /^application\/json/, what);
      if (options.method !== 'HEAD') assert.deepEqual(response.json(), twilio404(options.url.split('?')[0]!), what);
    };
    // API paths, even to a browser: a mistyped API URL opened in a tab reads as the API's answer.
    for (const url of [
      '/v2/Nope',
      `/v2/Flows/${flowSid}/Nope`,
      '/v1/Nope',
      '/2010-04-01/Accounts/AC00000000000000000000000000000000/Calls.json',
      '/console/api/Nope',
      '/simulator/Nope',
      '/replay/Nope',
      '/healthz/nope',
      '/readyz/nope',
      '/metrics/nope',
      '/assets/nope.js',
      '/V2/flows',
      // Escaped or doubled, still the API's.
      '//v2/Nope',
      '/%76%32/Nope',
    ]) {
      await expectJson(`browser ${url}`, { url, headers: { accept: BROWSER_ACCEPT } });
      await expectJson(`client ${url}`, { url, headers: { accept: 'application/json' } });
    }
    // Clients that do not ask for HTML, anywhere: twilio-node's Accept, curl's, none, and HTML refused, or
    // taken no more gladly than JSON (HTTPie-like clients that list text/html after JSON).
    for (const accept of ['application/json', '*/*', undefined, 'text/html;q=0, application/json', 'application/json, text/html;q=0.5', 'application/json, text/html']) {
      await expectJson(`accept ${accept} /nonexistent`, { url: '/nonexistent', headers: accept === undefined ? {} : { accept } });
      await expectJson(`accept ${accept} /console/nonexistent`, { url: '/console/nonexistent', headers: accept === undefined ? {} : { accept } });
    }
    // Only a page load is a page: other methods keep the API's answer.
    await expectJson('POST', { method: 'POST', url: '/nonexistent', headers: { accept: BROWSER_ACCEPT, ...FORM } });
    await expectJson('DELETE', { method: 'DELETE', url: '/nonexistent', headers: { accept: BROWSER_ACCEPT } });
    // A known path with another method is still the 405 it was.
    const wrongMethod = await server.app.server.inject({ method: 'DELETE', url: '/v2/Flows', headers: { accept: BROWSER_ACCEPT } });
    assert.equal(wrongMethod.statusCode, 405);
    assert.equal(wrongMethod.json().code, 20004);
  });

  it('keeps the API behind Basic auth; console calls get their 401 without the browser login prompt', async () => {
    const plain = await server.app.server.inject({ method: 'GET', url: '/v2/Flows' });
    assert.equal(plain.statusCode, 401);
    assert.equal(plain.headers['www-authenticate'], 'Basic realm="Twilio API"');
    const console = await server.app.server.inject({ method: 'GET', url: '/v2/Flows', headers: { 'x-requested-with': 'XMLHttpRequest' } });
    assert.equal(console.statusCode, 401);
    assert.equal(console.headers['www-authenticate'], undefined);
    assert.equal(console.json().code, 20003);
    const stream = await server.app.server.inject({ method: 'GET', url: `/console/api/Flows/${flowSid}/Simulator/Events?Contact=%2B1555` });
    assert.equal(stream.statusCode, 401);
  });

  it('validates with errors and warnings', async () => {
    const broken = structuredClone(GREETING);
    broken.states[2].properties.shorten_urls = 'yes';
    const response = await server.app.server.inject({
      method: 'POST',
      url: '/console/api/Validate',
      headers: { authorization: server.auth, ...FORM },
      payload: form({ Definition: JSON.stringify(broken) }),
    });
    assert.equal(response.statusCode, 200);
    const body = response.json();
    assert.equal(body.valid, false);
    assert.ok(body.errors.some((e: { property_path: string }) => e.property_path === '#/states/2/properties/shorten_urls'));
    assert.ok(Array.isArray(body.warnings));
    const good = await server.app.server.inject({
      method: 'POST',
      url: '/console/api/Validate',
      headers: { authorization: server.auth, ...FORM },
      payload: form({ Definition: JSON.stringify(GREETING) }),
    });
    assert.deepEqual(good.json(), { valid: true, errors: [], warnings: good.json().warnings });
    const notJson = await server.app.server.inject({ method: 'POST', url: '/console/api/Validate', headers: { authorization: server.auth, ...FORM }, payload: form({ Definition: '{' }) });
    assert.equal(notJson.json().valid, false);
    const missing = await server.app.server.inject({ method: 'POST', url: '/console/api/Validate', headers: { authorization: server.auth, ...FORM }, payload: '' });
    assert.equal(missing.statusCode, 400);
  });

  it('streams a simulator conversation: both messages and the steps, live', async () => {
    const contact = '+15557770001';
    const url = `${server.baseUrl}/console/api/Flows/${flowSid}/Simulator/Events?Contact=${encodeURIComponent(contact)}`;
    // Messages are upserted by SID (as the console does): the latest event of each is what shows.
    const latestMessages = (events: SseMessage[]) => [...new Map(events.filter((e) => e.event === 'message').map((e) => [data(e).sid, data(e)])).values()];
    const reading = readStream(
      url,
      server.auth,
      (events) => events.some((e) => e.event === 'step' && data(e).transitioned_to === 'Ended') && latestMessages(events).filter((m) => m.direction === 'inbound' && m.execution_sid).length === 2,
    );
    // Let the stream open before the conversation starts, so the events arrive live, not as a replay.
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const body of ['hi', 'Ada']) {
      const sent = await fetch(`${server.baseUrl}/simulator/Flows/${flowSid}/Messages`, {
        method: 'POST',
        headers: { authorization: server.auth, ...FORM },
        body: form({ From: contact, Body: body }),
      });
      assert.equal(sent.status, 201);
    }
    const events = await reading;
    const messages = events.filter((e) => e.event === 'message').map(data);
    assert.ok(messages.some((m) => m.direction === 'outbound-api' && m.body === 'Hi! What is your name?'));
    assert.ok(messages.some((m) => m.direction === 'outbound-api' && m.body === 'Nice to meet you, Ada!'));
    const steps = events.filter((e) => e.event === 'step').map(data);
    assert.deepEqual(
      steps.map((s) => `${s.transitioned_from}/${s.name}/${s.transitioned_to}`),
      ['Trigger/incomingMessage/ask_name', 'ask_name/incomingMessage/greet', 'greet/sent/Ended'],
    );
    const executions = events.filter((e) => e.event === 'execution').map(data);
    assert.equal(executions.at(-1)!.status, 'ended');
    // Both texts show the execution the first started and the second resumed, not null.
    const inbound = latestMessages(events).filter((m) => m.direction === 'inbound');
    assert.deepEqual(inbound.map((m) => `${m.body} ${m.execution_sid}`), [`hi ${executions.at(-1)!.sid}`, `Ada ${executions.at(-1)!.sid}`]);
  });

  it("streams the messages the contact's executions send to other numbers, which are in no transcript of the contact", async () => {
    const forward = structuredClone(GREETING);
    forward.states[2].properties.to = '+15550009999';
    forward.states[2].properties.body = 'Forwarded: {{widgets.ask_name.inbound.Body}}';
    const flow = await server.app.flows.create(server.account.sid, { friendlyName: 'Forward', status: 'published', definition: forward });
    const contact = '+15557770003';
    const url = `${server.baseUrl}/console/api/Flows/${flow.sid}/Simulator/Events?Contact=${encodeURIComponent(contact)}`;
    const reading = readStream(url, server.auth, (events) => events.some((e) => e.event === 'message' && data(e).to === '+15550009999'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Another contact's forward of the same flow is not this contact's.
    for (const [from, body] of [['+15557770004', 'hi'], ['+15557770004', 'Bob'], [contact, 'hi'], [contact, 'Ada']]) {
      const sent = await fetch(`${server.baseUrl}/simulator/Flows/${flow.sid}/Messages`, { method: 'POST', headers: { authorization: server.auth, ...FORM }, body: form({ From: from!, Body: body! }) });
      assert.equal(sent.status, 201);
    }
    const messages = (await reading).filter((e) => e.event === 'message').map(data);
    const forwarded = messages.filter((m) => m.to === '+15550009999');
    assert.deepEqual(forwarded.map((m) => m.body), ['Forwarded: Ada']);
    assert.ok(messages.every((m) => m.from !== '+15557770004' && m.to !== '+15557770004'), 'another contact showed up');
  });

  it('streams one execution: every step once, then its status', async () => {
    const sent = await fetch(`${server.baseUrl}/simulator/Flows/${flowSid}/Messages`, {
      method: 'POST',
      headers: { authorization: server.auth, ...FORM },
      body: form({ From: '+15557770002', Body: 'hello' }),
    });
    const { execution_sid: executionSid } = (await sent.json()) as { execution_sid: string };
    const url = `${server.baseUrl}/console/api/Flows/${flowSid}/Executions/${executionSid}/Events`;
    const first = await readStream(url, server.auth, (events) => events.some((e) => e.event === 'execution'));
    assert.deepEqual(first.filter((e) => e.event === 'step').map((e) => data(e).transitioned_to), ['ask_name']);
    assert.equal(data(first.find((e) => e.event === 'execution')!).status, 'active');
    // Ending it shows up on a stream that is already open.
    const live = readStream(url, server.auth, (events) => events.some((e) => e.event === 'execution' && data(e).status === 'ended'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await fetch(`${server.baseUrl}/v2/Flows/${flowSid}/Executions/${executionSid}`, { method: 'POST', headers: { authorization: server.auth, ...FORM }, body: form({ Status: 'ended' }) });
    const events = await live;
    assert.equal(events.filter((e) => e.event === 'step').length, 1, 'steps are not repeated');
  });

  it('answers unknown executions and flows with 404 and a missing Contact with 400', async () => {
    const unknown = await server.app.server.inject({ method: 'GET', url: `/console/api/Flows/${flowSid}/Executions/FN00000000000000000000000000000000/Events`, headers: { authorization: server.auth } });
    assert.equal(unknown.statusCode, 404);
    const badSid = await server.app.server.inject({ method: 'GET', url: `/console/api/Flows/${flowSid}/Executions/nope/Events`, headers: { authorization: server.auth } });
    assert.equal(badSid.statusCode, 404);
    const noContact = await server.app.server.inject({ method: 'GET', url: `/console/api/Flows/${flowSid}/Simulator/Events`, headers: { authorization: server.auth } });
    assert.equal(noContact.statusCode, 400);
    assert.equal(noContact.json().code, 20001);
  });

  it('stops polling the store when the client goes away', async () => {
    const store = server.app.store;
    const original = store.findActiveExecution;
    let polls = 0;
    store.findActiveExecution = (...args) => {
      polls++;
      return original.apply(store, args);
    };
    try {
      const controller = new AbortController();
      const response = await fetch(`${server.baseUrl}/console/api/Flows/${flowSid}/Simulator/Events?Contact=%2B15550001111`, { headers: { authorization: server.auth }, signal: controller.signal });
      assert.equal(response.status, 200);
      // Waited for, not slept on: on a busy machine the 250 ms polls come late (it polls at once, then each pollMs).
      const open = Date.now();
      while (polls < 2 && Date.now() - open < 10_000) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.ok(polls >= 2, `polled ${polls} times in 10 s while open`);
      controller.abort();
      // The server hears of the close (and a poll under way finishes) in its own time: what matters is that
      // the polls stop, so 800 ms (three poll intervals) without one must come, within a generous cap.
      let still = { polls, since: Date.now() };
      const left = Date.now();
      while (Date.now() - still.since < 800 && Date.now() - left < 10_000) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        if (polls !== still.polls) still = { polls, since: Date.now() };
      }
      assert.ok(Date.now() - still.since >= 800, `still polling after the client left (${polls} polls)`);
    } finally {
      store.findActiveExecution = original;
    }
  });

  it('closes open streams when the server shuts down', async () => {
    const other = await startTestServer({ listen: true });
    const flow = await other.app.flows.create(other.account.sid, { friendlyName: 'g', status: 'published', definition: GREETING });
    const response = await fetch(`${other.baseUrl}/console/api/Flows/${flow.sid}/Simulator/Events?Contact=%2B1555`, { headers: { authorization: other.auth } });
    assert.equal(response.status, 200);
    const started = Date.now();
    await other.close();
    assert.ok(Date.now() - started < 3000, 'close waited on the open stream');
    await response.body?.cancel().catch(() => undefined);
  });
});

describe('console not built', () => {
  it('explains how to build it instead of failing', async () => {
    const app = Fastify();
    await registerConsole(new Routes(app), {} as ApiContext, { distDir: '/nonexistent-switchboard-dist' });
    const response = await app.inject({ method: 'GET', url: '/' });
    assert.equal(response.statusCode, 503);
    assert.match(response.body, /npm run build:web/);
    await app.close();
  });

  it("answers a browser's unknown page with a page of its own saying so, with a link to the console", async () => {
    const app = Fastify();
    const routes = new Routes(app);
    // As the server's not-found handler does: the console's page, or else the API's 404.
    app.setNotFoundHandler((request, reply) => (routes.notFoundPage?.(request, reply, request.url) ? reply : reply.code(404).send({ code: 20404 })));
    await registerConsole(routes, {} as ApiContext, { distDir: '/nonexistent-switchboard-dist' });
    const response = await app.inject({ method: 'GET', url: '/nonexistent', headers: { accept: BROWSER_ACCEPT } });
    assert.equal(response.statusCode, 404);
    assert.match(response.headers['content-type'] as string, /^text\/html/);
    assert.match(response.body, /<h1>Page not found<\/h1>/);
    assert.match(response.body, /<a href="\/">Go to the web console<\/a>/);
    const api = await app.inject({ method: 'GET', url: '/v2/Nope', headers: { accept: BROWSER_ACCEPT } });
    assert.deepEqual(api.json(), { code: 20404 });
    await app.close();
  });
});
