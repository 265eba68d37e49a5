// Make Outgoing Call (v2): places a call and waits for it (outgoing-call.ts). Machine detection when
// `detect_answering_machine` is on; the answer leaves by `answered` (AnsweredBy among the outputs), a call
// that never connected by `busy`, `noAnswer` or `failed` from its final status.
// Outputs: AccountSid, AnsweredBy, CallSid, CallStatus, From, To, MachineDetectionDuration.
import { boolProp } from './voice.ts';
import { outgoingCall } from './outgoing-call.ts';

export const makeOutgoingCallV2 = outgoingCall({
  detectMachine: (env) => boolProp(env, 'detect_answering_machine', false),
  answered: () => 'answered',
  ended: (_env, status) => (status === 'busy' ? 'busy' : status === 'no-answer' ? 'noAnswer' : 'failed'),
});
