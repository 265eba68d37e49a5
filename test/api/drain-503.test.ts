// A request that reaches the server while it drains (graceful stop) is refused with 503 in Twilio's
// error format, not Fastify's own {"error":"Service Unavailable",...,"statusCode":503}, and the
// connection is closed so the client retries elsewhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { once } from 'node:events';
import { startTestServer } from '../support/server.ts';

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
  assert.match(head, /\r\nconnection: close\r\n/i);
  assert.match(head, /\r\ncontent-type: application\/json/i);
  const error = JSON.parse(payload);
  assert.deepEqual(Object.keys(error).sort(), ['code', 'message', 'more_info', 'status']);
  assert.equal(error.status, 503);
  assert.equal(error.code, 20503);
  assert.equal(error.more_info, 'https://www.twilio.com/docs/errors/20503');
});
