// The simulator channel picks where a send goes as the carrier does (twilio-channel.ts): a CH… `from`,
// else the execution's flow address when it is a conversation; `to` plays no part there. Unit level:
// the flow address comes from the lookup the server wires to the store.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatorChannel, type TranscriptEntry } from '../../src/channels/simulator/simulator-channel.ts';
import { StoreUnavailableError } from '../../src/runtime/ports/store-errors.ts';

const AT = 1_700_000_000_000;
const AC = 'AC' + '1'.repeat(32);
const OTHER = 'AC' + '2'.repeat(32);
const FW = 'FW' + '1'.repeat(32);
const CH = 'CH' + 'a'.repeat(32);
const IS = 'IS' + 'b'.repeat(32);
const context = (executionSid: string, accountSid = AC) => ({ accountSid, flowSid: FW, executionSid });

function channel(addresses: Record<string, string>): SimulatorChannel {
  const simulator = new SimulatorChannel(() => AT);
  simulator.readChannelAddresses(async (sid) => addresses[sid]);
  return simulator;
}

describe('simulator channel: sends of an execution in a conversation', () => {
  it('an execution at a conversation the simulator never saw (a Conversations webhook) posts into it', async () => {
    const simulator = channel({ FN1: CH });
    const sent = await simulator.sendMessage(context('FN1'), { from: 'Bot', to: 'ada', body: 'hello' });
    assert.ok(sent.ok);
    assert.match(String(sent.message.Sid), /^IM/);
    assert.equal(sent.message.ConversationSid, CH);
    assert.equal(sent.message.Author, 'Bot');
    assert.deepEqual(simulator.transcript(CH, 'ada').map((m) => m.body), ['hello']);
    assert.deepEqual(simulator.transcript('Bot', 'ada'), [], 'no SMS from "Bot"');
    const again = await simulator.sendMessage(context('FN1'), { from: 'Bot', to: 'ada', body: 'again' });
    assert.ok(again.ok);
    assert.equal(again.message.Index, 1, 'the same conversation, its next message');
    // A text to it is not routed into it: the simulator knows none of its participants.
    assert.equal(simulator.conversationFor(AC, FW, 'ada', CH), null);
    // Once a contact writes in it (To=CH…), it is that one, its messages counted on; never another account's.
    assert.equal(simulator.openConversation(OTHER, FW, 'eve', CH), null);
    assert.equal(simulator.openConversation(AC, FW, 'ada', CH), CH);
    const third = await simulator.sendMessage(context('FN1'), { from: 'Bot', to: 'ada', body: 'third' });
    assert.ok(third.ok);
    assert.equal(third.message.Index, 2);
    assert.deepEqual(simulator.transcript(CH, 'ada').map((m) => m.body), ['hello', 'again', 'third']);
  });

  it("another account's conversation is not found (20404), and nothing is recorded", async () => {
    const simulator = channel({ FN1: CH, FN2: CH });
    assert.ok((await simulator.sendMessage(context('FN1'), { from: 'Bot', to: 'ada', body: 'mine' })).ok);
    const sent = await simulator.sendMessage(context('FN2', OTHER), { from: 'Bot', to: 'eve', body: 'theirs' });
    assert.deepEqual(sent, { ok: false, code: 20404, message: `The requested resource /Conversations/${CH}/Messages was not found` });
    assert.deepEqual(simulator.transcript(CH, 'eve'), []);
  });

  it('every participant gets it, whoever `to` names; it is announced once', async () => {
    const simulator = channel({});
    const started = await simulator.startConversation(context('FN1'), {
      conversationServiceSid: IS,
      participants: [{ messaging_binding_address: '+15551230001', messaging_binding_proxy_address: '+15005550006' }, { identity: 'agent-7' }],
    });
    assert.ok(started.ok);
    const ch = String(started.conversation.sid);
    const announced: TranscriptEntry[] = [];
    simulator.onMessage((entry) => announced.push(entry));
    const sent = await simulator.sendMessage(context('FN1'), { from: 'Bot', to: '+15557770000', body: 'hi all' });
    assert.ok(sent.ok);
    assert.equal(sent.message.ConversationSid, ch);
    assert.deepEqual(simulator.transcript('+15005550006', '+15551230001').map((m) => [m.from, m.body]), [['+15005550006', 'hi all']]);
    assert.deepEqual(simulator.transcript(ch, '+15551230001').map((m) => m.body), ['hi all']);
    assert.deepEqual(simulator.transcript(ch, 'agent-7').map((m) => m.body), ['hi all']);
    assert.deepEqual(simulator.transcript(ch, '+15557770000'), [], '`to` is not a participant: it gets nothing');
    assert.equal(announced.length, 1);
    // Announced to `to` when `to` is a participant.
    await simulator.sendMessage(context('FN1'), { from: 'Bot', to: 'agent-7', body: 'to the agent' });
    assert.deepEqual([announced[1]!.from, announced[1]!.to], [ch, 'agent-7']);
  });

  it('an SMS execution sends plain messages; a store failure reading the flow address leaves an armed failure armed', async () => {
    const simulator = new SimulatorChannel(() => AT);
    let down = true;
    simulator.readChannelAddresses(async () => {
      if (down) throw new Error('connection refused');
      return '+15005550006';
    });
    simulator.failNext('+15551230001', 'send', AC);
    await assert.rejects(simulator.sendMessage(context('FN1'), { from: '+15005550006', to: '+15551230001', body: 'x' }), StoreUnavailableError);
    down = false;
    const sent = await simulator.sendMessage(context('FN1'), { from: '+15005550006', to: '+15551230001', body: 'x' });
    assert.equal(sent.ok, false, 'the failure armed before the outage still applies');
    const next = await simulator.sendMessage(context('FN1'), { from: '+15005550006', to: '+15551230001', body: 'y' });
    assert.ok(next.ok);
    assert.match(String(next.message.Sid), /^SM/);
    await simulator.idle();
  });
});

describe('simulator channel: the flow address the runtime passes along', () => {
  it('is used as it is, without reading the execution (a read per message otherwise)', async () => {
    const simulator = new SimulatorChannel(() => AT);
    let reads = 0;
    simulator.readChannelAddresses(async () => {
      reads++;
      return undefined;
    });
    const sms = await simulator.sendMessage({ ...context('FN1'), channelAddress: '+15005550006' }, { from: '+15005550006', to: '+15551230001', body: 'sms' });
    assert.ok(sms.ok);
    assert.match(String(sms.message.Sid), /^SM/);
    const chat = await simulator.sendMessage({ ...context('FN2'), channelAddress: CH }, { from: 'Bot', to: 'ada', body: 'chat' });
    assert.ok(chat.ok);
    assert.match(String(chat.message.Sid), /^IM/);
    assert.equal(reads, 0);
    await simulator.sendMessage(context('FN3'), { from: '+15005550006', to: '+15551230001', body: 'unknown address' });
    assert.equal(reads, 1, 'without it, the execution is read');
  });
});
