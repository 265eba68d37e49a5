// A contact's phone number written for people is the contact Twilio knows by its E.164, on every path that
// names one (src/lib/phone-format.ts withoutPhoneFormatting): the REST create's To, the simulator's From and
// To (Twilio's webhooks always give the E.164), the transcript's Contact, test users, a Send Message's To
// (Twilio's Messages API stores the E.164), `switchboard simulate --from` and flow tests' trigger addresses.
// Distinct channels stay distinct: whatsapp:+1555… keeps its prefix and is not +1555….
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withoutPhoneFormatting } from '../../src/lib/phone-format.ts';
import { SIMULATOR_FLOW_ADDRESS } from '../../src/channels/simulator/simulator-channel.ts';
import { openSimulation } from '../../src/cli/flow-file.ts';
import { runFiles } from '../../src/flowtest/runner.ts';
import { textReport } from '../../src/flowtest/reporters.ts';
import { FORM, form, startServerWithFlow, type InjectResponse, type TestServer } from '../support/server.ts';
import { triggerFlow } from '../support/flows.ts';

const askAndWait = JSON.parse(readFileSync(new URL('../fixtures/flows/ask-and-wait.json', import.meta.url), 'utf8'));
// Texts start the flow too (Incoming Message to the same question), so a reply that misses its execution starts another.
askAndWait.states[0].transitions[0].next = 'ask';

describe('withoutPhoneFormatting', () => {
  it("drops a trunk prefix written '(0)' after the country code, as it is not dialled from abroad", () => {
    assert.equal(withoutPhoneFormatting('+44 (0)20 7946 0958'), '+442079460958');
    assert.equal(withoutPhoneFormatting('+44(0)2079460958'), '+442079460958');
    assert.equal(withoutPhoneFormatting('+33 (0) 1 23 45 67 89'), '+33123456789');
    assert.equal(withoutPhoneFormatting('+44 20 7946 0958'), '+442079460958');
    // Where numbers start with 0 (Italy's 06…, Côte d'Ivoire's 07…), the 0 is the number's, as libphonenumber reads it.
    assert.equal(withoutPhoneFormatting('+39 (0)6 1234 5678'), '+390612345678');
    assert.equal(withoutPhoneFormatting('+225 (0)7 12 34 56 78'), '+2250712345678');
  });

  it('rewrites the number of a whatsapp: or rcs: address, its prefix kept; identifiers stay as given', () => {
    assert.equal(withoutPhoneFormatting('whatsapp:+1 (555) 123-0044'), 'whatsapp:+15551230044');
    assert.equal(withoutPhoneFormatting('rcs:+1.555.123.0044'), 'rcs:+15551230044');
    assert.equal(withoutPhoneFormatting('whatsapp:+15551230044'), 'whatsapp:+15551230044');
    for (const kept of ['messenger:123 456', 'client:alice', 'sip:alice@example.com', 'rcs:acme_agent', 'ACME', '12345', '555-123-0044']) {
      assert.equal(withoutPhoneFormatting(kept), kept);
    }
  });
});

describe('a formatted phone number is the contact its E.164 names', () => {
  let t: TestServer;
  let flowSid = '';
  let post: (url: string, payload: string) => Promise<InjectResponse>;
  before(async () => {
    ({ server: t, flowSid, post } = await startServerWithFlow(askAndWait));
  });
  after(() => t.close());
  const get = (url: string) => t.app.server.inject({ method: 'GET', url, headers: { authorization: t.auth } });
  const create = async (to: string, from = SIMULATOR_FLOW_ADDRESS) => {
    const res = await post(`/v2/Flows/${flowSid}/Executions`, form({ To: to, From: from }));
    assert.equal(res.statusCode, 201, res.body);
    await t.app.executions.idle();
    return res.json() as { sid: string; contact_channel_address: string };
  };

  it("the REST create: '+44 (0)20 …' is +442079460958, and that number's reply finds the execution", async () => {
    const created = await create('+44 (0)20 7946 0958');
    assert.equal(created.contact_channel_address, '+442079460958');
    const reply = await post(`/simulator/Flows/${flowSid}/Messages`, form({ From: '+442079460958', Body: 'fine' }));
    assert.equal(reply.statusCode, 201, reply.body);
    assert.equal(reply.json().execution_sid, created.sid);
  });

  it('the REST create: a formatted WhatsApp number keeps its channel, and the WhatsApp reply through the flow webhook finds it', async () => {
    const created = await create('whatsapp:+1 (555) 123-0044', 'whatsapp:+1 500 555 0006');
    assert.equal(created.contact_channel_address, 'whatsapp:+15551230044');
    const context = (await get(`/v2/Flows/${flowSid}/Executions/${created.sid}/Context`)).json().context;
    assert.equal(context.flow.channel.address, 'whatsapp:+15005550006');
    // An SMS from the same number is another channel: it starts its own execution.
    const webhook = `/v1/Accounts/${t.account.sid}/Flows/${flowSid}`;
    const sms = await post(webhook, form({ MessageSid: 'SM' + '1'.repeat(32), AccountSid: t.account.sid, From: '+15551230044', To: '+15005550006', Body: 'sms' }));
    assert.equal(sms.statusCode, 200, sms.body);
    const reply = await post(webhook, form({ MessageSid: 'SM' + '2'.repeat(32), AccountSid: t.account.sid, From: 'whatsapp:+15551230044', To: 'whatsapp:+15005550006', Body: 'fine' }));
    assert.equal(reply.statusCode, 200, reply.body);
    await t.app.executions.idle();
    const ended = (await get(`/v2/Flows/${flowSid}/Executions/${created.sid}/Context`)).json().context;
    assert.equal(ended.widgets.ask.inbound.Body, 'fine');
    assert.equal(ended.widgets.ask.inbound.From, 'whatsapp:+15551230044');
    const sms_ = (await get(`/v2/Flows/${flowSid}/Executions?ContactAddress=%2B15551230044`)).json().executions;
    assert.equal(sms_.length, 1);
    assert.notEqual(sms_[0].sid, created.sid);
  });

  it("the simulator: a text from '+1 (555) 123-0043' is the contact +15551230043, who answers the REST execution", async () => {
    const created = await create('+1 (555) 123-0043');
    const reply = await post(`/simulator/Flows/${flowSid}/Messages`, form({ From: '+1 (555) 123-0043', To: '+1 500 555 0006', Body: 'fine' }));
    assert.equal(reply.statusCode, 201, reply.body);
    assert.equal(reply.json().execution_sid, created.sid);
    assert.deepEqual(
      reply.json().messages.map((m: { from: string; to: string; body: string }) => [m.from, m.to, m.body]),
      [
        ['+15005550006', '+15551230043', 'Hi there, how are you?'],
        ['+15551230043', '+15005550006', 'fine'],
        ['+15005550006', '+15551230043', 'Thanks: fine'],
      ],
    );
    const context = (await get(`/v2/Flows/${flowSid}/Executions/${created.sid}/Context`)).json().context;
    assert.equal(context.widgets.ask.inbound.From, '+15551230043');
    // The transcript, named either way.
    for (const contact of ['+1 (555) 123-0043', '+15551230043']) {
      const transcript = await get(`/simulator/Flows/${flowSid}/Messages?Contact=${encodeURIComponent(contact)}`);
      assert.equal(transcript.statusCode, 200, transcript.body);
      assert.equal(transcript.json().messages.length, 3, contact);
    }
  });

  it('the simulator: a test user texting with the number formatted runs the draft', async () => {
    const draft = await t.app.server.inject({ method: 'POST', url: `/v2/Flows/${flowSid}`, headers: { authorization: t.auth, ...FORM }, payload: form({ Status: 'draft', Definition: JSON.stringify({ ...askAndWait, description: 'draft' }) }) });
    assert.equal(draft.json().revision, 2, draft.body);
    const users = await post(`/v2/Flows/${flowSid}/TestUsers`, form({ TestUsers: ['+15550001111'] }));
    assert.equal(users.statusCode, 200, users.body);
    const text = await post(`/simulator/Flows/${flowSid}/Messages`, form({ From: '+1 (555) 000-1111', Body: 'hi' }));
    assert.equal(text.statusCode, 201, text.body);
    const execution = (await get(`/v2/Flows/${flowSid}/Executions/${text.json().execution_sid}`)).json();
    assert.equal(execution.contact_channel_address, '+15550001111');
    assert.equal(execution.flow_version, 2);
  });

  it("a Send Message to a formatted number: Twilio's message resource (outbound.To) and the transcript have its E.164", async () => {
    const sendTo = triggerFlow('sends to the number given', 'incomingRequest', 'send', [
      { name: 'send', type: 'send-message', properties: { offset: { x: 0, y: 100 }, from: '{{flow.channel.address}}', to: '{{flow.data.phone}}', body: 'hello' }, transitions: [{ event: 'sent' }, { event: 'failed' }] },
    ]);
    const flow = await t.app.flows.create(t.account.sid, { friendlyName: 'send to', status: 'published', definition: sendTo });
    const created = await post(`/v2/Flows/${flow.sid}/Executions`, form({ To: '+15551230001', From: '+15005550006', Parameters: JSON.stringify({ phone: '+1 (555) 123-0050' }) }));
    assert.equal(created.statusCode, 201, created.body);
    await t.app.executions.idle();
    const context = (await get(`/v2/Flows/${flow.sid}/Executions/${created.json().sid}/Context`)).json().context;
    assert.equal(context.widgets.send.outbound.To, '+15551230050');
    const transcript = (await get(`/simulator/Flows/${flow.sid}/Messages?Contact=%2B15551230050`)).json().messages;
    assert.deepEqual(transcript.map((m: { to: string; body: string }) => [m.to, m.body]), [['+15551230050', 'hello']]);
  });
  it("a Make Outgoing Call to a formatted number calls its E.164, as Twilio's Calls API keeps it", async () => {
    const callTo = triggerFlow('calls the number given', 'incomingRequest', 'call', [
      { name: 'call', type: 'make-outgoing-call-v2', properties: { offset: { x: 0, y: 100 }, from: '{{flow.channel.address}}', to: '{{flow.data.phone}}', timeout: 60 }, transitions: [{ event: 'answered' }, { event: 'busy' }, { event: 'noAnswer' }, { event: 'failed' }] },
    ]);
    const flow = await t.app.flows.create(t.account.sid, { friendlyName: 'call to', status: 'published', definition: callTo });
    const created = await post(`/v2/Flows/${flow.sid}/Executions`, form({ To: '+15551230001', From: '+15005550006', Parameters: JSON.stringify({ phone: '+1 (555) 123-0060' }) }));
    assert.equal(created.statusCode, 201, created.body);
    await t.app.executions.idle();
    const calls = (await get(`/simulator/calls?FlowSid=${flow.sid}`)).json().calls;
    assert.deepEqual(calls.map((c: { from: string; to: string }) => [c.from, c.to]), [['+15005550006', '+15551230060']]);
    await t.app.executions.end(t.account.sid, flow.sid, created.json().sid);
  });
});

describe('switchboard simulate --from, and flow tests, take a formatted number as the server does', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-formatted-numbers-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('simulate --from +1 (555) 123-0043 texts as +15551230043', async () => {
    const file = join(dir, 'ask.json');
    writeFileSync(file, JSON.stringify(askAndWait));
    const opened = await openSimulation('simulate', file, { from: '+1 (555) 123-0043', to: '+1 500 555 0006' });
    assert.ok(typeof opened !== 'number');
    try {
      assert.equal(opened.from, '+15551230043');
      assert.equal(opened.to, '+15005550006');
    } finally {
      await opened.app.close();
    }
  });

  it("a flow test's trigger addresses are the contact and flow address the server keeps", () => {
    const flow = {
      description: 'which contact',
      initial_state: 'Trigger',
      flags: { allow_concurrent_calls: true },
      states: [
        { name: 'Trigger', type: 'trigger', properties: { offset: { x: 0, y: 0 } }, transitions: [{ event: 'incomingRequest', next: 'seen' }, { event: 'incomingMessage', next: 'seen' }] },
        {
          name: 'seen',
          type: 'set-variables',
          properties: {
            offset: { x: 0, y: 100 },
            variables: [
              { key: 'contact', value: '{{contact.channel.address}}' },
              { key: 'flowAddress', value: '{{flow.channel.address}}' },
              { key: 'requestTo', value: '{{trigger.request.to}}' },
              { key: 'messageFrom', value: '{{trigger.message.From}}' },
            ],
          },
          transitions: [{ event: 'next', next: 'who' }],
        },
        {
          name: 'who',
          type: 'split-based-on',
          properties: { offset: { x: 0, y: 200 }, input: '{{contact.channel.address}}' },
          transitions: [{ event: 'noMatch' }, { event: 'match', next: 'send', conditions: [{ friendly_name: 'known', arguments: ['{{contact.channel.address}}'], type: 'equal_to', value: '+15551230043' }] }],
        },
        { name: 'send', type: 'send-message', properties: { offset: { x: 0, y: 300 }, from: '{{flow.channel.address}}', to: '{{flow.data.phone | default: contact.channel.address}}', body: 'hi' }, transitions: [{ event: 'sent' }, { event: 'failed' }] },
      ],
    };
    writeFileSync(join(dir, 'who.json'), JSON.stringify(flow));
    writeFileSync(
      join(dir, 'who.test.yaml'),
      `
flow: who.json
tests:
  - name: a REST create to the formatted number
    trigger: { request: { to: "+1 (555) 123-0043", from: "+1 500 555 0006" } }
    expect:
      path: [Trigger, seen, who, send]
      variables: { contact: "+15551230043", requestTo: "+15551230043", flowAddress: "+15005550006" }
      widgets: { send: { outbound: { To: "+15551230043", From: "+15005550006" } } }
  - name: a text from the formatted number
    trigger: { message: { from: "+1 (555) 123-0043", body: "hi" } }
    expect:
      path: [Trigger, seen, who, send]
      variables: { contact: "+15551230043", messageFrom: "+15551230043" }
  - name: a send to a formatted number has its E.164 in outbound.To
    trigger: { request: { to: "+15551230043", parameters: { phone: "+44 (0)20 7946 0958" } } }
    expect:
      path: [Trigger, seen, who, send]
      widgets: { send: { outbound: { To: "+442079460958" } } }
`,
    );
    const callFlow = {
      description: 'calls the number given',
      initial_state: 'Trigger',
      flags: { allow_concurrent_calls: true },
      states: [
        { name: 'Trigger', type: 'trigger', properties: { offset: { x: 0, y: 0 } }, transitions: [{ event: 'incomingRequest', next: 'call' }] },
        { name: 'call', type: 'make-outgoing-call-v2', properties: { offset: { x: 0, y: 100 }, from: '{{flow.channel.address}}', to: '{{flow.data.phone}}', timeout: 60 }, transitions: [{ event: 'answered' }, { event: 'busy' }, { event: 'noAnswer' }, { event: 'failed' }] },
      ],
    };
    writeFileSync(join(dir, 'call.json'), JSON.stringify(callFlow));
    writeFileSync(
      join(dir, 'call.test.yaml'),
      `
flow: call.json
tests:
  - name: a call to a formatted number calls its E.164
    trigger: { request: { parameters: { phone: "+1 (555) 123-0060" } } }
    expect:
      path: [Trigger, call]
      widgets: { call: { To: "+15551230060", From: "+15005550006" } }
`,
    );
    const summary = runFiles([join(dir, 'who.test.yaml'), join(dir, 'call.test.yaml')]);
    assert.equal(summary.failed, 0, textReport(summary));
    assert.equal(summary.passed, 4);
  });
});
