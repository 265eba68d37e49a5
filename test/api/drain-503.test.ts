// A request that reaches the server while it drains (graceful stop) is refused with 503 in Twilio's
// error format, not Fastify's own {"error":"Service Unavailable",...,"statusCode":503}, and the
// connection is closed so the client retries elsewhere. The port and open keep-alive connections stay
// up until the work in flight is done: nothing is dropped unanswered, and only then is the port refused.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import diagnostics from 'node:diagnostics_channel';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { once } from 'node:events';
import { FORM, form, startTestServer } from '../support/server.ts';
import { triggerFlow } from '../support/flows.ts';

test('during close, a request on an open keep-alive connection gets 503/20503 in Twilio format with Connection: close', async () => {
  const t = await startTestServer({ listen: true });
  const { port } = new URL(t.baseUrl);
  const socket = connect(Number(port), '127.0.0.1');
  await once(socket, 'connect');
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (received += chunk));
  const ended = once(socket, 'close');

  // A request in flight (its body still coming) keeps the connection open while close() begins.
  const body = 'FriendlyName=x';
  socket.write(`POST /v2/Flows HTTP/1.1\r\nHost: localhost\r\nAuthorization: ${t.auth}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\nFriendly`);
  await new Promise((resolve) => setTimeout(resolve, 100));
  const closed = t.close();
  await new Promise((resolve) => setTimeout(resolve, 100));
  // The rest of that body, and a second request on the same connection, which arrives while closing.
  socket.write(`${body.slice('Friendly'.length)}GET /v2/Flows HTTP/1.1\r\nHost: localhost\r\nAuthorization: ${t.auth}\r\n\r\n`);
  await ended;
  await closed;

  const responses = received.split(/(?=HTTP\/1\.1 )/);
  assert.equal(responses.length, 2, received);
  assert.match(responses[0]!, /^HTTP\/1\.1 400 /, 'the request admitted before close() is served');
  const [head, payload] = responses[1]!.split('\r\n\r\n') as [string, string];
  assert.match(head, /^HTTP\/1\.1 503 /);
  assert.match(head, /\r\nretry-after: 1\r\n/i, 'says when to come back');
  assert.match(head, /\r\nconnection: close\r\n/i);
  assert.match(head, /\r\ncontent-type: application\/json/i);
  const error = JSON.parse(payload);
  assert.deepEqual(Object.keys(error).sort(), ['code', 'message', 'more_info', 'status']);
  assert.equal(error.status, 503);
  assert.equal(error.code, 20503);
  assert.equal(error.more_info, 'https://www.twilio.com/docs/errors/20503');
});

/** Sockets to destroy when a test ends, so a failed one does not hold the server's close forever. */
const opened: Socket[] = [];
afterEach(() => {
  for (const socket of opened.splice(0)) socket.destroy();
});

/** A raw keep-alive connection: what it received, and whether the server closed it. */
async function connection(port: number) {
  const socket = connect(port, '127.0.0.1');
  opened.push(socket);
  await once(socket, 'connect');
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (received += chunk));
  socket.on('error', () => {}); // a reset shows as missing answers below
  const closed = new Promise<true>((resolve) => socket.once('close', () => resolve(true)));
  return {
    socket,
    received: () => received,
    /** The answers received so far, each split into head and body. */
    answers: () => received.split(/(?=HTTP\/1\.1 )/).filter(Boolean).map((answer) => answer.split('\r\n\r\n') as [string, string]),
    closed,
    /** Resolves once `count` answers have arrived in full, or the connection closed first. */
    async waitFor(count: number): Promise<void> {
      const complete = () => (received.match(/HTTP\/1\.1 /g) ?? []).length >= count && received.endsWith('}');
      while (!complete() && !socket.destroyed && !socket.readableEnded) await new Promise((resolve) => setTimeout(resolve, 10));
    },
  };
}

function assertRefused503([head, body]: [string, string]): void {
  assert.match(head, /^HTTP\/1\.1 503 /);
  assert.match(head, /\r\nconnection: close\r\n/i);
  assert.equal(JSON.parse(body).code, 20503);
}

test('draining keeps the port: idle keep-alive connections and new ones get 503/20503 until the requests admitted are answered', async () => {
  const t = await startTestServer({ listen: true });
  const port = Number(new URL(t.baseUrl).port);
  const get = `GET /v2/Flows HTTP/1.1\r\nHost: localhost\r\nAuthorization: ${t.auth}\r\n\r\n`;

  // A keep-alive client that has had its answer and sits idle when the drain starts.
  const idle = await connection(port);
  idle.socket.write(get);
  await idle.waitFor(1);
  assert.match(idle.answers()[0]![0], /^HTTP\/1\.1 200 /);
  // A request admitted before the drain, its body still coming: the drain waits for it.
  const busy = await connection(port);
  const body = 'FriendlyName=x';
  busy.socket.write(`POST /v2/Flows HTTP/1.1\r\nHost: localhost\r\nAuthorization: ${t.auth}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\nFriendly`);
  await new Promise((resolve) => setTimeout(resolve, 100));

  let closeDone = false;
  const closed = t.close().then(() => (closeDone = true));
  await new Promise((resolve) => setTimeout(resolve, 100));

  // The idle connection is still there, and its next request is refused in words, not dropped.
  idle.socket.write(get);
  await idle.waitFor(2);
  assert.equal(idle.answers().length, 2, idle.received());
  assertRefused503(idle.answers()[1]!);
  assert.equal(await idle.closed, true, 'the server closes it after the 503');

  // A new connection during the drain is accepted and refused the same way.
  const late = await connection(port);
  late.socket.write(get);
  await late.waitFor(1);
  assert.equal(late.answers().length, 1, late.received());
  assertRefused503(late.answers()[0]!);
  assert.equal(closeDone, false, 'still draining: the admitted request is not answered yet');

  // The admitted request completes and is answered; then the node stops listening.
  busy.socket.write(body.slice('Friendly'.length));
  await busy.waitFor(1);
  assert.match(busy.answers()[0]![0], /^HTTP\/1\.1 400 /);
  await closed;
  await busy.closed;
  const after = connect(port, '127.0.0.1');
  const [error] = (await once(after, 'error')) as [NodeJS.ErrnoException];
  assert.equal(error.code, 'ECONNREFUSED');
});

test("the runtime's work in flight (an HTTP widget waiting on its upstream) keeps the port answering 503 until it is done", async (ctx) => {
  // An upstream that takes the HTTP widget's request and answers only when told to.
  let answerUpstream = () => {};
  let upstreamCalled = () => {};
  const called = new Promise<void>((resolve) => (upstreamCalled = resolve));
  const upstream = createServer((_request, response) => {
    answerUpstream = () => response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    upstreamCalled();
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  ctx.after(() => upstream.close());
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/slow`;
  const t = await startTestServer({ listen: true, config: { dev: true } });
  const port = Number(new URL(t.baseUrl).port);
  const call = (url: string, payload: string) => t.app.server.inject({ method: 'POST', url, headers: { authorization: t.auth, ...FORM }, payload });
  const definition = triggerFlow('calls a slow API', 'incomingRequest', 'call', [
    {
      name: 'call',
      type: 'make-http-request',
      properties: { offset: { x: 0, y: 200 }, method: 'GET', url: upstreamUrl, content_type: 'application/x-www-form-urlencoded;charset=utf-8' },
      transitions: [{ event: 'success' }, { event: 'failed' }],
    },
  ]);
  const flow = (await call('/v2/Flows', form({ FriendlyName: 'slow', Status: 'published', Definition: JSON.stringify(definition) }))).json();
  assert.equal((await call(`/v2/Flows/${flow.sid}/Executions`, form({ To: '+15550000001', From: '+15005550006' }))).statusCode, 201);
  await called;

  let closeDone = false;
  const closed = t.close().then(() => (closeDone = true));
  await new Promise((resolve) => setTimeout(resolve, 100));
  const late = await connection(port);
  late.socket.write(`GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n`);
  await late.waitFor(1);
  assert.equal(late.answers().length, 1, late.received());
  assertRefused503(late.answers()[0]!);
  assert.equal(closeDone, false, 'the HTTP call is still in flight');

  answerUpstream();
  await closed;
  const after = connect(port, '127.0.0.1');
  const [error] = (await once(after, 'error')) as [NodeJS.ErrnoException];
  assert.equal(error.code, 'ECONNREFUSED');
});

/**
 * Which requests fetch lost to a reset of a connection this server never accepted: one whose handshake the
 * kernel had not finished, or had queued but not yet handed over, when the port closed. The kernel resets
 * those, and nothing of theirs was read: a refusal in all but name, which no server can turn into an answer.
 */
function watchUnacceptedResets(server: Server) {
  const accepted = new Set<number>();
  const onConnection = (socket: Socket) => accepted.add(socket.remotePort!);
  server.on('connection', onConnection);
  const portOf = new WeakMap<object, number>();
  let unaccepted = 0;
  const sent = (message: unknown) => {
    const { request, socket } = message as { request: object; socket: Socket };
    portOf.set(request, socket.localPort!);
  };
  const failed = (message: unknown) => {
    const { request, error } = message as { request: object; error: NodeJS.ErrnoException };
    const port = portOf.get(request);
    if (error.code === 'ECONNRESET' && (port === undefined || !accepted.has(port))) unaccepted += 1;
  };
  diagnostics.subscribe('undici:client:sendHeaders', sent);
  diagnostics.subscribe('undici:request:error', failed);
  return {
    count: () => unaccepted,
    stop() {
      server.off('connection', onConnection);
      diagnostics.unsubscribe('undici:client:sendHeaders', sent);
      diagnostics.unsubscribe('undici:request:error', failed);
    },
  };
}

test('keep-alive clients in a loop around a drain: every request is answered (200, or 503/20503) until the port is refused', async (ctx) => {
  const t = await startTestServer({ listen: true });
  const unacceptedResets = watchUnacceptedResets(t.app.server.server);
  ctx.after(() => unacceptedResets.stop());
  const outcomes = new Map<string, number>();
  const note = (outcome: string) => outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  let closing = false;
  // fetch keeps its connections alive and reuses them at once, the case a drain must not drop.
  const clients = Array.from({ length: 6 }, async () => {
    for (;;) {
      try {
        const res = await fetch(`${t.baseUrl}/v2/Flows`, { headers: { authorization: t.auth } });
        const body = (await res.json()) as { code?: number };
        note(res.status === 503 ? `503 ${body.code}` : String(res.status));
      } catch (error) {
        const code = String((error as { cause?: { code?: string } }).cause?.code ?? error);
        note(code);
        if (closing && code === 'ECONNREFUSED') return;
        if (!closing) throw error;
      }
    }
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  closing = true;
  await t.close();
  await Promise.all(clients);
  // A reset is allowed only where the server had no connection to answer on (rare, on a starved machine:
  // a client reconnecting after its 503 just as the port closes); a reset of one it accepted is a failure.
  const { ECONNRESET: resets = 0, ...rest } = Object.fromEntries(outcomes);
  assert.equal(resets, unacceptedResets.count(), `resets of connections the server had accepted: ${JSON.stringify([...outcomes])}`);
  assert.deepEqual(Object.keys(rest).filter((outcome) => !['200', '503 20503', 'ECONNREFUSED'].includes(outcome)), [], JSON.stringify([...outcomes]));
  assert.equal(outcomes.get('ECONNREFUSED'), 6);
});

/** Blocks the event loop for `ms`, as a long synchronous job or a starved CPU does. */
function stall(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

test('a keep-alive request that arrives just after the port closed, while the event loop is stalled, gets 503/20503, not a reset', async () => {
  const t = await startTestServer({ listen: true });
  const server = t.app.server.server;
  const port = Number(new URL(t.baseUrl).port);
  const get = `GET /v2/Flows HTTP/1.1\r\nHost: localhost\r\nAuthorization: ${t.auth}\r\n\r\n`;
  const client = await connection(port);
  client.socket.write(get);
  await client.waitFor(1);
  assert.match(client.answers()[0]![0], /^HTTP\/1\.1 200 /);

  // Answered a moment ago and idle, the connection is reused just after the port closed: its request is on
  // the wire, but the process is busy for longer than the last call's nominal 100 ms before it reads it.
  const closed = t.close();
  while (server.listening) await new Promise((resolve) => setImmediate(resolve));
  client.socket.write(get);
  stall(300);

  await client.waitFor(2);
  assert.deepEqual(client.answers().map(([head]) => head.split('\r\n')[0]), ['HTTP/1.1 200 OK', 'HTTP/1.1 503 Service Unavailable'], 'the second request is answered, not reset');
  assertRefused503(client.answers()[1]!);
  assert.equal(await client.closed, true);
  await closed;
  const after = connect(port, '127.0.0.1');
  const [error] = (await once(after, 'error')) as [NodeJS.ErrnoException];
  assert.equal(error.code, 'ECONNREFUSED');
});

test('however busy the event loop, the last call ends about a second after the port closed', async (ctx) => {
  const t = await startTestServer({ listen: true });
  const server = t.app.server.server;
  const port = Number(new URL(t.baseUrl).port);
  const client = await connection(port);
  client.socket.write(`GET /v2/Flows HTTP/1.1\r\nHost: localhost\r\nAuthorization: ${t.auth}\r\n\r\n`);
  await client.waitFor(1);

  const closed = t.close();
  while (server.listening) await new Promise((resolve) => setImmediate(resolve));
  const portClosed = performance.now();
  // Every turn of the loop takes 300 ms: counted in turns alone, the last call would take 3 s or more.
  const busy = setInterval(() => stall(300), 0);
  ctx.after(() => clearInterval(busy));
  await closed;
  const took = performance.now() - portClosed;
  clearInterval(busy);
  assert.ok(took >= 900 && took < 2_500, `the last call took ${Math.round(took)} ms`);
  assert.equal(await client.closed, true, 'the idle connection is closed');
});
