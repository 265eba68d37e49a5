// The Liquid context a widget sees, and the execution context the API shows. Both come from the
// state: {flow, trigger, widgets, contact} (studio-flow-language.md §4.1).
import type { ExecutionState, FloatMark, Frame, JsonObject } from './types.ts';
import { RubyFloat } from './liquid/ruby-float.ts';
import { setOwn } from './own-member.ts';
import { valueAt, type JsonPath } from './json-floats.ts';

/** `object` with a RubyFloat at each of `marks` that holds a number, in a copy (the object itself when none does). */
function withFloats(object: JsonObject, marks: readonly FloatMark[] | undefined): Record<string, unknown> {
  if (!marks?.length) return object;
  return withFloatsAt(object, marks.map((mark) => (typeof mark === 'string' ? [mark] : mark)));
}

/**
 * `value` with a RubyFloat at each of `paths` that holds a number, copying only the objects and arrays on the way
 * to one (`value` itself when none does).
 */
function withFloatsAt(value: Record<string, unknown>, paths: readonly JsonPath[]): Record<string, unknown> {
  const copies = new Set<object>();
  const root: Record<string, unknown> = { ...value };
  copies.add(root);
  let changed = false;
  for (const path of paths) {
    if (path.length === 0 || typeof valueAt(value, path) !== 'number') continue;
    let node: Record<string | number, unknown> = root;
    for (let i = 0; i < path.length - 1; i++) {
      const key = path[i]!;
      let child = node[key] as Record<string | number, unknown>;
      if (!copies.has(child)) {
        child = (Array.isArray(child) ? [...child] : { ...child }) as Record<string | number, unknown>;
        copies.add(child);
        if (typeof key === 'string') setOwn(node as Record<string, unknown>, key, child);
        else node[key] = child;
      }
      node = child;
    }
    const last = path[path.length - 1]!;
    const float = new RubyFloat(node[last] as number);
    if (typeof last === 'string') setOwn(node as Record<string, unknown>, last, float);
    else node[last] = float;
    changed = true;
  }
  return changed ? root : value;
}

/** The widgets' outputs with their floats marked (see Frame.floatOutputs and Frame.floatPaths). */
function widgetsWithFloats(frame: Frame): Record<string, unknown> {
  const marked = frame.floatOutputs;
  const deep = frame.floatPaths;
  if (!marked && !deep) return frame.widgets;
  const widgets: Record<string, unknown> = { ...frame.widgets };
  const outputsOf = (name: string): JsonObject | undefined => {
    const outputs = Object.hasOwn(widgets, name) ? widgets[name] : undefined;
    return outputs && typeof outputs === 'object' && !Array.isArray(outputs) ? (outputs as JsonObject) : undefined;
  };
  for (const [name, members] of Object.entries(marked ?? {})) {
    const outputs = outputsOf(name);
    if (outputs) setOwn(widgets, name, withFloats(outputs, members));
  }
  for (const [name, paths] of Object.entries(deep ?? {})) {
    const outputs = outputsOf(name);
    if (outputs) setOwn(widgets, name, withFloatsAt(outputs, paths));
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
    trigger: frame.floatTrigger?.length ? withFloatsAt(frame.trigger, frame.floatTrigger) : frame.trigger,
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
