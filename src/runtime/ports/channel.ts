// Ports the runtime needs to reach the outside world: a messaging channel and outbound HTTP.
import type { ConversationRequest, EffectResult, HttpRequestSpec, JsonObject, OutboundMessage } from '../../engine/types.ts';

export interface SendContext {
  accountSid: string;
  flowSid: string;
  executionSid: string;
  /** The outbox effect this send carries out: a channel keys its at-most-once records on it. */
  effectId?: string;
}

export type SendResult = { ok: true; message: JsonObject } | { ok: false; code: number; message: string };

export type ConversationResult = { ok: true; conversation: JsonObject; webhookSid: string } | { ok: false; code: number; message: string };

export interface MessageChannel {
  readonly name: string;
  sendMessage(context: SendContext, message: OutboundMessage): Promise<SendResult>;
  /** Creates a Conversation (start-conversation widget); channels without Conversations omit it. */
  startConversation?(context: SendContext, request: ConversationRequest): Promise<ConversationResult>;
  /** Resolves when the channel has no status report left to deliver (tests, shutdown). */
  idle?(): Promise<void>;
  /** Whether reports are still pending. */
  busy?(): boolean;
}

/** A delivery status report for a message a channel sent (status callbacks). */
export interface DeliveryStatus {
  executionSid: string;
  messageSid: string;
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
