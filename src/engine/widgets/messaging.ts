// Shared pieces of the messaging widgets: building the outbound message from properties.
// `attributes` (JSON text with Liquid) goes with a message into a Conversation, as the Conversations
// Message's Attributes; elsewhere it, `service` and `channel` (retired Programmable Chat's) are ignored,
// not even rendered.
import { parseJsonWithinDepth } from '../../lib/json-depth.ts';
import type { JsonObject, OutboundMessage } from '../types.ts';
import { CONVERSATION_SID, executionConversation, keyValueList, stringProp, type WidgetEnv } from './widget.ts';

/**
 * Whether a message goes into a Conversation: the channels' rule (a conversation SID in `from`, else the
 * execution's flow address when it is one: a conversation message started it, or Start/Resume Conversation
 * moved it there).
 */
export function sendsIntoConversation(env: WidgetEnv, from: string): boolean {
  return CONVERSATION_SID.test(from) || executionConversation(env) !== undefined;
}

/** How much of attributes that are not JSON an error quotes. */
const QUOTED_ATTRIBUTES = 80;

/**
 * The message's Conversations Attributes: `attributes` rendered and trimmed; undefined when it is absent or
 * renders empty. Text that is not JSON is refused (81011, as a send the widget cannot make: the
 * Conversations API refuses such Attributes; Studio's own code for it is UNCONFIRMED).
 */
function conversationAttributes(env: WidgetEnv): { ok: true; value: string | undefined } | { ok: false; code: number; message: string } {
  const template = stringProp(env, 'attributes');
  if (template === undefined || template.trim() === '') return { ok: true, value: undefined };
  const rendered = env.render(template);
  if (!rendered.ok) return { ok: false, code: rendered.error.code, message: rendered.error.message };
  const text = rendered.value.trim();
  if (text === '') return { ok: true, value: undefined };
  const parsed = parseJsonWithinDepth(text);
  if (parsed.ok) return { ok: true, value: text };
  const quoted = text.length > QUOTED_ATTRIBUTES ? `${text.slice(0, QUOTED_ATTRIBUTES)}…` : text;
  return { ok: false, code: 81011, message: `Failed to send message: attributes must be JSON after Liquid (${parsed.error}), got '${quoted}'` };
}

export type Built = { ok: true; message: OutboundMessage } | { ok: false; code: number; message: string };

export function buildOutbound(env: WidgetEnv, defaults: { to: string }): Built {
  const fields: Record<string, string> = {};
  const templates: Record<string, string | undefined> = {
    from: stringProp(env, 'from') ?? '{{flow.channel.address}}',
    to: stringProp(env, 'to') ?? defaults.to,
    body: stringProp(env, 'body') ?? '',
    media_url: stringProp(env, 'media_url'),
    content_sid: stringProp(env, 'content_sid'),
  };
  for (const [name, template] of Object.entries(templates)) {
    if (template === undefined) continue;
    const rendered = env.render(template);
    if (!rendered.ok) return { ok: false, code: rendered.error.code, message: rendered.error.message };
    fields[name] = rendered.value;
  }
  const message: OutboundMessage = { from: fields.from ?? '', to: fields.to ?? '', body: fields.body ?? '' };
  // Studio's media_url is one URL (studio-flow-language §2.15: a string; every real export holds a single
  // URL), so it is not split: commas are legal in URLs (Cloudinary's `w_100,h_100` transformations).
  const mediaUrl = fields.media_url?.trim();
  if (mediaUrl) message.mediaUrl = [mediaUrl];
  if (env.state.properties.message_type === 'content_template' && fields.content_sid) {
    message.contentSid = fields.content_sid;
    const variables: Record<string, string> = {};
    for (const item of keyValueList(env.state.properties.content_variables)) {
      const rendered = env.render(item.value);
      if (!rendered.ok) return { ok: false, code: rendered.error.code, message: rendered.error.message };
      // Exports use "1"; some docs use "{{1}}": accept both, send the bare key.
      variables[item.key.replace(/^\{\{\s*|\s*\}\}$/g, '')] = rendered.value;
    }
    message.contentVariables = variables;
  }
  if (env.state.properties.shorten_urls === true) message.shortenUrls = true;
  if (sendsIntoConversation(env, message.from)) {
    const attributes = conversationAttributes(env);
    if (!attributes.ok) return attributes;
    if (attributes.value !== undefined) message.attributes = attributes.value;
  }
  if (!message.body && !message.mediaUrl && !message.contentSid) {
    return { ok: false, code: 81011, message: 'Failed to send message: a message body, media URL or content template is required' };
  }
  if (!message.to) return { ok: false, code: 81011, message: "Failed to send message: no 'To' address" };
  if (!message.from) return { ok: false, code: 81011, message: "Failed to send message: no 'From' address" };
  return { ok: true, message };
}

/** The `outbound` output from a sent message resource (Studio exposes the Message fields). */
export function outboundOutputs(message: JsonObject): JsonObject {
  return { ...message };
}
