// What the outside world answered an execution with, beyond the inputs derive.ts recovers: the
// resources a channel made up (a Flex task, a Conversation, a call recording, a sent message), how an
// outbound call went, and how a Dial, Enqueue, Record, Pay or virtual agent ended (the parameters
// Twilio sent with its action, Record's fall-through, a hang-up with no action). A replay answers with
// these rather than with fresh SIDs and default outcomes of its own, so replaying an unchanged revision
// shows no difference; `test --record` writes them as mocks.
import type { EffectResult, JsonObject } from '../engine/types.ts';
import type { RecordedStep } from './derive.ts';
import type { CallOutcome } from './simulation.ts';

/**
 * How a call verb ended: the action Twilio requested (its parameters, the call's own left out;
 * `callOver`: the call had ended by then, CallStatus completed), a Record that heard nothing (Twilio
 * skipped the action: noAudio), or a caller who hung up with no action (the final status only).
 */
export type RecordedCallVerb = { action: JsonObject; callOver: boolean } | { noAudio: true } | { hangup: true };

export interface RecordedAnswers {
  /**
   * Per widget, in the order they came: create-task, start- and resume-conversation and call-recording results, and
   * virtual agent connections the channel refused.
   */
  effects: Map<string, EffectResult[]>;
  /** Per widget, in order: the resource the channel returned for each message it accepted. */
  outbound: Map<string, JsonObject[]>;
  /** Per widget, in order: how each Dial, Enqueue, Record, Pay or Connect (a virtual agent) ended. */
  callVerbs: Map<string, RecordedCallVerb[]>;
  /** Per Make Outgoing Call widget, in order: how each call it placed went (with the call's SID). */
  calls: Map<string, CallOutcome[]>;
  /**
   * The contact's replies as they came (a Send & Wait's `inbound`), in order, whichever widget took
   * them: one for each reply deriveInputs recovers, in the same order.
   */
  replies: JsonObject[];
}

const obj = (value: unknown): JsonObject => (value && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : {});

/** Parameters Twilio sends about the call itself with every request: the replay's call supplies its own. */
const CALL_OWN = /^(CallSid|AccountSid|From|To|CallStatus|Direction|ApiVersion|Called|Caller)$/;

function push<T>(map: Map<string, T[]>, widget: string, value: T): void {
  const queue = map.get(widget) ?? [];
  queue.push(value);
  map.set(widget, queue);
}

function failure(ctx: JsonObject): { code: number; message: string } | null {
  const error = obj(ctx.error);
  return typeof error.code === 'number' ? { code: error.code, message: typeof error.message === 'string' ? error.message : '' } : null;
}

/** The step's outputs without the parameters Twilio sends about the call itself. */
function verbParams(ctx: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(ctx).filter(([k]) => !CALL_OWN.test(k)));
}

/** The Make Outgoing Call widgets (v2, and v1 the legacy one). */
export const OUTGOING_CALL_TYPES: ReadonlySet<string> = new Set(['make-outgoing-call-v2', 'make-outgoing-call-v1']);
/** The events by which they leave once the call was answered (v1's machine event in either spelling). */
const ANSWERED_EVENTS = new Set(['answered', 'answeredByMachine', 'answered-by-machine']);

/** A Make Outgoing Call step: the Calls API's refusal, the answer, or the status of a call never answered. */
export function placedCall(step: RecordedStep): CallOutcome | null {
  const ctx = step.context ?? {};
  const callSid = typeof ctx.CallSid === 'string' ? { callSid: ctx.CallSid } : {};
  if (ANSWERED_EVENTS.has(step.event)) {
    const by = typeof ctx.AnsweredBy === 'string' ? ctx.AnsweredBy : undefined;
    return { answer: by && by !== 'human' && by !== 'unknown' ? 'machine' : 'human', ...(by ? { answeredBy: by } : {}), ...callSid, action: verbParams(ctx) };
  }
  if (typeof ctx.ErrorCode === 'number') return { fail: ctx.ErrorCode, message: typeof ctx.ErrorMessage === 'string' ? ctx.ErrorMessage : '' };
  const status = ctx.CallStatus;
  // completed (or canceled) before the answer reached the flow: v1 leaves by hangup when the flow lists it.
  if (status === 'busy' || status === 'no-answer' || status === 'failed' || status === 'canceled' || status === 'completed') return { answer: status, ...callSid };
  return null;
}

/**
 * A Connect Virtual Agent step in a conversation whose connection the channel refused (the Twilio carrier without a
 * VirtualAgentUrl: 81003, the webhook channel: 50000): `failed` with the error and no session (no VirtualAgentStatus).
 */
export function refusedVirtualAgent(step: RecordedStep): { code: number; message: string } | null {
  const ctx = step.context ?? {};
  if (step.type !== 'connect-virtual-agent-v2' || step.event !== 'failed' || ctx.VirtualAgentStatus !== undefined || typeof ctx.VirtualAgentErrorCode !== 'number') return null;
  return failure(ctx);
}

/**
 * A Send to Flex outside a call whose task TaskRouter refused (the widget left by failedToEnqueue with the
 * channel's error): that error. Not the engine's own refusals before any task is asked for (81003: no
 * workflow, attributes too long), which the flow makes again by itself.
 */
export function refusedFlexTask(step: RecordedStep): { code: number; message: string } | null {
  const ctx = step.context ?? {};
  if (step.type !== 'send-to-flex' || step.event !== 'failedToEnqueue' || ctx.TaskSid !== undefined || callVerbOf(step)) return null;
  const failed = failure(ctx);
  return failed && failed.code !== 81003 ? failed : null;
}

/**
 * How the call verb of a Connect Call To, Enqueue Call, Send to Flex (on a call), Record Voicemail,
 * Capture Payments, Connect Virtual Agent or Run ConversationRelay step ended; null for other steps (and a
 * Send to Flex that made a task).
 */
export function callVerbOf(step: RecordedStep): RecordedCallVerb | null {
  const ctx = step.context ?? {};
  const action: RecordedCallVerb = { action: verbParams(ctx), callOver: ctx.CallStatus === 'completed' };
  // The widgets that wait for an action after the final status leave without one once the grace is over.
  const hangup: RecordedCallVerb | null = step.event === 'hangup' ? { hangup: true } : null;
  switch (step.type) {
    case 'connect-call-to':
      return typeof ctx.DialCallStatus === 'string' ? action : hangup;
    case 'enqueue-call':
    case 'send-to-flex':
      if (typeof ctx.QueueResult === 'string') return action;
      // An Enqueue has no hangup event: callComplete with the final status's parameters.
      return step.event === 'callComplete' && ctx.CallStatus === 'completed' && ctx.TaskSid === undefined ? { hangup: true } : null;
    case 'record-voicemail':
      return step.event === 'recordingComplete' ? action : step.event === 'noAudio' ? { noAudio: true } : hangup;
    case 'capture-payments':
      return typeof ctx.Result === 'string' ? action : hangup;
    case 'run-conversation-relay': {
      if (typeof ctx.SessionStatus !== 'string') return hangup;
      // HandoffData as the app sent it: text, which the widget parses into its output when it is JSON.
      const data = action.action.HandoffData;
      if (data !== null && typeof data === 'object') action.action = { ...action.action, HandoffData: JSON.stringify(data) };
      return action;
    }
    case 'connect-virtual-agent-v2':
    case 'connect-virtual-agent': {
      const session = step.type === 'connect-virtual-agent' ? step.event === 'return' : typeof ctx.VirtualAgentStatus === 'string';
      if (!session) return hangup;
      // The provider's data as Twilio sent it: JSON text, which the widget parses into its output.
      const data = action.action.VirtualAgentProviderData;
      if (data !== null && typeof data === 'object') action.action = { ...action.action, VirtualAgentProviderData: JSON.stringify(data) };
      return action;
    }
    default:
      return null;
  }
}

export function recordedAnswers(steps: readonly RecordedStep[]): RecordedAnswers {
  const answers: RecordedAnswers = { effects: new Map(), outbound: new Map(), callVerbs: new Map(), calls: new Map(), replies: [] };
  for (const step of steps) {
    const ctx = step.context ?? {};
    const outbound = obj(ctx.outbound);
    if ((step.type === 'send-message' || step.type === 'send-and-wait-for-reply') && Object.keys(outbound).length && outbound.ErrorCode === undefined) {
      push(answers.outbound, step.from, outbound);
    }
    if (step.type === 'send-and-wait-for-reply' && step.event === 'incomingMessage') answers.replies.push(obj(ctx.inbound));
    switch (step.type) {
      case 'send-to-flex': {
        // Off a call the widget created a task (TaskSid) or failed to; on a call it enqueued the caller.
        const failed = failure(ctx);
        const queued = callVerbOf(step);
        if (typeof ctx.TaskSid === 'string') push(answers.effects, step.from, { kind: 'task-created', task: { sid: ctx.TaskSid, age: ctx.Age ?? 0 } });
        else if (queued) push(answers.callVerbs, step.from, queued);
        else if (failed) push(answers.effects, step.from, { kind: 'task-failed', ...failed });
        break;
      }
      case 'start-conversation':
      case 'resume-conversation': {
        const failed = failure(ctx);
        if (step.event === (step.type === 'start-conversation' ? 'created' : 'resumed')) {
          push(answers.effects, step.from, { kind: 'conversation-started', conversation: obj(ctx.conversation), webhookSid: String(ctx.webhook_sid ?? '') });
        } else if (failed) {
          push(answers.effects, step.from, { kind: 'conversation-failed', ...failed });
        }
        break;
      }
      case 'record-call':
        if (step.event === 'success') push(answers.effects, step.from, { kind: 'call-recording', recording: ctx });
        else if (typeof ctx.ErrorCode === 'number') push(answers.effects, step.from, { kind: 'call-failed', code: ctx.ErrorCode, message: String(ctx.ErrorMessage ?? '') });
        break;
      case 'connect-virtual-agent-v2': {
        // In a conversation, a connection the channel refused (no session: no VirtualAgentStatus) is the effect's answer.
        const refused = refusedVirtualAgent(step);
        const verb = refused ? null : callVerbOf(step);
        if (refused) push(answers.effects, step.from, { kind: 'virtual-agent-failed', ...refused });
        else if (verb) push(answers.callVerbs, step.from, verb);
        break;
      }
      case 'make-outgoing-call-v2':
      case 'make-outgoing-call-v1': {
        const outcome = placedCall(step);
        if (outcome) push(answers.calls, step.from, outcome);
        break;
      }
      default: {
        const verb = callVerbOf(step);
        if (verb) push(answers.callVerbs, step.from, verb);
      }
    }
  }
  return answers;
}

