// HTTP Request and Run Function responses are decoded in the charset their Content-Type declares
// (a body in ISO-8859-1 read as UTF-8 turned "café" into "caf\uFFFD"); none, or an unknown one, is
// UTF-8. JSON (application/json, application/*+json) is UTF-8 whatever charset it declares, as RFC 8259
// §8.1 and fetch's response.json() have it: servers that mislabel UTF-8 JSON as ISO-8859-1 are common.
// The 64 KB cap still counts the body's bytes, whatever the charset.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { decodeBody, FetchHttp, isJsonMediaType } from '../../src/channels/http/fetch-http.ts';
import { charsetOf } from '../../src/lib/content-type.ts';
import { OutboundPolicy } from '../../src/channels/http/outbound-policy.ts';
import type { HttpRequestSpec } from '../../src/engine/types.ts';

const LIMITS = { timeoutMs: 2_000, maxBodyBytes: 64 * 1024 };
const CAFE_LATIN1 = Buffer.from([0x63, 0x61, 0x66, 0xe9]);

/** Path → [Content-Type, body bytes, extra headers]. */
const ROUTES: Record<string, [string | undefined, Buffer, Record<string, string>?]> = {
  '/latin1': ['text/plain; charset=iso-8859-1', CAFE_LATIN1],
  '/latin1-quoted': ['text/plain;Charset="ISO-8859-1"', CAFE_LATIN1],
  '/windows-1252': ['text/plain; charset=windows-1252', Buffer.from([0x80, 0x35])], // €5
  '/json-mislabelled': ['application/json; charset=ISO-8859-1', Buffer.from('{"name":"café €5"}', 'utf8')],
  '/problem-json-mislabelled': ['Application/Problem+JSON;charset=windows-1252', Buffer.from('{"title":"Übel"}', 'utf8')],
  '/gzip-json-mislabelled': ['application/vnd.api+json; charset=iso-8859-1', gzipSync(Buffer.from('{"a":"ñ"}', 'utf8')), { 'content-encoding': 'gzip' }],
  '/json-ish-text': ['text/json; charset=iso-8859-1', CAFE_LATIN1],
  '/utf-16le': ['text/plain; charset=utf-16le', Buffer.from('café ✓', 'utf16le')],
  '/shift-jis': ['text/plain; charset=Shift_JIS', Buffer.from([0x82, 0xa0])], // あ
  '/gzip-latin1': ['text/plain; charset=iso-8859-1', gzipSync(CAFE_LATIN1), { 'content-encoding': 'gzip' }],
  '/utf8-default': ['application/json', Buffer.from('{"name":"café"}', 'utf8')],
  '/no-type': [undefined, Buffer.from('café', 'utf8')],
  '/unknown-charset': ['text/plain; charset=x-no-such-charset', Buffer.from('café', 'utf8')],
  '/utf8-invalid': ['text/plain; charset=utf-8', CAFE_LATIN1],
  '/latin1-64k': ['text/plain; charset=iso-8859-1', Buffer.alloc(64 * 1024, 0xe9)],
  '/latin1-64k-plus-1': ['text/plain; charset=iso-8859-1', Buffer.alloc(64 * 1024 + 1, 0xe9)],
};

let server: Server;
let port = 0;

before(async () => {
  server = createServer((req, res) => {
    const route = ROUTES[new URL(req.url ?? '/', 'http://x').pathname];
    if (!route) return res.writeHead(404).end();
    const [type, body, extra] = route;
    res.writeHead(200, { ...(type ? { 'content-type': type } : {}), ...extra });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const http = () => new FetchHttp({ policy: new OutboundPolicy({ allow: ['127.0.0.1'] }) });

async function body(path: string, purpose?: 'function'): Promise<string> {
  const spec: HttpRequestSpec = { method: purpose ? 'POST' : 'GET', url: `http://127.0.0.1:${port}${path}`, contentType: 'application/x-www-form-urlencoded', parameters: [] };
  const result = await http().request(spec, LIMITS);
  assert.equal(result.kind, 'http-response', JSON.stringify(result));
  return result.kind === 'http-response' ? result.body : '';
}

describe('response charset', () => {
  it('decodes the bytes in the declared charset: ISO-8859-1 E9 is é, not U+FFFD', async () => {
    assert.equal(await body('/latin1'), 'café');
    assert.equal(await body('/latin1', 'function'), 'café');
  });

  it('reads the parameter case-insensitively and quoted', async () => {
    assert.equal(await body('/latin1-quoted'), 'café');
  });

  it('knows the labels TextDecoder knows: windows-1252, UTF-16LE, Shift_JIS', async () => {
    assert.equal(await body('/windows-1252'), '€5');
    assert.equal(await body('/utf-16le'), 'café ✓');
    assert.equal(await body('/shift-jis'), 'あ');
  });

  it('decodes the charset after the content encoding', async () => {
    assert.equal(await body('/gzip-latin1'), 'café');
  });

  it('is UTF-8 without a charset, without a Content-Type, or with a charset it does not know', async () => {
    assert.deepEqual(JSON.parse(await body('/utf8-default')), { name: 'café' });
    assert.equal(await body('/no-type'), 'café');
    assert.equal(await body('/unknown-charset'), 'café');
    assert.equal(await body('/utf8-invalid'), 'caf\uFFFD', 'malformed UTF-8 still reads as replacement characters');
  });

  it('reads JSON as UTF-8 whatever charset it declares (RFC 8259 §8.1; fetch\'s response.json())', async () => {
    assert.deepEqual(JSON.parse(await body('/json-mislabelled')), { name: 'café €5' }, 'not "cafÃ©"');
    assert.deepEqual(JSON.parse(await body('/json-mislabelled', 'function')), { name: 'café €5' });
    assert.deepEqual(JSON.parse(await body('/problem-json-mislabelled')), { title: 'Übel' }, 'a +json type, any case');
    assert.deepEqual(JSON.parse(await body('/gzip-json-mislabelled')), { a: 'ñ' }, 'after the content encoding');
    assert.equal(await body('/json-ish-text'), 'café', 'text/json is text: its charset applies');
  });

  it('isJsonMediaType: application/json and application/*+json only', () => {
    for (const type of ['application/json', 'application/json; charset=utf-8', ' APPLICATION/JSON ;x=1', 'application/problem+json', 'application/vnd.api+json; charset=latin1']) assert.equal(isJsonMediaType(type), true, type);
    for (const type of [undefined, '', 'text/json', 'text/plain', 'application/jsonx', 'application/json-seq', 'text/x+json', 'application/xml; a=application/json']) assert.equal(isJsonMediaType(type), false, String(type));
    assert.equal(decodeBody(Buffer.from('{"a":"é"}'), 'application/json; charset=iso-8859-1'), '{"a":"é"}');
    assert.equal(decodeBody(CAFE_LATIN1, 'text/plain; charset=iso-8859-1'), 'café');
  });

  it('caps the body in bytes: 64 KB of ISO-8859-1 is accepted (65536 characters), one more byte is too large', async () => {
    assert.equal(await body('/latin1-64k'), 'é'.repeat(64 * 1024));
    const result = await http().request({ method: 'GET', url: `http://127.0.0.1:${port}/latin1-64k-plus-1`, contentType: 'application/x-www-form-urlencoded', parameters: [] }, LIMITS);
    assert.equal(result.kind === 'http-failed' && result.reason, 'too-large', JSON.stringify(result).slice(0, 200));
  });

  it('charsetOf reads the charset parameter only', () => {
    assert.equal(charsetOf('text/html; charset=utf-8'), 'utf-8');
    assert.equal(charsetOf('text/html; q=1; CHARSET = "koi8-r" '), 'koi8-r');
    assert.equal(charsetOf('text/html'), undefined);
    assert.equal(charsetOf('text/html; charset='), undefined);
    assert.equal(charsetOf(undefined), undefined);
  });
});
