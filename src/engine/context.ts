// The Liquid context a widget sees, and the execution context the API shows. Both come from the
// state: {flow, trigger, widgets, contact} (studio-flow-language.md §4.1).
import type { ExecutionState, Frame, JsonObject } from './types.ts';

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

export function liquidContext(state: ExecutionState, frame: Frame): Record<string, unknown> {
  return {
    flow: flowRoot(state, frame),
    trigger: frame.trigger,
    widgets: frame.widgets,
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
