// The engine's contracts: execution state (plain JSON), the events that drive it, the effects it
// asks the runtime to carry out, and the steps it records. The engine never performs I/O, reads
// the clock or makes ids: `now` and `ids` come in with every call.
import type { FlowDefinition } from '../definition/types.ts';
import type { LiquidAllowance } from './liquid/limits.ts';
import { DEFAULT_LIQUID_VERSION } from '../definition/liquid-dialect.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export type TriggerEvent = 'incomingMessage' | 'incomingCall' | 'incomingConversationMessage' | 'incomingRequest' | 'incomingParent';

/** Studio's runtime rules, each configurable. */
/** How Set Variables types a rendered value (EngineLimits.variableTyping). */
export type VariableTyping = 'infer' | 'string' | 'infer-unquote';

export interface EngineLimits {
  maxSteps: number; // 1,000 → 81000
  maxSameWidgetInARow: number; // 10 → 81001
  /**
   * JSON bytes an execution's context may hold (flow.data, flow.variables, widgets' outputs, trigger; subflow
   * frames included). Switchboard's own: Studio documents none. A step that would pass it fails its widget.
   */
  maxContextBytes: number;
  /**
   * JSON bytes of the steps one execution records (each step's context as stored; subflows' steps included).
   * Switchboard's own: Studio documents none. A step that would pass it ends the execution (see interpreter).
   */
  maxStepBytes: number;
  defaultReplyTimeoutSeconds: number; // send-and-wait default "3600"
  /** Liquid `now` time zone for the date filter. */
  timezone: string;
  /** How Liquid prints an object: JSON or Java's `{k=v}` (which one Studio uses is UNCONFIRMED). */
  objectFormat: 'json' | 'map';
  /**
   * Set Variables values: `infer` turns a canonical decimal into a number ("1.50" → 1.5), `string` keeps the
   * rendered text as written, `infer-unquote` infers as `infer` but takes a value wrapped in double quotes as the
   * text inside them (`"5"` is the text 5: quotes as the way to keep a number as text). Which one Studio does is
   * UNCONFIRMED (§2.3: a support article says a value not wrapped in quotation marks is stored as a number).
   */
  variableTyping: VariableTyping;
  /**
   * How Liquid's date filters read a slashed date with a year, "03/10/2026": `month-first` (10 March, as US users
   * write it) or `day-first` (3 October, as Ruby's Time.parse, so Shopify Liquid). Studio's is UNCONFIRMED.
   */
  slashDates: 'month-first' | 'day-first';
  /**
   * The release of Shopify's Liquid taken as Studio's ("5.4.0"): filters it lacks return their input, tags it lacks
   * fail the parse (../definition/liquid-dialect.ts). Studio's is UNCONFIRMED.
   */
  liquidVersion: string;
  /** Keep liquidjs' filters and tags that Studio's Liquid lacks (push, where_exp, sample…). */
  liquidExtras: boolean;
}

/**
 * 5 MiB: far above what a flow within Studio's documented limits builds (a rendered template is at most
 * 16 KB, an HTTP or Function response 64 kB, a message 1,600 characters: 75 full-size HTTP responses still
 * fit), and small enough that a state, its row and its item in an API list stay a few MB, far from the
 * V8 string limit (~512 MB) a runaway context reached.
 */
export const DEFAULT_MAX_CONTEXT_BYTES = 5 * 1024 * 1024;

/**
 * 50 MiB: 1,000 steps (the default step cap) of 52 kB each; hundreds of full-size (64 kB) HTTP responses
 * still fit. Without it one execution looping through a Set Variables of large values wrote
 * hundreds of MB of steps (GB with larger widgets) while its context stayed under maxContextBytes.
 */
export const DEFAULT_MAX_STEP_BYTES = 50 * 1024 * 1024;

export const DEFAULT_LIMITS: EngineLimits = {
  maxSteps: 1000,
  maxSameWidgetInARow: 10,
  maxContextBytes: DEFAULT_MAX_CONTEXT_BYTES,
  maxStepBytes: DEFAULT_MAX_STEP_BYTES,
  defaultReplyTimeoutSeconds: 3600,
  timezone: 'UTC',
  objectFormat: 'json',
  variableTyping: 'infer',
  slashDates: 'month-first',
  liquidVersion: DEFAULT_LIQUID_VERSION,
  liquidExtras: false,
};

/** What a widget is waiting for while the execution is parked on it. */
export type Wait =
  | { kind: 'effect'; effectId: string }
  /**
   * `dueAt`: when the reply timer is due; `effectId`: the send of the question, which a delivery report
   * names (see the 'delivery-status' event). Both absent in states written before they were kept.
   */
  | { kind: 'reply'; timerId: string; outbound: JsonObject; dueAt?: number; effectId?: string }
  | { kind: 'subflow' }
  /** Voice: the caller is told `twiml`; the call comes back with a callback naming `callbackId`. */
  | CallWait
  | VirtualAgentWait;

/**
 * Connect Virtual Agent on the Conversations channel: the agent has the conversation (session `sessionId`, which
 * the connect effect `effectId` opened) until it ends the session (a 'virtual-agent-ended' event) or the contact
 * leaves `seconds` without a reply: `timerId`, due at `dueAt`, set again by each of their messages.
 */
export interface VirtualAgentWait {
  kind: 'virtual-agent';
  effectId: string;
  sessionId: string;
  timerId: string;
  dueAt: number;
  /** The reply timeout, seconds (rendered once, when the session opened). */
  seconds: number;
  /** The conversation the session is in. */
  conversationSid: string;
  /** The outputs known since the session opened (VirtualAgentProvider…), under the ones its end brings. */
  outputs: JsonObject;
}

/** A voice widget parked on the caller (see src/engine/widgets/voice.ts). */
export interface CallWait {
  kind: 'call';
  callbackId: string;
  /** What the caller hears/does next; empty while an outbound call rings. */
  twiml: TwimlNode[];
  /** Timer for widgets with their own timeout (TwiML Redirect). */
  timerId?: string;
  /** When `timerId` is due (absent in states written before it was kept). */
  dueAt?: number;
  /** add-twiml-redirect: an external app may hand the call back with `FlowEvent=return`. */
  returnable?: boolean;
  /**
   * add-twiml-redirect with `timeout` "0": nothing is awaited; `timerId` only keeps the <Redirect> readable
   * while the webhook is answered, and when it fires the execution ends.
   */
  handoff?: boolean;
  /** Outputs computed on entry and merged into the callback's (send-to-flex's TaskSid). */
  outputs?: JsonObject;
  /**
   * Record and Dial: the caller hung up (these are the final status's parameters) and the widget waits
   * a moment (`timerId`) for the action Twilio requests at a hangup, which decides how it leaves.
   */
  hungUp?: JsonObject;
}

/** A TwiML verb or noun as data. The engine decides what the caller hears; the API layer writes the XML. */
export interface TwimlNode {
  verb: string;
  attributes?: Record<string, string | number | boolean>;
  text?: string;
  children?: TwimlNode[];
  /**
   * Points the node at the execution's callback URL: in `attribute` (e.g. `action`), or as the text of a
   * `<Redirect>` when no attribute is named. `fallthrough` marks the URL reached when the verb before it
   * ended without calling its action (Record with no audio, Gather with no input).
   */
  callback?: { attribute?: string; fallthrough?: boolean };
}

/** One flow being interpreted: the main flow, or a subflow running inside the same execution. */
/** A float in an object: the member holding it, or the path from a member down to it (the member's name first). */
export type FloatMark = string | (string | number)[];

export interface Frame {
  flowSid: string;
  revision: number;
  /** Subflows carry their definition so the state is self-contained; the main flow's comes from the caller. */
  definition?: FlowDefinition;
  /** The run-subflow widget in the parent frame that started this frame. */
  parentWidget?: string;
  /** Steps of a subflow point at the step that entered the run-subflow widget. */
  parentStepSid?: string;
  current: string | null;
  wait: Wait | null;
  trigger: JsonObject;
  variables: JsonObject;
  data: JsonObject;
  widgets: JsonObject;
  /**
   * Where `variables` hold a float: a member's name, for a number Set Variables read from decimal text ("5.0",
   * "1.5"), or a path from a member down (its name first), for a whole float in JSON it parsed (`{"price": 10.0}`
   * typed json_object). JSON keeps no `.0`, so this is what makes Liquid see `{{flow.variables.x}}` as Ruby's Float
   * (it prints 5.0, not 5); absent when there is none.
   */
  floatVariables?: FloatMark[];
  /** The same for widgets' outputs: widget name → its output members holding such a float (a Set Variables' pairs, a subflow's variables). */
  floatOutputs?: Record<string, string[]>;
  /**
   * Floats deeper in widgets' outputs: widget name → paths from its outputs down to a whole number its JSON wrote
   * as a float (an HTTP response's `{"price": 10.0}`, see json-floats.ts; a Set Variables' or subflow's JSON
   * values); absent when there is none.
   */
  floatPaths?: Record<string, (string | number)[][]>;
  /**
   * Whole floats in `trigger`: paths from it down (a subflow's `trigger.parent.parameters` from its Run Subflow's
   * json_object parameters); absent when there is none.
   */
  floatTrigger?: (string | number)[][];
  /**
   * JSON bytes of this frame's trigger, data, variables and widgets, kept as steps change them (see
   * context-size.ts); absent until first measured (states written before it was kept, frames widgets build).
   */
  contextBytes?: number;
}

export interface ExecutionState {
  executionSid: string;
  accountSid: string;
  flowSid: string;
  /** Flow-side address (flow.channel.address) and contact address (contact.channel.address). */
  channelAddress: string;
  contactAddress: string;
  /**
   * flow.channel's fields besides `address` once a widget moved the execution onto another channel
   * (Start Conversation: the conversation's `sid`, `type`, `status`, `details`).
   */
  channel?: JsonObject;
  status: 'active' | 'ended';
  /** frames[0] is the main flow; a subflow pushes a frame. */
  frames: Frame[];
  stepCount: number;
  /**
   * JSON bytes of the contexts of the steps recorded so far (limits.maxStepBytes); absent in states written
   * before it was kept, which count from 0.
   */
  stepBytes?: number;
  lastWidget: { name: string; count: number } | null;
  lastStepSid: string | null;
  /** The call this execution drives (inbound CallSid, or the call make-outgoing-call placed once answered). */
  callSid?: string;
  /**
   * Replies that arrived while a send-and-wait was still sending its question; applied once it waits.
   * Entries written before replies were tagged are bare messages (see `QueuedReply`).
   */
  queuedInbound?: (QueuedReply | JsonObject)[];
  /** The caller hung up while a widget that does not need the call was working (ignored, 81002). */
  callEnded?: boolean;
  /** Why the execution ended, when it did. */
  endReason: EndReason | null;
}

/**
 * A reply kept for the question it overtook: `widget` at frame `depth` (a subflow's widgets may share
 * names with the parent's). It may answer that widget again (a loop back), never a different one.
 */
export interface QueuedReply {
  widget: string;
  depth: number;
  /** The flow (main or subflow) the widget belongs to: two subflows run in turn share a depth. */
  flowSid?: string;
  message: JsonObject;
}

export type EndReason =
  | { kind: 'completed' }
  | { kind: 'manual' }
  | { kind: 'expired' }
  | { kind: 'error'; code: number; message: string };

/** Inputs to the engine. */
export type EngineEvent =
  | { type: 'start'; trigger: TriggerEvent; triggerData: JsonObject; data?: JsonObject }
  | { type: 'inbound-message'; message: JsonObject }
  | { type: 'effect-result'; effectId: string; result: EffectResult }
  | { type: 'timer'; timerId: string }
  /**
   * A report on a sent message. `effectId`: the send it is for, when the channel knows it (a carrier's status
   * callback URL names the step's effect); a message SID alone need not tell two sends apart (a webhook
   * gateway may answer every send with the same id).
   */
  | { type: 'delivery-status'; messageSid: string; effectId?: string; status: string; errorCode?: string }
  | { type: 'end'; reason: 'manual' | 'expired' }
  /** The call posted to a callback URL of the waiting widget (action, redirect, FlowEvent=return, answered). */
  | { type: 'call-callback'; callbackId: string; params: JsonObject; fallthrough?: boolean }
  /** The call's final status callback (completed, busy, no-answer, failed, canceled). */
  | { type: 'call-ended'; params: JsonObject }
  /**
   * A virtual agent ended its session in a conversation (Connect Virtual Agent, Conversations channel): its
   * VirtualAgentStatus (completed, live-agent-handoff, failed), VirtualAgentProviderData… in `params`.
   */
  | { type: 'virtual-agent-ended'; sessionId: string; params: JsonObject };

export interface OutboundMessage {
  from: string;
  to: string;
  body: string;
  mediaUrl?: string[];
  contentSid?: string;
  contentVariables?: Record<string, string>;
  shortenUrls?: boolean;
  /**
   * A message into a Conversation only: the widget's `attributes` rendered with Liquid, JSON text (the
   * Conversations Message's Attributes). Never set outside a conversation (retired Programmable Chat's).
   */
  attributes?: string;
}

export interface HttpRequestSpec {
  method: string;
  url: string;
  contentType: string;
  body?: string;
  /** Form/query parameters (make-http-request) or the Function's event parameters (run-function). */
  parameters: { key: string; value: string }[];
  addTwilioAuth?: boolean;
  /** Headers the runtime adds (X-Twilio-Signature on run-function); the engine never sets them. */
  headers?: Record<string, string>;
}

/** Work the runtime performs; `effectId` results come back as 'effect-result' events. */
export type Effect =
  | { type: 'send-message'; effectId: string; widget: string; message: OutboundMessage }
  | { type: 'http-request'; effectId: string; widget: string; request: HttpRequestSpec; purpose: 'http' | 'function' }
  | { type: 'load-subflow'; effectId: string; widget: string; flowSid: string; revision: string }
  | { type: 'start-conversation'; effectId: string; widget: string; request: ConversationRequest }
  | { type: 'resume-conversation'; effectId: string; widget: string; request: ConversationResumeRequest }
  | { type: 'create-task'; effectId: string; widget: string; task: FlexTaskRequest }
  | { type: 'place-call'; effectId: string; widget: string; call: OutboundCall }
  | { type: 'call-recording'; effectId: string; widget: string; callSid: string; start: boolean; options: JsonObject }
  /** Connect Virtual Agent (Conversations): the channel hands the conversation to the agent. */
  | { type: 'connect-virtual-agent'; effectId: string; widget: string; request: VirtualAgentRequest }
  /**
   * The flow takes the conversation back from an agent whose session did not end by itself (the reply timeout, the
   * execution ending): its result ('virtual-agent-disconnected') needs nobody and is dropped silently.
   */
  | { type: 'disconnect-virtual-agent'; effectId: string; widget: string; session: VirtualAgentSession }
  | { type: 'set-timer'; timerId: string; dueAt: number }
  | { type: 'cancel-timer'; timerId: string };

/** make-outgoing-call-v2: what the voice channel dials (Calls API parameters). */
export interface OutboundCall {
  to: string;
  from: string;
  timeout: number;
  record: boolean;
  /** Other Calls API parameters by their API names (MachineDetection, SendDigits, Trim, …). */
  options: Record<string, string>;
}

export type EffectResult =
  | { kind: 'message-sent'; message: JsonObject }
  | { kind: 'message-failed'; code: number; message: string }
  | { kind: 'http-response'; statusCode: number; contentType: string; body: string; headers?: Record<string, string> }
  | { kind: 'http-failed'; reason: 'timeout' | 'too-large' | 'network' | 'blocked'; message: string }
  | { kind: 'subflow-loaded'; flowSid: string; revision: number; definition: FlowDefinition }
  | { kind: 'subflow-missing'; message: string }
  /** The execution's conversation: the one start-conversation created, or the one resume-conversation joined. */
  | { kind: 'conversation-started'; conversation: JsonObject; webhookSid: string }
  | { kind: 'conversation-failed'; code: number; message: string }
  | { kind: 'task-created'; task: JsonObject }
  | { kind: 'task-failed'; code: number; message: string }
  | { kind: 'call-placed'; call: JsonObject }
  | { kind: 'call-recording'; recording: JsonObject }
  | { kind: 'call-failed'; code: number; message: string }
  /** The agent has the conversation: `sessionId` names the session its end reports; `outputs` are known from now on. */
  | { kind: 'virtual-agent-connected'; sessionId: string; outputs: JsonObject }
  | { kind: 'virtual-agent-failed'; code: number; message: string }
  | { kind: 'virtual-agent-disconnected' };

/** What Connect Virtual Agent (Conversations channel) asks the channel to connect. */
export interface VirtualAgentRequest {
  /** The conversation (CH…) the execution is in. */
  conversationSid: string;
  /** The Dialogflow CX connector's name (a Marketplace add-on's unique name on Twilio). */
  connectorName: string;
  /** The contact: the end user the agent talks to. */
  endUser: string;
  /** The widget's `parameters`, rendered (Twilio takes at most 10 for Conversations). */
  parameters: { key: string; value: string }[];
}

/** A virtual agent session in a conversation, as the flow knows it (what a disconnect names). */
export interface VirtualAgentSession {
  conversationSid: string;
  sessionId: string;
}

/**
 * A widget moves the execution onto another channel: Start Conversation into the conversation it
 * created. The runtime re-keys the execution by the new addresses, so the contact's replies there
 * find it, and later sends go there.
 */
export interface ChannelSwitch {
  /** The new flow address (flow.channel.address): the Conversation SID. */
  address: string;
  /** The new contact address (contact.channel.address), when the contact is someone else there. */
  contactAddress?: string;
  /** flow.channel's other fields. */
  details: JsonObject;
}

/** What the start-conversation widget asks the channel to create (Conversations API). */
export interface ConversationRequest {
  conversationServiceSid: string;
  friendlyName?: string;
  /** JSON text, as the Conversations API takes it. */
  attributes?: string;
  messagingServiceSid?: string;
  /** Rendered participant objects (type + identity or messaging binding addresses). */
  participants: JsonObject[];
  timers?: { inactive?: string; closed?: string };
}

/**
 * What the resume-conversation widget asks the channel for (Conversations API): the existing Conversation
 * `conversationSid` of the service, its participants, and a webhook that brings its messages back to the flow.
 */
export interface ConversationResumeRequest {
  conversationServiceSid: string;
  conversationSid: string;
  /** The webhook's filters (Configuration.Filters): onMessageAdded, which the contact's replies need, first. */
  webhookFilters: string[];
  /** JSON text: the conversation's attributes are updated to it (what Studio does with them is UNCONFIRMED). */
  attributes?: string;
}

/** What send-to-flex asks the channel to create outside a call (a TaskRouter task). */
export interface FlexTaskRequest {
  /** TaskRouter workflow (WW…). */
  workflowSid: string;
  /** Task channel SID (TC…) or unique name. */
  taskChannel: string;
  /** The rendered attributes: JSON text, as TaskRouter takes it. */
  attributes: string;
  priority: number;
  /** Seconds the task may live before it is canceled. */
  timeout: number;
}

/** A Studio Step: the transition out of one widget. */
export interface StepRecordDraft {
  sid: string;
  parentStepSid: string | null;
  /** The event that caused the transition. */
  name: string;
  transitionedFrom: string;
  /** The next widget, or 'Ended'. */
  transitionedTo: string;
  context: JsonObject;
  type: string;
  at: number;
  /**
   * Which of the widget's transitions was taken (its index in `transitions`), when one was: tells
   * apart split conditions that lead to the same widget (flow test coverage). Not stored.
   */
  transitionIndex?: number;
}

export interface Diagnostic {
  level: 'warning' | 'error';
  code: number;
  message: string;
  widget?: string;
}

export interface SprintResult {
  state: ExecutionState;
  effects: Effect[];
  steps: StepRecordDraft[];
  diagnostics: Diagnostic[];
  /**
   * The event was not applied: what was due before it arrived (its wait's timeout, the age cap) ended the
   * execution first. An inbound message then goes where one for an ended execution goes.
   */
  endedFirst?: boolean;
}

/** Prefixes of the ids the engine asks for. */
export type IdPrefix = 'FT' | 'TM' | 'EF' | 'WT';

export interface EngineInput {
  /** The main flow's definition (the revision the execution runs). */
  definition: FlowDefinition;
  now: number;
  /** Returns a fresh SID with the prefix (FT steps, timer and effect ids, WT simulated Flex tasks). */
  newId: (prefix: IdPrefix) => string;
  limits?: Partial<EngineLimits>;
  /** Liquid work this sprint shares with others (a replay's runs): see LiquidAllowance. */
  liquidAllowance?: LiquidAllowance;
  /**
   * This thread's CPU time, ms, for the Liquid fuse (LiquidBudget): a safety valve behind the counted
   * budgets, so no result depends on it. Without it the fuse counts wall-clock time.
   */
  cpuClock?: () => number;
}
