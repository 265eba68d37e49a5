// Make Outgoing Call v1 (legacy; props from, to, record, timeout): places the call as v2 does
// (outgoing-call.ts), and leaves by v1's events. Their names are UNCONFIRMED (reference §2.7, §9): the docs'
// `answered-by-machine` and `no-answer`, a secondary source's `answeredByMachine`, `noAnswer` and `hangup`.
// Every spelling is accepted; the flow's transitions decide which one the widget leaves by (listedEvent).
// - answered, or answeredByMachine when AnsweredBy says a machine or fax took the call and the flow has
//   that event. Machine detection (`MachineDetection=Enable`) is asked for when the flow has it, since v1's
//   documented properties have no setting for it (or when an export sets v2's `detect_answering_machine`).
// - busy; noAnswer (rang its whole `timeout`); hangup, when the flow has it, for a call that ended without
//   its answer reaching the flow (`completed` or `canceled`); failed otherwise (and when the Calls API refuses).
import type { JsonObject } from '../types.ts';
import { boolProp } from './voice.ts';
import { outgoingCall } from './outgoing-call.ts';
import { listedEvent, type WidgetEnv } from './widget.ts';

const MACHINE = ['answeredByMachine', 'answered-by-machine'] as const;
const NO_ANSWER = ['noAnswer', 'no-answer'] as const;

/** AnsweredBy values (§2.7) that are not a person: machine_start, machine_end_*, fax. */
function byMachine(params: JsonObject): boolean {
  const by = params.AnsweredBy;
  return typeof by === 'string' && (by.startsWith('machine') || by === 'fax');
}

export const makeOutgoingCallV1 = outgoingCall({
  detectMachine: (env: WidgetEnv) => boolProp(env, 'detect_answering_machine', false) || listedEvent(env, MACHINE) !== undefined,
  answered: (env, params) => (byMachine(params) ? listedEvent(env, MACHINE) : undefined) ?? 'answered',
  ended(env, status) {
    if (status === 'busy') return 'busy';
    if (status === 'no-answer') return listedEvent(env, NO_ANSWER) ?? 'noAnswer';
    if (status === 'completed' || status === 'canceled') return listedEvent(env, ['hangup']) ?? 'failed';
    return 'failed';
  },
});
