// Connect Virtual Agent (v2) on the Conversations channel (`channel: conversations`, reference §2.14): the
// execution's conversation is handed to a Dialogflow CX virtual agent through the widget's connector, which
// answers the contact there until it ends the session. The widget asks the channel to connect the agent (a
// 'connect-virtual-agent' effect: `connector_name`, the rendered `parameters`, at most 10, and the contact as
// the end user), then waits for the session's end, reported by the channel as a 'virtual-agent-ended' event:
// its VirtualAgentStatus picks the event (completed, live-agent-handoff, failed; anything else failed) and its
// parameters (VirtualAgentProviderData parsed when JSON, VirtualAgentError, VirtualAgentErrorCode…) are the
// outputs, over VirtualAgentProvider from the connection. The contact's messages meanwhile are the agent's:
// each one sets the reply timer again; `timeout` seconds (Liquid; default the reply timeout's 3600) without one
// leave by `timeout`, and the flow takes the conversation back (a 'disconnect-virtual-agent' effect, as when
// the execution ends during the session). A connection the channel refuses leaves by `failed` with its error.
// Outside a conversation the widget cannot run: `failed` with 81003.
// How Twilio connects the agent, reports the session's end and what it puts in the outputs on `timeout` is
// UNCONFIRMED (no public API); the channels carry it out behind their port (README, compatibility decisions).
import type { JsonObject, VirtualAgentRequest, VirtualAgentWait } from '../types.ts';
import { replyTimeout } from './send-and-wait-for-reply.ts';
import { awaitEffect, effectResult, executionConversation, keyValueList, parseJsonOutput, renderList, stringProp, type Outcome, type WidgetEnv, type WidgetHandler } from './widget.ts';

/** Twilio takes at most 10 parameters for a Conversations virtual agent (reference §2.14). */
export const MAX_CONVERSATION_PARAMETERS = 10;

/** The statuses a virtual agent ends a session in a conversation with: the widget's events of the same names. */
export const VIRTUAL_AGENT_STATUSES = ['completed', 'live-agent-handoff', 'failed'] as const;
const STATUS_EVENTS: ReadonlySet<string> = new Set(VIRTUAL_AGENT_STATUSES);

function contactAddress(env: WidgetEnv): string {
  const address = (env.liquidContext().contact as { channel?: { address?: unknown } } | undefined)?.channel?.address;
  return typeof address === 'string' ? address : '';
}

const refuse = (code: number, message: string): Outcome => ({ type: 'error', code, message, failureEvent: 'failed' });

function buildRequest(env: WidgetEnv, conversationSid: string): { ok: true; request: VirtualAgentRequest } | { ok: false; outcome: Outcome } {
  const template = stringProp(env, 'connector_name') ?? '';
  const connector = env.render(template);
  if (!connector.ok) return { ok: false, outcome: refuse(connector.error.code, `connector_name: ${connector.error.message}`) };
  const connectorName = connector.value.trim();
  if (!connectorName) return { ok: false, outcome: refuse(81003, 'Connect Virtual Agent needs a connector name') };
  const parameters = renderList(env, keyValueList(env.state.properties.parameters));
  if (!parameters.ok) return { ok: false, outcome: refuse(84003, `parameters: ${parameters.message}`) };
  if (parameters.value.length > MAX_CONVERSATION_PARAMETERS) {
    return { ok: false, outcome: refuse(81003, `Connect Virtual Agent takes at most ${MAX_CONVERSATION_PARAMETERS} parameters on the Conversations channel, got ${parameters.value.length}`) };
  }
  return { ok: true, request: { conversationSid, connectorName, endUser: contactAddress(env), parameters: parameters.value } };
}

/** The session's end parameters as outputs: VirtualAgentProviderData parsed when it is JSON, as on a call. */
function endOutputs(wait: VirtualAgentWait, params: JsonObject): JsonObject {
  const outputs: JsonObject = { ...wait.outputs, ...params };
  parseJsonOutput(outputs, 'VirtualAgentProviderData');
  return outputs;
}

export const connectVirtualAgentConversations: WidgetHandler = {
  enter(env) {
    const conversationSid = executionConversation(env);
    if (!conversationSid) {
      return refuse(81003, 'Connect Virtual Agent on the Conversations channel needs an execution in a Conversation (one an incoming conversation message started, or Start or Resume Conversation moved there)');
    }
    const built = buildRequest(env, conversationSid);
    if (!built.ok) return built.outcome;
    return awaitEffect({ type: 'connect-virtual-agent', effectId: env.newId('EF'), widget: env.state.name, request: built.request });
  },
  resume(env, wait, event): Outcome | null {
    if (wait.kind === 'effect') {
      const result = effectResult(wait, event);
      if (!result) return null;
      if (result.kind === 'virtual-agent-failed') {
        return { type: 'error', code: result.code, message: result.message, failureEvent: 'failed', outputs: { VirtualAgentErrorCode: result.code, VirtualAgentError: result.message } };
      }
      if (result.kind !== 'virtual-agent-connected') return null;
      const timeout = replyTimeout(env, 'Connect Virtual Agent timeout');
      const timerId = env.newId('TM');
      const dueAt = env.now + timeout.seconds * 1000;
      const agent: VirtualAgentWait = {
        kind: 'virtual-agent',
        effectId: wait.effectId,
        sessionId: result.sessionId,
        timerId,
        dueAt,
        seconds: timeout.seconds,
        conversationSid: executionConversation(env) ?? '',
        outputs: result.outputs,
      };
      return { type: 'wait', wait: agent, effects: [{ type: 'set-timer', timerId, dueAt }], ...(timeout.warning ? { diagnostics: [timeout.warning] } : {}) };
    }
    if (wait.kind !== 'virtual-agent') return null;
    if (event.type === 'inbound-message') {
      // The contact answered the agent: the reply timeout starts again.
      const timerId = env.newId('TM');
      const dueAt = env.now + wait.seconds * 1000;
      return { type: 'wait', wait: { ...wait, timerId, dueAt }, effects: [{ type: 'cancel-timer', timerId: wait.timerId }, { type: 'set-timer', timerId, dueAt }] };
    }
    if (event.type === 'timer' && event.timerId === wait.timerId) {
      const session = { conversationSid: wait.conversationSid, sessionId: wait.sessionId };
      return { type: 'transition', event: 'timeout', outputs: { ...wait.outputs }, effects: [{ type: 'disconnect-virtual-agent', effectId: env.newId('EF'), widget: env.state.name, session }] };
    }
    if (event.type === 'virtual-agent-ended' && event.sessionId === wait.sessionId) {
      const outputs = endOutputs(wait, event.params);
      const status = typeof outputs.VirtualAgentStatus === 'string' ? outputs.VirtualAgentStatus.trim().toLowerCase() : '';
      return { type: 'transition', event: STATUS_EVENTS.has(status) ? status : 'failed', outputs, effects: [{ type: 'cancel-timer', timerId: wait.timerId }] };
    }
    return null;
  },
};
