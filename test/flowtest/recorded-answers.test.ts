// What a replay answers back from a recorded execution (recorded-answers.ts) for the widgets whose
// outcomes come from the call: Make Outgoing Call v1's answer under either of its machine events, and a
// Run ConversationRelay session's action (HandoffData back to the text Twilio sent) or its absence.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { callVerbOf, placedCall, recordedAnswers } from '../../src/flowtest/recorded-answers.ts';
import type { RecordedStep } from '../../src/flowtest/derive.ts';

const step = (type: string, event: string, context: RecordedStep['context']): RecordedStep => ({ from: 'w', event, to: 'Ended', type, context });

describe('recorded answers', () => {
  it('make-outgoing-call-v1: a machine event is an answered call, as v2’s answered is', () => {
    for (const event of ['answeredByMachine', 'answered-by-machine']) {
      assert.deepEqual(placedCall(step('make-outgoing-call-v1', event, { CallSid: 'CA1', AnsweredBy: 'machine_start', CallStatus: 'in-progress' })), {
        answer: 'machine',
        answeredBy: 'machine_start',
        callSid: 'CA1',
        action: { AnsweredBy: 'machine_start' },
      });
    }
    const answers = recordedAnswers([step('make-outgoing-call-v1', 'no-answer', { CallSid: 'CA2', CallStatus: 'no-answer' })]);
    assert.deepEqual(answers.calls.get('w'), [{ answer: 'no-answer', callSid: 'CA2' }]);
  });

  it('run-conversation-relay: the session’s action, HandoffData as text; no session is a hang-up without one', () => {
    const ended = step('run-conversation-relay', 'success', { SessionId: 'VX1', SessionStatus: 'ended', SessionDuration: '9', HandoffData: { reason: 'billing' }, CallSid: 'CA3' });
    assert.deepEqual(callVerbOf(ended), { action: { SessionId: 'VX1', SessionStatus: 'ended', SessionDuration: '9', HandoffData: '{"reason":"billing"}' }, callOver: false });
    assert.deepEqual(callVerbOf(step('run-conversation-relay', 'hangup', { CallStatus: 'completed', CallSid: 'CA3' })), { hangup: true });
    assert.deepEqual(recordedAnswers([ended]).callVerbs.get('w')?.length, 1);
  });
});
