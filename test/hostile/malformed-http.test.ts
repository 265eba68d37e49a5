// Requests malformed at the HTTP level get Twilio's JSON error too, not Node's bare answers or silence:
// HTTP/1.1 without Host (a 400), CONNECT (a 405; the twilio-cli gateway is another server). HTTP/1.0,
// which may omit Host, is served, with URLs on the listening address instead of `http:///…`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.ts';
import { rawExchange } from '../support/raw-http.ts';

function parse(answer: string): { status: number; headers: string; body: Record<string, unknown> } {
  const split = answer.indexOf('\r\n\r\n');
  return { status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1]), headers: answer.slice(0, split), body: JSON.parse(answer.slice(split + 4)) };
}

describe('malformed HTTP requests', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ listen: true });
  });
  after(() => server.close());

  it('HTTP/1.1 without Host is a Twilio-format 400', async () => {
    const answer = parse(await rawExchange(server, `GET /v2/Flows HTTP/1.1\r\nAuthorization: ${server.auth}\r\n\r\n`));
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.body, {
      code: 20001,
      message: 'Malformed HTTP request: an HTTP/1.1 request needs a Host header',
      more_info: 'https://www.twilio.com/docs/errors/20001',
      status: 400,
    });
  });

  it('HTTP/1.0 without Host is served, its URLs on the listening address', async () => {
    const answer = parse(await rawExchange(server, `GET /v2/Flows HTTP/1.0\r\nAuthorization: ${server.auth}\r\n\r\n`));
    assert.equal(answer.status, 200);
    const meta = answer.body.meta as { url: string };
    assert.equal(meta.url, `${server.baseUrl}/v2/Flows?PageSize=50&Page=0`);
  });

  it('CONNECT is a Twilio-format 405, not a closed connection', async () => {
    const answer = parse(await rawExchange(server, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'));
    assert.equal(answer.status, 405);
    assert.match(answer.headers, /\r\nAllow: GET, POST, DELETE, OPTIONS/);
    assert.deepEqual(answer.body, {
      code: 20004,
      message: 'Method CONNECT not allowed for example.com:443',
      more_info: 'https://www.twilio.com/docs/errors/20004',
      status: 405,
    });
  });
});
