// Where an execution stands, read from what the execution page has (its steps, the definition it
// ran, its Monitor alerts, the server's end reason): the widget an active one waits at and for what,
// and how an ended one ended. Pure; test/web/waiting.test.ts.
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
  /**
   * Set when the widget is Connect Virtual Agent on the Conversations channel: a virtual agent has the
   * execution's conversation until its session ends (the simulator's VirtualAgent action) or its timeout passes.
   */
  agentInConversation?: true;
}

/** What Connect Virtual Agent on the Conversations channel waits for (the agent has the conversation). */
export const AGENT_IN_CONVERSATION = 'the virtual agent to end its session in the conversation';

/** Connect Virtual Agent (v2) with `channel: conversations`, as the engine reads it (trimmed, any case). */
export function isConversationAgent(state: State): boolean {
  const channel = state.properties.channel;
  return state.type === 'connect-virtual-agent-v2' && typeof channel === 'string' && channel.trim().toLowerCase() === 'conversations';
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
  'resume-conversation': 'the conversation to be resumed',
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
  // Its reply timeout starts again with each of the contact's messages: no time from the step's is told.
  if (state && isConversationAgent(state)) return { widget, subflowPath, what: AGENT_IN_CONVERSATION, until: null, agentInConversation: true };
  return {
    widget,
    subflowPath,
    what: state ? (WAITS_FOR[state.type] ?? null) : null,
    until: seconds !== null && !Number.isNaN(started) ? new Date(started + seconds * 1000) : null,
  };
}

/** Step limits (Studio logs them as warnings) and errors: ends the flow itself reports. */
const ENDING_WARNINGS = new Set(['81000', '81001', '84000']);

/**
 * How the server says an execution ended (the engine's end reason), which Twilio's Execution does not
 * carry: GET /console/api/Flows/{FlowSid}/Executions/{Sid}/EndReason. Declared here, console-only.
 */
export type EndReason = { kind: 'completed' | 'manual' | 'expired' } | { kind: 'error'; code: number | null; message: string | null };

export interface EndReasonResponse {
  sid: string;
  status: 'active' | 'ended';
  /** Null while active, and for an execution stored without one. */
  end_reason: EndReason | null;
}

/**
 * Where one of a list page's executions stands, as GET /console/api/Flows/{FlowSid}/ExecutionSummaries?Sid=…
 * answers for the whole page at once (from the engine state the server keeps): its end reason once
 * ended, the widget it waits at while active. Console-only, like EndReasonResponse.
 */
export interface ExecutionSummary {
  sid: string;
  status: 'active' | 'ended';
  end_reason: EndReason | null;
  /** `subflow_path`: the Run Subflow widgets (outermost first) a subflow's widget runs under. */
  waiting_at: { widget: string; subflow_path: string[] } | null;
}

export type EndedHow =
  /** The flow ran to its end (its last step went to Ended). */
  | { kind: 'completed' }
  /** By the End button or the API. */
  | { kind: 'manual' }
  /** At its maximum age. */
  | { kind: 'expired' }
  /** An error (or a step limit) ended it. */
  | { kind: 'error'; code: number | null; message: string | null }
  /** Its call ended while it was at `widget` (no step to Ended). */
  | { kind: 'call-ended'; widget: string }
  /** Without the server's word: stopped while waiting at `widget` by nothing in the flow (the End button or API, its maximum age, or a hang-up). */
  | { kind: 'outside'; widget: string; call: boolean }
  /** Without the server's word: it stopped with alerts that may say why (see the alerts list). */
  | { kind: 'alerts' };

/**
 * How an ended execution ended: as the server says (`reason`) when it does; otherwise as far as its
 * steps and alerts tell (null until the alerts are read): an end while waiting that the flow did not
 * take (no step to Ended, no alert) came from outside it.
 */
export function endedHow(
  steps: readonly WaitStep[],
  alerts: readonly { level: string; code: string }[] | null,
  context: Record<string, unknown>,
  reason: EndReason | null = null,
): EndedHow | null {
  const own = steps.filter((step) => !step.parent_step_sid);
  const final = own[own.length - 1];
  const trigger = context.trigger as Record<string, unknown> | undefined;
  const call = trigger?.call !== undefined;
  switch (reason?.kind) {
    case 'manual':
    case 'expired':
      return { kind: reason.kind };
    case 'error':
      return { kind: 'error', code: reason.code, message: reason.message };
    case 'completed':
      // A voice widget without a hangup event ends the execution with its call, with no step to Ended.
      return final && final.transitioned_to !== 'Ended' && call ? { kind: 'call-ended', widget: final.transitioned_to } : { kind: 'completed' };
  }
  if (!final || !alerts) return null;
  if (final.transitioned_to === 'Ended') return { kind: 'completed' };
  if (alerts.some((alert) => alert.level === 'error' || ENDING_WARNINGS.has(alert.code))) return { kind: 'alerts' };
  return { kind: 'outside', widget: final.transitioned_to, call };
}

/** The execution page's words for an end that names no widget; null for those that do (or say nothing). */
export function endedSentence(how: EndedHow): string | null {
  switch (how.kind) {
    case 'completed':
      return 'Ran to the end of the flow.';
    case 'manual':
      return 'Ended manually';
    case 'expired':
      return 'Ended: reached the maximum execution age';
    case 'error':
      if (how.code !== null) return `Ended by error ${how.code}${how.message ? `: ${how.message}` : ''}`;
      return how.message ? `Ended by an error: ${how.message}` : 'Ended by an error';
    default:
      return null;
  }
}

/**
 * The executions list's few words for how one ended, and the execution page's sentence for it (a
 * tooltip there); null when the server does not say (an execution stored before end reasons were kept).
 */
export function endedWords(reason: EndReason | null): { short: string; full: string } | null {
  if (!reason) return null;
  const how = endedHow([], null, {}, reason);
  const full = how ? endedSentence(how) : null;
  if (!how || full === null) return null;
  switch (how.kind) {
    case 'completed':
      return { short: 'completed', full };
    case 'manual':
      return { short: 'ended manually', full };
    case 'expired':
      return { short: 'expired (maximum age)', full };
    case 'error':
      return { short: how.code !== null ? `error ${how.code}` : 'error', full };
    default:
      return null;
  }
}
