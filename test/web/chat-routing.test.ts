// The Chat's bookkeeping: where the contact's next text goes once a Start Conversation flow writes to
// them from a conversation's proxy number (as `switchboard simulate` does), how the messages of the
// POST answers and the streams merge, and how a message to another number or from another address is marked.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SimulatorMessage } from '../../web/src/api/types.ts';
import {
  SIMULATOR_FLOW_ADDRESS,
  bubbleText,
  isWebUrl,
  latestConversation,
  mergeMessages,
  messageMarks,
  replyRoute,
  shownExecutionSid,
} from '../../web/src/simulator/chat-routing.ts';
import { SIMULATOR_FLOW_ADDRESS as SERVER_FLOW_ADDRESS } from '../../src/channels/simulator/simulator-channel.ts';

const CONTACT = '+15551230001';
const FLOW = SIMULATOR_FLOW_ADDRESS;
const PROXY = '+15557770000';
const FN = 'FN' + '1'.repeat(32);
let n = 0;
const sid = (prefix: string) => prefix + String(++n).padStart(32, '0');

function message(fields: Partial<SimulatorMessage> & Pick<SimulatorMessage, 'sid' | 'direction' | 'from' | 'to'>): SimulatorMessage {
  return { body: 'x', media_url: [], content_sid: null, attributes: null, status: 'sent', execution_sid: FN, date_created: '2026-11-27T15:21:25Z', sequence: null, ...fields };
}

describe('Chat routing', () => {
  it('knows the address the server texts a flow at when the Chat names none', () => {
    assert.equal(SIMULATOR_FLOW_ADDRESS, SERVER_FLOW_ADDRESS);
  });

  it('a conversation message from the proxy number sends the next text there until its execution ends', () => {
    const messages = [
      message({ sid: sid('SM'), direction: 'inbound', from: CONTACT, to: FLOW }),
      message({ sid: sid('IM'), direction: 'outbound-api', from: PROXY, to: CONTACT, body: 'Which size?' }),
    ];
    const conversation = latestConversation(messages, CONTACT, FLOW);
    assert.deepEqual(conversation, { address: PROXY, executionSid: FN });
    // Before the stream has said anything about the execution, and while it is active.
    assert.deepEqual(replyRoute(conversation, new Map()), conversation);
    assert.deepEqual(replyRoute(conversation, new Map([[FN, { status: 'active' as const }]])), conversation);
    assert.equal(replyRoute(conversation, new Map([[FN, { status: 'ended' as const }]])), null);
  });

  it('a chat participant is written to from the conversation itself', () => {
    const ch = 'CH' + 'a'.repeat(32);
    const messages = [message({ sid: sid('IM'), direction: 'outbound-api', from: ch, to: CONTACT })];
    assert.deepEqual(latestConversation(messages, CONTACT, FLOW), { address: ch, executionSid: FN });
  });

  it('no conversation: plain texts from another number, messages to someone else, a Conversations Trigger at the flow address', () => {
    const messages = [
      // A Send Message with its own From: an SMS, not a conversation; replies still go to the flow.
      message({ sid: sid('SM'), direction: 'outbound-api', from: '+15550009999', to: CONTACT }),
      message({ sid: sid('IM'), direction: 'outbound-api', from: PROXY, to: '+15559998888' }),
      // A flow triggered by Incoming Conversation Message: the conversation's proxy is the flow's address.
      message({ sid: sid('IM'), direction: 'outbound-api', from: FLOW, to: CONTACT }),
      message({ sid: sid('IM'), direction: 'inbound', from: CONTACT, to: PROXY }),
      message({ sid: sid('IM'), direction: 'outbound-api', from: PROXY, to: CONTACT, execution_sid: null }),
    ];
    assert.equal(latestConversation(messages, CONTACT, FLOW), null);
    assert.equal(replyRoute(null, new Map()), null);
  });

  it('the latest conversation counts', () => {
    const other = '+15557771111';
    const messages = [
      message({ sid: sid('IM'), direction: 'outbound-api', from: PROXY, to: CONTACT }),
      message({ sid: sid('IM'), direction: 'outbound-api', from: other, to: CONTACT, execution_sid: 'FN' + '2'.repeat(32) }),
    ];
    assert.deepEqual(latestConversation(messages, CONTACT, FLOW), { address: other, executionSid: 'FN' + '2'.repeat(32) });
  });

  it('merges the sources once per SID, the latest copy, oldest first', () => {
    const a = message({ sid: sid('SM'), direction: 'inbound', from: CONTACT, to: FLOW, date_created: '2026-11-27T15:21:25Z' });
    const b = message({ sid: sid('IM'), direction: 'outbound-api', from: PROXY, to: CONTACT, status: 'sent', date_created: '2026-11-27T15:21:25Z' });
    const c = message({ sid: sid('SM'), direction: 'outbound-api', from: FLOW, to: CONTACT, date_created: '2026-11-27T15:21:20Z' });
    const merged = mergeMessages([a, b], [{ ...b, status: 'delivered' }, c]);
    assert.deepEqual(
      merged.map((m) => [m.sid, m.status]),
      [
        [c.sid, 'sent'],
        [a.sid, 'sent'],
        [b.sid, 'delivered'],
      ],
    );
  });

  it("orders messages of one second by the simulator's sequence, not by which answer or list brought them", () => {
    // The flow wrote to another number, then replied: the POST answer lists the reply (messages) before
    // the other number's (other_messages), and all three have the same whole-second date.
    const text = message({ sid: sid('SM'), direction: 'inbound', from: CONTACT, to: FLOW, sequence: 7 });
    const elsewhere = message({ sid: sid('SM'), direction: 'outbound-api', from: FLOW, to: '+15559998888', sequence: 8 });
    const reply = message({ sid: sid('SM'), direction: 'outbound-api', from: FLOW, to: CONTACT, sequence: 9 });
    assert.deepEqual(mergeMessages([text, reply], [elsewhere]).map((m) => m.sid), [text.sid, elsewhere.sid, reply.sid]);
    // An earlier second still goes first, whatever its sequence (a restarted server counts again from 1).
    const later = message({ sid: sid('SM'), direction: 'inbound', from: CONTACT, to: FLOW, sequence: 1, date_created: '2026-11-27T15:21:26Z' });
    assert.deepEqual(mergeMessages([later, reply, text]).map((m) => m.sid), [text.sid, reply.sid, later.sid]);
  });

  it('marks the recipient of a message to another number and the sender of one from another address', () => {
    assert.deepEqual(messageMarks({ direction: 'outbound-api', from: FLOW, to: '+15559998888' }, CONTACT, FLOW), { to: '+15559998888' });
    assert.deepEqual(messageMarks({ direction: 'outbound-api', from: PROXY, to: CONTACT }, CONTACT, FLOW), { from: PROXY });
    assert.deepEqual(messageMarks({ direction: 'outbound-api', from: FLOW, to: CONTACT }, CONTACT, FLOW), {});
    assert.deepEqual(messageMarks({ direction: 'inbound', from: CONTACT, to: PROXY }, CONTACT, FLOW), { to: PROXY });
    assert.deepEqual(messageMarks({ direction: 'inbound', from: CONTACT, to: FLOW }, CONTACT, FLOW), {});
  });

  it("says a message sent with a Content template and no body is the template's, not empty", () => {
    const hx = 'HX' + 'b'.repeat(32);
    assert.deepEqual(bubbleText({ body: '', media_url: [], content_sid: hx }), { kind: 'template', text: hx });
    assert.deepEqual(bubbleText({ body: 'Hi', media_url: [], content_sid: hx }), { kind: 'body', text: 'Hi' });
    assert.deepEqual(bubbleText({ body: '', media_url: [], content_sid: null }), { kind: 'empty', text: '' });
    assert.equal(bubbleText({ body: '', media_url: ['https://example.com/a.png'], content_sid: null }), null);
  });

  it("shows the latest messages' execution; without messages (a server restart), the contact's newest one the stream reports", () => {
    const older = 'FN' + '2'.repeat(32);
    const newer = 'FN' + '3'.repeat(32);
    const someoneElse = 'FN' + '4'.repeat(32);
    const streamed = new Map([
      [older, { sid: older, contact_channel_address: CONTACT, date_created: '2026-11-27T15:00:00Z' }],
      [newer, { sid: newer, contact_channel_address: CONTACT, date_created: '2026-11-27T15:05:00Z' }],
      [someoneElse, { sid: someoneElse, contact_channel_address: '+15550001111', date_created: '2026-11-27T15:09:00Z' }],
    ]);
    const messages = [
      message({ sid: sid('SM'), direction: 'inbound', from: CONTACT, to: FLOW, execution_sid: null }),
      message({ sid: sid('SM'), direction: 'outbound-api', from: FLOW, to: CONTACT }),
      message({ sid: sid('SM'), direction: 'inbound', from: CONTACT, to: FLOW, execution_sid: null }),
    ];
    assert.equal(shownExecutionSid(messages, streamed, CONTACT), FN, 'the messages name it');
    assert.equal(shownExecutionSid([], streamed, CONTACT), newer);
    assert.equal(shownExecutionSid([], streamed, '+15559990000'), null);
    assert.equal(shownExecutionSid([], new Map(), CONTACT), null);
  });

  it('links only web media URLs', () => {
    assert.equal(isWebUrl('https://example.com/a.png'), true);
    assert.equal(isWebUrl('HTTP://example.com/a.png'), true);
    assert.equal(isWebUrl('javascript:alert(1)'), false);
    assert.equal(isWebUrl('ME123'), false);
  });
});
