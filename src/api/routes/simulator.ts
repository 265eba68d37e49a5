// The simulator's API (authenticated like the rest): text a flow as a contact, read the
// conversation, list the Flex hand-offs (tasks), and make the next message to an address fail.
import type { ApiContext } from '../context.ts';
import type { Routes } from '../server.ts';
import { errors } from '../wire/errors.ts';
import { enumValue, optionalString, requiredQuery, stringList } from '../wire/form.ts';
import { contactAddress, optionalAddress } from '../wire/addresses.ts';
import { formatDate } from '../wire/dates.ts';
import { flowSidParam } from '../wire/path-params.ts';
import { bodyTooLong } from '../../lib/sms-segments.ts';
import { SIMULATOR_FLOW_ADDRESS, type SimulatedTask, type TranscriptEntry } from '../../channels/simulator/simulator-channel.ts';
import type { FlowRecord } from '../../runtime/ports/store.ts';

/** A simulator message as the API shows it (also in the console's event streams). */
export function entryJson(entry: TranscriptEntry) {
  return {
    sid: entry.sid,
    direction: entry.direction,
    from: entry.from,
    to: entry.to,
    body: entry.body,
    media_url: entry.mediaUrl,
    status: entry.status,
    execution_sid: entry.executionSid,
    date_created: formatDate(entry.dateCreated),
  };
}

function taskJson(task: SimulatedTask) {
  return {
    sid: task.sid,
    account_sid: task.accountSid,
    flow_sid: task.flowSid,
    execution_sid: task.executionSid,
    workflow_sid: task.workflowSid,
    task_channel: task.taskChannel,
    attributes: task.attributes,
    priority: task.priority,
    timeout: task.timeout,
    date_created: formatDate(task.dateCreated),
  };
}

/** How a contact's text starts the flow, from the Trigger of the revision it would run. */
type TextStart = 'message' | 'conversation' | 'unwired';

/**
 * Which Trigger event a text that starts a new execution takes: incomingMessage when the Trigger
 * wires it; otherwise incomingConversationMessage when that is wired (the number hands texts to
 * Conversations, as for a flow Twilio triggers from a conversation); otherwise neither, and the
 * execution ends at once, as on Twilio. The revision is the one the runtime would pick (the latest
 * for a test user, else the published one); without one nothing starts and 'message' is as good.
 */
async function textStart(ctx: ApiContext, flow: FlowRecord, contact: string): Promise<TextStart> {
  const testUsers = (await ctx.store.getTestUsers(flow.accountSid, flow.sid)) ?? [];
  const revision = testUsers.includes(contact) ? flow.revision : flow.publishedRevision;
  if (revision === null) return 'message';
  const definition = (await ctx.store.getRevision(flow.accountSid, flow.sid, revision))?.definition;
  const trigger = definition?.states.find((state) => state.name === definition.initial_state);
  if (!trigger) return 'message';
  const wired = (event: string) => trigger.transitions.some((t) => t.event === event && t.next);
  if (wired('incomingMessage')) return 'message';
  return wired('incomingConversationMessage') ? 'conversation' : 'unwired';
}

/** Said in the answer when a text ran a flow whose Trigger takes no messages (the console shows it). */
const UNWIRED_NOTICE =
  "The flow's Trigger does not handle incoming messages: neither Incoming Message nor Incoming Conversation Message leads to a widget, so the execution ended at once. Connect one of them to start the flow from a text.";

export function registerSimulator(routes: Routes, ctx: ApiContext): void {
  routes.add('POST', '/simulator/Flows/:Sid/Messages', async (request, reply) => {
    const flowSid = flowSidParam(request);
    const from = contactAddress(request.form, 'From');
    const to = optionalAddress(request.form, 'To') ?? SIMULATOR_FLOW_ADDRESS;
    const body = optionalString(request.form, 'Body') ?? '';
    // As Twilio takes no longer text; it also keeps one request from filling the transcripts.
    if (bodyTooLong(body)) throw errors.bodyTooLong();
    const flow = await ctx.store.getFlow(request.account.sid, flowSid);
    if (!flow) throw errors.notFound(`/simulator/Flows/${flowSid}`);
    // Into a conversation Start Conversation made: To is it, or the contact texts its proxy number while
    // an execution is in it (after that, texts reach the flow as plain messages again).
    let conversationSid = ctx.simulator.conversationFor(request.account.sid, flowSid, from, to);
    let inConversation = conversationSid !== null && (conversationSid === to || (await ctx.store.findActiveExecutionSid(flowSid, from, conversationSid)) !== null);
    // A text that starts an execution starts it as the flow's Trigger takes texts (a reply to an
    // execution waiting at this address is a message whatever the Trigger wires).
    let start: TextStart = 'message';
    if (!inConversation && (await ctx.store.findActiveExecutionSid(flowSid, from, to)) === null) {
      start = await textStart(ctx, flow, from);
      if (start === 'conversation') {
        conversationSid = ctx.simulator.openConversation(request.account.sid, flowSid, from, to);
        inConversation = conversationSid !== null;
      }
    }
    const conversation = inConversation ? ctx.simulator.inboundConversation(conversationSid!, from, to, body) : null;
    const params = conversation?.params ?? ctx.simulator.inbound(request.account.sid, flowSid, from, to, body, stringList(request.form, 'MediaUrl') ?? []);
    const { executionSid } = await ctx.executions.inboundMessage(request.account.sid, flowSid, params, conversation ? 'incomingConversationMessage' : 'incomingMessage');
    if (executionSid) ctx.simulator.linkExecution(to, from, params.MessageSid!, executionSid, conversation?.conversationSid);
    await ctx.executions.idle();
    reply.code(201);
    // Only this flow's messages: another account may use the same addresses in the simulator.
    return {
      message_sid: params.MessageSid,
      execution_sid: executionSid,
      messages: ctx.simulator.transcript(to, from).filter((m) => m.flowSid === flowSid).map(entryJson),
      ...(start === 'unwired' ? { notice: { code: 'trigger-not-wired', message: UNWIRED_NOTICE } } : {}),
    };
  });

  routes.add('GET', '/simulator/Flows/:Sid/Messages', async (request) => {
    const flowSid = flowSidParam(request);
    const query = request.query as Record<string, string | undefined>;
    const contact = requiredQuery(query, 'Contact');
    if (!(await ctx.store.getFlow(request.account.sid, flowSid))) throw errors.notFound(`/simulator/Flows/${flowSid}`);
    const flowAddress = query.FlowAddress ?? SIMULATOR_FLOW_ADDRESS;
    return { messages: ctx.simulator.transcript(flowAddress, contact).filter((m) => m.flowSid === flowSid).map(entryJson) };
  });

  // send-to-flex hand-offs the simulator took in place of TaskRouter (this account's only).
  routes.add('GET', '/simulator/Tasks', async (request) => {
    const query = request.query as Record<string, string | undefined>;
    const tasks = ctx.simulator.tasks(request.account.sid).filter((task) => (!query.ExecutionSid || task.executionSid === query.ExecutionSid) && (!query.FlowSid || task.flowSid === query.FlowSid));
    return { tasks: tasks.map(taskJson) };
  });

  routes.add('POST', '/simulator/Failures', async (request) => {
    const to = contactAddress(request.form, 'To');
    const kind = enumValue(request.form, 'Kind', ['send', 'delivery'] as const, true);
    ctx.simulator.failNext(to, kind, request.account.sid);
    return { to, kind };
  });
}
