// The webhook parameters Twilio posts for a contact's message: a number's "A message comes in"
// webhook (Programmable Messaging) and a Conversations onMessageAdded webhook. One builder for the
// simulator channel (what the server's flows receive) and the flow-test runner (what tests and
// replays feed the engine), so the two cannot drift apart.
import { isoSeconds } from '../../lib/iso-date.ts';
import { smsSegments } from '../../lib/sms-segments.ts';

export interface InboundMessage {
  /** The message's SID (SM…): MessageSid, SmsSid and SmsMessageSid. */
  sid: string;
  accountSid: string;
  from: string;
  to: string;
  body: string;
  mediaUrl?: readonly string[];
}

/** Programmable Messaging's inbound message webhook parameters. */
export function messageWebhookParams(message: InboundMessage): Record<string, string> {
  const media = message.mediaUrl ?? [];
  const params: Record<string, string> = {
    MessageSid: message.sid,
    SmsSid: message.sid,
    SmsMessageSid: message.sid,
    AccountSid: message.accountSid,
    From: message.from,
    To: message.to,
    Body: message.body,
    NumMedia: String(media.length),
    NumSegments: String(smsSegments(message.body)),
    SmsStatus: 'received',
    ApiVersion: '2010-04-01',
  };
  media.forEach((url, i) => (params[`MediaUrl${i}`] = url));
  return params;
}

export interface ConversationMessage {
  accountSid: string;
  chatServiceSid: string;
  conversationSid: string;
  /** The message's SID (IM…). */
  messageSid: string;
  /** The author's participant (MB…), when the author is one. */
  participantSid?: string;
  /** SMS (or another messaging binding) or SDK (a chat participant). */
  source: string;
  author: string;
  body: string;
  /** The message's position in the conversation (messages in either direction count). */
  index: number;
  /** When the message was added (ms). */
  dateCreated: number;
  /** The conversation's webhook that posts (WH…). */
  webhookSid: string;
}

/** A Conversations onMessageAdded webhook's parameters. */
export function conversationWebhookParams(message: ConversationMessage): Record<string, string> {
  return {
    AccountSid: message.accountSid,
    ChatServiceSid: message.chatServiceSid,
    ConversationSid: message.conversationSid,
    MessageSid: message.messageSid,
    ...(message.participantSid ? { ParticipantSid: message.participantSid } : {}),
    EventType: 'onMessageAdded',
    Source: message.source,
    Author: message.author,
    Body: message.body,
    Index: String(message.index),
    Attributes: '{}',
    DateCreated: isoSeconds(message.dateCreated),
    RetryCount: '0',
    WebhookType: 'webhook',
    WebhookSid: message.webhookSid,
  };
}
