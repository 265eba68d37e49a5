// Ports the runtime needs to reach the outside world: a messaging channel and outbound HTTP.
import type {
  ConversationRequest,
  ConversationResumeRequest,
  EffectResult,
  FlexTaskRequest,
  HttpRequestSpec,
  JsonObject,
  OutboundMessage,
  VirtualAgentRequest,
  VirtualAgentSession,
} from '../../engine/types.ts';

export interface SendContext {
  accountSid: string;
  flowSid: string;
  executionSid: string;
  /** The outbox effect this send carries out: a channel keys its at-most-once records on it. */
  effectId?: string;
  /** The execution's flow address (a `CH…` for one in a conversation), when the runtime had it at hand. */
  channelAddress?: string;
}

/** What a sprint knows of the execution whose effects it hands on, so that carrying them out need not read it again. */
export interface KnownExecution {
  flowSid: string;
  channelAddress: string;
}

export type SendResult = { ok: true; message: JsonObject } | { ok: false; code: number; message: string };

/** A send's result as the engine takes it (the effect's result event), whether it went through the outbox or inline. */
export function sendOutcome(sent: SendResult): Extract<EffectResult, { kind: 'message-sent' } | { kind: 'message-failed' }> {
  return sent.ok ? { kind: 'message-sent', message: sent.message } : { kind: 'message-failed', code: sent.code, message: sent.message };
}

/**
 * A send a channel completes in memory (the simulator): its result is known at once, so the sprint that made
 * it applies the result itself instead of writing an outbox row and a second sprint. Nothing is seen until
 * the sprint is written (`publish`); a write that fails takes it back (`abandon`), and the retry sends anew.
 */
export interface InlineSend {
  result: SendResult;
  publish(): void;
  abandon(): void;
}

export type ConversationResult = { ok: true; conversation: JsonObject; webhookSid: string } | { ok: false; code: number; message: string };

/**
 * A virtual agent connected to a conversation: `sessionId` is what the channel names the session by when it
 * reports its end (ExecutionService.virtualAgentEnded); `outputs` are the widget's from now on
 * (VirtualAgentProvider…). Or why it could not be connected.
 */
export type VirtualAgentResult = { ok: true; sessionId: string; outputs: JsonObject } | { ok: false; code: number; message: string };

/** A created TaskRouter task (the resource, snake_case as TaskRouter returns it) or why there is none. */
export type TaskResult = { ok: true; task: JsonObject } | { ok: false; code: number; message: string };

export interface TwilioCredentials {
  username: string;
  password: string;
  /** Hosts (host[:port]) of the account's configured API base URLs. */
  apiHosts: string[];
}

export interface MessageChannel {
  readonly name: string;
  sendMessage(context: SendContext, message: OutboundMessage): Promise<SendResult>;
  /** The send as an InlineSend, when this channel completes it in memory; null: it goes through the outbox. */
  sendInline?(context: SendContext, message: OutboundMessage): Promise<InlineSend | null>;
  /** Creates a Conversation (start-conversation widget); channels without Conversations omit it. */
  startConversation?(context: SendContext, request: ConversationRequest): Promise<ConversationResult>;
  /**
   * Joins an existing Conversation (resume-conversation widget): fetches it and its participants and adds a
   * webhook bringing its messages to the flow; channels without Conversations omit it.
   */
  resumeConversation?(context: SendContext, request: ConversationResumeRequest): Promise<ConversationResult>;
  /**
   * Hands a conversation to a virtual agent (Connect Virtual Agent, Conversations channel) until the agent ends
   * the session, which the channel reports to the execution; channels without Conversations omit it.
   */
  connectVirtualAgent?(context: SendContext, request: VirtualAgentRequest): Promise<VirtualAgentResult>;
  /** Takes the conversation back from a session that did not end by itself (the widget's timeout, the execution's end). */
  disconnectVirtualAgent?(context: SendContext, session: VirtualAgentSession): Promise<void>;
  /** Creates a TaskRouter task (send-to-flex outside a call); channels without TaskRouter omit it. */
  createTask?(context: SendContext, task: FlexTaskRequest): Promise<TaskResult>;
  /**
   * X-Twilio-Signature for a run-function request (a form POST of `parameters` to `url`), signed
   * as Twilio signs Studio's own requests so Protected Functions accept it; null when the account
   * has no upstream Twilio account to sign for.
   */
  signFunctionRequest?(accountSid: string, url: string, parameters: { key: string; value: string }[]): Promise<string | null>;
  /**
   * The upstream Twilio credentials of an account (make-http-request's "Authenticate With Twilio") and the
   * API hosts they may be sent to besides *.twilio.com; null when the account has no upstream account.
   */
  twilioCredentials?(accountSid: string): Promise<TwilioCredentials | null>;
  /** Resolves when the channel has no status report left to deliver (tests, shutdown). */
  idle?(): Promise<void>;
  /** Whether reports are still pending. */
  busy?(): boolean;
}

/** A delivery status report for a message a channel sent (status callbacks). */
export interface DeliveryStatus {
  executionSid: string;
  messageSid: string;
  /** The send it reports on (the step's effect), when the channel knows it: a message SID may not be unique. */
  effectId?: string;
  status: string;
  errorCode?: string;
}

export interface HttpLimits {
  timeoutMs: number;
  maxBodyBytes: number;
}

export interface OutboundHttp {
  request(spec: HttpRequestSpec, limits: HttpLimits): Promise<Extract<EffectResult, { kind: 'http-response' } | { kind: 'http-failed' }>>;
}
