// The test-file format (what users write) and what a run observes. The JSON schema in
// schemas/flow-test.schema.json describes the same shapes for editors and CI.
import type { FlowDefinition } from '../definition/types.ts';
import type { Json, JsonObject } from '../engine/types.ts';

/** A duration: seconds as a number, or text such as "90s", "15m", "2h", "1d", "1h30m". */
export type DurationText = number | string;

/** Text matched exactly, or a regular expression written "/…/flags". */
export type Pattern = string;

export type TriggerSpec =
  | { message: { body?: string; from?: string; to?: string; media?: string[]; params?: JsonObject } }
  | { request: { from?: string; to?: string; parameters?: JsonObject } }
  | { call: { from?: string; to?: string; params?: JsonObject } }
  /** A Conversations message (incomingConversationMessage): contact the Author, flow address the conversation. */
  | { conversation: { body?: string; from?: string; conversationSid?: string; params?: JsonObject } }
  /** Started as a subflow (incomingParent): the Run Subflow widget's parameters and the parent's trigger data. */
  | { parent: { parameters?: JsonObject; flowSid?: string; executionSid?: string; stepSid?: string; from?: string; to?: string; trigger?: JsonObject } };

/** One thing that happens, in order, after the trigger. */
export type ScriptStep =
  | { send: string | { body?: string; media?: string[]; params?: Record<string, string> } }
  | { wait: DurationText }
  /**
   * Time passes with the server down or behind: timers that fall due meanwhile fire only when it is
   * over, late (a restart). `test --record` writes it for a timeout that fired after it was due.
   */
  | { outage: DurationText }
  | { digits: string }
  | { speech: string }
  | { hangup: true }
  /**
   * The app a TwiML Redirect handed the call (or message) to hands it back (its request to the flow
   * webhook with FlowEvent=return): `true`, or the query parameters, which become the widget's outputs.
   */
  | { return: true | Record<string, string> }
  | { end: 'manual' | 'expired' }
  | { expect: Expectations };

export interface HttpMock {
  method?: string;
  url?: Pattern;
  /** Function mocks: the Function's name (the last path segment of its URL). */
  name?: string;
  status?: number;
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
  delay?: DurationText;
  fail?: 'timeout' | 'network';
  /** Answers this many requests, then the next matching mock takes over. */
  times?: number;
}

export interface MessageMock {
  to?: Pattern;
  body?: Pattern;
  widget?: string;
  /** The channel refuses the message (e.g. 21610). */
  fail?: number | { code: number; message?: string };
  /** The message is accepted, then reported undelivered/failed with this error code. */
  undelivered?: number | string;
  times?: number;
}

/** An outbound call (make-outgoing-call-v2 and v1) and how it goes; unmocked calls are answered by a person. */
export interface CallMock {
  to?: Pattern;
  /**
   * human or machine: answered; otherwise the final status of a call never answered. completed (like canceled):
   * it ended before its answer reached the flow, which v1 leaves by hangup when the flow lists it.
   */
  answer?: 'human' | 'machine' | 'busy' | 'no-answer' | 'failed' | 'canceled' | 'completed';
  /**
   * AnsweredBy, when the widget detects machines (otherwise Twilio sends none): default human, or for
   * `machine` machine_start (Enable) or machine_end_beep (DetectMessageEnd).
   */
  answeredBy?: 'human' | 'machine_start' | 'machine_end_beep' | 'machine_end_silence' | 'machine_end_other' | 'fax' | 'unknown';
  /** More parameters of the answered call's request (or of its final status). */
  params?: Record<string, string>;
  /** The Calls API refuses to place it (e.g. 21215). */
  fail?: number;
  times?: number;
}

/** Connect Call To (<Dial>): how the dialled call goes. Unmocked: answered, and completed after 30 s. */
export interface DialMock {
  /** Only this widget's dial (default: any). */
  widget?: string;
  /** DialCallStatus: completed (answered, then hung up by the other party) or why it was never answered. */
  status?: 'completed' | 'busy' | 'no-answer' | 'failed' | 'canceled';
  /** DialCallDuration in seconds (completed only). */
  duration?: number;
  /** The caller hangs up during the dial: the widget leaves by `hangup`. */
  callerHangsUp?: boolean;
  times?: number;
}

/**
 * Enqueue Call and Send to Flex on a call (<Enqueue>): how the caller leaves the queue. Unmocked: bridged to an
 * agent. Send to Flex outside a call (messages, conversations): `fail`, or the task is created (callComplete).
 */
export interface EnqueueMock {
  widget?: string;
  /** Send to Flex outside a call: TaskRouter refuses to create the task with this error, so the widget leaves by failedToEnqueue. */
  fail?: number | { code: number; message?: string };
  /** QueueResult: queue-full → failedToEnqueue, system-error/error → callFailure, the rest → callComplete; hangup also ends the call. */
  result?: 'bridged' | 'bridging-in-process' | 'hangup' | 'leave' | 'redirected' | 'redirected-from-bridged' | 'queue-full' | 'system-error' | 'error';
  /** QueueTime in seconds. */
  time?: number;
  times?: number;
}

/** Record Voicemail (<Record>): what the caller leaves. Unmocked: a 5-second message, ended by silence. */
export interface RecordMock {
  widget?: string;
  /**
   * completed → recordingComplete; noAudio: nothing recorded → noAudio; hangup: the caller hangs up
   * without leaving a message (the final status, no action) → hangup once the engine's 5 s grace has passed.
   */
  result?: 'completed' | 'noAudio' | 'hangup';
  /** The key that ended the recording (Digits); `hangup`: the caller hung up after the message (the call is over). */
  digits?: string;
  /** RecordingDuration in seconds. */
  duration?: number;
  /** RecordingUrl. */
  url?: string;
  times?: number;
}

/** Capture Payments (<Pay>): the Pay action's Result. Unmocked: an action without one (providerError), with a note. */
export interface PayMock {
  widget?: string;
  /**
   * Result (default success): success, too-many-failed-attempts → maxFailedAttempts, payment-connector-error →
   * providerError, caller-interrupted-with-star → payInterrupted, validation-error → validationError,
   * caller-hung-up → hangup (the call is over).
   */
  result?: 'success' | 'too-many-failed-attempts' | 'payment-connector-error' | 'caller-interrupted-with-star' | 'caller-hung-up' | 'validation-error';
  /** More action parameters (PaymentConfirmationCode, PaymentToken, PaymentCardNumber…): the widget's outputs. */
  params?: Record<string, string>;
  times?: number;
}

/**
 * Connect Virtual Agent: how the session ends. On a call (<Connect><VirtualAgent>), unmocked: an action without
 * a status (v2 leaves by failed), with a note. In a conversation (`channel: conversations`) the agent ends its
 * session with `status` after `delay`, or the channel refuses the connection (`fail`); unmocked the agent takes
 * the conversation and never ends its session (the widget leaves by timeout once the script waits past it), with a note.
 */
export interface VirtualAgentMock {
  widget?: string;
  /**
   * VirtualAgentStatus (default completed), the event of the same name; hangup: the caller hangs up
   * during the session, which ends it (the action, completed, comes with the call over) → hangup. In a
   * conversation: completed, live-agent-handoff or failed (another leaves by failed).
   */
  status?: 'completed' | 'live-agent-handoff' | 'paused' | 'failed' | 'hangup';
  /** More action parameters (VirtualAgentProviderData as JSON text, VirtualAgentErrorCode…): the widget's outputs. */
  params?: Record<string, string>;
  /**
   * In a conversation: how long after the agent took it the session ends (default at once). The contact's
   * messages meanwhile (`send:`) restart the widget's reply timeout, which ends the session first when it passes.
   */
  delay?: DurationText;
  /**
   * In a conversation: the channel refuses to connect the agent with this error (the Twilio carrier without a
   * VirtualAgentUrl: 81003; a channel that cannot connect one, such as the webhook channel: 50000), so the widget
   * leaves by failed with VirtualAgentErrorCode and VirtualAgentError. `test --record` writes it for a refused connection.
   */
  fail?: number | { code: number; message?: string };
  times?: number;
}

/**
 * Run ConversationRelay (<Connect><ConversationRelay>): how the session with the app ends, which the
 * Connect action reports (SessionId, SessionStatus, SessionDuration, HandoffData). Unmocked: a session that
 * completed (success), after 0 s, with no handoff data.
 */
export interface ConversationRelayMock {
  widget?: string;
  /**
   * SessionStatus (default completed): failed → failed, completed or ended → success; hangup: the caller
   * hangs up and no action comes (the final status only), so the widget leaves by hangup once the engine's
   * 5 s grace has passed.
   */
  status?: 'completed' | 'ended' | 'failed' | 'hangup';
  /**
   * HandoffData, what the app sent with its `end` message: an object (sent as JSON text, which the widget
   * parses back into widgets.<name>.HandoffData) or text, sent as it is.
   */
  handoffData?: JsonObject | string;
  /** SessionDuration in seconds (default 0). */
  duration?: number;
  /** The caller hangs up, which ends the session: the action (with `status`) comes with the call over. */
  callerHangsUp?: boolean;
  /** More action parameters (ErrorCode, ErrorMessage, SessionId…): the widget's outputs. */
  params?: Record<string, string>;
  times?: number;
}

export interface Mocks {
  http?: HttpMock[];
  functions?: HttpMock[];
  /**
   * FlowSid → flow file (relative to the test file) or an inline definition; `missing` (or null): the
   * subflow does not exist, so the Run Subflow widget fails (81024). A subflow not listed fails the test.
   */
  subflows?: Record<string, string | FlowDefinition | null>;
  messages?: MessageMock[];
  calls?: CallMock[];
  /** start- and resume-conversation: the Conversations API refuses with this error code. */
  conversations?: { fail?: number };
  dial?: DialMock[];
  enqueue?: EnqueueMock[];
  record?: RecordMock[];
  pay?: PayMock[];
  virtualAgent?: VirtualAgentMock[];
  conversationRelay?: ConversationRelayMock[];
}

export type MessageExpectation = Pattern | { body?: Pattern; to?: Pattern; from?: Pattern; widget?: string; media?: Pattern[]; status?: string };
export type StepExpectation = string | { from: string; event?: string; to?: string };
/** `body`: the text (exact or /regex/), or an object or list: the body read as JSON matches it as `widgets` does (a subset of an object's keys, patterns in strings). */
export type RequestExpectation = { method?: string; url?: Pattern; body?: Pattern | JsonObject | Json[]; parameters?: Record<string, Pattern>; widget?: string };
export type EndExpectation = 'completed' | 'waiting' | 'manual' | 'expired' | 'error' | { error: number; message?: Pattern };

/**
 * A sequence expectation: the whole list, exactly, or `{ contains: […] }`: these appear in this order,
 * with anything before, between and after them.
 */
export type SequenceExpectation<T> = T[] | { contains: T[] };

export interface Expectations {
  messages?: SequenceExpectation<MessageExpectation>;
  /** Voice: what the caller hears (say/play), in order. */
  heard?: SequenceExpectation<Pattern>;
  path?: SequenceExpectation<string>;
  steps?: SequenceExpectation<StepExpectation>;
  requests?: SequenceExpectation<RequestExpectation>;
  /** Subset match on flow.variables; values may be patterns. */
  variables?: JsonObject;
  /** Subset match on widgets.<name> outputs. */
  widgets?: JsonObject;
  /** Subset match on flow.data. */
  data?: JsonObject;
  end?: EndExpectation;
}

/** Expectations as --record writes them: every sequence an exact list. */
export interface ExactExpectations extends Expectations {
  messages?: MessageExpectation[];
  heard?: Pattern[];
  path?: string[];
  steps?: StepExpectation[];
  requests?: RequestExpectation[];
}

/** An ISO 8601 date and time with its UTC offset ("2026-05-04T18:30:00-04:00"): when the simulated clock starts. */
export type ClockText = string;

export interface TestCase {
  name: string;
  /** When this test's clock starts (over the file's `clock`). */
  clock?: ClockText;
  trigger: TriggerSpec;
  mocks?: Mocks;
  script?: ScriptStep[];
  expect?: Expectations;
  skip?: boolean | string;
}

/** A test file --record writes: one test whose expectations are exact lists. */
export interface RecordedTestFile extends TestFile {
  tests: (TestCase & { expect: ExactExpectations })[];
}

export interface TestFile {
  $schema?: string;
  description?: string;
  /** The flow under test, relative to the test file. */
  flow: string;
  /** Mocks shared by every test in the file (a test's own mocks are consulted first). */
  mocks?: Mocks;
  /** When every test's clock starts, unless the test sets its own (default DEFAULT_START). */
  clock?: ClockText;
  /** Values of the flow files' deploy-time `${…}` placeholders (Terraform templates), over `--vars FILE`'s. */
  vars?: JsonObject;
  tests: TestCase[];
}

// ---- what a run observes

export interface ObservedStep {
  from: string;
  event: string;
  to: string;
  /** The subflow's SID when the step ran inside a subflow. */
  subflow?: string;
  at: number;
  /** The index of the transition taken in the widget's `transitions` (split conditions to the same widget differ by it). */
  transition?: number;
  /** Why the widget failed, when the step is a failure transition (its error, the failed request…). */
  reason?: string;
}

export interface ObservedMessage {
  widget: string;
  from: string;
  to: string;
  body: string;
  media?: string[];
  status: 'sent' | 'failed' | 'undelivered';
  errorCode?: number | string;
}

export interface ObservedRequest {
  widget: string;
  purpose: string;
  method: string;
  url: string;
  body?: string;
  parameters: Record<string, string>;
}

export type EndState = 'completed' | 'waiting' | 'manual' | 'expired' | 'error';

export interface Observation {
  steps: ObservedStep[];
  /** Widgets of the main flow in the order they ran (the trigger first). */
  path: string[];
  messages: ObservedMessage[];
  requests: ObservedRequest[];
  heard: string[];
  end: EndState;
  error?: { code: number; message: string };
  context: JsonObject;
  diagnostics: { level: string; code: number; message: string; widget?: string }[];
  /** Things the runner could not do as the test asked (unmocked requests, steps after the end…). */
  problems: string[];
}
