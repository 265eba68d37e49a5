// Send to Flex outside a call (messages, REST): Studio creates a TaskRouter task in workflow
// `workflow` on task channel `channel` with the rendered `attributes`, `priority` and `timeout`,
// and leaves by `callComplete` ("Task created") as soon as the task exists, or by
// `failedToEnqueue` ("Failed to create task"). The engine only asks: it emits a `create-task`
// effect and the runtime's channel creates the task (TaskRouter on the Twilio carrier, a recorded
// hand-off on the simulator). Outputs are the documented ones: TaskSid, Attributes, Age.
// Calls take the <Enqueue workflowSid> path in send-to-flex-call.ts instead.
import { parseJsonWithinDepth } from '../../lib/json-depth.ts';
import type { FlexTaskRequest, Json, JsonObject } from '../types.ts';
import { awaitEffect, effectResult, stringProp, type Outcome, type WidgetEnv, type WidgetHandler } from './widget.ts';

/** Console defaults (studio-flow-language.md §2.11). */
export const DEFAULT_PRIORITY = 0;
export const DEFAULT_TIMEOUT = 3600;
/** TaskRouter's ceiling for a task's timeout: two weeks. */
export const MAX_TASK_TIMEOUT = 1_209_600;
/** Studio's limit on a task's attributes, in characters (Send to Flex §2.11, Enqueue Call's task_attributes §2.10). */
export const MAX_TASK_ATTRIBUTES = 1024;

/**
 * Why rendered task `attributes` are refused: longer than Studio's 1,024 characters (counted as code points,
 * so an emoji is one), else null. The widget then takes `failedToEnqueue` with 81003 (Studio's own code is unconfirmed).
 */
export function attributesTooLong(widget: string, attributes: string): string | null {
  if (attributes.length <= MAX_TASK_ATTRIBUTES) return null;
  let characters = 0;
  for (const _ of attributes) characters++;
  if (characters <= MAX_TASK_ATTRIBUTES) return null;
  return `${widget}: the task attributes are ${characters} characters long after Liquid; Studio takes at most ${MAX_TASK_ATTRIBUTES}`;
}
/**
 * The default attributes of a messaging hand-off, as Twilio's Send to Flex page documents them for
 * legacy (Programmable Chat) SMS and webchat: the name is the chat channel's `from` attribute. A plain
 * Programmable Messaging SMS has no ChannelAttributes or ChannelSid, so those render empty, as in Studio.
 */
const DEFAULT_CHAT_ATTRIBUTES =
  '{"name": "{{trigger.message.ChannelAttributes.from}}", "channelType": "{{trigger.message.ChannelAttributes.channel_type}}", "channelSid": "{{trigger.message.ChannelSid}}"}';

type Built = { ok: true; task: FlexTaskRequest } | { ok: false; outcome: Outcome };

const fail = (code: number, message: string): Built => ({ ok: false, outcome: { type: 'error', code, message, failureEvent: 'failedToEnqueue' } });

function render(env: WidgetEnv, template: string | undefined): { ok: true; value: string } | { ok: false; built: Built } {
  const rendered = env.render(template ?? '');
  return rendered.ok ? { ok: true, value: rendered.value.trim() } : { ok: false, built: fail(rendered.error.code, rendered.error.message) };
}

function integer(name: string, text: string, fallback: number, max: number): { ok: true; value: number } | { ok: false; built: Built } {
  if (text === '') return { ok: true, value: fallback };
  if (!/^-?\d+$/.test(text)) return { ok: false, built: fail(20001, `Send to Flex: ${name} must be an integer, got '${text}'`) };
  const value = Number(text);
  if (value < 0 || value > max) return { ok: false, built: fail(20001, `Send to Flex: ${name} must be between 0 and ${max}, got ${value}`) };
  return { ok: true, value };
}

export function buildTaskRequest(env: WidgetEnv): Built {
  const workflow = render(env, stringProp(env, 'workflow'));
  if (!workflow.ok) return workflow.built;
  if (!workflow.value) return fail(20001, 'Send to Flex needs a TaskRouter workflow (WW…)');
  const channel = render(env, stringProp(env, 'channel'));
  if (!channel.ok) return channel.built;
  if (!channel.value) return fail(20001, 'Send to Flex needs a task channel (TC…)');
  const attributesTemplate = stringProp(env, 'attributes');
  const attributes = render(env, attributesTemplate === undefined || attributesTemplate === '' ? DEFAULT_CHAT_ATTRIBUTES : attributesTemplate);
  if (!attributes.ok) return attributes.built;
  const tooLong = attributesTooLong('Send to Flex', attributes.value);
  if (tooLong) return fail(81003, tooLong);
  const priorityText = render(env, stringProp(env, 'priority'));
  if (!priorityText.ok) return priorityText.built;
  const priority = integer('priority', priorityText.value, DEFAULT_PRIORITY, Number.MAX_SAFE_INTEGER);
  if (!priority.ok) return priority.built;
  const timeoutText = render(env, stringProp(env, 'timeout'));
  if (!timeoutText.ok) return timeoutText.built;
  const timeout = integer('timeout', timeoutText.value, DEFAULT_TIMEOUT, MAX_TASK_TIMEOUT);
  if (!timeout.ok) return timeout.built;
  return {
    ok: true,
    task: { workflowSid: workflow.value, taskChannel: channel.value, attributes: attributes.value || '{}', priority: priority.value, timeout: timeout.value },
  };
}

/** The task's attributes as a Liquid-friendly value: the object when it is JSON (not nested too deep), else the text. */
function parsedAttributes(text: Json | undefined): Json {
  if (typeof text !== 'string') return text ?? {};
  const parsed = parseJsonWithinDepth(text);
  return parsed.ok ? (parsed.value as Json) : text;
}

/** A TaskRouter task resource (snake_case) → the widget's documented outputs. */
export function taskOutputs(task: JsonObject): JsonObject {
  return { TaskSid: task.sid ?? null, Attributes: parsedAttributes(task.attributes), Age: typeof task.age === 'number' ? task.age : Number(task.age ?? 0) || 0 };
}

export const sendToFlex: WidgetHandler = {
  enter(env) {
    const built = buildTaskRequest(env);
    if (!built.ok) return built.outcome;
    return awaitEffect({ type: 'create-task', effectId: env.newId('EF'), widget: env.state.name, task: built.task });
  },
  resume(_env, wait, event): Outcome | null {
    const result = effectResult(wait, event);
    if (!result) return null;
    if (result.kind === 'task-created') return { type: 'transition', event: 'callComplete', outputs: taskOutputs(result.task) };
    if (result.kind === 'task-failed') {
      return { type: 'error', code: result.code, message: result.message, failureEvent: 'failedToEnqueue', outputs: { error: { code: result.code, message: result.message } } };
    }
    return null;
  },
};
