// Set Variables: renders each pair into flow.variables (the only widget that may change them).
// Unquoted numbers become numbers (unless limits.variableTyping is `string`: Studio's rule is
// UNCONFIRMED, §2.3); "parse as JSON" (real exports: an item's `"type": "json_object"`;
// `parse_as_json` is a guess) turns JSON text into objects, and text that is not JSON stays text.
import { inferVariableValue, parseJsonValue } from '../liquid.ts';
import type { Json, JsonObject } from '../types.ts';
import { parsesAsJson, type WidgetHandler } from './widget.ts';
import { setOwn } from '../own-member.ts';

function wantsJson(item: Record<string, unknown>, widgetFlag: unknown): boolean {
  return widgetFlag === true || item.parse_as_json === true || parsesAsJson(item);
}

export const setVariables: WidgetHandler = {
  enter(env) {
    const items = Array.isArray(env.state.properties.variables) ? env.state.properties.variables : [];
    const set: JsonObject = {};
    for (const raw of items) {
      if (!raw || typeof raw !== 'object' || typeof (raw as { key?: unknown }).key !== 'string') continue;
      const item = raw as Record<string, unknown>;
      const rendered = env.render(item.value ?? '');
      if (!rendered.ok) return { type: 'error', code: rendered.error.code, message: rendered.error.message };
      let value: Json = env.limits.variableTyping === 'string' ? rendered.value : inferVariableValue(rendered.value);
      if (wantsJson(item, env.state.properties.parse_as_json)) {
        const parsed = parseJsonValue(rendered.value);
        if (parsed.ok) value = parsed.value as Json;
      }
      setOwn(set, item.key as string, value);
    }
    for (const [key, value] of Object.entries(set)) setOwn(env.frame.variables, key, value);
    return { type: 'transition', event: 'next', outputs: set };
  },
};
