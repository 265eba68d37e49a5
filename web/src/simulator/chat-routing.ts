// The Chat's bookkeeping, kept free of React so it is tested under Node: the messages of every
// source merged, where the contact's next text goes, and how a message is marked.
// As `switchboard simulate` does (src/cli/simulate-output.ts): once the flow writes to the contact in
// a conversation (Start Conversation) from another address — the proxy number of their SMS binding,
// or the conversation's SID for a chat participant — the contact's texts go there, as their phone's
// reply would, until the execution writing in it ends. Sent to the flow's address they started a
// second execution while the first waited in the conversation.
import type { Execution, SimulatorMessage } from '../api/types.ts';

/** The flow's address in the simulator when a text names none (the server's SIMULATOR_FLOW_ADDRESS). */
export const SIMULATOR_FLOW_ADDRESS = '+15005550006';

/** Messages posted into a Conversation have IM SIDs, as on Twilio; a plain SMS has an SM or MM one. */
const CONVERSATION_MESSAGE = /^IM[0-9a-fA-F]{32}$/;

/** A conversation the flow writes to the contact in: the address it writes from, and the execution writing. */
export interface ConversationRoute {
  address: string;
  executionSid: string;
}

/**
 * Every source's messages (the POST answers, the event streams) once each by SID, the latest copy of
 * each (its status moves on), oldest first. Timestamps have whole seconds: messages of one second go
 * in the order the simulator recorded them (`sequence`), whichever answer or stream brought them;
 * without one, in the order they were first seen.
 */
export function mergeMessages(...lists: SimulatorMessage[][]): SimulatorMessage[] {
  const bySid = new Map<string, SimulatorMessage>();
  for (const list of lists) for (const m of list) bySid.set(m.sid, m);
  return [...bySid.values()].sort((a, b) => Date.parse(a.date_created) - Date.parse(b.date_created) || (a.sequence ?? Infinity) - (b.sequence ?? Infinity) || 0);
}

/** A message the flow wrote to the contact in a conversation, from an address that is not the flow's. */
function fromConversation(m: SimulatorMessage, contact: string, flowAddress: string): m is SimulatorMessage & { execution_sid: string } {
  return m.direction !== 'inbound' && m.to === contact && m.from !== flowAddress && m.execution_sid !== null && CONVERSATION_MESSAGE.test(m.sid);
}

/** The conversation the flow last wrote to the contact in (null: none), whether or not its execution has ended. */
export function latestConversation(messages: SimulatorMessage[], contact: string, flowAddress: string): ConversationRoute | null {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (fromConversation(m, contact, flowAddress)) return { address: m.from, executionSid: m.execution_sid };
  }
  return null;
}

/**
 * Where the contact's next text goes: the conversation while its execution is active (or its status
 * has not arrived yet), else null — the flow's address.
 */
export function replyRoute(conversation: ConversationRoute | null, executions: ReadonlyMap<string, Pick<Execution, 'status'>>): ConversationRoute | null {
  if (!conversation) return null;
  const status = executions.get(conversation.executionSid)?.status;
  return status === undefined || status === 'active' ? conversation : null;
}

/**
 * The execution the Chat shows: the latest one its messages belong to; when none does (the
 * simulator's transcripts live in the server's memory, gone after a restart), the contact's newest
 * execution the stream reports: it watches the contact's active one, which their next text
 * continues, and keeps reporting it once it has ended.
 */
export function shownExecutionSid(
  messages: readonly Pick<SimulatorMessage, 'execution_sid'>[],
  executions: ReadonlyMap<string, Pick<Execution, 'sid' | 'contact_channel_address' | 'date_created'>>,
  contact: string,
): string | null {
  for (let i = messages.length - 1; i >= 0; i--) {
    const sid = messages[i]!.execution_sid;
    if (sid) return sid;
  }
  let newest: Pick<Execution, 'sid' | 'date_created'> | null = null;
  for (const execution of executions.values()) {
    if (execution.contact_channel_address !== contact) continue;
    if (!newest || Date.parse(execution.date_created) >= Date.parse(newest.date_created)) newest = execution;
  }
  return newest?.sid ?? null;
}

/** What a message says beside its text: another recipient than the contact, or another address than the flow's. */
export function messageMarks(m: Pick<SimulatorMessage, 'direction' | 'from' | 'to'>, contact: string, flowAddress: string): { to?: string; from?: string } {
  if (m.direction === 'inbound') return m.to !== flowAddress ? { to: m.to } : {};
  if (m.to !== contact) return { to: m.to };
  return m.from !== flowAddress ? { from: m.from } : {};
}

/** A media URL is a link only when it is a web address (a flow may send anything as one). */
export function isWebUrl(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

/**
 * What a bubble's text is: the body; for a message sent with a Content template and no body (the
 * template has the text), the template; else that it was empty. Null: only media, nothing to say.
 */
export function bubbleText(m: Pick<SimulatorMessage, 'body' | 'media_url' | 'content_sid'>): { kind: 'body' | 'template' | 'empty'; text: string } | null {
  if (m.body !== '') return { kind: 'body', text: m.body };
  if (m.content_sid) return { kind: 'template', text: m.content_sid };
  return m.media_url.length === 0 ? { kind: 'empty', text: '' } : null;
}
