// Connect Virtual Agent (v2, Dialogflow CX) on a call: <Connect><VirtualAgent> with the connector,
// <Config> overrides and <Parameter>s. The Connect action callback's VirtualAgentStatus decides the
// event (completed, live-agent-handoff, paused, failed); the caller hanging up is `hangup`. Twilio
// requests the action also when the caller hangs up (the call is then over, CallStatus completed), at
// about the time of the final status and in either order: after the status the widget waits a moment
// for it (as Record and Dial do), so both orders leave by `hangup` with the session's outputs.
// Outputs: VirtualAgentProvider, VirtualAgentStatus, VirtualAgentProviderData (parsed when JSON),
// VirtualAgentError(Code) and the call parameters. `channel: conversations` hands the execution's
// conversation to the agent instead: connect-virtual-agent-conversations.ts.
import type { JsonObject } from '../types.ts';
import { connectVirtualAgentConversations } from './connect-virtual-agent-conversations.ts';
import { callbackFor, callbackOutputs, callWait, cancelHangupTimer, hangupAwaitingAction, parameterNodes, renderProps, requireCall } from './voice.ts';
import { parseJsonOutput, stringProp, type WidgetHandler } from './widget.ts';

const STATUS_EVENTS = new Set(['completed', 'live-agent-handoff', 'paused', 'failed']);

export const connectVirtualAgentV2: WidgetHandler = {
  enter(env) {
    const channel = (stringProp(env, 'channel') ?? '').trim().toLowerCase() || 'voice';
    if (channel === 'conversations') return connectVirtualAgentConversations.enter(env);
    if (channel !== 'voice') {
      return { type: 'error', code: 81003, message: `Connect Virtual Agent has no '${stringProp(env, 'channel')}' channel (voice or conversations)`, failureEvent: 'failed' };
    }
    const refused = requireCall(env, 'failed');
    if (refused) return refused;
    const props = renderProps(env, ['connector_name', 'status_callback'], 'failed');
    if (!props.ok) return props.outcome;
    if (!props.values.connector_name) return { type: 'error', code: 81003, message: 'Connect Virtual Agent needs a connector name', failureEvent: 'failed' };
    const attributes: Record<string, string> = { connectorName: props.values.connector_name };
    if (props.values.status_callback) {
      attributes.statusCallback = props.values.status_callback;
      attributes.statusCallbackMethod = stringProp(env, 'status_callback_method') ?? 'POST';
    }
    const configs = parameterNodes(env, 'configurations', 'Config');
    if (!configs.ok) return configs.outcome;
    const parameters = parameterNodes(env, 'parameters');
    if (!parameters.ok) return parameters.outcome;
    const agent = { verb: 'VirtualAgent', attributes, children: [...configs.nodes, ...parameters.nodes] };
    return callWait(env, [{ verb: 'Connect', attributes: { method: 'POST' }, children: [agent], callback: { attribute: 'action' } }]);
  },
  resume(env, wait, event) {
    if (wait.kind !== 'call') return connectVirtualAgentConversations.resume!(env, wait, event);
    const hangup = hangupAwaitingAction(env, wait, event);
    if (hangup) return hangup;
    const callback = callbackFor(wait, event);
    if (!callback || wait.kind !== 'call') return null;
    const outputs: JsonObject = callbackOutputs(callback.params);
    parseJsonOutput(outputs, 'VirtualAgentProviderData');
    const status = typeof outputs.VirtualAgentStatus === 'string' ? outputs.VirtualAgentStatus : '';
    // The session ended because the caller hung up: `hangup`, whatever status the session reports.
    const callerGone = callback.params.CallStatus === 'completed' || wait.hungUp !== undefined;
    const name = callerGone ? 'hangup' : STATUS_EVENTS.has(status) ? status : 'failed';
    return { type: 'transition', event: name, outputs, effects: cancelHangupTimer(wait) };
  },
};
