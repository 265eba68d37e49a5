// Trigger data as Studio exposes it. Webhooks post every parameter as text, but Studio hands
// Programmable Chat / Flex chat `ChannelAttributes` to Liquid JSON-parsed, so flows read
// `trigger.message.ChannelAttributes.channel_type` or pipe `.memory | to_json`
// (studio-flow-language.md §4.1, [S-flex; S-msg]). `AddOns` (the Marketplace Add-ons' results, posted
// as JSON text on message and call webhooks) is parsed the same way: §4.1 says so (AI catalog), and
// code reading Studio's execution context takes `context.trigger.message.AddOns.results` as an object.
// `trigger.conversation` is the Conversations onMessageAdded webhook, which names the sender Author and
// the conversation ConversationSid; Studio documents the trigger with `From` and `ChannelSid` as well
// (§4.1: AccountSid, Body, ChannelSid, ConversationSid, DateCreated, From, MessageSid,
// MessagingServiceSid), so those two are filled from the webhook's own fields when it does not carry
// them. `MessagingServiceSid` and `DateCreated` stay as the webhook posted them: nothing in an
// onMessageAdded names the service, and the engine has no clock to date a message that came undated.
import { parseJsonValue } from './liquid.ts';
import type { Json, JsonObject } from './types.ts';

const PARSED_ATTRIBUTES = ['ChannelAttributes', 'AddOns'];

/** Documented `trigger.conversation` fields → the onMessageAdded field each is taken from when absent. */
const CONVERSATION_ALIASES: ReadonlyArray<readonly [field: string, source: string]> = [
  ['From', 'Author'],
  ['ChannelSid', 'ConversationSid'],
];

/**
 * A copy of `triggerData` whose message/call/conversation JSON attributes are objects and whose conversation
 * has Studio's documented `From`/`ChannelSid`; fields present are never replaced, other data is kept as is.
 */
export function normalizeTriggerData(triggerData: JsonObject): JsonObject {
  let out = triggerData;
  for (const root of ['message', 'call', 'conversation']) {
    const params = triggerData[root];
    if (!params || typeof params !== 'object' || Array.isArray(params)) continue;
    let copy: JsonObject | undefined;
    for (const key of PARSED_ATTRIBUTES) {
      const raw = (params as JsonObject)[key];
      if (typeof raw !== 'string') continue;
      const parsed = parseJsonValue(raw);
      // Only a JSON object replaces the text: anything else stays exactly as it was posted.
      if (!parsed.ok || parsed.value === null || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) continue;
      copy ??= { ...(params as JsonObject) };
      copy[key] = parsed.value as Json;
    }
    if (root === 'conversation') {
      for (const [field, source] of CONVERSATION_ALIASES) {
        const value = (params as JsonObject)[source];
        if (Object.hasOwn(params, field) || typeof value !== 'string') continue;
        copy ??= { ...(params as JsonObject) };
        copy[field] = value;
      }
    }
    if (copy) {
      if (out === triggerData) out = { ...triggerData };
      out[root] = copy;
    }
  }
  return out;
}
