// The Liquid context a widget sees, and the execution context the API shows. Both come from the
// state: {flow, trigger, widgets, contact} (studio-flow-language.md §4.1).
import type { ExecutionState, Frame, JsonObject } from './types.ts';
import { RubyFloat } from './liquid/ruby-float.ts';
import { setOwn } from './own-member.ts';

/** `members` of `object` that hold a number, as RubyFloats, in a copy (the object itself when there are none). */
function withFloats(object: JsonObject, members: readonly string[] | undefined): Record<string, unknown> {
  if (!members?.length) return object;
  let copy: Record<string, unknown> | undefined;
  for (const key of members) {
    const value = Object.hasOwn(object, key) ? object[key] : undefined;
    if (typeof value !== 'number') continue;
    copy ??= { ...object };
    setOwn(copy, key, new RubyFloat(value));
  }
  return copy ?? object;
}

/** The widgets' outputs with their floats marked (see Frame.floatOutputs). */
function widgetsWithFloats(frame: Frame): Record<string, unknown> {
  const marked = frame.floatOutputs;
  if (!marked) return frame.widgets;
  const widgets: Record<string, unknown> = { ...frame.widgets };
  for (const [name, members] of Object.entries(marked)) {
    const outputs = Object.hasOwn(frame.widgets, name) ? frame.widgets[name] : undefined;
    if (outputs && typeof outputs === 'object' && !Array.isArray(outputs)) setOwn(widgets, name, withFloats(outputs, members));
  }
  return widgets;
}

export function flowRoot(state: ExecutionState, frame: Frame): JsonObject {
  return {
    flow_sid: frame.flowSid,
    // Studio calls the execution SID `flow.sid` (UNCONFIRMED; kept as the reference describes).
    sid: state.executionSid,
    // Start Conversation adds the conversation's fields (sid, type, status, details).
    channel: { address: state.channelAddress, ...state.channel },
    data: frame.data,
    variables: frame.variables,
  };
}

/** The context Liquid renders in: the execution context, with Set Variables' floats as Ruby's (Frame.floatVariables). */
export function liquidContext(state: ExecutionState, frame: Frame): Record<string, unknown> {
  const flow: Record<string, unknown> = flowRoot(state, frame);
  if (frame.floatVariables?.length) flow.variables = withFloats(frame.variables, frame.floatVariables);
  return {
    flow,
    trigger: frame.trigger,
    widgets: widgetsWithFloats(frame),
    contact: { channel: { address: state.contactAddress } },
  };
}

/** The main flow's context, as GET …/Executions/{Sid}/Context returns it. */
export function executionContext(state: ExecutionState): JsonObject {
  const main = state.frames[0]!;
  return {
    flow: flowRoot(state, main),
    trigger: main.trigger,
    widgets: main.widgets,
    contact: { channel: { address: state.contactAddress } },
  };
}
