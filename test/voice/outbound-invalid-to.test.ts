// The simulator phone refuses what Twilio's Calls API refuses instead of ringing it for a minute: a
// `to` that is no phone number nor a callable address is 21211, a missing From 21213 and a missing To
// 21201 (twilio-wire-conventions.md §2.1). make-outgoing-call-v2 then takes `failed` with the code, as
// it does on Twilio; numbers, `client:` identities and `sip:` URIs ring as before.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { OutboundCall } from '../../src/engine/types.ts';
import { SimulatorPhone, isCallAddress, type PhoneTransport } from '../../src/channels/simulator/phone.ts';
import { triggerFlow } from '../support/flows.ts';
import { FORM, form } from '../support/server.ts';
import { phone, serverWithFlow, stepsOf, type CallView } from './support.ts';
import { contextOf } from '../../src/runtime/execution-context.ts';

const AC = 'AC' + '1'.repeat(32);
const FW = 'FW' + '1'.repeat(32);
const FN = 'FN' + '1'.repeat(32);
const NO_TRANSPORT: PhoneTransport = { request: async () => assert.fail('no request expected') };
const context = { accountSid: AC, flowSid: FW, executionSid: FN, callbackId: 'EF1', answerUrl: 'http://127.0.0.1:1/a', statusCallback: 'http://127.0.0.1:1/s' };
const spec = (to: string, from = '+15005550006'): OutboundCall => ({ to, from, timeout: 30, record: false, options: {} });

describe('simulator phone: which `to` the Calls API takes', () => {
  for (const to of ['+15551230001', ' +1 (555) 123-0043 ', 'client:ann', 'sip:ann@example.com', 'SIP:ann@example.com']) {
    it(`takes ${JSON.stringify(to)}`, () => assert.equal(isCallAddress(to), true));
  }
  for (const to of ['not a number', 'ada', '12345', '+1', 'client:', 'sip:', 'sip:two words', 'tel:+15551230001']) {
    it(`refuses ${JSON.stringify(to)}`, () => assert.equal(isCallAddress(to), false));
  }

  it('refuses an invalid To with 21211, no From with 21213, no To with 21201, and rings none of them', async () => {
    const simulator = new SimulatorPhone(NO_TRANSPORT);
    assert.deepEqual(await simulator.placeCall(context, spec('not a number')), { ok: false, code: 21211, message: "The 'To' number not a number is not a valid phone number." });
    assert.deepEqual(await simulator.placeCall(context, spec('+15551230001', '')), { ok: false, code: 21213, message: "No 'From' number is specified" });
    assert.deepEqual(await simulator.placeCall(context, spec('')), { ok: false, code: 21201, message: "No 'To' number is specified" });
    assert.deepEqual(simulator.list(AC), []);
  });
});

describe('make-outgoing-call-v2 to an invalid number in the simulator', () => {
  const definition = triggerFlow('invalid call', 'incomingRequest', 'dial', [
    {
      name: 'dial',
      type: 'make-outgoing-call-v2',
      properties: { offset: { x: 0, y: 100 }, to: '{{flow.data.to}}', from: '{{flow.channel.address}}', timeout: 60 },
      transitions: [{ event: 'answered' }, { event: 'busy' }, { event: 'noAnswer' }, { event: 'failed' }],
    },
  ]);

  it("takes failed with 21211 at once, and places no call", async () => {
    const { server, flowSid } = await serverWithFlow(definition);
    try {
      const res = await server.app.server.inject({
        method: 'POST',
        url: `/v2/Flows/${flowSid}/Executions`,
        headers: { authorization: server.auth, ...FORM },
        payload: form({ To: '+15551230001', From: '+15005550006', Parameters: JSON.stringify({ to: 'not a number' }) }),
      });
      assert.equal(res.statusCode, 201, res.body);
      const executionSid = res.json().sid as string;
      await server.app.executions.idle();
      assert.deepEqual(await stepsOf(server, flowSid, executionSid), ['Trigger -incomingRequest-> dial', 'dial -failed-> Ended']);
      const execution = (await server.app.store.getExecutionBySid(executionSid))!;
      assert.equal(execution.status, 'ended');
      const widgets = (contextOf(execution) as { widgets: Record<string, Record<string, unknown>> }).widgets;
      assert.equal(widgets.dial!.ErrorCode, 21211);
      const calls = (await phone(server, `/simulator/calls?FlowSid=${flowSid}`, {}, 'GET')) as unknown as { calls: CallView[] };
      assert.deepEqual(calls.calls, []);
    } finally {
      await server.close();
    }
  });
});
