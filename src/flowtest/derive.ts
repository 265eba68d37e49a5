// Recovers a recorded execution's inputs from what the store already keeps — the context's
// trigger and the steps' outputs — so replay and --record need no extra recording table:
// replies come from send-and-wait `inbound` outputs, reply timeouts from `timeout` steps, HTTP and
// Function answers from status_code/body/content_type outputs, send failures from failure steps.
import type { FlowDefinition } from '../definition/types.ts';
import type { JsonObject } from '../engine/types.ts';
import { HANDED_OFF_EVENT, HANDOFF_GRACE_MS } from '../engine/widgets/add-twiml-redirect.ts';
import { formatDuration } from './duration.ts';
import { DEFAULT_CALL_SID } from './run-test.ts';
import type { HttpMock, MessageMock, ScriptStep, TriggerSpec } from './types.ts';

export interface RecordedStep {
  from: string;
  event: string;
  to: string;
  /** Widget type (Steps API `type`). */
  type: string;
  context: JsonObject;
  /** Set for steps that ran inside a subflow. */
  parentStepSid?: string | null;
  /** When the step happened (ms since the epoch), when known. */
  at?: number;
}

export interface DerivedInputs {
  trigger: TriggerSpec;
  /**
   * Replies, reply timeouts (as `wait`; as an `outage` up to when the timeout's step ran when it
   * fired after it was due) and a manual end, in the order they happened. A reply that came later
   * than the question is preceded by a `wait` for the time that passed (see `elapsed`).
   */
  script: ScriptStep[];
  /** The `wait` steps that stand for time passing before a reply (not for a timeout firing). */
  elapsed: Set<ScriptStep>;
  /** HTTP and Function answers per widget, in the order that widget received them. */
  http: Map<string, HttpMock[]>;
  messages: MessageMock[];
  /** The recognizer's Confidence for each recorded `speech` step (replay passes it back as it came). */
  confidence: Map<ScriptStep, string>;
  /** What could not be recovered. */
  notes: string[];
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined);
const obj = (value: unknown): JsonObject => (value && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : {});
/** A send failure's ErrorCode (a number, or its text), else `fallback`: a message mock's code is a whole number. */
const errorCode = (value: unknown, fallback: number): number => {
  const code = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return Number.isInteger(code) ? (code as number) : fallback;
};

/**
 * Webhook fields a test trigger does not carry as `params`: the ones it has its own keys for (body,
 * from, to, media), the ones derived from those, and the per-run SIDs the runner makes afresh (as
 * it does for a conversation's MessageSid). Defaults the runner sends anyway are left out too.
 */
const MESSAGE_OWN = /^(Body|From|To|MediaUrl\d+|NumMedia|NumSegments|MessageSid|SmsSid|SmsMessageSid|AccountSid)$/;
const MESSAGE_DEFAULTS: Record<string, string> = { SmsStatus: 'received', ApiVersion: '2010-04-01' };
/** A call's CallSid is kept: it is the call's identity, which flows pass on (and the engine keys the call by). */
const CALL_OWN = /^(From|To|AccountSid)$/;
const CALL_DEFAULTS: Record<string, string> = { CallSid: DEFAULT_CALL_SID, CallStatus: 'ringing', Direction: 'inbound', ApiVersion: '2010-04-01' };

/** The trigger's other webhook parameters (ChannelAttributes, ChannelSid, HandoffData, SipHeader_*…), to replay as they came. */
function otherParams(fields: JsonObject, own: RegExp, defaults: Record<string, string>): JsonObject | null {
  // A call's Called and Caller repeat To and From (the runner sends them so), unless the webhook said otherwise.
  const derived = (k: string, v: unknown) => (k === 'Called' && v === fields.To) || (k === 'Caller' && v === fields.From);
  const params = Object.fromEntries(Object.entries(fields).filter(([k, v]) => !own.test(k) && defaults[k] !== v && !derived(k, v)));
  return Object.keys(params).length ? params : null;
}

export function triggerFromContext(trigger: JsonObject): TriggerSpec {
  if (trigger.message) {
    const m = obj(trigger.message);
    const media = Object.keys(m).filter((k) => /^MediaUrl\d+$/.test(k)).sort().map((k) => String(m[k]));
    const params = otherParams(m, MESSAGE_OWN, MESSAGE_DEFAULTS);
    return { message: { body: str(m.Body) ?? '', from: str(m.From) ?? '', to: str(m.To) ?? '', ...(media.length ? { media } : {}), ...(params ? { params } : {}) } };
  }
  if (trigger.request) {
    const r = obj(trigger.request);
    return { request: { from: str(r.from) ?? '', to: str(r.to) ?? '', parameters: obj(r.parameters) } };
  }
  if (trigger.call) {
    const c = obj(trigger.call);
    const params = otherParams(c, CALL_OWN, CALL_DEFAULTS);
    return { call: { from: str(c.From) ?? '', to: str(c.To) ?? '', ...(params ? { params } : {}) } };
  }
  if (trigger.conversation) {
    const c = obj(trigger.conversation);
    // From and ChannelSid the engine fills from Author and ConversationSid (normalizeTriggerData) and
    // fills again on replay: only ones the webhook posted otherwise are the trigger's own.
    const filled = (k: string, v: unknown) => (k === 'From' && v === c.Author) || (k === 'ChannelSid' && v === c.ConversationSid);
    const params = Object.fromEntries(Object.entries(c).filter(([k, v]) => !['Body', 'Author', 'ConversationSid', 'MessageSid', 'DateCreated'].includes(k) && !filled(k, v)));
    return { conversation: { body: str(c.Body) ?? '', from: str(c.Author) ?? str(c.From) ?? '', conversationSid: str(c.ConversationSid) ?? '', ...(Object.keys(params).length ? { params } : {}) } };
  }
  throw new Error(`the execution's trigger (${Object.keys(trigger).join(', ') || 'empty'}) is not one a test can start`);
}

function replyTimeout(definition: FlowDefinition | undefined, widget: string): number {
  const raw = definition?.states.find((s) => s.name === widget)?.properties.timeout;
  const seconds = Number(raw);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : 3600;
}

function gatherTimeout(definition: FlowDefinition | undefined, widget: string): number {
  const seconds = Number(definition?.states.find((s) => s.name === widget)?.properties.timeout);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : 5;
}

/**
 * A widget's `timeout` as written (`fallback` when absent or unusable: TwiML Redirect's 14400 s, Studio's default);
 * null when Liquid decides it at run time.
 */
function writtenTimeout(definition: FlowDefinition | undefined, widget: string, fallback = 14400): number | null {
  const raw = definition?.states.find((s) => s.name === widget)?.properties.timeout ?? fallback;
  if (typeof raw === 'string' && /\{[{%]/.test(raw)) return null;
  const seconds = Number(raw);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : fallback;
}

/** Widgets whose hang-up recordedAnswers keeps (an action that came with the call over, or none). */
const ANSWERED_AS_RECORDED = new Set(['connect-call-to', 'record-voicemail', 'capture-payments', 'connect-virtual-agent-v2', 'connect-virtual-agent', 'run-conversation-relay']);

export function deriveInputs(
  trigger: JsonObject,
  steps: RecordedStep[],
  options: {
    definition?: FlowDefinition;
    /** The definition a step ran in when it is not `definition` (steps inside a subflow). */
    definitionOf?: (step: RecordedStep) => FlowDefinition | undefined;
    endedManually?: boolean;
    ended?: boolean;
    /** When the execution started (ms): with the steps' times, the waits before replies are derived from it. */
    startedAt?: number;
    /**
     * Dial, Record, Pay and Connect are answered as recorded (recorded-answers.ts: a replay's responder,
     * --record's mocks), a caller's hang-up during them included: no `hangup` script step for it.
     */
    recordedCallVerbs?: boolean;
    /**
     * The revision the execution ran, when the inputs are for another (a replay): a reply that came
     * later after its question than that revision's shorter reply timeout lets the timeout fire first.
     */
    recordedDefinition?: FlowDefinition;
  } = {},
): DerivedInputs {
  const definitionOf = (step: RecordedStep) => options.definitionOf?.(step) ?? options.definition;
  const script: ScriptStep[] = [];
  const elapsed = new Set<ScriptStep>();
  // The replay's clock, as the script moves it: it starts when the execution did and moves only by
  // the script's waits, so a reply recorded hours after its question gets those hours back.
  const first = steps.find((s) => s.at !== undefined && Number.isFinite(s.at))?.at;
  let clock = options.startedAt !== undefined && Number.isFinite(options.startedAt) ? options.startedAt : first;
  const http = new Map<string, HttpMock[]>();
  const messages: MessageMock[] = [];
  const notes: string[] = [];
  const confidence = new Map<ScriptStep, string>();
  const durationText = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000}s` : formatDuration(ms));
  /**
   * A timeout the server's timer fired, `ms` after the clock: a `wait` for its time, unless its step
   * ran later than that (the server was down when it fell due, or its timer loop behind). The live
   * sprint ran, and rendered 'now', when the step says: an `outage` up to then fires it then.
   */
  const timerFired = (step: RecordedStep, ms: number) => {
    const at = step.at !== undefined && Number.isFinite(step.at) ? step.at : undefined;
    if (clock !== undefined && at !== undefined && at > clock + ms) {
      script.push({ outage: durationText(at - clock) });
      clock = at;
      return;
    }
    script.push({ wait: durationText(ms) });
    if (clock !== undefined) clock += ms;
  };
  /**
   * The widget's `timeout` timer fired (`fallback` seconds when it has none): a Liquid timeout is only known from
   * when the timer fired, so the wait lasts until then (never short of a timeout as written).
   */
  const widgetTimerFired = (step: RecordedStep, fallback: number) => {
    const written = writtenTimeout(definitionOf(step), step.from, fallback);
    const fired = clock !== undefined && step.at !== undefined && Number.isFinite(step.at) ? Math.ceil((step.at - clock) / 1000) : null;
    timerFired(step, (written ?? (fired !== null && fired > 0 ? fired : fallback)) * 1000);
  };
  // The caller hung up on a voice widget (say-play, record-voicemail, connect-call-to…), unless the verb's
  // recorded outcome is replayed and hangs up itself.
  const callerHungUp = (step: RecordedStep) => step.event === 'hangup' && !(options.recordedCallVerbs && ANSWERED_AS_RECORDED.has(step.type));
  /**
   * A Send & Wait's reply timeout as written in the revision replayed and in the one that ran, for a replay
   * against another revision (`recordedDefinition`) in the top frame; null otherwise, or when either is Liquid.
   */
  const replyTimeouts = (step: RecordedStep): { replayed: number; ran: number } | null => {
    if (!options.recordedDefinition || step.parentStepSid) return null;
    const replayed = writtenTimeout(definitionOf(step), step.from, 3600);
    const ran = replayed !== null ? writtenTimeout(options.recordedDefinition, step.from, 3600) : null;
    return replayed !== null && ran !== null ? { replayed, ran } : null;
  };
  /** When each widget was last entered (ms), by frame: how long a Send & Wait waited for its reply. */
  const entered = new Map<string, number>();
  const frameKey = (parent: string | null | undefined, widget: string) => `${parent ?? ''}\u0000${widget}`;
  for (const step of steps) {
    const ctx = step.context ?? {};
    const enteredAt = entered.get(frameKey(step.parentStepSid, step.from));
    if (step.at !== undefined && Number.isFinite(step.at)) entered.set(frameKey(step.parentStepSid, step.to), step.at);
    switch (step.type) {
      case 'send-and-wait-for-reply':
        if (step.event === 'incomingMessage') {
          // A replay against a revision whose reply timeout (as written) is shorter than the one that ran
          // and than the time the reply took: there the timer fires before the reply comes (which was
          // replayed as if in time, so shortening a timeout never showed).
          const timeouts = replyTimeouts(step);
          const took = enteredAt !== undefined && step.at !== undefined && Number.isFinite(step.at) ? step.at - enteredAt : undefined;
          if (timeouts && timeouts.replayed < timeouts.ran && took !== undefined && took >= timeouts.replayed * 1000) {
            const { replayed } = timeouts;
            script.push({ wait: durationText(replayed * 1000) });
            if (clock !== undefined) clock += replayed * 1000;
            notes.push(
              `the reply ${JSON.stringify(str(obj(ctx.inbound).Body) ?? '')} came ${formatDuration(took)} after '${step.from}' asked; this revision's reply timeout (${formatDuration(replayed * 1000)}) is shorter, so the replay times out first and the reply comes after`,
            );
          }
          if (clock !== undefined && step.at !== undefined && Number.isFinite(step.at)) {
            // Up to when the reply was recorded, never backwards, and short of the reply timeout:
            // it had not fired (a fired one is a recorded `timeout` step), so the wait must not fire it.
            const limit = clock + replyTimeout(definitionOf(step), step.from) * 1000 - 1000;
            const ms = Math.max(0, Math.min(step.at, limit) - clock);
            if (ms > 0) {
              const wait: ScriptStep = { wait: formatDuration(ms) };
              script.push(wait);
              elapsed.add(wait);
              clock += ms;
            }
          }
          const inbound = obj(ctx.inbound);
          const media = Object.keys(inbound).filter((k) => /^MediaUrl\d+$/.test(k)).sort().map((k) => String(inbound[k]));
          // A reply through the flow webhook brings its other fields too (ChannelAttributes…); not
          // a conversation's, whose per-message fields (Index, DateCreated) the runner makes.
          const other = trigger.message ? otherParams(inbound, MESSAGE_OWN, MESSAGE_DEFAULTS) : null;
          const params = other ? Object.fromEntries(Object.entries(other).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])) : null;
          const body = str(inbound.Body) ?? '';
          script.push({ send: media.length || params ? { body, ...(media.length ? { media } : {}), ...(params ? { params } : {}) } : body });
        } else if (step.event === 'timeout') {
          // Against a revision that waits longer, the timeout still fires (what the contact would have said
          // in the longer wait is not recorded): said, since the path then looks the same.
          const timeouts = replyTimeouts(step);
          if (timeouts && timeouts.replayed > timeouts.ran) {
            const { replayed, ran } = timeouts;
            notes.push(`'${step.from}' timed out after ${formatDuration(ran * 1000)} without a reply; this revision waits ${formatDuration(replayed * 1000)}, and the replay times it out all the same (a reply in the longer wait is not recorded)`);
          }
          timerFired(step, replyTimeout(definitionOf(step), step.from) * 1000);
        } else if (step.event === 'deliveryFailure') {
          const out = obj(ctx.outbound);
          const code = errorCode(out.ErrorCode, 30003);
          messages.push(out.Status === 'undelivered' || out.Status === 'failed' ? { widget: step.from, undelivered: code, times: 1 } : { widget: step.from, fail: code, times: 1 });
        }
        break;
      case 'send-message':
        if (step.event === 'failed') {
          messages.push({ widget: step.from, fail: errorCode(obj(ctx.outbound).ErrorCode, 30008), times: 1 });
        }
        break;
      case 'gather-input-on-call':
        if (step.event === 'keypress' && typeof ctx.Digits === 'string') {
          // The key that ended the Gather (Twilio leaves it out of Digits) is pressed again, so the
          // replayed Gather ends the same way, or differently if the revision changed its finish key.
          script.push({ digits: ctx.Digits + (typeof ctx.FinishedOnKey === 'string' ? ctx.FinishedOnKey : '') });
        } else if (step.event === 'speech' && typeof ctx.SpeechResult === 'string') {
          const spoken: ScriptStep = { speech: ctx.SpeechResult };
          script.push(spoken);
          const score = str(ctx.Confidence);
          if (score !== undefined) confidence.set(spoken, score);
        } else if (step.event === 'timeout') {
          const seconds = gatherTimeout(definitionOf(step), step.from);
          script.push({ wait: `${seconds}s` });
          if (clock !== undefined) clock += seconds * 1000;
        }
        if (step.event === 'hangup') script.push({ hangup: true });
        break;
      case 'add-twiml-redirect':
        if (step.event === 'return') {
          // The outputs are the query parameters the app handed the call back with.
          script.push({ return: Object.keys(ctx).length ? Object.fromEntries(Object.entries(ctx).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])) : true });
        } else if (step.event === 'timeout') {
          widgetTimerFired(step, 14400);
        } else if (step.event === HANDED_OFF_EVENT) {
          // timeout "0": the widget leaves once the webhook has had its <Redirect>.
          timerFired(step, HANDOFF_GRACE_MS);
        }
        break;
      case 'connect-virtual-agent-v2':
        if (step.event === 'timeout') {
          // In a conversation: the agent had it until the reply timeout passed, restarted by the contact's messages
          // to the agent (no step records them): the timer fired when the step says, never short of the timeout.
          widgetTimerFired(step, 3600);
        } else if (callerHungUp(step)) script.push({ hangup: true });
        break;
      case 'make-outgoing-call-v1':
      case 'make-outgoing-call-v2':
        // v1's hangup is the placed call ending (completed or canceled) before its answer reached the flow: the
        // call's recorded outcome (recorded-answers.ts placedCall), not the caller's hang-up.
        break;
      case 'make-http-request':
      case 'run-function': {
        const queue = http.get(step.from) ?? [];
        if (typeof ctx.status_code === 'number') {
          queue.push({ status: ctx.status_code, body: str(ctx.body) ?? '', contentType: str(ctx.content_type) ?? 'application/json' });
        } else if (step.event === 'failed' || step.event === 'fail') {
          // A failure without a status: a timeout, network error or a URL that never rendered.
          if (ctx.error) notes.push(`${step.from}: failed before sending (${str(obj(ctx.error).message) ?? 'error'})`);
          else queue.push({ fail: 'network' });
        }
        http.set(step.from, queue);
        break;
      }
      default:
        if (callerHungUp(step)) script.push({ hangup: true });
        break;
    }
  }
  if (options.endedManually) script.push({ end: 'manual' });
  else if (options.ended && trigger.call && script.at(-1)?.hasOwnProperty('hangup') !== true) {
    // A call that ended while a widget still waited on the caller: the caller hung up.
    const last = steps.filter((s) => !s.parentStepSid).at(-1);
    // Unless a verb's recorded outcome already says the caller hung up (a message left, then the hang-up:
    // Digits=hangup; a Pay or Connect action with the call over): its mock hangs up when replayed.
    const hungUpInAVerb = options.recordedCallVerbs && steps.some((s) => ANSWERED_AS_RECORDED.has(s.type) && (s.context?.Digits === 'hangup' || s.context?.CallStatus === 'completed'));
    if (last && last.to !== 'Ended' && !hungUpInAVerb) script.push({ hangup: true });
  }
  return { trigger: triggerFromContext(trigger), script, elapsed, http, messages, confidence, notes };
}

/**
 * The question a send-and-wait is still waiting on a reply to: sent, but with no step yet (the step
 * comes with the reply or the timeout). The engine state keeps it as the waiting frame's `outbound`.
 */
export function waitingMessages(state: unknown): string[] {
  const frames = (state as { frames?: unknown } | null)?.frames;
  if (!Array.isArray(frames)) return [];
  const bodies: string[] = [];
  for (const frame of frames) {
    const wait = obj(obj(frame).wait);
    const body = obj(wait.outbound).Body;
    if (wait.kind === 'reply' && body !== undefined) bodies.push(String(body));
  }
  return bodies;
}

/** Outbound message bodies an execution sent, from send widgets' `outbound` outputs. */
export function recordedMessages(steps: RecordedStep[]): string[] {
  return steps
    .filter((s) => (s.type === 'send-message' || s.type === 'send-and-wait-for-reply') && obj(s.context.outbound).Body !== undefined && !obj(s.context.outbound).ErrorCode)
    .map((s) => String(obj(s.context.outbound).Body));
}
