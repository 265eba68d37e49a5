// Trigger data as Studio exposes it. Webhooks post every parameter as text, but Studio hands
// Programmable Chat / Flex chat `ChannelAttributes` to Liquid JSON-parsed, so flows read
// `trigger.message.ChannelAttributes.channel_type` or pipe `.memory | to_json`
// (studio-flow-language.md §4.1, [S-flex; S-msg]).
import { parseJsonValue } from './liquid.ts';
import type { Json, JsonObject } from './types.ts';

const PARSED_ATTRIBUTES = ['ChannelAttributes'];

/** A copy of `triggerData` whose message/conversation JSON attributes are objects; other data is kept as is. */
export function normalizeTriggerData(triggerData: JsonObject): JsonObject {
  let out = triggerData;
  for (const root of ['message', 'conversation']) {
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
    if (copy) {
      if (out === triggerData) out = { ...triggerData };
      out[root] = copy;
    }
  }
  return out;
}
