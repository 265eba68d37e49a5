// Set Variables: renders each pair into flow.variables (the only widget that may change them).
// Unquoted numbers become numbers (unless limits.variableTyping is `string`: Studio's rule is
// UNCONFIRMED, §2.3); one written with a decimal point ("5.0", "1.5") is a float, as Ruby's Liquid reads such
// text, so `{{flow.variables.x}}` prints 5.0 as Studio would, not 5: JSON keeps no `.0`, so the frame lists
// those members (Frame.floatVariables) and Liquid sees them as floats. "parse as JSON" (real exports: an item's
// `"type": "json_object"`; `parse_as_json` is a guess) turns JSON text into objects, and text that is not JSON stays text.
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
    const floats = new Set<string>();
    for (const raw of items) {
      if (!raw || typeof raw !== 'object' || typeof (raw as { key?: unknown }).key !== 'string') continue;
      const item = raw as Record<string, unknown>;
      const rendered = env.render(item.value ?? '');
      if (!rendered.ok) return { type: 'error', code: rendered.error.code, message: rendered.error.message };
      let value: Json = env.limits.variableTyping === 'string' ? rendered.value : inferVariableValue(rendered.value);
      let float = typeof value === 'number' && rendered.value.includes('.');
      if (wantsJson(item, env.state.properties.parse_as_json)) {
        const parsed = parseJsonValue(rendered.value);
        if (parsed.ok) {
          value = parsed.value as Json;
          float = false;
        }
      }
      setOwn(set, item.key as string, value);
      if (float) floats.add(item.key as string);
      else floats.delete(item.key as string);
    }
    for (const [key, value] of Object.entries(set)) setOwn(env.frame.variables, key, value);
    // The members this widget set are floats now or no longer (the interpreter commits the list with the variables).
    const marked = (env.frame.floatVariables ??= []);
    const kept = marked.filter((key) => !Object.hasOwn(set, key));
    marked.splice(0, marked.length, ...kept, ...floats);
    return { type: 'transition', event: 'next', outputs: set };
  },
};
