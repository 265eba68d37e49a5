// Every REST way of creating an execution (v2 and v1 Executions, v1 Engagements) refuses Parameters
// the execution's context cannot hold with the same Twilio 400, and stores nothing; the refusal comes
// before the flow's 404, as the request's other parameters' do.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServerWithFlow, form, type TestServer, type InjectResponse } from '../support/server.ts';

const smsEcho = JSON.parse(readFileSync(new URL('../fixtures/flows/sms-echo.json', import.meta.url), 'utf8'));
const LIMIT = 16_384;
const PARAMETERS = JSON.stringify({ s: 'p'.repeat(LIMIT / 2) }); // {"s":"…"}: 8 bytes besides the string
const MESSAGE = `Invalid parameter Parameters: is ${LIMIT / 2 + 8} bytes of JSON; the execution's context holds it twice (flow.data and trigger.request.parameters) and may hold ${LIMIT} bytes in all`;

describe('Parameters too big for the execution context, on every create route', () => {
  let server: TestServer;
  let flowSid: string;
  let post: (url: string, payload: string) => Promise<InjectResponse>;
  before(async () => {
    ({ server, flowSid, post } = await startServerWithFlow(smsEcho, { config: { maxContextBytes: LIMIT } }));
  });
  after(() => server.close());

  const refused = (res: InjectResponse) => {
    assert.equal(res.statusCode, 400, res.body);
    assert.deepEqual(res.json(), { code: 20001, message: MESSAGE, more_info: 'https://www.twilio.com/docs/errors/20001', status: 400 });
  };

  for (const [version, collection, key] of [
    ['v2', 'Executions', 'executions'],
    ['v1', 'Executions', 'executions'],
    ['v1', 'Engagements', 'engagements'],
  ] as const) {
    it(`${version} ${collection}: a Twilio 400 naming Parameters, and nothing stored`, async () => {
      refused(await post(`/${version}/Flows/${flowSid}/${collection}`, form({ To: '+15550500001', From: '+15005550006', Parameters: PARAMETERS })));
      const list = await server.app.server.inject({ method: 'GET', url: `/${version}/Flows/${flowSid}/${collection}`, headers: { authorization: server.auth } });
      assert.deepEqual(list.json()[key], []);
    });

    it(`${version} ${collection}: refused before an unknown flow is looked up`, async () => {
      refused(await post(`/${version}/Flows/FW${'e'.repeat(32)}/${collection}`, form({ To: '+15550500002', From: '+15005550006', Parameters: PARAMETERS })));
    });
  }
});
