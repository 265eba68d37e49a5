// Conversations messages in a replay. What a conversation made up — the contact's message (its
// MessageSid, ChatServiceSid, ParticipantSid, WebhookSid, Index) and the resource for each message the
// flow posted in it (Sid, Index) — is replayed as it came: a replay that makes its own differs from the
// recording in outputs the revision never decided. What the revision does decide (a message's Body,
// its Author, the conversation it posts in) comes from the replay.
import type { JsonObject, OutboundMessage } from '../engine/types.ts';

const CONVERSATION_SID = /^CH[0-9a-fA-F]{32}$/;

/** A message's webhook parameters are a Conversations onMessageAdded's (not an SMS webhook's). */
export function isConversationMessage(params: JsonObject | undefined): boolean {
  return !!params && typeof params.ConversationSid === 'string' && typeof params.Author === 'string';
}

/**
 * The contact's reply as the conversation posted it, with the body the script replays (the same
 * text: it comes from that very message).
 */
export function recordedReply(recorded: JsonObject, body: string): JsonObject {
  return { ...recorded, Body: body };
}

/**
 * The resource a send posted in a conversation returns, as recorded, with what this revision sends:
 * as the carrier posts it (twilio-channel.ts), a CH… `from` names the conversation, any other `from`
 * is the Author, and none (or the conversation itself) makes the message the system's.
 */
export function postedMessage(recorded: JsonObject, message: OutboundMessage, sid: string): JsonObject {
  const conversationSid = CONVERSATION_SID.test(message.from) ? message.from : String(recorded.ConversationSid ?? '');
  return {
    ...recorded,
    Sid: typeof recorded.Sid === 'string' && recorded.Sid !== '' ? recorded.Sid : sid,
    ConversationSid: conversationSid,
    Author: message.from && message.from !== conversationSid ? message.from : 'system',
    Body: message.body,
    ...('ContentSid' in recorded ? { ContentSid: message.contentSid ?? null } : {}),
  };
}
