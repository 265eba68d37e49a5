// Where an execution stands on its page (web/src/executions/waiting.ts): the widget an active one
// waits at, what for and until when its timer runs; how an ended one ended, as the server's end reason
// says (manual, expired, an error) or, without it, as its steps and alerts tell. And the way back to
// the list it was opened from (list-link.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { endedHow, endedSentence, endedWords, waitingAt, type WaitStep } from '../../web/src/executions/waiting.ts';
import { executionHref, executionsListHref, listSearch } from '../../web/src/executions/list-link.ts';
import type { FlowDefinition } from '../../web/src/api/types.ts';

const T0 = '2026-03-01T10:00:00.000Z';
let n = 0;
const step = (from: string, to: string, parent: string | null = null, date = T0): WaitStep & { transitioned_from: string } => ({
  sid: `FT${++n}`,
  parent_step_sid: parent,
  transitioned_from: from,
  transitioned_to: to,
  date_created: date,
});

const DEFINITION = {
  initial_state: 'Trigger',
  states: [
    { name: 'Trigger', type: 'trigger', properties: {}, transitions: [] },
    { name: 'ask', type: 'send-and-wait-for-reply', properties: { timeout: '600' }, transitions: [] },
    { name: 'ask_liquid', type: 'send-and-wait-for-reply', properties: { timeout: '{{flow.variables.t}}' }, transitions: [] },
    { name: 'menu', type: 'gather-input-on-call', properties: {}, transitions: [] },
    { name: 'handoff', type: 'add-twiml-redirect', properties: {}, transitions: [] },
    { name: 'fetch', type: 'make-http-request', properties: {}, transitions: [] },
    { name: 'child', type: 'run-subflow', properties: {}, transitions: [] },
    { name: 'vars', type: 'set-variables', properties: {}, transitions: [] },
    { name: 'va_chat', type: 'connect-virtual-agent-v2', properties: { channel: ' Conversations ', timeout: '300' }, transitions: [] },
    { name: 'va_call', type: 'connect-virtual-agent-v2', properties: { channel: 'voice' }, transitions: [] },
  ],
} as unknown as FlowDefinition;

describe('where an active execution waits', () => {
  it('names the widget its last step went to, what it waits for, and when its reply timer runs out', () => {
    const w = waitingAt([step('Trigger', 'vars'), step('vars', 'ask', null, '2026-03-01T10:00:05.000Z')], DEFINITION)!;
    assert.equal(w.widget, 'ask');
    assert.equal(w.what, 'a reply');
    assert.equal(w.until?.toISOString(), '2026-03-01T10:10:05.000Z');
    assert.deepEqual(w.subflowPath, []);
  });

  it('says what call, HTTP and redirect widgets wait for; a timeout written in Liquid has no time', () => {
    assert.equal(waitingAt([step('Trigger', 'menu')], DEFINITION)!.what, 'call input (keys or speech)');
    assert.equal(waitingAt([step('Trigger', 'fetch')], DEFINITION)!.what, 'the HTTP response');
    const redirect = waitingAt([step('Trigger', 'handoff')], DEFINITION)!;
    assert.equal(redirect.until?.toISOString(), '2026-03-01T14:00:00.000Z'); // TwiML Redirect's default 14,400 s
    const liquid = waitingAt([step('Trigger', 'ask_liquid')], DEFINITION)!;
    assert.equal(liquid.what, 'a reply');
    assert.equal(liquid.until, null);
    // A widget this page knows no wait of, or one the definition does not have.
    assert.equal(waitingAt([step('Trigger', 'vars')], DEFINITION)!.what, null);
    assert.equal(waitingAt([step('Trigger', 'gone')], DEFINITION)!.what, null);
    assert.equal(waitingAt([step('Trigger', 'ask')], null)!.widget, 'ask');
  });

  it("names a subflow's widget and the Run Subflow widget it runs under, while the subflow waits", () => {
    const enter = step('Trigger', 'child');
    const w = waitingAt([enter, step('Trigger', 'set', enter.sid), step('set', 'sub_ask', enter.sid)], DEFINITION)!;
    assert.equal(w.widget, 'sub_ask');
    assert.deepEqual(w.subflowPath, ['child']);
    assert.equal(w.what, null, "the subflow's definition is not the page's");
    // Once the subflow is over and the flow has moved on, it waits in the flow again.
    const after = waitingAt([enter, step('Trigger', 'sub_ask', enter.sid), step('sub_ask', 'Ended', enter.sid), step('child', 'ask')], DEFINITION)!;
    assert.equal(after.widget, 'ask');
    assert.deepEqual(after.subflowPath, []);
  });

  it('tells a virtual agent that has the conversation (channel conversations) from one on a call', () => {
    const chat = waitingAt([step('Trigger', 'va_chat')], DEFINITION)!;
    assert.equal(chat.what, 'the virtual agent to end its session in the conversation');
    assert.equal(chat.agentInConversation, true);
    assert.equal(chat.until, null, "the contact's messages restart its timeout");
    const call = waitingAt([step('Trigger', 'va_call')], DEFINITION)!;
    assert.equal(call.what, 'the virtual agent to hand the call back');
    assert.equal(call.agentInConversation, undefined);
  });

  it('says nothing without steps', () => {
    assert.equal(waitingAt([], DEFINITION), null);
  });
});

describe('how an ended execution ended', () => {
  const sms = { trigger: { message: { Body: 'hi' } } };
  it('ran to the end of the flow when its last step went to Ended', () => {
    assert.deepEqual(endedHow([step('Trigger', 'ask'), step('ask', 'Ended')], [], sms), { kind: 'completed' });
  });

  it('was ended from outside the flow when it stopped while waiting, with no alert to explain it', () => {
    assert.deepEqual(endedHow([step('Trigger', 'ask')], [], sms), { kind: 'outside', widget: 'ask', call: false });
    assert.deepEqual(endedHow([step('Trigger', 'menu')], [], { trigger: { call: { CallSid: 'CA1' } } }), { kind: 'outside', widget: 'menu', call: true });
    // Ended while a subflow waited: the flow's own last step is the Run Subflow widget's.
    const enter = step('Trigger', 'child');
    assert.deepEqual(endedHow([enter, step('Trigger', 'sub_ask', enter.sid)], [], sms), { kind: 'outside', widget: 'child', call: false });
    // An alert that is no end (81002, an event ignored) changes nothing.
    assert.equal(endedHow([step('Trigger', 'ask')], [{ level: 'warning', code: '81002' }], sms)?.kind, 'outside');
  });

  it('leaves the explaining to the alerts when there are errors or a step limit', () => {
    assert.deepEqual(endedHow([step('Trigger', 'ask')], [{ level: 'warning', code: '81001' }], sms), { kind: 'alerts' });
    assert.deepEqual(endedHow([step('Trigger', 'fetch')], [{ level: 'error', code: '81010' }], sms), { kind: 'alerts' });
    assert.equal(endedHow([], [], sms), null);
  });

  it("says what the server's end reason says: manual and expired ends told apart, errors with their code", () => {
    const waiting = [step('Trigger', 'ask')];
    assert.deepEqual(endedHow(waiting, [], sms, { kind: 'manual' }), { kind: 'manual' });
    assert.deepEqual(endedHow(waiting, [], sms, { kind: 'expired' }), { kind: 'expired' });
    // The server's word needs neither the alerts read nor a step.
    assert.deepEqual(endedHow(waiting, null, sms, { kind: 'expired' }), { kind: 'expired' });
    assert.deepEqual(endedHow([], null, sms, { kind: 'manual' }), { kind: 'manual' });
    const loop = { kind: 'error' as const, code: 81001, message: "Widget 'w' ran more than 10 times in a row" };
    assert.deepEqual(endedHow(waiting, [{ level: 'warning', code: '81001' }], sms, loop), loop);
    assert.deepEqual(endedHow([...waiting, step('ask', 'Ended')], [], sms, { kind: 'completed' }), { kind: 'completed' });
    // A call's end ends an execution at a voice widget without a step to Ended.
    assert.deepEqual(endedHow([step('Trigger', 'menu')], [], { trigger: { call: { CallSid: 'CA1' } } }, { kind: 'completed' }), { kind: 'call-ended', widget: 'menu' });
    // Without the server's word, the alerts are waited for.
    assert.equal(endedHow(waiting, null, sms, null), null);
  });

  it('words the header for each end', () => {
    assert.equal(endedSentence({ kind: 'manual' }), 'Ended manually');
    assert.equal(endedSentence({ kind: 'expired' }), 'Ended: reached the maximum execution age');
    assert.equal(endedSentence({ kind: 'completed' }), 'Ran to the end of the flow.');
    assert.equal(endedSentence({ kind: 'error', code: 81000, message: 'Execution has exceeded max steps (1000)' }), 'Ended by error 81000: Execution has exceeded max steps (1000)');
    assert.equal(endedSentence({ kind: 'error', code: null, message: 'boom' }), 'Ended by an error: boom');
    assert.equal(endedSentence({ kind: 'error', code: null, message: null }), 'Ended by an error');
    assert.equal(endedSentence({ kind: 'outside', widget: 'ask', call: false }), null, 'that one names its widget');
  });
});

describe("the executions list's words for how each ended", () => {
  it('tells a run to the end, a manual end, the maximum age and an error (with its code) apart, each with its page sentence', () => {
    assert.deepEqual(endedWords({ kind: 'completed' }), { short: 'completed', full: 'Ran to the end of the flow.' });
    assert.deepEqual(endedWords({ kind: 'manual' }), { short: 'ended manually', full: 'Ended manually' });
    assert.deepEqual(endedWords({ kind: 'expired' }), { short: 'expired (maximum age)', full: 'Ended: reached the maximum execution age' });
    assert.deepEqual(endedWords({ kind: 'error', code: 81024, message: "Widget 'x' does not exist in the flow definition" }), {
      short: 'error 81024',
      full: "Ended by error 81024: Widget 'x' does not exist in the flow definition",
    });
    assert.deepEqual(endedWords({ kind: 'error', code: null, message: null }), { short: 'error', full: 'Ended by an error' });
  });

  it('says nothing when the server does not say', () => {
    assert.equal(endedWords(null), null);
  });
});

describe('the way back to the executions list', () => {
  it("keeps the list's filters and page, and nothing else", () => {
    const list = '?status=active&page=2&token=PA12&from=2026-03-01T10%3A00&other=x';
    assert.equal(listSearch(list), '?status=active&from=2026-03-01T10%3A00&page=2&token=PA12');
    assert.equal(executionHref('FW1', 'FN1', list), '/flows/FW1/executions/FN1?status=active&from=2026-03-01T10%3A00&page=2&token=PA12');
    assert.equal(executionsListHref('FW1', '?status=ended&page=3&token=PA9'), '/flows/FW1/executions?status=ended&page=3&token=PA9');
    assert.equal(executionsListHref('FW1', ''), '/flows/FW1/executions');
  });
});
