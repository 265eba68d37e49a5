// A client that sends headers and part of a body, then stalls, is answered 408 and its socket closed
// after --request-timeout (Fastify turns Node's own limit off), so it holds neither a connection nor
// a graceful shutdown for ever.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startTestServer } from '../support/server.ts';

describe('stalled requests', () => {
  it('a body that never finishes is answered 408 within the request timeout, and the server stops promptly', async () => {
    const server = await startTestServer({ listen: true, config: { requestTimeout: 1 } });
    const { port } = new URL(server.baseUrl);
    const started = Date.now();
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => {
        socket.write(
          'POST /v2/Flows HTTP/1.1\r\nHost: x\r\n' +
            `Authorization: ${server.auth}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nFriendly`,
        );
      });
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
      setTimeout(() => reject(new Error('no answer after 10 s')), 10_000).unref();
    });
    const waited = Date.now() - started;
    assert.match(answer, /^HTTP\/1\.1 408 /);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
    assert.deepEqual(body, { code: 20001, message: 'The request was not received in full within 1 s', more_info: 'https://www.twilio.com/docs/errors/20001', status: 408 });
    assert.ok(waited >= 900 && waited < 5_000, `answered after ${waited} ms`);
    const closing = Date.now();
    await server.close();
    assert.ok(Date.now() - closing < 5_000, 'close is not held up');
  });

  it('a request answered before its body arrived (401) closes the connection: no second, stray 408 on it', async () => {
    const server = await startTestServer({ listen: true, config: { requestTimeout: 1 } });
    try {
      const { port } = new URL(server.baseUrl);
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(Number(port), '127.0.0.1', () => {
          socket.write('POST /v2/Flows HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 10\r\n\r\nF');
        });
        let data = '';
        socket.on('data', (chunk) => (data += chunk.toString()));
        socket.on('close', () => resolve(data));
        socket.on('error', reject);
        // Past the request timeout: a stray 408 would have been written by now.
        setTimeout(() => resolve(data), 2_500).unref();
      });
      assert.match(answer, /^HTTP\/1\.1 401 /);
      assert.match(answer, /\r\nconnection: close\r\n/i);
      assert.equal(answer.match(/HTTP\/1\.1 /g)?.length, 1, answer);
    } finally {
      await server.close();
    }
  });

  it('oversized headers get a Twilio-format 431', async () => {
    const server = await startTestServer({ listen: true });
    try {
      const response = await fetch(`${server.baseUrl}/v2/Flows`, { headers: { authorization: server.auth, 'x-big': 'a'.repeat(64 * 1024) } });
      assert.equal(response.status, 431);
      assert.equal(((await response.json()) as { code: number }).code, 20001);
    } finally {
      await server.close();
    }
  });
});
