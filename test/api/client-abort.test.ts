// A client that goes away mid-upload leaves an ECONNRESET ("aborted") on the request stream. That is
// the client's doing, not a database outage: it was classified by the store-error classifier (whose
// socket errors include ECONNRESET) and logged as "service unavailable", a warning that pages nobody
// should be paged for. And a 408 written straight to the socket carried a request id of its own, and
// no log line: neither matched the request's "incoming request" line.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { basicAuth } from '../support/server.ts';

type Line = { level: number; msg: string; requestId?: string };

async function start(requestTimeout: number): Promise<{ app: App; port: number; auth: string; lines: Line[]; logged: (msg: RegExp) => Promise<Line> }> {
  const lines: Line[] = [];
  const waiting: (() => void)[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      for (const wake of waiting.splice(0)) wake();
      done();
    },
  });
  const config = { ...loadConfig({}, {}, { cwd: '/nonexistent' }), dataDir: ':memory:', logLevel: 'debug' as const, logFormat: 'json' as const, requestTimeout };
  const app = await createApp(config, { store: new SqliteStore({ path: ':memory:' }), observability: { log: sink } });
  const { account } = await app.accounts.ensureStartupAccount();
  await app.server.listen({ port: 0, host: '127.0.0.1' });
  const logged = async (msg: RegExp): Promise<Line> => {
    for (;;) {
      const found = lines.find((line) => msg.test(line.msg));
      if (found) return found;
      await new Promise<void>((wake) => waiting.push(wake));
    }
  };
  return { app, port: (app.server.server.address() as AddressInfo).port, auth: basicAuth(account.sid, account.authToken), lines, logged };
}

/** Headers and part of a body (Content-Length says 100); once `abortWhen` resolves, the client destroys its socket. */
function partialUpload(port: number, auth: string, abortWhen?: Promise<unknown>): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(`POST /v2/Flows HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nFriendlyName=half`);
    });
    let data = '';
    socket.on('data', (chunk) => {
      data += chunk.toString();
    });
    socket.on('close', () => resolve(data));
    socket.on('error', reject);
    void abortWhen?.then(() => socket.destroy());
    setTimeout(() => reject(new Error('no close after 10 s')), 10_000).unref();
  });
}

describe('requests the client does not finish', () => {
  it('an upload aborted mid-body is logged as a client abort with its request id, not as a database outage', { timeout: 10_000 }, async (t) => {
    const { app, port, auth, lines, logged } = await start(20);
    t.after(() => app.close());
    // Once the server has the request (its body is being read), the client gives up: waited for, not
    // slept on (a socket destroyed before a busy server read the request would be no abort mid-body).
    await partialUpload(port, auth, logged(/^incoming request$/));
    const aborted = await logged(/client aborted/);
    const incoming = lines.find((line) => line.msg === 'incoming request');
    assert.ok(incoming);
    assert.equal(aborted.requestId, incoming.requestId);
    assert.ok(aborted.level <= 30, 'info or debug');
    assert.deepEqual(lines.filter((line) => line.level >= 40).map((line) => line.msg), [], 'no warning, no error');
    const metrics = (await app.server.inject({ method: 'GET', url: '/metrics' })).body;
    assert.doesNotMatch(metrics, /switchboard_http_requests_total\{[^}]*status_code="503"/);
  });

  it("a 408 carries the request's own id, in its header and on a log line of its own", { timeout: 10_000 }, async (t) => {
    const { app, port, auth, lines, logged } = await start(1);
    t.after(() => app.close());
    const answer = await partialUpload(port, auth);
    assert.match(answer, /^HTTP\/1\.1 408 /);
    const header = /\r\nTwilio-Request-Id: (RQ[0-9a-f]{32})\r\n/i.exec(answer)?.[1];
    const incoming = lines.find((line) => line.msg === 'incoming request');
    assert.ok(incoming);
    assert.equal(header, incoming.requestId);
    // The message, not just "408": the listening line's random port may hold those digits too.
    const timedOut = await logged(/answered 408/);
    assert.equal(timedOut.requestId, incoming.requestId);
    // The body's abort that follows the 408 (the server closed the socket) is no outage either.
    await logged(/abandoned/);
    assert.deepEqual(lines.filter((line) => line.level >= 40).map((line) => line.msg), [], 'no warning, no error');
  });
});
