// Answers decided before a route runs carry the headers every answer does: the router's own errors
// (an over-long path value, a garbled percent-escape) get the request id and CORS headers the onRequest
// hook would have set; Node's own (oversized headers) at least the request id, for a support ticket.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('errors answered before a route runs', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ listen: true });
  });
  after(() => t.close());

  for (const [what, path, status] of [
    ['an over-long path value (404)', `/v2/Flows/FW${'a'.repeat(199)}`, 404],
    ['a garbled percent-escape (400)', '/v2/Flows/FW%FF', 400],
  ] as const) {
    it(`${what} carries the request id and CORS headers`, async () => {
      const res = await t.app.server.inject({ method: 'GET', url: path, headers: { authorization: t.auth, origin: 'https://app.example' } });
      assert.equal(res.statusCode, status, res.body);
      assert.match(String(res.headers['twilio-request-id']), /^RQ[0-9a-f]{32}$/);
      assert.equal(res.headers['access-control-allow-origin'], '*');
      assert.match(String(res.headers['access-control-expose-headers']), /Twilio-Request-Id/);
      assert.equal(res.json().status, status);
    });
  }

  it("Node's own answer to oversized headers carries a request id", async () => {
    const response = await fetch(`${t.baseUrl}/v2/Flows`, { headers: { authorization: t.auth, 'x-big': 'a'.repeat(64 * 1024) } });
    assert.equal(response.status, 431);
    assert.match(response.headers.get('twilio-request-id') ?? '', /^RQ[0-9a-f]{32}$/);
    assert.equal(((await response.json()) as { code: number }).code, 20001);
  });
});
