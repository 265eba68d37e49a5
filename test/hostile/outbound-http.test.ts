// Outbound HTTP against hostile servers, all local: private-address refusal (including after DNS
// resolution and on every redirect hop), 64 KB+ bodies, slow servers, redirect loops.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildRequest, FetchHttp, MAX_REDIRECTS, UnsupportedMethodError } from '../../src/channels/http/fetch-http.ts';
import { OutboundPolicy } from '../../src/channels/http/outbound-policy.ts';
import { DEFAULT_RUNTIME_OPTIONS } from '../../src/runtime/executions.ts';
import type { HttpRequestSpec } from '../../src/engine/types.ts';
import { gzipSync } from 'node:zlib';

const BOMB = gzipSync(Buffer.alloc(20 * 1024 * 1024));

const LIMITS = { timeoutMs: 2_000, maxBodyBytes: 64 * 1024 };
let server: Server;
let port = 0;
const hits: string[] = [];

before(async () => {
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const url = new URL(req.url ?? '/', 'http://x');
    switch (url.pathname) {
      case '/ok':
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('{"ok":true}');
      case '/big':
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.end('x'.repeat(64 * 1024 + 1));
      case '/exactly-64k':
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.end('y'.repeat(64 * 1024));
      case '/endless': {
        // Streams forever; the client must stop reading at the cap.
        res.writeHead(200, { 'content-type': 'text/plain' });
        const timer = setInterval(() => res.write('z'.repeat(8192)), 1);
        res.on('close', () => clearInterval(timer));
        return;
      }
      case '/slow':
        return setTimeout(() => res.end('late'), 10_000).unref();
      case '/trickle': {
        // Headers at once, then a byte every 100 ms: the timeout covers the whole exchange.
        res.writeHead(200);
        const timer = setInterval(() => res.write('.'), 100);
        res.on('close', () => clearInterval(timer));
        return;
      }
      case '/redirect':
        res.writeHead(302, { location: url.searchParams.get('to') ?? '/ok' });
        return res.end();
      case '/loop':
        res.writeHead(302, { location: '/loop' });
        return res.end();
      case '/gzip':
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        return res.end(gzipSync('{"compressed":true}'));
      case '/gzip-bomb':
        // 20 MB of zeros in about 20 KB: decoded, it is far over the cap.
        res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
        return res.end(BOMB);
      case '/bad-gzip':
        res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
        return res.end('not gzip at all');
      case '/post-then-303':
        res.writeHead(303, { location: '/ok' });
        return res.end();
      default:
        res.writeHead(404);
        res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const get = (url: string): HttpRequestSpec => ({ method: 'GET', url, contentType: 'application/x-www-form-urlencoded', parameters: [] });
const onlyLocal = () => new FetchHttp({ policy: new OutboundPolicy({ allow: ['127.0.0.1'] }) });

test('Studio limits are the runtime defaults: 10 s and 64 KB', () => {
  assert.deepEqual(DEFAULT_RUNTIME_OPTIONS.http, { timeoutMs: 10_000, maxBodyBytes: 64 * 1024 });
});

test('by default a request to a loopback address is refused before connecting', async () => {
  const before = hits.length;
  const result = await new FetchHttp().request(get(`http://127.0.0.1:${port}/ok`), LIMITS);
  assert.equal(result.kind, 'http-failed');
  assert.equal(result.kind === 'http-failed' && result.reason, 'blocked');
  assert.equal(hits.length, before, 'the server was never contacted');
});

test('the check runs on the resolved address: a name resolving to loopback is refused', async () => {
  const before = hits.length;
  const result = await new FetchHttp().request(get(`http://localhost:${port}/ok`), LIMITS);
  assert.equal(result.kind === 'http-failed' && result.reason, 'blocked', JSON.stringify(result));
  assert.equal(hits.length, before);
});

test('cloud metadata is refused even in dev mode', async () => {
  const result = await new FetchHttp({ policy: new OutboundPolicy({ allowPrivate: true }) }).request(get('http://169.254.169.254/latest/meta-data/'), LIMITS);
  assert.equal(result.kind === 'http-failed' && result.reason, 'blocked');
});

test('a method other than GET or POST is refused before anything is sent, not sent as a GET', async () => {
  const before = hits.length;
  const spec: HttpRequestSpec = { method: 'PUT', url: `http://127.0.0.1:${port}/ok`, contentType: 'application/json', body: '{"a":1}', parameters: [] };
  assert.throws(() => buildRequest(spec), UnsupportedMethodError);
  const result = await onlyLocal().request(spec, LIMITS);
  assert.deepEqual(result, { kind: 'http-failed', reason: 'network', message: "HTTP method 'PUT' is not supported (GET or POST only)" });
  assert.equal(hits.length, before, 'the server was never contacted');
  assert.equal(buildRequest({ ...spec, method: 'post' }).method, 'POST', 'case does not matter');
});

test('an allowed address is reached and its response returned', async () => {
  const result = await onlyLocal().request(get(`http://127.0.0.1:${port}/ok`), LIMITS);
  assert.equal(result.kind, 'http-response');
  assert.equal(result.kind === 'http-response' && result.body, '{"ok":true}');
});

test('every redirect hop is checked: an allowed server cannot bounce the request to a private address', async () => {
  const http = onlyLocal();
  const before = hits.length;
  // 127.0.0.2 is loopback too (Linux routes all of 127/8), but only 127.0.0.1 is allowed.
  const toLoopback = await http.request(get(`http://127.0.0.1:${port}/redirect?to=${encodeURIComponent(`http://127.0.0.2:${port}/ok`)}`), LIMITS);
  assert.equal(toLoopback.kind === 'http-failed' && toLoopback.reason, 'blocked', JSON.stringify(toLoopback));
  const toMetadata = await http.request(get(`http://127.0.0.1:${port}/redirect?to=${encodeURIComponent('http://169.254.169.254/latest/meta-data/')}`), LIMITS);
  assert.equal(toMetadata.kind === 'http-failed' && toMetadata.reason, 'blocked');
  // A name is resolved and its address checked: localhost is 127.0.0.1 here, so from a server on
  // 127.0.0.2 (the only address allowed) a redirect to localhost is refused.
  const second = createServer((_req, res) => {
    res.writeHead(302, { location: `http://localhost:${port}/ok` });
    res.end();
  });
  await new Promise<void>((resolve) => second.listen(0, '127.0.0.2', resolve));
  try {
    const secondPort = (second.address() as AddressInfo).port;
    const toName = await new FetchHttp({ policy: new OutboundPolicy({ allow: ['127.0.0.2'] }) }).request(get(`http://127.0.0.2:${secondPort}/`), LIMITS);
    assert.equal(toName.kind === 'http-failed' && toName.reason, 'blocked', JSON.stringify(toName));
  } finally {
    await new Promise<void>((resolve) => second.close(() => resolve()));
  }
  assert.equal(hits.length - before, 2, 'only the first hops reached the main server');
});

test('an allowed redirect is followed; 303 after POST becomes a GET', async () => {
  const http = onlyLocal();
  const followed = await http.request(get(`http://127.0.0.1:${port}/redirect?to=/ok`), LIMITS);
  assert.equal(followed.kind === 'http-response' && followed.body, '{"ok":true}');
  const posted = await http.request({ method: 'POST', url: `http://127.0.0.1:${port}/post-then-303`, contentType: 'application/x-www-form-urlencoded', parameters: [{ key: 'a', value: 'b' }] }, LIMITS);
  assert.equal(posted.kind === 'http-response' && posted.statusCode, 200);
});

test(`a redirect loop stops after ${MAX_REDIRECTS} hops`, async () => {
  const before = hits.length;
  const result = await onlyLocal().request(get(`http://127.0.0.1:${port}/loop`), LIMITS);
  assert.equal(result.kind === 'http-failed' && result.reason, 'network');
  assert.match(result.kind === 'http-failed' ? result.message : '', /redirects/);
  assert.equal(hits.length - before, MAX_REDIRECTS + 1);
});

test('a response over 64 KB fails as too-large; exactly 64 KB is accepted', async () => {
  const http = onlyLocal();
  const big = await http.request(get(`http://127.0.0.1:${port}/big`), LIMITS);
  assert.equal(big.kind === 'http-failed' && big.reason, 'too-large');
  const exact = await http.request(get(`http://127.0.0.1:${port}/exactly-64k`), LIMITS);
  assert.equal(exact.kind === 'http-response' && exact.body.length, 64 * 1024);
});

test('compressed bodies are decoded, and the cap applies to the decoded size (gzip bomb)', async () => {
  const http = onlyLocal();
  const small = await http.request(get(`http://127.0.0.1:${port}/gzip`), LIMITS);
  assert.equal(small.kind === 'http-response' && small.body, '{"compressed":true}');
  assert.ok(BOMB.length < 64 * 1024, 'the bomb itself is small');
  const bomb = await http.request(get(`http://127.0.0.1:${port}/gzip-bomb`), LIMITS);
  assert.equal(bomb.kind === 'http-failed' && bomb.reason, 'too-large');
  const broken = await http.request(get(`http://127.0.0.1:${port}/bad-gzip`), LIMITS);
  assert.equal(broken.kind, 'http-failed');
});

test('an endless body is cut at the cap instead of filling memory', async () => {
  const result = await onlyLocal().request(get(`http://127.0.0.1:${port}/endless`), LIMITS);
  assert.equal(result.kind === 'http-failed' && result.reason, 'too-large');
});

test('a server that never answers, or trickles, times out at the limit', async () => {
  const http = onlyLocal();
  const limits = { timeoutMs: 300, maxBodyBytes: 64 * 1024 };
  const slow = await http.request(get(`http://127.0.0.1:${port}/slow`), limits);
  assert.equal(slow.kind === 'http-failed' && slow.reason, 'timeout');
  const trickle = await http.request(get(`http://127.0.0.1:${port}/trickle`), limits);
  assert.equal(trickle.kind === 'http-failed' && trickle.reason, 'timeout');
});

test('non-HTTP schemes and malformed URLs fail cleanly', async () => {
  const http = onlyLocal();
  const file = await http.request(get('file:///etc/passwd'), LIMITS);
  assert.equal(file.kind, 'http-failed');
  const bad = await http.request(get('http://[::1'), LIMITS);
  assert.equal(bad.kind, 'http-failed');
});
