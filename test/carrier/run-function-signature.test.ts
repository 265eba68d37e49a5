// run-function against a (Protected) Twilio Function: the request is a plain form POST, signed
// with X-Twilio-Signature over the URL and parameters using the upstream account's auth token, as
// Twilio signs Studio's own requests. A local server stands in for the Function and checks the
// header with the `twilio` package's own validateRequest. Accounts without an upstream Twilio
// account (the simulator) send no signature: there is no token a Function would accept.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { CONTACT, NUMBER, UPSTREAM_TOKEN, createFlow, flow, restExecution, sendMessage, stepList, textAndWaitForEnd, useCarrierServer, waitFor, type CarrierServer } from './helpers.ts';
import type { FakeTwilio } from '../support/fake-twilio.ts';

interface Hit {
  url: string;
  params: Record<string, string>;
  signature: string | undefined;
  valid: boolean;
}

describe('run-function against a Protected Twilio Function', () => {
  let fake: FakeTwilio;
  let server: CarrierServer;
  let fn: http.Server;
  let fnUrl = '';
  const hits: Hit[] = [];

  before(async () => {
    fn = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const url = `${fnUrl.split('/fn')[0]}${req.url}`;
        const params = Object.fromEntries(new URLSearchParams(body));
        const signature = req.headers['x-twilio-signature'] as string | undefined;
        const valid = !!signature && twilio.validateRequest(UPSTREAM_TOKEN, signature, url, params);
        hits.push({ url, params, signature, valid });
        // A Protected Function refuses unsigned or badly signed requests.
        res.writeHead(valid ? 200 : 401, { 'content-type': 'application/json' });
        res.end(JSON.stringify(valid ? { greeting: `hi ${params.name}` } : { message: 'Unauthorized' }));
      });
    });
    await new Promise<void>((resolve) => fn.listen(0, '127.0.0.1', resolve));
    fnUrl = `http://127.0.0.1:${(fn.address() as AddressInfo).port}/fn/greet`;
  });
  // Signatures go only to --function-hosts (default *.twil.io): the local Function stands in for one.
  useCarrierServer((started) => ({ fake, server } = started), { once: true, server: () => ({ config: { functionHosts: ['127.0.0.1'] } }) });
  after(async () => {
    await new Promise((resolve) => fn.close(resolve));
  });

  const fnFlow = (url = fnUrl) =>
    flow(
      [
        {
          name: 'fn',
          type: 'run-function',
          properties: { offset: { x: 0, y: 0 }, url, service_sid: 'ZS' + '1'.repeat(32), function_sid: 'ZH' + '2'.repeat(32), parameters: [{ key: 'name', value: '{{trigger.message.From}}' }, { key: 'topic', value: 'a b&c' }] },
          transitions: [{ event: 'success', next: 'ok' }, { event: 'fail', next: 'ko' }],
        },
        sendMessage('ok', { body: '{{widgets.fn.parsed.greeting}}' }),
        sendMessage('ko', { body: 'function refused: {{widgets.fn.status_code}}' }),
      ],
      { incomingMessage: 'fn', incomingRequest: 'fn' },
    );

  async function run(url = fnUrl): Promise<string[]> {
    const flowSid = await createFlow(server, fnFlow(url));
    const executionSid = await textAndWaitForEnd(server, flowSid, 'hello');
    return stepList(server.app, server.account.sid, flowSid, executionSid);
  }

  it('signs the request with the upstream auth token; the Function validates it and answers', async () => {
    const steps = await run();
    assert.deepEqual(steps, ['Trigger -incomingMessage-> fn', 'fn -success-> ok', 'ok -sent-> Ended']);
    const hit = hits.at(-1)!;
    assert.ok(hit.signature, 'X-Twilio-Signature is sent');
    assert.equal(hit.valid, true, 'twilio.validateRequest accepts it');
    assert.deepEqual(hit.params, { name: CONTACT, topic: 'a b&c' });
    assert.equal(twilio.validateRequest('some-other-token', hit.signature!, hit.url, hit.params), false, 'bound to the upstream token');
    assert.equal(fake.messages.at(-1)!.body, `hi ${CONTACT}`);
  });

  it('signs for no host outside --function-hosts: a flow cannot make this server sign requests to any URL it picks', async () => {
    const before = hits.length;
    const steps = await run(fnUrl.replace('127.0.0.1', 'localhost'));
    assert.ok(hits.length > before, 'the request was made');
    assert.equal(hits.at(-1)!.signature, undefined);
    assert.deepEqual(steps, ['Trigger -incomingMessage-> fn', 'fn -fail-> ko', 'ko -sent-> Ended']);
  });

  it('sends no signature for an account on the simulator', async () => {
    const reset = await server.app.server.inject({
      method: 'POST',
      url: `/v1/Accounts/${server.account.sid}/Carrier`,
      headers: { authorization: server.auth, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'Channel=simulator',
    });
    assert.equal(reset.statusCode, 200, reset.body);
    const before = hits.length;
    const flowSid = await createFlow(server, fnFlow());
    const started = await restExecution(server, flowSid, { To: CONTACT, From: NUMBER });
    assert.equal(started.statusCode, 201, started.body);
    await waitFor('the function request', () => hits.length > before);
    assert.equal(hits.at(-1)!.signature, undefined);
  });
});
