// The voice channel works without the HTTP layer: the voice network (src/channels/voice) places a
// simulator account's call on the simulator phone with signed callback URLs into the flow webhook,
// and the phone's transport signs its requests as Twilio does, answering this server's URLs through
// whatever in-process server the composition root attaches (none: the request fails, not the process).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../src/runtime/ports/store.ts';
import type { OutboundCall } from '../../src/engine/types.ts';
import { SimulatorPhone } from '../../src/channels/simulator/phone.ts';
import { SignedPhoneTransport, SIMULATOR_BASE, simulatorBase, type LocalRequest } from '../../src/channels/simulator/phone-transport.ts';
import { voiceNetwork } from '../../src/channels/voice/voice-network.ts';
import { computeSignature } from '../../src/api/wire/signature.ts';

const ACCOUNT = 'AC' + '1'.repeat(32);
const FLOW = 'FW' + '2'.repeat(32);
const EXECUTION = 'FN' + '3'.repeat(32);
const TOKEN = 'secret-auth-token';

/** Just what the voice network and the transport read: the account, and no carrier setting (the simulator). */
const store = {
  getAccount: async (sid: string) => (sid === ACCOUNT ? { sid, authToken: TOKEN, friendlyName: 'test', dateCreated: 0 } : null),
  getSetting: async () => null,
} as unknown as Store;

const CALL: OutboundCall = { to: '+15551112222', from: '+15005550006', timeout: 30, record: false, options: {} };

function setUp() {
  const transport = new SignedPhoneTransport(store, { base: simulatorBase(undefined) });
  const phone = new SimulatorPhone(transport);
  const signed: string[] = [];
  const voice = voiceNetwork(phone, {
    store,
    calls: { token: async (_account, execution, callbackId, kind) => (signed.push(`${execution}/${callbackId}/${kind}`), `tok-${kind}`) },
    base: (forTwilio) => (forTwilio ? null : transport.base),
  });
  return { transport, phone, voice, signed };
}

describe('voice network without an HTTP server', () => {
  it('rings the simulator phone with signed answer and status URLs into the flow webhook', async () => {
    const { transport, phone, voice, signed } = setUp();
    const placed = await voice.placeCall({ accountSid: ACCOUNT, flowSid: FLOW, executionSid: EXECUTION, callbackId: 'EF1' }, CALL);
    assert.ok(placed.ok);
    const call = phone.get(String(placed.call.CallSid))!;
    assert.equal(call.status, 'ringing');
    assert.equal(call.answerUrl, `${SIMULATOR_BASE}/v1/Accounts/${ACCOUNT}/Flows/${FLOW}?sb=tok-a`);
    assert.equal(call.statusCallback, `${SIMULATOR_BASE}/v1/Accounts/${ACCOUNT}/Flows/${FLOW}?sb=tok-s`);
    assert.deepEqual(signed, [`${EXECUTION}/EF1/a`, `${EXECUTION}/EF1/s`]);

    // Only a call in progress can be recorded (as on Twilio): a ringing one is refused, an answered one recorded.
    const ringing = await voice.recordCall({ accountSid: ACCOUNT, flowSid: FLOW, executionSid: EXECUTION }, call.sid, true, {});
    assert.ok(!ringing.ok && ringing.code === 21220);
    transport.serveLocally(async () => ({ status: 200, contentType: 'text/xml', body: '<Response><Gather/></Response>' }));
    assert.equal((await phone.act(call.sid, { type: 'answer' })).status, 'in-progress');
    const recorded = await voice.recordCall({ accountSid: ACCOUNT, flowSid: FLOW, executionSid: EXECUTION }, call.sid, true, {});
    assert.ok(recorded.ok);
    assert.equal(recorded.recording.Status, 'in-progress');
  });

  it('fails the call, not the process, when no server answers the phone; a signed request once one is attached', async () => {
    const { transport, phone, voice } = setUp();
    const place = async () => {
      const placed = await voice.placeCall({ accountSid: ACCOUNT, flowSid: FLOW, executionSid: EXECUTION, callbackId: 'EF1' }, CALL);
      assert.ok(placed.ok);
      return String(placed.call.CallSid);
    };

    const unanswered = await phone.act(await place(), { type: 'answer' });
    assert.equal(unanswered.status, 'failed');
    assert.ok(unanswered.lines.some((line) => line.kind === 'error' && line.text.includes('no server answers the simulator phone')));

    const requests: LocalRequest[] = [];
    transport.serveLocally(async (request) => {
      requests.push(request);
      return { status: 200, contentType: 'text/xml', body: '<Response><Say>Hello</Say></Response>' };
    });
    const answered = await phone.act(await place(), { type: 'answer' });
    assert.equal(answered.status, 'completed');
    assert.ok(answered.lines.some((line) => line.kind === 'say' && line.text === 'Hello'));
    const answer = requests[0]!;
    assert.equal(answer.method, 'POST');
    assert.equal(answer.url, `/v1/Accounts/${ACCOUNT}/Flows/${FLOW}?sb=tok-a`);
    assert.equal(answer.headers.host, 'switchboard.simulator');
    const params = Object.fromEntries(new URLSearchParams(answer.body));
    assert.equal(answer.headers['x-twilio-signature'], computeSignature(TOKEN, `${SIMULATOR_BASE}${answer.url}`, params));
  });
});
