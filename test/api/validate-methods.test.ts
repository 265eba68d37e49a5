// /v2/Flows/Validate takes POST only. GET and DELETE are the 405 (20004) any unsupported method is, not
// a 404 for a flow SID 'Validate' (/v2/Flows/{Sid}), and Allow names POST alone.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { FORM, form, startTestServer, type TestServer } from '../support/server.ts';
import { triggerFlow } from '../support/flows.ts';

const definition = triggerFlow('validate', 'incomingRequest', 'vars', [
  { name: 'vars', type: 'set-variables', properties: { offset: { x: 0, y: 100 }, variables: [{ key: 'k', value: 'v' }] }, transitions: [{ event: 'next' }] },
]);

describe('methods on /v2/Flows/Validate', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  it('GET, DELETE and PUT are 405/20004 with Allow: POST, with or without credentials', async () => {
    for (const method of ['GET', 'DELETE', 'PUT'] as const) {
      for (const headers of [{ authorization: t.auth }, {}]) {
        const res = await t.app.server.inject({ method, url: '/v2/Flows/Validate', headers });
        assert.equal(res.statusCode, 405, `${method}: ${res.body}`);
        assert.equal(res.headers.allow, 'POST', method);
        assert.deepEqual(res.json(), {
          code: 20004,
          message: `Method ${method} not allowed for /v2/Flows/Validate`,
          more_info: 'https://www.twilio.com/docs/errors/20004',
          status: 405,
        });
      }
    }
    const options = await t.app.server.inject({ method: 'OPTIONS', url: '/v2/Flows/Validate' });
    assert.equal(options.statusCode, 204);
    assert.equal(options.headers.allow, 'POST');
  });

  it('POST still validates, and a flow SID path keeps its methods', async () => {
    const valid = await t.app.server.inject({
      method: 'POST',
      url: '/v2/Flows/Validate',
      headers: { authorization: t.auth, ...FORM },
      payload: form({ FriendlyName: 'v', Status: 'draft', Definition: JSON.stringify(definition) }),
    });
    assert.equal(valid.statusCode, 200, valid.body);
    assert.deepEqual(valid.json(), { valid: true });
    const flow = await t.app.flows.create(t.account.sid, { friendlyName: 'f', status: 'draft', definition });
    assert.equal((await t.app.server.inject({ method: 'GET', url: `/v2/Flows/${flow.sid}`, headers: { authorization: t.auth } })).statusCode, 200);
    const put = await t.app.server.inject({ method: 'PUT', url: `/v2/Flows/${flow.sid}`, headers: { authorization: t.auth } });
    assert.equal(put.statusCode, 405);
    assert.equal(put.headers.allow, 'GET, POST, DELETE');
    assert.equal((await t.app.server.inject({ method: 'DELETE', url: `/v2/Flows/${flow.sid}`, headers: { authorization: t.auth } })).statusCode, 204);
  });
});
