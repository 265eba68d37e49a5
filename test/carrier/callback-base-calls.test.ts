// Calls on an account whose carrier sets StatusCallbackBaseUrl (here HOOKS, a tunnel: the only address
// Twilio reaches the server at, while --public-base-url names another, PUBLIC): every URL the call is
// handed — the Calls API's Url and StatusCallback, and every URL in every TwiML document after it
// (Gather action, Redirects) — is under HOOKS, and Twilio's requests to them, signed over those URLs
// with the upstream auth token, are accepted. Outgoing (make-outgoing-call-v2) and inbound alike. The
// simulator phone (not Twilio) keeps answering in-process on its own base.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import twilio from 'twilio';
import type { FakeTwilio } from '../support/fake-twilio.ts';
import { verbs, type Verb } from '../voice/support.ts';
import { CONTACT, NUMBER, UPSTREAM_SID, UPSTREAM_TOKEN, createFlow, flow, restExecution, stepList, useCarrierServer, waitFor, waitForEnd, type CarrierServer, type State } from './helpers.ts';

const PUBLIC = 'https://switchboard.example.com';
const HOOKS = 'https://tunnel.example.net/';
const HOOKS_BASE = HOOKS.replace(/\/+$/, '');

/** Every URL in a TwiML document: attribute values and element texts that are http(s) or ws(s) URLs. */
function urlsIn(nodes: Verb[]): string[] {
  const urls: string[] = [];
  for (const node of nodes) {
    for (const value of Object.values(node.attributes)) if (/^(https?|wss?):/i.test(value)) urls.push(value);
    if (node.text && /^(https?|wss?):/i.test(node.text)) urls.push(node.text);
    urls.push(...urlsIn(node.children ?? []));
  }
  return urls;
}

function find(nodes: Verb[], verb: string): Verb | undefined {
  for (const node of nodes) {
    if (node.verb === verb) return node;
    const inner = find(node.children ?? [], verb);
    if (inner) return inner;
  }
  return undefined;
}

function assertUnderHooks(urls: string[], what: string, some = true): void {
  if (some) assert.ok(urls.length > 0, `${what}: no URL`);
  for (const url of urls) assert.ok(url.startsWith(`${HOOKS_BASE}/`), `${what}: ${url} is not under ${HOOKS_BASE}`);
}

const ask: State = {
  name: 'ask',
  type: 'gather-input-on-call',
  transitions: [{ event: 'keypress', next: 'pick' }, { event: 'speech' }, { event: 'timeout' }],
  properties: { offset: { x: 0, y: 0 }, say: 'Press 1.', number_of_digits: 1 },
};
// A split's match transition carries its conditions, which helpers' State does not spell out.
const pick = {
  name: 'pick',
  type: 'split-based-on',
  transitions: [{ event: 'noMatch' }, { event: 'match', next: 'thanks', conditions: [{ friendly_name: 'one', arguments: ['{{widgets.ask.Digits}}'], type: 'equal_to', value: '1' }] }],
  properties: { offset: { x: 0, y: 0 }, input: '{{widgets.ask.Digits}}' },
} as State;
const thanks: State = { name: 'thanks', type: 'say-play', transitions: [{ event: 'audioComplete' }], properties: { offset: { x: 0, y: 0 }, say: 'Thank you.' } };
const dialOut: State = {
  name: 'dial_out',
  type: 'make-outgoing-call-v2',
  transitions: [{ event: 'answered', next: 'ask' }, { event: 'busy' }, { event: 'noAnswer' }, { event: 'failed' }],
  properties: { offset: { x: 0, y: 0 }, to: '{{contact.channel.address}}', from: '{{flow.channel.address}}', timeout: 30, record: false },
};

describe('Twilio carrier calls with StatusCallbackBaseUrl: every URL handed to Twilio is under it', () => {
  let fake: FakeTwilio;
  let server: CarrierServer;
  useCarrierServer((started) => ({ fake, server } = started), { server: () => ({ config: { publicBaseUrl: PUBLIC }, carrier: { StatusCallbackBaseUrl: HOOKS } }) });

  /**
   * Twilio requesting `url` (signed over it with the upstream token, as Twilio signs the URL it was
   * given), reaching the server through the tunnel: the URL's path and query on the server's address.
   */
  async function twilioPost(url: string, params: Record<string, string>): Promise<{ status: number; body: string }> {
    const target = new URL(url);
    const response = await fetch(server.baseUrl + target.pathname + target.search, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(UPSTREAM_TOKEN, url, params), 'user-agent': 'TwilioProxy/1.1' },
      body: new URLSearchParams(params).toString(),
    });
    return { status: response.status, body: await response.text() };
  }

  /**
   * Plays Twilio on a call from the TwiML `first` answered: presses 1 at a Gather (its action) and follows
   * Redirects until a document has neither. Every document's URLs must be under HOOKS. The documents.
   */
  async function follow(first: string, params: Record<string, string>): Promise<Verb[][]> {
    const documents: Verb[][] = [];
    let twiml = first;
    for (let turn = 0; turn < 10; turn++) {
      const nodes = verbs(twiml);
      documents.push(nodes);
      const gather = find(nodes, 'Gather');
      const redirect = find(nodes, 'Redirect');
      assertUnderHooks(urlsIn(nodes), `TwiML document ${turn + 1}: ${twiml}`, !!(gather || redirect));
      if (!gather && !redirect) return documents;
      const answer = gather
        ? await twilioPost(gather.attributes.action!, { ...params, Digits: '1', FinishedOnKey: '' })
        : await twilioPost(redirect!.text!, params);
      assert.equal(answer.status, 200, answer.body);
      twiml = answer.body;
    }
    assert.fail('the call never ended');
  }

  it('an outgoing call: the Calls API request and every TwiML document after it (Gather, split, Say)', async () => {
    const flowSid = await createFlow(server, flow([dialOut, ask, pick, thanks], { incomingRequest: 'dial_out' }));
    const started = await restExecution(server, flowSid, { To: CONTACT, From: NUMBER });
    assert.equal(started.statusCode, 201, started.body);
    const executionSid = started.json().sid as string;
    const create = await waitFor('the Calls request', () => fake.creates('Calls')[0]);
    const form = new Map(create.form);
    for (const [name, value] of create.form) if (/^(https?|wss?):/i.test(value)) assert.ok(value.startsWith(`${HOOKS_BASE}/`), `${name}=${value}`);
    assertUnderHooks([form.get('Url')!, form.get('StatusCallback')!], 'the Calls API request');

    const callSid = String(fake.calls[0]!.sid);
    const params = { AccountSid: UPSTREAM_SID, ApiVersion: '2010-04-01', CallSid: callSid, CallStatus: 'in-progress', Direction: 'outbound-api', From: NUMBER, To: CONTACT, AnsweredBy: 'human' };
    const answered = await twilioPost(form.get('Url')!, params);
    assert.equal(answered.status, 200, answered.body);
    const documents = await follow(answered.body, params);
    assert.ok(documents.some((nodes) => find(nodes, 'Gather')), 'the flow gathered');
    assert.ok(documents.some((nodes) => find(nodes, 'Say')?.text === 'Thank you.'), 'the flow said thanks');

    const status = await twilioPost(form.get('StatusCallback')!, { ...params, CallStatus: 'completed', CallDuration: '12' });
    assert.equal(status.status, 200, status.body);
    await waitForEnd(server, executionSid);
    assert.deepEqual((await stepList(server.app, server.account.sid, flowSid, executionSid)).slice(0, 4), [
      'Trigger -incomingRequest-> dial_out',
      'dial_out -answered-> ask',
      'ask -keypress-> pick',
      'pick -match-> thanks',
    ]);
  });

  for (const [calledAt, base] of [['the tunnel (StatusCallbackBaseUrl)', HOOKS_BASE], ['the public base URL', PUBLIC]] as const) {
    it(`an inbound call whose number's webhook is on ${calledAt}: every TwiML document's URLs are under StatusCallbackBaseUrl`, async () => {
      const flowSid = await createFlow(server, flow([ask, pick, thanks], { incomingCall: 'ask' }));
      const webhook = `${base}/v1/Accounts/${server.account.sid}/Flows/${flowSid}`;
      const params = { AccountSid: UPSTREAM_SID, ApiVersion: '2010-04-01', CallSid: 'CA' + '5'.repeat(32), CallStatus: 'ringing', Direction: 'inbound', From: CONTACT, To: NUMBER, Called: NUMBER, Caller: CONTACT };
      const answered = await twilioPost(webhook, params);
      assert.equal(answered.status, 200, answered.body);
      const documents = await follow(answered.body, { ...params, CallStatus: 'in-progress' });
      assert.ok(documents.some((nodes) => find(nodes, 'Say')?.text === 'Thank you.'), 'the flow said thanks');
      const status = await twilioPost(webhook, { ...params, CallStatus: 'completed', CallDuration: '9' });
      assert.equal(status.status, 200, status.body);
      const executionSid = (await server.app.store.listExecutions(server.account.sid, flowSid, {}, { pageSize: 1 })).items[0]!.sid;
      await waitForEnd(server, executionSid);
      assert.deepEqual(await stepList(server.app, server.account.sid, flowSid, executionSid), ['Trigger -incomingCall-> ask', 'ask -keypress-> pick', 'pick -match-> thanks', 'thanks -audioComplete-> Ended']);
    });
  }

  it('a callback signed over the public base URL or the tunnel is accepted, over another host refused', async () => {
    const flowSid = await createFlow(server, flow([ask, pick, thanks], { incomingCall: 'ask' }));
    const path = `/v1/Accounts/${server.account.sid}/Flows/${flowSid}`;
    const params = { AccountSid: UPSTREAM_SID, CallSid: 'CA' + '6'.repeat(32), CallStatus: 'ringing', Direction: 'inbound', From: CONTACT, To: NUMBER };
    const send = (signedOver: string) =>
      fetch(server.baseUrl + path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(UPSTREAM_TOKEN, signedOver + path, params) },
        body: new URLSearchParams(params).toString(),
      });
    assert.equal((await send('https://elsewhere.example.com')).status, 403);
    assert.equal((await send(PUBLIC)).status, 200, 'the public base URL still verifies');
    const answered = await send(HOOKS_BASE);
    assert.equal(answered.status, 200);
    assertUnderHooks(urlsIn(verbs(await answered.text())), 'the answer');
  });

  it('the simulator phone (not Twilio) on the same account keeps its own base: its call runs in-process to the end', async () => {
    const flowSid = await createFlow(server, flow([ask, pick, thanks], { incomingCall: 'ask' }));
    const request = (url: string, fields: Record<string, string>) =>
      server.app.server.inject({ method: 'POST', url, headers: { authorization: server.auth, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString() });
    const dialled = await request('/simulator/calls', { FlowSid: flowSid, From: CONTACT });
    assert.equal(dialled.statusCode, 201, dialled.body);
    const call = dialled.json() as { sid: string; execution_sid: string };
    const pressed = await request(`/simulator/calls/${call.sid}/Digits`, { Digits: '1' });
    assert.equal(pressed.statusCode, 200, pressed.body);
    await waitForEnd(server, call.execution_sid);
    assert.deepEqual(await stepList(server.app, server.account.sid, flowSid, call.execution_sid), ['Trigger -incomingCall-> ask', 'ask -keypress-> pick', 'pick -match-> thanks', 'thanks -audioComplete-> Ended']);
  });
});
