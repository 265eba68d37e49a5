// Resume Conversation (REST-triggered flows in Studio's editor; details UNCONFIRMED, reference §2.22): the
// execution joins an existing Conversation, made outside Studio, as Start Conversation's joins the one it
// creates. It asks the channel to fetch the conversation `conversation_sid` of the service
// `conversation_service_sid`, list its participants and add a webhook (onMessageAdded, plus the widget's
// `webhook_filters`) that brings their messages back to the flow; `attributes`, when set, become the
// conversation's. It then leaves by `resumed` or `failed`.
// Outputs: `conversation` (the resource with its participants, as the channel returns it) and `webhook_sid`.
// On `resumed` the execution moves into the conversation as Start Conversation's does (conversationSwitch):
// flow.channel is the conversation, later sends go into it and the contact's replies there resume the
// execution. An execution already in a conversation takes `failed` without asking the channel: one
// conversation per execution, as Studio's docs say.
import type { ConversationResumeRequest } from '../types.ts';
import { conversationSwitch } from './start-conversation.ts';
import { awaitEffect, effectResult, executionConversation, stringProp, type Outcome, type WidgetEnv, type WidgetHandler } from './widget.ts';

/** The filter the contact's replies need: always asked for, first. */
const MESSAGE_ADDED = 'onMessageAdded';

type Built = { ok: true; value: ConversationResumeRequest } | { ok: false; code: number; message: string };

/** A string property rendered with Liquid and trimmed; undefined when absent or empty. */
function rendered(env: WidgetEnv, name: string): { ok: true; value: string | undefined } | { ok: false; code: number; message: string } {
  const template = stringProp(env, name);
  if (template === undefined || template.trim() === '') return { ok: true, value: undefined };
  const result = env.render(template);
  if (!result.ok) return { ok: false, code: result.error.code, message: `${name}: ${result.error.message}` };
  const value = result.value.trim();
  return { ok: true, value: value === '' ? undefined : value };
}

/**
 * `webhook_filters` (its JSON shape is UNCONFIRMED): a list of event names, or one string of them separated
 * by commas or spaces; each rendered with Liquid. onMessageAdded comes first whatever it holds, each once.
 */
function webhookFilters(env: WidgetEnv): { ok: true; value: string[] } | { ok: false; code: number; message: string } {
  const raw = env.state.properties.webhook_filters;
  const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [];
  const filters = [MESSAGE_ADDED];
  for (const item of items) {
    if (typeof item !== 'string') continue;
    const result = env.render(item);
    if (!result.ok) return { ok: false, code: result.error.code, message: `webhook_filters: ${result.error.message}` };
    for (const name of result.value.split(/[\s,]+/)) if (name !== '' && !filters.includes(name)) filters.push(name);
  }
  return { ok: true, value: filters };
}

function buildRequest(env: WidgetEnv): Built {
  const service = rendered(env, 'conversation_service_sid');
  if (!service.ok) return service;
  // 50050: the Conversations API's "service not found" family, as Start Conversation uses; Studio's own code is UNCONFIRMED.
  if (!service.value) return { ok: false, code: 50050, message: 'Resume Conversation needs a conversation_service_sid' };
  const conversation = rendered(env, 'conversation_sid');
  if (!conversation.ok) return conversation;
  // 20404: what the Conversations API answers for a conversation it cannot find.
  if (!conversation.value) return { ok: false, code: 20404, message: 'Resume Conversation needs a conversation_sid (the CH… SID of the conversation to resume)' };
  const filters = webhookFilters(env);
  if (!filters.ok) return filters;
  const attributes = rendered(env, 'attributes');
  if (!attributes.ok) return attributes;
  return {
    ok: true,
    value: {
      conversationServiceSid: service.value,
      conversationSid: conversation.value,
      webhookFilters: filters.value,
      ...(attributes.value !== undefined ? { attributes: attributes.value } : {}),
    },
  };
}

export const resumeConversation: WidgetHandler = {
  enter(env) {
    const current = executionConversation(env);
    if (current) {
      // Switchboard's 81003 ("cannot run here"): Studio's own code for this is UNCONFIRMED.
      return { type: 'error', code: 81003, message: `Resume Conversation: the execution is already in conversation ${current}, and an execution has one conversation`, failureEvent: 'failed' };
    }
    const built = buildRequest(env);
    if (!built.ok) return { type: 'error', code: built.code, message: built.message, failureEvent: 'failed' };
    return awaitEffect({ type: 'resume-conversation', effectId: env.newId('EF'), widget: env.state.name, request: built.value });
  },
  resume(env, wait, event): Outcome | null {
    const result = effectResult(wait, event);
    if (!result) return null;
    if (result.kind === 'conversation-started') {
      const service = rendered(env, 'conversation_service_sid');
      const contact = (env.liquidContext().contact as { channel: { address: string } }).channel.address;
      const channel = conversationSwitch(contact, result.conversation, result.webhookSid, service.ok ? (service.value ?? '') : '');
      return { type: 'transition', event: 'resumed', ...(channel ? { channel } : {}), outputs: { conversation: result.conversation, webhook_sid: result.webhookSid } };
    }
    if (result.kind === 'conversation-failed') {
      return { type: 'error', code: result.code, message: result.message, failureEvent: 'failed', outputs: { error: { code: result.code, message: result.message } } };
    }
    return null;
  },
};
