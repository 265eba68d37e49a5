// What the console's Phone panel knows about a simulator call (GET /simulator/calls/CA…), without
// React: what the call waits for and which caller actions fit it, the outcomes the simulator API
// takes for the verbs the caller cannot answer by voice (Dial, Enqueue, Pay, Connect VirtualAgent,
// Connect ConversationRelay, an outbound call ringing), the call remembered per flow for the browser tab (sessionStorage), and
// whether a flow's Trigger takes calls at all.
import type { FlowDefinition } from '../api/types.ts';

export interface SimulatorCall {
  sid: string;
  flow_sid: string;
  execution_sid: string | null;
  from: string;
  to: string;
  /** inbound: the panel called the flow; outbound-api: the flow placed it (make-outgoing-call-v2). */
  direction?: string;
  status: string;
  /**
   * What the call waits for; a wait has an `id` (sent back as WaitId, so an action the call moved on
   * from is refused) and, a Gather or Record, `timeout` (seconds) and `timesOutIn` (milliseconds left
   * when the server answered; null: it waits for Stay silent).
   */
  waiting_for: ({ kind: string } & Record<string, unknown>) | null;
  /** Whether the call's Gathers and Records time out by themselves (false: they wait for Stay silent). */
  timeouts?: boolean;
  transcript: { at: string; who: 'flow' | 'caller' | 'network'; kind: string; text: string }[];
}

export type Waiting = SimulatorCall['waiting_for'];

export const ENDED = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);

export function callEnded(call: Pick<SimulatorCall, 'status'>): boolean {
  return ENDED.has(call.status);
}

function inputs(waiting: Waiting): string[] {
  return waiting?.kind === 'input' && Array.isArray(waiting.input) ? (waiting.input as string[]) : [];
}

/** Keys reach a Gather that takes DTMF, and end a recording (its finish key). */
export function takesKeys(waiting: Waiting): boolean {
  return waiting?.kind === 'record' || inputs(waiting).includes('dtmf');
}

/** Speech reaches a Gather that listens for speech. */
export function takesSpeech(waiting: Waiting): boolean {
  return inputs(waiting).includes('speech');
}

/** Saying nothing answers a Gather (its timeout) or a Record (no audio). */
export function takesSilence(waiting: Waiting): boolean {
  return waiting?.kind === 'input' || waiting?.kind === 'record';
}

export function waitingText(waiting: Waiting): string {
  if (!waiting) return '';
  switch (waiting.kind) {
    case 'input':
      return `The flow is listening for ${inputs(waiting).join(' or ') || 'input'}.`;
    case 'record':
      return 'The flow is recording.';
    case 'answer':
      return 'The phone is ringing: answer or reject the call.';
    case 'hold':
      return 'On hold.';
    case 'dial': {
      // The phone names each target by its noun: number:+1555…, client:alice, conference:room-1.
      const to = Array.isArray(waiting.to) ? (waiting.to as string[]).map((t) => (t.startsWith('number:') ? t.slice('number:'.length) : t.replace(':', ' '))).join(', ') : '';
      return `The flow is connecting the call${to ? ` to ${to}` : ''}: say how that call ends.`;
    }
    case 'queue':
      return `The call waits in the queue${typeof waiting.queue === 'string' && waiting.queue ? ` ${waiting.queue}` : ''}: say how it leaves.`;
    case 'payment':
      return 'The flow is taking a payment: say how it ends.';
    case 'virtual-agent':
      return `The call is with a virtual agent${typeof waiting.connector === 'string' && waiting.connector ? ` (${waiting.connector})` : ''}: say how the session ends.`;
    case 'conversation-relay':
      return `The call is with the ConversationRelay app${typeof waiting.url === 'string' && waiting.url ? ` at ${waiting.url}` : ''}: say how the relay session ends.`;
    default:
      return `Waiting for ${waiting.kind}.`;
  }
}

/** The id of the wait an action answers (WaitId), when the server gave one. */
export function waitIdOf(waiting: Waiting): string | null {
  return typeof waiting?.id === 'number' ? String(waiting.id) : null;
}

/** When the wait times out by the browser's clock (the server's milliseconds left, from when it answered); null: it does not. */
export function timeoutDeadline(waiting: Waiting, answeredAt: number): number | null {
  return typeof waiting?.timesOutIn === 'number' ? answeredAt + waiting.timesOutIn : null;
}

/**
 * What the panel says of a Gather's or Record's timeout: the seconds left before it moves on without
 * the caller, as a phone does, or that it waits for Stay silent (timeouts off). Empty for other waits.
 */
export function timeoutText(waiting: Waiting, secondsLeft: number | null): string {
  if (!takesSilence(waiting)) return '';
  const gather = waiting?.kind === 'input';
  if (secondsLeft === null) return `Timeouts are off: the ${gather ? 'Gather' : 'recording'} waits until you stay silent.`;
  if (secondsLeft <= 0) return gather ? 'No input: the Gather is timing out…' : 'No audio: the recording is ending…';
  return gather ? `No input in ${secondsLeft} s and the Gather times out.` : `No audio in ${secondsLeft} s and the recording ends with nothing recorded.`;
}

export interface Choice {
  value: string;
  label: string;
}

/** A form that answers what the call waits for: POST /simulator/calls/CA…/{action} with `field` chosen. */
export interface OutcomeSpec {
  action: 'Dial' | 'Queue' | 'Payment' | 'VirtualAgent' | 'ConversationRelay';
  /** The form's accessible name. */
  title: string;
  field: string;
  fieldLabel: string;
  choices: Choice[];
  /** A number of seconds sent along (Dial's Duration, Queue's QueueTime), with when it applies. */
  seconds?: { field: string; label: string; what: string; initial: string; appliesTo?: string[] };
  /** Text sent along when given (a relay session's HandoffData), with its hint. */
  text?: { field: string; label: string; placeholder: string };
  submit: string;
}

/** The outcomes the simulator API takes (src/api/routes/simulator-calls.ts) and the widget events they lead to. */
export const OUTCOMES: Record<string, OutcomeSpec> = {
  dial: {
    action: 'Dial',
    title: 'Connected call',
    field: 'Status',
    fieldLabel: 'The dialled call',
    choices: [
      { value: 'completed', label: 'is answered (completed)' },
      { value: 'busy', label: 'is busy' },
      { value: 'no-answer', label: 'is not answered (no-answer)' },
      { value: 'failed', label: 'fails' },
      { value: 'canceled', label: 'is canceled' },
    ],
    seconds: { field: 'Duration', label: 'Talk time (s)', what: 'The talk time', initial: '30', appliesTo: ['completed'] },
    submit: 'End the connected call',
  },
  queue: {
    action: 'Queue',
    title: 'Queue',
    field: 'QueueResult',
    fieldLabel: 'The call',
    choices: [
      { value: 'bridged', label: 'reaches an agent (bridged)' },
      { value: 'leave', label: 'leaves the queue (leave)' },
      { value: 'redirected', label: 'is redirected' },
      { value: 'queue-full', label: 'finds the queue full' },
      { value: 'error', label: 'fails (error)' },
      { value: 'system-error', label: 'fails (system-error)' },
      { value: 'hangup', label: 'hangs up in the queue' },
    ],
    seconds: { field: 'QueueTime', label: 'Time in queue (s)', what: 'The time in queue', initial: '10' },
    submit: 'Leave the queue',
  },
  payment: {
    action: 'Payment',
    title: 'Payment',
    field: 'Result',
    fieldLabel: 'The payment',
    choices: [
      { value: 'success', label: 'succeeds (success)' },
      { value: 'too-many-failed-attempts', label: 'fails too often (too-many-failed-attempts)' },
      { value: 'payment-connector-error', label: 'has a connector error' },
      { value: 'caller-interrupted-with-star', label: 'is interrupted with * by the caller' },
      { value: 'validation-error', label: 'has a validation error' },
      { value: 'caller-hung-up', label: 'ends with the caller hanging up' },
    ],
    submit: 'End the payment',
  },
  'virtual-agent': {
    action: 'VirtualAgent',
    title: 'Virtual agent',
    field: 'VirtualAgentStatus',
    fieldLabel: 'The session',
    choices: [
      { value: 'completed', label: 'is completed' },
      { value: 'live-agent-handoff', label: 'hands off to a live agent' },
      { value: 'paused', label: 'is paused' },
      { value: 'failed', label: 'fails' },
    ],
    submit: 'End the agent session',
  },
  'conversation-relay': {
    action: 'ConversationRelay',
    title: 'ConversationRelay',
    field: 'SessionStatus',
    fieldLabel: 'The relay session',
    choices: [
      { value: 'completed', label: 'is completed' },
      { value: 'ended', label: 'is ended by the app (ended)' },
      { value: 'failed', label: 'fails' },
    ],
    text: { field: 'HandoffData', label: 'Handoff data (optional)', placeholder: '{"reason": "billing"}' },
    submit: 'End the relay session',
  },
};

/** How the callee of a call the flow places picks up (AnsweredBy matters with machine detection on). */
export const ANSWERED_BY: Choice[] = [
  { value: 'human', label: 'a person' },
  { value: 'machine_start', label: 'an answering machine' },
  { value: 'machine_end_beep', label: 'an answering machine, after the beep' },
  { value: 'fax', label: 'a fax' },
  { value: 'unknown', label: 'unknown' },
];

/** How the callee of a call the flow places does not pick up (Reject's Status). */
export const REJECTED_AS: Choice[] = [
  { value: 'busy', label: 'busy' },
  { value: 'no-answer', label: 'no answer' },
  { value: 'failed', label: 'failed' },
  { value: 'canceled', label: 'canceled' },
];

/** A call placed by the flow that rings and waits to be answered, the newest first. */
export function ringingCall(calls: SimulatorCall[]): SimulatorCall | null {
  const ringing = calls.filter((c) => c.direction === 'outbound-api' && !callEnded(c) && c.waiting_for?.kind === 'answer');
  return ringing.at(-1) ?? null;
}

// ---- The call remembered per flow for the browser tab, so leaving the page (or reloading) keeps it.

export interface StoredCall {
  sid: string;
  execution_sid: string | null;
  /** The call was still going when last seen: its loss is news; an ended one's is not. */
  live: boolean;
}

export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

function storageKey(flowSid: string): string {
  return `switchboard.simulator.call.${flowSid}`;
}

export function readStoredCall(storage: KeyValueStorage, flowSid: string): StoredCall | null {
  try {
    const parsed = JSON.parse(storage.getItem(storageKey(flowSid)) ?? 'null') as Partial<StoredCall> | null;
    if (!parsed || typeof parsed.sid !== 'string' || !/^CA[0-9a-f]{32}$/.test(parsed.sid)) return null;
    return { sid: parsed.sid, execution_sid: typeof parsed.execution_sid === 'string' ? parsed.execution_sid : null, live: parsed.live === true };
  } catch {
    return null;
  }
}

export function storeCall(storage: KeyValueStorage, flowSid: string, call: SimulatorCall | null, lost = false): void {
  try {
    if (!call || lost) storage.removeItem(storageKey(flowSid));
    else storage.setItem(storageKey(flowSid), JSON.stringify({ sid: call.sid, execution_sid: call.execution_sid, live: !callEnded(call) } satisfies StoredCall));
  } catch {
    // Storage full or refused (private mode): the call is simply not remembered across reloads.
  }
}

/** What stands for a remembered call the server no longer knows: its SID and execution, no transcript. */
export function lostCallStub(stored: StoredCall, flowSid: string): SimulatorCall {
  return { sid: stored.sid, flow_sid: flowSid, execution_sid: stored.execution_sid, from: '', to: '', status: 'in-progress', waiting_for: null, transcript: [] };
}

export const LOST_CALL_NOTICE =
  'The server no longer knows this call (it was restarted, or the call was removed): the call is over for this phone. A restarted server tells its execution the call ended, as a hang-up (its steps below); one still waiting can be ended from its page. Call again to start over.';

// ---- A Trigger that takes no calls: the call runs and ends at once, as on Twilio.

/** Whether the Trigger of `definition` leads Incoming Call to a widget (null: no Trigger to tell). */
export function triggerTakesCalls(definition: FlowDefinition | null | undefined): boolean | null {
  const trigger = definition?.states?.find((state) => state.name === definition.initial_state);
  if (!trigger || !Array.isArray(trigger.transitions)) return null;
  return trigger.transitions.some((t) => t?.event === 'incomingCall' && !!t.next);
}

export const UNWIRED_CALL_NOTICE =
  "The flow's Trigger does not handle incoming calls: Incoming Call leads to no widget, so the execution ended at once and the flow hung up. Connect Incoming Call to start the flow from a call.";
