// make-outgoing-call-v2 on an account configured for the Twilio carrier: the call is placed through
// the Calls API (a local fake of api.twilio.com, never the Internet) with signed callback URLs on
// the public base URL; Twilio's answer request (signed with the upstream auth token) gets the next
// TwiML, and its final status callback ends the execution.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { saveCarrierConfig } from '../../src/channels/twilio/carrier-config.ts';
import { InflightLedger } from '../../src/channels/twilio/inflight.ts';
import { computeSignature } from '../../src/api/wire/signature.ts';
import { FORM, form, type TestServer } from '../support/server.ts';
import { fixture, serverWithFlow, verbs } from './support.ts';

const UPSTREAM = { accountSid: 'AC' + 'e'.repeat(32), authToken: 'upstream-token' };
const PUBLIC = 'https://switchboard.example.com';

class FakeTwilio {
  server: Server;
  base = '';
  calls: URLSearchParams[] = [];
  constructor() {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const params = new URLSearchParams(body);
        if (req.url?.endsWith('/Calls.json')) {
          this.calls.push(params);
          res.writeHead(201, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ sid: 'CA' + '7'.repeat(32), status: 'queued', from: params.get('From'), to: params.get('To'), account_sid: UPSTREAM.accountSid, direction: 'outbound-api' }));
          return;
        }
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"code":20404,"message":"not found"}');
      });
    });
  }
  async start() {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  close() {
    return new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

async function twilioPost(server: TestServer, url: string, params: Record<string, string>) {
  const target = new URL(url);
  return server.app.server.inject({
    method: 'POST',
    url: target.pathname + target.search,
    headers: { host: target.host, 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': computeSignature(UPSTREAM.authToken, url, params) },
    payload: new URLSearchParams(params).toString(),
  });
}

describe('outbound calls through the Twilio carrier', () => {
  const fake = new FakeTwilio();
  before(() => fake.start());
  after(() => fake.close());

  it('places the call with the Calls API and continues the flow on Twilio\'s answer request', async () => {
    // Dev mode: the fake Twilio is on loopback, which the outbound policy refuses otherwise.
    const { server, flowSid } = await serverWithFlow(fixture('outbound-reminder.json'), { config: { publicBaseUrl: PUBLIC, dev: true } });
    try {
      await saveCarrierConfig(server.app.store, server.account.sid, { channel: 'twilio', twilio: { ...UPSTREAM, apiBaseUrl: fake.base, conversationsBaseUrl: fake.base } });
      const res = await server.app.server.inject({ method: 'POST', url: `/v2/Flows/${flowSid}/Executions`, headers: { authorization: server.auth, ...FORM }, payload: form({ To: '+15551230401', From: '+15005550006', Parameters: '{"name":"Grace"}' }) });
      assert.equal(res.statusCode, 201, res.body);
      const executionSid = res.json().sid as string;
      await server.app.executions.idle();
      assert.equal(fake.calls.length, 1);
      // Claimed for its step: a lookup for another step's unconfirmed call never takes it.
      assert.equal((await new InflightLedger(server.app.store).claimOf('CA' + '7'.repeat(32)))?.executionSid, executionSid);
      const placed = fake.calls[0]!;
      assert.equal(placed.get('To'), '+15551230401');
      assert.equal(placed.get('From'), '+15005550006');
      assert.equal(placed.get('MachineDetection'), 'Enable');
      assert.equal(placed.get('MachineDetectionTimeout'), '10');
      assert.deepEqual(placed.getAll('StatusCallbackEvent'), ['completed']);
      const answerUrl = placed.get('Url')!;
      assert.ok(answerUrl.startsWith(`${PUBLIC}/v1/Accounts/${server.account.sid}/Flows/${flowSid}?sb=`), answerUrl);

      const callSid = 'CA' + '7'.repeat(32);
      const params = { AccountSid: UPSTREAM.accountSid, CallSid: callSid, CallStatus: 'in-progress', Direction: 'outbound-api', From: '+15005550006', To: '+15551230401', AnsweredBy: 'human', ApiVersion: '2010-04-01' };
      const answered = await twilioPost(server, answerUrl, params);
      assert.equal(answered.statusCode, 200, answered.body);
      const twiml = verbs(answered.body);
      // record-call goes to the carrier's Recordings API, which this fake does not serve: the flow takes `failed` and goes on.
      assert.equal(twiml[0]!.verb, 'Gather');
      assert.equal(twiml[0]!.children![0]!.text, 'Hello Grace, press 1 to confirm your appointment.');

      const status = await twilioPost(server, placed.get('StatusCallback')!, { ...params, CallStatus: 'completed', CallDuration: '20' });
      assert.equal(status.statusCode, 200);
      const execution = (await server.app.store.getExecutionBySid(executionSid))!;
      assert.equal(execution.status, 'ended');
      const steps = (await server.app.store.listSteps(server.account.sid, flowSid, executionSid, { pageSize: 50 })).items.map((s) => `${s.transitionedFrom} -${s.name}-> ${s.transitionedTo}`);
      assert.deepEqual(steps, ['Trigger -incomingRequest-> dial_out', 'dial_out -answered-> record', 'record -failed-> who', 'who -noMatch-> confirm']);
    } finally {
      await server.close();
    }
  });

  it('obeys the outbound policy: an account whose API base URL is a private address places no call', async () => {
    const { server, flowSid } = await serverWithFlow(fixture('outbound-reminder.json'), { config: { publicBaseUrl: PUBLIC } });
    try {
      await saveCarrierConfig(server.app.store, server.account.sid, { channel: 'twilio', twilio: { ...UPSTREAM, apiBaseUrl: fake.base, conversationsBaseUrl: fake.base } });
      const before = fake.calls.length;
      const res = await server.app.server.inject({ method: 'POST', url: `/v2/Flows/${flowSid}/Executions`, headers: { authorization: server.auth, ...FORM }, payload: form({ To: '+15551230402', From: '+15005550006' }) });
      assert.equal(res.statusCode, 201, res.body);
      await server.app.executions.idle();
      assert.equal(fake.calls.length, before, 'no request reached the loopback address');
      const steps = (await server.app.store.listSteps(server.account.sid, flowSid, res.json().sid, { pageSize: 50 })).items;
      assert.equal(steps.find((s) => s.transitionedFrom === 'dial_out')?.name, 'failed');
    } finally {
      await server.close();
    }
  });
});
