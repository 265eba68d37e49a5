// make-http-request's "Authenticate With Twilio" (add_twilio_auth, reference §2.18): the account's
// upstream Twilio credentials replace credentials written in the URL; a URL that is not a Twilio API
// URL (*.twilio.com or the account's configured API bases) takes `failed` with no request made; an
// account without an upstream Twilio account (the simulator) cannot authenticate either.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { UPSTREAM_SID, UPSTREAM_TOKEN, createFlow, flow, restExecution, stepList, useCarrierServer, waitForEnd, widgetOutputs, type CarrierServer } from './helpers.ts';
import type { FakeTwilio } from '../support/fake-twilio.ts';
import { FORM } from '../support/server.ts';

/** A local HTTP server that records the Authorization header of every request. */
async function recorder(): Promise<{ base: string; hits: (string | undefined)[]; close(): Promise<void> }> {
  const hits: (string | undefined)[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.headers.authorization);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('make-http-request with Authenticate With Twilio', () => {
  let fake: FakeTwilio;
  let api: Awaited<ReturnType<typeof recorder>>;
  let other: Awaited<ReturnType<typeof recorder>>;
  let server: CarrierServer;

  before(async () => {
    api = await recorder();
    other = await recorder();
  });
  // The recorder stands in for Twilio's REST API: it is the account's configured API base.
  useCarrierServer((started) => ({ fake, server } = started), { once: true, server: () => ({ carrier: { ApiBaseUrl: api.base } }) });
  after(async () => {
    await api.close();
    await other.close();
  });

  const definition = (url: string) =>
    flow(
      [
        {
          name: 'call_api',
          type: 'make-http-request',
          properties: { offset: { x: 0, y: 0 }, method: 'GET', url, content_type: 'application/x-www-form-urlencoded;charset=utf-8', add_twilio_auth: true },
          transitions: [{ event: 'success' }, { event: 'failed' }],
        },
      ],
      { incomingRequest: 'call_api' },
    );

  async function run(url: string) {
    const flowSid = await createFlow(server, definition(url));
    const res = await restExecution(server, flowSid, { To: '+15551239876', From: '+15005550006' });
    assert.equal(res.statusCode, 201, res.body);
    const executionSid = res.json().sid as string;
    await waitForEnd(server, executionSid);
    return { steps: await stepList(server.app, server.account.sid, flowSid, executionSid), outputs: await widgetOutputs(server.app, executionSid, 'call_api') };
  }

  it('sends the upstream credentials to the Twilio API, replacing the ones in the URL', async () => {
    const url = api.base.replace('http://', 'http://someone:secret@') + `/2010-04-01/Accounts/${UPSTREAM_SID}/Calls.json`;
    const { steps } = await run(url);
    assert.deepEqual(steps, ['Trigger -incomingRequest-> call_api', 'call_api -success-> Ended']);
    assert.equal(api.hits.at(-1), 'Basic ' + Buffer.from(`${UPSTREAM_SID}:${UPSTREAM_TOKEN}`).toString('base64'));
  });

  it('takes failed without a request for a URL that is not a Twilio API', async () => {
    const before = other.hits.length;
    const { steps } = await run(`${other.base}/not-twilio`);
    assert.deepEqual(steps, ['Trigger -incomingRequest-> call_api', 'call_api -failed-> Ended']);
    assert.equal(other.hits.length, before, 'no request was made');
  });

  it('takes failed without a request for an account that has no upstream Twilio account', async () => {
    const reset = await server.app.server.inject({ method: 'POST', url: `/v1/Accounts/${server.account.sid}/Carrier`, headers: { authorization: server.auth, ...FORM }, payload: 'Channel=simulator' });
    assert.equal(reset.statusCode, 200, reset.body);
    const before = api.hits.length;
    const { steps } = await run('https://api.twilio.com/2010-04-01/Accounts.json');
    assert.deepEqual(steps, ['Trigger -incomingRequest-> call_api', 'call_api -failed-> Ended']);
    assert.equal(api.hits.length, before);
  });
});
