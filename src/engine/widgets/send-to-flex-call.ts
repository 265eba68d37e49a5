// Send to Flex on a call: <Enqueue workflowSid> with a <Task> holding the rendered attributes (and
// priority/timeout, Liquid rendered; Studio's 0 and 3600 when absent), wait URL when it is an http(s) URL (else left out, with 81028). Control comes back through the Enqueue action
// callback: QueueResult decides callComplete / failedToEnqueue / callFailure (queue-result.ts); a caller
// hanging up in the queue is `callComplete` whichever of the action and the final status comes first
// (resumeEnqueue). Messages and REST executions ask the channel for a TaskRouter task instead (send-to-flex.ts).
import type { Json } from '../types.ts';
import { resumeEnqueue } from './enqueue-call.ts';
import { DEFAULT_PRIORITY, DEFAULT_TIMEOUT, MAX_TASK_TIMEOUT, attributesTooLong, sendToFlex } from './send-to-flex.ts';
import { callWait, renderedIntProp, renderProps, waitUrlProp, withWarnings } from './voice.ts';
import { stringProp, type WidgetEnv, type WidgetHandler } from './widget.ts';

/** Studio's task attributes for a voice hand-off when none are set (§2.11). */
function defaultVoiceAttributes(env: WidgetEnv): string {
  const from = env.render('{{trigger.call.From}}');
  return JSON.stringify({ type: 'inbound', name: from.ok ? from.value : '' });
}

export const sendToFlexCall: WidgetHandler = {
  enter(env) {
    const props = renderProps(env, ['workflow', 'channel', 'attributes', 'waitUrl'], 'failedToEnqueue');
    if (!props.ok) return props.outcome;
    const { workflow, channel, attributes, waitUrl } = props.values;
    if (!workflow) return { type: 'error', code: 81003, message: 'Send to Flex needs a TaskRouter workflow', failureEvent: 'failedToEnqueue' };
    const enqueue: Record<string, string> = { workflowSid: workflow, method: 'POST' };
    const hold = waitUrlProp(env, 'waitUrl', 'Send to Flex waitUrl', waitUrl);
    if (hold.value !== undefined) {
      enqueue.waitUrl = hold.value;
      enqueue.waitUrlMethod = (stringProp(env, 'waitUrlMethod') ?? 'POST').toUpperCase() === 'GET' ? 'GET' : 'POST';
    }
    // String properties (§2.11): Liquid is rendered. Absent, they are Studio's defaults (priority "0", timeout
    // "3600"), as on messages (send-to-flex.ts), not TaskRouter's (a 24-hour task timeout); unusable, the default, with 81028.
    const priority = renderedIntProp(env, 'priority', 'Send to Flex priority', { min: 0, max: Number.MAX_SAFE_INTEGER }, DEFAULT_PRIORITY);
    const timeout = renderedIntProp(env, 'timeout', 'Send to Flex timeout', { min: 0, max: MAX_TASK_TIMEOUT }, DEFAULT_TIMEOUT);
    const task: Record<string, string | number> = { priority: priority.value!, timeout: timeout.value! };
    let taskAttributes = attributes ?? defaultVoiceAttributes(env);
    const tooLong = attributesTooLong('Send to Flex', taskAttributes);
    if (tooLong) return { type: 'error', code: 81003, message: tooLong, failureEvent: 'failedToEnqueue' };
    // The task channel rides along in the attributes, as Flex expects for voice tasks.
    if (channel) {
      try {
        const parsed = JSON.parse(taskAttributes) as Record<string, Json>;
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) taskAttributes = JSON.stringify({ ...parsed, task_channel: parsed.task_channel ?? channel });
      } catch {
        // Not JSON: Flex receives it as written.
      }
    }
    return withWarnings(callWait(env, [{ verb: 'Enqueue', attributes: enqueue, children: [{ verb: 'Task', attributes: task, text: taskAttributes }], callback: { attribute: 'action' } }]), hold, priority, timeout);
  },
  resume: resumeEnqueue,
};

/** send-to-flex: the voice path on a call, a create-task effect elsewhere. */
export const sendToFlexAnyChannel: WidgetHandler = {
  enter: (env) => (env.callSid ? sendToFlexCall.enter(env) : sendToFlex.enter(env)),
  resume: (env, wait, event) => (wait.kind === 'call' ? sendToFlexCall.resume!(env, wait, event) : (sendToFlex.resume?.(env, wait, event) ?? null)),
};
