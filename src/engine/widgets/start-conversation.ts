// Start Conversation (REST-triggered flows in Studio's editor; UNCONFIRMED details, so the runtime
// does not refuse other triggers): asks the channel to create a Conversation with the rendered
// friendly name, attributes and participants, then leaves by `created` or `failed`.
// Outputs: `conversation` (the resource as the channel returns it), `webhook_sid`, and
// `close_channel_on_execution_end` from the widget's `close_conversation_on_execution_end`.
// On `created` the execution moves into the conversation (reference §2.22: the outputs are "merged
// into flow.channel.*"): flow.channel.address and .sid become the Conversation SID, later sends post
// into it, and the contact's replies there resume the execution (the runtime re-keys it).
import type { ChannelSwitch, ConversationRequest, Json, JsonObject } from '../types.ts';
import { renderDeep } from '../liquid.ts';
import { CONVERSATION_SID, awaitEffect, effectResult, stringProp, type Outcome, type WidgetEnv, type WidgetHandler } from './widget.ts';

type Rendered<T> = { ok: true; value: T } | { ok: false; message: string; code: number };


function renderOptional(env: WidgetEnv, name: string): Rendered<string | undefined> {
  const template = stringProp(env, name);
  if (template === undefined || template === '') return { ok: true, value: undefined };
  const rendered = env.render(template);
  return rendered.ok ? { ok: true, value: rendered.value } : { ok: false, message: rendered.error.message, code: rendered.error.code };
}

function buildRequest(env: WidgetEnv): Rendered<ConversationRequest> {
  const service = renderOptional(env, 'conversation_service_sid');
  if (!service.ok) return service;
  // 50050: the Conversations API's "service not found" family; Studio's own code here is UNCONFIRMED.
  if (!service.value) return { ok: false, code: 50050, message: 'Start Conversation needs a conversation_service_sid' };
  // Every string inside the participant objects is rendered (addresses are usually Liquid).
  const participants = renderDeep<Json>((env.state.properties.participants ?? []) as Json, env.render);
  if (!participants.ok) return { ok: false, message: participants.error.message, code: participants.error.code };
  const list = Array.isArray(participants.value) ? participants.value : [];
  const request: ConversationRequest = {
    conversationServiceSid: service.value,
    participants: list.filter((item): item is JsonObject => item !== null && typeof item === 'object' && !Array.isArray(item)),
  };
  for (const [property, key] of [['friendly_name', 'friendlyName'], ['attributes', 'attributes'], ['messaging_service_sid', 'messagingServiceSid']] as const) {
    const rendered = renderOptional(env, property);
    if (!rendered.ok) return rendered;
    if (rendered.value !== undefined) request[key] = rendered.value;
  }
  const inactive = renderOptional(env, 'timers_inactive');
  const closed = renderOptional(env, 'timers_closed');
  if (!inactive.ok) return inactive;
  if (!closed.ok) return closed;
  if (inactive.value || closed.value) request.timers = { ...(inactive.value ? { inactive: inactive.value } : {}), ...(closed.value ? { closed: closed.value } : {}) };
  return { ok: true, value: request };
}

function text(value: Json | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The address a participant writes from: its messaging binding (as asked, or as Twilio returns it) or chat identity. */
function participantAddress(participant: Json): string | undefined {
  if (!participant || typeof participant !== 'object' || Array.isArray(participant)) return undefined;
  const binding = participant.messaging_binding;
  const bound = binding && typeof binding === 'object' && !Array.isArray(binding) ? text(binding.address) : undefined;
  return text(participant.messaging_binding_address) ?? bound ?? text(participant.identity);
}

/**
 * The execution's move into the conversation it created. The contact stays the contact when they are
 * a participant (the usual case: the REST `To` is the participant's address); a conversation with a
 * single participant who is someone else makes that participant the contact, whose replies the
 * execution then waits for. Which of the two Studio does is UNCONFIRMED. flow.channel's other fields
 * (sid, type, status, details) follow the reference's list; their exact values are UNCONFIRMED.
 */
export function conversationSwitch(contactAddress: string, conversation: JsonObject, webhookSid: string, serviceSid: string): ChannelSwitch | undefined {
  const sid = text(conversation.sid);
  if (!sid || !CONVERSATION_SID.test(sid)) return undefined;
  const participants = Array.isArray(conversation.participants) ? conversation.participants : [];
  const addresses = participants.map(participantAddress).filter((address): address is string => address !== undefined);
  const contact = addresses.length === 1 && !addresses.includes(contactAddress) ? addresses[0] : undefined;
  return {
    address: sid,
    ...(contact ? { contactAddress: contact } : {}),
    details: {
      sid,
      type: 'conversation',
      status: text(conversation.state) ?? 'active',
      details: {
        chat_service_sid: text(conversation.chat_service_sid) ?? serviceSid,
        messaging_service_sid: text(conversation.messaging_service_sid) ?? null,
        webhook_sid: webhookSid,
      },
    },
  };
}

export const startConversation: WidgetHandler = {
  enter(env) {
    const built = buildRequest(env);
    if (!built.ok) return { type: 'error', code: built.code, message: built.message, failureEvent: 'failed' };
    return awaitEffect({ type: 'start-conversation', effectId: env.newId('EF'), widget: env.state.name, request: built.value });
  },
  resume(env, wait, event): Outcome | null {
    const result = effectResult(wait, event);
    if (!result) return null;
    if (result.kind === 'conversation-started') {
      const service = env.render(stringProp(env, 'conversation_service_sid') ?? '');
      const contact = (env.liquidContext().contact as { channel: { address: string } }).channel.address;
      const channel = conversationSwitch(contact, result.conversation, result.webhookSid, service.ok ? service.value : '');
      return {
        type: 'transition',
        event: 'created',
        ...(channel ? { channel } : {}),
        outputs: {
          conversation: result.conversation,
          webhook_sid: result.webhookSid,
          close_channel_on_execution_end: env.state.properties.close_conversation_on_execution_end === true,
        },
      };
    }
    if (result.kind === 'conversation-failed') {
      return { type: 'error', code: result.code, message: result.message, failureEvent: 'failed', outputs: { error: { code: result.code, message: result.message } } };
    }
    return null;
  },
};
