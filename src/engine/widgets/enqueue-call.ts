// Enqueue Call: <Enqueue> into a named queue, or into a TaskRouter workflow with a <Task> carrying
// the attributes (and priority/timeout). Control comes back through the Enqueue action callback
// (QueueResult decides the event, see queue-result.ts). A wait URL that is not an http(s) URL after
// Liquid is dropped (default hold music) with warning 81028, as Studio does (§6.7; waitUrlProp).
// A caller hanging up in the queue: Twilio requests the action (QueueResult=hangup) and sends the final
// status at about the same time, in either order; the widget waits a moment for the action after the
// status, as Record and Dial do, so both orders leave by `callComplete` with the queue's outputs.
import type { CallWait, EngineEvent, Json, TwimlNode } from '../types.ts';
import { queueEvent } from './queue-result.ts';
import { callbackFor, callbackOutputs, callWait, cancelHangupTimer, hangupAwaitingAction, intProp, renderProps, requireCall, waitUrlProp, withWarnings } from './voice.ts';
import { stringProp, type Outcome, type WidgetEnv, type WidgetHandler } from './widget.ts';
import { attributesTooLong } from './send-to-flex.ts';

/**
 * `resume` of an <Enqueue> (Enqueue Call, Send to Flex on a call). A final status parks it for the
 * action (see hangupAwaitingAction); if the action never comes, it leaves by `callComplete` with the
 * status's parameters, as the QueueResult=hangup action would have (the widget has no `hangup` event).
 */
export function resumeEnqueue(env: WidgetEnv, wait: unknown, event: EngineEvent): Outcome | null {
  const hangup = hangupAwaitingAction(env, wait, event);
  if (hangup) return hangup.type === 'transition' ? { ...hangup, event: 'callComplete' } : hangup;
  const callback = callbackFor(wait, event);
  if (!callback) return null;
  return { type: 'transition', event: queueEvent(callback.params.QueueResult as Json), outputs: callbackOutputs(callback.params), effects: cancelHangupTimer(wait as CallWait) };
}

export const enqueueCall: WidgetHandler = {
  enter(env) {
    const refused = requireCall(env, 'callFailure');
    if (refused) return refused;
    const props = renderProps(env, ['queue_name', 'workflow_sid', 'task_attributes', 'wait_url'], 'failedToEnqueue');
    if (!props.ok) return props.outcome;
    const { queue_name, workflow_sid, task_attributes, wait_url } = props.values;
    const attributes: Record<string, string | number | boolean> = { method: 'POST' };
    const waitUrl = waitUrlProp(env, 'wait_url', 'Enqueue Call wait_url', wait_url);
    if (waitUrl.value !== undefined) {
      attributes.waitUrl = waitUrl.value;
      attributes.waitUrlMethod = (stringProp(env, 'wait_url_method') ?? 'GET').toUpperCase() === 'POST' ? 'POST' : 'GET';
    }
    let node: TwimlNode;
    if (workflow_sid) {
      const tooLong = attributesTooLong('Enqueue Call', task_attributes ?? '');
      if (tooLong) return { type: 'error', code: 81003, message: tooLong, failureEvent: 'failedToEnqueue' };
      attributes.workflowSid = workflow_sid;
      const taskAttributes: Record<string, string | number> = {};
      const priority = intProp(env, 'priority');
      if (priority !== undefined) taskAttributes.priority = priority;
      const timeout = intProp(env, 'timeout');
      if (timeout !== undefined) taskAttributes.timeout = timeout;
      node = { verb: 'Enqueue', attributes, children: [{ verb: 'Task', attributes: taskAttributes, text: task_attributes ?? '{}' }], callback: { attribute: 'action' } };
    } else if (queue_name) {
      if (queue_name.length > 64) return { type: 'error', code: 81003, message: `Queue name is longer than 64 characters`, failureEvent: 'failedToEnqueue' };
      node = { verb: 'Enqueue', attributes, text: queue_name, callback: { attribute: 'action' } };
    } else {
      return { type: 'error', code: 81003, message: 'Enqueue Call needs a queue name or a TaskRouter workflow', failureEvent: 'failedToEnqueue' };
    }
    return withWarnings(callWait(env, [node]), waitUrl);
  },
  resume: resumeEnqueue,
};
