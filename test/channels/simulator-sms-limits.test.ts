// The simulator and the flow-test message channel answer as Twilio's Messages API does: a body over
// 1,600 characters is refused with 21617 and NumSegments is the real count.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatorChannel } from '../../src/channels/simulator/simulator-channel.ts';
import { MockResponder } from '../../src/flowtest/mocks.ts';
import type { Effect } from '../../src/engine/types.ts';

const ACCOUNT = 'AC' + '1'.repeat(32);
const FLOW = 'FW' + '2'.repeat(32);
const CONTEXT = { accountSid: ACCOUNT, flowSid: FLOW, executionSid: 'FN' + '3'.repeat(32) };

describe('simulator channel: SMS sizing', () => {
  it('refuses a body over 1,600 characters with 21617 and records nothing', async () => {
    const simulator = new SimulatorChannel(() => 1_700_000_000_000);
    const sent = await simulator.sendMessage(CONTEXT as never, { from: '+15550000000', to: '+15551112222', body: 'x'.repeat(1601) });
    assert.equal(sent.ok, false);
    assert.equal(!sent.ok && sent.code, 21617);
    assert.deepEqual(simulator.transcript('+15550000000', '+15551112222'), []);
  });

  it('reports NumSegments for outbound and inbound messages', async () => {
    const simulator = new SimulatorChannel(() => 1_700_000_000_000);
    const send = async (body: string) => {
      const r = await simulator.sendMessage(CONTEXT as never, { from: '+15550000000', to: '+15551112222', body });
      assert.ok(r.ok);
      return r.message.NumSegments;
    };
    assert.equal(await send('hello'), '1');
    assert.equal(await send('x'.repeat(1600)), '11');
    assert.equal(await send('ï'.repeat(71)), '2');
    assert.equal(simulator.inbound(ACCOUNT, FLOW, '+15551112222', '+15550000000', 'a'.repeat(161)).NumSegments, '2');
    await simulator.idle();
  });
});

describe('flow-test message channel: SMS sizing', () => {
  const effect = (body: string): Extract<Effect, { type: 'send-message' }> => ({
    type: 'send-message',
    effectId: 'EF1',
    widget: 'send',
    message: { from: '+15550000000', to: '+15551112222', body },
  });

  it('fails a body over 1,600 characters with 21617, NumSegments counted otherwise', () => {
    let n = 0;
    const responder = new MockResponder([{ messages: [{ widget: 'send' }] }], new Map(), () => `SM${++n}`);
    const long = responder.send(effect('x'.repeat(1601)));
    assert.equal(long.result.kind, 'message-failed');
    assert.equal(long.result.kind === 'message-failed' && long.result.code, 21617);
    const ok = responder.send(effect('€'.repeat(81)));
    assert.equal(ok.result.kind === 'message-sent' && ok.result.message.NumSegments, '2');
  });
});
