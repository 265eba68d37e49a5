// Set Variables: renders each pair into flow.variables (the only widget that may change them).
// Unquoted numbers become numbers (unless limits.variableTyping is `string`: Studio's rule is
// UNCONFIRMED, §2.3); one written with a decimal point ("5.0", "1.5") is a float, as Ruby's Liquid reads such
// text, so `{{flow.variables.x}}` prints 5.0 as Studio would, not 5: JSON keeps no `.0`, so the frame lists
// those members (Frame.floatVariables) and Liquid sees them as floats. "parse as JSON" (real exports: an item's
// `"type": "json_object"`; `parse_as_json` is a guess) turns JSON text into objects, and text that is not JSON stays text.
import { inferVariableValue, parseJsonValue } from '../liquid.ts';
import type { FloatMark, Json, JsonObject, VariableTyping } from '../types.ts';
import { jsonFloatPaths, markedMember } from '../json-floats.ts';
import { parsesAsJson, type WidgetHandler } from './widget.ts';
import { setOwn } from '../own-member.ts';

function wantsJson(item: Record<string, unknown>, widgetFlag: unknown): boolean {
  return widgetFlag === true || item.parse_as_json === true || parsesAsJson(item);
}

export const setVariables: WidgetHandler = {
  enter(env) {
    const items = Array.isArray(env.state.properties.variables) ? env.state.properties.variables : [];
    const set: JsonObject = {};
    // Per member set: where its value holds floats (the member itself, or paths down into its JSON).
    const floats = new Map<string, FloatMark[]>();
    for (const raw of items) {
      if (!raw || typeof raw !== 'object' || typeof (raw as { key?: unknown }).key !== 'string') continue;
      const item = raw as Record<string, unknown>;
      const key = item.key as string;
      const rendered = env.render(item.value ?? '');
      if (!rendered.ok) return { type: 'error', code: rendered.error.code, message: rendered.error.message };
      let value: Json = typedValue(rendered.value, env.limits.variableTyping);
      let marks: FloatMark[] = typeof value === 'number' && rendered.value.includes('.') ? [key] : [];
      if (wantsJson(item, env.state.properties.parse_as_json)) {
        const parsed = parseJsonValue(rendered.value);
        if (parsed.ok) {
          value = parsed.value as Json;
          marks = jsonFloatPaths(rendered.value, value).map((path) => (path.length === 0 ? key : [key, ...path]));
        }
      }
      setOwn(set, key, value);
      floats.delete(key);
      if (marks.length > 0) floats.set(key, marks);
    }
    for (const [key, value] of Object.entries(set)) setOwn(env.frame.variables, key, value);
    // The members this widget set hold floats now or no longer (the interpreter commits the list with the variables).
    const marked = (env.frame.floatVariables ??= []);
    const kept = marked.filter((mark) => !Object.hasOwn(set, markedMember(mark)));
    marked.splice(0, marked.length, ...kept, ...[...floats.values()].flat());
    return { type: 'transition', event: 'next', outputs: set };
  },
};

/** A rendered value as `typing` stores it (EngineLimits.variableTyping). */
function typedValue(rendered: string, typing: VariableTyping): Json {
  if (typing === 'string') return rendered;
  if (typing === 'infer-unquote' && rendered.length >= 2 && rendered.startsWith('"') && rendered.endsWith('"')) return rendered.slice(1, -1);
  return inferVariableValue(rendered);
}
