// Where an execution stands, read from what the execution page has (its steps, the definition it
// ran, its Monitor alerts): the widget an active one waits at and for what, and whether an ended
// one was stopped from outside the flow. Pure; test/web/waiting.test.ts.
import { replyTimeoutSeconds } from '../../../src/definition/reply-timeout.ts';
import type { FlowDefinition, State } from '../api/types.ts';
import { stepTree, type StepNode, type TreeStep } from './step-tree.ts';

export interface WaitStep extends TreeStep {
  date_created: string;
}

export interface Waiting {
  widget: string;
  /** Set when the widget is a subflow's: the Run Subflow widgets of this flow (and nested ones) it runs under. */
  subflowPath: string[];
  /** What it waits for ("a reply"), null when the widget is not one this page can tell about. */
  what: string | null;
  /** When its own timer leaves by `timeout` (about: the step's time plus the widget's literal timeout). */
  until: Date | null;
}

/** What a widget parked on waits for, by type (src/engine/widgets). */
const WAITS_FOR: Partial<Record<State['type'], string>> = {
  'send-and-wait-for-reply': 'a reply',
  'gather-input-on-call': 'call input (keys or speech)',
  'say-play': 'the call to play its message',
  'record-voicemail': 'the caller to record',
  'record-call': 'the call to record',
  'connect-call-to': 'the connected call to end',
  'make-outgoing-call-v1': 'the outgoing call to be answered',
  'make-outgoing-call-v2': 'the outgoing call to be answered',
  'enqueue-call': 'the caller to leave the queue',
  'send-to-flex': 'Flex to take the task',
  'capture-payments': 'the caller to pay',
  'fork-stream': 'the call',
  'connect-virtual-agent': 'the virtual agent to hand the call back',
  'connect-virtual-agent-v2': 'the virtual agent to hand the call back',
  'run-conversation-relay': 'Conversation Relay to hand the call back',
  'add-twiml-redirect': 'the call or message to come back',
  'make-http-request': 'the HTTP response',
  'run-function': 'the Function to answer',
  'send-message': 'the message to be sent',
  'start-conversation': 'the conversation to be created',
  'run-subflow': 'the subflow',
  'run-model-inference': 'the model to answer',
};

/** A widget's own timer (TwiML Redirect's default is 14,400 s), when its `timeout` is a literal number. */
function timerSeconds(state: State): number | null {
  const raw = state.properties.timeout;
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  if (state.type === 'send-and-wait-for-reply') return replyTimeoutSeconds(text);
  if (state.type === 'add-twiml-redirect') {
    if (text === '') return 14400;
    return /^\d+$/.test(text) && Number(text) > 0 && Number(text) <= 14400 ? Number(text) : null;
  }
  return null;
}

function last<S extends TreeStep>(nodes: StepNode<S>[]): StepNode<S> | undefined {
  return nodes[nodes.length - 1];
}

/**
 * Where an active execution waits: the widget its last step went to (its own flow's, or, while a
 * subflow runs, the subflow's), what for, and until when its timer runs. Null without steps.
 */
export function waitingAt(steps: readonly WaitStep[], definition: FlowDefinition | null): Waiting | null {
  let node = last(stepTree(steps));
  if (!node) return null;
  const subflowPath: string[] = [];
  // The subflow a Run Subflow widget runs has steps of its own, under the step that entered it.
  while (node.subflow.length > 0) {
    subflowPath.push(node.step.transitioned_to);
    node = last(node.subflow)!;
  }
  const widget = node.step.transitioned_to;
  // A subflow's definition is not the one this page has.
  const state = subflowPath.length === 0 ? definition?.states.find((s) => s.name === widget) : undefined;
  const seconds = state ? timerSeconds(state) : null;
  const started = Date.parse(node.step.date_created);
  return {
    widget,
    subflowPath,
    what: state ? (WAITS_FOR[state.type] ?? null) : null,
    until: seconds !== null && !Number.isNaN(started) ? new Date(started + seconds * 1000) : null,
  };
}

/** Step limits (Studio logs them as warnings) and errors: ends the flow itself reports. */
const ENDING_WARNINGS = new Set(['81000', '81001', '84000']);

export type EndedHow =
  /** The flow ran to its end (its last step went to Ended). */
  | { kind: 'completed' }
  /** Stopped while waiting at `widget` by nothing in the flow: the End button or API, its maximum age, or (a call) a hang-up. */
  | { kind: 'outside'; widget: string; call: boolean }
  /** It stopped with alerts that may say why (see the alerts list). */
  | { kind: 'alerts' };

/**
 * How an ended execution ended, as far as its steps and alerts tell. The API does not say who ended it:
 * an end while waiting that the flow did not take (no step to Ended, no alert) came from outside it.
 */
export function endedHow(
  steps: readonly WaitStep[],
  alerts: readonly { level: string; code: string }[],
  context: Record<string, unknown>,
): EndedHow | null {
  const own = steps.filter((step) => !step.parent_step_sid);
  const final = own[own.length - 1];
  if (!final) return null;
  if (final.transitioned_to === 'Ended') return { kind: 'completed' };
  if (alerts.some((alert) => alert.level === 'error' || ENDING_WARNINGS.has(alert.code))) return { kind: 'alerts' };
  const trigger = context.trigger as Record<string, unknown> | undefined;
  return { kind: 'outside', widget: final.transitioned_to, call: trigger?.call !== undefined };
}
