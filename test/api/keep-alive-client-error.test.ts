// A malformed request after one that arrived whole on the same keep-alive connection must not cost that
// one its answer. Debian's python3-requests 2.28 (urllib3 1.26) sends a stray `0\r\n\r\n` after an
// empty-bodied POST; the execution was created, but the client got only the raw 400 for the garbage.
// The response in flight finishes, then the connection closes (no 400 after it); a request that is
// itself malformed is still answered with the 400.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestServer, type TestServer } from '../support/server.ts';
import { rawExchange } from '../support/raw-http.ts';

const definition = JSON.parse(readFileSync(new URL('../fixtures/flows/sms-echo.json', import.meta.url), 'utf8'));

/** The status lines of every response in `answer`, and the body of the first. */
function responses(answer: string): { statuses: number[]; headers: string; body: unknown } {
  const statuses = [...answer.matchAll(/(?:^|\r\n)HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
  const split = answer.indexOf('\r\n\r\n');
  const length = Number(/\r\ncontent-length: (\d+)/i.exec(answer.slice(0, split))?.[1]);
  return { statuses, headers: answer.slice(0, split), body: JSON.parse(answer.slice(split + 4, split + 4 + length)) };
}

describe('a malformed follow-up on a keep-alive connection', () => {
  let t: TestServer;
  let flowSid = '';
  before(async () => {
    t = await startTestServer({ listen: true });
    flowSid = (await t.app.flows.create(t.account.sid, { friendlyName: 'echo', status: 'published', definition })).sid;
  });
  after(() => t.close());

  const post = (body: string, after: string) =>
    `POST /v2/Flows/${flowSid}/Executions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${t.auth}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}${after}`;

  it("leaves the create its 201, then closes the connection, with no 400 after it", async () => {
    const answer = await rawExchange(t, post('To=%2B15551230001&From=%2B15005550006', '0\r\n\r\n'));
    const { statuses, headers, body } = responses(answer);
    assert.deepEqual(statuses, [201], answer);
    assert.match(headers, /\r\nconnection: close(\r\n|$)/i);
    assert.match((body as { sid: string }).sid, /^FN[0-9a-f]{32}$/);
    assert.doesNotMatch(answer, /Malformed HTTP request/);
    const page = await t.app.store.listExecutions(t.account.sid, flowSid, {}, { pageSize: 50 });
    assert.ok(page.items.some((e) => e.sid === (body as { sid: string }).sid));
  });

  it('a request whose own body is malformed is still answered with the 400', async () => {
    const request =
      `POST /v2/Flows/${flowSid}/Executions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${t.auth}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
      'Transfer-Encoding: chunked\r\n\r\nzz\r\nTo=%2B1\r\n0\r\n\r\n';
    const { statuses, body } = responses(await rawExchange(t, request));
    assert.deepEqual(statuses, [400]);
    assert.deepEqual(body, { code: 20001, message: 'Malformed HTTP request', more_info: 'https://www.twilio.com/docs/errors/20001', status: 400 });
  });
});
