// What the outside world answered an execution with, beyond the inputs derive.ts recovers: the
// resources a channel made up (a Flex task, a Conversation, a call recording, a sent message) and the
// parameters Twilio sent with a Dial, Enqueue or Record action. A replay answers with these rather
// than with fresh SIDs of its own, so replaying an unchanged revision shows no difference.
import type { EffectResult, JsonObject } from '../engine/types.ts';
import type { RecordedStep } from './derive.ts';

export interface RecordedAnswers {
  /** Per widget, in the order they came: create-task, start-conversation and call-recording results. */
  effects: Map<string, EffectResult[]>;
  /** Per widget, in order: the resource the channel returned for each message it accepted. */
  outbound: Map<string, JsonObject[]>;
  /** Per widget, in order: the parameters of each Dial, Enqueue or Record action, the call's own left out. */
  callVerbs: Map<string, JsonObject[]>;
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

export function recordedAnswers(steps: readonly RecordedStep[]): RecordedAnswers {
  const answers: RecordedAnswers = { effects: new Map(), outbound: new Map(), callVerbs: new Map(), replies: [] };
  for (const step of steps) {
    const ctx = step.context ?? {};
    const outbound = obj(ctx.outbound);
    if ((step.type === 'send-message' || step.type === 'send-and-wait-for-reply') && Object.keys(outbound).length && outbound.ErrorCode === undefined) {
      push(answers.outbound, step.from, outbound);
    }
    if (step.type === 'send-and-wait-for-reply' && step.event === 'incomingMessage') answers.replies.push(obj(ctx.inbound));
    const verb = Object.fromEntries(Object.entries(ctx).filter(([k]) => !CALL_OWN.test(k)));
    switch (step.type) {
      case 'send-to-flex': {
        // Off a call the widget created a task (TaskSid) or failed to; on a call it enqueued the caller.
        const failed = failure(ctx);
        if (typeof ctx.TaskSid === 'string') push(answers.effects, step.from, { kind: 'task-created', task: { sid: ctx.TaskSid, age: ctx.Age ?? 0 } });
        else if (typeof ctx.QueueResult === 'string') push(answers.callVerbs, step.from, verb);
        else if (failed) push(answers.effects, step.from, { kind: 'task-failed', ...failed });
        break;
      }
      case 'start-conversation': {
        const failed = failure(ctx);
        if (step.event === 'created') {
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
      case 'connect-call-to':
        if (typeof ctx.DialCallStatus === 'string') push(answers.callVerbs, step.from, { ...verb, ...(ctx.CallStatus === 'completed' ? { CallStatus: 'completed' } : {}) });
        break;
      case 'enqueue-call':
        if (typeof ctx.QueueResult === 'string') push(answers.callVerbs, step.from, verb);
        break;
      case 'record-voicemail':
        if (typeof ctx.RecordingSid === 'string') push(answers.callVerbs, step.from, { ...verb, ...(ctx.CallStatus === 'completed' ? { CallStatus: 'completed' } : {}) });
        break;
    }
  }
  return answers;
}
