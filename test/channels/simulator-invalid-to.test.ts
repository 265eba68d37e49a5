// The simulator refuses a message to an address Twilio's Messages API refuses (21211 invalid 'To'), so
// the Send Message widget takes `failed` as it does on Twilio, instead of `sent` to "not a number".
// Phone numbers and channel addresses go out as before; a short code is refused as Twilio refuses it
// (21211's causes: "you attempted to send a message to a short code"). Inside a conversation `to` plays
// no part (the message is posted into the conversation).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { INVALID_TO_CODE, isMessageAddress, SimulatorChannel } from '../../src/channels/simulator/simulator-channel.ts';
import { startServerWithFlow, form, type InjectResponse, type TestServer } from '../support/server.ts';
import { triggerFlow } from '../support/flows.ts';

const AT = 1_700_000_000_000;
const AC = 'AC' + '1'.repeat(32);
const FW = 'FW' + '1'.repeat(32);
const CH = 'CH' + 'a'.repeat(32);
const context = (executionSid: string) => ({ accountSid: AC, flowSid: FW, executionSid, channelAddress: '+15005550006' });

describe('simulator: which `to` the Messages API takes', () => {
  const taken = [
    '+15551230001',
    '+442079460958',
    '+1 (555) 123-0043', // written for people: Twilio stores it in E.164
    '+1.555.123.0043',
    ' +15551230001 ',
    'whatsapp:+15551230002',
    'WhatsApp:+15551230002',
    'rcs:+15551230002',
    'messenger:1234567890123456',
    'client:ann',
  ];
  const refused = [
    '12345', // short codes (3 to 8 digits) send, they are not sent to
    '898211',
    ' 55555 ',
    '123',
    '12345678',
    'not a number', 'ada', '', '+1', '+0123456789', '+1555abc0001', '+1234567890123456', '12', '123456789', 'whatsapp:', 'whatsapp:ada', 'messenger:', 'client:', 'client:two words', 'sms:+15551230001', CH, ':+15551230001'];
  for (const to of taken) it(`takes ${JSON.stringify(to)}`, () => assert.equal(isMessageAddress(to), true));
  for (const to of refused) it(`refuses ${JSON.stringify(to)}`, () => assert.equal(isMessageAddress(to), false));
});

describe('simulator channel: a send to an invalid To', () => {
  it('fails with 21211 as Twilio words it, and records or announces nothing', async () => {
    const simulator = new SimulatorChannel(() => AT);
    const announced: unknown[] = [];
    simulator.onMessage((entry) => announced.push(entry));
    const sent = await simulator.sendMessage(context('FN1'), { from: '+15005550006', to: 'not a number', body: 'hi' });
    assert.deepEqual(sent, { ok: false, code: INVALID_TO_CODE, message: "The 'To' number not a number is not a valid phone number." });
    assert.equal(INVALID_TO_CODE, 21211);
    assert.deepEqual(simulator.transcript('+15005550006', 'not a number'), []);
    assert.deepEqual(announced, []);
    const ok = await simulator.sendMessage(context('FN2'), { from: '+15005550006', to: 'whatsapp:+15551230002', body: 'hi' });
    assert.ok(ok.ok);
    await simulator.idle();
  });

  it('inside a conversation `to` is an identity and the message is posted', async () => {
    const simulator = new SimulatorChannel(() => AT);
    const sent = await simulator.sendMessage({ ...context('FN1'), channelAddress: CH }, { from: 'Bot', to: 'ada', body: 'hello' });
    assert.ok(sent.ok);
    assert.equal(sent.message.ConversationSid, CH);
  });
});

describe('simulator: a REST-triggered Send Message to an invalid To', () => {
  let t: TestServer;
  let flowSid = '';
  let post: (url: string, payload: string) => Promise<InjectResponse>;
  before(async () => {
    const definition = triggerFlow('invalid to', 'incomingRequest', 'send', [
      { name: 'send', type: 'send-message', properties: { from: '{{flow.channel.address}}', to: '{{flow.data.to}}', body: 'Hello' }, transitions: [{ event: 'sent' }, { event: 'failed' }] },
    ]);
    ({ server: t, flowSid, post } = await startServerWithFlow(definition));
  });
  after(() => t.close());

  async function run(to: string) {
    const created = await post(`/v2/Flows/${flowSid}/Executions`, form({ To: '+15551230001', From: '+15005550006', Parameters: JSON.stringify({ to }) }));
    assert.equal(created.statusCode, 201, created.body);
    const sid = created.json().sid as string;
    await t.app.executions.idle();
    const get = (url: string) => t.app.server.inject({ method: 'GET', url, headers: { authorization: t.auth } });
    const steps = (await get(`/v2/Flows/${flowSid}/Executions/${sid}/Steps`)).json().steps as { name: string; transitioned_from: string }[];
    const context = (await get(`/v2/Flows/${flowSid}/Executions/${sid}/Context`)).json().context;
    return { event: steps.find((s) => s.transitioned_from === 'send')?.name, widget: context.widgets.send };
  }

  it("'not a number' takes failed: Studio's 81011 over the Messages API's 21211, as from the carrier", async () => {
    const { event, widget } = await run('not a number');
    assert.equal(event, 'failed');
    const message = "The 'To' number not a number is not a valid phone number.";
    assert.deepEqual(widget, { outbound: { ErrorCode: 21211, ErrorMessage: message }, error: { code: 81011, message } });
    assert.deepEqual(t.app.simulator.transcript('+15005550006', 'not a number'), []);
  });

  it('a short code takes failed with 21211, as on Twilio', async () => {
    const { event, widget } = await run('55555');
    assert.equal(event, 'failed');
    const message = "The 'To' number 55555 is not a valid phone number.";
    assert.deepEqual(widget, { outbound: { ErrorCode: 21211, ErrorMessage: message }, error: { code: 81011, message } });
    assert.deepEqual(t.app.simulator.transcript('+15005550006', '55555'), []);
  });

  it('a phone number and a WhatsApp address take sent', async () => {
    for (const to of ['+15551230009', 'whatsapp:+15551230009']) {
      const { event, widget } = await run(to);
      assert.equal(event, 'sent', `${to}: ${JSON.stringify(widget)}`);
      assert.equal(widget.outbound.To, to);
    }
  });
});
