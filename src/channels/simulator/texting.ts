// A contact texting a flow through the simulator: the one path the simulator's HTTP route and
// `switchboard simulate` share, so a flow behaves the same in the console and in the terminal.
import type { FlowRecord, Store } from '../../runtime/ports/store.ts';
import { runnable } from '../../runtime/sprints.ts';
import { isTestUser } from '../../lib/phone-format.ts';
import type { SimulatorChannel } from './simulator-channel.ts';

const CONVERSATION_SID = /^CH[0-9a-fA-F]{32}$/;

/** How a contact's text starts the flow, from the Trigger of the revision it would run (none: 'unpublished'). */
export type TextStart = 'message' | 'conversation' | 'unwired' | 'unpublished';

/** Said when a text ran a flow whose Trigger takes no messages (the console and `simulate` show it). */
export const UNWIRED_NOTICE =
  "The flow's Trigger does not handle incoming messages: neither Incoming Message nor Incoming Conversation Message leads to a widget, so the execution ended at once. Connect one of them to start the flow from a text.";

/** Said when nothing ran because the flow has no revision the contact would run (the API, `simulate` and `call`). */
export const UNPUBLISHED_NOTICE =
  'The flow has never been published, so nothing ran: publish it, or make this contact a test user (test users run the latest revision, drafts included).';

/** The revision a text or call from `contact` would run: the latest for a test user, else the published one (null: none). */
export async function revisionFor(store: Store, flow: FlowRecord, contact: string): Promise<number | null> {
  const testUsers = (await store.getTestUsers(flow.accountSid, flow.sid)) ?? [];
  return isTestUser(testUsers, contact) ? flow.revision : flow.publishedRevision;
}

export interface TextingDeps {
  store: Store;
  simulator: SimulatorChannel;
  inbound(
    accountSid: string,
    flowSid: string,
    params: Record<string, string>,
    trigger: 'incomingMessage' | 'incomingConversationMessage',
  ): Promise<{ executionSid: string | null }>;
}

export interface TextResult {
  params: Record<string, string>;
  executionSid: string | null;
  start: TextStart;
}

/**
 * Which Trigger event a text that starts a new execution takes. A text to a conversation (`to` a CH…
 * SID) takes incomingConversationMessage when the Trigger wires it, even beside incomingMessage (so a
 * Flex flow, which wires both, is driven down its conversation branch). Otherwise incomingMessage when
 * the Trigger wires it (to a CH… too: a Programmable Chat channel); otherwise incomingConversationMessage
 * when that is wired (the number hands texts to Conversations, as for a flow Twilio triggers from a
 * conversation); otherwise neither, and the execution ends at once, as on Twilio. The revision is the
 * one the runtime would pick (the latest for a test user, else the published one); without one nothing
 * starts ('unpublished').
 */
async function textStart(store: Store, flow: FlowRecord, contact: string, to: string): Promise<TextStart> {
  const revision = await revisionFor(store, flow, contact);
  if (revision === null) return 'unpublished';
  const saved = (await store.getRevision(flow.accountSid, flow.sid, revision))?.definition;
  // As the runtime will run it: an invalid draft's unfollowable parts (states not a list, …) dropped.
  const definition = saved && runnable(saved);
  const trigger = definition?.states.find((state) => state.name === definition.initial_state);
  // A draft may be saved invalid (test users run it): without a list of transitions, leave it to the runtime.
  if (!trigger || !Array.isArray(trigger.transitions)) return 'message';
  const wired = (event: string) => trigger.transitions.some((t) => t?.event === event && t.next);
  if (CONVERSATION_SID.test(to) && wired('incomingConversationMessage')) return 'conversation';
  if (wired('incomingMessage')) return 'message';
  return wired('incomingConversationMessage') ? 'conversation' : 'unwired';
}

/** `from` texts `body` to the flow at `to`; the message (or conversation message) is delivered to the runtime. */
export async function textFlow(deps: TextingDeps, flow: FlowRecord, from: string, to: string, body: string, mediaUrl: string[] = []): Promise<TextResult> {
  const { store, simulator } = deps;
  const accountSid = flow.accountSid;
  // Into a conversation Start Conversation made: To is it, or the contact texts its proxy number while
  // an execution is in it (after that, texts reach the flow as plain messages again).
  let conversationSid = simulator.conversationFor(accountSid, flow.sid, from, to);
  let inConversation = conversationSid !== null && (conversationSid === to || (await store.findActiveExecutionSid(flow.sid, from, conversationSid)) !== null);
  // A text that starts an execution starts it as the flow's Trigger takes texts (a reply to an
  // execution waiting at this address is a message whatever the Trigger wires).
  let start: TextStart = 'message';
  if (!inConversation && (await store.findActiveExecutionSid(flow.sid, from, to)) === null) {
    start = await textStart(store, flow, from, to);
    if (start === 'conversation') {
      conversationSid = simulator.openConversation(accountSid, flow.sid, from, to);
      inConversation = conversationSid !== null;
    }
  }
  const conversation = inConversation ? simulator.inboundConversation(conversationSid!, from, to, body) : null;
  const params = conversation?.params ?? simulator.inbound(accountSid, flow.sid, from, to, body, mediaUrl);
  let executionSid: string | null;
  try {
    ({ executionSid } = await deps.inbound(accountSid, flow.sid, params, conversation ? 'incomingConversationMessage' : 'incomingMessage'));
  } catch (error) {
    // Refused (429 at the rate limit, 503 in a store outage): the text did not reach the flow, and the transcript says so.
    simulator.refuseInbound(to, from, params.MessageSid!, conversation?.conversationSid);
    throw error;
  }
  if (executionSid) simulator.linkExecution(to, from, params.MessageSid!, executionSid, conversation?.conversationSid);
  return { params, executionSid, start };
}
