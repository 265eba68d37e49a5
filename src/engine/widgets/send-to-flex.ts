// Send to Flex: Studio creates a TaskRouter task (workflow `workflow`, task channel `channel`) with
// the rendered `attributes` and leaves the flow by `callComplete` ("Task created").
// Switchboard has no Flex/TaskRouter: this SIMULATES the task creation. No effect is emitted; the
// widget mints a task SID ('WT' + 32 hex), exposes the documented outputs {TaskSid, Attributes, Age}
// and transitions `callComplete` at once. A Liquid error in `attributes` is `failedToEnqueue`.
import type { Json } from '../types.ts';
import { stringProp, type WidgetHandler } from './widget.ts';

export const sendToFlex: WidgetHandler = {
  enter(env) {
    const attributes = env.render(stringProp(env, 'attributes') ?? '');
    if (!attributes.ok) return { type: 'error', code: attributes.error.code, message: attributes.error.message, failureEvent: 'failedToEnqueue' };
    let parsed: Json = attributes.value;
    try {
      parsed = JSON.parse(attributes.value) as Json;
    } catch {
      // Not JSON: Attributes stays the rendered string.
    }
    return { type: 'transition', event: 'callComplete', outputs: { TaskSid: env.newId('WT'), Attributes: parsed, Age: 0 } };
  },
};
